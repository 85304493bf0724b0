/*
 * tvgen.c - see tvgen.h.  The proc and thread views run cmd/trace's
 * generators over the event stream as it comes instead of over a parsed
 * trace held in memory.  A goroutine's state is dropped when it dies idle,
 * which cmd/trace never does but which changes nothing it would show.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "outbuf.h"
#include "output.h"
#include "tvgen.h"
#include "u64map.h"

static int buf_reserve(tv_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 32;
	char *p;

	if (need <= b->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (!(p = realloc(b->p, cap)))
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

int tv_buf_add(tv_buf *b, const char *p, size_t len)
{
	if (len > SIZE_MAX - b->len || buf_reserve(b, b->len + len))
		return -1;
	if (len)
		memcpy(b->p + b->len, p, len);
	b->len += len;
	return 0;
}

int tv_buf_set(tv_buf *b, const char *p, size_t len)
{
	b->len = 0;
	return tv_buf_add(b, p, len);
}

void tv_buf_free(tv_buf *b)
{
	free(b->p);
	*b = (tv_buf){ 0 };
}

/* traceviewer.pickTaskColor: the catapult colour names of colorForTask. */
const char *tv_task_color(uint64_t id)
{
	static const char *const colors[23] = {
		"thread_state_uninterruptible", "thread_state_iowait", "thread_state_running",
		"thread_state_runnable", "thread_state_unknown", "light_memory_dump",
		"background_memory_dump", "detailed_memory_dump", "good", "bad", "terrible",
		"olive", "rail_response", "rail_animation", "rail_idle", "rail_load",
		"heap_dump_child_node_arrow", "cq_build_running", "cq_build_passed",
		"cq_build_failed", "cq_build_abandoned", "cq_build_attempt_runnig",
		"cq_build_attempt_passed",
	};

	return colors[id % 23];
}

#define NO_RES ((int64_t)-1)   /* cmd/trace's noResource */

/* An open range: gState.activeRanges, and the global and proc ranges of
 * gen.go, which are keyed by name (and proc). */
typedef struct js_range {
	tv_buf name;
	int64_t scope;     /* the proc of a proc range, else 0 */
	int64_t time;      /* goroutine ranges: 0 while the goroutine is off-CPU */
	uint32_t stack;
} js_range;

typedef struct js_ranges {
	js_range *v;
	size_t n, cap;     /* entries n..cap-1 keep their buffers for reuse */
} js_ranges;

/* gState.completedRanges: shown when the goroutine next stops. */
typedef struct js_done {
	tv_buf name;
	int64_t start, end;
	uint32_t start_stack, end_stack;
	const char *blocked;  /* syscalls: "yes" or "no"; NULL for ranges */
} js_done;

/* A user region open on a goroutine (goroutine view). */
typedef struct js_region {
	tv_buf name;
	uint64_t task;
	int64_t time;      /* 0: began before the trace */
	uint32_t stack;
} js_region;

/* cmd/trace's gState, plus what the goroutine view shows. */
typedef struct js_g {
	uint32_t func;           /* augmentName: outermost function of the first stack */
	uint8_t named;
	uint8_t state;           /* last gt_go_state */
	uint8_t sys_active;
	tv_buf label;
	int64_t executing;       /* the lane it runs on, NO_RES if none */
	int64_t start_running;
	uint32_t last_stop_stack;
	int64_t sys_time;
	uint32_t sys_stack;
	tv_buf block_reason;     /* startBlockReason */
	tv_buf cause;            /* startCause.name; empty if none */
	int64_t cause_time;
	uint64_t cause_res;
	uint32_t cause_stack;
	js_ranges ranges;
	js_done *done;
	size_t ndone, capdone;
	int64_t since;           /* goroutine view: start of the current state */
	int64_t since_m, since_p;/* and where it entered it */
	uint32_t since_stack;
	tv_buf state_reason;
	js_region *regions;
	size_t nregions, capregions;
	uint64_t epoch;          /* the checkpoint it was last saved at */
} js_g;

/* A goroutine as it was at the checkpoint, or that it did not exist. */
typedef struct js_backup {
	int absent;
	js_g g;
} js_backup;

/* A user task open in the goroutine view. */
typedef struct js_task {
	tv_buf name;
	uint64_t parent;
	int64_t start;           /* 0: began before the trace */
	int64_t start_g;
	uint32_t start_stack;
} js_task;

/* The values of the STATS counters, and those last drawn. */
typedef struct js_counts {
	int64_t gstates[TV_G_NSTATES], prev_gstates[TV_G_NSTATES];
	int64_t threads_running, prev_threads_running;
	uint64_t heap_alloc, next_gc, prev_heap_alloc, prev_next_gc;
} js_counts;

/* What a checkpoint keeps of the generator besides the goroutines. */
typedef struct js_saved {
	u64map in_syscall, threads, tasks;
	js_ranges global, proc_ranges;
	int64_t end, max_proc;
	int syncs, had_tasks;
	uint64_t broken;
	js_counts counts;
} js_saved;

struct tv_gen {
	int view;
	const tv_backend *be;
	void *ctx;               /* the back end's */
	const gt_symtab *sym;
	js_counts counts;
	int started;
	int64_t start, end;      /* times of the first and the last event */
	int syncs;
	u64map gs;               /* goroutine id -> js_g */
	u64map in_syscall;       /* proc view: proc -> goroutine id */
	u64map threads;          /* thread view: the threads seen */
	int64_t max_proc;
	js_ranges global, proc_ranges;
	u64map tasks;            /* goroutine view: task id -> js_task */
	int had_tasks;
	tv_buf name;             /* scratch for names put together */
	uint64_t broken;         /* events on which cmd/trace would panic */
	int oom;
	uint64_t epoch;          /* checkpoints taken (one per Sync) */
	u64map backups;          /* goroutine id -> js_backup, since the checkpoint */
	js_saved saved;
	uint64_t after;          /* events since the checkpoint */
	const tv_focus *focus;   /* the focus view's; NULL otherwise */
	int64_t win_from, win_to;/* the Emitter's range, from the trace start */
};

static const char mark_assist[] = "GC mark assist";

static int64_t elapsed(const tv_gen *s, int64_t t)
{
	return (int64_t)((uint64_t)t - (uint64_t)s->start);
}

static int64_t sub_ns(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

static int contains(const char *p, size_t len, const char *word)
{
	size_t n = strlen(word);

	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(p + i, word, n) == 0)
			return 1;
	return 0;
}

static void buf_set(tv_gen *s, tv_buf *b, const char *p, size_t len)
{
	if (tv_buf_set(b, p, len))
		s->oom = 1;
}

static void buf_add(tv_gen *s, tv_buf *b, const char *p, size_t len)
{
	if (tv_buf_add(b, p, len))
		s->oom = 1;
}

/* Room for element n of *v (of *cap, each `size` bytes), grown zero-filled
 * so new entries start with empty buffers; NULL if out of memory. */
static void *grow(tv_gen *s, void **v, size_t n, size_t *cap, size_t size)
{
	if (n == *cap) {
		size_t newcap = *cap ? 2 * *cap : 4;
		char *p = realloc(*v, newcap * size);

		if (!p) {
			s->oom = 1;
			return NULL;
		}
		memset(p + *cap * size, 0, (newcap - *cap) * size);
		*v = p;
		*cap = newcap;
	}
	return (char *)*v + n * size;
}

/* Range sets. */

static js_range *ranges_find(js_ranges *rs, const char *name, size_t len, int64_t scope)
{
	for (size_t i = 0; i < rs->n; i++)
		if (rs->v[i].scope == scope && rs->v[i].name.len == len &&
		    memcmp(rs->v[i].name.p, name, len) == 0)
			return &rs->v[i];
	return NULL;
}

static js_range *ranges_put(tv_gen *s, js_ranges *rs, const char *name, size_t len, int64_t scope)
{
	js_range *r = ranges_find(rs, name, len, scope);

	if (r || !(r = grow(s, (void **)&rs->v, rs->n, &rs->cap, sizeof *rs->v)))
		return r;
	rs->n++;
	r->scope = scope;
	buf_set(s, &r->name, name, len);
	return r;
}

/* Remove r, keeping its buffer past the end for the next put. */
static void ranges_del(js_ranges *rs, js_range *r)
{
	js_range last = rs->v[--rs->n];

	rs->v[rs->n] = *r;
	*r = last;
}

static void ranges_free(js_ranges *rs)
{
	for (size_t i = 0; i < rs->cap; i++)
		tv_buf_free(&rs->v[i].name);
	free(rs->v);
}

/* Goroutine states. */

static void g_free(js_g *g)
{
	tv_buf_free(&g->label);
	tv_buf_free(&g->block_reason);
	tv_buf_free(&g->cause);
	tv_buf_free(&g->state_reason);
	ranges_free(&g->ranges);
	for (size_t i = 0; i < g->capdone; i++)
		tv_buf_free(&g->done[i].name);
	free(g->done);
	for (size_t i = 0; i < g->capregions; i++)
		tv_buf_free(&g->regions[i].name);
	free(g->regions);
}

/* Copies for checkpoints.  Every array below holds structs with a tv_buf
 * `name` at name_off; the copy gets its own names.  0, or -1 if out of
 * memory (then *dst holds what was copied, for freeing). */
static int copy_named(void **dst, size_t *cap, const void *src, size_t n, size_t size,
		      size_t name_off)
{
	*cap = 0;
	if (!n || !(*dst = calloc(n, size)))
		return n ? -1 : 0;
	*cap = n;
	for (size_t i = 0; i < n; i++) {
		char *to = (char *)*dst + i * size;
		const tv_buf *from = (const tv_buf *)((const char *)src + i * size + name_off);

		memcpy(to, (const char *)src + i * size, size);
		*(tv_buf *)(to + name_off) = (tv_buf){ 0 };
		if (tv_buf_add((tv_buf *)(to + name_off), from->p, from->len))
			return -1;
	}
	return 0;
}

static int ranges_copy(js_ranges *dst, const js_ranges *src)
{
	dst->v = NULL;
	dst->n = src->n;
	return copy_named((void **)&dst->v, &dst->cap, src->v, src->n, sizeof *src->v,
			  offsetof(js_range, name));
}

static int buf_copy(tv_buf *dst, const tv_buf *src)
{
	*dst = (tv_buf){ 0 };
	return tv_buf_add(dst, src->p, src->len);
}

static int g_copy(js_g *dst, const js_g *src)
{
	*dst = *src;
	dst->done = NULL;
	dst->regions = NULL;
	return buf_copy(&dst->label, &src->label) | buf_copy(&dst->block_reason, &src->block_reason) |
	       buf_copy(&dst->cause, &src->cause) | buf_copy(&dst->state_reason, &src->state_reason) |
	       ranges_copy(&dst->ranges, &src->ranges) |
	       copy_named((void **)&dst->done, &dst->capdone, src->done, src->ndone, sizeof *src->done,
			  offsetof(js_done, name)) |
	       copy_named((void **)&dst->regions, &dst->capregions, src->regions, src->nregions,
			  sizeof *src->regions, offsetof(js_region, name));
}

/* Before a goroutine first changes after a checkpoint, keep it as it was
 * (or that it was not there), so a damaged last generation can be undone. */
static void save_g(tv_gen *s, int64_t id, js_g *g, int added)
{
	js_backup *b;
	int fresh;

	if (g->epoch == s->epoch)
		return;
	g->epoch = s->epoch;
	if (!(b = u64map_put(&s->backups, (uint64_t)id, &fresh))) {
		s->oom = 1;
		return;
	}
	if (!fresh)
		return;  /* dropped and made again since: the first backup holds */
	b->absent = added;
	if (!added && g_copy(&b->g, g))
		s->oom = 1;
}

/* The state of goroutine id, made if new (newGState), to be changed.  The
 * pointer is good until the next goroutine is added or dropped. */
static js_g *get_g(tv_gen *s, int64_t id)
{
	int added;
	js_g *g = u64map_put(&s->gs, (uint64_t)id, &added);

	if (!g) {
		s->oom = 1;
		return NULL;
	}
	if (added) {
		g->executing = NO_RES;
		g->state = GT_GO_UNDETERMINED;
	}
	save_g(s, id, g, added);
	return g;
}

/* gState.name(): "G12 main.worker (label)". */
static void g_name(tv_gen *s, int64_t id, const js_g *g, tv_buf *out)
{
	char num[1 + OB_DECIMAL_MAX];

	num[0] = 'G';
	buf_set(s, out, num, 1 + ob_fmt_i64(num + 1, id));
	if (g->named) {
		gt_str f = gt_symtab_string(s->sym, g->func);

		buf_add(s, out, " ", 1);
		buf_add(s, out, f.ptr, f.len);
	}
	if (g->label.len) {
		buf_add(s, out, " (", 2);
		buf_add(s, out, g->label.p, g->label.len);
		buf_add(s, out, ")", 1);
	}
}

/* gState.augmentName: named after the outermost function of the first
 * transition stack, even an empty one (then the name ends in a space). */
static void augment_name(tv_gen *s, js_g *g, uint32_t stack)
{
	const uint32_t *frames;
	size_t n;

	if (g->named || stack == GT_NO_STACK)
		return;
	frames = gt_symtab_stack(s->sym, stack, &n);
	g->func = 0;
	if (n) {
		gt_frame f;

		gt_symtab_frame(s->sym, frames[n - 1], &f);
		g->func = f.func_id;
	}
	g->named = 1;
}

/* Go's time.Duration arithmetic wraps. */
static int64_t add_ns(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* Emitter.tsWithinRange: /jsontrace's default window is [0, MaxInt64], a
 * focus's its goroutine's life or its task's, -from and -to's their own. */
static int in_window(const tv_gen *s, int64_t ts)
{
	return ts >= s->win_from && ts <= s->win_to;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The Emitter's resource filter: a focus shows its goroutines' lanes of
 * the first section alone (not the GC, Syscalls or Network lanes). */
static int shown(const tv_gen *s, uint64_t pid, uint64_t lane)
{
	int64_t id = (int64_t)lane;

	return !s->focus || pid != TV_PROCS ||
	       (s->focus->ngoroutines && bsearch(&id, s->focus->goroutines, s->focus->ngoroutines,
						 sizeof id, cmp_i64));
}

/* The viewer events, drawn if they reach into the window (Emitter.Slice,
 * Instant, Arrow, and the task views' AsyncSlice). */

static void out_slice(tv_gen *s, const tv_event *ev)
{
	if ((in_window(s, ev->ts) || in_window(s, add_ns(ev->ts, ev->dur))) &&
	    shown(s, ev->pid, ev->tid))
		s->be->slice(s->ctx, ev);
}

static void out_async_slice(tv_gen *s, const tv_event *ev)
{
	if ((in_window(s, ev->ts) || in_window(s, add_ns(ev->ts, ev->dur))) &&
	    shown(s, TV_PROCS, ev->tid))
		s->be->async_slice(s->ctx, ev);
}

static void out_flow(tv_gen *s, uint64_t pid, const char *name, size_t len, int64_t from,
		     uint64_t from_tid, uint32_t stack, int64_t to, uint64_t to_tid)
{
	tv_flow f = { .pid = pid, .name = name, .name_len = len, .from_ts = elapsed(s, from),
		      .to_ts = elapsed(s, to), .from_tid = from_tid, .to_tid = to_tid, .stack = stack };

	if (in_window(s, f.from_ts) && in_window(s, f.to_ts) && shown(s, pid, from_tid) &&
	    shown(s, pid, to_tid))
		s->be->flow(s->ctx, &f);
}

static void slice(tv_gen *s, const char *name, size_t len, int64_t from, int64_t to,
		  uint64_t pid, uint64_t tid, uint32_t sf, uint32_t esf, tv_args args)
{
	tv_event ev = { .name = name, .name_len = len, .ts = elapsed(s, from),
			.dur = sub_ns(to, from), .pid = pid, .tid = tid, .sf = sf, .esf = esf,
			.args = args };

	out_slice(s, &ev);
}

static void instant(tv_gen *s, const char *name, size_t len, int64_t t, uint64_t tid,
		    uint32_t sf, const char *cat, tv_args args)
{
	tv_event ev = { .name = name, .name_len = len, .ts = elapsed(s, t), .tid = tid,
			.sf = sf, .cat = cat, .args = args };

	if (in_window(s, ev.ts) && shown(s, TV_PROCS, tid))
		s->be->instant(s->ctx, &ev);
}

/* Counters, drawn when their values change. */

static void counter(tv_gen *s, tv_counter which, int64_t t, const int64_t *values)
{
	if (in_window(s, elapsed(s, t)))
		s->be->counter(s->ctx, which, elapsed(s, t), values);
}

static void count_goroutines(tv_gen *s, int64_t t, tv_gstate from, tv_gstate to)
{
	js_counts *c = &s->counts;

	c->gstates[from]--;
	c->gstates[to]++;
	if (!memcmp(c->gstates, c->prev_gstates, sizeof c->gstates))
		return;
	counter(s, TV_COUNTER_GOROUTINES, t, (const int64_t[]){ c->gstates[TV_G_RUNNING],
		c->gstates[TV_G_RUNNABLE], c->gstates[TV_G_WAITING_GC] });
	memcpy(c->prev_gstates, c->gstates, sizeof c->gstates);
}

/* IncThreadStateCount(ThreadStateRunning): InSyscall is never counted in
 * Go 1.22+ traces, so it stays 0. */
static void count_threads(tv_gen *s, int64_t t, int delta)
{
	js_counts *c = &s->counts;

	c->threads_running += delta;
	if (c->threads_running == c->prev_threads_running)
		return;
	counter(s, TV_COUNTER_THREADS, t, (const int64_t[]){ c->threads_running, 0 });
	c->prev_threads_running = c->threads_running;
}

/* NextGC is shown as the distance to the goal. */
static void count_heap(tv_gen *s, int64_t t)
{
	js_counts *c = &s->counts;

	if (c->heap_alloc == c->prev_heap_alloc && c->next_gc == c->prev_next_gc)
		return;
	counter(s, TV_COUNTER_HEAP, t, (const int64_t[]){ (int64_t)c->heap_alloc,
		(int64_t)(c->next_gc > c->heap_alloc ? c->next_gc - c->heap_alloc : 0) });
	c->prev_heap_alloc = c->heap_alloc;
	c->prev_next_gc = c->next_gc;
}

/* gState.setStartCause: the flow arrow drawn when the goroutine next runs. */
static void set_cause(tv_gen *s, js_g *g, int64_t t, const tv_buf *name, uint64_t res,
		      uint32_t stack)
{
	buf_set(s, &g->cause, name->p, name->len);
	g->cause_time = t;
	g->cause_res = res;
	g->cause_stack = stack;
}

static js_done *add_done(tv_gen *s, js_g *g)
{
	js_done *d = grow(s, (void **)&g->done, g->ndone, &g->capdone, sizeof *g->done);

	g->ndone += d != NULL;
	return d;
}

/* gState.start: running on lane res from t; restarts the open ranges and
 * draws the pending start cause. */
static void g_start(tv_gen *s, js_g *g, int64_t t, int64_t res)
{
	for (size_t i = 0; i < g->ranges.n; i++) {
		g->ranges.v[i].time = t;
		g->ranges.v[i].stack = GT_NO_STACK;
	}
	if (g->cause.len) {
		uint32_t sf = g->cause_stack;

		out_flow(s, TV_PROCS, g->cause.p, g->cause.len, g->cause_time, g->cause_res, sf, t,
			 (uint64_t)res);
		g->cause.len = 0;
	}
	g->executing = res;
	g->start_running = t;
}

/* The slices of the ranges that ended, then of those still open, cut at t. */
static void flush_ranges(tv_gen *s, js_g *g, int64_t t)
{
	uint64_t lane = (uint64_t)g->executing;

	for (size_t i = 0; i < g->ndone; i++) {
		js_done *d = &g->done[i];
		uint32_t sf = d->start_stack, esf = d->end_stack;
		tv_args args = { .kind = d->blocked ? TV_ARGS_BLOCKED : TV_ARGS_NONE, .s = d->blocked };

		slice(s, d->name.p, d->name.len, d->start, d->end, TV_PROCS, lane, sf, esf, args);
	}
	g->ndone = 0;
	for (size_t i = 0; i < g->ranges.n; i++) {
		js_range *r = &g->ranges.v[i];

		if (r->time == 0) {
			s->broken++;  /* cmd/trace panics: "activeRanges time != 0" */
			continue;
		}
		slice(s, r->name.p, r->name.len, r->time, t, TV_PROCS, lane, r->stack, 0,
		      (tv_args){ 0 });
	}
	for (size_t i = 0; i < g->ranges.n; i++) {
		g->ranges.v[i].time = 0;
		g->ranges.v[i].stack = GT_NO_STACK;
	}
}

/* gState.stop: the slice of the run that ends at t, in the proc and thread
 * views (the goroutine view shows its states instead), then the ranges. */
static void g_stop(tv_gen *s, int64_t id, js_g *g, int64_t t, uint32_t stack)
{
	if (s->view != T2P_VIEW_GOROUTINE) {
		uint32_t sf = g->last_stop_stack, esf = stack;

		if (g->start_running == 0 || g->executing == NO_RES) {
			/* cmd/trace panics: "non-executing goroutine stopped". */
			s->broken++;
			return;
		}
		g_name(s, id, g, &s->name);
		slice(s, s->name.p, s->name.len, g->start_running, t, TV_PROCS, (uint64_t)g->executing, sf, esf,
		      (tv_args){ 0 });
	}
	flush_ranges(s, g, t);
	g->start_running = 0;
	g->last_stop_stack = stack;
	g->executing = NO_RES;
}

static void g_block(tv_gen *s, int64_t id, js_g *g, int64_t t, uint32_t stack, gt_str reason)
{
	buf_set(s, &g->block_reason, reason.ptr, reason.len);
	g_stop(s, id, g, t, stack);
}

/* gState.unblock: the arrow comes from the unblocker's lane, or from the
 * Network lane for network waits (not in the thread view); none from lane 0. */
static void g_unblock(tv_gen *s, js_g *g, int64_t t, uint32_t stack, int64_t res)
{
	uint64_t lane = (uint64_t)res;
	tv_buf *name = &s->name;

	buf_set(s, name, "unblock", 7);
	if (g->block_reason.len) {
		buf_add(s, name, " (", 2);
		buf_add(s, name, g->block_reason.p, g->block_reason.len);
		buf_add(s, name, ")", 1);
	}
	if (contains(g->block_reason.p, g->block_reason.len, "network")) {
		if (s->view != T2P_VIEW_THREAD)
			lane = TV_NETWORK_LANE;
		instant(s, name->p, name->len, t, lane, stack, NULL, (tv_args){ 0 });
	}
	g->block_reason.len = 0;
	/* Our goroutine view draws no arrow from "no goroutine". */
	if (lane != 0 && !(s->view == T2P_VIEW_GOROUTINE && lane == (uint64_t)NO_RES))
		set_cause(s, g, t, name, lane, stack);
}

static void g_created(tv_gen *s, js_g *g, int64_t t, int64_t creator, uint32_t stack)
{
	if (creator == NO_RES)
		return;
	buf_set(s, &s->name, "go", 2);
	set_cause(s, g, t, &s->name, (uint64_t)creator, stack);
}

/* gState.blockedSyscallEnd: an instant on the Syscalls lane, and the cause
 * of the goroutine's next run. */
static void g_blocked_syscall_end(tv_gen *s, js_g *g, int64_t t, uint32_t stack)
{
	static const char name[] = "exit blocked syscall";

	buf_set(s, &s->name, name, sizeof name - 1);
	set_cause(s, g, t, &s->name, TV_SYSCALLS_LANE, stack);
	instant(s, name, sizeof name - 1, t, TV_SYSCALLS_LANE, stack, NULL,
		(tv_args){ 0 });
}

static void g_syscall_begin(js_g *g, int64_t t, int64_t res, uint32_t stack)
{
	g->sys_time = t;
	g->sys_stack = stack;
	g->sys_active = 1;
	if (g->executing == NO_RES) {
		g->executing = res;
		g->start_running = t;
	}
}

static void g_syscall_end(tv_gen *s, js_g *g, int64_t t, int blocked)
{
	js_done *d;

	if (!g->sys_active)
		return;
	if ((d = add_done(s, g))) {
		buf_set(s, &d->name, "syscall", 7);
		d->start = g->sys_time;
		d->end = t;
		d->start_stack = g->sys_stack;
		d->end_stack = GT_NO_STACK;
		d->blocked = blocked ? "yes" : "no";
	}
	g->sys_active = 0;
	g->sys_time = 0;
	g->sys_stack = GT_NO_STACK;
}

/* Goroutine ranges ("GC mark assist", "stop-the-world (...)"). */
static void g_range(tv_gen *s, const gt_event *ev)
{
	js_g *g = get_g(s, ev->range.scope_id);
	gt_str name = ev->range.name;
	js_range *r;
	js_done *d;

	if (!g)
		return;
	switch (ev->kind) {
	case GT_EV_RANGE_BEGIN:
	case GT_EV_RANGE_ACTIVE:
		if (!(r = ranges_put(s, &g->ranges, name.ptr, name.len, 0)))
			return;
		r->time = g->executing == NO_RES ? 0
			  : ev->kind == GT_EV_RANGE_BEGIN ? ev->time : g->start_running;
		r->stack = ev->kind == GT_EV_RANGE_BEGIN ? ev->stack : GT_NO_STACK;
		return;
	default:
		r = ranges_find(&g->ranges, name.ptr, name.len, 0);
		if (g->executing != NO_RES && (d = add_done(s, g))) {
			buf_set(s, &d->name, name.ptr, name.len);
			d->start = r ? r->time : 0;
			d->end = ev->time;
			d->start_stack = r ? r->stack : GT_NO_STACK;
			d->end_stack = ev->stack;
			d->blocked = NULL;
		}
		if (r)
			ranges_del(&g->ranges, r);
	}
}

/* gState.finish: what still runs at the end stops there. */
static void g_finish(tv_gen *s, int64_t id, js_g *g)
{
	if (g->executing == NO_RES)
		return;
	g_syscall_end(s, g, s->end, 0);
	g_stop(s, id, g, s->end, GT_NO_STACK);
}

/* viewerGState: how the Goroutines counter counts a state. */
static tv_gstate viewer_state(uint8_t st, int in_mark_assist)
{
	switch (st) {
	case GT_GO_RUNNABLE:
		return TV_G_RUNNABLE;
	case GT_GO_RUNNING:
	case GT_GO_SYSCALL:
		return TV_G_RUNNING;
	case GT_GO_WAITING:
		return in_mark_assist ? TV_G_WAITING_GC : TV_G_WAITING;
	default:
		return TV_G_DEAD;
	}
}

static int executing(uint8_t st)
{
	return st == GT_GO_RUNNING || st == GT_GO_SYSCALL;
}

/* Back-dated to the trace start when the state was not known before. */
static int64_t since(const tv_gen *s, const gt_event *ev)
{
	return ev->transition.from == GT_GO_UNDETERMINED ? s->start : ev->time;
}

/* procGenerator.GoroutineTransition: lanes are Ps; a goroutine in a
 * syscall holds its P until the P is taken from it (proc_transition). */
static void proc_view_transition(tv_gen *s, int64_t id, js_g *g, const gt_event *ev)
{
	uint8_t from = ev->transition.from, to = ev->transition.to;
	uint64_t *holder;
	int added;

	if (from == GT_GO_RUNNING && !executing(to)) {
		if (to == GT_GO_WAITING)
			g_block(s, id, g, ev->time, ev->stack, ev->transition.reason);
		else
			g_stop(s, id, g, ev->time, ev->stack);
	}
	if (!executing(from) && to == GT_GO_RUNNING)
		g_start(s, g, since(s, ev), ev->p);
	if (from == GT_GO_WAITING)
		g_unblock(s, g, ev->time, ev->stack, ev->p);
	if (from == GT_GO_NOT_EXIST && to == GT_GO_RUNNABLE)
		g_created(s, g, ev->time, ev->p, ev->stack);
	if (from == GT_GO_SYSCALL && to != GT_GO_RUNNING)
		g_blocked_syscall_end(s, g, ev->time, ev->stack);
	if (to == GT_GO_SYSCALL && ev->p != GT_NO_PROC) {
		g_syscall_begin(g, since(s, ev), ev->p, ev->stack);
		if (!(holder = u64map_put(&s->in_syscall, (uint64_t)ev->p, &added)))
			s->oom = 1;
		else
			*holder = (uint64_t)id;
	}
	/* Go ends the syscall of *this* goroutine if any goroutine was in a
	 * syscall on this P. */
	if (from == GT_GO_SYSCALL && u64map_del(&s->in_syscall, (uint64_t)ev->p))
		g_syscall_end(s, g, ev->time, 0);
}

/* The views whose lanes hold goroutines' runs: threadGenerator's, whose
 * lanes are Ms (running and in a syscall are both on the thread) and whose
 * arrows come from the M that made the transition; and, for a focus,
 * cmd/trace's goroutine-oriented generator (goroutinegen.go), a lane per
 * goroutine, arrows from the goroutine that unblocked or created it, and a
 * slice for a syscall that blocked. */
static void lane_view_transition(tv_gen *s, int64_t id, js_g *g, const gt_event *ev)
{
	uint8_t from = ev->transition.from, to = ev->transition.to;
	int focus = s->view == T2P_VIEW_FOCUS;
	int64_t lane = focus ? id : ev->m, by = focus ? ev->g : ev->m;

	if (executing(from) && !executing(to)) {
		if (to == GT_GO_WAITING)
			g_block(s, id, g, ev->time, ev->stack, ev->transition.reason);
		else
			g_stop(s, id, g, ev->time, ev->stack);
	}
	if (!executing(from) && executing(to))
		g_start(s, g, since(s, ev), lane);
	if (from == GT_GO_WAITING)
		g_unblock(s, g, ev->time, ev->stack, by);
	if (from == GT_GO_NOT_EXIST && to == GT_GO_RUNNABLE)
		g_created(s, g, ev->time, by, ev->stack);
	if (from == GT_GO_SYSCALL) {
		g_syscall_end(s, g, ev->time, to != GT_GO_RUNNING);
		if (focus && to != GT_GO_RUNNING)
			g_blocked_syscall_end(s, g, ev->time, ev->stack);
	}
	if (to == GT_GO_SYSCALL)
		g_syscall_begin(g, since(s, ev), lane, ev->stack);
}

/* The goroutine view's slice for the state that ends at t. */
static void state_slice(tv_gen *s, int64_t id, js_g *g, int64_t t, uint32_t end_stack)
{
	static const char *const names[] = { [GT_GO_RUNNABLE] = "runnable",
					     [GT_GO_RUNNING] = "running",
					     [GT_GO_WAITING] = "waiting",
					     [GT_GO_SYSCALL] = "syscall" };

	tv_args where = { .a = (uint64_t)g->since_m, .b = (uint64_t)g->since_p };

	if (g->state < GT_GO_RUNNABLE || g->state > GT_GO_SYSCALL)
		return;
	/* The thread and P it runs on; for other states they would be those
	 * of whoever moved it there. */
	if (executing(g->state))
		where.kind = TV_ARGS_PLACE;
	buf_set(s, &s->name, names[g->state], strlen(names[g->state]));
	if (g->state == GT_GO_WAITING && g->state_reason.len) {
		buf_add(s, &s->name, ": ", 2);
		buf_add(s, &s->name, g->state_reason.p, g->state_reason.len);
	}
	slice(s, s->name.p, s->name.len, g->since, t, TV_PROCS, (uint64_t)id,
	      g->since_stack, end_stack, where);
}

static js_region *push_region(tv_gen *s, js_g *g)
{
	js_region *r = grow(s, (void **)&g->regions, g->nregions, &g->capregions, sizeof *g->regions);

	g->nregions += r != NULL;
	return r;
}

/* A region as the task views show it (gen.go emitRegion); unnamed ones are
 * the stand-ins for regions inherited from the creator, and not shown. */
static void emit_region(tv_gen *s, const js_region *r, int64_t end, uint32_t end_stack,
			int64_t goroutine)
{
	char scope[20];
	int64_t start = r->time ? r->time : s->start;
	tv_event ev = { .name = r->name.p, .name_len = r->name.len, .ts = elapsed(s, start),
			.dur = sub_ns(end, start), .tid = (uint64_t)goroutine, .cat = "Region",
			.scope = scope, .task_color = r->task,
			.args = { .kind = TV_ARGS_REGION, .a = r->task } };

	if (!r->name.len || goroutine == GT_NO_GOROUTINE)
		return;
	snprintf(scope, sizeof scope, "%llx", (unsigned long long)r->task);
	ev.sf = r->stack;
	ev.esf = end_stack;
	out_async_slice(s, &ev);
}

/* A new goroutine starts inside its creator's innermost region's task
 * (Summarizer): an unnamed region that its own region ends may pop. */
static void inherit_region(tv_gen *s, js_g *g, const gt_event *ev)
{
	js_g *creator = (js_g *)u64map_get(&s->gs, (uint64_t)ev->g);
	js_region *r;
	uint64_t task;

	if (!creator || ev->g == ev->transition.id || !creator->nregions)
		return;
	task = creator->regions[creator->nregions - 1].task;
	if ((r = push_region(s, g))) {
		r->name.len = 0;
		r->task = task;
		r->time = ev->time;
		r->stack = GT_NO_STACK;
	}
}

/* Regions open when the goroutine dies end with it. */
static void end_regions(tv_gen *s, int64_t id, js_g *g, int64_t t)
{
	while (g->nregions) {
		g->nregions--;
		emit_region(s, &g->regions[g->nregions], t, GT_NO_STACK, id);
	}
}

/* The goroutine view: its lane shows states; cmd/trace's goroutine
 * generator (goroutinegen.go) gives the arrows and ranges, with "running"
 * as the one state that is on-CPU, so ranges nest in running slices. */
static void goroutine_view_transition(tv_gen *s, int64_t id, js_g *g, const gt_event *ev)
{
	uint8_t from = ev->transition.from, to = ev->transition.to;

	state_slice(s, id, g, ev->time, ev->stack);
	if (from == GT_GO_RUNNING) {
		if (to == GT_GO_WAITING)
			g_block(s, id, g, ev->time, ev->stack, ev->transition.reason);
		else
			g_stop(s, id, g, ev->time, ev->stack);
	}
	if (to == GT_GO_RUNNING)
		g_start(s, g, since(s, ev), id);
	if (from == GT_GO_WAITING)
		g_unblock(s, g, ev->time, ev->stack, ev->g);
	if (from == GT_GO_NOT_EXIST && to == GT_GO_RUNNABLE)
		g_created(s, g, ev->time, ev->g, ev->stack);
	if (from == GT_GO_SYSCALL && to != GT_GO_RUNNING)
		g_blocked_syscall_end(s, g, ev->time, ev->stack);
	if (from == GT_GO_NOT_EXIST || from == GT_GO_UNDETERMINED)
		inherit_region(s, g, ev);
	if (to == GT_GO_NOT_EXIST)
		end_regions(s, id, g, ev->time);
	g->since = since(s, ev);
	g->since_m = ev->m;
	g->since_p = ev->p;
	g->since_stack = ev->stack;
	buf_set(s, &g->state_reason, ev->transition.reason.ptr, ev->transition.reason.len);
}

/* A dead goroutine that runs nowhere and owes no syscall slice is done
 * with; in the goroutine view its lane gets its name now.  A focus's
 * goroutines stay till the end, where cmd/trace names their lanes, each
 * once, however often its id was used. */
static void maybe_drop(tv_gen *s, int64_t id, js_g *g)
{
	if (g->state != GT_GO_NOT_EXIST || g->executing != NO_RES || g->sys_active || g->ndone)
		return;
	if (s->view == T2P_VIEW_FOCUS && shown(s, TV_PROCS, (uint64_t)id))
		return;
	if (s->view == T2P_VIEW_GOROUTINE) {
		g_name(s, id, g, &s->name);
		s->be->thread_meta(s->ctx, TV_PROCS, (uint64_t)id, s->name.p, s->name.len, id);
	}
	g_free(g);
	u64map_del(&s->gs, (uint64_t)id);
}

static void goroutine_transition(tv_gen *s, const gt_event *ev)
{
	int64_t id = ev->transition.id;
	uint8_t from = ev->transition.from, to = ev->transition.to;
	js_g *g;
	int assist;

	if (!(g = get_g(s, id)))
		return;
	augment_name(s, g, ev->transition.stack);
	if (from == to)
		return;
	if (s->view == T2P_VIEW_PROC)
		proc_view_transition(s, id, g, ev);
	else if (s->view == T2P_VIEW_THREAD || s->view == T2P_VIEW_FOCUS)
		lane_view_transition(s, id, g, ev);
	else
		goroutine_view_transition(s, id, g, ev);
	g->state = to;
	assist = ranges_find(&g->ranges, mark_assist, sizeof mark_assist - 1, 0) != NULL;
	count_goroutines(s, ev->time, viewer_state(from, assist),
				viewer_state(to, assist));
	maybe_drop(s, id, g);
}

/* Proc{,Thread}Generator.ProcTransition: "proc start"/"proc stop" on the
 * lane, the Threads counter, and in the proc view the end of a syscall
 * whose P is taken away (the syscall blocked). */
static void proc_transition(tv_gen *s, const gt_event *ev)
{
	int64_t proc = ev->transition.id, t = ev->time;
	uint64_t lane = s->view == T2P_VIEW_PROC ? (uint64_t)proc : (uint64_t)ev->m;
	uint32_t sf = ev->stack;
	tv_args args = { .kind = TV_ARGS_SCHED, .a = (uint64_t)ev->m, .b = (uint64_t)proc };
	const char *name = NULL;
	uint64_t *holder;

	if (proc > s->max_proc)
		s->max_proc = proc;
	if (ev->transition.from == ev->transition.to)
		return;
	if (ev->transition.to == GT_PROC_RUNNING) {
		name = "proc start";
		t = ev->transition.from == GT_PROC_UNDETERMINED ? s->start : t;
		count_threads(s, t, 1);
	}
	if (ev->transition.from == GT_PROC_RUNNING) {
		name = "proc stop";
		count_threads(s, t, -1);
		if (s->view == T2P_VIEW_PROC && (holder = u64map_get(&s->in_syscall, (uint64_t)proc))) {
			int64_t id = (int64_t)*holder;
			js_g *g = u64map_get(&s->gs, (uint64_t)id);

			u64map_del(&s->in_syscall, (uint64_t)proc);
			if (g) {
				save_g(s, id, g, 0);
				g_syscall_end(s, g, t, 1);
				g_stop(s, id, g, t, ev->stack);
				maybe_drop(s, id, g);
			} else {
				s->broken++;  /* cmd/trace stops a dead goroutine: a panic */
			}
		}
	}
	if (name)
		instant(s, name, strlen(name), t, lane, sf, NULL, args);
}

static void note_thread(tv_gen *s, int64_t m)
{
	int added;

	if (s->view == T2P_VIEW_THREAD && m != GT_NO_THREAD && !u64map_put(&s->threads, (uint64_t)m, &added))
		s->oom = 1;
}

/* Global ranges: only GC ones have a lane.  Before the second Sync an
 * Active range began before the trace; later Actives repeat what is known. */
static void global_range(tv_gen *s, const gt_event *ev, js_ranges *rs, int64_t scope, uint64_t lane)
{
	gt_str name = ev->range.name;
	js_range *r;

	if (ev->kind == GT_EV_RANGE_ACTIVE && s->syncs >= 2)
		return;
	if (ev->kind != GT_EV_RANGE_END) {
		if ((r = ranges_put(s, rs, name.ptr, name.len, scope))) {
			r->time = ev->kind == GT_EV_RANGE_BEGIN ? ev->time : s->start;
			r->stack = ev->stack;
		}
		return;
	}
	r = ranges_find(rs, name.ptr, name.len, scope);
	if (rs == &s->proc_ranges || contains(name.ptr, name.len, "GC")) {
		int64_t from = r ? r->time : 0;

		slice(s, name.ptr, name.len, from, ev->time, TV_PROCS, lane, r ? r->stack : 0,
		      ev->stack, (tv_args){ 0 });
	}
	if (r)
		ranges_del(rs, r);
}

static void range_event(tv_gen *s, const gt_event *ev)
{
	switch (ev->range.scope) {
	case GT_RES_GOROUTINE:
		g_range(s, ev);
		break;
	case GT_RES_PROC:
		/* Only the proc view shows proc ranges ("GC incremental sweep"). */
		if (s->view == T2P_VIEW_PROC)
			global_range(s, ev, &s->proc_ranges, ev->range.scope_id,
				     (uint64_t)ev->range.scope_id);
		break;
	case GT_RES_NONE:
		global_range(s, ev, &s->global, 0, TV_GC_LANE);
		break;
	default:
		break;
	}
}

/* The lane of a CPU sample or a log: the event's P, M or G. */
static int64_t event_lane(const tv_gen *s, const gt_event *ev)
{
	return s->view == T2P_VIEW_PROC ? ev->p : s->view == T2P_VIEW_THREAD ? ev->m : ev->g;
}

static void stack_sample(tv_gen *s, const gt_event *ev)
{
	static const char name[] = "CPU profile sample";
	int64_t lane = event_lane(s, ev);

	if (lane != NO_RES)
		instant(s, name, sizeof name - 1, ev->time, (uint64_t)lane, ev->stack,
			NULL, (tv_args){ 0 });
}

/* A user log: "[category] message", or the message alone. */
static void user_log(tv_gen *s, const gt_event *ev)
{
	int64_t lane = event_lane(s, ev);
	tv_buf *name = &s->name;

	if (lane == NO_RES)
		return;
	name->len = 0;
	if (ev->log.category.len) {
		buf_add(s, name, "[", 1);
		buf_add(s, name, ev->log.category.ptr, ev->log.category.len);
		buf_add(s, name, "] ", 2);
	}
	buf_add(s, name, ev->log.message.ptr, ev->log.message.len);
	instant(s, name->p, name->len, ev->time, (uint64_t)lane, ev->stack, "user event",
		(tv_args){ .kind = TV_ARGS_LOG, .cat = ev->log.category, .msg = ev->log.message });
}

static void metric(tv_gen *s, const gt_event *ev)
{
	if (!strcmp(ev->metric.name, "/memory/classes/heap/objects:bytes")) {
		s->counts.heap_alloc = ev->metric.value;
	} else if (!strcmp(ev->metric.name, "/gc/heap/goal:bytes")) {
		/* Goals above 1 PiB are a runtime artefact (go.dev/issue/63864): Go shows 0. */
		s->counts.next_gc = ev->metric.value > (1ull << 50) ? 0 : ev->metric.value;
	} else {
		return;
	}
	count_heap(s, ev->time);
}

static void label(tv_gen *s, const gt_event *ev)
{
	js_g *g = get_g(s, ev->g);

	if (g)
		buf_set(s, &g->label, ev->label.label.ptr, ev->label.label.len);
}

/* User tasks (goroutine view), as cmd/trace's task views draw them
 * (gen.go emitTask): a slice on the task's lane from its begin (or the
 * trace start) to its end (or the trace end), and an arrow from its
 * parent's lane.  The background task has no lane, so no arrow from it. */
static void emit_task(tv_gen *s, uint64_t id, js_task *t, int64_t end, int64_t end_g,
		      uint32_t end_stack)
{
	int64_t start = t->start ? t->start : s->start;
	char title[32];
	tv_event ev = { .name = t->name.p, .name_len = t->name.len, .ts = elapsed(s, start),
			.dur = sub_ns(end, start), .pid = TV_TASKS, .tid = id,
			.cname = tv_task_color(id),
			.args = { .kind = TV_ARGS_TASK, .a = id,
				  .b = t->start ? (uint64_t)t->start_g : 0, .c = (uint64_t)end_g } };

	snprintf(title, sizeof title, "T%llu ", (unsigned long long)id);
	buf_set(s, &s->name, title, strlen(title));
	buf_add(s, &s->name, t->name.p, t->name.len);
	s->be->thread_meta(s->ctx, TV_TASKS, id, s->name.p, s->name.len, (int64_t)id);
	ev.sf = t->start_stack;
	ev.esf = end_stack;
	out_slice(s, &ev);
	if (t->start && t->parent != GT_NO_TASK && t->parent != GT_BACKGROUND_TASK)
		out_flow(s, TV_TASKS, "newTask", 7, start, t->parent, t->start_stack, start, id);
	s->had_tasks = 1;
}

static void task_event(tv_gen *s, const gt_event *ev)
{
	int added;
	js_task *t = u64map_put(&s->tasks, ev->task.id, &added);

	if (!t) {
		s->oom = 1;
		return;
	}
	if (added)
		t->parent = GT_NO_TASK;
	/* Summarizer: the name is the latest event's, the parent the first known. */
	buf_set(s, &t->name, ev->task.type.ptr, ev->task.type.len);
	if (t->parent == GT_NO_TASK)
		t->parent = ev->task.parent;
	if (ev->kind == GT_EV_TASK_BEGIN) {
		t->start = ev->time;
		t->start_g = ev->g;
		t->start_stack = ev->stack;
		return;
	}
	emit_task(s, ev->task.id, t, ev->time, ev->g, ev->stack);
	tv_buf_free(&t->name);
	u64map_del(&s->tasks, ev->task.id);
}

/* Regions nest per goroutine: an end closes the innermost open region,
 * or one that began before the trace (Summarizer). */
static void region_event(tv_gen *s, const gt_event *ev)
{
	js_g *g = get_g(s, ev->g);
	int begin = ev->kind == GT_EV_REGION_BEGIN;
	js_region *r;

	if (!g)
		return;
	if ((begin || !g->nregions) && (r = push_region(s, g))) {
		buf_set(s, &r->name, ev->region.type.ptr, ev->region.type.len);
		r->task = ev->region.task;
		r->time = begin ? ev->time : 0;
		r->stack = begin ? ev->stack : GT_NO_STACK;
	}
	if (!begin && g->nregions)
		emit_region(s, &g->regions[--g->nregions], ev->time, ev->stack, ev->g);
}

/* Damaged traces.  cmd/trace shows a damaged trace up to its last Sync
 * (parseTrace's validEvents), so each Sync is a checkpoint: the output
 * offset, the emitter's counts, a copy of the small tables, and for the
 * goroutines, copies of those that change after it (save_g). */

static void free_backups(tv_gen *s)
{
	size_t pos = 0;
	uint64_t key;
	js_backup *b;

	while ((b = u64map_next(&s->backups, &pos, &key)))
		if (!b->absent)
			g_free(&b->g);
	u64map_clear(&s->backups);
}

static void tasks_free(u64map *tasks)
{
	size_t pos = 0;
	uint64_t key;
	js_task *t;

	while ((t = u64map_next(tasks, &pos, &key)))
		tv_buf_free(&t->name);
	u64map_clear(tasks);
}

/* dst = src for maps whose values own no memory (or only names). */
static int map_copy(u64map *dst, const u64map *src, int tasks)
{
	size_t pos = 0;
	uint64_t key;
	void *v, *to;
	int added;

	if (tasks)
		tasks_free(dst);
	u64map_clear(dst);
	while ((v = u64map_next(src, &pos, &key))) {
		if (!(to = u64map_put(dst, key, &added)))
			return -1;
		memcpy(to, v, src->vsize);
		if (tasks && buf_copy(&((js_task *)to)->name, &((const js_task *)v)->name))
			return -1;
	}
	return 0;
}

static void save_ranges(tv_gen *s, js_ranges *dst, const js_ranges *src)
{
	ranges_free(dst);
	if (ranges_copy(dst, src))
		s->oom = 1;
}

static void checkpoint(tv_gen *s, int64_t t)
{
	js_saved *v = &s->saved;

	free_backups(s);
	s->epoch++;
	if (map_copy(&v->in_syscall, &s->in_syscall, 0) || map_copy(&v->threads, &s->threads, 0) ||
	    map_copy(&v->tasks, &s->tasks, 1))
		s->oom = 1;
	save_ranges(s, &v->global, &s->global);
	save_ranges(s, &v->proc_ranges, &s->proc_ranges);
	v->end = t;
	v->max_proc = s->max_proc;
	v->syncs = s->syncs;
	v->had_tasks = s->had_tasks;
	v->broken = s->broken;
	v->counts = s->counts;
	s->be->checkpoint(s->ctx);
	s->after = 0;
}

static void swap_map(u64map *a, u64map *b)
{
	u64map t = *a;

	*a = *b;
	*b = t;
}

static void swap_ranges(js_ranges *a, js_ranges *b)
{
	js_ranges t = *a;

	*a = *b;
	*b = t;
}

/* The goroutines back as they were at the checkpoint. */
static void restore_goroutines(tv_gen *s)
{
	size_t pos = 0;
	uint64_t key;
	js_backup *b;
	js_g *g;
	int added;

	while ((b = u64map_next(&s->backups, &pos, &key))) {
		if ((g = u64map_get(&s->gs, key))) {
			g_free(g);
			u64map_del(&s->gs, key);
		}
		if (b->absent)
			continue;
		if (!(g = u64map_put(&s->gs, key, &added))) {
			s->oom = 1;
			return;
		}
		*g = b->g;
		b->absent = 1;  /* moved */
	}
}

/* Undo what came after the last Sync: what the back end drew, and the state. */
static int rollback(tv_gen *s)
{
	js_saved *v = &s->saved;

	if (!s->after)
		return 0;
	if (s->be->rollback(s->ctx))
		return -1;
	restore_goroutines(s);
	swap_map(&s->in_syscall, &v->in_syscall);
	swap_map(&s->threads, &v->threads);
	swap_map(&s->tasks, &v->tasks);
	swap_ranges(&s->global, &v->global);
	swap_ranges(&s->proc_ranges, &v->proc_ranges);
	s->end = v->end;
	s->max_proc = v->max_proc;
	s->syncs = v->syncs;
	s->had_tasks = v->had_tasks;
	s->broken = v->broken;
	s->counts = v->counts;
	return 0;
}

void tv_gen_set_focus(tv_gen *s, const tv_focus *f)
{
	s->view = T2P_VIEW_FOCUS;
	s->focus = f;
	s->win_from = f->from;
	s->win_to = f->to;
}

void tv_gen_set_window(tv_gen *s, int64_t from, int64_t to)
{
	s->win_from = from;
	s->win_to = to;
}

int tv_gen_event(tv_gen *s, const gt_event *ev)
{
	if (!s->started) {
		s->started = 1;
		s->start = ev->time;
	}
	s->end = ev->time;
	s->after++;
	switch (ev->kind) {
	case GT_EV_SYNC:
		s->syncs++;
		checkpoint(s, ev->time);
		break;
	case GT_EV_STACK_SAMPLE:
		stack_sample(s, ev);
		break;
	case GT_EV_RANGE_BEGIN:
	case GT_EV_RANGE_ACTIVE:
	case GT_EV_RANGE_END:
		range_event(s, ev);
		break;
	case GT_EV_METRIC:
		metric(s, ev);
		break;
	case GT_EV_LABEL:
		label(s, ev);
		break;
	case GT_EV_STATE_TRANSITION:
		note_thread(s, ev->m);
		if (ev->transition.resource == GT_RES_GOROUTINE)
			goroutine_transition(s, ev);
		else if (s->view != T2P_VIEW_GOROUTINE && s->view != T2P_VIEW_FOCUS)
			proc_transition(s, ev);
		break;
	case GT_EV_LOG:
		user_log(s, ev);
		break;
	case GT_EV_TASK_BEGIN:
	case GT_EV_TASK_END:
	case GT_EV_REGION_BEGIN:
	case GT_EV_REGION_END:
		if (s->view != T2P_VIEW_GOROUTINE)
			break;
		if (ev->kind == GT_EV_TASK_BEGIN || ev->kind == GT_EV_TASK_END)
			task_event(s, ev);
		else
			region_event(s, ev);
		break;
	default:
		break;
	}
	return s->oom ? -1 : 0;
}

/* gen.go's Finish: ranges and runs still open end at the last event. */
static void finish_ranges(tv_gen *s)
{
	for (size_t i = 0; i < s->proc_ranges.n; i++) {
		js_range *r = &s->proc_ranges.v[i];

		slice(s, r->name.p, r->name.len, r->time, s->end, TV_PROCS, (uint64_t)r->scope,
		      r->stack, 0, (tv_args){ 0 });
	}
	for (size_t i = 0; i < s->global.n; i++) {
		js_range *r = &s->global.v[i];

		if (contains(r->name.p, r->name.len, "GC"))
			slice(s, r->name.p, r->name.len, r->time, s->end, TV_PROCS, TV_GC_LANE,
			      r->stack, 0, (tv_args){ 0 });
	}
}

/* The keys of a map in ascending order (as int64); NULL if out of memory. */
static int64_t *sorted_keys(tv_gen *s, const u64map *m)
{
	int64_t *ids = malloc((m->len + 1) * sizeof *ids);
	size_t pos = 0, n = 0;
	uint64_t key;

	if (!ids) {
		s->oom = 1;
		return NULL;
	}
	while (u64map_next(m, &pos, &key))
		ids[n++] = (int64_t)key;
	qsort(ids, n, sizeof *ids, cmp_i64);
	return ids;
}

/* Every goroutine still running stops at the end; in the goroutine view
 * the last states, regions and tasks end there too, and the lanes get
 * their names. */
static void finish_goroutines(tv_gen *s)
{
	int64_t *ids = sorted_keys(s, &s->gs);
	size_t n = s->gs.len;

	for (size_t i = 0; ids && i < n; i++) {
		js_g *g = u64map_get(&s->gs, (uint64_t)ids[i]);

		g_finish(s, ids[i], g);
		if (s->view == T2P_VIEW_FOCUS && shown(s, TV_PROCS, (uint64_t)ids[i])) {
			/* Emitter.Flush: the focus goroutine's lane on top. */
			g_name(s, ids[i], g, &s->name);
			s->be->thread_meta(s->ctx, TV_PROCS, (uint64_t)ids[i], s->name.p, s->name.len,
					   ids[i] == s->focus->goroutine ? -2 : ids[i]);
		}
		if (s->view != T2P_VIEW_GOROUTINE)
			continue;
		state_slice(s, ids[i], g, s->end, GT_NO_STACK);
		end_regions(s, ids[i], g, s->end);
		g_name(s, ids[i], g, &s->name);
		s->be->thread_meta(s->ctx, TV_PROCS, (uint64_t)ids[i], s->name.p, s->name.len, ids[i]);
	}
	free(ids);
}

/* A focus's tasks and their regions (gen.go's runGenerator after the
 * events: emitTask, emitRegion), the regions on their goroutines' lanes. */
static void focus_tasks(tv_gen *s)
{
	const tv_focus *f = s->focus;
	char title[32];

	for (size_t i = 0; i < f->ntasks; i++) {
		const tv_focus_task *t = &f->tasks[i];
		int64_t start = t->has_start ? t->start : s->start, end = t->has_end ? t->end : s->end;
		tv_event ev = { .name = t->name.ptr, .name_len = t->name.len,
				.ts = elapsed(s, start), .dur = sub_ns(end, start), .pid = TV_TASKS,
				.tid = t->id, .cname = tv_task_color(t->id),
				.sf = t->has_start ? t->start_stack : GT_NO_STACK,
				.esf = t->has_end ? t->end_stack : GT_NO_STACK,
				.args = { .kind = TV_ARGS_TASK, .a = t->id,
					  .b = t->has_start ? (uint64_t)t->start_g : 0,
					  .c = t->has_end ? (uint64_t)t->end_g : 0 } };

		snprintf(title, sizeof title, "T%llu ", (unsigned long long)t->id);
		buf_set(s, &s->name, title, strlen(title));
		buf_add(s, &s->name, t->name.ptr, t->name.len);
		s->be->thread_meta(s->ctx, TV_TASKS, t->id, s->name.p, s->name.len, (int64_t)i);
		out_slice(s, &ev);
		if (t->has_parent && t->has_start)
			out_flow(s, TV_TASKS, "newTask", 7, start, t->parent, ev.sf, start, t->id);
		s->had_tasks = 1;
	}
	for (size_t i = 0; i < f->nregions; i++) {
		const tv_focus_region *r = &f->regions[i];
		js_region jr = { .name = { .p = (char *)r->name.ptr, .len = r->name.len },
				 .task = r->task, .time = r->has_start ? r->start : 0,
				 .stack = r->has_start ? r->start_stack : GT_NO_STACK };

		emit_region(s, &jr, r->has_end ? r->end : s->end,
			    r->has_end ? r->end_stack : GT_NO_STACK, r->g);
	}
}

static void finish_tasks(tv_gen *s)
{
	if (s->focus) {
		focus_tasks(s);
		return;
	}
	int64_t *ids = sorted_keys(s, &s->tasks);
	size_t n = s->tasks.len;

	for (size_t i = 0; ids && i < n; i++)
		emit_task(s, (uint64_t)ids[i], u64map_get(&s->tasks, (uint64_t)ids[i]), s->end, 0,
			  GT_NO_STACK);
	free(ids);
}

/* The lanes of the proc and thread views (Emitter.Resource). */
static void name_lanes(tv_gen *s)
{
	char name[40];
	int64_t *ids;

	if (s->view == T2P_VIEW_PROC) {
		/* Every P up to the largest seen; a hostile id is not followed. */
		for (int64_t p = 0; p <= s->max_proc && p < (1 << 20); p++) {
			snprintf(name, sizeof name, "Proc %lld", (long long)p);
			s->be->thread_meta(s->ctx, TV_PROCS, (uint64_t)p, name, strlen(name), p);
		}
		return;
	}
	if (s->view != T2P_VIEW_THREAD || !(ids = sorted_keys(s, &s->threads)))
		return;
	for (size_t i = 0; i < s->threads.len; i++) {
		snprintf(name, sizeof name, "Thread %lld", (long long)ids[i]);
		s->be->thread_meta(s->ctx, TV_PROCS, (uint64_t)ids[i], name, strlen(name), ids[i]);
	}
	free(ids);
}

/* Emitter.Flush: the sections, the special lanes, the resources. */
void tv_gen_metadata(tv_gen *s)
{
	static const char *const sections[] = { "PROCS", "OS THREADS", "Goroutines", "G" };

	s->be->process_meta(s->ctx, TV_STATS, "STATS", 0);
	if (s->had_tasks)
		s->be->process_meta(s->ctx, TV_TASKS, "TASKS", 1);
	s->be->process_meta(s->ctx, TV_PROCS, sections[s->view], 2);
	s->be->thread_meta(s->ctx, TV_PROCS, TV_GC_LANE, "GC", 2, -6);
	s->be->thread_meta(s->ctx, TV_PROCS, TV_NETWORK_LANE, "Network", 7, -5);
	s->be->thread_meta(s->ctx, TV_PROCS, TV_TIMERS_LANE, "Timers", 6, -4);
	s->be->thread_meta(s->ctx, TV_PROCS, TV_SYSCALLS_LANE, "Syscalls", 8, -3);
	name_lanes(s);
}

int tv_gen_finish(tv_gen *s, gt_status status)
{
	if (status != GT_END) {
		if (!s->epoch) {
			fprintf(stderr, "%s: no complete generation to make a timeline from\n", t2p_prog);
			return -1;
		}
		if (rollback(s))
			return -1;
	}
	finish_ranges(s);
	finish_goroutines(s);
	finish_tasks(s);
	tv_gen_metadata(s);
	if (s->oom) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return -1;
	}
	return 0;
}

uint64_t tv_gen_lanes_version(const tv_gen *s)
{
	return (uint64_t)s->max_proc ^ (uint64_t)s->threads.len << 32 ^ (uint64_t)s->had_tasks << 63;
}

uint64_t tv_gen_broken(const tv_gen *s)
{
	return s->broken;
}

int tv_gen_goroutine(tv_gen *s, int64_t id, const char **name, size_t *len, uint32_t *func)
{
	const js_g *g = u64map_get(&s->gs, (uint64_t)id);

	if (!g)
		return -1;
	if (name) {
		g_name(s, id, g, &s->name);
		*name = s->name.p;
		*len = s->name.len;
	}
	if (func)
		*func = g->named ? g->func : 0;
	return g->named;
}

void tv_gen_free(tv_gen *s)
{
	size_t pos = 0;
	uint64_t key;
	js_g *g;
	js_task *t;

	if (!s)
		return;
	while ((g = u64map_next(&s->gs, &pos, &key)))
		g_free(g);
	pos = 0;
	while ((t = u64map_next(&s->tasks, &pos, &key)))
		tv_buf_free(&t->name);
	tasks_free(&s->saved.tasks);
	free_backups(s);
	u64map_free(&s->gs);
	u64map_free(&s->backups);
	u64map_free(&s->in_syscall);
	u64map_free(&s->threads);
	u64map_free(&s->tasks);
	u64map_free(&s->saved.in_syscall);
	u64map_free(&s->saved.threads);
	u64map_free(&s->saved.tasks);
	ranges_free(&s->global);
	ranges_free(&s->proc_ranges);
	ranges_free(&s->saved.global);
	ranges_free(&s->saved.proc_ranges);
	tv_buf_free(&s->name);
	free(s);
}

tv_gen *tv_gen_new(int view, const gt_symtab *sym, const tv_backend *be, void *ctx)
{
	tv_gen *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->view = view;
	s->sym = sym;
	s->be = be;
	s->ctx = ctx;
	s->win_to = INT64_MAX;
	u64map_init(&s->gs, sizeof(js_g));
	u64map_init(&s->in_syscall, sizeof(uint64_t));
	u64map_init(&s->threads, 1);
	u64map_init(&s->tasks, sizeof(js_task));
	u64map_init(&s->backups, sizeof(js_backup));
	u64map_init(&s->saved.in_syscall, sizeof(uint64_t));
	u64map_init(&s->saved.threads, 1);
	u64map_init(&s->saved.tasks, sizeof(js_task));
	return s;
}
