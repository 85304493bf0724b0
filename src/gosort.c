/*
 * gosort.c - a transcription of Go's pdqsortCmpFunc (slices/zsortanyfunc.go,
 * Go 1.21-1.27, unchanged in that span); see gosort.h for why it must match.
 * Index arithmetic, including its quirks, follows Go's code exactly.
 */
#include <stdint.h>
#include <string.h>

#include "gosort.h"

typedef struct sorter {
	unsigned char *base;
	size_t size;
	int (*cmp)(const void *, const void *);
} sorter;

typedef enum { UNKNOWN_HINT, INCREASING_HINT, DECREASING_HINT } sorted_hint;

static int less(const sorter *s, long i, long j)
{
	return s->cmp(s->base + (size_t)i * s->size, s->base + (size_t)j * s->size) < 0;
}

static void swap(const sorter *s, long i, long j)
{
	unsigned char tmp[64];
	unsigned char *a = s->base + (size_t)i * s->size, *b = s->base + (size_t)j * s->size;

	memcpy(tmp, a, s->size);
	memcpy(a, b, s->size);
	memcpy(b, tmp, s->size);
}

static void insertion_sort(const sorter *s, long a, long b)
{
	for (long i = a + 1; i < b; i++)
		for (long j = i; j > a && less(s, j, j - 1); j--)
			swap(s, j, j - 1);
}

static void sift_down(const sorter *s, long lo, long hi, long first)
{
	long root = lo;

	for (;;) {
		long child = 2 * root + 1;

		if (child >= hi)
			return;
		if (child + 1 < hi && less(s, first + child, first + child + 1))
			child++;
		if (!less(s, first + root, first + child))
			return;
		swap(s, first + root, first + child);
		root = child;
	}
}

static void heap_sort(const sorter *s, long a, long b)
{
	long first = a, lo = 0, hi = b - a;

	for (long i = (hi - 1) / 2; i >= 0; i--)
		sift_down(s, i, hi, first);
	for (long i = hi - 1; i >= 0; i--) {
		swap(s, first, first + i);
		sift_down(s, lo, i, first);
	}
}

static int bits_len(unsigned long x)
{
	int n = 0;

	for (; x; x >>= 1)
		n++;
	return n;
}

static void break_patterns(const sorter *s, long a, long b)
{
	long length = b - a;

	if (length >= 8) {
		uint64_t random = (uint64_t)length;
		unsigned long modulus = 1ul << bits_len((unsigned long)length);

		for (long idx = a + (length / 4) * 2 - 1; idx <= a + (length / 4) * 2 + 1; idx++) {
			long other;

			random ^= random << 13;
			random ^= random >> 7;
			random ^= random << 17;
			other = (long)((unsigned long)random & (modulus - 1));
			if (other >= length)
				other -= length;
			swap(s, idx, a + other);
		}
	}
}

static void order2(const sorter *s, long a, long b, int *swaps, long *x, long *y)
{
	if (less(s, b, a)) {
		(*swaps)++;
		*x = b;
		*y = a;
		return;
	}
	*x = a;
	*y = b;
}

static long median(const sorter *s, long a, long b, long c, int *swaps)
{
	order2(s, a, b, swaps, &a, &b);
	order2(s, b, c, swaps, &b, &c);
	order2(s, a, b, swaps, &a, &b);
	return b;
}

static long median_adjacent(const sorter *s, long a, int *swaps)
{
	return median(s, a - 1, a, a + 1, swaps);
}

static long choose_pivot(const sorter *s, long a, long b, sorted_hint *hint)
{
	const long shortest_ninther = 50, max_swaps = 4 * 3;
	long l = b - a, i = a + l / 4 * 1, j = a + l / 4 * 2, k = a + l / 4 * 3;
	int swaps = 0;

	if (l >= 8) {
		if (l >= shortest_ninther) {
			i = median_adjacent(s, i, &swaps);
			j = median_adjacent(s, j, &swaps);
			k = median_adjacent(s, k, &swaps);
		}
		j = median(s, i, j, k, &swaps);
	}
	*hint = swaps == 0 ? INCREASING_HINT : swaps == max_swaps ? DECREASING_HINT : UNKNOWN_HINT;
	return j;
}

static void reverse_range(const sorter *s, long a, long b)
{
	for (long i = a, j = b - 1; i < j; i++, j--)
		swap(s, i, j);
}

static int partial_insertion_sort(const sorter *s, long a, long b)
{
	const int max_steps = 5;
	const long shortest_shifting = 50;
	long i = a + 1;

	for (int step = 0; step < max_steps; step++) {
		while (i < b && !less(s, i, i - 1))
			i++;
		if (i == b)
			return 1;
		if (b - a < shortest_shifting)
			return 0;
		swap(s, i, i - 1);
		if (i - a >= 2) {
			/* Go's loop runs down to index 1, not a+1. */
			for (long j = i - 1; j >= 1; j--) {
				if (!less(s, j, j - 1))
					break;
				swap(s, j, j - 1);
			}
		}
		if (b - i >= 2) {
			for (long j = i + 1; j < b; j++) {
				if (!less(s, j, j - 1))
					break;
				swap(s, j, j - 1);
			}
		}
	}
	return 0;
}

static long partition_equal(const sorter *s, long a, long b, long pivot)
{
	long i, j;

	swap(s, a, pivot);
	i = a + 1;
	j = b - 1;
	for (;;) {
		while (i <= j && !less(s, a, i))
			i++;
		while (i <= j && less(s, a, j))
			j--;
		if (i > j)
			break;
		swap(s, i, j);
		i++;
		j--;
	}
	return i;
}

static long partition(const sorter *s, long a, long b, long pivot, int *already)
{
	long i, j;

	swap(s, a, pivot);
	i = a + 1;
	j = b - 1;
	while (i <= j && less(s, i, a))
		i++;
	while (i <= j && !less(s, j, a))
		j--;
	if (i > j) {
		swap(s, j, a);
		*already = 1;
		return j;
	}
	swap(s, i, j);
	i++;
	j--;
	for (;;) {
		while (i <= j && less(s, i, a))
			i++;
		while (i <= j && !less(s, j, a))
			j--;
		if (i > j)
			break;
		swap(s, i, j);
		i++;
		j--;
	}
	swap(s, j, a);
	*already = 0;
	return j;
}

static void pdqsort(const sorter *s, long a, long b, int limit)
{
	const long max_insertion = 12;
	int was_balanced = 1, was_partitioned = 1;

	for (;;) {
		long length = b - a, pivot, mid;
		sorted_hint hint;

		if (length <= max_insertion) {
			insertion_sort(s, a, b);
			return;
		}
		if (limit == 0) {
			heap_sort(s, a, b);
			return;
		}
		if (!was_balanced) {
			break_patterns(s, a, b);
			limit--;
		}
		pivot = choose_pivot(s, a, b, &hint);
		if (hint == DECREASING_HINT) {
			reverse_range(s, a, b);
			pivot = (b - 1) - (pivot - a);
			hint = INCREASING_HINT;
		}
		if (was_balanced && was_partitioned && hint == INCREASING_HINT &&
		    partial_insertion_sort(s, a, b))
			return;
		if (a > 0 && !less(s, a - 1, pivot)) {
			a = partition_equal(s, a, b, pivot);
			continue;
		}
		mid = partition(s, a, b, pivot, &was_partitioned);
		if (mid - a < b - mid) {
			was_balanced = mid - a >= length / 8;
			pdqsort(s, a, mid, limit);
			a = mid + 1;
		} else {
			was_balanced = b - mid >= length / 8;
			pdqsort(s, mid + 1, b, limit);
			b = mid;
		}
	}
}

void go_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	sorter s = { base, size, cmp };

	pdqsort(&s, 0, (long)n, bits_len(n));
}
