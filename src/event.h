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

/* The two in one. */
gt_status ev_publish(const ord_ev *oe, const generation *gen, gt_symtab *sym,
		     char name_buf[EV_NAME_BUF], gt_event *out, gt_err *e);

#endif
