/*
 * gzbuf.c - see gzbuf.h.
 */
#include <string.h>

#include "gzbuf.h"

/* Run deflate over whatever is pending and write its output. */
static void gz_pump(gzbuf *g, int flush)
{
	int rc;

	do {
		size_t n;

		g->z.next_out = g->out;
		g->z.avail_out = sizeof g->out;
		rc = deflate(&g->z, flush);
		if (rc == Z_STREAM_ERROR) {
			g->err = 1;
			return;
		}
		n = sizeof g->out - g->z.avail_out;
		if (n && fwrite(g->out, 1, n, g->f) != n) {
			g->err = 1;
			return;
		}
	} while (g->z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
}

static void gz_append(ProtobufCBuffer *buffer, size_t len, const uint8_t *data)
{
	gzbuf_write((gzbuf *)buffer, data, len);
}

void gzbuf_write(gzbuf *g, const void *p, size_t len)
{
	const uint8_t *data = p;

	if (g->err)
		return;
	/* avail_in is 32-bit; feed large appends in pieces. */
	while (len) {
		uInt chunk = len > (1u << 30) ? (1u << 30) : (uInt)len;

		g->z.next_in = (Bytef *)data;
		g->z.avail_in = chunk;
		gz_pump(g, Z_NO_FLUSH);
		data += chunk;
		len -= chunk;
	}
}

int gzbuf_init(gzbuf *g, FILE *f)
{
	memset(g, 0, sizeof *g);
	g->base.append = gz_append;
	g->f = f;
	/* windowBits 15 + 16: a gzip wrapper, as Go's compress/gzip writes. */
	return deflateInit2(&g->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			    Z_DEFAULT_STRATEGY) == Z_OK ? 0 : -1;
}

int gzbuf_end_member(gzbuf *g)
{
	if (!g->err) {
		gz_pump(g, Z_FINISH);
		if (deflateReset(&g->z) != Z_OK)
			g->err = 1;
	}
	return g->err ? -1 : 0;
}

void gzbuf_restart(gzbuf *g)
{
	if (deflateReset(&g->z) != Z_OK)
		g->err = 1;
}

void gzbuf_abandon(gzbuf *g)
{
	deflateEnd(&g->z);
}

int gzbuf_finish(gzbuf *g)
{
	if (!g->err)
		gz_pump(g, Z_FINISH);
	deflateEnd(&g->z);
	return g->err ? -1 : 0;
}
