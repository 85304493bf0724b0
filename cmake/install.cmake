# cmake --install BUILD [--prefix P]: what a user installs.
#
#   bin/trace2pprof
#   lib/libgotrace.so.X.Y.Z (SONAME libgotrace.so.X), libgotrace.so, libgotrace.a
#   include/gotrace.h
#   lib/pkgconfig/gotrace.pc
#   share/man/man1/trace2pprof.1
#
# The installed libraries are builds of their own: the one in the tree links
# into the CLI and the tests, which use internal headers and symbols; these
# show users gotrace.h and nothing else.  (lib is lib/<multiarch> when the
# prefix is /usr, as Debian's GNUInstallDirs says.)
include(GNUInstallDirs)

# The shared library exports what gotrace.h marks GT_API: the rest is built
# with hidden visibility.  LTO, as in the CLI, in Release.
gotrace_library(gotrace_shared SHARED)
set_target_properties(gotrace_shared PROPERTIES
  OUTPUT_NAME gotrace
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}
  C_VISIBILITY_PRESET hidden
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/lib)

# The static library: without LTO (an archive of GCC's LTO bytecode links
# only with that GCC, and with -flto), position-independent (it may go into
# a user's shared library), and with its internal symbols made local by one
# relocatable link, so that names such as wire_read_batch or gen_init
# cannot clash with a user's own.
gotrace_library(gotrace_pic STATIC)
set_target_properties(gotrace_pic PROPERTIES
  POSITION_INDEPENDENT_CODE ON
  C_VISIBILITY_PRESET hidden
  INTERPROCEDURAL_OPTIMIZATION OFF
  ARCHIVE_OUTPUT_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/lib-pic)
set(gotrace_archive ${CMAKE_CURRENT_BINARY_DIR}/lib/libgotrace.a)
add_custom_command(OUTPUT ${gotrace_archive}
  COMMAND ${CMAKE_LINKER} -r --whole-archive $<TARGET_FILE:gotrace_pic> -o gotrace.o
  COMMAND ${CMAKE_OBJCOPY} --localize-hidden gotrace.o
  COMMAND ${CMAKE_COMMAND} -E rm -f ${gotrace_archive}
  COMMAND ${CMAKE_AR} qc ${gotrace_archive} gotrace.o
  COMMAND ${CMAKE_RANLIB} ${gotrace_archive}
  DEPENDS gotrace_pic
  WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/lib-pic
  COMMENT "libgotrace.a: gotrace.h's symbols global, the rest local")
add_custom_target(gotrace_archive ALL DEPENDS ${gotrace_archive})

install(TARGETS trace2pprof RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS gotrace_shared LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES ${gotrace_archive} DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(FILES src/gotrace.h DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES docs/trace2pprof.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# gotrace.pc names the prefix installed to, known only at install time
# (cmake --install --prefix P); DESTDIR, a staging root, stays out of it.
install(CODE "
  set(prefix \"\${CMAKE_INSTALL_PREFIX}\")
  set(libdir \"${CMAKE_INSTALL_LIBDIR}\")
  set(includedir \"${CMAKE_INSTALL_INCLUDEDIR}\")
  set(version \"${PROJECT_VERSION}\")
  configure_file(\"${CMAKE_CURRENT_SOURCE_DIR}/cmake/gotrace.pc.in\"
                 \"${CMAKE_CURRENT_BINARY_DIR}/gotrace.pc\" @ONLY)")
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/gotrace.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
