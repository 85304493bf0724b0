# Selections (-goroutine, -from, -to): the profiles against go tool trace's
# filtered ones (goldens made by tests/regen-select), windows against the
# whole, and the refusals of bad selections.

set(select_dir ${CMAKE_CURRENT_SOURCE_DIR})

file(GLOB select_goldens ${select_dir}/golden/*/go1.*.select.gz)
foreach(golden ${select_goldens})
  string(REGEX MATCH "/golden/([^/]+)/(go1\\.[0-9]+)\\.select\\.gz$" match ${golden})
  add_test(NAME select/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}
           COMMAND ${select_dir}/check-select $<TARGET_FILE:trace2pprof> $<TARGET_FILE:pprofcmp>
           ${PROJECT_SOURCE_DIR}/samples/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}.trace ${golden})
endforeach()

file(GLOB window_traces ${PROJECT_SOURCE_DIR}/samples/*/go1.*.trace)
foreach(trace ${window_traces})
  file(RELATIVE_PATH name ${PROJECT_SOURCE_DIR}/samples ${trace})
  string(REGEX REPLACE "\\.trace$" "" name ${name})
  add_test(NAME select/${name}/window COMMAND ${select_dir}/check-window
           $<TARGET_FILE:trace2pprof> $<TARGET_FILE:pprofcmp> ${trace})
  if(name MATCHES "go1\\.27$")
    add_test(NAME select/${name}/window-goroutine COMMAND ${select_dir}/check-window
             $<TARGET_FILE:trace2pprof> $<TARGET_FILE:pprofcmp> ${trace} -goroutine=main.main)
  endif()
endforeach()

# Bad selections: a message and status 2, nothing written.  (Flags are
# separated by commas here; Go's time.ParseDuration says "missing unit" for
# 1.2.3s, as it takes 1.2 as a number followed by ".3s".)
set(select_trace ${PROJECT_SOURCE_DIR}/samples/chan/go1.27.trace)
foreach(case
    "bad-duration|-from=10|invalid -from 10: missing unit in duration"
    "bad-unit|-to=3d|invalid -to 3d: unknown unit in duration"
    "bad-number|-to=1.2.3s|invalid -to 1.2.3s: missing unit in duration"
    "overflow|-from=9223372036854775808ns|invalid -from 9223372036854775808ns: invalid duration"
    "empty-window|-from=2s,-to=1s|-from=2s is after -to=1s: the window is empty"
    "no-pprof|-json,-goroutine=main.main|-goroutine, -from and -to select what profiles count"
    "unknown-goroutine|-pprof=sched,-goroutine=main.nothing|-goroutine: failed to find matching goroutines for name: main.nothing")
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 name)
  list(GET parts 1 flags)
  list(GET parts 2 message)
  string(REPLACE "," " " flags "${flags}")
  if(NOT flags MATCHES "-pprof|-json")
    set(flags "-pprof=sync ${flags}")
  endif()
  add_test(NAME select/bad/${name}
    COMMAND sh -c "d=$(mktemp -d) && \"$0\" ${flags} -o \"$d/out\" \"$1\"; s=$?; ls \"$d\"; rm -rf \"$d\"; echo \"exit $s\""
      $<TARGET_FILE:trace2pprof> ${select_trace})
  string(REGEX REPLACE "([.()*+?])" "\\\\\\1" message "${message}")
  set_tests_properties(select/bad/${name} PROPERTIES PASS_REGULAR_EXPRESSION
    "^trace2pprof: ${message}[^\n]*\n(Run 'trace2pprof -h' for usage\\.\n)?exit 2\n$")
endforeach()
