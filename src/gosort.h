/*
 * gosort.h - Go's slices.SortFunc (pattern-defeating quicksort), step for step.
 *
 * Go's reader sorts CPU samples and, when an event cannot advance, its whole
 * frontier with this unstable sort; elements with equal keys come out in the
 * order this exact algorithm leaves them, and that order is visible in the
 * event stream.  So we run the same algorithm, not just any sort.
 */
#ifndef GT_GOSORT_H
#define GT_GOSORT_H

#include <stddef.h>

/* cmp returns <0, 0, >0 like Go's cmp.Compare.  size must be <= 64. */
void go_sort(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *));

#endif
