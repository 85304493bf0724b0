/*
 * gzbuf.h - a ProtobufCBuffer that gzip-compresses what protobuf-c packs
 * into it straight to a FILE, so a profile is never held twice in memory.
 */
#ifndef T2P_GZBUF_H
#define T2P_GZBUF_H

#include <stdio.h>

#include <protobuf-c/protobuf-c.h>
#include <zlib.h>

typedef struct gzbuf {
	ProtobufCBuffer base;  /* first, so protobuf-c can append to it */
	FILE *f;
	z_stream z;
	int err;               /* sticky: a zlib or write failure */
	unsigned char out[1 << 16];
} gzbuf;

int gzbuf_init(gzbuf *g, FILE *f);
/* Feed len bytes (what protobuf-c's append does). */
void gzbuf_write(gzbuf *g, const void *p, size_t len);
/* End the gzip member here and start another: a gzip file may hold several
 * (RFC 1952, 2.2), and what follows the end depends on nothing before it,
 * so the file can be cut there.  0, or -1 if anything failed. */
int gzbuf_end_member(gzbuf *g);
/* Start the member again, forgetting what was fed since the last end (the
 * caller cuts the file there). */
void gzbuf_restart(gzbuf *g);
/* Give up the stream, writing nothing more.  Frees zlib state. */
void gzbuf_abandon(gzbuf *g);
/* Finish the gzip stream; 0, or -1 if anything failed.  Frees zlib state. */
int gzbuf_finish(gzbuf *g);

#endif
