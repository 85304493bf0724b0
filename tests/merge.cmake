# Several traces in one run: one profile of each type, as go tool pprof
# -proto merges the traces' own (tests/check-merge: with Go 1.27, skipped
# without it, and with pprofcmp -s's sums); a damaged one counts its valid
# part; the binary argument told from a trace by its bytes.

set(merge_samples ${PROJECT_SOURCE_DIR}/samples)
foreach(case
    "flightrec||flightrec/go1.25 flightrec/go1.26 flightrec/go1.27"
    "mixed||chan/go1.22 chan/go1.27 mutex/go1.27 net/go1.19 annotations/go1.21 TORN/chan/go1.27"
    "region|-region=step|annotations/go1.22 annotations/go1.27"
    "goroutine-window|-goroutine=main.main,-from=10ms|chan/go1.22 chan/go1.27 TORN/chan/go1.25")
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 name)
  list(GET parts 1 flags)
  list(GET parts 2 traces)
  string(REPLACE "," ";" flags "${flags}")
  string(REPLACE " " ";" traces "${traces}")
  set(paths)
  foreach(t ${traces})
    if(t MATCHES "^TORN/(.*)$")
      list(APPEND paths ${CMAKE_CURRENT_SOURCE_DIR}/torn/${CMAKE_MATCH_1}.trace)
    else()
      list(APPEND paths ${merge_samples}/${t}.trace)
    endif()
  endforeach()
  add_test(NAME merge/${name}/sum COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check-merge
           $<TARGET_FILE:trace2pprof> $<TARGET_FILE:pprofcmp> ${flags} -- ${paths})
  add_test(NAME merge/${name}/go-pprof COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/check-merge
           $<TARGET_FILE:trace2pprof> $<TARGET_FILE:pprofcmp> -go ${flags} -- ${paths})
  set_tests_properties(merge/${name}/go-pprof PROPERTIES SKIP_RETURN_CODE 77)
endforeach()

# The same trace twice: every sample twice over.
add_test(NAME merge/twice
  COMMAND sh -c "\"$0\" -pprof=sync \"$2\" \"$2\" | \"$1\" -s /dev/stdin >\"$3\".a &&
                 \"$0\" -pprof=sync \"$2\" >\"$3\".p && \"$1\" -s \"$3\".p \"$3\".p | cmp - \"$3\".a &&
                 grep -c '^sample' \"$3\".a; rm -f \"$3\".a \"$3\".p"
    $<TARGET_FILE:trace2pprof> $<TARGET_FILE:pprofcmp> ${merge_samples}/mutex/go1.27.trace
    ${CMAKE_CURRENT_BINARY_DIR}/merge-twice)
set_tests_properties(merge/twice PROPERTIES PASS_REGULAR_EXPRESSION "^[1-9][0-9]*\n$")

# The binary argument: not a trace by its first bytes (an executable, a
# missing file), it names the program, and the profile is the trace's.
foreach(case "executable|$<TARGET_FILE:trace2pprof>" "missing|no-such-binary")
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 name)
  list(GET parts 1 binary)
  add_test(NAME merge/binary-${name}
    COMMAND sh -c "\"$0\" -pprof=sched \"$1\" \"$2\" | \"$3\" -s /dev/stdin >\"$4\".a &&
                   \"$0\" -pprof=sched \"$2\" | \"$3\" -s /dev/stdin | cmp - \"$4\".a && echo same;
                   rm -f \"$4\".a"
      $<TARGET_FILE:trace2pprof> ${binary} ${merge_samples}/chan/go1.27.trace $<TARGET_FILE:pprofcmp>
      ${CMAKE_CURRENT_BINARY_DIR}/merge-binary-${name})
  set_tests_properties(merge/binary-${name} PROPERTIES PASS_REGULAR_EXPRESSION "^same\n$")
endforeach()

# Refusals: what reads one trace, standard input among several, and a file
# that is no trace among them (nothing written).
set(chan27 ${merge_samples}/chan/go1.27.trace)
foreach(case
    "json|-json|several traces make profiles \\(-pprof\\) only: -json, -perfetto, -d, -mmu, -report and -assert read one"
    "stdin|-pprof=sync,-|standard input \\(-\\) is a trace alone")
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 name)
  list(GET parts 1 flags)
  list(GET parts 2 message)
  string(REPLACE "," ";" flags "${flags}")
  add_test(NAME merge/bad/${name}
    COMMAND sh -c "\"$0\" \"$@\" </dev/null; echo \"exit $?\"" $<TARGET_FILE:trace2pprof> ${flags}
      ${chan27} ${chan27})
  set_tests_properties(merge/bad/${name} PROPERTIES PASS_REGULAR_EXPRESSION
    "^trace2pprof: ${message}\nRun 'trace2pprof -h' for usage.\nexit 2\n$")
endforeach()
add_test(NAME merge/bad/not-a-trace
  COMMAND sh -c "d=$(mktemp -d) && \"$0\" -pprof=sync -o \"$d/out\" \"$1\" \"$2\" \"$1\"; s=$?; ls \"$d\"; rm -rf \"$d\"; echo \"exit $s\""
    $<TARGET_FILE:trace2pprof> ${chan27} ${CMAKE_CURRENT_SOURCE_DIR}/merge.cmake)
set_tests_properties(merge/bad/not-a-trace PROPERTIES PASS_REGULAR_EXPRESSION
  "^trace2pprof: [^\n]*/merge.cmake: [^\n]*\nexit 1\n$")
