/*
 * pprof.c - goroutine time in a state, charged to the stack of the event
 * that entered it: cmd/trace's pprof.go (makeComputePprofFunc) and the
 * parts of internal/trace/summary.go it depends on, computed in one pass.
 *
 * cmd/trace holds the whole trace: it summarizes every goroutine first
 * (StartTime = first run, EndTime = death or a "forever" block), then clips
 * each interval [enter state, leave state] to [StartTime, EndTime or trace
 * end].  We clip as intervals close.  When a goroutine has already run, its
 * StartTime is final and the clip is exact at once; a goroutine that has not
 * run yet either runs later (clip to nothing) or never (clip to its whole
 * life), so its intervals wait, per goroutine, until it runs, dies or the
 * trace ends.  Memory stays bounded by live goroutines and distinct stacks.
 *
 * cmd/trace also drops the events after the last Sync when the trace turns
 * out damaged; each record changed since the last Sync keeps its value at
 * that Sync, so the changes can be taken back.
 */
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "internal.h"
#include "output.h"
#include "pprof.h"
#include "profile.h"
#include "u64map.h"

const char *const pp_type_names[PP_NTYPES] = { "net", "sync", "syscall", "sched" };

/* The state each profile measures (cmd/trace computePprofIO & co). */
static const uint8_t pp_state[PP_NTYPES] = { GT_GO_WAITING, GT_GO_WAITING, GT_GO_SYSCALL,
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

typedef struct pp_pending {
	int64_t start, end;
	uint32_t stack;
	uint8_t type;
} pp_pending;

typedef struct pp_g {
	int64_t start_time;     /* summary StartTime: first run, 0 if never */
	int64_t end_time;       /* summary EndTime: death or "forever", 0 if none */
	uint8_t summarized;     /* the summary has this goroutine */
	uint8_t tracking;       /* bit per type: an interval is open */
	int64_t track_start[PP_NTYPES];
	uint32_t track_stack[PP_NTYPES];
	pp_pending *pending;    /* closed intervals awaiting StartTime */
	size_t npending, cappending;
} pp_g;

/* A record's value at the last Sync, kept while it changes after it. */
typedef struct pp_ckpt {
	uint64_t count;
	int64_t time;
	int dirty;
} pp_ckpt;

/* Records keyed by the PCs of their stack (cmd/trace's stackMap). */
typedef struct pp_table {
	pp_rec *recs;
	uint64_t *hashes;
	pp_ckpt *ckpts;
	size_t n, cap, caphashes, capckpts;
	uint32_t *dirty;        /* records changed since the last Sync */
	size_t ndirty, capdirty;
	uint32_t *by_stack;     /* symbol stack id -> record index + 1, 0 if none yet */
	size_t capby_stack;
	u64map by_hash;         /* PC hash -> a record index with that hash */
} pp_table;

typedef struct pprof_sink {
	t2p_sink base;
	unsigned types;
	unsigned from_states;   /* bit per goroutine state: a transition from */
	unsigned to_states;     /* or to one of these may change the records */
	const char *paths[PP_NTYPES];
	const char *binary;
	gt_reader *reader;
	const gt_symtab *sym;
	u64map gs;
	pp_table tables[PP_NTYPES];
	int64_t first_time, last_time, last_sync_time;
	int64_t wall_start;     /* ns since the epoch at first_time, 0 if unknown */
	int seen_event, seen_sync;
	int oom;
} pprof_sink;

static uint64_t pcs_hash(const gt_symtab *sym, uint32_t stack, uint64_t *pcs, size_t *n)
{
	const uint32_t *frames = gt_symtab_stack(sym, stack, n);

	if (*n > 128)
		*n = 128;
	for (size_t i = 0; i < *n; i++) {
		gt_frame f;

		gt_symtab_frame(sym, frames[i], &f);
		pcs[i] = f.pc;
	}
	/* cmd/trace keys records by a zero-padded [128]uint64 of PCs, so
	 * trailing zero PCs do not count: a stack whose one frame has PC 0
	 * (the runtime writes such) shares the record of "no stack". */
	while (*n && pcs[*n - 1] == 0)
		(*n)--;
	return XXH3_64bits(pcs, *n * sizeof *pcs);
}

static int same_pcs(const gt_symtab *sym, uint32_t stack, const uint64_t *pcs, size_t n)
{
	uint64_t other[128];
	size_t m;

	pcs_hash(sym, stack, other, &m);
	return m == n && memcmp(other, pcs, n * sizeof *pcs) == 0;
}

/* The record of a stack this table has not seen yet. */
static GT_NOINLINE int new_record_of(pprof_sink *s, pp_table *t, uint32_t stack, uint32_t *out)
{
	uint64_t pcs[128], h, *slot;
	size_t n, old_cap = t->capby_stack;
	int added;

	if (stack >= t->capby_stack) {
		if (GT_RESERVE(t->by_stack, t->capby_stack, (size_t)stack + 1))
			return -1;
		memset(t->by_stack + old_cap, 0, (t->capby_stack - old_cap) * sizeof *t->by_stack);
	}
	h = pcs_hash(s->sym, stack, pcs, &n);
	if (!(slot = u64map_put(&t->by_hash, h, &added)))
		return -1;
	if (!added) {
		/* Same hash: find the record with these very PCs, if any. */
		for (size_t i = *slot; i < t->n; i++) {
			if (t->hashes[i] == h && same_pcs(s->sym, t->recs[i].stack, pcs, n)) {
				t->recs[i].stack = stack;
				*out = (uint32_t)i;
				goto found;
			}
		}
	}
	if (GT_RESERVE(t->recs, t->cap, t->n + 1) || GT_RESERVE(t->hashes, t->caphashes, t->n + 1) ||
	    GT_RESERVE(t->ckpts, t->capckpts, t->n + 1))
		return -1;
	t->recs[t->n] = (pp_rec){ stack, 0, 0 };
	t->hashes[t->n] = h;
	t->ckpts[t->n] = (pp_ckpt){ 0, 0, 0 };
	if (added)
		*slot = t->n;
	*out = (uint32_t)t->n++;
found:
	t->by_stack[stack] = *out + 1;
	return 0;
}

/* The record of a stack.  Equal PCs share a record, whose frames are those
 * of the stack that contributed last, as in cmd/trace's stackMap.getOrAdd.
 * Symbol table stack ids are dense: a stack seen before is one index away. */
static inline int record_of(pprof_sink *s, pp_table *t, uint32_t stack, uint32_t *out)
{
	if (GT_LIKELY(stack < t->capby_stack && t->by_stack[stack])) {
		*out = t->by_stack[stack] - 1;
		t->recs[*out].stack = stack;
		return 0;
	}
	return new_record_of(s, t, stack, out);
}

/* Add d ns to the record of stack for an interval that ended at `end`.
 * Only intervals that end after the last Sync may have to be taken back. */
static inline void add_sample(pprof_sink *s, int type, uint32_t stack, int64_t end, int64_t d)
{
	pp_table *t = &s->tables[type];
	pp_rec *r;
	pp_ckpt *c;
	uint32_t rec;

	if (record_of(s, t, stack, &rec)) {
		s->oom = 1;
		return;
	}
	r = &t->recs[rec];
	c = &t->ckpts[rec];
	if (end <= s->last_sync_time) {
		if (c->dirty) {
			c->count++;
			c->time = gt_add64(c->time, d);
		}
	} else if (!c->dirty) {
		if (GT_RESERVE(t->dirty, t->capdirty, t->ndirty + 1)) {
			s->oom = 1;
			return;
		}
		*c = (pp_ckpt){ r->count, r->time, 1 };
		t->dirty[t->ndirty++] = rec;
	}
	r->count++;
	r->time = gt_add64(r->time, d); /* Go's durations wrap */
}

/* At a Sync, everything so far stays; at a damaged end, what came after
 * the last Sync goes. */
static void settle(pprof_sink *s, int keep)
{
	for (int type = 0; type < PP_NTYPES; type++) {
		pp_table *t = &s->tables[type];

		for (size_t i = 0; i < t->ndirty; i++) {
			pp_ckpt *c = &t->ckpts[t->dirty[i]];

			if (!keep) {
				t->recs[t->dirty[i]].count = c->count;
				t->recs[t->dirty[i]].time = c->time;
			}
			c->dirty = 0;
		}
		t->ndirty = 0;
	}
}

/* cmd/trace's interval.overlap: [gs, ge] against [start, end]. */
static int64_t overlap(int64_t gs, int64_t ge, int64_t start, int64_t end)
{
	if (ge < start || end < gs)
		return 0;
	if (gs < start)
		gs = start;
	if (ge > end)
		ge = end;
	return (int64_t)((uint64_t)ge - (uint64_t)gs);
}

/* Charge a closed interval of a goroutine that has already run. */
static void charge(pprof_sink *s, const pp_g *g, int type, int64_t start, int64_t end, uint32_t stack)
{
	int64_t d = overlap(g->start_time, g->end_time ? g->end_time : INT64_MAX, start, end);

	if (d > 0)
		add_sample(s, type, stack, end, d);
}

/* Charge the waiting intervals of a goroutine that never ran: its summary
 * interval is [0, EndTime or trace end].  Rare, so out of line: once the
 * raw reader joined the build, LTO inlined it into pprof_event, whose
 * every event then took 4 instructions more (-pprof=sched, 40 MB trace). */
static GT_NOINLINE void charge_never_ran(pprof_sink *s, pp_g *g, int64_t trace_end)
{
	int64_t ge = g->end_time ? g->end_time : trace_end;

	for (size_t i = 0; i < g->npending; i++) {
		const pp_pending *p = &g->pending[i];
		int64_t d = overlap(0, ge, p->start, p->end);

		if (d > 0)
			add_sample(s, p->type, p->stack, p->end, d);
	}
	g->npending = 0;
}

static void close_interval(pprof_sink *s, pp_g *g, int type, int64_t end)
{
	int64_t start = g->track_start[type];
	uint32_t stack = g->track_stack[type];

	g->tracking &= (uint8_t)~(1u << type);
	if (!g->summarized)
		return;  /* cmd/trace: a goroutine missing from the summary adds 0 */
	if (g->start_time) {
		charge(s, g, type, start, end, stack);
		return;
	}
	if (GT_RESERVE(g->pending, g->cappending, g->npending + 1)) {
		s->oom = 1;
		return;
	}
	g->pending[g->npending++] = (pp_pending){ start, end, stack, (uint8_t)type };
}

static void free_g(pp_g *g)
{
	free(g->pending);
}

static int is_forever(gt_str reason)
{
	return reason.len == 7 && memcmp(reason.ptr, "forever", 7) == 0;
}

/* The summary's view of a goroutine transition (summary.go Event). */
static void summarize(pp_g *g, const gt_event *ev)
{
	uint8_t from = ev->transition.from, to = ev->transition.to;

	if (from == to)
		return;
	if (from == GT_GO_UNDETERMINED || from == GT_GO_NOT_EXIST) {
		/* A new summary entry (Go replaces any earlier one). */
		g->summarized = 1;
		g->start_time = 0;
		g->end_time = 0;
	}
	if (!g->summarized)
		return;
	if (to == GT_GO_RUNNING && g->start_time == 0) {
		g->start_time = ev->time;
		/* Intervals that closed before the first run clip to nothing. */
		g->npending = 0;
	}
	if (to == GT_GO_NOT_EXIST || (to == GT_GO_WAITING && is_forever(ev->transition.reason)))
		g->end_time = ev->time;
}

static void goroutine_transition(pprof_sink *s, const gt_event *ev)
{
	int added;
	pp_g *g = u64map_put(&s->gs, (uint64_t)ev->transition.id, &added);
	uint8_t to = ev->transition.to;

	if (!g) {
		s->oom = 1;
		return;
	}
	summarize(g, ev);
	for (unsigned types = s->types; types; types &= types - 1) {
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
			close_interval(s, g, type, ev->time);
	}
	if (to == GT_GO_NOT_EXIST) {
		/* A dead goroutine never runs again: settle it and forget it. */
		if (g->start_time == 0)
			charge_never_ran(s, g, ev->time);
		if (!g->tracking) {
			free_g(g);
			u64map_del(&s->gs, (uint64_t)ev->transition.id);
		}
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

		s->wall_start = (int64_t)(wall - ((uint64_t)ev->sync.clock_trace - (uint64_t)s->first_time));
	}
}

/* Whether a goroutine transition can change what the sink records: one
 * into or out of a measured state, a birth (or first sight), a run (which
 * may be the first) or an end.  The rest, such as a block for the sched
 * profile (a third of all events), need not look the goroutine up. */
static int may_matter(const pprof_sink *s, const gt_event *ev)
{
	uint8_t to = ev->transition.to;

	return (s->from_states & (1u << ev->transition.from)) || (s->to_states & (1u << to)) ||
	       (to == GT_GO_WAITING && is_forever(ev->transition.reason));
}

static int pprof_event(t2p_sink *base, const gt_event *ev)
{
	pprof_sink *s = (pprof_sink *)base;

	if (GT_UNLIKELY(!s->seen_event)) {
		s->seen_event = 1;
		s->first_time = ev->time;
	}
	s->last_time = ev->time;
	if (ev->kind == GT_EV_STATE_TRANSITION && ev->transition.resource == GT_RES_GOROUTINE) {
		if (may_matter(s, ev))
			goroutine_transition(s, ev);
	} else if (ev->kind == GT_EV_SYNC) {
		sync_event(s, ev);
	}
	if (GT_UNLIKELY(s->oom)) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return -1;
	}
	return 0;
}

/* Drop pending intervals whose end came after `limit`. */
static void drop_pending_after(pp_g *g, int64_t limit)
{
	size_t k = 0;

	for (size_t i = 0; i < g->npending; i++)
		if (g->pending[i].end <= limit)
			g->pending[k++] = g->pending[i];
	g->npending = k;
}

static int write_type(pprof_sink *s, int type, const char *comment)
{
	t2p_output out;
	pp_meta meta = { s->wall_start, (int64_t)((uint64_t)s->last_time - (uint64_t)s->first_time), comment,
			 s->binary ? s->binary : "go-program" };
	pp_table *t = &s->tables[type];

	if (t2p_output_open(&out, s->paths[type]))
		return -1;
	if (pp_write_profile(out.f, s->sym, t->recs, t->n, &meta)) {
		fprintf(stderr, "%s: %s: cannot write the %s profile\n", t2p_prog,
			s->paths[type] ? s->paths[type] : "standard output", pp_type_names[type]);
		t2p_output_abort(&out);
		return -1;
	}
	return t2p_output_commit(&out);
}

static int pprof_end(t2p_sink *base, gt_status status)
{
	pprof_sink *s = (pprof_sink *)base;
	int64_t trace_end = s->last_time;
	size_t pos = 0;
	uint64_t key;
	pp_g *g;
	char comment[128];
	int rc = 0;

	if (status != GT_END) {
		if (!s->seen_sync) {
			fprintf(stderr, "%s: no complete generation to make profiles from\n", t2p_prog);
			return -1;
		}
		settle(s, 0);
		trace_end = s->last_sync_time;
		s->last_time = trace_end;
	}
	while ((g = u64map_next(&s->gs, &pos, &key))) {
		if (status != GT_END)
			drop_pending_after(g, trace_end);
		if (g->summarized && g->start_time == 0)
			charge_never_ran(s, g, trace_end);
	}
	if (s->oom) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return -1;
	}
	snprintf(comment, sizeof comment, "made by trace2pprof from a go 1.%d execution trace",
		 gt_reader_version(s->reader));
	for (int type = 0; type < PP_NTYPES; type++)
		if ((s->types & (1u << type)) && write_type(s, type, comment))
			rc = -1;
	return rc;
}

static int pprof_begin(t2p_sink *base, gt_reader *r)
{
	pprof_sink *s = (pprof_sink *)base;

	s->reader = r;
	s->sym = gt_reader_symtab(r);
	return 0;
}

static void pprof_free(t2p_sink *base)
{
	pprof_sink *s = (pprof_sink *)base;
	size_t pos = 0;
	uint64_t key;
	pp_g *g;

	while ((g = u64map_next(&s->gs, &pos, &key)))
		free_g(g);
	u64map_free(&s->gs);
	for (int i = 0; i < PP_NTYPES; i++) {
		free(s->tables[i].recs);
		free(s->tables[i].hashes);
		free(s->tables[i].ckpts);
		free(s->tables[i].dirty);
		free(s->tables[i].by_stack);
		u64map_free(&s->tables[i].by_hash);
	}
	free(s);
}

t2p_sink *t2p_pprof_sink(unsigned types, const char *const paths[PP_NTYPES], const char *binary)
{
	pprof_sink *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->base = (t2p_sink){ .name = "pprof", .begin = pprof_begin, .event = pprof_event,
			      .end = pprof_end, .free = pprof_free };
	s->types = types;
	s->from_states = 1u << GT_GO_UNDETERMINED | 1u << GT_GO_NOT_EXIST;
	s->to_states = 1u << GT_GO_RUNNING | 1u << GT_GO_NOT_EXIST;
	for (int i = 0; i < PP_NTYPES; i++) {
		s->paths[i] = paths[i];
		if (types & (1u << i)) {
			s->from_states |= 1u << pp_state[i];
			s->to_states |= 1u << pp_state[i];
		}
	}
	s->binary = binary;
	u64map_init(&s->gs, sizeof(pp_g));
	for (int i = 0; i < PP_NTYPES; i++)
		u64map_init(&s->tables[i].by_hash, sizeof(uint64_t));
	return &s->base;
}
