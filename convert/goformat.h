/*
 * goformat.h - text exactly as Go's fmt and time packages print it, for
 * output that must match `go tool trace` byte for byte.
 */
#ifndef T2P_GOFORMAT_H
#define T2P_GOFORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "outbuf.h"

/* Decode one rune as Go's utf8.DecodeRune: invalid input is (0xFFFD, 1). */
int go_decode_rune(const unsigned char *p, size_t len, uint32_t *r);

/* Go's unicode.IsPrint. */
int go_is_print(uint32_t r);

/* strconv.Quote (fmt's %q for strings). */
void go_quote(outbuf *o, const char *p, size_t len);

/* time.Unix(sec, nsec).Format(time.RFC3339Nano) in the local time zone. */
void go_rfc3339nano(outbuf *o, int64_t sec, int64_t nsec);

/* time.ParseDuration: the same values and the same inputs refused ("1h2.5m",
 * "-1.5us", "0"; not "1", "1d" or ".s").  NULL, or Go's reason ("missing
 * unit in duration", "unknown unit in duration", "invalid duration"). */
const char *go_parse_duration(const char *s, int64_t *d);

#endif
