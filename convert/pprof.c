/*
 * pprof.c - goroutine time in a state, charged to the stack of the event
 * that entered it: cmd/trace's pprof.go (makeComputePprofFunc), computed in
 * one pass.  Which part of each interval counts (cmd/trace clips it to the
 * goroutine's life, or to the selected goroutines and regions) is the
 * selection stage's answer (select.h), sometimes given later.  Memory stays
 * bounded by live goroutines and distinct stacks.
 *
 * The cpu profile is the trace's CPU samples (StackSample events: Go writes
 * them while a CPU profile runs, from the same SIGPROF handler that feeds
 * runtime/pprof), laid out as runtime/pprof lays out its CPU profile.
 *
 * The wall profile is where each goroutine's time went, on and off CPU:
 * its whole life as Go's summary counts it (internal/trace/summary.go: from
 * its creation, or the start of the generation that first shows it, to its
 * end, a "forever" block, or the trace's end), cut at its transitions into
 * intervals labelled with the state (running, runnable, waiting, syscall)
 * and, waiting, the reason.  Off-CPU time is charged to where the goroutine
 * itself stood: the stack of its own transition into the state (Go's
 * StateTransition.Stack), or, where that has none (an unblock, made by
 * another goroutine), its last own stack; cmd/trace's sched profile takes
 * the waker's stack instead.  Running time is spread over the goroutine's
 * own CPU samples in the interval, a consecutive equal part of it each (so
 * a window cuts it where the samples are), or, without samples, charged to
 * the stack of the transition that ends it (where it stopped).  So each
 * goroutine's samples add up to its life in the trace.
 *
 * With -labels, every profile's samples carry the labels goroutine (its
 * start function, as summary.go names it, once known), region and task
 * (the goroutine's innermost region and that region's task type, when the
 * sample is taken), and, but for cpu, delay bucket: the interval's length,
 * <1us, <10us, <100us, <1ms, <10ms, <100ms, or more.  Without it the
 * classic profiles are cmd/trace's, sample for sample.
 *
 * cmd/trace also drops the events after the last Sync when the trace turns
 * out damaged: so do all the profiles (pprec.h).
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "output.h"
#include "ppmerge.h"
#include "pprec.h"
#include "pprof.h"
#include "select.h"

const char *const pp_type_names[PP_NTYPES] = { "net", "sync", "syscall", "sched", "cpu", "wall" };

/* runtime/pprof's CPU sampling rate, 100 Hz, which the trace does not record
 * (and which runtime/pprof's StartCPUProfile always uses). */
#define CPU_PERIOD 10000000

#define CLASSIC_KIND                                                                         \
	{ 2, { "contentions", "delay" }, { "count", "nanoseconds" }, "trace", "count", 1, 128, 0 }

/* The classic four as cmd/trace writes them (pprofMaxStack frames); cpu as
 * runtime/pprof writes its CPU profile; wall with the stacks cpu has. */
static const pp_kind pp_kinds[PP_NTYPES] = {
	CLASSIC_KIND, CLASSIC_KIND, CLASSIC_KIND, CLASSIC_KIND,
	{ 2, { "samples", "cpu" }, { "count", "nanoseconds" }, "cpu", "nanoseconds", CPU_PERIOD, 0, 1 },
	{ 1, { "wall" }, { "nanoseconds" }, "wall", "nanoseconds", 1, 0, 1 },
};

/* The wall profile's label values per state (gt_go_state). */
static const char *const wall_state_names[8] = {
	[GT_GO_RUNNABLE] = "runnable", [GT_GO_RUNNING] = "running",
	[GT_GO_WAITING] = "waiting",   [GT_GO_SYSCALL] = "syscall",
};

/* The state each classic profile measures (cmd/trace computePprofIO & co). */
static const uint8_t pp_state[PP_NCLASSIC] = { GT_GO_WAITING, GT_GO_WAITING, GT_GO_SYSCALL,
					     GT_GO_RUNNABLE };

static int contains(gt_str s, const char *word)
{
	size_t n = strlen(word);

	for (size_t i = 0; i + n <= s.len; i++)
		if (memcmp(s.ptr + i, word, n) == 0)
			return 1;
	return 0;
}

static int reason_matches(int type, gt_str reason)
{
	switch (type) {
	case PP_NET:
		return reason.len == 7 && memcmp(reason.ptr, "network", 7) == 0;
	case PP_SYNC:
		return contains(reason, "chan") || contains(reason, "sync") || contains(reason, "select");
	default:
		return 1;
	}
}

static int is_forever(gt_str reason)
{
	return reason.len == 7 && memcmp(reason.ptr, "forever", 7) == 0;
}

/* The sink's own part of a goroutine's record in the selection stage. */
typedef struct pp_g {
	uint8_t tracking;       /* bit per classic type: an interval is open */
	uint8_t state;          /* wall: its state since `since`; UNDETERMINED
				 * when not followed (before its birth, after
				 * its end) */
	int64_t track_start[PP_NCLASSIC];
	uint32_t track_stack[PP_NCLASSIC];
	int64_t since;
	uint32_t stack;         /* wall: the stack the state is charged to */
	uint32_t own;           /* its last own transition stack */
	uint32_t reason;        /* waiting: the reason (label string id) */
	uint32_t *samples;      /* running: the stacks of its CPU samples */
	size_t nsamples, capsamples;
	/* -labels: its start function, and its regions open, innermost
	 * last, as (type, task type) label string ids. */
	uint32_t name;          /* or a placeholder for it (pplabels.h) */
	uint8_t named;          /* name is its name, not a placeholder */
	uint32_t *regions;
	size_t nregions, capregions;
} pp_g;

/* -labels: the keys, and the delay buckets' upper bounds and values. */
enum { LK_GOROUTINE, LK_REGION, LK_TASK, LK_DELAY, LK_N };
static const char *const label_keys[LK_N] = { "goroutine", "region", "task", "delay bucket" };
#define DELAY_BUCKETS 7
static const int64_t delay_bounds[DELAY_BUCKETS - 1] = { 1000, 10000, 100000, 1000000,
							 10000000, 100000000 };
/* Not "1ms": pprof's -tagfocus reads a value like that as a number. */
static const char *const delay_names[DELAY_BUCKETS] = { "<1us",  "<10us",  "<100us", "<1ms",
							"<10ms", "<100ms", "more" };

typedef struct pprof_sink {
	t2p_sink base;
	unsigned types;
	unsigned classic;       /* types & PP_CLASSIC */
	const char *paths[PP_NTYPES];
	const char *binary;
	gt_reader *reader;
	const gt_symtab *sym;
	t2p_select *sel;
	int client;             /* our number with the stage */
	pp_table tables[PP_NTYPES];
	int64_t last_sync_time;
	int64_t wall_start;     /* ns since the epoch at the trace's start, 0 if unknown */
	int seen_sync;
	int began;              /* the tables are set up */
	int oom;                /* sticky: the profiles are not written */
	int whole;              /* wall: nothing selected, lives count whole */
	pp_labels labels;       /* the samples' label sets, for all traces */
	uint32_t key_state, key_reason, state_value[8];
	int want_labels;        /* -labels */
	int lives;              /* wall or -labels: every transition counts */
	uint32_t label_key[LK_N], delay_value[DELAY_BUCKETS];
	u64map task_types;      /* -labels: task id -> its type (label string id) */
	uint32_t *state_sets;   /* wall: the set of a state (by its value's id)
				 * or of waiting for a reason (by the reason's) */
	size_t capstate_sets;
	/* Several traces: the profiles of those before this one, merged. */
	pp_merge *merged[PP_NTYPES];
	int traces;             /* traces ended */
	int64_t time_nanos, duration_nanos; /* as pprof merges them */
} pprof_sink;

/* Add d ns to the record of stack (and labels) for an interval that ended
 * at `end`.  Only intervals that end after the last Sync may have to be
 * taken back.  (Apart, so that the profiles without labels, most of the
 * events, do not pay for them: 2.7% of -pprof=all's instructions.) */
static inline void add_rec(pprof_sink *s, pp_table *t, uint32_t rec, int64_t end, int64_t d)
{
	if (rec == PPREC_NOMEM || pprec_add(t, rec, end > s->last_sync_time, 1, d))
		s->oom = 1;
}

static inline void add_sample(pprof_sink *s, int type, uint32_t stack, int64_t end, int64_t d)
{
	add_rec(s, &s->tables[type], pprec_of(&s->tables[type], stack), end, d);
}

static void add_labeled(pprof_sink *s, int type, uint32_t stack, uint32_t labels, int64_t end,
			int64_t d)
{
	add_rec(s, &s->tables[type], pprec_of_labeled(&s->tables[type], stack, labels), end, d);
}

/* At a Sync, everything so far stays; at a damaged end, what came after
 * the last Sync goes. */
static void settle(pprof_sink *s, int keep)
{
	for (unsigned types = s->types; types; types &= types - 1)
		pprec_settle(&s->tables[__builtin_ctz(types)], keep);
}

/* What a deferred span or point is: its type, label set and stack. */
#define TAG_LABELS_MAX (1u << 28)
static inline uint64_t tag_of(int type, uint32_t labels, uint32_t stack)
{
	return (uint64_t)type << 60 | (uint64_t)labels << 32 | stack;
}

/* An interval or a CPU sample whose selected part the stage answered
 * later. */
static void deliver(void *ctx, uint64_t tag, int64_t end, int64_t ns)
{
	int type = (int)(tag >> 60);

	add_labeled(ctx, type, (uint32_t)tag, (uint32_t)(tag >> 32) & (TAG_LABELS_MAX - 1), end,
		   type == PP_CPU ? CPU_PERIOD : ns);
}

/* The label set of pairs kv (those with a value), or 0 after noting that
 * memory ran out; tags have room for 2^28 sets. */
static uint32_t label_set(pprof_sink *s, const uint32_t *kv, size_t npairs)
{
	uint32_t id = pp_labels_set(&s->labels, kv, npairs);

	if (GT_UNLIKELY(id >= TAG_LABELS_MAX)) {
		s->oom = 1;
		return 0;
	}
	return id;
}

/* Add -labels' pairs for goroutine g (NULL: none) to kv; delay < 0: no
 * delay bucket.  The number of pairs added. */
static size_t more_labels(const pprof_sink *s, const pp_g *g, int64_t delay, uint32_t *kv)
{
	size_t n = 0;
	int b = 0;

	if (g) {
		kv[0] = s->label_key[LK_GOROUTINE];
		kv[1] = g->name;  /* placeholder_name gave it one at least */
		kv[2] = s->label_key[LK_REGION];
		kv[3] = g->nregions ? g->regions[g->nregions - 2] : 0;
		kv[4] = s->label_key[LK_TASK];
		kv[5] = g->nregions ? g->regions[g->nregions - 1] : 0;
		n = 3;
	}
	if (delay >= 0) {
		while (b < DELAY_BUCKETS - 1 && delay >= delay_bounds[b])
			b++;
		kv[2 * n] = s->label_key[LK_DELAY];
		kv[2 * n + 1] = s->delay_value[b];
		n++;
	}
	return n;
}

/* A sample of a goroutine whose name is not known yet: a placeholder for
 * it, which the name replaces once known (or nothing, if it never is). */
static void placeholder_name(pprof_sink *s, pp_g *g)
{
	if (g && !g->name && (g->name = pp_labels_placeholder(&s->labels)) == UINT32_MAX) {
		g->name = 0;
		s->oom = 1;
	}
}

/* The -labels set of a sample of goroutine g. */
static uint32_t sample_labels(pprof_sink *s, pp_g *g, int64_t delay)
{
	uint32_t kv[2 * LK_N];

	placeholder_name(s, g);
	return label_set(s, kv, more_labels(s, g, delay, kv));
}

static void forget_regions(pp_g *g)
{
	free(g->regions);
	g->regions = NULL;
	g->nregions = g->capregions = 0;
}

/* An interval of a classic profile: its selected part d, with -labels. */
static GT_NOINLINE void close_labeled(pprof_sink *s, sel_g *sg, pp_g *g, int type, int64_t start,
				      int64_t end, int64_t d)
{
	uint32_t stack = g->track_stack[type], labels;

	if (!d)
		return;
	labels = sample_labels(s, g, (int64_t)((uint64_t)end - (uint64_t)start));
	if (d > 0)
		add_labeled(s, type, stack, labels, end, d);
	else if (sel_defer(sg, s->client, start, end, SEL_SPAN, tag_of(type, labels, stack)))
		s->oom = 1;
}

static void close_interval(pprof_sink *s, sel_g *sg, pp_g *g, int type, int64_t end)
{
	int64_t start = g->track_start[type];
	uint32_t stack = g->track_stack[type];
	int64_t d = sel_span(s->sel, sg, start, end);

	g->tracking &= (uint8_t)~(1u << type);
	if (GT_UNLIKELY(s->want_labels))
		close_labeled(s, sg, g, type, start, end, d);
	else if (d > 0)
		add_sample(s, type, stack, end, d);
	else if (GT_UNLIKELY(d == SEL_LATER) &&
		 sel_defer(sg, s->client, start, end, SEL_SPAN, tag_of(type, 0, stack)))
		s->oom = 1;
}

/* Charge [start, end] of a goroutine's life to stack, as selected. */
static void wall_charge(pprof_sink *s, sel_g *sg, uint32_t stack, uint32_t labels, int64_t start,
			int64_t end)
{
	int64_t d = s->whole ? (int64_t)((uint64_t)end - (uint64_t)start)
			     : sel_span_whole(s->sel, sg, start, end);

	if (d > 0)
		add_labeled(s, PP_WALL, stack, labels, end, d);
	else if (d == SEL_LATER &&
		 sel_defer(sg, s->client, start, end, SEL_WHOLE, tag_of(PP_WALL, labels, stack)))
		s->oom = 1;
}

/* The set of a state and reason alone (kv), by their dense string ids:
 * without -labels, intervals are not hashed (-pprof=all,cpu,wall: 18%
 * fewer instructions). */
static uint32_t state_set(pprof_sink *s, const uint32_t *kv)
{
	/* Odd: waiting for a reason; even: a state (waiting for none too). */
	size_t r = kv[3] ? 2 * (size_t)kv[3] + 1 : 2 * (size_t)kv[1];
	uint32_t *set;

	if (r < s->capstate_sets && (set = &s->state_sets[r]) && *set)
		return *set;
	if (r >= s->capstate_sets) {
		size_t old = s->capstate_sets;

		if (GT_RESERVE(s->state_sets, s->capstate_sets, r + 1))
			return label_set(s, kv, 2);
		memset(s->state_sets + old, 0, (s->capstate_sets - old) * sizeof *s->state_sets);
	}
	return s->state_sets[r] = label_set(s, kv, 2);
}

/* The goroutine's interval in its state ends at `end`, by a transition
 * with stack end_stack (GT_NO_STACK at the trace's end). */
static void wall_close(pprof_sink *s, sel_g *sg, pp_g *g, int64_t end, uint32_t end_stack)
{
	uint32_t kv[4 + 2 * LK_N] = { s->key_state, s->state_value[g->state], s->key_reason,
				      g->state == GT_GO_WAITING ? g->reason : 0 };
	int64_t start = g->since;
	uint64_t d = (uint64_t)end - (uint64_t)start, k = g->nsamples;
	uint32_t labels;

	if (s->want_labels) {
		placeholder_name(s, g);
		labels = label_set(s, kv, 2 + more_labels(s, g, (int64_t)d, kv + 4));
	} else {
		labels = state_set(s, kv);
	}

	if (g->state != GT_GO_RUNNING || !k) {
		uint32_t stack = g->state != GT_GO_RUNNING ? g->stack
				 : end_stack != GT_NO_STACK ? end_stack
							    : g->own;

		wall_charge(s, sg, stack, labels, start, end);
		return;
	}
	/* Sample i gets [start + d*i/k, start + d*(i+1)/k]: the parts add up
	 * to d exactly. */
	for (uint64_t i = 0; i < k; i++) {
		int64_t a = (int64_t)((uint64_t)start + d / k * i + d % k * i / k);
		int64_t b = (int64_t)((uint64_t)start + d / k * (i + 1) + d % k * (i + 1) / k);

		wall_charge(s, sg, g->samples[i], labels, a, b);
	}
	g->nsamples = 0;
}

/* A goroutine transition, as summary.go follows a goroutine's life. */
static void wall_transition(pprof_sink *s, sel_g *sg, pp_g *g, const gt_event *ev)
{
	uint8_t from = ev->transition.from, to = ev->transition.to;
	uint32_t stack = ev->transition.stack;
	int64_t since = ev->time;

	if (from == GT_GO_UNDETERMINED || from == GT_GO_NOT_EXIST) {
		/* Born, or first seen: then there since the generation began. */
		g->nsamples = 0;
		g->own = GT_NO_STACK;
		if (from == GT_GO_UNDETERMINED)
			since = s->last_sync_time;
	} else if (g->state == from) {
		wall_close(s, sg, g, ev->time, stack);
	}
	if (stack != GT_NO_STACK)
		g->own = stack;
	g->state = GT_GO_UNDETERMINED;
	if (to == GT_GO_NOT_EXIST || (to == GT_GO_WAITING && is_forever(ev->transition.reason))) {
		/* Its life is over ("forever" too, for the summary). */
		forget_regions(g);
		free(g->samples);
		g->samples = NULL;
		g->capsamples = 0;
		return;
	}
	g->state = to;
	g->since = since;
	g->stack = stack != GT_NO_STACK ? stack : g->own;
	g->reason = 0;
	if (to == GT_GO_WAITING &&
	    (g->reason = pp_labels_string(&s->labels, ev->transition.reason.ptr,
					  ev->transition.reason.len)) == UINT32_MAX) {
		g->reason = 0;
		s->oom = 1;
	}
}

/* A CPU sample of a running goroutine, for the wall profile. */
static void wall_sample(pprof_sink *s, const gt_event *ev)
{
	sel_g *sg = ev->g == GT_NO_GOROUTINE ? NULL : sel_goroutine(s->sel, ev->g);
	pp_g *g;

	if (!sg || (g = sel_local(s->sel, sg, s->client))->state != GT_GO_RUNNING)
		return;
	if (GT_RESERVE(g->samples, g->capsamples, g->nsamples + 1)) {
		s->oom = 1;
		return;
	}
	g->samples[g->nsamples++] = ev->stack;
}

/* The trace is over: the goroutines' lives end with it. */
static void trace_close(void *ctx, sel_g *sg, int64_t end)
{
	pprof_sink *s = ctx;
	pp_g *g = sel_local(s->sel, sg, s->client);

	if (g->state != GT_GO_UNDETERMINED && end >= g->since)
		wall_close(s, sg, g, end, GT_NO_STACK);
	g->state = GT_GO_UNDETERMINED;
	free(g->samples);
	g->samples = NULL;
	g->capsamples = g->nsamples = 0;
	forget_regions(g);
}

/* -labels: a goroutine is born (or first seen: Go's summary starts it
 * afresh), or learns its name, before its transition closes an interval,
 * so that the interval has the name. */
static void label_transition(pprof_sink *s, pp_g *g, const gt_event *ev)
{
	uint8_t from = ev->transition.from;

	if (from == GT_GO_UNDETERMINED || from == GT_GO_NOT_EXIST) {
		g->name = 0;
		g->named = 0;
		g->nregions = 0;
	}
	if (!g->named && ev->transition.stack != GT_NO_STACK) {
		gt_str name = sel_start_function(s->sym, ev->transition.stack);
		uint32_t id = name.len ? pp_labels_string(&s->labels, name.ptr, name.len) : 0;

		if (id == UINT32_MAX) {
			s->oom = 1;
		} else if (id) {
			if (g->name)
				pp_labels_resolve(&s->labels, g->name, id);
			g->name = id;
			g->named = 1;
		}
	}
}

/* -labels: a region begins or ends on a goroutine; a task begins. */
static void region_event(pprof_sink *s, const gt_event *ev)
{
	sel_g *sg = ev->g == GT_NO_GOROUTINE ? NULL : sel_goroutine(s->sel, ev->g);
	pp_g *g;
	uint32_t type, *task;

	if (ev->kind == GT_EV_TASK_BEGIN) {
		int added;

		type = pp_labels_string(&s->labels, ev->task.type.ptr, ev->task.type.len);
		if (type == UINT32_MAX || !(task = u64map_put(&s->task_types, ev->task.id, &added)))
			s->oom = 1;
		else
			*task = type;
		return;
	}
	if (!sg)
		return;
	g = sel_local(s->sel, sg, s->client);
	type = pp_labels_string(&s->labels, ev->region.type.ptr, ev->region.type.len);
	if (type == UINT32_MAX) {
		s->oom = 1;
		return;
	}
	if (ev->kind == GT_EV_REGION_BEGIN) {
		task = u64map_get(&s->task_types, ev->region.task);
		if (GT_RESERVE(g->regions, g->capregions, g->nregions + 2)) {
			s->oom = 1;
			return;
		}
		g->regions[g->nregions++] = type;
		g->regions[g->nregions++] = task ? *task : 0;
		return;
	}
	/* Regions nest; one that began before the trace has nothing to end. */
	for (size_t i = g->nregions; i >= 2; i -= 2) {
		if (g->regions[i - 2] == type) {
			g->nregions = i - 2;
			break;
		}
	}
}

/* A goroutine transition into or out of a measured state. */
static void goroutine_transition(pprof_sink *s, sel_g *sg, const gt_event *ev)
{
	pp_g *g = sel_local(s->sel, sg, s->client);
	uint8_t to = ev->transition.to;

	if (GT_UNLIKELY(s->lives)) {
		if (s->want_labels)
			label_transition(s, g, ev);
		if (s->types & (1u << PP_WALL))
			wall_transition(s, sg, g, ev);
	}
	for (unsigned types = s->classic; types; types &= types - 1) {
		int type = __builtin_ctz(types);

		if (!(g->tracking & (1u << type))) {
			if (to == pp_state[type] && reason_matches(type, ev->transition.reason)) {
				g->tracking |= (uint8_t)(1u << type);
				g->track_start[type] = ev->time;
				g->track_stack[type] = ev->stack;
			}
			continue;
		}
		if (to != pp_state[type])
			close_interval(s, sg, g, type, ev->time);
	}
}

/* Everything before a Sync is part of a complete generation. */
static GT_NOINLINE void sync_event(pprof_sink *s, const gt_event *ev)
{
	s->seen_sync = 1;
	s->last_sync_time = ev->time;
	settle(s, 1);
	if (ev->sync.has_clock && !s->wall_start) {
		uint64_t wall = (uint64_t)ev->sync.wall_sec * 1000000000u + (uint64_t)ev->sync.wall_nsec;

		s->wall_start = (int64_t)(wall - ((uint64_t)ev->sync.clock_trace -
						  (uint64_t)sel_first_time(s->sel)));
	}
}

/* A CPU sample, if its goroutine and time are selected. */
static void cpu_sample(pprof_sink *s, const gt_event *ev)
{
	sel_g *g = ev->g == GT_NO_GOROUTINE ? NULL : sel_goroutine(s->sel, ev->g);
	int64_t in = sel_point(s->sel, g, ev->time);

	uint32_t labels = 0;

	if (GT_UNLIKELY(s->want_labels) && in)
		labels = sample_labels(s, g ? sel_local(s->sel, g, s->client) : NULL, -1);
	if (in == 1)
		add_labeled(s, PP_CPU, ev->stack, labels, ev->time, CPU_PERIOD);
	else if (in == SEL_LATER &&
		 sel_defer(g, s->client, ev->time, ev->time, SEL_POINT, tag_of(PP_CPU, labels, ev->stack)))
		s->oom = 1;
}

static int pprof_event(t2p_sink *base, const gt_event *ev)
{
	pprof_sink *s = (pprof_sink *)base;
	sel_g *sg;

	/* The stage hands out the goroutine of the transitions we asked for. */
	if ((sg = sel_current(s->sel)))
		goroutine_transition(s, sg, ev);
	else if (ev->kind == GT_EV_STACK_SAMPLE) {
		if (s->types & (1u << PP_CPU))
			cpu_sample(s, ev);
		if (s->types & (1u << PP_WALL))
			wall_sample(s, ev);
	}
	else if (ev->kind == GT_EV_SYNC)
		sync_event(s, ev);
	else if (GT_UNLIKELY(s->want_labels) &&
		 (ev->kind == GT_EV_REGION_BEGIN || ev->kind == GT_EV_REGION_END ||
		  ev->kind == GT_EV_TASK_BEGIN))
		region_event(s, ev);
	return 0;  /* running out of memory is said at the end, where it fails */
}

static int write_type(pprof_sink *s, int type, const char *comment)
{
	t2p_output out;
	pp_meta meta = { s->time_nanos, s->duration_nanos, comment,
			 s->binary ? s->binary : "go-program", 0, &s->labels };
	const gt_symtab *sym = s->sym;
	pp_kind kind = pp_kinds[type];
	const pp_rec *recs = s->tables[type].recs;
	size_t n = s->tables[type].n;

	if (s->merged[type]) {
		/* Its stacks are as the kind writes them already. */
		sym = pp_merge_symtab(s->merged[type]);
		recs = pp_merge_records(s->merged[type], &n);
		kind.max_frames = kind.drop_goexit = 0;
		meta.by_frame = 1;
	} else {
		pprec_name(&s->tables[type]);
	}
	if (t2p_output_open(&out, s->paths[type]))
		return -1;
	if (pp_write_profile(out.f, sym, &kind, recs, n, &meta)) {
		fprintf(stderr, "%s: %s: cannot write the %s profile\n", t2p_prog,
			s->paths[type] ? s->paths[type] : "standard output", pp_type_names[type]);
		t2p_output_abort(&out);
		return -1;
	}
	return t2p_output_commit(&out);
}

/* A trace is over: what cmd/trace would keep of it, and its span in the
 * profile's header (several: pprof's merge takes the earliest start, 0 if
 * any is unknown, and the sum of the durations). */
static int trace_over(pprof_sink *s, gt_status status)
{
	int64_t last = sel_last_time(s->sel), duration;

	if (status != GT_END) {
		if (!s->seen_sync) {
			fprintf(stderr, "%s: no complete generation to make profiles from\n", t2p_prog);
			return -1;
		}
		settle(s, 0);
		last = s->last_sync_time;
	}
	duration = (int64_t)((uint64_t)last - (uint64_t)sel_first_time(s->sel));
	if (!s->traces++ || !s->time_nanos || s->wall_start < s->time_nanos)
		s->time_nanos = s->wall_start;
	s->duration_nanos = gt_add64(s->duration_nanos, duration);
	if (s->oom) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return -1;
	}
	return 0;
}

/* Add a finished trace's records to the merged profiles, and let the next
 * trace set the tables up afresh: stack ids are its reader's. */
static int merge_trace(pprof_sink *s)
{
	for (unsigned types = s->types; types; types &= types - 1) {
		int type = __builtin_ctz(types);
		pp_table *t = &s->tables[type];

		pprec_name(t);
		if ((!s->merged[type] && !(s->merged[type] = pp_merge_new())) ||
		    pp_merge_add(s->merged[type], s->sym, &pp_kinds[type], t->recs, t->n)) {
			fprintf(stderr, "%s: out of memory\n", t2p_prog);
			return -1;
		}
	}
	for (int i = 0; i < PP_NTYPES; i++)
		pprec_free(&s->tables[i]);
	s->began = 0;
	return 0;
}

static int pprof_next(t2p_sink *base, gt_status status)
{
	pprof_sink *s = (pprof_sink *)base;

	if (trace_over(s, status) || merge_trace(s))
		return -1;
	s->seen_sync = 0;
	s->last_sync_time = 0;
	s->wall_start = 0;
	u64map_clear(&s->task_types);
	return 0;
}

static int pprof_end(t2p_sink *base, gt_status status)
{
	pprof_sink *s = (pprof_sink *)base;
	char comment[128];
	int rc = 0;

	if (trace_over(s, status) || (s->traces > 1 && merge_trace(s)))
		return -1;
	if (s->traces > 1)
		snprintf(comment, sizeof comment, "made by trace2pprof from %d go execution traces",
			 s->traces);
	else
		snprintf(comment, sizeof comment, "made by trace2pprof from a go 1.%d execution trace",
			 gt_reader_version(s->reader));
	for (int type = 0; type < PP_NTYPES; type++)
		if ((s->types & (1u << type)) && write_type(s, type, comment))
			rc = -1;
	return rc;
}

/* Each trace's reader: the tables key stacks by its symbol table. */
static int pprof_begin(t2p_sink *base, gt_reader *r)
{
	pprof_sink *s = (pprof_sink *)base;

	s->reader = r;
	s->sym = gt_reader_symtab(r);
	/* The classic profiles key records by PCs, as cmd/trace does. */
	for (int i = 0; !s->began && i < PP_NTYPES; i++)
		pprec_init(&s->tables[i], s->sym, i < PP_NCLASSIC);
	s->began = 1;
	return 0;
}

static void pprof_free(t2p_sink *base)
{
	pprof_sink *s = (pprof_sink *)base;

	for (int i = 0; i < PP_NTYPES; i++) {
		if (s->began)
			pprec_free(&s->tables[i]);
		pp_merge_free(s->merged[i]);
	}
	pp_labels_free(&s->labels);
	u64map_free(&s->task_types);
	free(s->state_sets);
	free(s);
}

t2p_sink *t2p_pprof_sink(const pp_config *cfg)
{
	pprof_sink *s = calloc(1, sizeof *s);
	unsigned states = 0;

	if (!s)
		return NULL;
	s->base = (t2p_sink){ .name = "pprof", .begin = pprof_begin, .event = pprof_event,
			      .next = pprof_next, .end = pprof_end, .free = pprof_free };
	s->types = cfg->types;
	s->classic = cfg->types & PP_CLASSIC;
	for (int i = 0; i < PP_NTYPES; i++)
		s->paths[i] = cfg->paths[i];
	for (unsigned types = s->classic; types; types &= types - 1)
		states |= 1u << pp_state[__builtin_ctz(types)];
	s->want_labels = cfg->labels;
	s->lives = s->want_labels || (s->types & (1u << PP_WALL));
	if ((s->types & (1u << PP_WALL)) || s->want_labels)
		states = 0xff;  /* a goroutine's whole life, or its name */
	u64map_init(&s->task_types, sizeof(uint32_t));
	s->whole = sel_plain(cfg->sel);
	pp_labels_init(&s->labels);
	s->key_state = pp_labels_string(&s->labels, "state", 5);
	s->key_reason = pp_labels_string(&s->labels, "reason", 6);
	for (int st = 0; st < 8; st++)
		if (wall_state_names[st])
			s->state_value[st] = pp_labels_string(&s->labels, wall_state_names[st],
							      strlen(wall_state_names[st]));
	for (int k = 0; k < LK_N; k++)
		s->label_key[k] = pp_labels_string(&s->labels, label_keys[k], strlen(label_keys[k]));
	for (int b = 0; b < DELAY_BUCKETS; b++)
		s->delay_value[b] = pp_labels_string(&s->labels, delay_names[b], strlen(delay_names[b]));
	s->binary = cfg->binary;
	s->sel = cfg->sel;
	/* Transitions into or out of a measured state open or close intervals. */
	if ((s->client = sel_client(s->sel, sizeof(pp_g), states, deliver, s)) < 0) {
		pp_labels_free(&s->labels);
		u64map_free(&s->task_types);
		free(s);
		return NULL;
	}
	sel_client_close(s->sel, s->client, trace_close);
	return &s->base;
}
