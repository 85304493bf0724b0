# The report (trace2pprof -report) and the MMU curve (-mmu) against Go 1.27's
# go tool trace, from the goldens tests/regen-report made.

# The MMU curve, for every sample and each set of flags, byte for byte with
# /mmu?mode=plot&flags=...; an empty golden: Go's handler fails (traces
# before Go 1.22), and so must trace2pprof, writing nothing.
file(GLOB mmu_goldens RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}/golden
     ${CMAKE_CURRENT_SOURCE_DIR}/golden/*/go1.*.mmu-*.json)
foreach(golden ${mmu_goldens})
  if(NOT golden MATCHES "^(.+)/(go1\\.[0-9]+)\\.mmu-(.+)\\.json$")
    continue()
  endif()
  string(REPLACE "+" "|" flags ${CMAKE_MATCH_3})
  add_test(NAME sample/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}/mmu-${CMAKE_MATCH_3}
    COMMAND sh -c "if [ -s \"$3\" ]; then \"$0\" -mmu=\"$1\" \"$2\" | cmp - \"$3\"; else
                   out=$(\"$0\" -mmu=\"$1\" \"$2\" 2>/dev/null); [ $? = 1 ] && [ -z \"$out\" ]; fi"
      $<TARGET_FILE:trace2pprof> ${flags}
      ${PROJECT_SOURCE_DIR}/samples/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}.trace
      ${CMAKE_CURRENT_SOURCE_DIR}/golden/${golden})
endforeach()

# Go's math.Log and math.Exp on amd64, bit for bit, against values Go
# computed (tests/unit/gomath-values.go writes them).
add_executable(test_gomath unit/test_gomath.c)
target_link_libraries(test_gomath PRIVATE t2pconvert)
add_test(NAME unit/gomath COMMAND test_gomath ${CMAKE_CURRENT_SOURCE_DIR}/unit/gomath-values.txt)

# cmd/trace's goroutine, task and region tables: trace2pprof -report=json,
# reduced by tables.jq, against the pages' normalized text.  Needs jq
# (skipped without it).
find_program(JQ jq)
file(GLOB table_goldens RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}/golden
     ${CMAKE_CURRENT_SOURCE_DIR}/golden/*/go1.*.tables.txt)
foreach(golden ${table_goldens})
  if(NOT golden MATCHES "^(.+)/(go1\\.[0-9]+)\\.tables\\.txt$")
    continue()
  endif()
  add_test(NAME sample/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}/report-tables
    COMMAND bash -c "[ -n \"$3\" ] && [ \"$3\" != JQ-NOTFOUND ] || { echo 'no jq: skipped'; exit 77; }
                     set -o pipefail; \"$0\" -report=json \"$1\" | \"$3\" -r -f \"$4\" | LC_ALL=C sort |
                     diff -u \"$2\" -"
      $<TARGET_FILE:trace2pprof> ${PROJECT_SOURCE_DIR}/samples/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}.trace
      ${CMAKE_CURRENT_SOURCE_DIR}/golden/${golden} "${JQ}"
      ${CMAKE_CURRENT_SOURCE_DIR}/report/tables.jq)
  set_tests_properties(sample/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}/report-tables PROPERTIES
    SKIP_RETURN_CODE 77)
endforeach()

# -assert in each form: passing, failing (exit 4, after the other outputs),
# malformed (a usage error naming the problem).
add_test(NAME report/assert COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/report/assert-check
         $<TARGET_FILE:trace2pprof> ${PROJECT_SOURCE_DIR}/samples)

# Distributions: cmd/trace's histogram buckets and the percentiles' bounds.
add_executable(test_dist unit/test_dist.c)
target_link_libraries(test_dist PRIVATE t2pconvert)
add_test(NAME unit/dist COMMAND test_dist)
