# The Summarizer (convert/summary.c) against cmd/trace's goroutine and
# region pages: tests/regen-summary took them from go tool trace -http into
# tests/golden/<shape>/go1.XX.summary.txt; gsumdump prints the same facts.
add_executable(gsumdump tools/gsumdump.c)
target_link_libraries(gsumdump PRIVATE t2pconvert)

file(GLOB summary_goldens ${CMAKE_CURRENT_SOURCE_DIR}/golden/*/go1.*.summary.txt)
foreach(golden ${summary_goldens})
  string(REGEX MATCH "/golden/([^/]+)/(go1\\.[0-9]+)\\.summary\\.txt$" match ${golden})
  add_test(NAME sample/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}/summary
    COMMAND sh -c "\"$0\" \"$1\" | diff -u \"$2\" -" $<TARGET_FILE:gsumdump>
      ${PROJECT_SOURCE_DIR}/samples/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}.trace ${golden})
endforeach()
