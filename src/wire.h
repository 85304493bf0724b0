/*
 * wire.h - the input and its framing: a window over the input bytes, the
 * header, and batches (internal/trace/batch.go readBatch).
 *
 * The window holds the current generation's batches.  Batches are addressed
 * by offsets into the window because reading more input may move it; the
 * reader turns offsets into pointers once a generation is complete, and
 * discards the window's head only when it moves on to the next generation.
 */
#ifndef GT_WIRE_H
#define GT_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "internal.h"

typedef struct wire_src {
	int fd;               /* -1 for memory input */
	int own_fd;
	const uint8_t *data;  /* window bytes: input [base, base+len) */
	uint8_t *buf;         /* owned storage of the window (fd input) */
	size_t cap;
	size_t len;
	size_t pos;           /* read position in the window */
	uint64_t base;        /* input offset of data[0] */
	int eof;
	int err;              /* errno of a failed read, 0 if none */
	size_t peak;          /* largest window capacity */
} wire_src;

void wire_init_fd(wire_src *s, int fd, int own);
void wire_init_memory(wire_src *s, const void *p, size_t size);
void wire_close(wire_src *s);

/* Input offset of window position pos. */
static inline uint64_t wire_offset(const wire_src *s, size_t pos) { return s->base + pos; }

/* Drop the window before position `keep`; returns how far positions moved. */
size_t wire_discard(wire_src *s, size_t keep);

/* Read the rest of the input into the window (for formats read whole). */
gt_status wire_read_all(wire_src *s, gt_err *e);

/* Read "go 1.N trace\0\0\0"; stores N.  Errors use Go's wording. */
gt_status wire_read_header(wire_src *s, int *version, gt_err *e);

typedef struct wire_batch {
	size_t off;          /* payload position in the window */
	uint32_t size;       /* payload bytes */
	uint8_t exp;         /* experiment id, 0 for a normal batch */
	uint8_t end_of_gen;  /* the 0x34 byte of Go 1.26+ files */
	uint64_t gen;
	int64_t m;
	uint64_t ts;
	uint64_t file_off;   /* input offset of the batch's first byte */
} wire_batch;

/* Read the next batch.  GT_OK, GT_END (the input ended where a batch would
 * start: Go's bare io.EOF), or an error recorded in e. */
gt_status wire_read_batch(wire_src *s, wire_batch *b, gt_err *e);

/* Errors of a stream read of a uvarint (Go's binary.ReadUvarint). */
enum { UV_OK = 0, UV_EOF, UV_UNEXPECTED_EOF, UV_OVERFLOW };
int wire_read_uvarint(const uint8_t **p, const uint8_t *end, uint64_t *v);
const char *wire_uvarint_error(int code);

#endif
