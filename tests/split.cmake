# trace2pprof -json -split=SIZE (tests/split-check): every sample's proc view
# in parts of 16 KiB (the thread view of the Go 1.27 ones in parts of 20 KB),
# each at most that and whole, together the unsplit timeline; the damaged
# traces' too, their last generation taken back across parts.
set(split_check ${CMAKE_CURRENT_SOURCE_DIR}/split-check)
file(GLOB split_traces ${PROJECT_SOURCE_DIR}/samples/*/go1.*.trace)
foreach(trace ${split_traces})
  file(RELATIVE_PATH name ${PROJECT_SOURCE_DIR}/samples ${trace})
  string(REGEX REPLACE "\\.trace$" "" name ${name})
  add_test(NAME sample/${name}/json-split COMMAND ${split_check} $<TARGET_FILE:trace2pprof>
           $<TARGET_FILE:jsonsum> ${trace} proc 16KiB 0)
  if(name MATCHES "go1\\.27$")
    add_test(NAME sample/${name}/json-split-thread COMMAND ${split_check} $<TARGET_FILE:trace2pprof>
             $<TARGET_FILE:jsonsum> ${trace} thread 20KB 0)
  endif()
endforeach()
file(GLOB split_torn ${CMAKE_CURRENT_SOURCE_DIR}/torn/*/go1.*.trace)
foreach(trace ${split_torn})
  file(RELATIVE_PATH name ${CMAKE_CURRENT_SOURCE_DIR}/torn ${trace})
  string(REGEX REPLACE "\\.trace$" "" name ${name})
  add_test(NAME torn/${name}/json-split COMMAND ${split_check} $<TARGET_FILE:trace2pprof>
           $<TARGET_FILE:jsonsum> ${trace} proc 16KiB 3)
endforeach()

# What -split refuses, with status 2 and a reason.
foreach(case "nojson:-split=1MiB -o DIR"
             "goroutine:-json=goroutine -split=1MiB -o DIR"
             "nodir:-json -split=1MiB"
             "size:-json -split=100MiB2 -o DIR"
             "small:-json -split=1KiB -o DIR")
  string(REGEX MATCH "^([a-z]+):(.*)$" m "${case}")
  separate_arguments(args UNIX_COMMAND "${CMAKE_MATCH_2}")
  add_test(NAME cli/split/${CMAKE_MATCH_1}
    COMMAND sh -c "\"$0\" \"$@\" 2>&1 >/dev/null; echo \"exit $?\"" $<TARGET_FILE:trace2pprof>
      ${args} ${PROJECT_SOURCE_DIR}/samples/chan/go1.27.trace)
  set_tests_properties(cli/split/${CMAKE_MATCH_1} PROPERTIES PASS_REGULAR_EXPRESSION
    "^trace2pprof: [^\n]*split[^\n]*\nRun 'trace2pprof -h' for usage.\nexit 2\n$")
endforeach()

# More parts than file descriptors (ulimit -n 24): only the part being
# written is open.  tests/bad/missing-stack.trace fails in a generation
# whose events already went into earlier parts, so its rollback opens again
# the part it goes back to.
add_test(NAME sample/chan/go1.27/json-split-fds COMMAND ${split_check} $<TARGET_FILE:trace2pprof>
         $<TARGET_FILE:jsonsum> ${PROJECT_SOURCE_DIR}/samples/chan/go1.27.trace proc 4KiB 0 24)
add_test(NAME bad/missing-stack/json-split-fds COMMAND ${split_check} $<TARGET_FILE:trace2pprof>
         $<TARGET_FILE:jsonsum> ${CMAKE_CURRENT_SOURCE_DIR}/bad/missing-stack.trace proc 4KiB 3 24)
