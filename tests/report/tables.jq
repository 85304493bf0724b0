# tables.jq: trace2pprof -report=json as the lines cmdtrace-tables.py makes
# of go tool trace's goroutine, task and region pages (sort them with
# LC_ALL=C sort to compare).

def nonoverlapping:
  # GoroutineExecStats.NonOverlappingStats
  ({"Execution time": .exec_ns, "Sched wait time": .sched_wait_ns,
    "Syscall execution time": .syscall_ns, "Block time (syscall)": .syscall_block_ns,
    "Unknown time": .unknown_ns}) as $fixed
  | reduce (.block_ns | to_entries[]) as $b ($fixed;
      .["Block time (" + $b.key + ")"] += $b.value);

# Go's order of the columns: "Execution time" first, then by name.
def columns: sort_by(if . == "Execution time" then "" else . end);

def pairs($cols; $vals): [$cols[] | "\(tojson)=\($vals[.] // 0)"] | join(" ");

(.goroutine_groups[] | "group \(.name | tojson) count \(.count) exec \(.exec_ns)"),

(.goroutines | group_by(.name)[]
  | ([.[] | nonoverlapping | keys[]] | unique | columns) as $cols
  | ([.[] | .ranges_ns | keys[]] | unique) as $ranges
  | (.[] | "goroutine \(.name | tojson) \(.id) total \(.total_ns) \(pairs($cols; nonoverlapping))"),
    (.[] | select([.ranges_ns[]] | add // 0 | . != 0)
      | "ranges \(.name | tojson) \(.id) total \(.total_ns) \(pairs($ranges; .ranges_ns))")),

# The task page shows types as HTML text, where html/template writes NUL as
# U+FFFD.
(.tasks[] | (.type | gsub("\u0000"; "\ufffd") | tojson) as $t
  | "task \($t) count \(.count)",
    (.complete.histogram[] | "task \($t) bucket \(.min_ns) \(.count)")),

(.regions[] | "\(.type | tojson) \(.func) \(.pc) \(.file):\(.line)" as $k
  | "region \($k) count \(.count)",
    (.histogram[] | "region \($k) bucket \(.min_ns) \(.count)"))
