/*
 * regionsel.c - see regionsel.h.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "regionsel.h"
#include "summary.h"
#include "u64map.h"

/* A region that passed the tests known at its end; with -task, its task's
 * test waits for the tasks. */
typedef struct rs_region {
	int64_t start, end;
	uint64_t task;
} rs_region;

/* A goroutine's regions: those of its last life (Go's map keeps one). */
typedef struct rs_g {
	int64_t creation;
	rs_region *v;
	size_t n, cap;
	sel_iv *kept;              /* at the end: the outermost */
	size_t nkept;
} rs_g;

/* A task, for -task: whether it or an ancestor is of the type asked. */
enum { TASK_UNKNOWN, TASK_VISITING, TASK_IN, TASK_OUT };

typedef struct rs_task {
	uint64_t parent;
	uint8_t own;               /* of the type asked */
	uint8_t state;
} rs_task;

struct regionsel {
	regionsel_want want;
	size_t type_len, task_len;
	gsum *sum;
	const gt_symtab *sym;
	u64map gs;                 /* goroutine id -> rs_g */
	u64map tasks;              /* task id -> rs_task */
	int64_t first_time, last_sync_time;
	size_t count;
	int seen, oom;
};

static int str_is(gt_str s, const char *want, size_t len)
{
	return s.len == len && !memcmp(s.ptr, want, len);
}

/* regionTopStackFrame(r).PC: the outermost frame of the begin's stack. */
static uint64_t top_pc(const regionsel *r, const gsum_region *reg)
{
	size_t n;
	const uint32_t *frames;
	gt_frame f;

	if (!reg->has_start || reg->start_stack == GT_NO_STACK)
		return 0;
	frames = gt_symtab_stack(r->sym, reg->start_stack, &n);
	if (!n)
		return 0;
	gt_symtab_frame(r->sym, frames[n - 1], &f);
	return f.pc;
}

/* The goroutine's entry for its life created at `creation`: a new life
 * replaces the regions of the last. */
static rs_g *life_of(regionsel *r, int64_t id, int64_t creation, int add)
{
	int added;
	rs_g *g = add ? u64map_put(&r->gs, (uint64_t)id, &added) : u64map_get(&r->gs, (uint64_t)id);

	if (!g) {
		r->oom |= add;
		return NULL;
	}
	if (!add || added || g->creation != creation) {
		g->creation = creation;
		g->n = 0;
	}
	return g;
}

static void on_region(void *ctx, const gsum_goroutine *gv, const gsum_region *reg)
{
	regionsel *r = ctx;
	const regionsel_want *w = &r->want;
	/* regionInterval: a missing begin or end is the trace's start or end. */
	int64_t start = reg->has_start ? reg->start : r->first_time;
	int64_t end = reg->has_end ? reg->end : r->last_sync_time;
	int64_t latency = (int64_t)((uint64_t)end - (uint64_t)start);
	rs_g *g;

	if ((w->type && !str_is(gsum_string(r->sum, reg->type), w->type, r->type_len)) ||
	    (w->has_pc && top_pc(r, reg) != w->pc) || (w->has_latmin && latency < w->latmin) ||
	    (w->has_latmax && latency > w->latmax))
		return;
	if (!(g = life_of(r, gv->id, gv->creation, 1)))
		return;
	if (GT_RESERVE(g->v, g->cap, g->n + 1)) {
		r->oom = 1;
		return;
	}
	g->v[g->n++] = (rs_region){ start, end, reg->task };
}

/* A goroutine's life ended: one after it has none of its regions. */
static void on_goroutine(void *ctx, const gsum_goroutine *gv)
{
	regionsel *r = ctx;
	rs_g *g = u64map_get(&r->gs, (uint64_t)gv->id);

	if (g && g->creation != gv->creation)
		life_of(r, gv->id, gv->creation, 0);
}

static void on_task(void *ctx, const gsum_task *t)
{
	regionsel *r = ctx;
	int added;
	rs_task *rt = u64map_put(&r->tasks, t->id, &added);

	if (!rt) {
		r->oom = 1;
		return;
	}
	/* A type comes with a begin or an end; the background task has none. */
	rt->own = (t->has_start || t->has_end) &&
		  str_is(gsum_string(r->sum, t->type), r->want.task, r->task_len);
	rt->parent = t->parent;
}

/* Whether task id or an ancestor is of the type asked (a cycle of
 * parents, which only a hostile trace has, is not). */
static int task_in(regionsel *r, uint64_t id)
{
	rs_task *t = u64map_get(&r->tasks, id);
	int in;

	if (!t || t->state == TASK_VISITING)
		return 0;
	if (t->state != TASK_UNKNOWN)
		return t->state == TASK_IN;
	if (t->own)
		in = 1;
	else {
		t->state = TASK_VISITING;
		in = t->parent != GT_NO_TASK && task_in(r, t->parent);
		t = u64map_get(&r->tasks, id);  /* the map does not move on lookups */
	}
	t->state = in ? TASK_IN : TASK_OUT;
	return in;
}

static int by_start(const void *a, const void *b)
{
	const rs_region *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return (x->end > y->end) - (x->end < y->end);
}

/* pprofMatchingRegions' outermost regions of one goroutine. */
static void keep_outermost(regionsel *r, rs_g *g)
{
	int64_t last = 0;
	size_t n = 0;

	for (size_t i = 0; i < g->n; i++)
		if (!r->want.task || task_in(r, g->v[i].task))
			g->v[n++] = g->v[i];
	if (n && !(g->kept = malloc(n * sizeof *g->kept))) {
		r->oom = 1;
		return;
	}
	qsort(g->v, n, sizeof *g->v, by_start);
	for (size_t i = 0; i < n; i++) {
		if (last <= g->v[i].start) {
			/* One that ends before it starts (it began after a damaged
			 * trace's last Sync and never ended) or as it starts overlaps
			 * nothing, but still hides what follows until its end. */
			if (g->v[i].end > g->v[i].start)
				g->kept[g->nkept++] = (sel_iv){ g->v[i].start, g->v[i].end };
			last = g->v[i].end;
			r->count++;
		}
	}
	free(g->v);
	g->v = NULL;
	g->n = g->cap = 0;
}

void regionsel_free(regionsel *r)
{
	size_t pos = 0;
	uint64_t key;
	rs_g *g;

	if (!r)
		return;
	while ((g = u64map_next(&r->gs, &pos, &key))) {
		free(g->v);
		free(g->kept);
	}
	u64map_free(&r->gs);
	u64map_free(&r->tasks);
	gsum_free(r->sum);
	free(r);
}

regionsel *regionsel_new(const regionsel_want *want, const gt_symtab *sym)
{
	regionsel *r = calloc(1, sizeof *r);
	gsum_hooks hooks = { r, on_region, on_goroutine, want->task ? on_task : NULL };

	if (!r)
		return NULL;
	r->want = *want;
	r->type_len = want->type ? strlen(want->type) : 0;
	r->task_len = want->task ? strlen(want->task) : 0;
	r->sym = sym;
	u64map_init(&r->gs, sizeof(rs_g));
	u64map_init(&r->tasks, sizeof(rs_task));
	if (!(r->sum = gsum_new(&hooks, sym))) {
		regionsel_free(r);
		return NULL;
	}
	return r;
}

int regionsel_event(regionsel *r, const gt_event *ev)
{
	if (!r->seen) {
		r->seen = 1;
		r->first_time = ev->time;
	}
	if (ev->kind == GT_EV_SYNC)
		r->last_sync_time = ev->time;
	return gsum_event(r->sum, ev);
}

int regionsel_finish(regionsel *r)
{
	size_t pos = 0;
	uint64_t key;
	rs_g *g;

	if (gsum_finish(r->sum) || r->oom)
		return -1;
	while ((g = u64map_next(&r->gs, &pos, &key)))
		keep_outermost(r, g);
	return r->oom ? -1 : 0;
}

const sel_iv *regionsel_get(const regionsel *r, int64_t id, size_t *n)
{
	const rs_g *g = u64map_get(&r->gs, (uint64_t)id);

	*n = g ? g->nkept : 0;
	return *n ? g->kept : NULL;
}

size_t regionsel_count(const regionsel *r)
{
	return r->count;
}
