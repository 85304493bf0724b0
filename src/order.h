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

typedef struct ord_range { uint8_t typ; uint32_t desc; } ord_range;
typedef struct ord_ranges { ord_range *v; size_t n, cap; } ord_ranges;

typedef struct ordering {
	int version;
	u64map gs, ps, ms, tasks;
	uint64_t gc_seq;
	uint8_t gc_state;
	uint64_t initial_gen;
	ord_ev *queue;
	size_t qstart, qlen, qcap;

	/* What the current Advance call works on. */
	generation *gen;
	gt_symtab *sym;
	gt_err *e;
	uint64_t gen_no;
	uint64_t off;
} ordering;

void ord_init(ordering *o, int version);
void ord_free(ordering *o);

/* Try to advance the event ev read from thread m of generation gen.  Returns
 * 1 if it advanced (its events are queued), 0 if it cannot happen yet, or -1
 * on an error recorded in e.  ev may be updated, as Go's Advance does. */
int ord_advance(ordering *o, ord_ev *ev, int64_t m, generation *gen, gt_symtab *sym, gt_err *e);

/* Pop the next queued event into *out; 0 if the queue is empty. */
int ord_pop(ordering *o, ord_ev *out);

#endif
