/*
 * jsonw.h - JSON values exactly as Go 1.27's encoding/json writes them
 * (json.Encoder with its defaults), for output that matches go tool trace's.
 */
#ifndef T2P_JSONW_H
#define T2P_JSONW_H

#include <stddef.h>
#include <stdint.h>

#include "outbuf.h"

/* A JSON string: < > & and U+2028/U+2029 as \u escapes, control bytes as
 * \b \t \n \f \r or \u00XX, and each byte that is not UTF-8 as U+FFFD. */
void jw_string(outbuf *o, const char *p, size_t len);

/* float64(ns) / 1000 (a duration in microseconds, as traceviewer's
 * viewerTime computes it) in Go's shortest round-trip form: "1234.567",
 * "0.064", "-5", never an exponent at the magnitudes an int64 can give. */
void jw_micros(outbuf *o, int64_t ns);

/* A float64 as encoding/json writes it: the shortest digits that read
 * back, laid out as strconv's 'f', or 'e' under 1e-6 and from 1e21 (with
 * "e-07" made "e-7").  x is finite (JSON has no NaN or infinity). */
void jw_float(outbuf *o, double x);

#endif
