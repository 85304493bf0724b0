# The command line a user meets (tests/cli-check): --version, -q, -o DIR.
set(cli_check ${CMAKE_CURRENT_SOURCE_DIR}/cli-check)
add_test(NAME cli/version COMMAND ${cli_check} version $<TARGET_FILE:trace2pprof> ${PROJECT_VERSION})
add_test(NAME cli/quiet COMMAND ${cli_check} quiet $<TARGET_FILE:trace2pprof>
         ${CMAKE_CURRENT_SOURCE_DIR}/torn/chan/go1.27.trace)
add_test(NAME cli/outdir COMMAND ${cli_check} outdir $<TARGET_FILE:trace2pprof>
         ${PROJECT_SOURCE_DIR}/samples/chan/go1.27.trace)

# Progress: the line (unit), and where it shows (tests/progress-check:
# under a pseudo-terminal, into a pipe, with -q, with the output on
# standard output).
add_executable(test_progress unit/test_progress.c)
target_link_libraries(test_progress PRIVATE t2pconvert)
add_test(NAME unit/progress COMMAND test_progress)
foreach(mode terminal pipe quiet stdout)
  add_test(NAME cli/progress/${mode} COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/progress-check ${mode}
           $<TARGET_FILE:trace2pprof> $<TARGET_FILE:dribble> ${PROJECT_SOURCE_DIR}/samples/chan/go1.27.trace)
  set_tests_properties(cli/progress/${mode} PROPERTIES SKIP_RETURN_CODE 77)
endforeach()
