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

/* Fill *out from oe.  gen is the generation whose tables oe's ids refer to
 * (NULL only for a Sync without one).  name_buf holds composed names.
 * Every stack and string the event names must exist in gen's tables (Go's
 * validateTableIDs), else it is an error. */
gt_status ev_publish(const ord_ev *oe, const generation *gen, gt_symtab *sym,
		     char name_buf[EV_NAME_BUF], gt_event *out, gt_err *e);

#endif
