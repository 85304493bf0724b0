/*
 * ahead.h - reading ahead on a thread of its own (gt_reader_read_ahead).
 *
 * Decoding and ordering are most of the work of reading and must run in
 * order, one event after another, on one thread; resolving an event's ids
 * in its generation's tables and building its gt_event need only the
 * generation, read-only.  So the reader's thread decodes and orders events
 * into records, and the caller's thread resolves and builds them.  A record
 * names its generation's stacks and strings: at the end of a generation the
 * reader's thread waits until the caller has used them all, before it reads
 * the next generation over the tables.  Generations are seconds of a
 * program and millions of events, so the wait is rare.
 *
 * Records cross in blocks of a few thousand, in a ring of a few blocks: the
 * reader's thread fills one while the caller's drains another.
 */
#ifndef GT_AHEAD_H
#define GT_AHEAD_H

#include "event.h"

typedef struct ah_rec {
	ord_ev oe;
	int resolved;           /* the reader's thread resolved it: rs */
	union {
		ev_resolved rs;
		struct {        /* else the coordinates of an error resolving it */
			uint64_t gen;
			int64_t m;
		} at;
	};
} ah_rec;

typedef struct ahead ahead;
typedef struct ah_block ah_block;

/* Fill block b: make records in the room ah_block_room() gives, then say how
 * many were made and how the records go on with ah_block_filled().  Runs on
 * the reader's thread. */
typedef void ah_fill_fn(void *arg, ah_block *b);

/* Start a thread that fills blocks with fill(arg, b) until one ends with a
 * status other than GT_OK.  NULL if out of memory or no thread could be
 * started. */
ahead *ah_start(ah_fill_fn *fill, void *arg);

/* The next record, valid until the next call; NULL at the end, with the
 * status the last block ended with in *status. */
const ah_rec *ah_next(ahead *a, gt_status *status);

/* Stop the thread (at the end of the block it is filling) and free a. */
void ah_stop(ahead *a);

ah_rec *ah_block_room(ah_block *b, size_t *n);

/* The first n records of the room are made; then the records go on (GT_OK)
 * or end with status.  With gen_ends, the records after these are of the
 * next generation: the thread waits until the caller is done with these and
 * all before them. */
void ah_block_filled(ah_block *b, size_t n, gt_status status, int gen_ends);

#endif
