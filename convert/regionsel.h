/*
 * regionsel.h - the regions a selection keeps, per goroutine: cmd/trace's
 * pprofMatchingRegions (pprof.go) with newRegionFilter and regionInterval
 * (regions.go), and -task, worked out by a pass over the whole trace with
 * Go's Summarizer (summary.h), since a region's latency is known at its
 * end, an end without a begin reaches back to the trace's start, a task's
 * type may come last, and the outermost regions are chosen by start.
 *
 * A region passes when its type is the one asked (if one is), the
 * outermost frame of its begin stack has the PC asked (if one is), its
 * latency is within [latmin, latmax] (each if asked), and its task, or one
 * of that task's ancestors, is of the task type asked (if one is).  Its
 * interval is [its begin, or the trace's start; its end, or the trace's
 * end], the trace's end being its last event (or last Sync, if damaged).
 * Per goroutine, the passing intervals are sorted by start (then end) and
 * one is kept only if it starts at or after the end of the last one kept.
 * A goroutine id seen again as new keeps the regions of its last life
 * only, as Go's summary map does.
 *
 * Memory: the passing regions, 16 bytes each (24 until the end with -task,
 * whose filter waits for the tasks' types), and an entry per goroutine
 * that has some; never the trace.
 */
#ifndef T2P_REGIONSEL_H
#define T2P_REGIONSEL_H

#include <stddef.h>
#include <stdint.h>

#include "gotrace.h"

typedef struct sel_iv {
	int64_t start, end;
} sel_iv;

typedef struct regionsel_want {
	const char *type;          /* NULL: any ("" is the unnamed ones) */
	const char *task;          /* NULL: any */
	int has_pc, has_latmin, has_latmax;
	uint64_t pc;
	int64_t latmin, latmax;
} regionsel_want;

typedef struct regionsel regionsel;

/* Feed it every event of a reading of the trace (cmd/trace summarizes
 * every event the reader gives, those after a damaged trace's last Sync
 * too, and ends its trace at that Sync), then finish.  sym is the
 * reader's.  NULL, or -1, if out of memory. */
regionsel *regionsel_new(const regionsel_want *want, const gt_symtab *sym);
int regionsel_event(regionsel *r, const gt_event *ev);
int regionsel_finish(regionsel *r);
void regionsel_free(regionsel *r);

/* Goroutine id's kept intervals that overlap anything (longer than 0),
 * sorted by start and by end, disjoint but for their ends; NULL and *n = 0
 * if none. */
const sel_iv *regionsel_get(const regionsel *r, int64_t id, size_t *n);
/* Regions kept, over all goroutines. */
size_t regionsel_count(const regionsel *r);

#endif
