/*
 * summary.h - Go's goroutine, region and task summaries
 * (internal/trace/summary.go, the Summarizer behind cmd/trace's
 * /goroutines, /goroutine, /userregions, /usertasks pages and its
 * goroutine and region profile filters), computed over the event stream as
 * it comes and handed out as each summary becomes final, so that memory
 * holds only live goroutines, open regions and the tasks.
 *
 * Feed every event in order to gsum_event(), then call gsum_finish() once
 * with the stream's status.  The callbacks receive views valid only during
 * the call; strings are the summarizer's own (gsum_str), valid until
 * gsum_free().
 *
 * Go's quirks are kept, as the numbers must equal cmd/trace's:
 * - A goroutine id seen again as new (a cgo callback's goroutine is made
 *   and destroyed with the same id each time) starts a new summary; Go's map
 *   keeps only the last one, so consumers that mirror Go's tables key by id
 *   and let a later summary replace an earlier one.
 * - Regions still open when a system goroutine (runtime.*, but not
 *   runtime.main, or unnamed) ends are dropped, as Go drops them.
 * - A region that ends without having begun in the trace starts at the
 *   trace's start (has_start 0); one that never ends ends at the trace's
 *   end or at its goroutine's end (has_end 0 means the trace's end).
 */
#ifndef T2P_SUMMARY_H
#define T2P_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "gotrace.h"

typedef struct gsum gsum;

/* An interned string: region and task types, wait reasons, range names,
 * function names.  Id 0 is the empty string. */
typedef uint32_t gsum_str;

/* Time by name (wait reason or range name). */
typedef struct gsum_named {
	gsum_str name;
	int64_t ns;
} gsum_named;

/* GoroutineExecStats: non-overlapping times, plus the overlapping total
 * and range times.  Durations wrap as Go's time.Duration does. */
typedef struct gsum_stats {
	int64_t exec, sched_wait, syscall, syscall_block;
	int64_t total;             /* presence in the trace */
	const gsum_named *block;   /* block time by wait reason */
	size_t nblock;
	const gsum_named *ranges;  /* time in ranges ("GC mark assist", ...) */
	size_t nranges;
} gsum_stats;

/* UnknownTime: total minus the non-overlapping times, or 0. */
int64_t gsum_unknown_time(const gsum_stats *st);

typedef struct gsum_goroutine {
	int64_t id;
	gsum_str name;            /* start function: the outermost frame of the
				   * first transition stack seen; 0 if none */
	uint64_t pc;              /* that frame's PC */
	int64_t creation;         /* first appearance (the last Sync's time if
				   * it existed before the trace) */
	int64_t start;            /* first time running, 0 if it never ran */
	int64_t end;              /* exit or a "forever" block, 0 if none */
	gsum_stats stats;
} gsum_goroutine;

typedef struct gsum_region {
	int64_t g;                /* the goroutine it ran on */
	uint64_t task;            /* GT_BACKGROUND_TASK if none */
	gsum_str type;            /* 0 for the unnamed region a goroutine inherits
				   * from a region active where it was created */
	int has_start, has_end;   /* Go's Start/End events are non-nil */
	int64_t start, end;       /* their times when present */
	uint32_t start_stack;     /* the start event's stack (regionTopStackFrame
				   * is its outermost frame), GT_NO_STACK if none */
	int64_t end_g;            /* the end event's goroutine and stack: the
				   * region's end, or its goroutine's exit */
	uint32_t end_stack;
	gsum_stats stats;         /* the goroutine's stats during the region */
} gsum_region;

typedef struct gsum_task {
	uint64_t id, parent;      /* parent GT_NO_TASK if none */
	gsum_str type;            /* 0 until a begin or end names it */
	int has_start, has_end;
	int64_t start, end;
	int64_t start_g, end_g;   /* goroutines of the begin and end events */
	uint32_t start_stack, end_stack; /* and their stacks */
	size_t nlogs, nregions;
	const int64_t *goroutines;/* the goroutines associated with it */
	size_t ngoroutines;
} gsum_task;

typedef struct gsum_hooks {
	void *ctx;
	/* A region's summary is final: it ended, its goroutine ended, or the
	 * trace did.  Go's per-goroutine order is by start; this is by end. */
	void (*region)(void *ctx, const gsum_goroutine *g, const gsum_region *r);
	/* A goroutine's summary is final: it exited or blocked forever, or the
	 * trace ended (then in order of id). */
	void (*goroutine)(void *ctx, const gsum_goroutine *g);
	/* At gsum_finish: every task, in order of id. */
	void (*task)(void *ctx, const gsum_task *t);
} gsum_hooks;

/* NULL if out of memory.  sym resolves stacks to names. */
gsum *gsum_new(const gsum_hooks *hooks, const gt_symtab *sym);
/* 0, or -1 if out of memory. */
int gsum_event(gsum *s, const gt_event *ev);
/* The end of the stream (Summarizer.Finalize): what is live is final as of
 * the last event fed.  cmd/trace feeds its Summarizer every event the
 * reader gave, those after a damaged trace's last Sync too, so callers feed
 * them all and call this once, whatever the stream's status.  0, or -1 if
 * out of memory. */
int gsum_finish(gsum *s);
void gsum_free(gsum *s);

/* The bytes of an interned string. */
gt_str gsum_string(const gsum *s, gsum_str id);
/* The summary so far of a goroutine that has not exited: 1 and *out filled
 * (its stats as of the last time it changed state; valid until the next
 * event), or 0. */
int gsum_live(const gsum *s, int64_t id, gsum_goroutine *out);
/* The innermost region open on a goroutine: 1 and its type and task, or 0. */
int gsum_live_region(const gsum *s, int64_t id, gsum_str *type, uint64_t *task);
/* Trace start (the first event's time) and end (the last event's). */
int64_t gsum_start_time(const gsum *s);
int64_t gsum_end_time(const gsum *s);

/* Go's IsSystemGoroutine: runtime.* but not runtime.main, or unnamed. */
int gsum_is_system(gt_str name);

#endif
