/*
 * summary.c - Go's Summarizer (internal/trace/summary.go, Go 1.27), over
 * the event stream as it comes.
 *
 * Go keeps every summary until Finalize; we hand each one out as soon as
 * nothing can change it: a region at its end, a goroutine at its exit, the
 * rest and the tasks at gsum_finish.  A dead goroutine leaves memory then,
 * except in one case: Go's Finalize runs finalize() again on every
 * goroutine, dead ones too, and for one that was created and died at the
 * same time (TotalTime 0) that sets TotalTime to the trace's end minus its
 * creation.  Such goroutines wait for the end to be handed out.
 *
 * Everything else follows summary.go line by line, its oddities included
 * (they are what cmd/trace prints): time blocked in a syscall that is still
 * going on when a snapshot is taken counts as scheduler wait; an id seen
 * again as new starts a fresh summary; a RegionEnd on a goroutine with no
 * open region makes a region that began at the trace's start; a goroutine
 * created inside a region inherits an unnamed region of its task.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "strtab.h"
#include "summary.h"
#include "u64map.h"

/* GoroutineExecStats, owned.  Wait reasons and range names are map keys in
 * Go: an entry exists once Go would have made the key, even at 0 ns. */
typedef struct gs_stats {
	int64_t exec, sched_wait, syscall, syscall_block, total;
	gsum_named *block, *ranges;
	size_t nblock, capblock, nranges, capranges;
} gs_stats;

/* An active region (goroutineSummary.activeRegions). */
typedef struct gs_region {
	uint64_t task;
	gsum_str type;
	int has_start;
	int64_t start;
	uint32_t start_stack;
	gs_stats at_start;  /* the goroutine's stats when it began; zero for
			     * inherited and fabricated regions, as in Go */
} gs_region;

typedef struct gs_g {
	int64_t id;
	gsum_str name;
	uint64_t pc;
	int64_t creation, start, end;
	gs_stats st;
	/* goroutineSummary: what is needed while the goroutine lives. */
	int64_t last_start, last_runnable, last_block, last_syscall, last_syscall_block;
	gsum_str last_block_reason;
	gsum_named *last_range;  /* lastRangeTime: range name -> start */
	size_t nlast_range, caplast_range;
	gs_region *regions;
	size_t nregions, capregions;
} gs_g;

typedef struct gs_task {
	gsum_task pub;
	int has_parent;
	int64_t *goroutines;
	size_t capgoroutines;
} gs_task;

struct gsum {
	gsum_hooks hooks;
	const gt_symtab *sym;
	strtab strings;
	u64map gs;            /* goroutine id -> gs_g *, the live ones */
	gs_g **waiting;       /* dead ones handed out at the end (see above) */
	size_t nwaiting, capwaiting;
	u64map tasks;         /* task id -> gs_task * */
	u64map syscalling_p;  /* proc -> goroutine in a syscall on it */
	u64map syscalling_g;  /* goroutine -> its proc */
	u64map ranges_p;      /* hash of (proc, range name) -> goroutine */
	gsum_str forever;
	int64_t first_ts, last_ts, sync_ts;
	int seen, oom;
};

static inline int64_t sub64(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a - (uint64_t)b);
}

static gsum_str intern(gsum *s, gt_str str)
{
	uint32_t id = strtab_intern(&s->strings, str.ptr, str.len);

	if (id == UINT32_MAX) {
		s->oom = 1;
		return 0;
	}
	return id;
}

/* The entry for name in a name -> ns list, added at 0 if absent. */
static gsum_named *named(gsum *s, gsum_named **v, size_t *n, size_t *cap, gsum_str name)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].name == name)
			return &(*v)[i];
	if (GT_RESERVE(*v, *cap, *n + 1)) {
		s->oom = 1;
		return NULL;
	}
	(*v)[*n] = (gsum_named){ name, 0 };
	return &(*v)[(*n)++];
}

static void add_named(gsum *s, gsum_named **v, size_t *n, size_t *cap, gsum_str name, int64_t ns)
{
	gsum_named *e = named(s, v, n, cap, name);

	if (e)
		e->ns = gt_add64(e->ns, ns);
}

static int64_t named_get(const gsum_named *v, size_t n, gsum_str name)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].name == name)
			return v[i].ns;
	return 0;
}

static void stats_free(gs_stats *st)
{
	free(st->block);
	free(st->ranges);
	memset(st, 0, sizeof *st);
}

static void stats_copy(gsum *s, gs_stats *dst, const gs_stats *src)
{
	*dst = *src;
	dst->block = dst->ranges = NULL;
	dst->nblock = dst->capblock = dst->nranges = dst->capranges = 0;
	for (size_t i = 0; i < src->nblock; i++)
		add_named(s, &dst->block, &dst->nblock, &dst->capblock, src->block[i].name,
			  src->block[i].ns);
	for (size_t i = 0; i < src->nranges; i++)
		add_named(s, &dst->ranges, &dst->nranges, &dst->capranges, src->ranges[i].name,
			  src->ranges[i].ns);
}

/* GoroutineExecStats.sub: r -= v, over r's own keys. */
static void stats_sub(gs_stats *r, const gs_stats *v)
{
	r->exec = sub64(r->exec, v->exec);
	r->sched_wait = sub64(r->sched_wait, v->sched_wait);
	r->syscall = sub64(r->syscall, v->syscall);
	r->syscall_block = sub64(r->syscall_block, v->syscall_block);
	r->total = sub64(r->total, v->total);
	for (size_t i = 0; i < r->nblock; i++)
		r->block[i].ns = sub64(r->block[i].ns, named_get(v->block, v->nblock, r->block[i].name));
	for (size_t i = 0; i < r->nranges; i++)
		r->ranges[i].ns =
			sub64(r->ranges[i].ns, named_get(v->ranges, v->nranges, r->ranges[i].name));
}

int64_t gsum_unknown_time(const gsum_stats *st)
{
	int64_t sum = gt_add64(gt_add64(st->exec, st->sched_wait), gt_add64(st->syscall, st->syscall_block));

	for (size_t i = 0; i < st->nblock; i++)
		sum = gt_add64(sum, st->block[i].ns);
	return sum < st->total ? sub64(st->total, sum) : 0;
}

/* GoroutineSummary.snapshotStat: the stats as of ts, counting the states
 * and ranges still open. */
static void snapshot(gsum *s, const gs_g *g, int64_t ts, gs_stats *out)
{
	stats_copy(s, out, &g->st);
	if (g->st.total == 0)
		out->total = sub64(ts, g->creation);
	if (g->last_start)
		out->exec = gt_add64(out->exec, sub64(ts, g->last_start));
	if (g->last_runnable)
		out->sched_wait = gt_add64(out->sched_wait, sub64(ts, g->last_runnable));
	if (g->last_block)
		add_named(s, &out->block, &out->nblock, &out->capblock, g->last_block_reason,
			  sub64(ts, g->last_block));
	if (g->last_syscall)
		out->syscall = gt_add64(out->syscall, sub64(ts, g->last_syscall));
	if (g->last_syscall_block) /* sic: Go counts it as scheduler wait here */
		out->sched_wait = gt_add64(out->sched_wait, sub64(ts, g->last_syscall_block));
	for (size_t i = 0; i < g->nlast_range; i++)
		add_named(s, &out->ranges, &out->nranges, &out->capranges, g->last_range[i].name,
			  sub64(ts, g->last_range[i].ns));
}

static gsum_stats view(const gs_stats *st)
{
	return (gsum_stats){ st->exec, st->sched_wait, st->syscall, st->syscall_block, st->total,
			     st->block, st->nblock, st->ranges, st->nranges };
}

static gsum_goroutine goroutine_view(const gs_g *g)
{
	return (gsum_goroutine){ g->id, g->name, g->pc, g->creation, g->start, g->end, view(&g->st) };
}

/* end: the event that ended the region (its end, or its goroutine's),
 * NULL if the trace did. */
static void hand_out_region(gsum *s, const gs_g *g, const gs_region *r, const gt_event *end,
			    const gs_stats *st)
{
	gsum_goroutine gv;
	gsum_region rv;

	if (!s->hooks.region)
		return;
	gv = goroutine_view(g);
	rv = (gsum_region){ g->id, r->task, r->type, r->has_start, end != NULL,
			    r->start, end ? end->time : 0, r->start_stack,
			    end ? end->g : GT_NO_GOROUTINE, end ? end->stack : GT_NO_STACK,
			    view(st) };
	s->hooks.region(s->hooks.ctx, &gv, &rv);
}

static int is_system(const gsum *s, gsum_str name)
{
	return gsum_is_system(strtab_get(&s->strings, name));
}

int gsum_is_system(gt_str name)
{
	static const char runtime[] = "runtime.", main_fn[] = "runtime.main";

	if (name.len == 0)
		return 1;
	if (name.len == sizeof main_fn - 1 && !memcmp(name.ptr, main_fn, name.len))
		return 0;
	return name.len >= sizeof runtime - 1 && !memcmp(name.ptr, runtime, sizeof runtime - 1);
}

static void clear_live_state(gs_g *g)
{
	for (size_t i = 0; i < g->nregions; i++)
		stats_free(&g->regions[i].at_start);
	g->nregions = 0;
	g->nlast_range = 0;
	g->last_start = g->last_runnable = g->last_block = g->last_syscall = 0;
	g->last_syscall_block = 0;
	g->last_block_reason = 0;
}

/* GoroutineSummary.finalize: at its exit or "forever" block (the event
 * trigger) or at the trace's end (trigger NULL). */
static void finalize(gsum *s, gs_g *g, int64_t last_ts, const gt_event *trigger)
{
	gs_stats final;

	if (trigger)
		g->end = trigger->time;
	snapshot(s, g, last_ts, &final);
	stats_free(&g->st);
	g->st = final;
	/* System goroutines never belong to regions, though one made inside a
	 * region (a GC worker, say) inherits it. */
	if (!is_system(s, g->name)) {
		for (size_t i = 0; i < g->nregions; i++) {
			gs_stats st;

			stats_copy(s, &st, &g->st);
			stats_sub(&st, &g->regions[i].at_start);
			hand_out_region(s, g, &g->regions[i], trigger, &st);
			stats_free(&st);
		}
	}
	clear_live_state(g);
}

static void g_free(gs_g *g)
{
	if (!g)
		return;
	clear_live_state(g);
	stats_free(&g->st);
	free(g->last_range);
	free(g->regions);
	free(g);
}

static gs_g *live(const gsum *s, int64_t id)
{
	gs_g **p = u64map_get(&s->gs, (uint64_t)id);

	return p ? *p : NULL;
}

/* A new summary for id, replacing any earlier one (Go's map assignment);
 * an earlier one waiting for the end goes too, as Go's map loses it. */
static gs_g *new_goroutine(gsum *s, int64_t id, int64_t creation)
{
	gs_g *g = calloc(1, sizeof *g), **slot;
	int added;

	for (size_t i = 0; i < s->nwaiting; i++) {
		if (s->waiting[i]->id == id) {
			g_free(s->waiting[i]);
			s->waiting[i] = s->waiting[--s->nwaiting];
			break;
		}
	}
	if (!g || !(slot = u64map_put(&s->gs, (uint64_t)id, &added))) {
		free(g);
		s->oom = 1;
		return NULL;
	}
	if (!added)
		g_free(*slot);
	*slot = g;
	g->id = id;
	g->creation = creation;
	return g;
}

static gs_task *get_task(gsum *s, uint64_t id)
{
	int added;
	gs_task **slot = u64map_put(&s->tasks, id, &added), *t;

	if (!slot) {
		s->oom = 1;
		return NULL;
	}
	if (!added)
		return *slot;
	if (!(t = calloc(1, sizeof *t))) {
		u64map_del(&s->tasks, id);
		s->oom = 1;
		return NULL;
	}
	t->pub.id = id;
	t->pub.parent = GT_NO_TASK;
	t->pub.start_stack = t->pub.end_stack = GT_NO_STACK;
	return *slot = t;
}

/* task.Goroutines[id] = ...: a set; the same goroutine usually comes back
 * at once, so only the last few are looked at before adding (the end
 * removes the rest of the duplicates). */
static void task_add_goroutine(gsum *s, gs_task *t, int64_t id)
{
	size_t n = t->pub.ngoroutines;

	for (size_t i = n > 8 ? n - 8 : 0; i < n; i++)
		if (t->goroutines[i] == id)
			return;
	if (GT_RESERVE(t->goroutines, t->capgoroutines, n + 1)) {
		s->oom = 1;
		return;
	}
	t->goroutines[t->pub.ngoroutines++] = id;
}

static void hand_out_goroutine(gsum *s, gs_g *g)
{
	gsum_goroutine v;

	if (!s->hooks.goroutine)
		return;
	v = goroutine_view(g);
	s->hooks.goroutine(s->hooks.ctx, &v);
}

/* The outermost frame of the stack: the goroutine's start function. */
static void name_goroutine(gsum *s, gs_g *g, uint32_t stack)
{
	size_t n;
	const uint32_t *frames;
	gt_frame f;

	if (stack == GT_NO_STACK)
		return;
	frames = gt_symtab_stack(s->sym, stack, &n);
	if (!n)
		return;
	gt_symtab_frame(s->sym, frames[n - 1], &f);
	g->pc = f.pc;
	g->name = intern(s, f.func);
}

static void goroutine_transition(gsum *s, const gt_event *ev)
{
	int64_t id = ev->transition.id, t = ev->time;
	uint8_t from = ev->transition.from, to = ev->transition.to;
	gs_g *g;

	if (from == to)
		return;
	/* Transition out. */
	if (from == GT_GO_UNDETERMINED) {
		int64_t d;

		if (!(g = new_goroutine(s, id, s->sync_ts)))
			return;
		/* It was in its state since the last Sync, as far as we know. */
		d = sub64(t, s->sync_ts);
		switch (to) {
		case GT_GO_RUNNING:
			g->st.exec = gt_add64(g->st.exec, d);
			break;
		case GT_GO_WAITING:
			add_named(s, &g->st.block, &g->st.nblock, &g->st.capblock,
				  intern(s, ev->transition.reason), d);
			break;
		case GT_GO_RUNNABLE:
			g->st.sched_wait = gt_add64(g->st.sched_wait, d);
			break;
		case GT_GO_SYSCALL:
			if (ev->p == GT_NO_PROC)
				g->st.syscall_block = gt_add64(g->st.syscall_block, d);
			else
				g->st.syscall = gt_add64(g->st.syscall, d);
			break;
		}
	} else if (from == GT_GO_NOT_EXIST) {
		gs_g *creator;

		if (!(g = new_goroutine(s, id, t)))
			return;
		/* Made inside a region: it inherits an unnamed one of that task. */
		creator = ev->g != id ? live(s, ev->g) : NULL;
		if (creator && creator->nregions) {
			if (GT_RESERVE(g->regions, g->capregions, 1)) {
				s->oom = 1;
				return;
			}
			g->regions[0] = (gs_region){ .task = creator->regions[creator->nregions - 1].task,
						     .has_start = 1, .start = t, .start_stack = ev->stack };
			g->nregions = 1;
		}
	} else {
		/* NEVER: Go's reader shows every goroutine new first. */
		if (!(g = live(s, id)))
			return;
		switch (from) {
		case GT_GO_RUNNING:
			g->st.exec = gt_add64(g->st.exec, sub64(t, g->last_start));
			g->last_start = 0;
			break;
		case GT_GO_WAITING:
			if (g->last_block) {
				add_named(s, &g->st.block, &g->st.nblock, &g->st.capblock,
					  g->last_block_reason, sub64(t, g->last_block));
				g->last_block = 0;
			}
			break;
		case GT_GO_RUNNABLE:
			if (g->last_runnable) {
				g->st.sched_wait = gt_add64(g->st.sched_wait, sub64(t, g->last_runnable));
				g->last_runnable = 0;
			}
			break;
		case GT_GO_SYSCALL:
			if (g->last_syscall) {
				if (g->last_syscall_block) {
					g->st.syscall_block = gt_add64(g->st.syscall_block,
								       sub64(t, g->last_syscall_block));
					g->st.syscall = gt_add64(g->st.syscall,
								 sub64(g->last_syscall_block, g->last_syscall));
				} else {
					g->st.syscall = gt_add64(g->st.syscall, sub64(t, g->last_syscall));
				}
				g->last_syscall = g->last_syscall_block = 0;
				int64_t *p = u64map_get(&s->syscalling_g, (uint64_t)id);
				if (p) {
					u64map_del(&s->syscalling_p, (uint64_t)*p);
					u64map_del(&s->syscalling_g, (uint64_t)id);
				}
			}
			break;
		}
	}
	if (!g->name)
		name_goroutine(s, g, ev->transition.stack);

	/* Transition in. */
	switch (to) {
	case GT_GO_RUNNING:
		g->last_start = t;
		if (!g->start)
			g->start = t;
		break;
	case GT_GO_RUNNABLE:
		g->last_runnable = t;
		break;
	case GT_GO_WAITING: {
		gsum_str reason = intern(s, ev->transition.reason);

		if (reason != s->forever) {
			g->last_block = t;
			g->last_block_reason = reason;
			break;
		}
		finalize(s, g, t, ev); /* "forever" is like an exit */
		break;
	}
	case GT_GO_NOT_EXIST:
		finalize(s, g, t, ev);
		u64map_del(&s->gs, (uint64_t)id);
		if (g->st.total == 0) {
			/* Go's Finalize will set its TotalTime: wait for it. */
			if (GT_RESERVE(s->waiting, s->capwaiting, s->nwaiting + 1)) {
				s->oom = 1;
				g_free(g);
				return;
			}
			s->waiting[s->nwaiting++] = g;
			return;
		}
		hand_out_goroutine(s, g);
		g_free(g);
		break;
	case GT_GO_SYSCALL: {
		int added;
		int64_t *gp = u64map_put(&s->syscalling_p, (uint64_t)ev->p, &added), *pp;

		if (!gp || !(pp = u64map_put(&s->syscalling_g, (uint64_t)id, &added))) {
			s->oom = 1;
			return;
		}
		*gp = id;
		*pp = ev->p;
		g->last_syscall = t;
		break;
	}
	}
}

/* A proc going idle while its goroutine is in a syscall: the syscall
 * blocks from here on. */
static void proc_transition(gsum *s, const gt_event *ev)
{
	int64_t *gid;
	gs_g *g;

	if (ev->transition.from == ev->transition.to || ev->transition.to != GT_PROC_IDLE)
		return;
	if (!(gid = u64map_get(&s->syscalling_p, (uint64_t)ev->transition.id)))
		return;
	if ((g = live(s, *gid)))
		g->last_syscall_block = ev->time;
	u64map_del(&s->syscalling_p, (uint64_t)ev->transition.id);
}

static uint64_t range_p_key(int64_t proc, gsum_str name)
{
	return (uint64_t)proc * 0x9E3779B97F4A7C15ull ^ ((uint64_t)name << 1 | 1);
}

static gsum_named *last_range(gsum *s, gs_g *g, gsum_str name, int add)
{
	for (size_t i = 0; i < g->nlast_range; i++)
		if (g->last_range[i].name == name)
			return &g->last_range[i];
	return add ? named(s, &g->last_range, &g->nlast_range, &g->caplast_range, name) : NULL;
}

static void range_event(gsum *s, const gt_event *ev)
{
	gsum_str name = intern(s, ev->range.name);
	gs_g *g = NULL;
	gsum_named *last;

	if (ev->kind != GT_EV_RANGE_END) {
		if (ev->range.scope == GT_RES_GOROUTINE) {
			g = live(s, ev->range.scope_id);
		} else if (ev->range.scope == GT_RES_PROC && (g = live(s, ev->g))) {
			/* Bound to the P, not the goroutine; but if the goroutine stays on
			 * the P the whole time, the range is its (GC sweeps, say). */
			int added;
			int64_t *slot = u64map_put(&s->ranges_p, range_p_key(ev->range.scope_id, name), &added);

			if (!slot) {
				s->oom = 1;
				return;
			}
			*slot = ev->g;
		}
		if (!g || !(last = last_range(s, g, name, 1)))
			return;
		if (ev->kind == GT_EV_RANGE_ACTIVE) {
			if (last->ns)
				add_named(s, &g->st.ranges, &g->st.nranges, &g->st.capranges, name,
					  sub64(s->sync_ts, last->ns));
			last->ns = s->sync_ts;
		} else {
			last->ns = ev->time;
		}
		return;
	}
	if (ev->range.scope == GT_RES_GOROUTINE) {
		g = live(s, ev->range.scope_id);
	} else if (ev->range.scope == GT_RES_PROC) {
		uint64_t key = range_p_key(ev->range.scope_id, name);
		int64_t *gid = u64map_get(&s->ranges_p, key);

		if (gid) {
			if (*gid == ev->g)
				g = live(s, *gid);
			u64map_del(&s->ranges_p, key);
		}
	}
	if (!g || !(last = last_range(s, g, name, 0)) || !last->ns)
		return;
	add_named(s, &g->st.ranges, &g->st.nranges, &g->st.capranges, name, sub64(ev->time, last->ns));
	*last = g->last_range[--g->nlast_range];
}

static void region_begin(gsum *s, const gt_event *ev)
{
	gs_g *g = live(s, ev->g);
	gs_task *task;
	gs_region *r;

	if (!g) /* NEVER: a region begins on a running goroutine */
		return;
	if (GT_RESERVE(g->regions, g->capregions, g->nregions + 1)) {
		s->oom = 1;
		return;
	}
	r = &g->regions[g->nregions++];
	*r = (gs_region){ .task = ev->region.task, .type = intern(s, ev->region.type), .has_start = 1,
			  .start = ev->time, .start_stack = ev->stack };
	snapshot(s, g, ev->time, &r->at_start);
	if ((task = get_task(s, ev->region.task))) {
		task->pub.nregions++;
		task_add_goroutine(s, task, g->id);
	}
}

static void region_end(gsum *s, const gt_event *ev)
{
	gs_g *g = live(s, ev->g);
	gs_region r;
	gs_stats st;

	if (!g)
		return;
	if (g->nregions) {
		/* The innermost region is the one that ended, whatever its type. */
		r = g->regions[--g->nregions];
	} else {
		/* An end without a begin: the region began before the trace. */
		gs_task *task = get_task(s, ev->region.task);

		r = (gs_region){ .task = ev->region.task, .type = intern(s, ev->region.type) };
		if (task) {
			task->pub.nregions++;
			task_add_goroutine(s, task, g->id);
		}
	}
	snapshot(s, g, ev->time, &st);
	stats_sub(&st, &r.at_start);
	hand_out_region(s, g, &r, ev, &st);
	stats_free(&st);
	stats_free(&r.at_start);
}

static void task_event(gsum *s, const gt_event *ev)
{
	gs_task *t = get_task(s, ev->task.id);

	if (!t)
		return;
	t->pub.type = intern(s, ev->task.type);
	task_add_goroutine(s, t, ev->g);
	if (ev->kind == GT_EV_TASK_BEGIN) {
		t->pub.has_start = 1;
		t->pub.start = ev->time;
		t->pub.start_g = ev->g;
		t->pub.start_stack = ev->stack;
	} else {
		t->pub.has_end = 1;
		t->pub.end = ev->time;
		t->pub.end_g = ev->g;
		t->pub.end_stack = ev->stack;
	}
	if (ev->task.parent != GT_NO_TASK && !t->has_parent) {
		t->has_parent = 1;
		t->pub.parent = ev->task.parent;
		(void)get_task(s, ev->task.parent);
	}
}

static void log_event(gsum *s, const gt_event *ev)
{
	gs_task *t = get_task(s, ev->log.task);

	if (!t)
		return;
	task_add_goroutine(s, t, ev->g);
	t->pub.nlogs++;
}

int gsum_event(gsum *s, const gt_event *ev)
{
	if (!s->seen) {
		s->seen = 1;
		s->first_ts = ev->time;
	}
	if (s->sync_ts == 0)
		s->sync_ts = ev->time;
	s->last_ts = ev->time;
	switch (ev->kind) {
	case GT_EV_SYNC:
		s->sync_ts = ev->time;
		break;
	case GT_EV_STATE_TRANSITION:
		if (ev->transition.resource == GT_RES_GOROUTINE)
			goroutine_transition(s, ev);
		else if (ev->transition.resource == GT_RES_PROC)
			proc_transition(s, ev);
		break;
	case GT_EV_RANGE_BEGIN:
	case GT_EV_RANGE_ACTIVE:
	case GT_EV_RANGE_END:
		range_event(s, ev);
		break;
	case GT_EV_REGION_BEGIN:
		region_begin(s, ev);
		break;
	case GT_EV_REGION_END:
		region_end(s, ev);
		break;
	case GT_EV_TASK_BEGIN:
	case GT_EV_TASK_END:
		task_event(s, ev);
		break;
	case GT_EV_LOG:
		log_event(s, ev);
		break;
	default:
		break;
	}
	return s->oom ? -1 : 0;
}

static int cmp_g(const void *a, const void *b)
{
	int64_t x = (*(gs_g *const *)a)->id, y = (*(gs_g *const *)b)->id;

	return (x > y) - (x < y);
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int cmp_task(const void *a, const void *b)
{
	uint64_t x = (*(gs_task *const *)a)->pub.id, y = (*(gs_task *const *)b)->pub.id;

	return (x > y) - (x < y);
}

/* Summarizer.Finalize: every goroutine finalized at the last event, then
 * handed out in order of id, the waiting dead ones among them; then the
 * tasks. */
int gsum_finish(gsum *s)
{
	size_t pos = 0, n = 0;
	uint64_t key;
	gs_g **p, **all;
	gs_task **tp, **tasks;

	if (s->oom)
		return -1;
	if (!(all = malloc((s->gs.len + s->nwaiting + 1) * sizeof *all)))
		return -1;
	while ((p = u64map_next(&s->gs, &pos, &key)))
		all[n++] = *p;
	for (size_t i = 0; i < s->nwaiting; i++)
		all[n++] = s->waiting[i];
	qsort(all, n, sizeof *all, cmp_g);
	for (size_t i = 0; i < n; i++) {
		finalize(s, all[i], s->last_ts, NULL);
		hand_out_goroutine(s, all[i]);
	}
	free(all);
	if (!(tasks = malloc((s->tasks.len + 1) * sizeof *tasks)))
		return -1;
	pos = n = 0;
	while ((tp = u64map_next(&s->tasks, &pos, &key)))
		tasks[n++] = *tp;
	qsort(tasks, n, sizeof *tasks, cmp_task);
	for (size_t i = 0; i < n; i++) {
		gsum_task *t = &tasks[i]->pub;
		size_t k = 0;

		qsort(tasks[i]->goroutines, t->ngoroutines, sizeof *tasks[i]->goroutines, cmp_i64);
		for (size_t j = 0; j < t->ngoroutines; j++)
			if (!k || tasks[i]->goroutines[k - 1] != tasks[i]->goroutines[j])
				tasks[i]->goroutines[k++] = tasks[i]->goroutines[j];
		t->ngoroutines = k;
		t->goroutines = tasks[i]->goroutines;
		if (s->hooks.task)
			s->hooks.task(s->hooks.ctx, t);
	}
	free(tasks);
	return s->oom ? -1 : 0;
}

gsum *gsum_new(const gsum_hooks *hooks, const gt_symtab *sym)
{
	static const gt_str forever = { "forever", 7 };
	gsum *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	if (hooks)
		s->hooks = *hooks;
	s->sym = sym;
	strtab_init(&s->strings);
	u64map_init(&s->gs, sizeof(gs_g *));
	u64map_init(&s->tasks, sizeof(gs_task *));
	u64map_init(&s->syscalling_p, sizeof(int64_t));
	u64map_init(&s->syscalling_g, sizeof(int64_t));
	u64map_init(&s->ranges_p, sizeof(int64_t));
	s->forever = intern(s, forever);
	if (s->oom) {
		gsum_free(s);
		return NULL;
	}
	return s;
}

void gsum_free(gsum *s)
{
	size_t pos = 0;
	uint64_t key;
	void **p;

	if (!s)
		return;
	while ((p = u64map_next(&s->gs, &pos, &key)))
		g_free(*p);
	for (size_t i = 0; i < s->nwaiting; i++)
		g_free(s->waiting[i]);
	free(s->waiting);
	pos = 0;
	while ((p = u64map_next(&s->tasks, &pos, &key))) {
		gs_task *t = *p;

		free(t->goroutines);
		free(t);
	}
	u64map_free(&s->gs);
	u64map_free(&s->tasks);
	u64map_free(&s->syscalling_p);
	u64map_free(&s->syscalling_g);
	u64map_free(&s->ranges_p);
	strtab_free(&s->strings);
	free(s);
}

gt_str gsum_string(const gsum *s, gsum_str id)
{
	return strtab_get(&s->strings, id);
}

int gsum_live(const gsum *s, int64_t id, gsum_goroutine *out)
{
	gs_g *g = live(s, id);

	if (!g)
		return 0;
	*out = goroutine_view(g);
	return 1;
}

int gsum_live_region(const gsum *s, int64_t id, gsum_str *type, uint64_t *task)
{
	gs_g *g = live(s, id);

	if (!g || !g->nregions)
		return 0;
	*type = g->regions[g->nregions - 1].type;
	*task = g->regions[g->nregions - 1].task;
	return 1;
}

int64_t gsum_start_time(const gsum *s)
{
	return s->first_ts;
}

int64_t gsum_end_time(const gsum *s)
{
	return s->last_ts;
}
