/*
 * outbuf.h - a buffered writer for text sinks (dump, JSON).  Errors are
 * sticky and checked once, at ob_flush().
 *
 * ob_write is not inline: inlined at its hundreds of call sites it made the
 * JSON timeline 20% cheaper, but used up the link-time inliner's growth
 * budget, and the reader's hot path, compiled worse, took 5% more
 * instructions (-pprof=sched, 40 MB trace).  ob_puts is inline only to hand
 * it a literal's length as a constant.  Numbers are inline: fewer call
 * sites, and formatted in place.
 */
#ifndef T2P_OUTBUF_H
#define T2P_OUTBUF_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef struct outbuf {
	FILE *f;
	size_t n;
	int err;
	uint64_t sent;     /* bytes handed to f so far: sent + n have been written */
	char buf[1 << 16];
} outbuf;

/* The longest decimal an int64 or uint64 takes: "-9223372036854775808". */
#define OB_DECIMAL_MAX 20

void ob_init(outbuf *o, FILE *f);
void ob_write(outbuf *o, const void *p, size_t len);
void ob_printf(outbuf *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The digits of lower-case hex, for the writers that escape in hex. */
extern const char ob_hexdigits[16];

/* Write v in lower-case hex, without a prefix. */
void ob_x64(outbuf *o, uint64_t v);
/* Write v in decimal at out (OB_DECIMAL_MAX bytes of room); its length. */
size_t ob_fmt_u64(char *out, uint64_t v);
size_t ob_fmt_i64(char *out, int64_t v);
/* Write out what is buffered; 0, or -1 if any write failed. */
int ob_flush(outbuf *o);

/* Out of line, its strlen took 18% of the JSON timeline's time. */
static inline void ob_puts(outbuf *o, const char *s)
{
	ob_write(o, s, strlen(s));
}

static inline void ob_putc(outbuf *o, char c)
{
	if (o->n == sizeof o->buf)
		ob_flush(o);
	o->buf[o->n++] = c;
}

static inline void ob_u64(outbuf *o, uint64_t v)
{
	if (sizeof o->buf - o->n < OB_DECIMAL_MAX)
		ob_flush(o);
	o->n += ob_fmt_u64(o->buf + o->n, v);
}

static inline void ob_i64(outbuf *o, int64_t v)
{
	if (sizeof o->buf - o->n < OB_DECIMAL_MAX)
		ob_flush(o);
	o->n += ob_fmt_i64(o->buf + o->n, v);
}

#endif
