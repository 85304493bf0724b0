/*
 * order.c - the ordering state machine (see order.h).
 *
 * Each handler mirrors its counterpart in Go's internal/trace/order.go: the
 * same conditions for "not yet", the same checks, the same error texts (the
 * peer test suite matches them), the same state changes, in the same order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "order.h"
#include "symtab.h"

enum { GC_UNDETERMINED, GC_NOT_RUNNING, GC_RUNNING };
enum { MUST_NOT, MAY, MUST };

typedef struct ord_region { uint64_t task; uint32_t name; } ord_region;

typedef struct ord_g {
	uint8_t status;            /* wire GoStatus */
	uint64_t seq_gen, seq;
	ord_region *regions;
	size_t nregions, capregions;
	ord_ranges ranges;
} ord_g;

typedef struct ord_p {
	uint8_t status;            /* wire ProcStatus */
	uint64_t seq_gen, seq;
	ord_ranges ranges;
} ord_p;

typedef struct ord_task { uint32_t name; uint64_t parent; } ord_task;

/* Handlers return 1 (advanced), 0 (not yet) or -1 (error) and set *next.
 * *at is the context before the event and next where the one after it
 * goes: mostly the same thread context, so a handler copies *at before it
 * writes *next.  A pointer rather than the struct by value, which went
 * through the stack on every event. */
typedef int (*ord_handler)(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next);

void ord_init(ordering *o, int version)
{
	memset(o, 0, sizeof *o);
	o->version = version;
	u64map_init(&o->gs, sizeof(ord_g));
	u64map_init(&o->ps, sizeof(ord_p));
	u64map_init(&o->ms, sizeof(ord_m *));
	u64map_init(&o->tasks, sizeof(ord_task));
}

static void g_release(ord_g *g)
{
	free(g->regions);
	free(g->ranges.v);
}

void ord_free(ordering *o)
{
	size_t pos = 0;
	uint64_t key;
	void *v;

	while ((v = u64map_next(&o->gs, &pos, &key)))
		g_release(v);
	pos = 0;
	while ((v = u64map_next(&o->ps, &pos, &key)))
		free(((ord_p *)v)->ranges.v);
	pos = 0;
	while ((v = u64map_next(&o->ms, &pos, &key)))
		free(*(ord_m **)v);
	u64map_free(&o->gs);
	u64map_free(&o->ps);
	u64map_free(&o->ms);
	u64map_free(&o->tasks);
	free(o->queue);
	memset(o, 0, sizeof *o);
}

static int fail(ordering *o, const char *fmt, ...) GT_PRINTF(2, 3);
static int fail(ordering *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gt_vfail(o->e, GT_ERR_BROKEN, o->off, fmt, ap);
	va_end(ap);
	return -1;
}

static int nomem(ordering *o)
{
	gt_fail(o->e, GT_ERR_NOMEM, o->off, "out of memory");
	return -1;
}

static const char *evname(const ordering *o, unsigned type)
{
	static char buf[32];

	return ev_name(o->version, type, buf);
}

/* The queue: a ring buffer; it holds at most a few events at a time.  A
 * new slot at its end, NULL if out of memory. */
static ord_ev *queue_slot(ordering *o)
{
	if (o->qlen == o->qcap) {
		size_t ncap = o->qcap ? o->qcap * 2 : 8; /* a power of two: index by mask */
		ord_ev *nq = malloc(ncap * sizeof *nq);

		if (!nq) {
			nomem(o);
			return NULL;
		}
		for (size_t i = 0; i < o->qlen; i++)
			nq[i] = o->queue[(o->qstart + i) & (o->qcap - 1)];
		free(o->queue);
		o->queue = nq;
		o->qcap = ncap;
		o->qstart = 0;
	}
	return &o->queue[(o->qstart + o->qlen++) & (o->qcap - 1)];
}

static int push(ordering *o, const ord_ev *ev, ord_ctx ctx)
{
	ord_ev *slot = queue_slot(o);

	if (!slot)
		return -1;
	*slot = *ev;
	slot->g = ctx.g;
	slot->p = ctx.p;
	slot->m = ctx.m;
	return 1;
}

/* Publish the event being advanced.  When nothing is queued before it, it
 * is published where it is (ev is the reader's), which spares two copies
 * for nearly every event; otherwise it joins the queue. */
static int emit(ordering *o, ord_ev *ev, ord_ctx ctx)
{
	if (o->qlen || o->direct)
		return push(o, ev, ctx);
	ev->g = ctx.g;
	ev->p = ctx.p;
	ev->m = ctx.m;
	o->direct = ev;
	return 1;
}

/* Queue an event the wire does not carry (Go's makeEvent), made in its
 * slot: GoSwitch makes two for every one it reads. */
static int push_synth(ordering *o, const ord_ev *from, uint8_t type, ord_ctx ctx, uint64_t a0,
		      uint64_t a1, uint64_t aux)
{
	ord_ev *slot = queue_slot(o);

	if (!slot)
		return -1;
	/* Every field, zeros too, as ord_ev_clear() sets them: clearing first
	 * and then setting compiled to 3.8% more instructions on a trace of
	 * GoSwitches (callgrind). */
	slot->time = from->time;
	slot->args[0] = a0;
	slot->args[1] = a1;
	slot->args[2] = slot->args[3] = 0;
	slot->g = ctx.g;
	slot->p = ctx.p;
	slot->m = ctx.m;
	slot->aux = aux;
	slot->aux_str = 0;
	slot->type = type;
	slot->off = from->off;
	return 1;
}

ord_ev *ord_next(ordering *o)
{
	ord_ev *ev = o->direct;

	if (ev) {
		o->direct = NULL;
		return ev;
	}
	if (!o->qlen)
		return NULL;
	ev = &o->queue[o->qstart];
	o->qstart = (o->qstart + 1) & (o->qcap - 1);
	o->qlen--;
	return ev;
}

ord_m *ord_thread(ordering *o, int64_t m)
{
	int added;
	ord_m **slot = u64map_put(&o->ms, (uint64_t)m, &added);

	if (!slot)
		return NULL;
	if (added) {
		if (!(*slot = malloc(sizeof **slot))) {
			u64map_del(&o->ms, (uint64_t)m);
			return NULL;
		}
		**slot = (ord_m){ GT_NO_GOROUTINE, GT_NO_PROC, m };
	}
	return *slot;
}

static ord_m *find_thread(ordering *o, int64_t m)
{
	ord_m **slot = u64map_get(&o->ms, (uint64_t)m);

	return slot ? *slot : NULL;
}

static int succeeds(uint64_t gen, uint64_t seq, uint64_t cur_gen, uint64_t cur_seq)
{
	return gen == cur_gen && seq == cur_seq + 1;
}

static GT_COLD int ctx_error(ordering *o, ord_ctx c, int m, int p, int g)
{
	if (m == MUST && c.m == GT_NO_THREAD)
		return fail(o, "expected a thread but didn't have one");
	if (m == MUST_NOT && c.m != GT_NO_THREAD)
		return fail(o, "expected no thread but had one");
	if (p == MUST && c.p == GT_NO_PROC)
		return fail(o, "expected a proc but didn't have one");
	if (p == MUST_NOT && c.p != GT_NO_PROC)
		return fail(o, "expected no proc but had one");
	if (g == MUST && c.g == GT_NO_GOROUTINE)
		return fail(o, "expected a goroutine but didn't have one");
	return fail(o, "expected no goroutine but had one");
}

static int ctx_ok(int64_t id, int64_t none, int req)
{
	return req == MAY || (req == MUST) == (id != none);
}

/* Inline: with the requirements constant it is two or three compares; the
 * message is made out of line. */
static GT_INLINE int validate_ctx(ordering *o, ord_ctx c, int m, int p, int g)
{
	if (GT_LIKELY(ctx_ok(c.m, GT_NO_THREAD, m) && ctx_ok(c.p, GT_NO_PROC, p) &&
		      ctx_ok(c.g, GT_NO_GOROUTINE, g)))
		return 0;
	return ctx_error(o, c, m, p, g);
}

#define USER_GO_REQS MUST, MUST, MUST

static GT_INLINE ord_g *get_g(ordering *o, int64_t id) { return u64map_get(&o->gs, (uint64_t)id); }
static GT_INLINE ord_p *get_p(ordering *o, int64_t id) { return u64map_get(&o->ps, (uint64_t)id); }

static ord_g *new_g(ordering *o, int64_t id, uint8_t status)
{
	int added;
	ord_g *g = u64map_put(&o->gs, (uint64_t)id, &added);

	if (!g)
		return NULL;
	g->status = status;
	g->seq_gen = o->gen_no;
	return g;
}

static void del_g(ordering *o, int64_t id)
{
	ord_g *g = get_g(o, id);

	if (g) {
		g_release(g);
		u64map_del(&o->gs, (uint64_t)id);
	}
}

/* Ranges (rangeState in Go).  A range is keyed by the type that begins it. */

static uint8_t range_type(uint8_t typ)
{
	return ev_specs[typ].start_ev ? ev_specs[typ].start_ev : typ;
}

static int has_range(const ord_ranges *r, ord_range x)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].typ == x.typ && r->v[i].desc == x.desc)
			return 1;
	return 0;
}

static int add_range(ordering *o, ord_ranges *r, ord_range x)
{
	if (GT_RESERVE(r->v, r->cap, r->n + 1))
		return nomem(o);
	r->v[r->n++] = x;
	return 0;
}

static int begin_range(ordering *o, ord_ranges *r, ord_range x)
{
	if (has_range(r, x))
		return fail(o, "discovered event already in-flight for when starting event %s",
			    ev_specs[x.typ].name);
	return add_range(o, r, x);
}

static int active_range(ordering *o, ord_ranges *r, ord_range x, int initial_gen)
{
	if (initial_gen) {
		if (has_range(r, x))
			return fail(o, "found named active range already in first gen: {%u %u}", x.typ,
				    x.desc);
		return add_range(o, r, x);
	}
	if (!has_range(r, x))
		return fail(o, "resource is missing active range: %s", ev_specs[x.typ].name);
	return 0;
}

/* Remove the first range begun by typ's start event; *desc gets its desc. */
static int end_range(ordering *o, ord_ranges *r, uint8_t typ, uint32_t *desc)
{
	uint8_t st = ev_specs[typ].start_ev;

	for (size_t i = 0; i < r->n; i++) {
		if (r->v[i].typ == st) {
			*desc = r->v[i].desc;
			r->v[i] = r->v[--r->n];
			return 0;
		}
	}
	return fail(o, "tried to end event %s, but not in-flight", ev_specs[st].name);
}

/* Procs. */

static int adv_proc_status(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	int64_t pid = (int64_t)ev->args[0];
	uint64_t status = ev->args[1];
	uint8_t old;
	ord_p *p;

	if (status >= 5)
		return fail(o, "invalid status for proc %lld: %llu", (long long)pid,
			    (unsigned long long)status);
	old = ev_pstatus_to_state[status];
	if ((p = get_p(o, pid))) {
		if (status == PSTATUS_SYSCALL_ABANDONED && p->status == PSTATUS_SYSCALL) {
			/* The P was in a syscall and is about to be stolen. */
			old = GT_PROC_RUNNING;
			ev->args[1] = PSTATUS_SYSCALL;
		} else if (status == PSTATUS_SYSCALL_ABANDONED && p->status == PSTATUS_SYSCALL_ABANDONED) {
			old = GT_PROC_IDLE;
		} else if (p->status != status) {
			return fail(o, "inconsistent status for proc %lld: old %s vs. new %s",
				    (long long)pid, ev_pstatus_names[p->status],
				    ev_pstatus_names[status]);
		}
		p->seq_gen = o->gen_no;
		p->seq = 0;
	} else {
		int added;

		if (!(p = u64map_put(&o->ps, (uint64_t)pid, &added)))
			return nomem(o);
		p->status = (uint8_t)status;
		p->seq_gen = o->gen_no;
		old = o->gen_no == o->initial_gen ? GT_PROC_UNDETERMINED : GT_PROC_NOT_EXIST;
	}
	ev->aux = old;
	*next = cur;
	if (status == PSTATUS_RUNNING || status == PSTATUS_SYSCALL)
		next->p = pid;
	if (status == PSTATUS_SYSCALL_ABANDONED && old == GT_PROC_RUNNING) {
		/* Report it in the context of the M that still holds the P. */
		size_t pos = 0;
		uint64_t mid;
		ord_m **ms;
		int found = 0;

		while ((ms = u64map_next(&o->ms, &pos, &mid))) {
			if ((*ms)->p == pid) {
				cur = (ord_ctx){ (*ms)->g, pid, (int64_t)mid };
				found = 1;
				break;
			}
		}
		if (!found)
			return fail(o, "failed to find sched context for proc %lld that's about to be stolen",
				    (long long)pid);
	}
	return emit(o, ev, cur);
}

static int adv_proc_start(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	int64_t pid = (int64_t)ev->args[0];
	ord_p *p = get_p(o, pid);

	if (!p || p->status != PSTATUS_IDLE || !succeeds(o->gen_no, ev->args[1], p->seq_gen, p->seq) ||
	    cur.p != GT_NO_PROC)
		return 0;
	if (validate_ctx(o, cur, MUST, MUST_NOT, MAY))
		return -1;
	p->status = PSTATUS_RUNNING;
	p->seq_gen = o->gen_no;
	p->seq = ev->args[1];
	*next = cur;
	next->p = pid;
	return emit(o, ev, cur);
}

static int adv_proc_stop(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	ord_p *p = get_p(o, cur.p);

	if (!p)
		return fail(o, "event %s for proc (%lld) that doesn't exist", evname(o, ev->type),
			    (long long)cur.p);
	if (p->status != PSTATUS_RUNNING && p->status != PSTATUS_SYSCALL)
		return fail(o, "%s event for proc that's not Running or Syscall", evname(o, ev->type));
	if (validate_ctx(o, cur, MUST, MUST, MAY))
		return -1;
	p->status = PSTATUS_IDLE;
	*next = cur;
	next->p = GT_NO_PROC;
	return emit(o, ev, cur);
}

static int adv_proc_steal(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	int64_t pid = (int64_t)ev->args[0], mid = (int64_t)ev->args[2];
	ord_p *p = get_p(o, pid);
	uint8_t old;
	ord_m *victim;

	if (!p || (p->status != PSTATUS_SYSCALL && p->status != PSTATUS_SYSCALL_ABANDONED) ||
	    !succeeds(o->gen_no, ev->args[1], p->seq_gen, p->seq))
		return 0;
	if (validate_ctx(o, cur, MUST, MAY, MAY))
		return -1;
	old = p->status;
	ev->aux = old;
	p->status = PSTATUS_IDLE;
	p->seq_gen = o->gen_no;
	p->seq = ev->args[1];
	*next = cur;
	if (old == PSTATUS_SYSCALL_ABANDONED)
		return emit(o, ev, cur); /* nobody holds the P any more */
	if (mid == cur.m) {
		if (cur.p != pid)
			return fail(o, "tried to self-steal proc %lld (thread %lld), but got proc %lld instead",
				    (long long)pid, (long long)mid, (long long)cur.p);
		next->p = GT_NO_PROC;
		return emit(o, ev, cur);
	}
	if (!(victim = find_thread(o, mid)))
		return fail(o, "stole proc from non-existent thread %lld", (long long)mid);
	if (victim->p != pid)
		return fail(o, "tried to steal proc %lld from thread %lld, but got proc %lld instead",
			    (long long)pid, (long long)mid, (long long)victim->p);
	victim->p = GT_NO_PROC;
	return emit(o, ev, cur);
}

/* Goroutines. */

static int adv_go_status(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	int64_t gid = (int64_t)ev->args[0], mid = (int64_t)ev->args[1];
	uint64_t status = ev->args[2];
	uint8_t old;
	ord_g *g;

	if (status >= 5)
		return fail(o, "invalid status for goroutine %lld: %llu", (long long)gid,
			    (unsigned long long)status);
	old = ev_gostatus_to_state[status];
	if ((g = get_g(o, gid))) {
		if (g->status != status)
			return fail(o, "inconsistent status for goroutine %lld: old %s vs. new %s",
				    (long long)gid, ev_gostatus_names[g->status],
				    ev_gostatus_names[status]);
		g->seq_gen = o->gen_no;
		g->seq = 0;
	} else if (o->gen_no == o->initial_gen) {
		if (!new_g(o, gid, (uint8_t)status))
			return nomem(o);
		old = GT_GO_UNDETERMINED;
	} else {
		return fail(o, "found goroutine status for new goroutine after the first generation: id=%lld status=%s",
			    (long long)gid, ev_gostatus_names[status]);
	}
	ev->aux = old;
	*next = cur;
	if (status == GOSTATUS_RUNNING) {
		next->g = gid;
	} else if (status == GOSTATUS_SYSCALL) {
		ord_m *ms;

		if (mid == GT_NO_THREAD)
			return fail(o, "found goroutine %lld in syscall without a thread", (long long)gid);
		if (mid == cur.m) {
			if (o->gen_no != o->initial_gen && cur.g != gid)
				return fail(o, "inconsistent thread for syscalling goroutine %lld: thread has goroutine %lld",
					    (long long)gid, (long long)cur.g);
			next->g = gid;
			return emit(o, ev, cur);
		}
		/* The goroutine sits in a syscall on another M: attribute the
		 * event to that M, creating it if this is its first mention. */
		if ((ms = find_thread(o, mid))) {
			if (ms->g != gid)
				return fail(o, "inconsistent thread for syscalling goroutine %lld: thread has goroutine %lld",
					    (long long)gid, (long long)ms->g);
			cur.g = ms->g;
		} else if (!(ms = ord_thread(o, mid))) {
			return nomem(o);
		} else {
			ms->g = gid;
		}
		cur.m = mid;
	}
	return emit(o, ev, cur);
}

static int adv_go_create(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	int64_t newg = (int64_t)ev->args[0];
	ord_g *g;

	if (validate_ctx(o, cur, MUST, MUST, MAY))
		return -1;
	if ((g = get_g(o, cur.g)) && g->status != GOSTATUS_RUNNING)
		return fail(o, "%s event for goroutine that's not Running", evname(o, ev->type));
	if (get_g(o, newg))
		return fail(o, "tried to create goroutine (%lld) that already exists", (long long)newg);
	if (!new_g(o, newg, ev->type == EV_GO_CREATE_BLOCKED ? GOSTATUS_WAITING : GOSTATUS_RUNNABLE))
		return nomem(o);
	*next = cur;
	return emit(o, ev, cur);
}

static GT_COLD ord_g *running_g_error(ordering *o, const ord_ev *ev, ord_ctx cur, const ord_g *g,
				      const char *want_name)
{
	if (!g)
		fail(o, "event %s for goroutine (%lld) that doesn't exist", evname(o, ev->type),
		     (long long)cur.g);
	else
		fail(o, "%s event for goroutine that's not %s", evname(o, ev->type), want_name);
	return NULL;
}

/* The running goroutine of the context, checked as Go checks it. */
static GT_INLINE ord_g *running_g(ordering *o, const ord_ev *ev, ord_ctx cur, uint8_t want,
			       const char *want_name)
{
	ord_g *g = get_g(o, cur.g);

	if (GT_LIKELY(g && g->status == want))
		return g;
	return running_g_error(o, ev, cur, g, want_name);
}

static int adv_go_stop_exec(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	ord_g *g;

	if (validate_ctx(o, cur, USER_GO_REQS) || !(g = running_g(o, ev, cur, GOSTATUS_RUNNING, "Running")))
		return -1;
	*next = cur;
	next->g = GT_NO_GOROUTINE;
	if (ev->type == EV_GO_DESTROY)
		del_g(o, cur.g);
	else
		g->status = ev->type == EV_GO_STOP ? GOSTATUS_RUNNABLE : GOSTATUS_WAITING;
	return emit(o, ev, cur);
}

static int adv_go_start(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	int64_t gid = (int64_t)ev->args[0];
	ord_g *g = get_g(o, gid);

	if (!g || g->status != GOSTATUS_RUNNABLE || !succeeds(o->gen_no, ev->args[1], g->seq_gen, g->seq))
		return 0;
	if (validate_ctx(o, cur, MUST, MUST, MUST_NOT))
		return -1;
	g->status = GOSTATUS_RUNNING;
	g->seq_gen = o->gen_no;
	g->seq = ev->args[1];
	*next = cur;
	next->g = gid;
	return emit(o, ev, cur);
}

static int adv_go_unblock(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	ord_g *g = get_g(o, (int64_t)ev->args[0]);

	if (!g || g->status != GOSTATUS_WAITING || !succeeds(o->gen_no, ev->args[1], g->seq_gen, g->seq))
		return 0;
	g->status = GOSTATUS_RUNNABLE;
	g->seq_gen = o->gen_no;
	g->seq = ev->args[1];
	*next = cur;
	return emit(o, ev, cur);
}

/* GoSwitch(Destroy): a coroutine switch, published as three events: the
 * next goroutine's unblock (this event), the current one's block (or
 * destruction), and the next one's start, all at the same time. */
static int adv_go_switch(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	int64_t nextg = (int64_t)ev->args[0];
	ord_g *curg, *ng;
	ord_ctx start;

	if (validate_ctx(o, cur, USER_GO_REQS) ||
	    !(curg = running_g(o, ev, cur, GOSTATUS_RUNNING, "Running")))
		return -1;
	ng = get_g(o, nextg);
	if (!ng || ng->status != GOSTATUS_WAITING || !succeeds(o->gen_no, ev->args[1], ng->seq_gen, ng->seq))
		return 0;
	if (emit(o, ev, cur) < 0)
		return -1;
	if (ev->type == EV_GO_SWITCH) {
		curg->status = GOSTATUS_WAITING;
		if (push_synth(o, ev, EV_GO_BLOCK, cur, 0, 0, 0) < 0) /* no reason, no stack */
			return -1;
	} else {
		del_g(o, cur.g);
		if (push_synth(o, ev, EV_GO_DESTROY, cur, 0, 0, 0) < 0)
			return -1;
		ng = get_g(o, nextg); /* the deletion may have moved it */
	}
	ng->status = GOSTATUS_RUNNING;
	ng->seq_gen = o->gen_no;
	ng->seq = ev->args[1];
	*next = cur;
	next->g = nextg;
	start = cur;
	start.g = GT_NO_GOROUTINE;
	return push_synth(o, ev, EV_GO_START, start, (uint64_t)nextg, ev->args[1], 0);
}

static int adv_go_syscall_begin(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	ord_g *g;
	ord_p *p;

	if (validate_ctx(o, cur, USER_GO_REQS) || !(g = running_g(o, ev, cur, GOSTATUS_RUNNING, "Running")))
		return -1;
	g->status = GOSTATUS_SYSCALL;
	if (!(p = get_p(o, cur.p)))
		return fail(o, "uninitialized proc %lld found during %s", (long long)cur.p,
			    evname(o, ev->type));
	p->status = PSTATUS_SYSCALL;
	if (!succeeds(o->gen_no, ev->args[0], p->seq_gen, p->seq))
		return fail(o, "failed to advance %s: can't make sequence: %llu (gen=%llu) -> %llu (gen=%llu)",
			    evname(o, ev->type), (unsigned long long)p->seq,
			    (unsigned long long)p->seq_gen, (unsigned long long)ev->args[0],
			    (unsigned long long)o->gen_no);
	p->seq_gen = o->gen_no;
	p->seq = ev->args[0];
	*next = cur;
	return emit(o, ev, cur);
}

static int adv_go_syscall_end(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	ord_g *g;
	ord_p *p;

	/* Go's message names Running here although it checks for Syscall. */
	if (validate_ctx(o, cur, USER_GO_REQS) || !(g = running_g(o, ev, cur, GOSTATUS_SYSCALL, "Running")))
		return -1;
	g->status = GOSTATUS_RUNNING;
	if (!(p = get_p(o, cur.p)))
		return fail(o, "uninitialized proc %lld found during %s", (long long)cur.p,
			    evname(o, ev->type));
	if (p->status != PSTATUS_SYSCALL)
		return fail(o, "expected proc %lld in state Syscall, but got %s instead", (long long)cur.p,
			    ev_pstatus_names[p->status]);
	p->status = PSTATUS_RUNNING;
	*next = cur;
	return emit(o, ev, cur);
}

static int adv_go_syscall_end_blocked(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	ord_g *g;

	/* Wait until the P has been stolen or stopped (ProcSteal/ProcStop). */
	if (cur.p != GT_NO_PROC) {
		ord_p *p = get_p(o, cur.p);

		if (!p)
			return fail(o, "uninitialized proc %lld found during %s", (long long)cur.p,
				    evname(o, ev->type));
		if (p->status == PSTATUS_SYSCALL)
			return 0;
	}
	if (validate_ctx(o, cur, MUST, MAY, MUST) || !(g = running_g(o, ev, cur, GOSTATUS_SYSCALL, "Running")))
		return -1;
	g->status = GOSTATUS_RUNNABLE;
	*next = cur;
	next->g = GT_NO_GOROUTINE;
	return emit(o, ev, cur);
}

static int adv_go_create_syscall(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	int64_t newg = (int64_t)ev->args[0];

	if (validate_ctx(o, cur, MUST, MAY, MUST_NOT))
		return -1;
	if (get_g(o, newg))
		return fail(o, "tried to create goroutine (%lld) in syscall that already exists",
			    (long long)newg);
	if (!new_g(o, newg, GOSTATUS_SYSCALL))
		return nomem(o);
	*next = cur;
	next->g = newg;
	return emit(o, ev, cur);
}

static int adv_go_destroy_syscall(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	if (validate_ctx(o, cur, MUST, MAY, MUST) || !running_g(o, ev, cur, GOSTATUS_SYSCALL, "Syscall"))
		return -1;
	del_g(o, cur.g);
	*next = cur;
	next->g = GT_NO_GOROUTINE;
	if (cur.p != GT_NO_PROC) {
		/* The P is left behind: publish its implicit steal first. */
		ord_p *p = get_p(o, cur.p);

		if (!p)
			return fail(o, "found invalid proc %lld during %s", (long long)cur.p,
				    evname(o, ev->type));
		if (p->status != PSTATUS_SYSCALL)
			return fail(o, "proc %lld in unexpected state %s during %s", (long long)cur.p,
				    ev_pstatus_names[p->status], evname(o, ev->type));
		p->status = PSTATUS_SYSCALL_ABANDONED;
		next->p = GT_NO_PROC;
		if (push_synth(o, ev, EV_PROC_STEAL, cur, (uint64_t)cur.p, 0, PSTATUS_SYSCALL) < 0)
			return -1;
	}
	return emit(o, ev, cur);
}

/* Tasks and regions. */

static int adv_user_task_begin(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	uint64_t id = ev->args[0];
	ord_task *t;
	uint32_t name;
	int added;

	if (u64map_get(&o->tasks, id))
		return fail(o, "task ID conflict: %llu", (unsigned long long)id);
	if (ev->args[1] == GT_BACKGROUND_TASK)
		ev->args[1] = GT_NO_TASK;
	if (!gen_string_exists(o->gen, ev->args[2]))
		return fail(o, "invalid string ID %llu for %u event", (unsigned long long)ev->args[2],
			    ev->type);
	if (gen_sym_string(o->gen, ev->args[2], o->sym, &name) ||
	    !(t = u64map_put(&o->tasks, id, &added)))
		return nomem(o);
	t->name = name;
	t->parent = ev->args[1];
	if (validate_ctx(o, cur, USER_GO_REQS))
		return -1;
	*next = cur;
	return emit(o, ev, cur);
}

static int adv_user_task_end(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	ord_task *t = u64map_get(&o->tasks, ev->args[0]);

	/* The task's name and parent travel with the end event, so they are
	 * known even when the task began in an earlier generation. */
	if (t) {
		ev->aux = t->parent;
		ev->aux_str = t->name;
		u64map_del(&o->tasks, ev->args[0]);
	} else {
		ev->aux = GT_NO_TASK;
		ev->aux_str = 0;
	}
	if (validate_ctx(o, cur, USER_GO_REQS))
		return -1;
	*next = cur;
	return emit(o, ev, cur);
}

/* A region's identity: task id and name text (symbol ids compare texts). */
static int region_of(ordering *o, const ord_ev *ev, ord_region *r)
{
	if (!gen_string_exists(o->gen, ev->args[1]))
		return fail(o, "invalid string ID %llu for %u event", (unsigned long long)ev->args[1],
			    ev->type);
	r->task = ev->args[0];
	if (gen_sym_string(o->gen, ev->args[1], o->sym, &r->name))
		return nomem(o);
	return 0;
}

static int adv_user_region_begin(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	ord_region r;
	ord_g *g;

	if (validate_ctx(o, cur, USER_GO_REQS) || region_of(o, ev, &r))
		return -1;
	if (!(g = get_g(o, cur.g)))
		return fail(o, "encountered EvUserRegionBegin without known state for current goroutine %lld",
			    (long long)cur.g);
	if (GT_RESERVE(g->regions, g->capregions, g->nregions + 1))
		return nomem(o);
	g->regions[g->nregions++] = r;
	*next = cur;
	return emit(o, ev, cur);
}

static int adv_user_region_end(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	ord_region r;
	ord_g *g;

	if (validate_ctx(o, cur, USER_GO_REQS) || region_of(o, ev, &r))
		return -1;
	if (!(g = get_g(o, cur.g)))
		return fail(o, "encountered EvUserRegionEnd without known state for current goroutine %lld",
			    (long long)cur.g);
	/* An end with no open region began before the trace did. */
	if (g->nregions) {
		ord_region top = g->regions[g->nregions - 1];

		if (top.task != r.task || top.name != r.name) {
			gt_str a = gt_symtab_string(o->sym, r.name), b = gt_symtab_string(o->sym, top.name);

			return fail(o, "misuse of region in goroutine %lld: region end {%llu %.*s} when the inner-most active region start event is {%llu %.*s}",
				    (long long)cur.g, (unsigned long long)r.task, (int)a.len, a.ptr,
				    (unsigned long long)top.task, (int)b.len, b.ptr);
		}
		g->nregions--;
	}
	*next = cur;
	return emit(o, ev, cur);
}

/* GC. */

static int adv_gc_active(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	uint64_t seq = ev->args[0];

	*next = cur;
	if (o->gen_no == o->initial_gen) {
		if (o->gc_state != GC_UNDETERMINED)
			return fail(o, "GCActive in the first generation isn't first GC event");
		o->gc_seq = seq;
		o->gc_state = GC_RUNNING;
		return emit(o, ev, cur);
	}
	if (seq != o->gc_seq + 1)
		return 0;
	if (o->gc_state != GC_RUNNING)
		return fail(o, "encountered GCActive while GC was not in progress");
	o->gc_seq = seq;
	if (validate_ctx(o, cur, USER_GO_REQS))
		return -1;
	return emit(o, ev, cur);
}

static int adv_gc_begin(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	uint64_t seq = ev->args[0];

	*next = cur;
	if (o->gc_state == GC_UNDETERMINED) {
		o->gc_seq = seq;
		o->gc_state = GC_RUNNING;
		return emit(o, ev, cur);
	}
	if (seq != o->gc_seq + 1)
		return 0;
	if (o->gc_state == GC_RUNNING)
		return fail(o, "encountered GCBegin while GC was already in progress");
	o->gc_seq = seq;
	o->gc_state = GC_RUNNING;
	if (validate_ctx(o, cur, USER_GO_REQS))
		return -1;
	return emit(o, ev, cur);
}

static int adv_gc_end(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	uint64_t seq = ev->args[0];

	*next = cur;
	if (seq != o->gc_seq + 1)
		return 0;
	if (o->gc_state == GC_NOT_RUNNING)
		return fail(o, "encountered GCEnd when GC was not in progress");
	if (o->gc_state == GC_UNDETERMINED)
		return fail(o, "encountered GCEnd when GC was in an undetermined state");
	o->gc_seq = seq;
	o->gc_state = GC_NOT_RUNNING;
	if (validate_ctx(o, cur, USER_GO_REQS))
		return -1;
	return emit(o, ev, cur);
}

/* Events that need only a context: annotations, metrics, experiments. */
static int adv_simple(ordering *o, ord_ev *ev, ord_ctx cur, ord_ctx *next, int m, int p, int g)
{
	if (validate_ctx(o, cur, m, p, g))
		return -1;
	*next = cur;
	return emit(o, ev, cur);
}

static int adv_annotation(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	return adv_simple(o, ev, cur, next, USER_GO_REQS);
}

static int adv_heap_metric(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	return adv_simple(o, ev, cur, next, MUST, MUST, MAY);
}

static int adv_alloc_free(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	return adv_simple(o, ev, cur, next, MUST, MAY, MAY);
}

/* The P of the context; Go indexes its map without checking (and would
 * crash on a P it never saw), so this is reported instead. */
static ord_p *ctx_p(ordering *o, const ord_ev *ev, ord_ctx cur)
{
	ord_p *p = get_p(o, cur.p);

	if (!p)
		fail(o, "event %s for proc (%lld) that doesn't exist", evname(o, ev->type), (long long)cur.p);
	return p;
}

static int adv_gc_sweep_begin(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	ord_p *p;

	if (validate_ctx(o, cur, MUST, MUST, MAY) || !(p = ctx_p(o, ev, cur)) ||
	    begin_range(o, &p->ranges, (ord_range){ range_type(ev->type), 0 }))
		return -1;
	*next = cur;
	return emit(o, ev, cur);
}

static int adv_gc_sweep_active(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	int64_t pid = (int64_t)ev->args[0];
	ord_p *p = get_p(o, pid);

	if (!p)
		return fail(o, "encountered GCSweepActive for unknown proc %lld", (long long)pid);
	if (active_range(o, &p->ranges, (ord_range){ range_type(ev->type), 0 },
			 o->gen_no == o->initial_gen))
		return -1;
	*next = cur;
	return emit(o, ev, cur);
}

static int adv_gc_sweep_end(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	uint32_t desc = 0;
	ord_p *p;

	if (validate_ctx(o, cur, MUST, MUST, MAY) || !(p = ctx_p(o, ev, cur)) ||
	    end_range(o, &p->ranges, ev->type, &desc))
		return -1;
	*next = cur;
	return emit(o, ev, cur);
}

static int adv_go_range_begin(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	uint32_t desc = 0;
	ord_g *g;

	if (validate_ctx(o, cur, USER_GO_REQS))
		return -1;
	/* The kind of a stop-the-world is part of its identity; it is kept as
	 * a symbol id because the end may come in a later generation. */
	if (ev->type == EV_STW_BEGIN && gen_string_exists(o->gen, ev->args[0]) &&
	    gen_sym_string(o->gen, ev->args[0], o->sym, &desc))
		return nomem(o);
	if (!(g = get_g(o, cur.g)))
		return fail(o, "encountered event of type %u without known state for current goroutine %lld",
			    ev->type, (long long)cur.g);
	if (begin_range(o, &g->ranges, (ord_range){ range_type(ev->type), desc }))
		return -1;
	*next = cur;
	return emit(o, ev, cur);
}

static int adv_go_range_active(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	int64_t gid = (int64_t)ev->args[0];
	ord_g *g = get_g(o, gid);

	if (!g)
		return fail(o, "uninitialized goroutine %lld found during %s", (long long)gid,
			    evname(o, ev->type));
	if (active_range(o, &g->ranges, (ord_range){ range_type(ev->type), 0 },
			 o->gen_no == o->initial_gen))
		return -1;
	*next = cur;
	return emit(o, ev, cur);
}

static int adv_go_range_end(ordering *o, ord_ev *ev, const ord_ctx *at, ord_ctx *next)
{
	ord_ctx cur = *at;
	uint32_t desc = 0;
	ord_g *g;

	if (validate_ctx(o, cur, USER_GO_REQS))
		return -1;
	if (!(g = get_g(o, cur.g)))
		return fail(o, "encountered event of type %u without known state for current goroutine %lld",
			    ev->type, (long long)cur.g);
	if (end_range(o, &g->ranges, ev->type, &desc))
		return -1;
	if (ev->type == EV_STW_END)
		ev->aux_str = desc;
	*next = cur;
	return emit(o, ev, cur);
}

static const ord_handler dispatch[EV_TABLE_SIZE] = {
	[EV_PROCS_CHANGE] = adv_annotation,
	[EV_PROC_START] = adv_proc_start,
	[EV_PROC_STOP] = adv_proc_stop,
	[EV_PROC_STEAL] = adv_proc_steal,
	[EV_PROC_STATUS] = adv_proc_status,
	[EV_GO_CREATE] = adv_go_create,
	[EV_GO_CREATE_SYSCALL] = adv_go_create_syscall,
	[EV_GO_START] = adv_go_start,
	[EV_GO_DESTROY] = adv_go_stop_exec,
	[EV_GO_DESTROY_SYSCALL] = adv_go_destroy_syscall,
	[EV_GO_STOP] = adv_go_stop_exec,
	[EV_GO_BLOCK] = adv_go_stop_exec,
	[EV_GO_UNBLOCK] = adv_go_unblock,
	[EV_GO_SYSCALL_BEGIN] = adv_go_syscall_begin,
	[EV_GO_SYSCALL_END] = adv_go_syscall_end,
	[EV_GO_SYSCALL_END_BLOCKED] = adv_go_syscall_end_blocked,
	[EV_GO_STATUS] = adv_go_status,
	[EV_STW_BEGIN] = adv_go_range_begin,
	[EV_STW_END] = adv_go_range_end,
	[EV_GC_ACTIVE] = adv_gc_active,
	[EV_GC_BEGIN] = adv_gc_begin,
	[EV_GC_END] = adv_gc_end,
	[EV_GC_SWEEP_ACTIVE] = adv_gc_sweep_active,
	[EV_GC_SWEEP_BEGIN] = adv_gc_sweep_begin,
	[EV_GC_SWEEP_END] = adv_gc_sweep_end,
	[EV_GC_MARK_ASSIST_ACTIVE] = adv_go_range_active,
	[EV_GC_MARK_ASSIST_BEGIN] = adv_go_range_begin,
	[EV_GC_MARK_ASSIST_END] = adv_go_range_end,
	[EV_HEAP_ALLOC] = adv_heap_metric,
	[EV_HEAP_GOAL] = adv_heap_metric,
	[EV_GO_LABEL] = adv_annotation,
	[EV_USER_TASK_BEGIN] = adv_user_task_begin,
	[EV_USER_TASK_END] = adv_user_task_end,
	[EV_USER_REGION_BEGIN] = adv_user_region_begin,
	[EV_USER_REGION_END] = adv_user_region_end,
	[EV_USER_LOG] = adv_annotation,
	[EV_GO_SWITCH] = adv_go_switch,
	[EV_GO_SWITCH_DESTROY] = adv_go_switch,
	[EV_GO_CREATE_BLOCKED] = adv_go_create,
	[EV_GO_STATUS_STACK] = adv_go_status,
	[EV_SPAN] = adv_alloc_free,
	[EV_SPAN_ALLOC] = adv_alloc_free,
	[EV_SPAN_FREE] = adv_alloc_free,
	[EV_HEAP_OBJECT] = adv_alloc_free,
	[EV_HEAP_OBJECT_ALLOC] = adv_alloc_free,
	[EV_HEAP_OBJECT_FREE] = adv_alloc_free,
	[EV_GOROUTINE_STACK] = adv_alloc_free,
	[EV_GOROUTINE_STACK_ALLOC] = adv_alloc_free,
	[EV_GOROUTINE_STACK_FREE] = adv_alloc_free,
};

void ord_begin_gen(ordering *o, generation *gen, gt_symtab *sym, gt_err *e)
{
	o->gen = gen;
	o->sym = sym;
	o->e = e;
	o->gen_no = gen->gen;
	if (o->initial_gen == 0)
		o->initial_gen = gen->gen;
}

int ord_advance(ordering *o, ord_ev *ev, ord_m *ms)
{
	static const ord_ctx no_thread = { GT_NO_GOROUTINE, GT_NO_PROC, GT_NO_THREAD };
	ord_ctx discarded;
	ord_handler h;

	o->off = ev->off;
	/* Most events of a busy trace are these: a direct call spares the
	 * indirect one through the table, and its mispredictions. */
	if (GT_LIKELY(ms)) {
		switch (ev->type) {
		case EV_GO_START:
			return adv_go_start(o, ev, ms, ms);
		case EV_GO_STOP:
		case EV_GO_BLOCK:
			return adv_go_stop_exec(o, ev, ms, ms);
		case EV_GO_UNBLOCK:
			return adv_go_unblock(o, ev, ms, ms);
		}
	}
	if (!(h = dispatch[ev->type]))
		return fail(o, "bad event type found while ordering: %u", ev->type);
	/* Handlers set the thread's next context in place: they write it only
	 * as they advance (or write it unchanged).  An event without a thread
	 * has no context to keep. */
	return ms ? h(o, ev, ms, ms) : h(o, ev, &no_thread, &discarded);
}
