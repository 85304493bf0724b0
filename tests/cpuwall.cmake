# The profiles go tool trace does not make: -pprof=cpu and -pprof=wall,
# included from tests/CMakeLists.txt after summary.cmake.

# -pprof=cpu against the truth: samples/cpupair ran runtime/pprof's CPU
# profile inside the trace and kept it beside the trace (go1.XX.cpu.pb.gz):
# the same samples, stacks as function names.
file(GLOB cpu_profiles ${PROJECT_SOURCE_DIR}/samples/*/go1.*.cpu.pb.gz)
foreach(profile ${cpu_profiles})
  string(REGEX REPLACE "\\.cpu\\.pb\\.gz$" "" base ${profile})
  file(RELATIVE_PATH name ${PROJECT_SOURCE_DIR}/samples ${base})
  add_test(NAME sample/${name}/cpu-vs-runtime-pprof COMMAND ${check} cpu
           $<TARGET_FILE:trace2pprof> $<TARGET_FILE:pprofcmp> ${base}.trace ${profile})
  # In go tool pprof as well: -top and -traces equal runtime/pprof's (the
  # go1.27 traces of every sample are there already).
  if(NOT name MATCHES "go1\.27$")
    add_test(NAME sample/${name}/go-tool-pprof
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/go-pprof $<TARGET_FILE:trace2pprof> ${base}.trace)
    set_tests_properties(sample/${name}/go-tool-pprof PROPERTIES SKIP_RETURN_CODE 77)
  endif()
endforeach()

# And for every sample, against go tool trace's listing of its StackSample
# events (tests/golden/SHAPE/go1.XX.parsed.gz): most have none.
file(GLOB listings ${CMAKE_CURRENT_SOURCE_DIR}/golden/*/go1.*.parsed.gz)
foreach(golden ${listings})
  if(golden MATCHES "/golden/([^/]+)/(go1\\.[0-9]+)\\.parsed\\.gz$")
    add_test(NAME sample/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}/cpu-listing COMMAND ${check} cpu-listing
             $<TARGET_FILE:trace2pprof> $<TARGET_FILE:pprofcmp>
             ${PROJECT_SOURCE_DIR}/samples/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}.trace ${golden})
  endif()
endforeach()

# -pprof=wall against Go's summary of the goroutines: every goroutine's
# life counted once, by state and wait reason, as go tool trace's
# /goroutine?name= tables add them up (tests/golden/*/go1.XX.summary.txt,
# tests/regen-summary).
foreach(golden ${summary_goldens})
  if(golden MATCHES "/golden/([^/]+)/(go1\\.[0-9]+)\\.summary\\.txt$")
    set(trace ${PROJECT_SOURCE_DIR}/samples/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}.trace)
    set(name sample/${CMAKE_MATCH_1}/${CMAKE_MATCH_2})
    add_test(NAME ${name}/wall-totals COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/wall-check
             $<TARGET_FILE:trace2pprof> $<TARGET_FILE:pprofcmp> ${trace} ${golden})
    # A goroutine selected by name: its whole life, runnable before it
    # first ran included (unlike cmd/trace's profiles).
    if(CMAKE_MATCH_2 STREQUAL "go1.27")
      add_test(NAME ${name}/wall-goroutine COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/wall-check
               $<TARGET_FILE:trace2pprof> $<TARGET_FILE:pprofcmp> ${trace} ${golden}
               -goroutine=main.main)
    endif()
  endif()
endforeach()

# Windows cut cpu and wall as they cut the others: the parts add up.
foreach(name annotations/go1.27 cpupair/go1.27 cpupair/go1.21 oversub/go1.22)
  add_test(NAME select/${name}/window-cpu-wall
           COMMAND ${CMAKE_COMMAND} -E env "TYPES=cpu wall" ${CMAKE_CURRENT_SOURCE_DIR}/check-window
           $<TARGET_FILE:trace2pprof> $<TARGET_FILE:pprofcmp>
           ${PROJECT_SOURCE_DIR}/samples/${name}.trace)
endforeach()
add_test(NAME select/annotations/go1.27/window-wall-task
         COMMAND ${CMAKE_COMMAND} -E env TYPES=wall ${CMAKE_CURRENT_SOURCE_DIR}/check-window
         $<TARGET_FILE:trace2pprof> $<TARGET_FILE:pprofcmp>
         ${PROJECT_SOURCE_DIR}/samples/annotations/go1.27.trace "-task=whole run")

# -labels: go tool trace's four profiles keep their samples once the labels
# are dropped; every sample has a delay bucket; the wall profile's totals
# per start function (the goroutine label) are the summary's per group;
# go tool pprof -tags and -tagfocus read the labels (Go 1.27's traces only,
# skipped without Go).
file(GLOB sched_goldens ${CMAKE_CURRENT_SOURCE_DIR}/golden/*/go1.*.sched.pb.gz)
foreach(golden ${sched_goldens})
  if(golden MATCHES "/golden/([^/]+)/(go1\\.[0-9]+)\\.sched\\.pb\\.gz$")
    set(shape ${CMAKE_MATCH_1})
    set(version ${CMAKE_MATCH_2})
    set(go_env "GO=")
    if(version STREQUAL "go1.27")
      set(go_env "GO=$ENV{GO}")
      if(go_env STREQUAL "GO=")
        set(go_env "GO=/usr/lib/go-1.27/bin/go")
      endif()
    endif()
    string(REGEX REPLACE "\\.sched\\.pb\\.gz$" "" prefix ${golden})
    add_test(NAME sample/${shape}/${version}/labels
             COMMAND ${CMAKE_COMMAND} -E env ${go_env} ${CMAKE_CURRENT_SOURCE_DIR}/labels-check
             $<TARGET_FILE:trace2pprof> $<TARGET_FILE:pprofcmp>
             ${PROJECT_SOURCE_DIR}/samples/${shape}/${version}.trace ${prefix})
  endif()
endforeach()
foreach(golden ${summary_goldens})
  if(golden MATCHES "/golden/([^/]+)/(go1\\.[0-9]+)\\.summary\\.txt$")
    add_test(NAME sample/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}/wall-labels
             COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/wall-check $<TARGET_FILE:trace2pprof>
             $<TARGET_FILE:pprofcmp>
             ${PROJECT_SOURCE_DIR}/samples/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}.trace ${golden} -labels)
  endif()
endforeach()

# Several traces: the labels of each, merged by value.
add_test(NAME merge/labels
  COMMAND sh -c "\"$0\" -pprof=wall -labels -o \"$3\" \"$2\" \"$2\" && \"$0\" -pprof=wall -labels -o \"$4\" \"$2\" && \"$1\" -d -l \"$4\" | awk -F'\\t' '{ split($1, v, \" \"); print v[1] \" \" 2 * v[2] \"\\t\" $2 }' | sort >\"$4.twice\" && \"$1\" -d -l \"$3\" | sort | diff \"$4.twice\" -"
    $<TARGET_FILE:trace2pprof> $<TARGET_FILE:pprofcmp> ${PROJECT_SOURCE_DIR}/samples/annotations/go1.27.trace
    ${CMAKE_CURRENT_BINARY_DIR}/merge-labels-2.pb.gz ${CMAKE_CURRENT_BINARY_DIR}/merge-labels-1.pb.gz)

# -labels needs a profile.
add_test(NAME cli/labels-alone
  COMMAND sh -c "\"$0\" -labels -json \"$1\"; echo \"exit $?\"" $<TARGET_FILE:trace2pprof>
    ${PROJECT_SOURCE_DIR}/samples/chan/go1.27.trace)
set_tests_properties(cli/labels-alone PROPERTIES PASS_REGULAR_EXPRESSION
  "^trace2pprof: -labels labels the samples of profiles: give -pprof=TYPE\nRun 'trace2pprof -h' for usage.\nexit 2\n$")
# And go tool trace's profiles of several traces keep their samples too.
add_test(NAME merge/labels-classic
  COMMAND sh -c "\"$0\" -pprof=all,wall -labels -o \"$4/\" \"$2\" \"$3\" && \"$0\" -pprof=sched -o \"$4.sched.pb.gz\" \"$2\" \"$3\" && \"$1\" \"$4.sched.pb.gz\" \"$4/sched.pb.gz\""
    $<TARGET_FILE:trace2pprof> $<TARGET_FILE:pprofcmp> ${PROJECT_SOURCE_DIR}/samples/flightrec/go1.26.trace
    ${PROJECT_SOURCE_DIR}/samples/flightrec/go1.27.trace ${CMAKE_CURRENT_BINARY_DIR}/merge-labels-classic)
