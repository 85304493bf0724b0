/*
 * jsonw.c - see jsonw.h.  Strings follow encoding/json's v1-compatible
 * encoder of Go 1.27 (GOEXPERIMENT jsonv2 is on by default there: invalid
 * bytes become a raw U+FFFD, not the text \ufffd that Go 1.24 wrote);
 * numbers follow floatEncoder.encode and strconv.AppendFloat(f, 'f', -1).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "goformat.h"
#include "jsonw.h"

/* The ASCII escapes; 0 for bytes written as they are. */
static const char *ascii_escape(unsigned char c, char tmp[7])
{
	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\b': return "\\b";
	case '\f': return "\\f";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	}
	if (c >= 0x20 && c != '<' && c != '>' && c != '&')
		return NULL;
	snprintf(tmp, 7, "\\u00%c%c", ob_hexdigits[c >> 4], ob_hexdigits[c & 0xF]);
	return tmp;
}

/* The bytes written as they are: printable ASCII (DEL included) but for
 * the quote, the backslash and the three characters Go escapes for HTML.
 * A table, as most names are plain and every byte is looked up. */
static const unsigned char plain[256] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x00 */
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x10 */
	1, 1, 0, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x20: " & */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, /* 0x30: < > */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x40 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, /* 0x50: \ */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x60 */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x70 */
	/* 0x80-0xff: not ASCII, 0 */
};

void jw_string(outbuf *o, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;
	char tmp[7];

	ob_putc(o, '"');
	for (;;) {
		const char *esc = NULL;
		uint32_t r;
		int w = 1;

		while (p < end && plain[*p])
			p++;
		if (p == end)
			break;
		if (*p < 0x80) {
			esc = ascii_escape(*p, tmp);
		} else {
			w = go_decode_rune(p, (size_t)(end - p), &r);
			if (w == 1)
				esc = "\xef\xbf\xbd";  /* not UTF-8: U+FFFD */
			else if (r == 0x2028 || r == 0x2029)
				esc = r == 0x2028 ? "\\u2028" : "\\u2029";
		}
		if (esc) {
			ob_write(o, run, (size_t)(p - run));
			ob_puts(o, esc);
			run = p + w;
		}
		p += w;
	}
	ob_write(o, run, (size_t)(p - run));
	ob_putc(o, '"');
}

/* Below 2^42 us the double nearest ns/1000 is less than 0.0005 from every
 * other decimal with three places, so that decimal, trailing zeros cut, is
 * the shortest form that reads back as the double: integers suffice. */
#define EXACT_LIMIT_NS 4000000000000000LL

static void micros_exact(outbuf *o, int64_t ns)
{
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	unsigned frac = (unsigned)(a % 1000);
	char digits[4];
	size_t n = 3;

	if (ns < 0)
		ob_putc(o, '-');
	ob_u64(o, a / 1000);
	if (!frac)
		return;
	digits[0] = (char)('0' + frac / 100);
	digits[1] = (char)('0' + frac / 10 % 10);
	digits[2] = (char)('0' + frac % 10);
	while (digits[n - 1] == '0')
		n--;
	ob_putc(o, '.');
	ob_write(o, digits, n);
}

/* The fewest significant digits that read back as x (C's %.*e rounds
 * correctly, so the first precision that round-trips gives Go's digits):
 * into digits (at most 17), their count, and *exp such that digits[0] is at
 * 10^(*exp - 1).  x is finite and not 0. */
static int shortest_digits(double x, char *digits, int *exp)
{
	char buf[40], *p;
	int prec, n = 0;

	for (prec = 0; prec < 17; prec++) {
		snprintf(buf, sizeof buf, "%.*e", prec, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	snprintf(buf, sizeof buf, "%.*e", prec, x);
	for (p = buf + (*buf == '-'); *p != 'e'; p++)
		if (*p != '.')
			digits[n++] = *p;
	*exp = atoi(p + 1) + 1;
	return n;
}

/* strconv's 'f' layout of shortest digits. */
static void put_fixed(outbuf *o, double x)
{
	char digits[20];
	int exp, n = shortest_digits(x, digits, &exp);

	if (x < 0)
		ob_putc(o, '-');
	if (exp <= 0) {
		ob_puts(o, "0.");
		for (int i = 0; i < -exp; i++)
			ob_putc(o, '0');
		ob_write(o, digits, (size_t)n);
	} else if (exp >= n) {
		ob_write(o, digits, (size_t)n);
		for (int i = n; i < exp; i++)
			ob_putc(o, '0');
	} else {
		ob_write(o, digits, (size_t)exp);
		ob_putc(o, '.');
		ob_write(o, digits + exp, (size_t)(n - exp));
	}
}

/* The general case: Go's float64(t) / float64(time.Microsecond). */
static void micros_shortest(outbuf *o, int64_t ns)
{
	put_fixed(o, (double)ns / 1000.0);
}

void jw_float(outbuf *o, double x)
{
	double a = x < 0 ? -x : x;
	char digits[20];
	int exp, n;

	if (a == 0 || (a >= 1e-6 && a < 1e21)) {
		if (a == 0)
			ob_puts(o, signbit(x) ? "-0" : "0");
		else
			put_fixed(o, x);
		return;
	}
	/* strconv's 'e' layout, then encoding/json's cleanup: e-07 -> e-7. */
	n = shortest_digits(x, digits, &exp);
	if (x < 0)
		ob_putc(o, '-');
	ob_putc(o, digits[0]);
	if (n > 1) {
		ob_putc(o, '.');
		ob_write(o, digits + 1, (size_t)(n - 1));
	}
	exp--;
	if (exp < 0)
		ob_printf(o, "e-%d", -exp);
	else
		ob_printf(o, "e+%02d", exp);
}

void jw_micros(outbuf *o, int64_t ns)
{
	if (ns > -EXACT_LIMIT_NS && ns < EXACT_LIMIT_NS)
		micros_exact(o, ns);
	else
		micros_shortest(o, ns);
}
