/*
 * floor - how fast could any reader of a Go 1.22+ trace be?  A benchmark
 * tool (tests/bench/run prints its figures), not a reader.
 *
 *     floor [-m] TRACE
 *
 * Decodes every event of the trace's event batches, each varint of them
 * (with the reader's gt_uvarint), and nothing else: no validation, no
 * tables, no state.  With -m it also merges each generation's threads into
 * one stream by time, as a plain heap would (what Go's reader does before
 * its state machine decides).
 * Prints the events and the CPU seconds it took, so that the reader's
 * throughput can be held against the floor of the work it must do anyway.
 *
 * It trusts its input as far as it must to stay this small: a batch that
 * does not fit in the file ends the scan, and so does an event type
 * outside the table, but a damaged event within a batch may be misread.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events.h"
#include "internal.h"

#define MAX_THREADS 1024

typedef struct span {
	const uint8_t *p, *end;
	uint64_t ts;
} span;

/* One thread's event batches of the current generation, read in turn. */
typedef struct thread {
	uint64_t m;
	span *batches;
	size_t n, cap, next;
	span cur;
	uint64_t time;          /* of the event just decoded */
} thread;

static int8_t nargs[256];       /* args after the time delta; -1: not an event */
static thread threads[MAX_THREADS];
static size_t nthreads;
static uint64_t events, checksum;

/* The next varint before end, with the reader's own decoder (gt_uvarint);
 * NULL if it does not fit. */
static inline const uint8_t *uvarint(const uint8_t *p, const uint8_t *end, uint64_t *v)
{
	int k = gt_uvarint(p, (size_t)(end - p), v);

	return k > 0 ? p + k : NULL;
}

/* Decode the next event of span s; 0 at its end or at a bad byte. */
static inline int decode(span *s, uint64_t *time)
{
	const uint8_t *p = s->p;
	uint64_t dt, arg;
	int n;

	if (p >= s->end || (n = nargs[*p++]) < 0 || !(p = uvarint(p, s->end, &dt)))
		return 0;
	for (int i = 0; i < n; i++) {
		if (!(p = uvarint(p, s->end, &arg)))
			return 0;
		checksum ^= arg;
	}
	s->p = p;
	s->ts += dt;
	*time = s->ts;
	events++;
	return 1;
}

static int thread_next(thread *t)
{
	while (!decode(&t->cur, &t->time)) {
		if (t->next == t->n)
			return 0;
		t->cur = t->batches[t->next++];
	}
	return 1;
}

static void sift_down(thread **h, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i;
		thread *t;

		if (l < n && h[l]->time < h[m]->time)
			m = l;
		if (l + 1 < n && h[l + 1]->time < h[m]->time)
			m = l + 1;
		if (m == i)
			return;
		t = h[i];
		h[i] = h[m];
		h[m] = t;
		i = m;
	}
}

/* Merge the generation's threads by time, then forget its batches. */
static void merge_generation(void)
{
	thread *heap[MAX_THREADS];
	size_t n = 0;

	for (size_t i = 0; i < nthreads; i++)
		if (thread_next(&threads[i]))
			heap[n++] = &threads[i];
	for (size_t i = n; i-- > 0;)
		sift_down(heap, n, i);
	while (n) {
		checksum += heap[0]->time;
		if (!thread_next(heap[0]))
			heap[0] = heap[--n];
		sift_down(heap, n, 0);
	}
	for (size_t i = 0; i < nthreads; i++)
		threads[i].n = threads[i].next = 0;
}

static int keep_batch(uint64_t m, span s)
{
	size_t i;
	thread *t;

	for (i = 0; i < nthreads && threads[i].m != m; i++)
		;
	if (i == MAX_THREADS)
		return -1;
	if (i == nthreads)
		threads[nthreads++] = (thread){ .m = m };
	t = &threads[i];
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		span *b = realloc(t->batches, cap * sizeof *b);

		if (!b)
			return -1;
		t->batches = b;
		t->cap = cap;
	}
	t->batches[t->n++] = s;
	return 0;
}

/* Scan the batches after the header; 0 if the trace ended where a batch
 * would start. */
static int scan(const uint8_t *p, const uint8_t *end, int merge)
{
	uint64_t gen, m, ts, size, current = 0, time;

	while (p < end) {
		uint8_t kind = *p++;

		if (kind == EV_END_OF_GENERATION)
			continue;
		if (kind == EV_EXPERIMENTAL_BATCH)
			p++;
		if (kind != EV_EVENT_BATCH && kind != EV_EXPERIMENTAL_BATCH)
			return -1;
		if (!(p = uvarint(p, end, &gen)) || !(p = uvarint(p, end, &m)) ||
		    !(p = uvarint(p, end, &ts)) || !(p = uvarint(p, end, &size)) ||
		    size > (uint64_t)(end - p))
			return -1;
		span s = { p, p + size, ts };
		p += size;
		/* Tables (stacks, strings, CPU samples...) hold no timed events. */
		if (kind != EV_EVENT_BATCH || size == 0 || nargs[*s.p] < 0)
			continue;
		if (!merge) {
			while (decode(&s, &time))
				;
			continue;
		}
		if (gen != current)
			merge_generation();
		current = gen;
		if (keep_batch(m, s))
			return -1;
	}
	if (merge)
		merge_generation();
	return 0;
}

int main(int argc, char **argv)
{
	int merge = argc == 3 && strcmp(argv[1], "-m") == 0;
	const char *path = argv[argc - 1];
	struct rusage ru;
	struct stat st;
	const uint8_t *data;
	int fd;

	if (argc != 2 + merge) {
		fprintf(stderr, "usage: floor [-m] TRACE\n");
		return 2;
	}
	if ((fd = open(path, O_RDONLY)) < 0 || fstat(fd, &st) || st.st_size < 16 ||
	    (data = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED ||
	    memcmp(data, "go 1.", 5) != 0 || atoi((const char *)data + 5) < 22) {
		fprintf(stderr, "floor: %s: not a Go 1.22+ trace\n", path);
		return 1;
	}
	for (int t = 0; t < 256; t++)
		nargs[t] = (int8_t)(t < EV_TABLE_SIZE && ev_specs[t].timed ? ev_specs[t].nargs : -1);
	if (scan(data + 16, data + st.st_size, merge)) {
		fprintf(stderr, "floor: %s: a batch this tool cannot read\n", path);
		return 1;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("%llu events %.3f s CPU (checksum %llx)\n", (unsigned long long)events,
	       (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
		       ru.ru_stime.tv_usec / 1e6,
	       (unsigned long long)checksum);
	close(fd);
	return 0;
}
