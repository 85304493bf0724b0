/*
 * legacy.c - Go 1.11-1.21 traces as the Go 1.22+ event stream: Go's
 * internal/trace/tracev1.go (traceV1Converter) and the v1 branch of its
 * Reader.  Each old event becomes zero, one or a few new ones, with the
 * block reasons and STW kinds spelled as the new format spells them.
 *
 * One deliberate difference: Go publishes the statuses of goroutines created
 * before tracing started in Go map order, which varies from run to run; we
 * publish them in goroutine id order (the golden script sorts Go's output
 * the same way).
 */
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "events.h"
#include "legacy.h"
#include "symtab.h"
#include "u64map.h"
#include "v1parse.h"

/* Strings the converter adds after the trace's own (tracev1.go sForever...). */
enum {
	S_FOREVER, S_PREEMPTED, S_GOSCHED, S_SLEEP, S_CHAN_SEND, S_CHAN_RECV, S_NETWORK, S_SYNC,
	S_SYNC_COND, S_SELECT, S_EMPTY, S_MARK_ASSIST_WAIT, S_STW_UNKNOWN, S_LAST = S_STW_UNKNOWN + 17
};

static const char *const builtin_strings[S_LAST] = {
	"forever", "preempted", "runtime.Gosched", "sleep", "chan send", "chan receive", "network",
	"sync", "sync.(*Cond).Wait", "select", "", "GC mark assist wait for work",
	/* STW reasons, indexed by v1_stw_reason() */
	"", "GC mark termination", "GC sweep termination", "write heap dump", "goroutine profile",
	"goroutine profile cleanup", "all goroutine stack trace", "read mem stats",
	"AllThreadsSyscall", "GOMAXPROCS", "start trace", "stop trace", "CountPagesInUse (test)",
	"ReadMetricsSlow (test)", "ReadMemStatsSlow (test)", "PageCachePagesLeaked (test)",
	"ResetDebugLog (test)",
};

typedef struct lg_task { uint32_t name; uint64_t parent; } lg_task;

struct legacy_reader {
	int version;
	gt_symtab *sym;
	generation tab;          /* the whole trace's strings and stacks */
	v1_trace t;
	uint32_t *next_same_g;   /* next event on the same goroutine, or UINT32_MAX */
	size_t pos;
	uint64_t inline_base, builtin_base;

	int pre_init;            /* before the first Gomaxprocs event */
	u64map pre_init_gs;      /* goroutines created before it */
	ord_ev *queue;           /* events made from one old event, still to go */
	size_t qhead, qlen, qcap;
	u64map tasks, seen_procs, proc_ms;
	uint64_t last_stw_reason;
	int64_t last_ts;
	int syncs, done;
	char name_buf[EV_NAME_BUF];
};

static gt_status nomem(gt_err *e)
{
	return gt_fail(e, GT_ERR_NOMEM, 0, "out of memory");
}

/* The string table: the trace's strings, then UserLog messages, then ours. */
static gt_status add_strings(legacy_reader *l, gt_err *e)
{
	uint64_t max = l->t.max_string_id;
	gt_status st;

	l->inline_base = max + 1;
	l->builtin_base = l->inline_base + l->t.ninline;
	if (l->builtin_base < max || l->builtin_base + S_LAST < l->builtin_base)
		return gt_fail(e, GT_ERR_CORRUPT, 0, "trace contains too many strings");
	for (size_t i = 0; i < l->t.ninline; i++)
		if ((st = gen_put_string(&l->tab, l->inline_base + i, l->t.inline_strs[i].ptr,
					 l->t.inline_strs[i].len, e)))
			return st;
	for (int c = 0; c < S_LAST; c++)
		if ((st = gen_put_string(&l->tab, l->builtin_base + (uint64_t)c, builtin_strings[c],
					 strlen(builtin_strings[c]), e)))
			return st;
	return GT_OK;
}

/* For each event, the next one on the same goroutine: the converter asks
 * whether a syscall is followed by its goroutine blocking in it. */
static gt_status link_goroutines(legacy_reader *l, gt_err *e)
{
	u64map next;
	gt_status st = GT_OK;

	if (!(l->next_same_g = malloc((l->t.n + 1) * sizeof *l->next_same_g)))
		return nomem(e);
	u64map_init(&next, sizeof(uint32_t));
	for (size_t i = l->t.n; i-- > 0;) {
		int added;
		uint32_t *slot = u64map_put(&next, l->t.events[i].g, &added);

		if (!slot) {
			st = nomem(e);
			break;
		}
		l->next_same_g[i] = added ? UINT32_MAX : *slot;
		*slot = (uint32_t)i;
	}
	u64map_free(&next);
	return st;
}

/* What the whole trace takes: its tables and its events. */
static size_t legacy_memory(const legacy_reader *l)
{
	return gen_memory(&l->tab) + l->t.n * (sizeof(v1_event) + sizeof(uint32_t));
}

static gt_status over_limit(gt_err *e, size_t limit)
{
	return gt_fail(e, GT_ERR_LIMIT, 0, "trace needs more than %zu MiB of memory, the reader's"
		       " limit (traces before Go 1.22 are read whole)", limit >> 20);
}

gt_status legacy_open(legacy_reader **out, wire_src *src, int version, gt_symtab *sym,
		      size_t limit, gt_err *e)
{
	legacy_reader *l = calloc(1, sizeof *l);
	gt_status st;

	*out = l;
	if (!l)
		return nomem(e);
	l->version = version;
	l->sym = sym;
	l->pre_init = 1;
	l->last_ts = -1;
	gen_init(&l->tab);
	u64map_init(&l->pre_init_gs, 1);
	u64map_init(&l->tasks, sizeof(lg_task));
	u64map_init(&l->seen_procs, 1);
	u64map_init(&l->proc_ms, sizeof(int64_t));
	/* Old traces have no generations: Go reads them whole, and so do we. */
	if ((st = wire_read_all(src, limit, e)))
		return st;
	if (src->len > limit)
		return over_limit(e, limit);
	if ((st = v1_parse(&l->t, &l->tab, src->data + (src->off - src->base),
			   (size_t)(src->base + src->len - src->off), version, e)) ||
	    (st = add_strings(l, e)) || (st = gen_intern_stacks(&l->tab, sym, e)) ||
	    (st = link_goroutines(l, e)))
		return st;
	if (legacy_memory(l) + src->cap > limit)
		return over_limit(e, limit);
	src->off = src->base + src->len;
	return GT_OK;
}

void legacy_free(legacy_reader *l)
{
	if (!l)
		return;
	gen_free(&l->tab);
	v1_free(&l->t);
	free(l->next_same_g);
	free(l->queue);
	u64map_free(&l->pre_init_gs);
	u64map_free(&l->tasks);
	u64map_free(&l->seen_procs);
	u64map_free(&l->proc_ms);
	free(l);
}


static gt_status enqueue(legacy_reader *l, const ord_ev *oe, gt_err *e)
{
	if (l->qlen == l->qcap) {
		size_t ncap = l->qcap ? 2 * l->qcap : 8;
		ord_ev *nq = malloc(ncap * sizeof *nq);

		if (!nq)
			return nomem(e);
		for (size_t i = 0; i < l->qlen; i++)
			nq[i] = l->queue[(l->qhead + i) % l->qcap];
		free(l->queue);
		l->queue = nq;
		l->qcap = ncap;
		l->qhead = 0;
	}
	l->queue[(l->qhead + l->qlen++) % l->qcap] = *oe;
	return GT_OK;
}

static int64_t thread_of(const legacy_reader *l, int32_t p)
{
	const int64_t *m = u64map_get(&l->proc_ms, (uint64_t)(int64_t)p);

	return m ? *m : 0; /* a Go map's zero value, not "no thread" */
}

static ord_ev new_event(uint8_t type, int64_t time, int64_t g, int64_t p, int64_t m)
{
	ord_ev oe;

	ord_ev_clear(&oe);
	oe.type = type;
	oe.time = time;
	oe.g = g;
	oe.p = p;
	oe.m = m;
	return oe;
}

/* The first Gomaxprocs event marks the end of the goroutines that existed
 * when tracing started: those created but never started or blocked are
 * published as runnable, and the event itself is dropped. */
static gt_status end_pre_init(legacy_reader *l, const v1_event *ev, gt_err *e)
{
	uint64_t *ids = malloc((l->pre_init_gs.len + 1) * sizeof *ids), id;
	size_t n = 0, pos = 0;
	gt_status st = GT_OK;

	if (!ids)
		return nomem(e);
	while (u64map_next(&l->pre_init_gs, &pos, &id))
		ids[n++] = id;
	for (size_t i = 1; i < n; i++) /* ascending ids, see the top of the file */
		for (size_t j = i; j > 0 && ids[j] < ids[j - 1]; j--)
			id = ids[j], ids[j] = ids[j - 1], ids[j - 1] = id;
	for (size_t i = 0; i < n && !st; i++) {
		ord_ev oe = new_event(EV_GO_STATUS, ev->ts, GT_NO_GOROUTINE, GT_NO_PROC, GT_NO_THREAD);

		oe.args[0] = ids[i];
		oe.args[1] = UINT64_MAX;
		oe.args[2] = GOSTATUS_RUNNABLE;
		st = enqueue(l, &oe, e);
	}
	free(ids);
	l->pre_init = 0;
	u64map_clear(&l->pre_init_gs);
	return st;
}

static int seen_proc(legacy_reader *l, int32_t p, gt_err *e, int *oom)
{
	int added;

	if (!u64map_put(&l->seen_procs, (uint64_t)(int64_t)p, &added)) {
		*oom = 1;
		nomem(e);
	}
	return !added;
}

static uint64_t builtin(const legacy_reader *l, int c)
{
	return l->builtin_base + (uint64_t)c;
}

static gt_status sym_of(legacy_reader *l, uint64_t string_id, uint32_t *out, gt_err *e)
{
	return gen_sym_string(&l->tab, string_id, l->sym, out) ? nomem(e) : GT_OK;
}

/* A syscall that does not block is published as a 1 ns syscall. */
static int syscall_blocks(const legacy_reader *l, size_t i)
{
	uint32_t next = l->next_same_g[i];

	return next != UINT32_MAX && l->t.events[next].type == V1_GO_SYS_BLOCK;
}

/* Go's blocking events, and the reason each becomes. */
static int block_reason(uint8_t type, uint8_t *v2type)
{
	*v2type = EV_GO_BLOCK;
	switch (type) {
	case V1_GO_STOP: return S_FOREVER;
	case V1_GO_SLEEP: return S_SLEEP;
	case V1_GO_BLOCK: return S_EMPTY;
	case V1_GO_BLOCK_SEND: return S_CHAN_SEND;
	case V1_GO_BLOCK_RECV: return S_CHAN_RECV;
	case V1_GO_BLOCK_SELECT: return S_SELECT;
	case V1_GO_BLOCK_SYNC: return S_SYNC;
	case V1_GO_BLOCK_COND: return S_SYNC_COND;
	case V1_GO_BLOCK_NET: return S_NETWORK;
	case V1_GO_BLOCK_GC: return S_MARK_ASSIST_WAIT;
	}
	*v2type = EV_GO_STOP;
	switch (type) {
	case V1_GO_SCHED: return S_GOSCHED;
	case V1_GO_PREEMPT: return S_PREEMPTED;
	}
	return -1;
}

enum { SKIP = 0, EMIT = 1 };

/* Events converted with a special shape; the rest go through convert(). */
static int convert_special(legacy_reader *l, const v1_event *ev, size_t i, ord_ev *out, gt_err *e,
			   gt_status *st)
{
	ord_ev extra;

	switch (ev->type) {
	case V1_GO_START_LABEL:
		*out = new_event(EV_GO_START, ev->ts, (int64_t)ev->g, ev->p, thread_of(l, ev->p));
		memcpy(out->args, ev->args, sizeof out->args);
		extra = new_event(EV_GO_LABEL, ev->ts, (int64_t)ev->g, ev->p, thread_of(l, ev->p));
		extra.args[0] = ev->args[2];
		*st = enqueue(l, &extra, e);
		return EMIT;
	case V1_GO_SYSCALL:
		if (syscall_blocks(l, i))
			return -1;
		*out = new_event(EV_GO_SYSCALL_BEGIN, ev->ts, (int64_t)ev->g, ev->p, thread_of(l, ev->p));
		out->args[1] = ev->stk;
		extra = new_event(EV_GO_SYSCALL_END, ev->ts + 1, (int64_t)ev->g, ev->p, thread_of(l, ev->p));
		*st = enqueue(l, &extra, e);
		return EMIT;
	}
	return -1;
}

static gt_status convert_task(legacy_reader *l, const v1_event *ev, ord_ev *oe, gt_err *e)
{
	lg_task *t;
	int added;

	if (ev->type == V1_USER_TASK_CREATE) {
		oe->type = EV_USER_TASK_BEGIN;
		oe->args[0] = ev->args[0];
		oe->args[1] = ev->args[1] ? ev->args[1] : GT_NO_TASK;
		oe->args[2] = ev->args[2];
		if (!(t = u64map_put(&l->tasks, ev->args[0], &added)))
			return nomem(e);
		/* The parent kept for the end is the raw one, 0 included. */
		t->parent = ev->args[1];
		return sym_of(l, ev->args[2], &t->name, e); /* "" if it has no name */
	}
	oe->type = EV_USER_TASK_END;
	oe->args[0] = ev->args[0];
	oe->args[1] = ev->args[1];
	if ((t = u64map_get(&l->tasks, ev->args[0]))) {
		oe->aux = t->parent;
		oe->aux_str = t->name;
		u64map_del(&l->tasks, ev->args[0]);
	} else {
		oe->aux = GT_NO_TASK;
	}
	return GT_OK;
}

/* Map an old event type and its arguments (tracev1.go convertEvent). */
static int convert_args(legacy_reader *l, const v1_event *ev, ord_ev *oe, gt_err *e, gt_status *st)
{
	int reason, oom = 0;
	uint8_t t2;

	memcpy(oe->args, ev->args, sizeof oe->args);
	if ((reason = block_reason(ev->type, &t2)) >= 0) {
		oe->type = t2;
		oe->args[0] = builtin(l, reason);
		oe->args[1] = ev->stk;
		return EMIT;
	}
	switch (ev->type) {
	case V1_GOMAXPROCS:
		oe->type = EV_PROCS_CHANGE;
		if (l->pre_init) {
			*st = end_pre_init(l, ev, e);
			return SKIP;
		}
		return EMIT;
	case V1_PROC_START:
	case V1_PROC_STOP: {
		int64_t *m;
		int added;

		if (ev->type == V1_PROC_START) {
			if (!(m = u64map_put(&l->proc_ms, (uint64_t)(int64_t)ev->p, &added)))
				return *st = nomem(e), SKIP;
			*m = (int64_t)ev->args[0];
		}
		oe->args[0] = (uint64_t)(int64_t)ev->p;
		if (seen_proc(l, ev->p, e, &oom)) {
			oe->type = ev->type == V1_PROC_START ? EV_PROC_START : EV_PROC_STOP;
		} else {
			oe->type = EV_PROC_STATUS;
			oe->args[1] = ev->type == V1_PROC_START ? PSTATUS_RUNNING : PSTATUS_IDLE;
		}
		return oom ? (*st = GT_ERR_NOMEM, SKIP) : EMIT;
	}
	case V1_GC_START: oe->type = EV_GC_BEGIN; return EMIT;
	case V1_GC_DONE: oe->type = EV_GC_END; return EMIT;
	case V1_STW_START:
		l->last_stw_reason = builtin(l, S_STW_UNKNOWN + v1_stw_reason(l->version, ev->args[0]));
		oe->type = EV_STW_BEGIN;
		oe->args[0] = l->last_stw_reason;
		return EMIT;
	case V1_STW_DONE:
		oe->type = EV_STW_END;
		*st = sym_of(l, l->last_stw_reason, &oe->aux_str, e);
		return EMIT;
	case V1_GC_SWEEP_START: oe->type = EV_GC_SWEEP_BEGIN; return EMIT;
	case V1_GC_SWEEP_DONE: oe->type = EV_GC_SWEEP_END; return EMIT;
	case V1_GO_CREATE: {
		int added;

		if (!l->pre_init) {
			oe->type = EV_GO_CREATE;
			return EMIT;
		}
		if (!u64map_put(&l->pre_init_gs, ev->args[0], &added))
			*st = nomem(e);
		return SKIP;
	}
	case V1_GO_START:
		if (!l->pre_init) {
			oe->type = EV_GO_START;
			return EMIT;
		}
		u64map_del(&l->pre_init_gs, ev->args[0]);
		oe->type = EV_GO_STATUS;
		oe->args[1] = UINT64_MAX;
		oe->args[2] = GOSTATUS_RUNNING;
		return EMIT;
	case V1_GO_END: oe->type = EV_GO_DESTROY; return EMIT;
	case V1_GO_UNBLOCK: oe->type = EV_GO_UNBLOCK; return EMIT;
	case V1_GO_SYSCALL: /* one that blocks */
		oe->type = EV_GO_SYSCALL_BEGIN;
		oe->args[0] = 0;
		oe->args[1] = ev->stk;
		return EMIT;
	case V1_GO_SYS_EXIT: oe->type = EV_GO_SYSCALL_END_BLOCKED; return EMIT;
	case V1_GO_SYS_BLOCK: return SKIP;
	case V1_GO_WAITING:
	case V1_GO_IN_SYSCALL:
		u64map_del(&l->pre_init_gs, ev->args[0]);
		oe->type = EV_GO_STATUS;
		oe->args[1] = UINT64_MAX;
		oe->args[2] = ev->type == V1_GO_WAITING ? GOSTATUS_WAITING : GOSTATUS_SYSCALL;
		return EMIT;
	case V1_HEAP_ALLOC: oe->type = EV_HEAP_ALLOC; return EMIT;
	case V1_HEAP_GOAL: oe->type = EV_HEAP_GOAL; return EMIT;
	case V1_GC_MARK_ASSIST_START: oe->type = EV_GC_MARK_ASSIST_BEGIN; return EMIT;
	case V1_GC_MARK_ASSIST_DONE: oe->type = EV_GC_MARK_ASSIST_END; return EMIT;
	case V1_USER_TASK_CREATE:
	case V1_USER_TASK_END:
		*st = convert_task(l, ev, oe, e);
		return EMIT;
	case V1_USER_REGION:
		oe->type = ev->args[1] == 0 ? EV_USER_REGION_BEGIN : EV_USER_REGION_END;
		oe->args[1] = ev->args[2];
		return EMIT;
	case V1_USER_LOG:
		oe->type = EV_USER_LOG;
		oe->args[2] = l->inline_base + ev->str;
		return EMIT;
	case V1_CPU_SAMPLE:
		oe->type = EV_CPU_SAMPLE;
		oe->args[0] = ev->stk;
		return EMIT;
	}
	*st = gt_fail(e, GT_ERR_CORRUPT, 0, "unexpected event type %u", ev->type);
	return SKIP;
}

/* Convert event i: EMIT with *oe filled, or SKIP; errors in *st. */
static int convert(legacy_reader *l, size_t i, ord_ev *oe, gt_err *e, gt_status *st)
{
	const v1_event *ev = &l->t.events[i];
	int rc = convert_special(l, ev, i, oe, e, st);
	const ev_spec *sp;
	int64_t m = GT_NO_THREAD;
	const int64_t *pm;

	if (rc >= 0)
		return rc;
	ord_ev_clear(oe);
	if ((rc = convert_args(l, ev, oe, e, st)) == SKIP || *st)
		return SKIP;
	sp = &ev_specs[oe->type];
	if (v1_has_stack(ev->type) && sp->stack >= 0)
		oe->args[sp->stack] = ev->stk;
	if (ev->p != -1 && ev->type != V1_CPU_SAMPLE &&
	    (pm = u64map_get(&l->proc_ms, (uint64_t)(int64_t)ev->p)))
		m = *pm;
	if (ev->type == V1_PROC_STOP)
		u64map_del(&l->proc_ms, (uint64_t)(int64_t)ev->p);
	oe->time = ev->ts;
	oe->g = ev->g ? (int64_t)ev->g : GT_NO_GOROUTINE;
	oe->p = ev->p;
	oe->m = m;
	return EMIT;
}

static gt_status publish(legacy_reader *l, ord_ev *oe, gt_event *ev, gt_err *e)
{
	if (oe->type != EV_READER_SYNC) {
		/* The converter's own monotonic fix-up (traceV1Converter.next). */
		if (oe->time <= l->last_ts)
			oe->time = gt_add64(l->last_ts, 1);
		l->last_ts = oe->time;
	}
	return ev_publish(oe, &l->tab, l->sym, l->name_buf, ev, e);
}

static gt_status sync_event(legacy_reader *l, int64_t time, gt_event *ev, gt_err *e)
{
	ord_ev oe = new_event(EV_READER_SYNC, time, GT_NO_GOROUTINE, GT_NO_PROC, GT_NO_THREAD);

	oe.args[0] = (uint64_t)++l->syncs;
	return publish(l, &oe, ev, e);
}

gt_status legacy_next(legacy_reader *l, gt_event *ev, gt_err *e)
{
	ord_ev oe;
	gt_status st = GT_OK;

	if (l->done)
		return GT_END;
	/* One Sync before the first event and one after the last. */
	if (l->syncs == 0 && l->pos < l->t.n)
		return sync_event(l, l->t.events[l->pos].ts - 1, ev, e);
	for (;;) {
		if (l->qlen) {
			oe = l->queue[l->qhead];
			l->qhead = (l->qhead + 1) % l->qcap;
			l->qlen--;
			return publish(l, &oe, ev, e);
		}
		if (l->pos == l->t.n) {
			l->done = 1;
			return sync_event(l, gt_add64(l->last_ts, 1), ev, e);
		}
		if (convert(l, l->pos, &oe, e, &st) == EMIT) {
			l->pos++;
			return st ? st : publish(l, &oe, ev, e);
		}
		l->pos++;
		if (st)
			return st;
	}
}
