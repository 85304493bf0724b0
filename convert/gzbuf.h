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
/* Finish the gzip stream; 0, or -1 if anything failed.  Frees zlib state. */
int gzbuf_finish(gzbuf *g);

#endif
