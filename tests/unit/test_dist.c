/*
 * test_dist.c - dist.h: the histogram bucket of every duration is
 * TimeHistogram's, int(math.Log(d) / logDiv) with Go's math.Log (go_log),
 * around every bucket's edge and at random (dist.c takes most from a table
 * of fine buckets); BucketMin; the MinBucket quirk; percentiles are the
 * nearest rank's value or at most 1/32 above it, never above the maximum;
 * count, total and max are exact.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dist.h"
#include "gomath.h"

static int failures;

static int bucket_of(int64_t ns)
{
	dist d = { 0 };
	int b = -1;

	dist_add(&d, ns);
	for (int i = 0; i < DIST_HIST_BUCKETS; i++)
		if (d.hist[i])
			b = i;
	dist_free(&d);
	return b;
}

static void check_bucket(int64_t ns)
{
	int want = ns > 0 ? (int)(go_log((double)ns) / 0x1.d791c5f888824p-2) : 0;
	int got = bucket_of(ns);

	if (got != want && failures++ < 10)
		printf("bucket of %" PRId64 "ns: %d, want %d\n", ns, got, want);
}

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int main(void)
{
	enum { N = 100000 };
	static int64_t v[N];
	dist d = { 0 };
	int64_t total = 0, max = 0;

	/* BucketMin(i) = Exp(i * logDiv) truncated: bucket i, or just below
	 * it where the truncation lands under the edge; one more is in it. */
	for (int i = 1; i < 70; i++) {  /* past 1e14ns a double misses single ns */
		int64_t m = dist_bucket_min(i);

		if (bucket_of(m + 1) != i || (bucket_of(m) != i && bucket_of(m) != i - 1)) {
			printf("BucketMin(%d) = %" PRId64 ": buckets %d, %d\n", i, m, bucket_of(m),
			       bucket_of(m + 1));
			failures++;
		}
	}
	/* Around every edge, and at random over all magnitudes. */
	for (int i = 1; i < 94; i++)
		for (int64_t k = -300; k <= 300; k++)
			check_bucket(dist_bucket_min(i) + k);
	for (int i = 0; i < 3000000; i++)
		check_bucket((int64_t)(next() >> (1 + next() % 63)));
	for (int64_t ns = 0; ns < 100000; ns++)
		check_bucket(ns);
	check_bucket(INT64_MAX);
	if (bucket_of(0) != 0 || bucket_of(-5) != 0) {
		printf("0 and negative durations not in bucket 0\n");
		failures++;
	}
	{
		/* MinBucket moves down only while MaxBucket is 0 or below it:
		 * after 1s then 1us, it is 1us's bucket. */
		dist q = { 0 };

		dist_add(&q, 1000000000);
		dist_add(&q, 1000);
		if (q.min_bucket != bucket_of(1000) || q.max_bucket != bucket_of(1000000000)) {
			printf("min/max bucket %d %d\n", q.min_bucket, q.max_bucket);
			failures++;
		}
		dist_free(&q);
	}
	for (int i = 0; i < N; i++) {
		v[i] = (int64_t)(next() % (i % 2 ? 1000 : 100000000));
		dist_add(&d, v[i]);
		total += v[i];
		if (v[i] > max)
			max = v[i];
	}
	qsort(v, N, sizeof *v, cmp64);
	if (d.count != N || d.total != total || d.max != max) {
		printf("count %" PRIu64 " total %" PRId64 " max %" PRId64 ", want %d %" PRId64
		       " %" PRId64 "\n", d.count, d.total, d.max, N, total, max);
		failures++;
	}
	for (double q = 0.001; q <= 1.0; q += 0.001) {
		int64_t truth = v[(size_t)ceil(q * N) - 1], got = dist_quantile(&d, q);

		if (got < truth || got > truth + truth / 32 + 1 || got > max) {
			if (failures++ < 20)
				printf("q %.3f: %" PRId64 ", true %" PRId64 "\n", q, got, truth);
		}
	}
	dist_free(&d);
	printf("%d failures\n", failures);
	return failures != 0;
}
