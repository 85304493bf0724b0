# Focused timelines (-json -goid=N, -json -taskid=N): each against go tool
# trace's /jsontrace?goid=N and ?taskid=N (goldens made by
# tests/regen-focus, compared by tests/check-focus), and the refusals of
# bad ones.

set(focus_dir ${CMAKE_CURRENT_SOURCE_DIR})

file(GLOB focus_goldens ${focus_dir}/golden/*/go1.*.focus.gz)
foreach(golden ${focus_goldens})
  string(REGEX MATCH "/golden/([^/]+)/(go1\\.[0-9]+)\\.focus\\.gz$" match ${golden})
  add_test(NAME focus/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}
           COMMAND ${focus_dir}/check-focus $<TARGET_FILE:trace2pprof> $<TARGET_FILE:jsonsum>
           ${PROJECT_SOURCE_DIR}/samples/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}.trace ${golden})
endforeach()

# Bad focuses: a message and status 2, nothing written.  (Flags are
# separated by commas here.)
set(focus_trace ${PROJECT_SOURCE_DIR}/samples/annotations/go1.27.trace)
refusal_tests(focus ${focus_trace} ""
    "unknown-goroutine|-json,-goid=999999|-goid=999999: the trace has no goroutine 999999"
    "unknown-task|-json,-taskid=999999|-taskid=999999: the trace has no task 999999"
    "bad-goid|-json,-goid=1x|bad -goid=1x: want a decimal number"
    "negative-taskid|-json,-taskid=-1|bad -taskid=-1: want a decimal number"
    "overflow|-json,-goid=18446744073709551616|bad -goid=18446744073709551616: want a decimal number"
    "both|-json,-goid=1,-taskid=1|-goid and -taskid focus the timeline on one thing"
    "no-json|-pprof=sched,-goid=1|-goid and -taskid focus the -json timeline"
    "view|-json=thread,-goid=1|-goid and -taskid focus the -json timeline"
    "perfetto|-json,-perfetto,-taskid=1|-goid and -taskid focus the -json timeline")

# The focus is found in a first reading: not from standard input.
add_test(NAME focus/bad/stdin
  COMMAND sh -c "\"$0\" -json -goid=1 - <\"$1\"; echo \"exit $?\"" $<TARGET_FILE:trace2pprof>
    ${focus_trace})
set_tests_properties(focus/bad/stdin PROPERTIES PASS_REGULAR_EXPRESSION
  "^trace2pprof: -region, -regionpc, -latmin, -latmax, -task, -goid and -taskid read the trace twice: give a file, not standard input\nRun 'trace2pprof -h' for usage.\nexit 2\n$")
