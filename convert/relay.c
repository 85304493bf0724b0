/*
 * relay.c - the reader on a thread of its own (see relay.h).
 *
 * A ring of blocks: the reader's thread fills block `produced % NBLOCKS`
 * while the sinks' thread drains block `consumed % NBLOCKS`; the reader
 * waits when the ring is full, the sinks when it is empty.  Blocks are large
 * so that handing one over (a lock, at times a wake-up) is rare next to the
 * events in it; they are few so that memory stays small.  Without a
 * thread, the relay is a plain loop over the reader: no blocks, no copies.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "relay.h"

#ifdef T2P_RELAY_BLOCK_EVENTS /* ThreadSanitizer's build makes blocks small */
#define BLOCK_EVENTS T2P_RELAY_BLOCK_EVENTS
#else
#define BLOCK_EVENTS 4096
#endif
#define NBLOCKS 4
#define CHUNK_SIZE 16384

/* Copies of the strings of a block's events. */
typedef struct str_chunk {
	struct str_chunk *next;  /* the chunk filled before this one */
	size_t size, used;
	char data[];
} str_chunk;

typedef struct block {
	gt_event ev[BLOCK_EVENTS];
	size_t n;
	gt_status status;  /* GT_OK, or how the stream ends after these events */
	str_chunk *strings;/* the chunk being filled, first */
} block;

struct t2p_relay {
	gt_reader *r;
	pthread_t thread;
	int threaded;
	pthread_mutex_t mu;
	pthread_cond_t filled, drained;
	size_t produced, consumed;  /* blocks, counting up; guarded by mu */
	int ended;                  /* the reader filled its last block; guarded by mu */
	int stop;                   /* the sinks want no more; guarded by mu */
	block *cur;                 /* the block being drained, NULL at first */
	const gt_event *next, *end; /* its events not handed out yet */
	gt_event direct;            /* without a thread: the last event read */
	gt_status status;           /* without a thread: the last status */
	block blocks[NBLOCKS];
};

/* Copy *s into b's chunks and point it at the copy.  -1 if out of memory. */
static int keep(block *b, gt_str *s)
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

/* Make ev's strings b's own: the reader's are valid until its next event.
 * (Its other pointers name static or symbol table memory.) */
static int keep_strings(block *b, gt_event *ev)
{
	/* Most events are goroutine transitions: ahead of the switch. */
	if (ev->kind == GT_EV_STATE_TRANSITION)
		return keep(b, &ev->transition.reason);
	switch (ev->kind) {
	case GT_EV_LABEL:
		return keep(b, &ev->label.label);
	case GT_EV_RANGE_BEGIN:
	case GT_EV_RANGE_ACTIVE:
	case GT_EV_RANGE_END:
		return keep(b, &ev->range.name);
	case GT_EV_TASK_BEGIN:
	case GT_EV_TASK_END:
		return keep(b, &ev->task.type);
	case GT_EV_REGION_BEGIN:
	case GT_EV_REGION_END:
		return keep(b, &ev->region.type);
	case GT_EV_LOG:
		return keep(b, &ev->log.category) || keep(b, &ev->log.message);
	default:
		return 0;
	}
}

/* Forget b's strings, keeping the first chunk for the next fill. */
static void reset_strings(block *b)
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

/* Read the next events into b.  GT_ERR_NOMEM (with the reader still fine)
 * if a string could not be copied. */
static void fill(gt_reader *r, block *b)
{
	gt_event *ev = b->ev, *end = b->ev + BLOCK_EVENTS;
	gt_status st = GT_OK;

	/* Locals, not b's fields, in the loop: the reader might write to b as
	 * far as the compiler knows, so fields would be reloaded per event. */
	reset_strings(b);
	for (; ev < end; ev++) {
		if ((st = gt_reader_next(r, ev)) != GT_OK)
			break;
		if (keep_strings(b, ev)) {
			st = GT_ERR_NOMEM;
			break;
		}
	}
	b->n = (size_t)(ev - b->ev);
	b->status = st;
}

static void *read_ahead(void *arg)
{
	t2p_relay *q = arg;

	for (size_t i = 0;; i++) {
		block *b = &q->blocks[i % NBLOCKS];
		int stop, last, wake;

		pthread_mutex_lock(&q->mu);
		while (!q->stop && i - q->consumed == NBLOCKS)
			pthread_cond_wait(&q->drained, &q->mu);
		stop = q->stop;
		pthread_mutex_unlock(&q->mu);
		if (stop)
			return NULL;
		fill(q->r, b);
		last = b->status != GT_OK;
		pthread_mutex_lock(&q->mu);
		q->produced = i + 1;
		q->ended = last;
		wake = last || q->produced - q->consumed == NBLOCKS / 2;
		pthread_mutex_unlock(&q->mu);
		if (wake)
			pthread_cond_signal(&q->filled);
		if (last)
			return NULL;
	}
}

t2p_relay *t2p_relay_start(gt_reader *r, int thread)
{
	t2p_relay *q = calloc(1, sizeof *q);

	if (!q)
		return NULL;
	q->r = r;
	q->next = q->end = &q->direct;  /* nothing to hand out yet */
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->filled, NULL);
	pthread_cond_init(&q->drained, NULL);
	q->threaded = thread && pthread_create(&q->thread, NULL, read_ahead, q) == 0;
	return q;
}

/* The next block to drain, once the reader's thread has filled it.  Found
 * empty, the ring is waited on until half full (or the end): the reader,
 * when it is the slower side, then pays for a wake-up only every
 * NBLOCKS / 2 blocks, not at each. */
static block *take(t2p_relay *q)
{
	block *b = &q->blocks[q->consumed % NBLOCKS];

	pthread_mutex_lock(&q->mu);
	if (q->produced == q->consumed)
		while (!q->ended && q->produced - q->consumed < NBLOCKS / 2)
			pthread_cond_wait(&q->filled, &q->mu);
	pthread_mutex_unlock(&q->mu);
	return b;
}

/* The reader, once it found the ring full, is woken when half of it is free,
 * for the same reason.  Signals are sent after unlocking, so that the thread
 * woken does not wait at once for the mutex. */
static void give_back(t2p_relay *q)
{
	int wake;

	pthread_mutex_lock(&q->mu);
	q->consumed++;
	wake = q->produced - q->consumed == NBLOCKS / 2;
	pthread_mutex_unlock(&q->mu);
	if (wake)
		pthread_cond_signal(&q->drained);
}

/* t2p_relay_next() once the block is drained (always, without a thread). */
static const gt_event *next_block(t2p_relay *q)
{
	if (!q->threaded) {
		/* The reader's own event: valid until the next call, too. */
		if (q->status == GT_OK && (q->status = gt_reader_next(q->r, &q->direct)) == GT_OK)
			return &q->direct;
		return NULL;
	}
	for (;;) {
		if (q->cur) {
			if (q->cur->status != GT_OK)
				return NULL;
			give_back(q);
		}
		q->cur = take(q);
		q->next = q->cur->ev;
		q->end = q->cur->ev + q->cur->n;
		if (q->next < q->end)
			return q->next++;
	}
}

const gt_event *t2p_relay_next(t2p_relay *q)
{
	return q->next < q->end ? q->next++ : next_block(q);
}

int t2p_relay_finish(t2p_relay *q, gt_status *status)
{
	int rc = 0;

	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_signal(&q->drained);
	pthread_mutex_unlock(&q->mu);
	if (q->threaded) {
		pthread_join(q->thread, NULL);
		*status = q->cur && q->next == q->end ? q->cur->status : GT_OK;
	} else {
		*status = q->status;
	}
	if (*status == GT_ERR_NOMEM && gt_reader_error(q->r)->code == GT_OK) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		rc = -1;
	}
	for (int i = 0; i < NBLOCKS; i++) {
		reset_strings(&q->blocks[i]);
		free(q->blocks[i].strings);
	}
	pthread_cond_destroy(&q->drained);
	pthread_cond_destroy(&q->filled);
	pthread_mutex_destroy(&q->mu);
	free(q);
	return rc;
}
