# Compressed traces (tests/compressed-check): gzip made as the test runs,
# zstd from tests/compressed/ (made by its make: zstd(1) is not on a fresh
# Debian machine).  The outputs are the plain trace's, byte for byte; a cut
# input gives those of the plain trace cut where decompression stops.
set(compressed_check ${CMAKE_CURRENT_SOURCE_DIR}/compressed-check)
set(chan ${PROJECT_SOURCE_DIR}/samples/chan/go1.27.trace)
set(zst ${CMAKE_CURRENT_SOURCE_DIR}/compressed/chan.go1.27.trace.zst)
set(frames ${CMAKE_CURRENT_SOURCE_DIR}/compressed/chan.go1.27.frames.zst)
foreach(sample chan/go1.27 annotations/go1.21 gc/go1.19 flightrec/go1.25)
  add_test(NAME compressed/gzip/${sample} COMMAND ${compressed_check} same
           $<TARGET_FILE:trace2pprof> ${PROJECT_SOURCE_DIR}/samples/${sample}.trace)
endforeach()
add_test(NAME compressed/zstd/chan/go1.27 COMMAND ${compressed_check} same
         $<TARGET_FILE:trace2pprof> ${chan} ${zst})
add_test(NAME compressed/zstd/frames COMMAND ${compressed_check} same
         $<TARGET_FILE:trace2pprof> ${chan} ${frames})
# Cut in the third generation; in the second zstd frame, which starts at
# byte 20000 of the trace; in the only frame, of which nothing is decoded.
add_test(NAME compressed/gzip/torn COMMAND ${compressed_check} torn
         $<TARGET_FILE:trace2pprof> ${chan} gzip 15000)
add_test(NAME compressed/zstd/torn COMMAND ${compressed_check} torn
         $<TARGET_FILE:trace2pprof> ${chan} ${frames} 15000 20000)
add_test(NAME compressed/zstd/torn-frame COMMAND ${compressed_check} torn
         $<TARGET_FILE:trace2pprof> ${chan} ${zst} 10000 0)
add_test(NAME compressed/gzip/crc COMMAND ${compressed_check} crc $<TARGET_FILE:trace2pprof> ${chan})
