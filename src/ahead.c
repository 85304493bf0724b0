/*
 * ahead.c - reading ahead on a thread of its own (see ahead.h).
 *
 * A ring of blocks: the reader's thread fills block `produced % NBLOCKS`
 * while the caller's thread drains block `consumed % NBLOCKS`; the reader
 * waits when the ring is full, the caller when it is empty.  Blocks are
 * large so that handing one over (a lock, at times a wake-up) is rare next
 * to the records in it; they are few so that memory stays small.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* sched_getaffinity */
#endif
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ahead.h"

#ifdef GT_AHEAD_BLOCK_RECORDS /* ThreadSanitizer's build makes blocks small */
#define BLOCK_RECORDS GT_AHEAD_BLOCK_RECORDS
#else
#define BLOCK_RECORDS 4096
#endif
#define NBLOCKS 4
#define CHUNK_SIZE 16384

/* Copies of the strings of a block's records. */
typedef struct str_chunk {
	struct str_chunk *next;  /* the chunk filled before this one */
	size_t size, used;
	char data[];
} str_chunk;

typedef struct ah_block {
	ah_rec rec[BLOCK_RECORDS];
	size_t n;
	gt_status status;  /* GT_OK, or how the records end after these */
	str_chunk *strings;/* the chunk being filled, first */
} ah_block;

struct ahead {
	ah_fill_fn *fill;
	void *arg;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t filled, drained;
	size_t produced, consumed;  /* blocks, counting up; guarded by mu */
	int ended;                  /* the last block is filled; guarded by mu */
	int stop;                   /* the caller wants no more; guarded by mu */
	ah_block *cur;              /* the block being drained, NULL at first */
	const ah_rec *next, *end;   /* its records not handed out yet */
	ah_block blocks[NBLOCKS];
};

/* Copy *s into b's chunks and point it at the copy.  -1 if out of memory. */
static int keep(ah_block *b, gt_str *s)
{
	str_chunk *c = b->strings;

	if (!s->len)
		return 0;
	if (!c || c->size - c->used < s->len) {
		size_t size = s->len > CHUNK_SIZE ? s->len : CHUNK_SIZE;

		if (!(c = malloc(sizeof *c + size)))
			return -1;
		c->next = b->strings;
		c->size = size;
		c->used = 0;
		b->strings = c;
	}
	memcpy(c->data + c->used, s->ptr, s->len);
	s->ptr = c->data + c->used;
	c->used += s->len;
	return 0;
}

/* Forget b's strings, keeping the first chunk for the next fill. */
static void reset_strings(ah_block *b)
{
	str_chunk *c = b->strings;

	while (c && c->next) {
		str_chunk *next = c->next;

		free(c);
		c = next;
	}
	if (c)
		c->used = 0;
	b->strings = c;
}

ah_rec *ah_block_room(ah_block *b, size_t *n)
{
	reset_strings(b);
	*n = BLOCK_RECORDS;
	return b->rec;
}

int ah_block_keep(ah_block *b, ah_rec *rec)
{
	for (unsigned i = 0; i < rec->rs.nstrs; i++)
		if (keep(b, &rec->rs.str[i]))
			return -1;
	return 0;
}

void ah_block_filled(ah_block *b, size_t n, gt_status status)
{
	b->n = n;
	b->status = status;
}

static void *read_ahead(void *arg)
{
	ahead *a = arg;

	for (size_t i = 0;; i++) {
		ah_block *b = &a->blocks[i % NBLOCKS];
		int stop, last, wake;

		pthread_mutex_lock(&a->mu);
		while (!a->stop && i - a->consumed == NBLOCKS)
			pthread_cond_wait(&a->drained, &a->mu);
		stop = a->stop;
		pthread_mutex_unlock(&a->mu);
		if (stop)
			return NULL;
		a->fill(a->arg, b);
		last = b->status != GT_OK;
		pthread_mutex_lock(&a->mu);
		a->produced = i + 1;
		a->ended = last;
		wake = last || a->produced - a->consumed == NBLOCKS / 2;
		pthread_mutex_unlock(&a->mu);
		if (wake)
			pthread_cond_signal(&a->filled);
		if (last)
			return NULL;
	}
}

static void free_ahead(ahead *a)
{
	for (int i = 0; i < NBLOCKS; i++) {
		reset_strings(&a->blocks[i]);
		free(a->blocks[i].strings);
	}
	pthread_cond_destroy(&a->drained);
	pthread_cond_destroy(&a->filled);
	pthread_mutex_destroy(&a->mu);
	free(a);
}

int ah_worth_a_thread(void)
{
#ifdef __linux__
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof set, &set) == 0)
		return CPU_COUNT(&set) > 1;
#endif
	return sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

ahead *ah_start(ah_fill_fn *fill, void *arg)
{
	ahead *a = calloc(1, sizeof *a);

	if (!a)
		return NULL;
	a->fill = fill;
	a->arg = arg;
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->filled, NULL);
	pthread_cond_init(&a->drained, NULL);
	if (pthread_create(&a->thread, NULL, read_ahead, a)) {
		free_ahead(a);
		return NULL;
	}
	return a;
}

/* The next block to drain, once the reader's thread has filled it.  Found
 * empty, the ring is waited on until half full (or the end): the reader,
 * when it is the slower side, then pays for a wake-up only every
 * NBLOCKS / 2 blocks, not at each. */
static ah_block *take(ahead *a)
{
	ah_block *b = &a->blocks[a->consumed % NBLOCKS];

	pthread_mutex_lock(&a->mu);
	if (a->produced == a->consumed)
		while (!a->ended && a->produced - a->consumed < NBLOCKS / 2)
			pthread_cond_wait(&a->filled, &a->mu);
	pthread_mutex_unlock(&a->mu);
	return b;
}

/* The reader, once it found the ring full, is woken when half of it is free,
 * for the same reason.  Signals are sent after unlocking, so that the thread
 * woken does not wait at once for the mutex. */
static void give_back(ahead *a)
{
	int wake;

	pthread_mutex_lock(&a->mu);
	a->consumed++;
	wake = a->produced - a->consumed == NBLOCKS / 2;
	pthread_mutex_unlock(&a->mu);
	if (wake)
		pthread_cond_signal(&a->drained);
}

/* ah_next() once the block is drained. */
static GT_NOINLINE const ah_rec *next_block(ahead *a, gt_status *status)
{
	for (;;) {
		if (a->cur) {
			if (a->cur->status != GT_OK) {
				*status = a->cur->status;
				return NULL;
			}
			give_back(a);
		}
		a->cur = take(a);
		a->next = a->cur->rec;
		a->end = a->cur->rec + a->cur->n;
		if (a->next < a->end)
			return a->next++;
	}
}

const ah_rec *ah_next(ahead *a, gt_status *status)
{
	return a->next < a->end ? a->next++ : next_block(a, status);
}

void ah_stop(ahead *a)
{
	pthread_mutex_lock(&a->mu);
	a->stop = 1;
	pthread_cond_signal(&a->drained);
	pthread_mutex_unlock(&a->mu);
	pthread_join(a->thread, NULL);
	free_ahead(a);
}
