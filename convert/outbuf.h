/*
 * outbuf.h - a buffered writer for text sinks (dump, JSON).  Errors are
 * sticky and checked once, at ob_flush().
 */
#ifndef T2P_OUTBUF_H
#define T2P_OUTBUF_H

#include <stdint.h>
#include <stdio.h>

typedef struct outbuf {
	FILE *f;
	size_t n;
	int err;
	char buf[1 << 16];
} outbuf;

void ob_init(outbuf *o, FILE *f);
void ob_write(outbuf *o, const void *p, size_t len);
void ob_puts(outbuf *o, const char *s);
void ob_printf(outbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void ob_i64(outbuf *o, int64_t v);
void ob_u64(outbuf *o, uint64_t v);
/* Write out what is buffered; 0, or -1 if any write failed. */
int ob_flush(outbuf *o);

static inline void ob_putc(outbuf *o, char c)
{
	if (o->n == sizeof o->buf)
		ob_flush(o);
	o->buf[o->n++] = c;
}

#endif
