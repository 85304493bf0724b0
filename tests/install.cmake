# What a user installs (cmake/install.cmake): the example built with
# pkg-config against the installed library, shared and static
# (tests/install-test), the libraries' exports, the man page.

# The sanitizers' builds instrument the library: the example needs the same.
set(example_flags)
if(GT_SANITIZE)
  set(example_flags -fsanitize=address,undefined)
elseif(GT_TSAN)
  set(example_flags -fsanitize=thread)
endif()
add_test(NAME install/example
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/install-test ${PROJECT_BINARY_DIR}
          ${PROJECT_SOURCE_DIR}/samples/annotations/go1.27.trace ${example_flags})

# The libraries export gotrace.h's GT_API functions and nothing else; the
# man page renders and documents every flag.
add_test(NAME install/exports COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/exports-check
         ${PROJECT_SOURCE_DIR}/src/gotrace.h ${PROJECT_BINARY_DIR}/lib)
add_test(NAME install/man COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/man-check
         $<TARGET_FILE:trace2pprof> ${PROJECT_SOURCE_DIR}/docs/trace2pprof.1)
set_tests_properties(install/man PROPERTIES SKIP_RETURN_CODE 77)
