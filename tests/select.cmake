# Selections (-goroutine, -region, -regionpc, -latmin, -latmax, -task,
# -from, -to): the profiles against go tool trace's filtered ones (goldens
# made by tests/regen-select), windows against the whole, and the refusals
# of bad selections.

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

set(annotations ${PROJECT_SOURCE_DIR}/samples/annotations/go1.27.trace)

# Regions are found in a first reading: not from standard input.
add_test(NAME select/bad/region-stdin
  COMMAND sh -c "\"$0\" -pprof=sched -task=x - <\"$1\"; echo \"exit $?\"" $<TARGET_FILE:trace2pprof>
    ${annotations})
set_tests_properties(select/bad/region-stdin PROPERTIES PASS_REGULAR_EXPRESSION
  "^trace2pprof: -region, -regionpc, -latmin, -latmax, -task, -goid and -taskid read the trace twice: give a file, not standard input\nRun 'trace2pprof -h' for usage.\nexit 2\n$")

# Windows over region and task selections, alone and with a name.
foreach(case "region|-region=step" "task|-task=whole run" "latmin|-latmin=1ms"
             "goroutine-region|-goroutine=main.main,-region=long region")
  string(REPLACE "|" ";" parts "${case}")
  list(GET parts 0 name)
  list(GET parts 1 flags)
  string(REPLACE "," ";" flags "${flags}")
  add_test(NAME select/annotations/go1.27/window-${name} COMMAND ${select_dir}/check-window
           $<TARGET_FILE:trace2pprof> $<TARGET_FILE:pprofcmp> ${annotations} ${flags})
endforeach()

# No region matches: cmd/trace's empty profile, and a warning.
add_test(NAME select/no-region
  COMMAND sh -c "\"$0\" -pprof=sched -region=nothing \"$1\" | \"$2\" -s /dev/stdin"
    $<TARGET_FILE:trace2pprof> ${annotations} $<TARGET_FILE:pprofcmp>)
set_tests_properties(select/no-region PROPERTIES PASS_REGULAR_EXPRESSION
  "^trace2pprof: warning: no region matches the selection: the profiles are empty\ntypes contentions/count delay/nanoseconds \n$")

# Bad selections: a message and status 2, nothing written.  (Flags are
# separated by commas here; Go's time.ParseDuration says "missing unit" for
# 1.2.3s, as it takes 1.2 as a number followed by ".3s".)
set(select_trace ${PROJECT_SOURCE_DIR}/samples/chan/go1.27.trace)
refusal_tests(select ${select_trace} "-pprof=sync"
    "bad-duration|-from=10|invalid -from 10: missing unit in duration"
    "bad-unit|-to=3d|invalid -to 3d: unknown unit in duration"
    "bad-number|-to=1.2.3s|invalid -to 1.2.3s: missing unit in duration"
    "overflow|-from=9223372036854775808ns|invalid -from 9223372036854775808ns: invalid duration"
    "empty-window|-from=2s,-to=1s|-from=2s is after -to=1s: the window is empty"
    "no-pprof|-json,-goroutine=main.main|-goroutine, -region and -task select what profiles count"
    "unknown-goroutine|-pprof=sched,-goroutine=main.nothing|-goroutine: failed to find matching goroutines for name: main.nothing"
    "bad-pc|-regionpc=4ae3g4|invalid -regionpc 4ae3g4: want a PC in hex"
    "bad-latmin|-latmin=fast|invalid -latmin fast: invalid duration"
    "region-no-pprof|-json,-region=step|-goroutine, -region and -task select")
