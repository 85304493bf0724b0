# trace2pprof -perfetto: every sample's output (and each torn trace's) keeps
# Perfetto's writer rules, decoded through protoc-c's code for
# proto/perfetto_trace.proto (tools/pfcheck.c); no trace processor needed.
add_executable(pfcheck tools/pfcheck.c)
target_link_libraries(pfcheck PRIVATE perfettoproto)
file(GLOB perfetto_traces ${PROJECT_SOURCE_DIR}/samples/*/go1.*.trace
     ${CMAKE_CURRENT_SOURCE_DIR}/torn/*/go1.*.trace)
foreach(trace ${perfetto_traces})
  file(RELATIVE_PATH name ${PROJECT_SOURCE_DIR} ${trace})
  string(REGEX REPLACE "^(samples|tests/torn)/(.*)\\.trace$" "\\2" base ${name})
  string(REGEX REPLACE "^samples/.*" "sample" kind ${name})
  string(REGEX REPLACE "^tests/torn/.*" "torn" kind ${kind})
  add_test(NAME ${kind}/${base}/perfetto-rules
    COMMAND sh -c "out=$(mktemp) && { \"$0\" -perfetto -o \"$out\" \"$1\"; rc=$?; } &&
                   [ $rc = 0 -o $rc = 3 ] && \"$2\" \"$out\"; rc=$?; rm -f \"$out\"; exit $rc"
      $<TARGET_FILE:trace2pprof> ${trace} $<TARGET_FILE:pfcheck>)
endforeach()
