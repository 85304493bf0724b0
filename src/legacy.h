/*
 * legacy.h - Go 1.11-1.21 traces, read whole and converted into the events
 * the Go 1.22+ reader yields (Go's internal/trace/tracev1.go).
 */
#ifndef GT_LEGACY_H
#define GT_LEGACY_H

#include "internal.h"
#include "wire.h"

typedef struct legacy_reader legacy_reader;

/* Read the whole trace; fail with GT_ERR_LIMIT if it needs more than limit
 * bytes of memory. */
gt_status legacy_open(legacy_reader **out, wire_src *src, int version, gt_symtab *sym,
		      size_t limit, gt_err *e);
gt_status legacy_next(legacy_reader *l, gt_event *ev, gt_err *e);
void legacy_free(legacy_reader *l);

#endif
