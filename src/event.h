/*
 * event.h - publication of ordered events as gt_events: the public event
 * model of internal/trace/event.go (kinds, state transitions, ranges...).
 */
#ifndef GT_EVENT_H
#define GT_EVENT_H

#include "generation.h"
#include "order.h"

/* Room for "stop-the-world (" + a 1024-byte kind + ")". */
#define EV_NAME_BUF 1100

/* What publishing an event takes from its generation's tables, and from
 * writing to the symbol table: ev_resolve() looks it up where the
 * generation is, and ev_build() needs nothing more than the symbol table's
 * reads, so it may run on another thread (ahead.h). */
typedef struct ev_resolved {
	uint32_t stack, stack2;  /* symbol table ids, GT_NO_STACK if none */
	unsigned nstrs;          /* how many of str are the event's */
	union {
		gt_str str[2];   /* the event's strings: str1 and str2 of its spec */
		struct {         /* a Sync's clock snapshot */
			int has;
			int64_t trace;
			uint64_t mono;
			int64_t wall_sec, wall_nsec;
		} clock;
	};
} ev_resolved;

/* An event in few bytes, for the state transitions that make most of a
 * busy program's trace (GoStart, GoBlock, GoUnblock...): what ev_build()
 * reads of them, in 40 bytes where an ord_ev and its ev_resolved take 144.
 * For records that cross between threads (ahead.h): at 144 bytes, 1.1 GB
 * of cache lines crossed between the cores on a 40 MB trace. */
typedef struct ev_short {
	int64_t time;
	int64_t id;              /* the transition's: goroutine or proc */
	int32_t g, p, m;         /* the context, -1 for none */
	uint32_t stack;          /* symbol table ids: the event's stack, */
	uint32_t reason;         /* and its reason (GoBlock, GoStop; 0 for "") */
	uint8_t type;            /* wire type */
} ev_short;

/* Look up oe's stacks and strings in gen, the generation whose tables its
 * ids refer to (NULL only for a Sync without one).  Every stack and string
 * the event names must exist there (Go's validateTableIDs), else it is an
 * error. */
gt_status ev_resolve(const ord_ev *oe, const generation *gen, gt_symtab *sym, ev_resolved *rs,
		     gt_err *e);

/* Fill *out from oe and what ev_resolve() found; name_buf holds composed
 * names. */
void ev_build(const ord_ev *oe, const ev_resolved *rs, const gt_symtab *sym,
	      char name_buf[EV_NAME_BUF], gt_event *out);

/* ev_resolve() into a short event, if oe can be one: 1 if it is, 0 if not
 * (resolve it whole), -1 on an error recorded in e.  Its reason is interned
 * in sym: a string that lives as long as the symbol table, not the
 * generation, so the record carries 4 bytes of it, not a copy. */
int ev_resolve_short(const ord_ev *oe, generation *gen, gt_symtab *sym, ev_short *out, gt_err *e);

/* ev_build() of a short event. */
void ev_build_short(const ev_short *s, const gt_symtab *sym, gt_event *out);

/* The two in one. */
gt_status ev_publish(const ord_ev *oe, const generation *gen, gt_symtab *sym,
		     char name_buf[EV_NAME_BUF], gt_event *out, gt_err *e);

#endif
