/*
 * pprof.c - goroutine time in a state, charged to the stack of the event
 * that entered it: cmd/trace's pprof.go (makeComputePprofFunc), computed in
 * one pass.  Which part of each interval counts (cmd/trace clips it to the
 * goroutine's life, or to the selected goroutines and regions) is the
 * selection stage's answer (select.h), sometimes given later.  Memory stays
 * bounded by live goroutines and distinct stacks.
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
#include "select.h"
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

/* The sink's own part of a goroutine's record in the selection stage. */
typedef struct pp_g {
	uint8_t tracking;       /* bit per type: an interval is open */
	int64_t track_start[PP_NTYPES];
	uint32_t track_stack[PP_NTYPES];
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
	int oom;                /* sticky: the profiles are not written */
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

/* An interval whose selected part the stage answered later. */
static void deliver(void *ctx, uint64_t tag, int64_t end, int64_t ns)
{
	add_sample(ctx, (int)(tag >> 32), (uint32_t)tag, end, ns);
}

static void close_interval(pprof_sink *s, sel_g *sg, pp_g *g, int type, int64_t end)
{
	int64_t start = g->track_start[type];
	uint32_t stack = g->track_stack[type];
	int64_t d = sel_span(s->sel, sg, start, end);

	g->tracking &= (uint8_t)~(1u << type);
	if (d > 0)
		add_sample(s, type, stack, end, d);
	else if (GT_UNLIKELY(d == SEL_LATER) &&
		 sel_defer(sg, s->client, start, end, 0, (uint64_t)type << 32 | stack))
		s->oom = 1;
}

/* A goroutine transition into or out of a measured state. */
static void goroutine_transition(pprof_sink *s, sel_g *sg, const gt_event *ev)
{
	pp_g *g = sel_local(s->sel, sg, s->client);
	uint8_t to = ev->transition.to;

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

static int pprof_event(t2p_sink *base, const gt_event *ev)
{
	pprof_sink *s = (pprof_sink *)base;
	sel_g *sg;

	/* The stage hands out the goroutine of the transitions we asked for. */
	if ((sg = sel_current(s->sel)))
		goroutine_transition(s, sg, ev);
	else if (ev->kind == GT_EV_SYNC)
		sync_event(s, ev);
	return 0;  /* running out of memory is said at the end, where it fails */
}

static int write_type(pprof_sink *s, int type, int64_t duration, const char *comment)
{
	t2p_output out;
	pp_meta meta = { s->wall_start, duration, comment, s->binary ? s->binary : "go-program" };
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
	int64_t last = sel_last_time(s->sel), duration;
	char comment[128];
	int rc = 0;

	if (status != GT_END) {
		if (!s->seen_sync) {
			fprintf(stderr, "%s: no complete generation to make profiles from\n", t2p_prog);
			return -1;
		}
		settle(s, 0);
		last = s->last_sync_time;
	}
	duration = (int64_t)((uint64_t)last - (uint64_t)sel_first_time(s->sel));
	if (s->oom) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return -1;
	}
	snprintf(comment, sizeof comment, "made by trace2pprof from a go 1.%d execution trace",
		 gt_reader_version(s->reader));
	for (int type = 0; type < PP_NTYPES; type++)
		if ((s->types & (1u << type)) && write_type(s, type, duration, comment))
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

t2p_sink *t2p_pprof_sink(unsigned types, const char *const paths[PP_NTYPES], const char *binary,
			 t2p_select *sel)
{
	pprof_sink *s = calloc(1, sizeof *s);
	unsigned states = 0;

	if (!s)
		return NULL;
	s->base = (t2p_sink){ .name = "pprof", .begin = pprof_begin, .event = pprof_event,
			      .end = pprof_end, .free = pprof_free };
	s->types = types;
	for (int i = 0; i < PP_NTYPES; i++) {
		s->paths[i] = paths[i];
		if (types & (1u << i))
			states |= 1u << pp_state[i];
	}
	s->binary = binary;
	s->sel = sel;
	/* Transitions into or out of a measured state open or close intervals. */
	if ((s->client = sel_client(sel, sizeof(pp_g), states, deliver, s)) < 0) {
		free(s);
		return NULL;
	}
	for (int i = 0; i < PP_NTYPES; i++)
		u64map_init(&s->tables[i].by_hash, sizeof(uint64_t));
	return &s->base;
}
