/*
 * ahead.h - reading ahead on a thread of its own (gt_reader_read_ahead).
 *
 * Decoding and ordering are most of the work of reading and must run in
 * order, one event after another; publishing an event (ev_build) needs only
 * what ev_resolve() found in the generation.  So the reader's thread decodes,
 * orders and resolves events into records, with copies of their strings (the
 * generation's tables go with it), and the caller's thread builds gt_events
 * of them, next to whatever it does with them.  (Resolving on the caller's
 * thread too, over tables kept until it was done with a generation, was
 * measured slower: ids looked up on the other core cost more than copies.)
 *
 * Records cross in blocks of a few thousand, in a ring of a few blocks: the
 * reader's thread fills one while the caller's drains another.  How the two
 * wait for each other, and why: ahead.c and docs/read-ahead.md.
 */
#ifndef GT_AHEAD_H
#define GT_AHEAD_H

#include "event.h"
#include "events.h"

/* A record: a short event, or (type AH_LONG) the index in id of a long
 * one, the event whole with what ev_resolve() found.  Records are short
 * because they cross between the cores: the cache lines of 144-byte records
 * were most of the cost of reading ahead in the VM's slow phases
 * (docs/read-ahead.md), and short ones are most. */
typedef ev_short ah_rec;
typedef struct ah_long {
	ord_ev oe;
	ev_resolved rs;
} ah_long;
#define AH_LONG EV_NONE /* no event of the stream has the type EvNone */

typedef struct ahead ahead;
typedef struct ah_block ah_block;

/* Fill block b: make records in the room ah_block_room() gives, long ones
 * in the room ah_block_long() gives, copy their strings with
 * ah_block_keep(), then say how many were made and how the records go on
 * with ah_block_filled().  Runs on the reader's thread. */
typedef void ah_fill_fn(void *arg, ah_block *b);

/* Whether a second thread can pay: the process may run on more than one
 * CPU.  On one, the two threads would take turns on it, and each turn is a
 * context switch (taskset -c 0 took 1,900 of them on a 40 MB trace). */
int ah_worth_a_thread(void);

/* Start a thread that fills blocks with fill(arg, b) until one ends with a
 * status other than GT_OK.  NULL if out of memory or no thread could be
 * started. */
ahead *ah_start(ah_fill_fn *fill, void *arg);

/* The next record, valid until the next call; NULL at the end, with the
 * status the last block ended with in *status. */
const ah_rec *ah_next(ahead *a, gt_status *status);

/* The long record of rec, the last one ah_next() returned, of type AH_LONG. */
const ah_long *ah_long_of(const ahead *a, const ah_rec *rec);

/* Stop the thread (at the end of the block it is filling) and free a. */
void ah_stop(ahead *a);

/* Stop the thread at the end of the block it is filling, for the caller to
 * go on alone: ah_next() hands out the records already made, then returns
 * NULL with GT_OK in *status; the state the thread read with is then the
 * caller's again. */
void ah_retire(ahead *a);

/* For tests (defined in reader.c): read ahead from the first event, not
 * after measuring whether it pays, and retire the thread after
 * retire_after events (0: never), as if it had measured slower.  Returns
 * what gt_reader_read_ahead() returns. */
int reader_read_ahead_now(gt_reader *r, uint64_t retire_after);

/* The room for b's records, *n of them (b's strings of a previous fill are
 * forgotten). */
ah_rec *ah_block_room(ah_block *b, size_t *n);

/* Make rec (in b's room) a long record, and return the room for it. */
ah_long *ah_block_long(ah_block *b, ah_rec *rec);

/* Make the strings of a long record b's own: they are the generation's,
 * which the reader's thread reuses once it moves on.  -1 if out of memory. */
int ah_block_keep(ah_block *b, ah_long *l);

/* The first n records of the room are made; then the records go on (GT_OK)
 * or end with status. */
void ah_block_filled(ah_block *b, size_t n, gt_status status);

#endif
