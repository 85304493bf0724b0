/*
 * dist.h - a distribution of durations in bounded memory: exact count,
 * total and maximum; percentiles from log buckets 1/32 of an octave wide
 * (so within 3.2% above the true value, and never above the maximum); and
 * cmd/trace's histogram of 5 buckets per decade
 * (internal/trace/traceviewer/histogram.go TimeHistogram), bucket for
 * bucket.
 */
#ifndef T2P_DIST_H
#define T2P_DIST_H

#include <stddef.h>
#include <stdint.h>

/* Enough decades for any int64 duration: log(2^63) / log(10^(1/5)) < 95. */
#define DIST_HIST_BUCKETS 96
/* 32 linear sub-buckets per power of two, from 32 ns up. */
#define DIST_ROWS 60

typedef struct dist {
	uint64_t count;
	int64_t total;      /* wraps as Go's time.Duration sums do */
	int64_t max;
	/* TimeHistogram: Count, Buckets, MinBucket, MaxBucket. */
	uint64_t hist[DIST_HIST_BUCKETS];
	int min_bucket, max_bucket;
	uint32_t *rows[DIST_ROWS]; /* fine buckets, a row of 32 when first used */
	int oom;
} dist;

/* A zeroed dist is empty and ready. */
void dist_free(dist *d);
void dist_add(dist *d, int64_t ns);
/* The q-quantile (0 < q <= 1) by nearest rank: the upper edge of the fine
 * bucket holding the ceil(q * count)-th smallest, at most the maximum; 0
 * if empty. */
int64_t dist_quantile(const dist *d, double q);
/* TimeHistogram.BucketMin: the least duration of histogram bucket i. */
int64_t dist_bucket_min(int i);
/* Add src's samples to dst.  The histogram's MinBucket is recomputed as
 * the lowest bucket in use. */
void dist_merge(dist *dst, const dist *src);
/* The bytes it holds beyond the struct. */
size_t dist_bytes(const dist *d);

#endif
