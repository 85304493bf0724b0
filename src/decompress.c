/*
 * decompress.c - gzip (zlib) and zstd input decompressed as it is read
 * (see decompress.h).
 *
 * Both formats may hold several streams one after the other (gzip members,
 * zstd frames), as `cat a.gz b.gz` makes; like Go's gzip.Reader, the input
 * is their concatenation, and bytes after the last one that do not start
 * another are damage.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#define ZLIB_CONST /* next_in points to const bytes */
#include <zlib.h>
#include <zstd.h>

#include "decompress.h"

/* Compressed input is read from a file descriptor in chunks this large. */
#define IN_CHUNK (64u << 10)

struct dc_stream {
	dc_kind kind;
	int fd;                  /* -1 for memory input */
	const uint8_t *in;       /* the input at hand: [in + pos, in + len) */
	size_t len, pos;
	int in_eof;              /* nothing comes after in[len] */
	uint8_t *buf;            /* fd input is read into buf */
	size_t cap;
	uint64_t used;           /* input bytes the decoder has taken */
	int stream_end;          /* a gzip member or zstd frame just ended */
	int out_full;            /* the decoder filled the output: it may hold
				  * more, to be had without more input */
	gt_status status;
	char msg[200];
	z_stream z;
	ZSTD_DStream *zs;
};

dc_kind dc_detect(const uint8_t *p, size_t n)
{
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return DC_GZIP;
	if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
		return DC_ZSTD;
	return DC_NONE;
}

const char *dc_name(dc_kind k)
{
	return k == DC_GZIP ? "gzip" : k == DC_ZSTD ? "zstd" : NULL;
}

dc_stream *dc_new(dc_kind k, int fd, const uint8_t *src, size_t size, const uint8_t *pending,
		  size_t npending)
{
	dc_stream *d = calloc(1, sizeof *d);

	if (!d)
		return NULL;
	d->kind = k;
	d->fd = fd;
	d->in = src;
	d->len = size;
	d->in_eof = fd < 0;
	if (fd >= 0) {
		d->cap = npending > IN_CHUNK ? npending : IN_CHUNK;
		if (!(d->buf = malloc(d->cap)))
			goto fail;
		if (npending)
			memcpy(d->buf, pending, npending);
		d->in = d->buf;
		d->len = npending;
	}
	/* windowBits 15 + 16: a gzip wrapper, with the largest window. */
	if (k == DC_GZIP && inflateInit2(&d->z, 15 + 16) != Z_OK)
		goto fail;
	if (k == DC_ZSTD && !(d->zs = ZSTD_createDStream()))
		goto fail;
	return d;
fail:
	free(d->buf);
	free(d);
	return NULL;
}

void dc_free(dc_stream *d)
{
	if (!d)
		return;
	if (d->kind == DC_GZIP)
		inflateEnd(&d->z);
	ZSTD_freeDStream(d->zs);
	free(d->buf);
	free(d);
}

gt_status dc_status(const dc_stream *d) { return d->status; }
const char *dc_message(const dc_stream *d) { return d->msg; }
uint64_t dc_in_bytes(const dc_stream *d) { return d->used; }

static void damaged(dc_stream *d, gt_status st, const char *what)
{
	d->status = st;
	if (st == GT_ERR_TRUNCATED)
		snprintf(d->msg, sizeof d->msg,
			 "truncated %s input: it ends inside a compressed stream, at byte %llu",
			 dc_name(d->kind), (unsigned long long)d->used);
	else
		snprintf(d->msg, sizeof d->msg, "corrupt %s input at byte %llu: %s",
			 dc_name(d->kind), (unsigned long long)d->used, what);
}

/* More input from fd; -1 if reading failed. */
static int refill(dc_stream *d)
{
	ssize_t n;

	if (d->fd < 0) {
		d->in_eof = 1;
		return 0;
	}
	do
		n = read(d->fd, d->buf, d->cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	d->in = d->buf;
	d->pos = 0;
	d->len = (size_t)n;
	d->in_eof = n == 0;
	return 0;
}

/* One call of the decoder on the input at hand: the bytes it made. */
static size_t decode(dc_stream *d, uint8_t *out, size_t cap)
{
	size_t in = d->len - d->pos, made;

	if (d->kind == DC_GZIP) {
		int rc;

		/* A new member after the one that ended (inflate stops at each). */
		if (d->stream_end && inflateReset(&d->z) != Z_OK) {
			damaged(d, GT_ERR_CORRUPT, "cannot restart the decoder");
			return 0;
		}
		d->z.next_in = d->in + d->pos;
		d->z.avail_in = in > UINT_MAX ? UINT_MAX : (uInt)in;
		d->z.next_out = out;
		d->z.avail_out = cap > UINT_MAX ? UINT_MAX : (uInt)cap;
		rc = inflate(&d->z, Z_NO_FLUSH);
		made = (size_t)(d->z.next_out - out);
		d->pos = (size_t)(d->z.next_in - d->in);
		d->used += in - (d->len - d->pos);
		d->stream_end = rc == Z_STREAM_END;
		if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
			damaged(d, GT_ERR_CORRUPT, d->z.msg ? d->z.msg : zError(rc));
	} else {
		ZSTD_inBuffer zin = { d->in, d->len, d->pos };
		ZSTD_outBuffer zout = { out, cap, 0 };
		size_t rc = ZSTD_decompressStream(d->zs, &zout, &zin);

		made = zout.pos;
		d->pos = zin.pos;
		d->used += in - (d->len - d->pos);
		/* 0: a frame is decoded and flushed; the next call starts another. */
		d->stream_end = rc == 0;
		if (ZSTD_isError(rc))
			damaged(d, GT_ERR_CORRUPT, ZSTD_getErrorName(rc));
	}
	return made;
}

ptrdiff_t dc_read(dc_stream *d, uint8_t *out, size_t cap)
{
	size_t made = 0;

	while (made == 0 && d->status == GT_OK) {
		if (d->pos == d->len && !d->out_full) {
			if (d->in_eof) {
				if (!d->stream_end)
					damaged(d, GT_ERR_TRUNCATED, NULL);
				break;
			}
			if (refill(d) < 0)
				return -1;
			continue;
		}
		made = decode(d, out, cap);
		d->out_full = made == cap && !d->stream_end;
	}
	return (ptrdiff_t)made;
}
