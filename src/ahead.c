/*
 * ahead.c - reading ahead on a thread of its own (see ahead.h).
 *
 * A ring of blocks: the reader's thread fills block `produced % NBLOCKS`
 * while the caller's thread drains block `consumed % NBLOCKS`; the reader
 * waits when the ring is full, the caller when it is empty.  Blocks are
 * large so that handing one over (a lock, at times a wake-up) is rare next
 * to the records in it; they are few so that memory stays small.
 */
#include <pthread.h>
#include <stdlib.h>

#include "ahead.h"

#ifdef GT_AHEAD_BLOCK_RECORDS /* ThreadSanitizer's build makes blocks small */
#define BLOCK_RECORDS GT_AHEAD_BLOCK_RECORDS
#else
#define BLOCK_RECORDS 4096
#endif
#define NBLOCKS 4

typedef struct ah_block {
	ah_rec rec[BLOCK_RECORDS];
	size_t n;
	gt_status status;  /* GT_OK, or how the records end after these */
	int gen_ends;      /* the next records are of the next generation */
} ah_block;

struct ahead {
	ah_fill_fn *fill;
	void *arg;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t filled, drained;
	size_t produced, consumed;  /* blocks, counting up; guarded by mu */
	int ended;                  /* the last block is filled; guarded by mu */
	int gen_ends;               /* the thread waits for the ring to empty; guarded by mu */
	int stop;                   /* the caller wants no more; guarded by mu */
	ah_block *cur;              /* the block being drained, NULL at first */
	const ah_rec *next, *end;   /* its records not handed out yet */
	ah_block blocks[NBLOCKS];
};

ah_rec *ah_block_room(ah_block *b, size_t *n)
{
	*n = BLOCK_RECORDS;
	return b->rec;
}

void ah_block_filled(ah_block *b, size_t n, gt_status status, int gen_ends)
{
	b->n = n;
	b->status = status;
	b->gen_ends = gen_ends;
}

/* After a block that ends a generation: wait until the caller is done with
 * the ring.  The caller's thread, which waits for a full half ring after
 * finding it empty, takes the block at once (ready()).  0, or -1 if the
 * caller wants no more. */
static int let_go_of_gen(ahead *a)
{
	int stop;

	pthread_mutex_lock(&a->mu);
	while (!a->stop && a->consumed != a->produced)
		pthread_cond_wait(&a->drained, &a->mu);
	a->gen_ends = 0;
	stop = a->stop;
	pthread_mutex_unlock(&a->mu);
	return stop ? -1 : 0;
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
		a->gen_ends = b->gen_ends;
		wake = last || b->gen_ends || a->produced - a->consumed == NBLOCKS / 2;
		pthread_mutex_unlock(&a->mu);
		if (wake)
			pthread_cond_signal(&a->filled);
		if (last || (b->gen_ends && let_go_of_gen(a)))
			return NULL;
	}
}

static void free_ahead(ahead *a)
{
	pthread_cond_destroy(&a->drained);
	pthread_cond_destroy(&a->filled);
	pthread_mutex_destroy(&a->mu);
	free(a);
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

/* Whether the caller may take blocks, having found the ring empty: once it
 * is half full (or at the end, or the end of a generation), so that the
 * reader, when it is the slower side, pays for a wake-up only every
 * NBLOCKS / 2 blocks, not at each. */
static int ready(const ahead *a)
{
	size_t have = a->produced - a->consumed;

	return have >= NBLOCKS / 2 || (have > 0 && (a->ended || a->gen_ends));
}

/* The next block to drain, once the reader's thread has filled it. */
static ah_block *take(ahead *a)
{
	ah_block *b = &a->blocks[a->consumed % NBLOCKS];

	pthread_mutex_lock(&a->mu);
	if (a->produced == a->consumed)
		while (!ready(a))
			pthread_cond_wait(&a->filled, &a->mu);
	pthread_mutex_unlock(&a->mu);
	return b;
}

/* The reader, once it found the ring full, is woken when half of it is free,
 * for the same reason; at the end of a generation, when all of it is.
 * Signals are sent after unlocking, so that the thread woken does not wait
 * at once for the mutex. */
static void give_back(ahead *a)
{
	int wake;

	pthread_mutex_lock(&a->mu);
	a->consumed++;
	wake = a->produced - a->consumed == NBLOCKS / 2 ||
	       (a->gen_ends && a->produced == a->consumed);
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
