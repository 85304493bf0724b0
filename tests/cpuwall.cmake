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
