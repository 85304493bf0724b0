# The command line a user meets (tests/cli-check): --version, -q, -o DIR.
set(cli_check ${CMAKE_CURRENT_SOURCE_DIR}/cli-check)
add_test(NAME cli/version COMMAND ${cli_check} version $<TARGET_FILE:trace2pprof> ${PROJECT_VERSION})
add_test(NAME cli/quiet COMMAND ${cli_check} quiet $<TARGET_FILE:trace2pprof>
         ${CMAKE_CURRENT_SOURCE_DIR}/torn/chan/go1.27.trace)
add_test(NAME cli/outdir COMMAND ${cli_check} outdir $<TARGET_FILE:trace2pprof>
         ${PROJECT_SOURCE_DIR}/samples/chan/go1.27.trace)
