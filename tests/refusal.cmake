# refusal_tests(PREFIX TRACE DEFAULT_FLAGS CASE...): one test PREFIX/bad/NAME
# for each CASE "NAME|FLAGS|MESSAGE" (FLAGS separated by commas): trace2pprof
# with FLAGS on TRACE must print "trace2pprof: MESSAGE...", exit with status
# 2 and write nothing.  DEFAULT_FLAGS (may be "") are added where FLAGS ask
# for no -pprof or -json output, so that a case names only what
# it refuses.
function(refusal_tests prefix trace default_flags)
  foreach(case ${ARGN})
    string(REPLACE "|" ";" parts "${case}")
    list(GET parts 0 name)
    list(GET parts 1 flags)
    list(GET parts 2 message)
    string(REPLACE "," " " flags "${flags}")
    if(NOT flags MATCHES "-pprof|-json")
      set(flags "${default_flags} ${flags}")
    endif()
    add_test(NAME ${prefix}/bad/${name}
      COMMAND sh -c "d=$(mktemp -d) && \"$0\" ${flags} -o \"$d/out\" \"$1\"; s=$?; ls \"$d\"; rm -rf \"$d\"; echo \"exit $s\""
        $<TARGET_FILE:trace2pprof> ${trace})
    string(REGEX REPLACE "([.()*+?])" "\\\\\\1" message "${message}")
    set_tests_properties(${prefix}/bad/${name} PROPERTIES PASS_REGULAR_EXPRESSION
      "^trace2pprof: ${message}[^\n]*\n(Run 'trace2pprof -h' for usage\\.\n)?exit 2\n$")
  endforeach()
endfunction()
