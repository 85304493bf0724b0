/*
 * focus.h - cmd/trace's focused timelines, /jsontrace?goid=N and
 * /jsontrace?taskid=N (Go 1.27: cmd/trace/jsontrace.go), worked out in a
 * first reading of the trace, for the timeline's generator (tvgen.h,
 * tv_focus) to draw in the second:
 *
 * - A goroutine: the window is its life, [its first run, or the trace's
 *   start if it never ran; its exit or "forever" block, or the trace's
 *   end] (internal/trace/summary.go's StartTime and EndTime); the lanes
 *   are its own and those of the goroutines that unblocked it, and of
 *   those that unblocked them (RelatedGoroutinesV2: two steps of "made it
 *   runnable from waiting"); no tasks.
 * - A task: the window is the task's, [its begin, or the trace's start;
 *   its end, or the trace's end]; the tasks drawn are it and its
 *   descendants, ordered by begin (then end), with their regions; the
 *   lanes are the goroutines that took part in them (the Summarizer's
 *   task.Goroutines), the one of the task's begin on top (or of its first
 *   log, or of its end).
 *
 * What it keeps until the end: the goroutine's unblock edges, or every
 * task and named region (a region's task may come later); never the
 * events.
 */
#ifndef T2P_FOCUS_H
#define T2P_FOCUS_H

#include <stdint.h>

#include "gotrace.h"
#include "tvgen.h"

enum { FOCUS_NONE, FOCUS_GOROUTINE, FOCUS_TASK };

typedef struct focus_want {
	int kind;                  /* FOCUS_* */
	uint64_t id;               /* the goroutine's or the task's */
} focus_want;

typedef struct focus focus;

/* NULL if out of memory.  sym is the first reading's reader's. */
focus *focus_new(const focus_want *want, const gt_symtab *sym);
void focus_free(focus *f);
/* Every event of the reading, those after a damaged trace's last Sync too
 * (cmd/trace summarizes them); 0, or -1 if out of memory. */
int focus_event(focus *f, const gt_event *ev);
/* The focus, once the reading is over: 0; -1 after saying why (out of
 * memory); 2 after saying why, for a goroutine or task the trace does not
 * have (where cmd/trace serves nothing). */
int focus_finish(focus *f);
/* After focus_finish returned 0; valid until focus_free. */
const tv_focus *focus_get(const focus *f);

#endif
