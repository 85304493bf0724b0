/*
 * perfetto.c - the Perfetto sink: the trace in Perfetto's own protobuf
 * format (pfwrite.h), for ui.perfetto.dev and trace processor, streamed.
 *
 * Two view generators (tvgen.h) run over the events: cmd/trace's proc view
 * gives the P lanes (the goroutine slices named "G12 main.worker" as
 * cmd/trace names them, syscalls, ranges, proc start and stop, samples and
 * logs), the GC, Network and Syscalls lanes and the counters; the goroutine
 * view gives a track per goroutine (its states as slices, its ranges, its
 * samples and logs, a child track with its regions), the flows from an
 * unblock (or a go statement) to the start it causes, and the tasks.  What
 * both views draw is taken from the proc view.
 *
 * The track tree: a root "Procs" holding the counters, the special lanes
 * and the P lanes in order; a root "Tasks"; and a root per start function
 * (gsum's goroutine name) holding its goroutines in order of id.  Perfetto
 * sorts roots by name, so "Procs" and "Tasks" come before the functions,
 * whose package paths are lower case.  Tracks are described when their
 * first packet is written (pfwrite.h), so that a goroutine seen before its
 * start function is known (one runnable when the trace starts) is most
 * often filed under it.
 *
 * Flows: the unblock is an instant on the unblocker's track that starts the
 * flow; the flow ends on the begin of the slice that runs the goroutine,
 * which is written when that run ends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "pfwrite.h"
#include "select.h"
#include "sink.h"
#include "tvgen.h"
#include "u64map.h"

/* Track uuids: (id << 4) | kind; ids up to 2^60 stay apart. */
enum {
	K_ROOT = 1,      /* ROOT_* */
	K_GROUP,         /* a start function: a symbol table string id, or UNNAMED */
	K_GOROUTINE,     /* goroutine id */
	K_REGIONS,       /* a goroutine's regions, by goroutine id */
	K_PROC,          /* P lane */
	K_LANE,          /* the special lanes: TV_*_LANE - TV_TIMERS_LANE */
	K_TASK,          /* task id */
	K_STATS,         /* a counter group: tv_counter */
	K_COUNTER,       /* a counter: C_* */
};
enum { ROOT_PROCS, ROOT_TASKS };
#define UNNAMED 0xffffffffu

/* The counters, in the order pfwrite's events carry them: those that
 * change most first, as an event carries a prefix of them. */
enum { C_RUNNING, C_RUNNABLE, C_GCWAITING, C_THREADS, C_HEAP, C_NEXTGC, NCOUNTERS };

static const struct {
	const char *name;
	tv_counter group;
} counters[NCOUNTERS] = {
	[C_RUNNING] = { "Running", TV_COUNTER_GOROUTINES },
	[C_RUNNABLE] = { "Runnable", TV_COUNTER_GOROUTINES },
	[C_GCWAITING] = { "GCWaiting", TV_COUNTER_GOROUTINES },
	[C_THREADS] = { "Running", TV_COUNTER_THREADS },
	[C_HEAP] = { "Allocated", TV_COUNTER_HEAP },
	[C_NEXTGC] = { "NextGC", TV_COUNTER_HEAP },
};
static const char *const stats_names[] = { "Goroutines", "Threads", "Heap" };
/* The special lanes by TV_*_LANE - TV_TIMERS_LANE, and their places after
 * the counters, in cmd/trace's order. */
static const char *const lane_names[] = { "Timers", "Network", "Syscalls", "GC" };
static const int32_t lane_ranks[] = { 5, 4, 6, 3 };

static uint64_t uuid(uint64_t id, int kind)
{
	return id << 4 | (uint64_t)kind;
}

/* A goroutine's track, while it lives (goroutine view). */
typedef struct pf_lane {
	uint64_t name_hash;    /* of the name it was described with, 0 if not */
	uint64_t parent;       /* its group then: a track keeps its parent */
	uint64_t in_flow;      /* a flow to end on the begin at in_ts, 0 if none */
	int64_t in_ts;
} pf_lane;

typedef struct pf_sink pf_sink;

/* The back end of one generator. */
typedef struct pf_view {
	pf_sink *s;
	int view;
} pf_view;

struct pf_sink {
	t2p_sink base;
	const char *path;
	int gz;
	const t2p_select *sel; /* NULL, or where a window comes from */
	t2p_output out;
	const gt_symtab *sym;
	pf_writer *w;
	tv_gen *proc, *gor;
	pf_view vproc, vgor;
	u64map lanes;          /* goroutine id -> pf_lane */
	uint64_t flows;        /* flow ids handed out */
	int oom;
};

static const char *where(const pf_sink *s)
{
	return s->path ? s->path : "standard output";
}

static uint64_t hash_bytes(const char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)p[i]) * 0x100000001b3ull;
	return h | 1;
}

static int32_t rank(uint64_t id)
{
	return id > INT32_MAX ? INT32_MAX : (int32_t)id;
}

static int is_special(uint64_t tid)
{
	return tid >= TV_TIMERS_LANE && tid <= TV_GC_LANE;
}

/* Describing tracks (pfwrite's hook). */

static void describe_group(pf_sink *s, uint32_t func)
{
	pf_track t = { .uuid = uuid(func, K_GROUP), .explicit_order = 1 };
	gt_str name = { "unnamed goroutines", 18 };

	if (func != UNNAMED)
		name = gt_symtab_string(s->sym, func);
	if (!name.len)
		name = (gt_str){ "(empty start function)", 22 };
	t.name = name.ptr;
	t.name_len = name.len;
	pf_track_write(s->w, &t);
}

/* A goroutine's track, under its start function's group; described
 * again (with a new name) under the group it was first filed under, as
 * trace processor takes no other. */
static void describe_goroutine(pf_sink *s, int64_t id, const char *name, size_t len, uint32_t func,
			       int named)
{
	pf_track t = { .uuid = uuid((uint64_t)id, K_GOROUTINE), .name = name, .name_len = len,
		       .rank = rank((uint64_t)id) };
	uint32_t group = named ? func : UNNAMED;
	int added;
	pf_lane *l;

	if (!(l = u64map_put(&s->lanes, (uint64_t)id, &added))) {
		s->oom = 1;
		return;
	}
	if (!l->parent) {
		l->parent = uuid(group, K_GROUP);
		if (!pf_track_described(s->w, l->parent))
			describe_group(s, group);
	}
	t.parent = l->parent;
	l->name_hash = hash_bytes(name, len);
	pf_track_write(s->w, &t);
}

static void describe_live_goroutine(pf_sink *s, int64_t id)
{
	const char *name;
	size_t len;
	uint32_t func;
	int named = tv_gen_goroutine(s->gor, id, &name, &len, &func);
	char buf[32];

	if (named < 0) {
		snprintf(buf, sizeof buf, "G%lld", (long long)id);
		describe_goroutine(s, id, buf, strlen(buf), 0, 0);
		return;
	}
	describe_goroutine(s, id, name, len, func, named);
}

static void describe(void *ctx, uint64_t u)
{
	pf_sink *s = ctx;
	uint64_t id = u >> 4;
	pf_track t = { .uuid = u };
	char name[48];

	switch (u & 15) {
	case K_ROOT:
		t.name = id == ROOT_PROCS ? "Procs" : "Tasks";
		t.explicit_order = 1;
		break;
	case K_GROUP:
		describe_group(s, (uint32_t)id);
		return;
	case K_GOROUTINE:
		describe_live_goroutine(s, (int64_t)id);
		return;
	case K_REGIONS:
		t.parent = uuid(id, K_GOROUTINE);
		t.name = "regions";
		break;
	case K_PROC:
		snprintf(name, sizeof name, "Proc %llu", (unsigned long long)id);
		t.name = name;
		t.parent = uuid(ROOT_PROCS, K_ROOT);
		t.rank = rank(10 + id);
		break;
	case K_LANE:
		t.name = lane_names[id];
		t.parent = uuid(ROOT_PROCS, K_ROOT);
		t.rank = lane_ranks[id];
		break;
	case K_TASK:
		/* Named when it ends (task_name); an arrow may come from it first. */
		snprintf(name, sizeof name, "T%llu", (unsigned long long)id);
		t.name = name;
		t.parent = uuid(ROOT_TASKS, K_ROOT);
		t.rank = rank(id);
		break;
	case K_STATS:
		t.name = stats_names[id];
		t.parent = uuid(ROOT_PROCS, K_ROOT);
		t.rank = (int32_t)id;
		t.explicit_order = 1;
		break;
	case K_COUNTER:
		t.name = counters[id].name;
		t.parent = uuid(counters[id].group, K_STATS);
		t.rank = (int32_t)id;
		t.counter = 1;
		t.axis = stats_names[counters[id].group];
		break;
	default:
		return;
	}
	t.name_len = strlen(t.name);
	pf_track_write(s->w, &t);
}

/* Where a viewer event of this view goes: a track, or 0 if the other view
 * draws it. */
static uint64_t track_of(const pf_view *v, uint64_t pid, uint64_t tid)
{
	pf_sink *s = v->s;

	if (pid == TV_TASKS)
		return v->view == T2P_VIEW_GOROUTINE ? uuid(tid, K_TASK) : 0;
	if (pid != TV_PROCS)
		return 0;
	if (v->view == T2P_VIEW_PROC) {
		if (is_special(tid))
			return uuid(tid - TV_TIMERS_LANE, K_LANE);
		return uuid(tid, K_PROC);
	}
	/* The goroutine view's lanes are goroutines, and its special lanes
	 * repeat the proc view's; a goroutine whose id is a special lane's
	 * number keeps its lane while it lives. */
	if (is_special(tid) && tv_gen_goroutine(s->gor, (int64_t)tid, NULL, NULL, NULL) < 0)
		return 0;
	return uuid(tid, K_GOROUTINE);
}

/* Args as debug annotations, into a[] (room for 3); their count. */
static size_t annotations(const tv_args *in, pf_arg *a)
{
	size_t n = 0;

	switch (in->kind) {
	case TV_ARGS_NONE:
		break;
	case TV_ARGS_BLOCKED:
		a[n++] = (pf_arg){ .name = "blocked", .kind = PF_STRING, .s = in->s, .len = strlen(in->s) };
		break;
	case TV_ARGS_SCHED:
		if (in->a)
			a[n++] = (pf_arg){ .name = "thread", .kind = PF_UINT, .u = in->a };
		if (in->b)
			a[n++] = (pf_arg){ .name = "proc", .kind = PF_UINT, .u = in->b };
		break;
	case TV_ARGS_TASK:
		a[n++] = (pf_arg){ .name = "id", .kind = PF_UINT, .u = in->a };
		if (in->b)
			a[n++] = (pf_arg){ .name = "start_g", .kind = PF_UINT, .u = in->b };
		if (in->c)
			a[n++] = (pf_arg){ .name = "end_g", .kind = PF_UINT, .u = in->c };
		break;
	case TV_ARGS_REGION:
		a[n++] = (pf_arg){ .name = "taskid", .kind = PF_UINT, .u = in->a };
		break;
	case TV_ARGS_PLACE:
		a[n++] = (pf_arg){ .name = "thread", .kind = PF_INT, .i = (int64_t)in->a };
		a[n++] = (pf_arg){ .name = "proc", .kind = PF_INT, .i = (int64_t)in->b };
		break;
	case TV_ARGS_LOG:
		a[n++] = (pf_arg){ .name = "category", .kind = PF_STRING, .s = in->cat.ptr,
				   .len = in->cat.len };
		a[n++] = (pf_arg){ .name = "message", .kind = PF_STRING, .s = in->msg.ptr,
				   .len = in->msg.len };
		break;
	}
	return n;
}

/* The flow waiting for the begin of this goroutine's slice at ts. */
static uint64_t take_in_flow(pf_sink *s, uint64_t track, int64_t ts)
{
	pf_lane *l;
	uint64_t flow;

	if ((track & 15) != K_GOROUTINE || !(l = u64map_get(&s->lanes, track >> 4)) || !l->in_flow ||
	    l->in_ts != ts)
		return 0;
	flow = l->in_flow;
	l->in_flow = 0;
	return flow;
}

/* A flow end that found no begin: an instant of its own. */
static void flow_end_instant(pf_sink *s, uint64_t track, int64_t ts, uint64_t flow)
{
	pf_event ev = { .track = track, .name = "start", .name_len = 5, .end_flow = flow };

	pf_instant(s->w, ts, &ev);
}

static void be_slice(void *ctx, const tv_event *ev)
{
	pf_view *v = ctx;
	pf_sink *s = v->s;
	pf_arg args[3];
	pf_event begin = { .name = ev->name, .name_len = ev->name_len, .stack = ev->sf, .args = args };
	pf_event end = { .stack = ev->esf };

	if (!(begin.track = end.track = track_of(v, ev->pid, ev->tid)))
		return;
	begin.nargs = annotations(&ev->args, args);
	begin.end_flow = take_in_flow(s, begin.track, ev->ts);
	pf_slice(s->w, ev->ts, ev->dur, &begin, &end);
}

static void be_instant(void *ctx, const tv_event *ev)
{
	pf_view *v = ctx;
	pf_arg args[3];
	pf_event e = { .name = ev->name, .name_len = ev->name_len, .stack = ev->sf, .args = args };

	if (!(e.track = track_of(v, TV_PROCS, ev->tid)))
		return;
	e.nargs = annotations(&ev->args, args);
	pf_instant(v->s->w, ev->ts, &e);
}

/* Regions: on their goroutine's child track. */
static void be_region(void *ctx, const tv_event *ev)
{
	pf_view *v = ctx;
	pf_arg args[3];
	pf_event begin = { .track = uuid(ev->tid, K_REGIONS), .name = ev->name,
			   .name_len = ev->name_len, .stack = ev->sf, .args = args };
	pf_event end = { .track = begin.track, .stack = ev->esf };

	begin.nargs = annotations(&ev->args, args);
	pf_slice(v->s->w, ev->ts, ev->dur, &begin, &end);
}

/* The goroutine view's flows: from an instant where the cause happened to
 * the begin of the run (or, between tasks, to an instant). */
static void be_flow(void *ctx, const tv_flow *f)
{
	pf_view *v = ctx;
	pf_sink *s = v->s;
	uint64_t from, to, flow;
	pf_event src = { .name = f->name, .name_len = f->name_len, .stack = f->stack };
	pf_lane *l;
	int added, live;

	if (v->view != T2P_VIEW_GOROUTINE)
		return;
	if (f->pid == TV_TASKS) {
		from = uuid(f->from_tid, K_TASK);
		to = uuid(f->to_tid, K_TASK);
	} else {
		to = uuid(f->to_tid, K_GOROUTINE);
		/* From the Network or Syscalls lane: the proc view has its
		 * instant there already, so this one goes on the goroutine's own
		 * track, at the end of its wait.  From a goroutine gone since:
		 * no flow (its track may be described no more). */
		live = tv_gen_goroutine(s->gor, (int64_t)f->from_tid, NULL, NULL, NULL) >= 0;
		if (is_special(f->from_tid) && !live)
			from = to;
		else if (!live)
			return;
		else
			from = uuid(f->from_tid, K_GOROUTINE);
	}
	src.track = from;
	src.flow = flow = ++s->flows;
	pf_instant(s->w, f->from_ts, &src);
	if ((to & 15) != K_GOROUTINE) {
		flow_end_instant(s, to, f->to_ts, flow);
		return;
	}
	if (!(l = u64map_put(&s->lanes, f->to_tid, &added))) {
		s->oom = 1;
		return;
	}
	if (l->in_flow)
		flow_end_instant(s, to, l->in_ts, l->in_flow);
	l->in_flow = flow;
	l->in_ts = f->to_ts;
}

static void be_counter(void *ctx, tv_counter which, int64_t ts, const int64_t *values)
{
	pf_view *v = ctx;

	if (v->view != T2P_VIEW_PROC)
		return;
	switch (which) {
	case TV_COUNTER_GOROUTINES:
		pf_counters(v->s->w, ts, C_RUNNING, 3, values);
		break;
	case TV_COUNTER_THREADS:
		/* InSyscall is never counted (tvgen.c): left out. */
		pf_counters(v->s->w, ts, C_THREADS, 1, values);
		break;
	case TV_COUNTER_HEAP:
		pf_counters(v->s->w, ts, C_HEAP, 2, values);
		break;
	}
}

static void be_process_meta(void *ctx, uint64_t pid, const char *name, int sort)
{
	(void)ctx, (void)pid, (void)name, (void)sort;
}

/* A goroutine's name when it dies or the trace ends, a task's when it
 * ends: the track is described (again, if the name changed), and a
 * goroutine's is done with. */
static void be_thread_meta(void *ctx, uint64_t pid, uint64_t tid, const char *name, size_t len,
			   int64_t sort)
{
	pf_view *v = ctx;
	pf_sink *s = v->s;
	pf_track t = { .name = name, .name_len = len, .rank = rank(tid) };
	const char *gname;
	size_t glen;
	uint32_t func;
	pf_lane *l;
	int named;

	(void)sort;
	if (v->view != T2P_VIEW_GOROUTINE)
		return;
	if (pid == TV_TASKS) {
		t.uuid = uuid(tid, K_TASK);
		t.parent = uuid(ROOT_TASKS, K_ROOT);
		pf_track_write(s->w, &t);
		return;
	}
	if (pid != TV_PROCS || (is_special(tid) && !u64map_get(&s->lanes, tid)))
		return;
	l = u64map_get(&s->lanes, tid);
	if (l && l->in_flow)
		flow_end_instant(s, uuid(tid, K_GOROUTINE), l->in_ts, l->in_flow);
	if (!l || l->name_hash != hash_bytes(name, len)) {
		named = tv_gen_goroutine(s->gor, (int64_t)tid, &gname, &glen, &func);
		describe_goroutine(s, (int64_t)tid, name, len, func, named > 0);
	}
	u64map_del(&s->lanes, tid);
	pf_track_retire(s->w, uuid(tid, K_GOROUTINE));
	pf_track_retire(s->w, uuid(tid, K_REGIONS));
}

/* Both generators checkpoint at the same Sync, and take back the same
 * events: the writer does it once, for the proc view. */
static void be_checkpoint(void *ctx)
{
	pf_view *v = ctx;

	if (v->view == T2P_VIEW_PROC)
		pf_checkpoint(v->s->w);
}

static int be_rollback(void *ctx)
{
	pf_view *v = ctx;
	pf_sink *s = v->s;
	size_t pos = 0;
	uint64_t key;
	pf_lane *l;

	if (v->view != T2P_VIEW_PROC)
		return 0;
	/* Flows waiting to end began in what is taken back. */
	while ((l = u64map_next(&s->lanes, &pos, &key)))
		l->in_flow = 0;
	return pf_rollback(s->w, where(s));
}

static const tv_backend perfetto_backend = {
	.slice = be_slice,
	.instant = be_instant,
	.async_slice = be_region,
	.flow = be_flow,
	.counter = be_counter,
	.process_meta = be_process_meta,
	.thread_meta = be_thread_meta,
	.checkpoint = be_checkpoint,
	.rollback = be_rollback,
};

/* The sink. */

static int oom(void)
{
	fprintf(stderr, "%s: out of memory\n", t2p_prog);
	return -1;
}

static int pf_begin(t2p_sink *base, gt_reader *r)
{
	pf_sink *s = (pf_sink *)base;
	pf_hooks hooks = { .ctx = s, .describe = describe };
	uint64_t ids[NCOUNTERS];
	int64_t from, to;

	s->sym = gt_reader_symtab(r);
	/* Seekable: a damaged trace's last generation is taken back. */
	if (t2p_output_open(&s->out, s->path) || t2p_output_seekable(&s->out))
		return -1;
	for (int i = 0; i < NCOUNTERS; i++)
		ids[i] = uuid((uint64_t)i, K_COUNTER);
	s->vproc = (pf_view){ s, T2P_VIEW_PROC };
	s->vgor = (pf_view){ s, T2P_VIEW_GOROUTINE };
	if (!(s->w = pf_writer_new(s->out.f, s->gz, s->sym, &hooks, ids, NCOUNTERS)) ||
	    !(s->proc = tv_gen_new(T2P_VIEW_PROC, s->sym, &perfetto_backend, &s->vproc)) ||
	    !(s->gor = tv_gen_new(T2P_VIEW_GOROUTINE, s->sym, &perfetto_backend, &s->vgor)))
		return oom();
	if (s->sel && sel_window(s->sel, &from, &to)) {
		tv_gen_set_window(s->proc, from, to);
		tv_gen_set_window(s->gor, from, to);
	}
	return 0;
}

static int pf_event_in(t2p_sink *base, const gt_event *ev)
{
	pf_sink *s = (pf_sink *)base;

	if (tv_gen_event(s->proc, ev) || tv_gen_event(s->gor, ev) || s->oom || pf_writer_oom(s->w))
		return oom();
	return 0;
}

static int pf_end(t2p_sink *base, gt_status status)
{
	pf_sink *s = (pf_sink *)base;
	uint64_t broken;

	if (tv_gen_finish(s->proc, status) || tv_gen_finish(s->gor, status))
		return -1;
	if ((broken = tv_gen_broken(s->proc)))
		t2p_warn("%s: warning: %llu goroutine events break go tool trace's invariants"
			 " (it would fail on this trace); their slices are left out", where(s),
			 (unsigned long long)broken);
	if (pf_finish(s->w)) {
		if (s->oom || pf_writer_oom(s->w))
			return oom();
		t2p_output_write_error(&s->out);
		t2p_output_abort(&s->out);
		return -1;
	}
	return t2p_output_commit(&s->out);
}

static void pf_free(t2p_sink *base)
{
	pf_sink *s = (pf_sink *)base;

	tv_gen_free(s->proc);
	tv_gen_free(s->gor);
	pf_writer_free(s->w);
	if (s->out.f)
		t2p_output_abort(&s->out);
	u64map_free(&s->lanes);
	free(s);
}

t2p_sink *t2p_perfetto_sink(const char *path, int gz, const t2p_select *sel)
{
	pf_sink *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->base = (t2p_sink){ .name = "perfetto", .begin = pf_begin, .event = pf_event_in,
			      .end = pf_end, .free = pf_free };
	s->path = path;
	s->gz = gz;
	s->sel = sel;
	u64map_init(&s->lanes, sizeof(pf_lane));
	return &s->base;
}
