/*
 * select.h - the selection stage, between the reader and the sinks: which
 * goroutines, which stretches of their time and which time window the
 * profiles count.  It sees every event just before the sinks do and answers
 * their questions, so that cmd/trace's rules live here once:
 *
 * - No selection (go tool trace -pprof=TYPE; cmd/trace's /io, /block,
 *   /syscall and /sched without a name): a goroutine's time counts within
 *   [its first run, its exit or "forever" block, or the trace's end]
 *   (pprofMatchingGoroutines with an empty name, over the StartTime and
 *   EndTime of internal/trace/summary.go); one that never ran counts from
 *   0, one the summary never saw born counts nothing.
 * - -goroutine=NAME: the same, for the goroutines whose start function
 *   (the outermost frame of their first transition stack: summary.go's
 *   Name) is NAME: /io?name=NAME and the like.  An empty NAME is all, as
 *   there; a NAME no goroutine has is cmd/trace's error.
 * - -region=TYPE, -regionpc=PC, -latmin=D, -latmax=D: instead of the
 *   goroutine's life, the outermost of its regions that pass those tests
 *   (/regionio?type=TYPE&pc=PC&latmin=D&latmax=D and the like: regionsel.h);
 *   with -goroutine as well, those regions of the goroutines named NAME,
 *   within their lives.
 * - -task=TYPE: the same, for the regions of the tasks of type TYPE and
 *   of their subtasks, the unnamed region a goroutine inherits when it is
 *   created inside one included (from its creation to its end): the time
 *   goroutines spent working for such a task (regionsel.h).
 * - -from=D, -to=D: only what lies within [start + D, start + D'], start
 *   being the trace's first event, on top of the above; for the timelines
 *   (-json, -perfetto), the window of cmd/trace's trace viewer Emitter:
 *   what reaches into it is drawn whole (sel_window).
 * - -goid=N, -taskid=N: not for the profiles but for the timeline, the
 *   focus of cmd/trace's /jsontrace?goid=N and ?taskid=N (focus.h), found
 *   in the first reading, and handed to the timeline (sel_focus).
 *
 * Streaming against knowing the future.  A goroutine's start, end and name
 * come with its own transitions, so the stage keeps them per live goroutine
 * (the three rules of summary.go they need, not the whole Summarizer, which
 * would cost every event far more).  A span that ends before they are
 * known (its goroutine has not run yet, or has no name yet) waits in the
 * stage, with its goroutine, until they are: until the goroutine first
 * runs (then it counts nothing), is named, dies, or the trace ends.  Memory
 * stays bounded by live goroutines.  Regions and tasks need the future: a
 * region's latency is known at its end, an end without a begin makes the
 * region start at the trace's start (reaching back over all before it), a
 * task's type may come last, and the outermost regions are chosen by start
 * over the whole trace.  For them the stage reads the trace twice: a
 * pre-pass runs Go's Summarizer and keeps the passing regions' intervals
 * per goroutine (regionsel.h), then the main pass answers exactly from
 * them.  That needs a file (standard input cannot be read twice) and costs
 * a second reading of the trace; memory holds the passing regions, never
 * the trace.
 *
 * The stage looks a goroutine up once per transition and hands the record
 * to the sinks (sel_current), with room in it for each sink's own state
 * (sel_local): no sink needs a goroutine map of its own, and no event pays
 * for two lookups.  (Handing it out through a callback per sink instead
 * cost 3% more instructions, tests/bench/instr on -pprof=sched.)
 */
#ifndef T2P_SELECT_H
#define T2P_SELECT_H

#include <stddef.h>
#include <stdint.h>

#include "focus.h"
#include "gotrace.h"
#include "regionsel.h"
#include "sink.h"

/* What the flags ask for. */
typedef struct t2p_selection {
	const char *goroutine;     /* -goroutine: NULL or "" for all */
	regionsel_want regions;    /* -region, -task, -regionpc, -latmin, -latmax */
	int has_from, has_to;
	int64_t from, to;          /* ns after the trace's start */
	focus_want focus;          /* -goid, -taskid */
} t2p_selection;

typedef struct t2p_select t2p_select;

/* A goroutine as the stage knows it; the fields are the stage's, read
 * through the functions below. */
typedef struct sel_g {
	int64_t start;             /* first run (StartTime), 0 if not yet or never */
	int64_t end;               /* exit or "forever" (EndTime), 0 if none yet */
	uint8_t summarized;        /* seen born: Go's summary has it */
	uint8_t ready;             /* sel_span answers from start and end alone */
	uint8_t named;             /* its name is known, or can no longer be */
	uint8_t match;             /* it is selected by name */
	uint8_t gone;              /* it died: the record goes soon */
	uint32_t npending, cappending;
	struct sel_pending *pending; /* spans waiting for its start or name */
	const sel_iv *regions;     /* with regions selected: its kept ones */
	size_t nregions;
} sel_g;

/* sel_span's and sel_point's answer when the goroutine's start or name is
 * not known yet. */
#define SEL_LATER INT64_MIN

/* Where the stage sends a deferred span's answer once it is known: ns is
 * the span's selected part, positive (spans with none are dropped), or 0
 * for a selected point. */
typedef void sel_deliver_fn(void *ctx, uint64_t tag, int64_t end, int64_t ns);

/* Where the stage sends, at the trace's end, each goroutine record still
 * there, with the trace's end (its last Sync): for what a client has open,
 * which it may sel_defer still. */
typedef void sel_close_fn(void *ctx, sel_g *g, int64_t end);

#define SEL_MAX_CLIENTS 4

/* The stage's fields that the inline functions read. */
typedef struct sel_head {
	sel_g *cur;
	size_t offset[SEL_MAX_CLIENTS];
} sel_head;

/* NULL if out of memory.  The selection's strings must outlive the stage. */
t2p_select *t2p_select_new(const t2p_selection *want);
void t2p_select_free(t2p_select *s);

/* Register a sink that asks about goroutines, before the first trace:
 * `local` bytes of its own in every goroutine record (zero when the
 * goroutine is first seen, gone after it dies); `states`, a bit per
 * gt_go_state: the transitions from or to those for which it wants the
 * record (sel_current); and where deferred answers go.  Returns the
 * client's number, or -1 if there are too many. */
int sel_client(t2p_select *s, size_t local, unsigned states, sel_deliver_fn *deliver, void *ctx);

/* The stage's part of the run, each called before the sinks' own: with
 * regions or tasks selected (sel_needs_prepass), a first reading of the
 * trace, whose events go to the one sink sel_prepass_sink gives (the stage
 * looks at them, but does nothing more with them); a trace begins; its
 * events; it ends with status st (GT_END, or the error that
 * stopped it: then what followed its last Sync is left out, as cmd/trace
 * leaves it out), when every deferred span gets its answer; and after the
 * last trace, sel_finish says whether the selection made sense.  0, or -1
 * after printing why (sel_trace_end: out of memory since sel_begin;
 * sel_finish: 2, an error of usage, for a NAME no goroutine has; regions
 * that match nothing are a warning, and 0, as cmd/trace's empty profile).
 * sel_first_time and sel_last_time: the trace's start and end as cmd/trace
 * takes them: its first event, and its last (the last Sync so far). */
int sel_needs_prepass(const t2p_select *s);
t2p_sink *sel_prepass_sink(t2p_select *s);
/* After the first reading: the timeline's focus, NULL if none asked; and
 * whether the first reading failed for the focus's goroutine or task
 * missing from the trace (an error of usage, 2). */
const tv_focus *sel_focus(const t2p_select *s);
/* The time window of -from and -to, in ns after the trace's start (0 and
 * INT64_MAX where not given; either pointer may be NULL): whether one was
 * asked.  The timelines draw what reaches into it (tv_gen_set_window). */
int sel_window(const t2p_select *s, int64_t *from, int64_t *to);
int sel_focus_missing(const t2p_select *s);
int sel_begin(t2p_select *s, gt_reader *r);
void sel_event(t2p_select *s, const gt_event *ev);
int sel_trace_end(t2p_select *s, gt_status st);
int sel_finish(t2p_select *s);
int64_t sel_first_time(const t2p_select *s);
int64_t sel_last_time(const t2p_select *s);

/* The record of the goroutine of the transition being handed out, or NULL
 * if no client wants this transition.  Valid during the event. */
static inline sel_g *sel_current(const t2p_select *s)
{
	return ((const sel_head *)(const void *)s)->cur;
}
/* Client c's own bytes in a record. */
static inline void *sel_local(const t2p_select *s, sel_g *g, int c)
{
	return (char *)g + ((const sel_head *)(const void *)s)->offset[c];
}
/* Client c wants the records still there at the trace's end (sel_close_fn). */
void sel_client_close(t2p_select *s, int c, sel_close_fn *close);

/* Nothing selected: every span counts within its goroutine's life. */
int sel_plain(const t2p_select *s);

/* summary.go's Name: the outermost frame's function of a goroutine's first
 * transition stack whose outermost frame has one (the runtime writes stacks
 * of one frame with PC 0 and no function, which name nothing): this for a
 * stack, empty if it names nothing. */
gt_str sel_start_function(const gt_symtab *sym, uint32_t stack);

/* The record of goroutine id, NULL if none. */
sel_g *sel_goroutine(const t2p_select *s, int64_t id);

/* The selected part of goroutine g's span [start, end], in ns (go tool
 * trace counts a span whose part is positive), or SEL_LATER: then hand it
 * to sel_defer.  Inline for most spans: no selection, a goroutine that has
 * run. */
int64_t sel_span_slow(const t2p_select *s, const sel_g *g, int64_t start, int64_t end);
static inline int64_t sel_span(const t2p_select *s, const sel_g *g, int64_t start, int64_t end)
{
	int64_t ge;

	if (!g->ready)
		return sel_span_slow(s, g, start, end);
	/* cmd/trace's interval.overlap with [StartTime, EndTime or trace end]. */
	ge = g->end ? g->end : INT64_MAX;
	if (start < g->start)
		start = g->start;
	if (end > ge)
		end = ge;
	return end < start ? 0 : (int64_t)((uint64_t)end - (uint64_t)start);
}
/* The same for a profile of whole lives (-pprof=wall): the selected part
 * of a span, not clipped to the goroutine's life from its first run (its
 * time runnable before it counts), or SEL_LATER: then sel_defer it as
 * SEL_WHOLE. */
int64_t sel_span_whole(const t2p_select *s, const sel_g *g, int64_t start, int64_t end);
/* Whether goroutine g (NULL: no goroutine) is selected at time t, as for
 * a CPU sample: 1, 0, or SEL_LATER (then sel_defer the point: start = end
 * = t).  A point is not clipped to its goroutine's life: a goroutine is
 * alive wherever a sample finds it. */
int64_t sel_point(const t2p_select *s, const sel_g *g, int64_t t);
/* Hold a span (SEL_SPAN, SEL_WHOLE) or a point (SEL_POINT) of g for
 * client c until its answer is known (at the latest at sel_trace_end).
 * 0, or -1 if out of memory. */
enum { SEL_SPAN, SEL_POINT, SEL_WHOLE };
int sel_defer(sel_g *g, int c, int64_t start, int64_t end, int point, uint64_t tag);

#endif
