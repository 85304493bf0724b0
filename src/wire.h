/*
 * wire.h - the input and its framing: the header, and batches
 * (internal/trace/batch.go readBatch).
 *
 * Three kinds of input:
 *   - memory: the whole trace is addressable;
 *   - a file: batch headers are read one by one, payloads when needed,
 *     so memory does not grow with the size of a generation;
 *   - a stream (pipe): it cannot be read twice, so a window of memory
 *     keeps the current generation until the reader moves past it.
 * Positions are input offsets throughout.
 *
 * Compressed input (gzip, zstd: decompress.h), found by its first bytes
 * when the header is read, is read as a stream of its decompressed bytes,
 * and positions are offsets in them.
 */
#ifndef GT_WIRE_H
#define GT_WIRE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "decompress.h"
#include "internal.h"

#define WIRE_MAX_BATCH (64u << 10)

typedef enum { WIRE_MEMORY, WIRE_FILE, WIRE_STREAM } wire_mode;

typedef struct wire_src {
	wire_mode mode;
	int fd;
	int own_fd;
	uint64_t off;         /* input offset of the next byte to read */
	uint64_t size;        /* input size (memory and file input) */
	/* The window: input bytes [base, base + len) (memory and stream). */
	const uint8_t *data;
	uint8_t *buf;         /* owned storage of a stream's window */
	size_t cap, len;
	uint64_t base;
	int eof;
	int err;              /* errno of a failed read, 0 if none */
	dc_kind compression;
	dc_stream *dc;        /* the decompressor of compressed input */
	/* Bytes taken from the input (compressed ones for compressed input),
	 * for progress: set as chunks are read, and read by any thread.  Last:
	 * wire.c clears what comes before it. */
	_Atomic uint64_t in_bytes;
} wire_src;

void wire_init_memory(wire_src *s, const void *p, size_t size);
/* A file or a stream, whichever fd is. */
void wire_init_fd(wire_src *s, int fd, int own);
/* Open path as a file or a stream; errors say why it cannot be read. */
gt_status wire_open_file(wire_src *s, const char *path, gt_err *e);
void wire_close(wire_src *s);

/* Read "go 1.N trace\0\0\0"; stores N.  Errors use Go's wording.  First,
 * compressed input is recognized and from then on read decompressed. */
gt_status wire_read_header(wire_src *s, int *version, gt_err *e);

typedef struct wire_batch {
	uint64_t file_off;   /* input offset of the batch's first byte */
	uint64_t payload;    /* input offset of the payload */
	uint32_t size;       /* payload bytes */
	uint8_t exp;         /* experiment id, 0 for a normal batch */
	uint8_t end_of_gen;  /* the 0x34 byte of Go 1.26+ files */
	int16_t first;       /* the first payload byte if it was read along, else -1 */
	uint64_t gen;
	int64_t m;
	uint64_t ts;
} wire_batch;

/* Read the next batch header and step over its payload.  GT_OK, GT_END (the
 * input ended where a batch would start: Go's bare io.EOF), or an error. */
gt_status wire_read_batch(wire_src *s, wire_batch *b, gt_err *e);

/* The payload of b: in the input (memory, stream) or read into buf, which
 * holds WIRE_MAX_BATCH bytes (file).  NULL after recording a read error. */
const uint8_t *wire_payload(wire_src *s, const wire_batch *b, uint8_t *buf, gt_err *e);

/* What the input ending means: st (GT_END or GT_ERR_TRUNCATED, as the
 * reader sees it), unless compressed input ended in damage, which is then
 * the error, recorded in e.  Other errors pass through. */
gt_status wire_input_end(wire_src *s, gt_status st, gt_err *e);

/* Bytes taken from the input so far (wire_src.in_bytes). */
uint64_t wire_in_bytes(const wire_src *s);

/* A stream drops its window before input offset `keep`. */
void wire_discard(wire_src *s, uint64_t keep);

/* At least `need` bytes from s->off on, or all there are: *p gets them and
 * *avail their count.  The input is read as a stream from here on (a file
 * too); wire_discard() drops what has been read. */
gt_status wire_window(wire_src *s, size_t need, const uint8_t **p, size_t *avail, gt_err *e);

/* Make the rest of the input addressable: s->data[s->off - s->base ...]
 * up to s->base + s->len (for formats read whole); or stop once the window
 * holds more than `limit` bytes (s->len says so), for the caller to fail. */
gt_status wire_read_all(wire_src *s, size_t limit, gt_err *e);

/* Errors of a stream read of a uvarint (Go's binary.ReadUvarint). */
enum { UV_OK = 0, UV_EOF, UV_UNEXPECTED_EOF, UV_OVERFLOW };
int wire_read_uvarint(const uint8_t **p, const uint8_t *end, uint64_t *v);
const char *wire_uvarint_error(int code);

#endif
