# match-go.sh - sourced by the regen scripts.
#
#   match_go CMP OURS OUT COMMAND...
#
# Runs COMMAND (a command or shell function writing a Go tool's output to
# stdout) into OUT.  If OURS is given (not "-"), runs it again, up to 200
# times, until `CMP OURS OUT` succeeds, and fails if it never does.  This is
# for the outputs of Go's v1 trace converter, which resolves ties in Go map
# order and so varies from run to run: the golden kept is still one of Go's
# own outputs, the one that resolves ties as trace2pprof does.
match_go() {
	local cmp=$1 ours=$2 out=$3 i
	shift 3
	for i in $(seq 200); do
		"$@" >"$out" || return
		[ "$ours" != - ] || return 0
		"$cmp" "$ours" "$out" >/dev/null 2>&1 && return 0
	done
	echo "match_go: no run of $* gives what trace2pprof gives" >&2
	return 1
}
