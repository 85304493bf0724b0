/*
 * select.c - see select.h.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "output.h"
#include "select.h"
#include "u64map.h"

typedef struct sel_pending {
	int64_t start, end;
	uint64_t tag;
	uint8_t client, point;
} sel_pending;

typedef struct sel_clientinfo {
	sel_deliver_fn *deliver;
	sel_close_fn *close;       /* NULL: nothing open at the trace's end */
	void *ctx;
	unsigned states;
} sel_clientinfo;

struct t2p_select {
	sel_head head;             /* first: the inline functions read it */
	t2p_selection want;
	size_t name_len;
	int by_name;               /* -goroutine with a NAME */
	int by_region;             /* regions or tasks selected */
	int clip_life;             /* spans clip to their goroutine's life */
	int plain;                 /* no selection: spans clip to lives alone */
	regionsel *rs;             /* with by_region, this trace's regions */
	focus *fo;                 /* with a focus, the trace's */
	int focus_missing;
	size_t regions_kept;       /* over all traces */
	t2p_sink prepass;          /* the sink of the first reading */
	sel_clientinfo clients[SEL_MAX_CLIENTS];
	int nclients;
	size_t record_size;
	/* need[from << 3 | to]: whether a goroutine transition needs the
	 * record: NEED_ALWAYS, or NEED_FOREVER if its reason is "forever". */
	uint8_t need[64];
	const gt_symtab *sym;
	u64map gs;                 /* goroutine id -> sel_g and the clients' bytes */
	int64_t dead;              /* the last goroutine that died, or -1 */
	int started;
	/* Go's reader begins every generation with a Sync and ends a clean
	 * trace with one (internal/trace/reader.go), so the trace's first and
	 * last events are Syncs; a damaged trace ends, for cmd/trace, at its
	 * last Sync. */
	int64_t first_time, last_sync_time;
	int64_t win_start, win_end;/* the window, in trace time */
	int window_hit;            /* a trace reached into the window */
	int64_t longest;           /* the longest trace's length, ns */
	uint64_t matched;          /* goroutines named NAME, over all traces */
	int oom;                   /* said at the trace's end */
};

t2p_select *t2p_select_new(const t2p_selection *want)
{
	const regionsel_want *w = &want->regions;
	t2p_select *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->want = *want;
	s->by_name = want->goroutine && *want->goroutine;
	s->name_len = s->by_name ? strlen(want->goroutine) : 0;
	s->by_region = w->type || w->task || w->has_pc || w->has_latmin || w->has_latmax;
	/* cmd/trace's region profiles count regions, not lives: the life
	 * counts with a name only (a NAME and regions: both). */
	s->clip_life = !s->by_region || s->by_name;
	s->plain = !s->by_name && !s->by_region && !want->has_from && !want->has_to;
	s->record_size = (sizeof(sel_g) + 7) & ~(size_t)7;
	return s;
}

void t2p_select_free(t2p_select *s)
{
	size_t pos = 0;
	uint64_t key;
	sel_g *g;

	if (!s)
		return;
	while ((g = u64map_next(&s->gs, &pos, &key)))
		free(g->pending);
	u64map_free(&s->gs);
	regionsel_free(s->rs);
	focus_free(s->fo);
	free(s);
}

enum { NEED_NOT, NEED_ALWAYS, NEED_FOREVER };

/* Which goroutine transitions need the record, as a table: one load an
 * event, where testing the states one by one took a dozen instructions
 * (tests/bench/instr).  The stage needs births, first runs and ends
 * (summary.go), and with a name to learn, every transition that may carry
 * a stack; the clients, what they asked for. */
static void make_need(t2p_select *s)
{
	unsigned states = 0;

	for (int c = 0; c < s->nclients; c++)
		states |= s->clients[c].states;
	for (int from = 0; from < 8; from++) {
		for (int to = 0; to < 8; to++) {
			uint8_t n = NEED_NOT;

			if (from == to)
				;  /* summary.go skips them, and so do the profiles */
			else if ((states >> from & 1) || (states >> to & 1) || s->by_name ||
				 from == GT_GO_UNDETERMINED || from == GT_GO_NOT_EXIST ||
				 to == GT_GO_RUNNING || to == GT_GO_NOT_EXIST)
				n = NEED_ALWAYS;
			else if (to == GT_GO_WAITING)
				n = NEED_FOREVER;
			s->need[from << 3 | to] = n;
		}
	}
}

int sel_client(t2p_select *s, size_t local, unsigned states, sel_deliver_fn *deliver, void *ctx)
{
	int c = s->nclients;

	if (c == SEL_MAX_CLIENTS)
		return -1;
	s->clients[c] = (sel_clientinfo){ .deliver = deliver, .ctx = ctx, .states = states };
	s->head.offset[c] = s->record_size;
	s->record_size += (local + 7) & ~(size_t)7;
	s->nclients++;
	return c;
}

void sel_client_close(t2p_select *s, int c, sel_close_fn *close)
{
	s->clients[c].close = close;
}

int sel_plain(const t2p_select *s)
{
	return s->plain;
}

sel_g *sel_goroutine(const t2p_select *s, int64_t id)
{
	return u64map_get(&s->gs, (uint64_t)id);
}

/* The goroutine's life as the selection clips to it: [StartTime, EndTime
 * or the trace's end], or [0, ...] if it never ran.  0, or -1 while its
 * start is not known yet. */
static int life(const sel_g *g, int64_t *gs, int64_t *ge)
{
	if (!g->start && !g->end)
		return -1;
	*gs = g->start;
	*ge = g->end ? g->end : INT64_MAX;
	return 0;
}

/* The first of n regions sorted by end that ends after t. */
static size_t first_ending_after(const sel_iv *v, size_t n, int64_t t)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].end > t)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* The selected part of a span; clip_life: within the goroutine's life as
 * cmd/trace clips it. */
static int64_t span_part(const t2p_select *s, const sel_g *g, int64_t start, int64_t end,
			 int clip_life)
{
	int64_t gs, ge, sum = 0;

	if (!g->summarized)
		return 0;  /* cmd/trace: a goroutine missing from the summary adds 0 */
	if (s->by_name) {
		if (!g->named)
			return SEL_LATER;
		if (!g->match)
			return 0;
	}
	if (clip_life) {
		if (life(g, &gs, &ge))
			return SEL_LATER;
		if (start < gs)
			start = gs;
		if (end > ge)
			end = ge;
	}
	if (start < s->win_start)
		start = s->win_start;
	if (end > s->win_end)
		end = s->win_end;
	if (end < start)
		return 0;
	if (!s->by_region)
		return (int64_t)((uint64_t)end - (uint64_t)start);
	/* pprofOverlappingDuration: the positive overlaps with its regions. */
	for (size_t i = first_ending_after(g->regions, g->nregions, start);
	     i < g->nregions && g->regions[i].start < end; i++) {
		int64_t a = g->regions[i].start > start ? g->regions[i].start : start;
		int64_t b = g->regions[i].end < end ? g->regions[i].end : end;

		sum = gt_add64(sum, (int64_t)((uint64_t)b - (uint64_t)a));
	}
	return sum;
}

int64_t sel_span_slow(const t2p_select *s, const sel_g *g, int64_t start, int64_t end)
{
	return span_part(s, g, start, end, s->clip_life);
}

int64_t sel_span_whole(const t2p_select *s, const sel_g *g, int64_t start, int64_t end)
{
	return span_part(s, g, start, end, 0);
}

int64_t sel_point(const t2p_select *s, const sel_g *g, int64_t t)
{
	size_t i;

	if (t < s->win_start || t > s->win_end)
		return 0;
	if (!s->by_name && !s->by_region)
		return 1;
	if (!g || !g->summarized)
		return 0;
	if (s->by_name && !g->named)
		return SEL_LATER;
	if (s->by_name && !g->match)
		return 0;
	if (!s->by_region)
		return 1;
	i = first_ending_after(g->regions, g->nregions, t - 1);
	return i < g->nregions && g->regions[i].start <= t;
}

int sel_defer(sel_g *g, int c, int64_t start, int64_t end, int point, uint64_t tag)
{
	if (g->npending == g->cappending) {
		uint32_t cap = g->cappending ? 2 * g->cappending : 4;
		sel_pending *p = realloc(g->pending, cap * sizeof *p);

		if (!p)
			return -1;
		g->pending = p;
		g->cappending = cap;
	}
	g->pending[g->npending++] = (sel_pending){ start, end, tag, (uint8_t)c, (uint8_t)point };
	return 0;
}

/* Hand out the answers that are known now; keep the rest. */
static void settle(t2p_select *s, sel_g *g)
{
	uint32_t k = 0;

	for (uint32_t i = 0; i < g->npending; i++) {
		const sel_pending *p = &g->pending[i];
		int64_t ns = p->point == SEL_POINT   ? sel_point(s, g, p->start)
			     : p->point == SEL_WHOLE ? sel_span_whole(s, g, p->start, p->end)
						     : sel_span_slow(s, g, p->start, p->end);

		if (ns == SEL_LATER) {
			g->pending[k++] = *p;
			continue;
		}
		if (ns > 0)
			s->clients[p->client].deliver(s->clients[p->client].ctx, p->tag, p->end,
						      p->point == SEL_POINT ? 0 : ns);
	}
	g->npending = k;
}

static int is_forever(gt_str reason)
{
	return reason.len == 7 && memcmp(reason.ptr, "forever", 7) == 0;
}

gt_str sel_start_function(const gt_symtab *sym, uint32_t stack)
{
	size_t n;
	const uint32_t *frames = gt_symtab_stack(sym, stack, &n);
	gt_frame f;

	if (!n)
		return (gt_str){ "", 0 };
	gt_symtab_frame(sym, frames[n - 1], &f);
	return f.func;
}

static void learn_name(t2p_select *s, sel_g *g, uint32_t stack)
{
	gt_str name = sel_start_function(s->sym, stack);

	if (!name.len)
		return;
	g->named = 1;
	g->match = name.len == s->name_len && !memcmp(name.ptr, s->want.goroutine, s->name_len);
	s->matched += g->match;
}

/* A goroutine's record goes once it has died and the sinks have seen it
 * die: when the next one dies, the record of the one before.  Deleting
 * moves records in the map: g's address after it. */
static GT_NOINLINE sel_g *forget_dead(t2p_select *s, sel_g *g, int64_t dying)
{
	if (s->dead >= 0 && s->dead != dying) {
		sel_g *old = u64map_get(&s->gs, (uint64_t)s->dead);

		/* Unless it was born again since. */
		if (old && old->gone) {
			free(old->pending);  /* it settled every span when it died */
			u64map_del(&s->gs, (uint64_t)s->dead);
			g = u64map_get(&s->gs, (uint64_t)dying);
		}
	}
	s->dead = dying;
	return g;
}

/* The summary's view of a goroutine transition (summary.go Event); the
 * record, which has moved if another went. */
static sel_g *summarize(t2p_select *s, sel_g *g, const gt_event *ev)
{
	uint8_t from = ev->transition.from, to = ev->transition.to;
	int changed = 0;

	if (from == GT_GO_UNDETERMINED || from == GT_GO_NOT_EXIST) {
		/* A new summary (Go's map replaces any earlier one). */
		g->summarized = 1;
		g->gone = 0;
		g->start = g->end = 0;
		g->named = g->match = 0;
		if (GT_UNLIKELY(s->by_region))
			g->regions = regionsel_get(s->rs, ev->transition.id, &g->nregions);
		changed = 1;
	} else if (!g->summarized) {
		return g;
	}
	if (GT_UNLIKELY(s->by_name) && !g->named && ev->transition.stack != GT_NO_STACK) {
		learn_name(s, g, ev->transition.stack);
		changed |= g->named;
	}
	if (to == GT_GO_RUNNING) {
		if (!g->start) {
			g->start = ev->time;
			changed = 1;
		}
	} else if (to == GT_GO_NOT_EXIST || (to == GT_GO_WAITING && is_forever(ev->transition.reason))) {
		g->end = ev->time;
		g->named = 1;  /* its name can no longer be learned */
		changed = 1;
		if (to == GT_GO_NOT_EXIST) {
			g->gone = 1;
			g = forget_dead(s, g, ev->transition.id);
		}
	}
	if (changed) {
		/* Spans can be answered from start and end alone from now on. */
		g->ready = s->plain && g->start;
		if (g->npending)
			settle(s, g);
	}
	return g;
}

int sel_needs_prepass(const t2p_select *s)
{
	return s->by_region || s->want.focus.kind != FOCUS_NONE;
}

static t2p_select *prepass_stage(t2p_sink *base)
{
	return (t2p_select *)(void *)((char *)base - offsetof(t2p_select, prepass));
}

static int prepass_begin(t2p_sink *base, gt_reader *r)
{
	t2p_select *s = prepass_stage(base);

	regionsel_free(s->rs);
	focus_free(s->fo);
	s->rs = NULL;
	s->fo = NULL;
	if ((s->by_region && !(s->rs = regionsel_new(&s->want.regions, gt_reader_symtab(r)))) ||
	    (s->want.focus.kind != FOCUS_NONE &&
	     !(s->fo = focus_new(&s->want.focus, gt_reader_symtab(r))))) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return -1;
	}
	return 0;
}

static int prepass_event(t2p_sink *base, const gt_event *ev)
{
	t2p_select *s = prepass_stage(base);

	if ((s->rs && regionsel_event(s->rs, ev)) || (s->fo && focus_event(s->fo, ev))) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return -1;
	}
	return 0;
}

/* Whatever the status: cmd/trace summarizes a damaged trace's events too. */
static int prepass_end(t2p_sink *base, gt_status status)
{
	t2p_select *s = prepass_stage(base);

	int rc;

	(void)status;
	if (s->rs) {
		if (regionsel_finish(s->rs)) {
			fprintf(stderr, "%s: out of memory\n", t2p_prog);
			return -1;
		}
		s->regions_kept += regionsel_count(s->rs);
	}
	if (s->fo && (rc = focus_finish(s->fo))) {
		s->focus_missing = rc == 2;
		return -1;
	}
	return 0;
}

int sel_window(const t2p_select *s, int64_t *from, int64_t *to)
{
	if (from)
		*from = s->want.has_from ? s->want.from : 0;
	if (to)
		*to = s->want.has_to ? s->want.to : INT64_MAX;
	return s->want.has_from || s->want.has_to;
}

const tv_focus *sel_focus(const t2p_select *s)
{
	return s->fo ? focus_get(s->fo) : NULL;
}

int sel_focus_missing(const t2p_select *s)
{
	return s->focus_missing;
}

/* The stage's data outlive the sink. */
static void prepass_free(t2p_sink *base)
{
	(void)base;
}

t2p_sink *sel_prepass_sink(t2p_select *s)
{
	/* Until sel_begin, the stage looks nothing up. */
	memset(s->need, NEED_NOT, sizeof s->need);
	s->prepass = (t2p_sink){ .name = "selection pre-pass", .begin = prepass_begin,
				 .event = prepass_event, .end = prepass_end, .free = prepass_free };
	return &s->prepass;
}

int sel_begin(t2p_select *s, gt_reader *r)
{
	if (!s->gs.stride)
		u64map_init(&s->gs, s->record_size);
	make_need(s);
	s->sym = gt_reader_symtab(r);
	s->dead = -1;
	s->started = 0;
	return 0;
}

/* The window in trace time, once the trace's start is known. */
static void set_window(t2p_select *s)
{
	s->win_start = INT64_MIN;
	s->win_end = INT64_MAX;
	if (s->want.has_from)
		s->win_start = gt_add64(s->first_time, s->want.from);
	if (s->want.has_to)
		s->win_end = gt_add64(s->first_time, s->want.to);
}

static GT_NOINLINE void sync_event(t2p_select *s, const gt_event *ev)
{
	if (!s->started) {
		s->started = 1;
		s->first_time = ev->time;
		set_window(s);
	}
	s->last_sync_time = ev->time;
}

void sel_event(t2p_select *s, const gt_event *ev)
{
	s->head.cur = NULL;
	if (ev->kind == GT_EV_STATE_TRANSITION && ev->transition.resource == GT_RES_GOROUTINE) {
		uint8_t need = s->need[ev->transition.from << 3 | ev->transition.to];
		int added;
		sel_g *g;

		if (need == NEED_NOT || (need == NEED_FOREVER && !is_forever(ev->transition.reason)))
			return;
		if (GT_UNLIKELY(!(g = u64map_put(&s->gs, (uint64_t)ev->transition.id, &added)))) {
			s->oom = 1;
			return;
		}
		s->head.cur = summarize(s, g, ev);
	} else if (ev->kind == GT_EV_SYNC) {
		sync_event(s, ev);
	}
}

int sel_trace_end(t2p_select *s, gt_status st)
{
	size_t pos = 0;
	uint64_t key;
	sel_g *g;

	s->head.cur = NULL;
	if (s->oom) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return -1;
	}
	if (s->started) {
		int64_t len = (int64_t)((uint64_t)s->last_sync_time - (uint64_t)s->first_time);

		s->window_hit |= s->win_start <= s->last_sync_time && s->win_end >= s->first_time;
		if (len > s->longest)
			s->longest = len;
	}
	while ((g = u64map_next(&s->gs, &pos, &key))) {
		/* What the clients have open ends with the trace (at its last
		 * Sync if damaged); their spans are answered below. */
		for (int c = 0; c < s->nclients; c++)
			if (s->clients[c].close)
				s->clients[c].close(s->clients[c].ctx, g, s->last_sync_time);
		if (st != GT_END) {
			/* cmd/trace leaves out what came after the last Sync. */
			uint32_t k = 0;

			for (uint32_t i = 0; i < g->npending; i++)
				if (g->pending[i].end <= s->last_sync_time)
					g->pending[k++] = g->pending[i];
			g->npending = k;
		}
		/* The trace is over: a name not known now never will be, and a
		 * goroutine that never ran spans [0, the trace's end]. */
		if (g->npending) {
			g->named = 1;
			if (!g->start && !g->end)
				g->end = INT64_MAX;
			settle(s, g);
		}
		free(g->pending);
	}
	u64map_clear(&s->gs);
	return 0;
}

int64_t sel_first_time(const t2p_select *s)
{
	return s->first_time;
}

int64_t sel_last_time(const t2p_select *s)
{
	return s->last_sync_time;
}

int sel_finish(t2p_select *s)
{
	if (s->by_name && !s->matched) {
		/* cmd/trace's pprofMatchingGoroutines. */
		fprintf(stderr, "%s: -goroutine: failed to find matching goroutines for name: %s\n",
			t2p_prog, s->want.goroutine);
		return 2;
	}
	/* cmd/trace's pprofMatchingRegions: an empty profile. */
	if (s->by_region && !s->regions_kept)
		t2p_warn("warning: no region matches the selection: the profiles are empty");
	/* cmd/trace's timeline of such a window is its lanes' names alone. */
	if (sel_window(s, NULL, NULL) && !s->window_hit)
		t2p_warn("warning: the window of -from and -to holds no part of the trace (it lasts"
			 " %.9gms): the outputs are empty", (double)s->longest / 1e6);
	return 0;
}
