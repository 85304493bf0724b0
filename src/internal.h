/*
 * internal.h - helpers shared by the modules of libgotrace.  Not installed.
 */
#ifndef GT_INTERNAL_H
#define GT_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "gotrace.h"

#if defined(__GNUC__)
#define GT_LIKELY(x) __builtin_expect(!!(x), 1)
#define GT_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define GT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define GT_NOINLINE __attribute__((noinline))
#define GT_INLINE inline __attribute__((always_inline)) /* per-event helpers */
#define GT_COLD __attribute__((cold, noinline)) /* error paths, kept off the hot path */
#else
#define GT_LIKELY(x) (x)
#define GT_UNLIKELY(x) (x)
#define GT_PRINTF(a, b)
#define GT_NOINLINE
#define GT_INLINE inline
#define GT_COLD
#endif

/* The error slot of a reader.  Modules report through gt_fail(); the reader
 * keeps `gen` and `m` current so every message carries its coordinates. */
typedef struct gt_err {
	gt_error pub;
	uint64_t gen;   /* generation being read or ordered */
	int64_t m;      /* thread of the batch being read, -1 if none */
	char buf[1024];
} gt_err;

/* Record an error and return its code (never GT_OK). */
gt_status gt_fail(gt_err *e, gt_status code, uint64_t offset, const char *fmt, ...)
	GT_PRINTF(4, 5);
gt_status gt_vfail(gt_err *e, gt_status code, uint64_t offset, const char *fmt, va_list ap)
	GT_PRINTF(4, 0);

/* Grow *p (an array of elsize-byte elements with capacity *cap) to hold at
 * least `need` elements.  Returns 0, or -1 if out of memory (then *p is kept). */
int gt_grow(void **p, size_t *cap, size_t need, size_t elsize);

#define GT_RESERVE(arr, cap, need) \
	gt_grow((void **)&(arr), &(cap), (need), sizeof(*(arr)))

/*
 * Go's float64 -> int64 conversion as amd64 does it: values out of range (and
 * NaN) become INT64_MIN (the "integer indefinite" of CVTTSD2SI).  The Go
 * reader converts every tick count this way (internal/trace/base.go
 * frequency.mul), so a hostile frequency must give the same times here, and
 * C's own conversion would be undefined behaviour.
 */
static inline int64_t gt_f64_to_i64(double x)
{
	if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0))
		return INT64_MIN;
	return (int64_t)x;
}

/* Ticks -> ns with the generation's ns-per-tick factor, as Go's mul(). */
static inline int64_t gt_ticks_to_ns(double ns_per_tick, uint64_t ticks)
{
	return gt_f64_to_i64((double)ticks * ns_per_tick);
}

/*
 * The same, faster, for a factor that is a whole number k (64 for the usual
 * 15.625 MHz trace clock): while ticks * k < 2^53, float64(ticks) * k is
 * exact in Go's float arithmetic, so the integer product is the same value.
 */
typedef struct gt_clock {
	double ns_per_tick;
	uint64_t k;          /* the whole factor, or 0 */
	uint64_t exact_max;  /* the largest ticks with ticks * k < 2^53 */
} gt_clock;

static inline void gt_clock_init(gt_clock *c, double ns_per_tick)
{
	c->ns_per_tick = ns_per_tick;
	c->k = 0;
	c->exact_max = 0;
	if (ns_per_tick >= 1 && ns_per_tick <= (double)(1u << 20) &&
	    ns_per_tick == (double)(uint64_t)ns_per_tick) {
		c->k = (uint64_t)ns_per_tick;
		c->exact_max = ((1ull << 53) - 1) / c->k;
	}
}

static inline int64_t gt_clock_ns(const gt_clock *c, uint64_t ticks)
{
	if (GT_LIKELY(ticks <= c->exact_max))
		return (int64_t)(ticks * c->k);
	return gt_ticks_to_ns(c->ns_per_tick, ticks);
}

/* Go's int64 addition wraps; C's signed overflow is undefined. */
static inline int64_t gt_add64(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

/*
 * LEB128 as Go's encoding/binary.Uvarint reads it: at most 10 bytes, the 10th
 * at most 1.  Over-long encodings (the runtime pads batch lengths) are fine.
 * Returns the bytes used, 0 if `avail` ends first, -1 on overflow.
 */
int gt_uvarint_slow(const uint8_t *p, size_t avail, uint64_t *v);

static inline int gt_uvarint(const uint8_t *p, size_t avail, uint64_t *v)
{
	/* Most arguments and time deltas take one or two bytes. */
	if (GT_LIKELY(avail >= 2)) {
		if (p[0] < 0x80) {
			*v = p[0];
			return 1;
		}
		if (p[1] < 0x80) {
			*v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
			return 2;
		}
	}
	return gt_uvarint_slow(p, avail, v);
}

#endif /* GT_INTERNAL_H */
