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
	o->sent = 0;
}

int ob_flush(outbuf *o)
{
	if (o->n && fwrite(o->buf, 1, o->n, o->f) != o->n)
		o->err = 1;
	o->sent += o->n;
	o->n = 0;
	if (fflush(o->f) != 0 || ferror(o->f))
		o->err = 1;
	return o->err ? -1 : 0;
}

/* Copy len <= 16 bytes as two fixed-size copies that may overlap: most
 * writes are that short, and a call to memcpy for each took 8% of the
 * JSON timeline's time. */
static void copy_short(char *d, const char *s, size_t len)
{
	if (len >= 8) {
		memcpy(d, s, 8);
		memcpy(d + len - 8, s + len - 8, 8);
	} else if (len >= 4) {
		memcpy(d, s, 4);
		memcpy(d + len - 4, s + len - 4, 4);
	} else if (len) {
		d[0] = s[0];
		d[len / 2] = s[len / 2];
		d[len - 1] = s[len - 1];
	}
}

void ob_write(outbuf *o, const void *p, size_t len)
{
	if (len <= 16 && len <= sizeof o->buf - o->n) {
		copy_short(o->buf + o->n, p, len);
		o->n += len;
		return;
	}
	if (len > sizeof o->buf - o->n) {
		ob_flush(o);
		if (len > sizeof o->buf) {
			if (fwrite(p, 1, len, o->f) != len)
				o->err = 1;
			o->sent += len;
			return;
		}
	}
	memcpy(o->buf + o->n, p, len);
	o->n += len;
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
	if ((n = vfprintf(o->f, fmt, ap)) < 0)
		o->err = 1;
	else
		o->sent += (uint64_t)n;
	va_end(ap);
}

const char ob_hexdigits[16] = { '0', '1', '2', '3', '4', '5', '6', '7',
				 '8', '9', 'a', 'b', 'c', 'd', 'e', 'f' };

void ob_x64(outbuf *o, uint64_t v)
{
	char tmp[16];
	size_t i = sizeof tmp;

	do {
		tmp[--i] = ob_hexdigits[v & 15];
		v >>= 4;
	} while (v);
	ob_write(o, tmp + i, sizeof tmp - i);
}

/* Two digits per division: a timeline writes several numbers per event. */
static const char digit_pairs[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* The number of decimal digits of v: log10 from the bit length (1233/4096
 * is just above log10(2)), corrected by one comparison. */
static size_t decimal_len(uint64_t v)
{
	static const uint64_t pow10[20] = {
		1ull, 10ull, 100ull, 1000ull, 10000ull, 100000ull, 1000000ull, 10000000ull,
		100000000ull, 1000000000ull, 10000000000ull, 100000000000ull, 1000000000000ull,
		10000000000000ull, 100000000000000ull, 1000000000000000ull, 10000000000000000ull,
		100000000000000000ull, 1000000000000000000ull, 10000000000000000000ull,
	};
	unsigned t = (unsigned)(64 - __builtin_clzll(v | 1)) * 1233 >> 12;

	return t + 1 - ((v | 1) < pow10[t]);
}

size_t ob_fmt_u64(char *out, uint64_t v)
{
	size_t n = decimal_len(v);
	char *p = out + n;

	/* Written in place from the end: no copy of a temporary. */
	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;

		v /= 100;
		*--p = digit_pairs[d + 1];
		*--p = digit_pairs[d];
	}
	if (v >= 10) {
		*--p = digit_pairs[v * 2 + 1];
		*--p = digit_pairs[v * 2];
	} else {
		*--p = (char)('0' + v);
	}
	return n;
}

size_t ob_fmt_i64(char *out, int64_t v)
{
	if (v >= 0)
		return ob_fmt_u64(out, (uint64_t)v);
	*out = '-';
	return 1 + ob_fmt_u64(out + 1, (uint64_t)0 - (uint64_t)v);
}
