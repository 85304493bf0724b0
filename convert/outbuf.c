/*
 * outbuf.c - see outbuf.h.
 */
#include <stdarg.h>
#include <string.h>

#include "outbuf.h"

void ob_init(outbuf *o, FILE *f)
{
	o->f = f;
	o->n = 0;
	o->err = 0;
}

int ob_flush(outbuf *o)
{
	if (o->n && fwrite(o->buf, 1, o->n, o->f) != o->n)
		o->err = 1;
	o->n = 0;
	if (fflush(o->f) != 0 || ferror(o->f))
		o->err = 1;
	return o->err ? -1 : 0;
}

void ob_write(outbuf *o, const void *p, size_t len)
{
	if (len > sizeof o->buf - o->n) {
		ob_flush(o);
		if (len > sizeof o->buf) {
			if (fwrite(p, 1, len, o->f) != len)
				o->err = 1;
			return;
		}
	}
	memcpy(o->buf + o->n, p, len);
	o->n += len;
}

void ob_puts(outbuf *o, const char *s)
{
	ob_write(o, s, strlen(s));
}

void ob_printf(outbuf *o, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0) {
		o->err = 1;
		return;
	}
	if ((size_t)n < sizeof tmp) {
		ob_write(o, tmp, (size_t)n);
		return;
	}
	va_start(ap, fmt);
	ob_flush(o);
	if (vfprintf(o->f, fmt, ap) < 0)
		o->err = 1;
	va_end(ap);
}

void ob_u64(outbuf *o, uint64_t v)
{
	char tmp[24];
	int i = sizeof tmp;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	ob_write(o, tmp + i, sizeof tmp - (size_t)i);
}

void ob_i64(outbuf *o, int64_t v)
{
	if (v < 0) {
		ob_putc(o, '-');
		ob_u64(o, (uint64_t)0 - (uint64_t)v);
		return;
	}
	ob_u64(o, (uint64_t)v);
}
