/*
 * goformat.c - Go's %q and RFC 3339 formatting and its duration syntax (see
 * goformat.h), following strconv/quote.go, unicode/utf8 and time/format.go.
 */
#include <string.h>
#include <time.h>

#include "goformat.h"
#include "isprint.h"

int go_decode_rune(const unsigned char *p, size_t len, uint32_t *r)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	size_t n;
	uint32_t v;

	if (c < 0x80) {
		*r = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
		v = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED) /* no surrogates */
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4) /* nothing above U+10FFFF */
			hi = 0x8F;
	} else {
		goto invalid;
	}
	if (len < n || p[1] < lo || p[1] > hi)
		goto invalid;
	v = v << 6 | (p[1] & 0x3F);
	for (size_t i = 2; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xBF)
			goto invalid;
		v = v << 6 | (p[i] & 0x3F);
	}
	*r = v;
	return (int)n;
invalid:
	*r = 0xFFFD;
	return 1;
}

int go_is_print(uint32_t r)
{
	size_t lo = 0, hi = sizeof go_print_ranges / sizeof go_print_ranges[0];

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (r < go_print_ranges[mid][0])
			hi = mid;
		else if (r > go_print_ranges[mid][1])
			lo = mid + 1;
		else
			return 1;
	}
	return 0;
}

static void escaped_rune(outbuf *o, uint32_t r)
{
	int shift;

	switch (r) {
	case '\a': ob_puts(o, "\\a"); return;
	case '\b': ob_puts(o, "\\b"); return;
	case '\f': ob_puts(o, "\\f"); return;
	case '\n': ob_puts(o, "\\n"); return;
	case '\r': ob_puts(o, "\\r"); return;
	case '\t': ob_puts(o, "\\t"); return;
	case '\v': ob_puts(o, "\\v"); return;
	}
	if (r < ' ' || r == 0x7f) {
		ob_puts(o, "\\x");
		ob_putc(o, ob_hexdigits[r >> 4]);
		ob_putc(o, ob_hexdigits[r & 0xF]);
		return;
	}
	ob_puts(o, r < 0x10000 ? "\\u" : "\\U");
	for (shift = r < 0x10000 ? 12 : 28; shift >= 0; shift -= 4)
		ob_putc(o, ob_hexdigits[(r >> shift) & 0xF]);
}

void go_quote(outbuf *o, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	ob_putc(o, '"');
	while (p < end) {
		uint32_t r;
		int w = go_decode_rune(p, (size_t)(end - p), &r);

		if (w == 1 && r == 0xFFFD) {
			/* A byte that is not UTF-8: \x escape of the byte. */
			ob_puts(o, "\\x");
			ob_putc(o, ob_hexdigits[*p >> 4]);
			ob_putc(o, ob_hexdigits[*p & 0xF]);
		} else if (r == '"' || r == '\\') {
			ob_putc(o, '\\');
			ob_putc(o, (char)r);
		} else if (go_is_print(r)) {
			ob_write(o, p, (size_t)w);
		} else {
			escaped_rune(o, r);
		}
		p += w;
	}
	ob_putc(o, '"');
}

void go_rfc3339nano(outbuf *o, int64_t sec, int64_t nsec)
{
	time_t t = (time_t)sec;
	struct tm tm;
	long off;
	int year;

	if (!localtime_r(&t, &tm)) {
		ob_puts(o, "<invalid time>");
		return;
	}
	year = tm.tm_year + 1900;
	if (year < 0)
		ob_printf(o, "-%04d", -year);
	else
		ob_printf(o, "%04d", year);
	ob_printf(o, "-%02d-%02dT%02d:%02d:%02d", tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		  tm.tm_sec);
	if (nsec) {
		/* ".999999999": nine digits with trailing zeros dropped. */
		char frac[10];
		int n = 9;

		for (int i = 8; i >= 0; i--, nsec /= 10)
			frac[i] = (char)('0' + nsec % 10);
		while (frac[n - 1] == '0')
			n--;
		ob_putc(o, '.');
		ob_write(o, frac, (size_t)n);
	}
	off = tm.tm_gmtoff / 60;
	if (off == 0) {
		ob_putc(o, 'Z');
		return;
	}
	ob_putc(o, off < 0 ? '-' : '+');
	if (off < 0)
		off = -off;
	ob_printf(o, "%02ld:%02ld", off / 60, off % 60);
}

/* time.ParseDuration's units. */
static const struct {
	const char *name;
	uint64_t ns;
} duration_units[] = {
	{ "ns", 1 }, { "us", 1000 }, { "\xc2\xb5s", 1000 }, { "\xce\xbcs", 1000 }, /* U+00B5, U+03BC */
	{ "ms", 1000000 }, { "s", 1000000000 }, { "m", 60000000000 }, { "h", 3600000000000 },
};

const char *go_parse_duration(const char *s, int64_t *d)
{
	const uint64_t limit = (uint64_t)1 << 63;
	uint64_t total = 0;
	int neg = 0;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (!strcmp(s, "0")) {
		*d = 0;
		return NULL;
	}
	if (!*s)
		return "invalid duration";
	while (*s) {
		uint64_t v = 0, f = 0, unit = 0;
		double scale = 1;
		const char *p = s;
		size_t n;
		int pre, post = 0, overflow = 0;

		if (!(*s == '.' || (*s >= '0' && *s <= '9')))
			return "invalid duration";
		for (; *s >= '0' && *s <= '9'; s++) {   /* leadingInt */
			if (v > limit / 10)
				return "invalid duration";
			v = v * 10 + (uint64_t)(*s - '0');
			if (v > limit)
				return "invalid duration";
		}
		pre = s != p;
		if (*s == '.') {                         /* leadingFraction */
			p = ++s;
			for (; *s >= '0' && *s <= '9'; s++) {
				if (overflow)
					continue;
				if (f > (limit - 1) / 10 || f * 10 + (uint64_t)(*s - '0') > limit) {
					overflow = 1;
					continue;
				}
				f = f * 10 + (uint64_t)(*s - '0');
				scale *= 10;
			}
			post = s != p;
		}
		if (!pre && !post)
			return "invalid duration";
		for (n = 0; s[n] && s[n] != '.' && !(s[n] >= '0' && s[n] <= '9'); n++)
			;
		if (!n)
			return "missing unit in duration";
		for (size_t i = 0; i < sizeof duration_units / sizeof *duration_units; i++)
			if (strlen(duration_units[i].name) == n && !memcmp(s, duration_units[i].name, n))
				unit = duration_units[i].ns;
		if (!unit)
			return "unknown unit in duration";
		s += n;
		if (v > limit / unit)
			return "invalid duration";
		v *= unit;
		if (f > 0) {
			/* float64, to be exact to the ns for fractions of hours */
			v += (uint64_t)((double)f * ((double)unit / scale));
			if (v > limit)
				return "invalid duration";
		}
		total += v;
		if (total > limit)
			return "invalid duration";
	}
	if (neg) {
		*d = (int64_t)(0 - total);
		return NULL;
	}
	if (total > limit - 1)
		return "invalid duration";
	*d = (int64_t)total;
	return NULL;
}
