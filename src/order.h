/*
 * order.h - the ordering step: goroutine, proc and thread state machines that
 * decide whether an event can happen yet, validate it, and queue what the
 * reader emits (internal/trace/order.go).
 *
 * The state persists across generations; it is small (one entry per live
 * goroutine, proc, thread and task) and never grows with the trace's length.
 */
#ifndef GT_ORDER_H
#define GT_ORDER_H

#include "generation.h"
#include "u64map.h"

/* An event between decoding and publication. */
typedef struct ord_ev {
	int64_t time;
	uint64_t args[4];    /* wire args after the time delta */
	int64_t g, p, m;     /* context before the event */
	uint64_t aux;        /* old state (ProcStatus, ProcSteal, GoStatus); parent (UserTaskEnd) */
	uint32_t aux_str;    /* symbol id: UserTaskEnd's type, STWEnd's kind */
	uint8_t type;        /* wire type, or EV_READER_SYNC */
	uint64_t off;        /* input offset of the wire event */
} ord_ev;

/* An event with every field set to zero, as memset would leave it; but
 * memset of these 88 bytes compiles to a string store (rep stos), slow to
 * start on the machines we measure on, and events are cleared per event
 * (building GoSwitch's queued events field by field, push_synth, took 28%
 * off the wall time on a field trace full of them).  A field added to
 * ord_ev must be added here and in push_synth. */
static inline void ord_ev_clear(ord_ev *oe)
{
	oe->time = 0;
	oe->args[0] = oe->args[1] = oe->args[2] = oe->args[3] = 0;
	oe->g = oe->p = oe->m = 0;
	oe->aux = 0;
	oe->aux_str = 0;
	oe->type = 0;
	oe->off = 0;
}

typedef struct ord_range { uint8_t typ; uint32_t desc; } ord_range;

/* An event's scheduling context: goroutine, proc and thread.  A thread's
 * state in the ordering is a context too: the goroutine and proc bound to
 * it.  It lives until ord_free(), so a reader can keep a pointer to it. */
typedef struct ord_ctx {
	int64_t g, p, m;
} ord_ctx;
typedef ord_ctx ord_m;
typedef struct ord_ranges { ord_range *v; size_t n, cap; } ord_ranges;

typedef struct ordering {
	int version;
	u64map gs, ps, tasks;
	u64map ms;           /* thread id -> ord_m * */
	uint64_t gc_seq;
	uint8_t gc_state;
	uint64_t initial_gen;
	ord_ev *queue;
	size_t qstart, qlen, qcap;
	ord_ev *direct;      /* an advanced event published in place, before the queue */

	/* What the current Advance call works on. */
	generation *gen;
	gt_symtab *sym;
	gt_err *e;
	uint64_t gen_no;
	uint64_t off;
} ordering;

void ord_init(ordering *o, int version);
void ord_free(ordering *o);

/* The state of thread m (created if new), or NULL if out of memory. */
ord_m *ord_thread(ordering *o, int64_t m);

/* Start ordering generation gen: its tables, the symbol table its strings
 * go to, and where errors are recorded. */
void ord_begin_gen(ordering *o, generation *gen, gt_symtab *sym, gt_err *e);

/* Try to advance the event ev read from thread ms (NULL for events written
 * without a thread) in the current generation.  Returns 1 if it advanced
 * (its events are queued), 0 if it cannot happen yet, or -1 on an error
 * recorded in e.  ev may be updated, as Go's Advance does; if it advanced,
 * ev itself may be the first queued event, so it must stay put until
 * ord_next() returns it. */
int ord_advance(ordering *o, ord_ev *ev, ord_m *ms);

/* The next queued event, or NULL.  It may be changed in place and stays
 * valid until the next call into the ordering (or, if it is the advanced
 * event itself, until its owner reuses it). */
ord_ev *ord_next(ordering *o);

#endif
