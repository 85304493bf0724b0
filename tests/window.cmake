# Time windows of the timelines (-json every view, -perfetto, with -from and
# -to): each against Go 1.27's cmd/trace with the same window (goldens made
# by tests/regen-window, compared by tests/check-timeline-window; the
# Perfetto ones need trace_processor_shell, and are skipped without it),
# and the refusals of bad ones.

set(window_dir ${CMAKE_CURRENT_SOURCE_DIR})

file(GLOB window_goldens ${window_dir}/golden/*/go1.*.window.gz)
foreach(golden ${window_goldens})
  string(REGEX MATCH "/golden/([^/]+)/(go1\\.[0-9]+)\\.window\\.gz$" match ${golden})
  set(trace ${PROJECT_SOURCE_DIR}/samples/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}.trace)
  add_test(NAME window/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}/json
           COMMAND ${window_dir}/check-timeline-window $<TARGET_FILE:trace2pprof>
           $<TARGET_FILE:jsonsum> ${trace} ${golden})
  add_test(NAME window/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}/perfetto
           COMMAND ${window_dir}/check-timeline-window $<TARGET_FILE:trace2pprof>
           $<TARGET_FILE:jsonsum> ${trace} ${golden} perfetto)
  set_tests_properties(window/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}/perfetto PROPERTIES
    SKIP_RETURN_CODE 77)
endforeach()

# Bad windows of timelines: a message and status 2, nothing written.
# (Flags are separated by commas here.)
set(window_trace ${PROJECT_SOURCE_DIR}/samples/annotations/go1.27.trace)
refusal_tests(window ${window_trace} ""
    "after|-json,-from=2s,-to=1s|-from=2s is after -to=1s: the window is empty"
    "bad-duration|-perfetto,-to=5|invalid -to 5: missing unit in duration"
    "focus|-json,-goid=1,-from=1ms|-goid and -taskid set the timeline's window themselves"
    "nothing-windowed|-d=parsed,-to=1ms|-from and -to select a time window of profiles and timelines")

# A window past the trace's end: the timeline of cmd/trace's Emitter (its
# lanes' names alone, checked above) and a warning; status 0.
add_test(NAME window/outside
  COMMAND sh -c "\"$0\" -json -from=1h -o /dev/null \"$1\"; echo \"exit $?\""
    $<TARGET_FILE:trace2pprof> ${window_trace})
set_tests_properties(window/outside PROPERTIES PASS_REGULAR_EXPRESSION
  "^trace2pprof: warning: the window of -from and -to holds no part of the trace \\(it lasts 72\\.867073ms\\): the outputs are empty\nexit 0\n$")
