# The report (trace2pprof -report) and the MMU curve (-mmu) against Go 1.27's
# go tool trace, from the goldens tests/regen-report made.

# The MMU curve, for every sample and torn trace and each set of flags, byte
# for byte with /mmu?mode=plot&flags=...; an empty golden: Go's handler
# fails (traces before Go 1.22), and so must trace2pprof, writing nothing.
# report_goldens(PREFIX TRACES GOLDENS STATUS): trace2pprof exits with STATUS
# (3 for a torn trace, converted up to its damage as go tool trace shows it).
find_program(JQ jq)
function(report_goldens prefix traces goldens status)
  file(GLOB found RELATIVE ${goldens} ${goldens}/*/go1.*.mmu-*.json ${goldens}/*/go1.*.tables.txt)
  foreach(golden ${found})
    if(golden MATCHES "^(.+)/(go1\\.[0-9]+)\\.mmu-(.+)\\.json$")
      string(REPLACE "+" "|" flags ${CMAKE_MATCH_3})
      add_test(NAME ${prefix}/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}/mmu-${CMAKE_MATCH_3}
        COMMAND sh -c "out=$(\"$0\" -mmu=\"$1\" \"$2\" 2>/dev/null); st=$?; if [ -s \"$3\" ]; then
                       [ $st = ${status} ] && printf '%s\\n' \"$out\" | cmp - \"$3\"; else
                       [ $st = 1 ] && [ -z \"$out\" ]; fi"
          $<TARGET_FILE:trace2pprof> ${flags} ${traces}/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}.trace
          ${goldens}/${golden})
    elseif(golden MATCHES "^(.+)/(go1\\.[0-9]+)\\.tables\\.txt$")
      # cmd/trace's goroutine, task and region tables: trace2pprof
      # -report=json, reduced by tables.jq, against the pages' normalized
      # text.  Needs jq (skipped without it).
      add_test(NAME ${prefix}/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}/report-tables
        COMMAND bash -c "[ -n \"$3\" ] && [ \"$3\" != JQ-NOTFOUND ] || { echo 'no jq: skipped'; exit 77; }
                         set -o pipefail; { \"$0\" -report=json \"$1\" 2>/dev/null; [ $? = ${status} ]; } |
                         \"$3\" -r -f \"$4\" | LC_ALL=C sort | diff -u \"$2\" -"
          $<TARGET_FILE:trace2pprof> ${traces}/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}.trace
          ${goldens}/${golden} "${JQ}" ${CMAKE_CURRENT_SOURCE_DIR}/report/tables.jq)
      set_tests_properties(${prefix}/${CMAKE_MATCH_1}/${CMAKE_MATCH_2}/report-tables PROPERTIES
        SKIP_RETURN_CODE 77)
    endif()
  endforeach()
endfunction()
report_goldens(sample ${PROJECT_SOURCE_DIR}/samples ${CMAKE_CURRENT_SOURCE_DIR}/golden 0)
report_goldens(torn ${CMAKE_CURRENT_SOURCE_DIR}/torn ${CMAKE_CURRENT_SOURCE_DIR}/torn 3)

# Go's math.Log and math.Exp on amd64, bit for bit, against values Go
# computed (tests/unit/gomath-values.go writes them).
add_executable(test_gomath unit/test_gomath.c)
target_link_libraries(test_gomath PRIVATE t2pconvert)
add_test(NAME unit/gomath COMMAND test_gomath ${CMAKE_CURRENT_SOURCE_DIR}/unit/gomath-values.txt)

# -assert in each form: passing, failing (exit 4, after the other outputs),
# malformed (a usage error naming the problem).
add_test(NAME report/assert COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/report/assert-check
         $<TARGET_FILE:trace2pprof> ${PROJECT_SOURCE_DIR}/samples)

# Distributions: cmd/trace's histogram buckets and the percentiles' bounds.
add_executable(test_dist unit/test_dist.c)
target_link_libraries(test_dist PRIVATE t2pconvert)
add_test(NAME unit/dist COMMAND test_dist)
