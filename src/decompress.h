/*
 * decompress.h - compressed input (gzip, zstd), decompressed as it is read,
 * so that a compressed trace streams like a plain one (wire.c reads it as a
 * stream).  Memory: an input buffer and the decoder's window, whatever the
 * size of the input.
 */
#ifndef GT_DECOMPRESS_H
#define GT_DECOMPRESS_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

typedef enum { DC_NONE = 0, DC_GZIP, DC_ZSTD } dc_kind;

/* The compression n first bytes of an input announce by their magic
 * number (gzip 1f 8b, zstd 28 b5 2f fd); DC_NONE for a plain trace, which
 * starts "go 1.". */
dc_kind dc_detect(const uint8_t *p, size_t n);
const char *dc_name(dc_kind k);   /* "gzip", "zstd"; NULL for DC_NONE */

typedef struct dc_stream dc_stream;

/* A decompressor of kind k over the rest of fd (fd >= 0), or over the
 * memory [src, src + size) (fd < 0).  `pending` bytes already read from
 * fd come first.  NULL if out of memory. */
dc_stream *dc_new(dc_kind k, int fd, const uint8_t *src, size_t size, const uint8_t *pending,
		  size_t npending);
void dc_free(dc_stream *d);         /* NULL is a no-op */

/* Up to cap decompressed bytes into out: their count; 0 at the end of the
 * input, whether it ended cleanly or not (dc_status says); -1 if reading
 * fd failed (errno says why).  Bytes decoded before damage are handed out
 * before the damage is reported. */
ptrdiff_t dc_read(dc_stream *d, uint8_t *out, size_t cap);

/* GT_OK, or after damage GT_ERR_TRUNCATED (the input ends inside a
 * compressed stream) or GT_ERR_CORRUPT, with dc_message saying what and
 * where, in bytes of the compressed input. */
gt_status dc_status(const dc_stream *d);
const char *dc_message(const dc_stream *d);

/* Bytes of compressed input read so far. */
uint64_t dc_in_bytes(const dc_stream *d);

#endif
