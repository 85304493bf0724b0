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

# trace2pprof -perfetto in Perfetto's own reader, trace_processor_shell (found
# through T2P_TRACE_PROCESSOR or PATH; skipped without it): every sample
# loads cleanly, its P lanes equal go tool trace's proc view read by the same
# trace processor, its stacks are the trace's, and each goroutine has one
# track whose states cover its life (tests/perfetto-check, goldens made by
# tests/regen-json); a sample without its golden fails.
file(GLOB perfetto_samples RELATIVE ${PROJECT_SOURCE_DIR}/samples
     ${PROJECT_SOURCE_DIR}/samples/*/go1.*.trace)
foreach(sample ${perfetto_samples})
  string(REGEX REPLACE "\\.trace$" "" base ${sample})
  add_test(NAME sample/${base}/perfetto
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/perfetto-check $<TARGET_FILE:trace2pprof>
      ${PROJECT_SOURCE_DIR}/samples/${base}.trace ${CMAKE_CURRENT_SOURCE_DIR}/golden/${base})
  set_tests_properties(sample/${base}/perfetto PROPERTIES SKIP_RETURN_CODE 77)
endforeach()
