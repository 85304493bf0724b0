/*
 * dist.c - distributions of durations (dist.h).
 */
#include <math.h>
#include <stdlib.h>

#include "dist.h"
#include "gomath.h"

/* math.Log(math.Pow(10, 1.0/5)) as Go computes it (traceviewer logDiv). */
static const double log_div = 0x1.d791c5f888824p-2;

/* TimeHistogram's bucket: int(math.Log(d) / logDiv) for d > 0, else 0. */
static int hist_bucket_exact(int64_t ns)
{
	return ns > 0 ? (int)(go_log((double)ns) / log_div) : 0;
}

/* The fine bucket of v >= 0: v itself below 32, else 32 buckets a power of
 * two. */
static unsigned fine_index(uint64_t v)
{
	int e;

	if (v < 32)
		return (unsigned)v;
	e = 63 - __builtin_clzll(v);
	return (unsigned)(e - 4) * 32 + (unsigned)((v >> (e - 5)) & 31);
}

/* The least value of fine bucket i. */
static uint64_t fine_lower(unsigned i)
{
	unsigned e = i / 32 + 4, sub = i % 32;

	if (i < 32)
		return i;
	return (uint64_t)(32 + sub) << (e - 5);
}

/* The greatest value of fine bucket i. */
static uint64_t fine_upper(unsigned i)
{
	unsigned e = i / 32 + 4, sub = i % 32;

	if (i < 32)
		return i;
	return ((uint64_t)(32 + sub + 1) << (e - 5)) - 1;
}

/* The histogram bucket of every duration in fine bucket i, plus 1, or -1
 * where a histogram edge falls inside it; 0 until computed.  A fine bucket
 * is 1/32 of an octave, a histogram bucket 1/5 of a decade, so 96% of
 * durations take their bucket from here instead of a log (which cost a
 * tenth of the report's instructions).  The buckets are Go's all the same:
 * the ends of the fine bucket, and a little past them in case the last bit
 * of the log wavers there, must all give the same bucket. */
static signed char fine_hist[DIST_ROWS * 32];

static int hist_bucket(int64_t ns, unsigned fi)
{
	signed char c = fine_hist[fi];

	if (c == 0) {
		uint64_t lo = fine_lower(fi), hi = fine_upper(fi);
		uint64_t below = lo - (lo >> 40) - (lo > 2 ? 2 : lo);
		uint64_t above = hi + (hi >> 40) + 2;
		int b = hist_bucket_exact((int64_t)lo);

		if (hi > INT64_MAX - (hi >> 40) - 2)
			above = INT64_MAX;
		c = -1;
		if (hist_bucket_exact((int64_t)hi) == b && hist_bucket_exact((int64_t)below) == b &&
		    hist_bucket_exact((int64_t)above) == b)
			c = (signed char)(b + 1);
		fine_hist[fi] = c;
	}
	return c > 0 ? c - 1 : hist_bucket_exact(ns);
}

void dist_add(dist *d, int64_t ns)
{
	int bucket;
	unsigned fi;
	uint32_t **row;

	d->count++;
	d->total = (int64_t)((uint64_t)d->total + (uint64_t)ns);
	if (d->count == 1 || ns > d->max)
		d->max = ns;
	/* TimeHistogram.Add, with its quirk kept: MinBucket moves down only
	 * while MaxBucket is 0 or below it. */
	fi = fine_index(ns > 0 ? (uint64_t)ns : 0);
	bucket = hist_bucket(ns, fi);
	d->hist[bucket]++;
	if (bucket < d->min_bucket || d->max_bucket == 0)
		d->min_bucket = bucket;
	if (bucket > d->max_bucket)
		d->max_bucket = bucket;
	row = &d->rows[fi / 32];
	if (!*row && !(*row = calloc(32, sizeof **row))) {
		d->oom = 1;
		return;
	}
	(*row)[fi % 32]++;
}

int64_t dist_quantile(const dist *d, double q)
{
	uint64_t rank, seen = 0;

	if (!d->count)
		return 0;
	rank = (uint64_t)ceil(q * (double)d->count);
	if (rank < 1)
		rank = 1;
	for (unsigned r = 0; r < DIST_ROWS; r++) {
		if (!d->rows[r])
			continue;
		for (unsigned i = 0; i < 32; i++) {
			seen += d->rows[r][i];
			if (seen >= rank) {
				uint64_t up = fine_upper(r * 32 + i);

				return up < (uint64_t)d->max ? (int64_t)up : d->max;
			}
		}
	}
	return d->max;
}

int64_t dist_bucket_min(int i)
{
	return (int64_t)go_exp((double)i * log_div);
}

void dist_merge(dist *dst, const dist *src)
{
	if (!src->count)
		return;
	if (!dst->count || src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->total = (int64_t)((uint64_t)dst->total + (uint64_t)src->total);
	for (int i = 0; i < DIST_HIST_BUCKETS; i++)
		dst->hist[i] += src->hist[i];
	for (int r = 0; r < DIST_ROWS; r++) {
		if (!src->rows[r])
			continue;
		if (!dst->rows[r] && !(dst->rows[r] = calloc(32, sizeof **dst->rows))) {
			dst->oom = 1;
			continue;
		}
		for (int i = 0; i < 32; i++)
			dst->rows[r][i] += src->rows[r][i];
	}
	dst->min_bucket = DIST_HIST_BUCKETS;
	dst->max_bucket = 0;
	for (int i = 0; i < DIST_HIST_BUCKETS; i++)
		if (dst->hist[i]) {
			if (i < dst->min_bucket)
				dst->min_bucket = i;
			dst->max_bucket = i;
		}
}

void dist_free(dist *d)
{
	for (int r = 0; r < DIST_ROWS; r++)
		free(d->rows[r]);
}

size_t dist_bytes(const dist *d)
{
	size_t n = 0;

	for (int r = 0; r < DIST_ROWS; r++)
		n += d->rows[r] ? 32 * sizeof **d->rows : 0;
	return n;
}
