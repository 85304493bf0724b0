/*
 * v1parse.c - Go 1.11-1.21 traces (see v1parse.h), following Go 1.27's
 * internal/trace/internal/tracev1 (parser.go, order.go) step for step:
 * collect the per-P batches, merge them through the goroutine sequence
 * state machine, put real syscall exit times in place, convert ticks to ns,
 * and validate with the old post-processing pass.
 *
 * Go walks its per-P batch lists in Go map order, which is random; we take
 * them in order of first appearance.  The only visible effect is the order
 * of events with equal timestamps on different Ps, which Go's own output
 * does not fix either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "gosort.h"
#include "u64map.h"
#include "v1parse.h"

typedef struct v1_desc {
	const char *name;
	uint8_t min_version;
	uint8_t stack;   /* the last argument is a stack id */
	uint8_t nargs;   /* arguments after the timestamp */
} v1_desc;

static const v1_desc descs[V1_COUNT] = {
	[V1_NONE] = { "None", 5, 0, 0 },
	[V1_BATCH] = { "Batch", 5, 0, 2 },
	[V1_FREQUENCY] = { "Frequency", 5, 0, 1 },
	[V1_STACK] = { "Stack", 5, 0, 2 },
	[V1_GOMAXPROCS] = { "Gomaxprocs", 5, 1, 1 },
	[V1_PROC_START] = { "ProcStart", 5, 0, 1 },
	[V1_PROC_STOP] = { "ProcStop", 5, 0, 0 },
	[V1_GC_START] = { "GCStart", 5, 1, 1 },
	[V1_GC_DONE] = { "GCDone", 5, 0, 0 },
	[V1_STW_START] = { "GCSTWStart", 5, 0, 1 },
	[V1_STW_DONE] = { "GCSTWDone", 5, 0, 0 },
	[V1_GC_SWEEP_START] = { "GCSweepStart", 5, 1, 0 },
	[V1_GC_SWEEP_DONE] = { "GCSweepDone", 5, 0, 2 },
	[V1_GO_CREATE] = { "GoCreate", 5, 1, 2 },
	[V1_GO_START] = { "GoStart", 5, 0, 2 },
	[V1_GO_END] = { "GoEnd", 5, 0, 0 },
	[V1_GO_STOP] = { "GoStop", 5, 1, 0 },
	[V1_GO_SCHED] = { "GoSched", 5, 1, 0 },
	[V1_GO_PREEMPT] = { "GoPreempt", 5, 1, 0 },
	[V1_GO_SLEEP] = { "GoSleep", 5, 1, 0 },
	[V1_GO_BLOCK] = { "GoBlock", 5, 1, 0 },
	[V1_GO_UNBLOCK] = { "GoUnblock", 5, 1, 2 },
	[V1_GO_BLOCK_SEND] = { "GoBlockSend", 5, 1, 0 },
	[V1_GO_BLOCK_RECV] = { "GoBlockRecv", 5, 1, 0 },
	[V1_GO_BLOCK_SELECT] = { "GoBlockSelect", 5, 1, 0 },
	[V1_GO_BLOCK_SYNC] = { "GoBlockSync", 5, 1, 0 },
	[V1_GO_BLOCK_COND] = { "GoBlockCond", 5, 1, 0 },
	[V1_GO_BLOCK_NET] = { "GoBlockNet", 5, 1, 0 },
	[V1_GO_SYSCALL] = { "GoSysCall", 5, 1, 0 },
	[V1_GO_SYS_EXIT] = { "GoSysExit", 5, 0, 3 },
	[V1_GO_SYS_BLOCK] = { "GoSysBlock", 5, 0, 0 },
	[V1_GO_WAITING] = { "GoWaiting", 5, 0, 1 },
	[V1_GO_IN_SYSCALL] = { "GoInSyscall", 5, 0, 1 },
	[V1_HEAP_ALLOC] = { "HeapAlloc", 5, 0, 1 },
	[V1_HEAP_GOAL] = { "HeapGoal", 5, 0, 1 },
	[V1_TIMER_GOROUTINE] = { "TimerGoroutine", 5, 0, 1 },
	[V1_FUTILE_WAKEUP] = { "FutileWakeup", 5, 0, 0 },
	[V1_STRING] = { "String", 7, 0, 0 },
	[V1_GO_START_LOCAL] = { "GoStartLocal", 7, 0, 1 },
	[V1_GO_UNBLOCK_LOCAL] = { "GoUnblockLocal", 7, 1, 1 },
	[V1_GO_SYS_EXIT_LOCAL] = { "GoSysExitLocal", 7, 0, 2 },
	[V1_GO_START_LABEL] = { "GoStartLabel", 8, 0, 3 },
	[V1_GO_BLOCK_GC] = { "GoBlockGC", 8, 1, 0 },
	[V1_GC_MARK_ASSIST_START] = { "GCMarkAssistStart", 9, 1, 0 },
	[V1_GC_MARK_ASSIST_DONE] = { "GCMarkAssistDone", 9, 0, 0 },
	[V1_USER_TASK_CREATE] = { "UserTaskCreate", 11, 1, 3 },
	[V1_USER_TASK_END] = { "UserTaskEnd", 11, 1, 1 },
	[V1_USER_REGION] = { "UserRegion", 11, 1, 3 },
	[V1_USER_LOG] = { "UserLog", 11, 1, 2 },
	[V1_CPU_SAMPLE] = { "CPUSample", 19, 1, 3 },
};

enum { SKIP_ARGS = 1, SKIP_STRINGS = 2 };

#define MALFORMED_VARINT "malformatted base-128 varint"
#define TIME_ORDER "time stamps out of order"

typedef struct raw_event {
	uint8_t typ;
	size_t nargs;
	const uint8_t *sarg;   /* UserLog's inline message */
	size_t sarg_len;
	int has_sarg;
	int32_t batch_pid;
	size_t batch_off;
} raw_event;

typedef struct batch_off {
	size_t off;
	size_t nevents;
} batch_off;

typedef struct v1_proc {
	int32_t pid;
	batch_off *batches;
	size_t nbatches, capbatches, next;
	v1_event *events;     /* the loaded batch; events[head..nev) not yet merged */
	size_t nev, capev, head;
	int done;
} v1_proc;

typedef struct v1_stack { uint64_t id; size_t first, n; } v1_stack;

typedef struct parser {
	int ver;
	const uint8_t *data;
	size_t len, off;
	generation *tab;
	gt_err *e;
	v1_proc *procs;
	size_t nprocs, capprocs;
	u64map proc_index;      /* pid -> index in procs */
	v1_event *cpu;
	size_t ncpu, capcpu;
	int64_t ticks_per_sec;
	u64map timer_goids;
	uint64_t *args;         /* the raw event's arguments */
	size_t capargs;
	/* Stacks: a later definition of an id replaces the earlier one. */
	v1_stack *stacks;
	size_t nstacks, capstacks;
	uint64_t *stack_pcs;
	size_t nstack_pcs, capstack_pcs;
	u64map stack_index;     /* id -> index in stacks */
	int64_t last_ts;
	uint64_t last_g;
	int32_t last_p;
	u64map last_gs;         /* pid -> last goroutine of its batches */
	v1_trace *t;
	size_t capinline;
} parser;

static gt_status fail(parser *p, const char *fmt, ...) GT_PRINTF(2, 3);
static gt_status fail(parser *p, const char *fmt, ...)
{
	gt_status st;
	va_list ap;

	va_start(ap, fmt);
	st = gt_vfail(p->e, GT_ERR_CORRUPT, p->off, fmt, ap);
	va_end(ap);
	return st;
}

static gt_status nomem(parser *p)
{
	return gt_fail(p->e, GT_ERR_NOMEM, p->off, "out of memory");
}

static gt_status read_val(parser *p, uint64_t *v)
{
	int n = gt_uvarint(p->data + p->off, p->len - p->off, v);

	if (n <= 0)
		return fail(p, MALFORMED_VARINT);
	p->off += (size_t)n;
	return GT_OK;
}

/* Go's discard and readFull: bounds checks first, then move. */
static int discard(parser *p, uint64_t n)
{
	if (n > p->len - p->off)
		return 0;
	p->off += (size_t)n;
	return 1;
}

static const uint8_t *read_full(parser *p, uint64_t n)
{
	const uint8_t *buf = p->data + p->off;

	if (p->off >= p->len || n > p->len - p->off)
		return NULL;
	p->off += (size_t)n;
	return buf;
}

static gt_status push_arg(parser *p, uint64_t v, size_t *n)
{
	if (GT_RESERVE(p->args, p->capargs, *n + 1))
		return nomem(p);
	p->args[(*n)++] = v;
	return GT_OK;
}

static gt_status read_string_event(parser *p, unsigned flags)
{
	uint64_t id, ln;
	const uint8_t *buf;

	if (flags & SKIP_STRINGS) {
		if (read_val(p, &id) || read_val(p, &ln))
			return fail(p, MALFORMED_VARINT);
		if (!discard(p, ln))
			return fail(p, "failed to read trace: EOF");
		return GT_OK;
	}
	if (read_val(p, &id))
		return p->e->pub.code;
	if (id == 0)
		return fail(p, "string has invalid id 0");
	if (gen_string_exists(p->tab, id))
		return fail(p, "string has duplicate id %llu", (unsigned long long)id);
	if (read_val(p, &ln))
		return p->e->pub.code;
	if (ln == 0)
		return fail(p, "string has invalid length 0");
	if (ln > 1000000)
		return fail(p, "string has too large length %llu", (unsigned long long)ln);
	if (!(buf = read_full(p, ln)))
		return fail(p, "failed to read trace: unexpected EOF");
	if (id > p->t->max_string_id)
		p->t->max_string_id = id;
	return gen_put_string(p->tab, id, (const char *)buf, (size_t)ln, p->e);
}

static gt_status read_batch_event(parser *p, unsigned narg, raw_event *raw)
{
	uint64_t pid, ticks;
	size_t n = 0;

	if (narg != 2)
		return fail(p, "EvBatch has wrong number of arguments: got %u, want 2", narg);
	raw->batch_off = p->off - 1;
	if (read_val(p, &pid))
		return p->e->pub.code;
	if (pid != UINT64_MAX && pid > INT32_MAX)
		return fail(p, "processor ID %llu is larger than maximum of %d", (unsigned long long)pid,
			    INT32_MAX);
	raw->batch_pid = pid == UINT64_MAX ? -1 : (int32_t)pid;
	if (read_val(p, &ticks))
		return p->e->pub.code;
	raw->typ = V1_BATCH;
	if (push_arg(p, pid, &n) || push_arg(p, ticks, &n))
		return nomem(p);
	raw->nargs = n;
	return GT_OK;
}

/* Arguments written with a byte length in front of them. */
static gt_status read_long_args(parser *p, unsigned typ, unsigned flags, raw_event *raw)
{
	uint64_t v;
	const uint8_t *buf, *end;

	if (read_val(p, &v))
		return fail(p, "failed to read event %u argument: " MALFORMED_VARINT, typ);
	if (v > 2048)
		return fail(p, "failed to read event %u argument: length-prefixed argument too big: %llu bytes, limit is 2048",
			    typ, (unsigned long long)v);
	if (!(flags & SKIP_ARGS) || typ == V1_CPU_SAMPLE) {
		if (!(buf = read_full(p, v)))
			return fail(p, "failed to read trace: unexpected EOF");
		for (end = buf + v; buf < end;) {
			uint64_t a;
			int n = gt_uvarint(buf, (size_t)(end - buf), &a);

			if (n <= 0)
				return fail(p, MALFORMED_VARINT);
			buf += n;
			if (push_arg(p, a, &raw->nargs))
				return nomem(p);
		}
	} else if (!discard(p, v)) {
		return fail(p, "failed to read trace: EOF");
	}
	if (typ != V1_USER_LOG)
		return GT_OK;
	if (read_val(p, &v))
		return p->e->pub.code;
	if (flags & SKIP_ARGS)
		return discard(p, v) ? GT_OK : GT_END; /* Go treats this as the end */
	if (v > 1000000)
		return fail(p, "string is too large (len=%llu)", (unsigned long long)v);
	if (v && !(raw->sarg = read_full(p, v)))
		return fail(p, "failed to read trace: unexpected EOF");
	raw->sarg_len = (size_t)v;
	raw->has_sarg = 1;
	return GT_OK;
}

/* Go's readRawEvent: GT_OK, GT_END at the end of the data, or an error. */
static gt_status read_raw_event(parser *p, unsigned flags, raw_event *raw)
{
	uint8_t b;
	unsigned typ, narg;

	memset(raw, 0, sizeof *raw);
	if (p->off >= p->len)
		return GT_END;
	b = p->data[p->off++];
	typ = b & 0x3f;
	narg = (b >> 6) + 1u;
	if (typ == V1_NONE || typ >= V1_COUNT || descs[typ].min_version > p->ver)
		return fail(p, "unknown event type %u", typ);
	if (typ == V1_STRING) {
		raw->typ = V1_NONE;
		return read_string_event(p, flags);
	}
	if (typ == V1_BATCH)
		return read_batch_event(p, narg, raw);
	raw->typ = (uint8_t)typ;
	if (narg > 3)
		return read_long_args(p, typ, flags, raw);
	for (unsigned i = 0; i < narg; i++) {
		uint64_t v;

		if (read_val(p, &v))
			return fail(p, "failed to read event %u argument: " MALFORMED_VARINT, typ);
		if (!(flags & SKIP_ARGS) && push_arg(p, v, &raw->nargs))
			return nomem(p);
	}
	return GT_OK;
}

/* How many arguments an event must have (Go's argNum). */
static size_t arg_num(const raw_event *raw)
{
	const v1_desc *d = &descs[raw->typ];
	size_t n = d->nargs + d->stack;

	if (raw->typ == V1_STACK)
		return raw->nargs;
	if (raw->typ == V1_BATCH || raw->typ == V1_FREQUENCY || raw->typ == V1_TIMER_GOROUTINE)
		return n;
	return n + 1; /* the timestamp */
}

static v1_proc *proc_of(parser *p, int32_t pid, int create)
{
	int added;
	uint32_t *idx;

	if (!create) {
		idx = u64map_get(&p->proc_index, (uint64_t)(int64_t)pid);
		return idx ? &p->procs[*idx] : NULL;
	}
	if (!(idx = u64map_put(&p->proc_index, (uint64_t)(int64_t)pid, &added)))
		return NULL;
	if (added) {
		if (GT_RESERVE(p->procs, p->capprocs, p->nprocs + 1))
			return NULL;
		memset(&p->procs[p->nprocs], 0, sizeof p->procs[0]);
		p->procs[p->nprocs].pid = pid;
		*idx = (uint32_t)p->nprocs++;
	}
	return &p->procs[*idx];
}

static gt_status collect_cpu_sample(parser *p, const raw_event *raw)
{
	size_t want = arg_num(raw);
	v1_event *ev;

	if (raw->nargs != want)
		return fail(p, "CPU sample has wrong number of arguments: want %zu, got %zu", want,
			    raw->nargs);
	if (GT_RESERVE(p->cpu, p->capcpu, p->ncpu + 1))
		return nomem(p);
	ev = &p->cpu[p->ncpu++];
	memset(ev, 0, sizeof *ev);
	/* [timestamp, real timestamp, P, G, stack] */
	ev->type = V1_CPU_SAMPLE;
	ev->ts = (int64_t)p->args[1];
	ev->p = (int32_t)p->args[2];
	ev->g = p->args[3];
	ev->args[1] = p->args[2];
	ev->args[2] = p->args[3];
	ev->stk = (uint32_t)p->args[4];
	return GT_OK;
}

/* First pass (collectBatchesAndCPUSamples): where each P's batches start,
 * how many events they hold, and the CPU samples. */
static gt_status collect_batches(parser *p)
{
	int32_t cur_p = 0;
	raw_event raw;
	gt_status st;

	while ((st = read_raw_event(p, SKIP_ARGS | SKIP_STRINGS, &raw)) == GT_OK) {
		v1_proc *proc;

		if (raw.typ == V1_NONE)
			continue;
		if (raw.typ == V1_BATCH) {
			if (!(proc = proc_of(p, raw.batch_pid, 1)) ||
			    GT_RESERVE(proc->batches, proc->capbatches, proc->nbatches + 1))
				return nomem(p);
			proc->batches[proc->nbatches++] = (batch_off){ raw.batch_off, 0 };
			cur_p = raw.batch_pid;
		}
		proc = proc_of(p, cur_p, 0);
		if (!proc || !proc->nbatches)
			return fail(p, "read event %u with current P of %d, but P has no batches yet",
				    raw.typ, cur_p);
		proc->batches[proc->nbatches - 1].nevents++;
		if (raw.typ == V1_CPU_SAMPLE && (st = collect_cpu_sample(p, &raw)))
			return st;
	}
	return st == GT_END ? GT_OK : st;
}

static gt_status parse_stack(parser *p, const raw_event *raw)
{
	uint64_t size, id;
	int added;
	uint64_t *idx;

	if (raw->nargs < 2)
		return fail(p, "EvStack has wrong number of arguments: want at least 2, got %zu", raw->nargs);
	size = p->args[1];
	if (size > 1000)
		return fail(p, "EvStack has bad number of frames: %llu", (unsigned long long)size);
	if (raw->nargs != 2 + 4 * size)
		return fail(p, "EvStack has wrong number of arguments: want %llu, got %zu",
			    (unsigned long long)(2 + 4 * size), raw->nargs);
	id = (uint32_t)p->args[0];
	if (id == 0 || size == 0)
		return GT_OK;
	if (GT_RESERVE(p->stack_pcs, p->capstack_pcs, p->nstack_pcs + size) ||
	    GT_RESERVE(p->stacks, p->capstacks, p->nstacks + 1) ||
	    !(idx = u64map_put(&p->stack_index, id, &added)))
		return nomem(p);
	*idx = p->nstacks;
	p->stacks[p->nstacks++] = (v1_stack){ id, p->nstack_pcs, (size_t)size };
	for (uint64_t i = 0; i < size; i++) {
		const uint64_t *f = &p->args[2 + 4 * i];
		gt_status st;

		p->stack_pcs[p->nstack_pcs++] = f[0];
		if ((st = gen_put_frame(p->tab, f[0], f[1], f[2], f[3], p->e)))
			return st;
	}
	return GT_OK;
}

static gt_status add_inline_string(parser *p, const raw_event *raw, uint32_t *index)
{
	v1_trace *t = p->t;

	if (t->ninline == UINT32_MAX || GT_RESERVE(t->inline_strs, p->capinline, t->ninline + 1))
		return nomem(p);
	t->inline_strs[t->ninline] = (gt_str){ raw->sarg ? (const char *)raw->sarg : "", raw->sarg_len };
	*index = (uint32_t)t->ninline++;
	return GT_OK;
}

/* A timed event: its goroutine, time and arguments (parseEvent's default). */
static gt_status parse_timed(parser *p, const raw_event *raw, v1_event *ev)
{
	const v1_desc *d = &descs[raw->typ];
	size_t narg = raw->nargs;

	memset(ev, 0, sizeof *ev);
	ev->type = raw->typ;
	ev->p = p->last_p;
	ev->g = p->last_g;
	ev->ts = gt_add64(p->last_ts, (int64_t)p->args[0]);
	p->last_ts = ev->ts;
	for (size_t i = 1; i < narg; i++) {
		if (i == narg - 1 && d->stack)
			ev->stk = (uint32_t)p->args[i];
		else if (i - 1 < sizeof ev->args / sizeof ev->args[0])
			ev->args[i - 1] = p->args[i];
	}
	switch (raw->typ) {
	case V1_GO_START: case V1_GO_START_LOCAL: case V1_GO_START_LABEL:
		p->last_g = ev->args[0];
		ev->g = p->last_g;
		break;
	case V1_GO_END: case V1_GO_STOP: case V1_GO_SCHED: case V1_GO_PREEMPT: case V1_GO_SLEEP:
	case V1_GO_BLOCK: case V1_GO_BLOCK_SEND: case V1_GO_BLOCK_RECV: case V1_GO_BLOCK_SELECT:
	case V1_GO_BLOCK_SYNC: case V1_GO_BLOCK_COND: case V1_GO_BLOCK_NET: case V1_GO_SYS_BLOCK:
	case V1_GO_BLOCK_GC:
		p->last_g = 0;
		break;
	case V1_GO_SYS_EXIT: case V1_GO_WAITING: case V1_GO_IN_SYSCALL:
		ev->g = ev->args[0];
		break;
	case V1_USER_LOG:
		return add_inline_string(p, raw, &ev->str);
	}
	return GT_OK;
}

static gt_status switch_batch(parser *p)
{
	int added;
	uint64_t *slot = u64map_put(&p->last_gs, (uint64_t)(int64_t)p->last_p, &added);
	uint64_t pid = p->args[0];

	if (!slot)
		return nomem(p);
	*slot = p->last_g;
	if (pid != UINT64_MAX && pid > INT32_MAX)
		return fail(p, "processor ID %llu is larger than maximum of %d", (unsigned long long)pid,
			    INT32_MAX);
	p->last_p = pid == UINT64_MAX ? -1 : (int32_t)pid;
	slot = u64map_get(&p->last_gs, (uint64_t)(int64_t)p->last_p);
	p->last_g = slot ? *slot : 0;
	p->last_ts = (int64_t)p->args[1];
	return GT_OK;
}

/* Go's parseEvent.  ev->type is V1_NONE for events that are not kept. */
static gt_status parse_event(parser *p, const raw_event *raw, v1_event *ev)
{
	size_t want = arg_num(raw);
	uint64_t *slot;
	int added;

	ev->type = V1_NONE;
	if (raw->nargs != want)
		return fail(p, "%s has wrong number of arguments: want %zu, got %zu", descs[raw->typ].name,
			    want, raw->nargs);
	switch (raw->typ) {
	case V1_BATCH:
		return switch_batch(p);
	case V1_FREQUENCY:
		p->ticks_per_sec = (int64_t)p->args[0];
		return p->ticks_per_sec <= 0 ? fail(p, TIME_ORDER) : GT_OK;
	case V1_TIMER_GOROUTINE:
		if (!(slot = u64map_put(&p->timer_goids, p->args[0], &added)))
			return nomem(p);
		return GT_OK;
	case V1_STACK:
		return parse_stack(p, raw);
	case V1_CPU_SAMPLE:
		return GT_OK;
	}
	if (raw->typ == V1_USER_LOG && !raw->has_sarg) /* Go would crash on it */
		return fail(p, "UserLog event without its message");
	return parse_timed(p, raw, ev);
}

/* Read the next batch of a P (Go's loadBatch).  GT_END when it has none. */
static gt_status load_batch(parser *p, v1_proc *proc)
{
	int got_header = 0;
	raw_event raw;
	gt_status st;

	if (proc->next == proc->nbatches)
		return GT_END;
	p->off = proc->batches[proc->next++].off;
	proc->nev = proc->head = 0;
	while ((st = read_raw_event(p, 0, &raw)) == GT_OK) {
		v1_event ev;

		if (raw.typ == V1_NONE || raw.typ == V1_CPU_SAMPLE)
			continue;
		if (raw.typ == V1_BATCH) {
			if (got_header)
				break;
			got_header = 1;
		}
		if ((st = parse_event(p, &raw, &ev)))
			return st;
		if (ev.type == V1_NONE)
			continue;
		if (GT_RESERVE(proc->events, proc->capev, proc->nev + 1))
			return nomem(p);
		proc->events[proc->nev++] = ev;
	}
	return st == GT_END ? GT_OK : st;
}

/* The goroutine sequence state machine (tracev1/order.go). */

enum { G_DEAD, G_RUNNABLE, G_RUNNING, G_WAITING };
#define UNORDERED UINT64_MAX
#define GARBAGE (UINT64_MAX - 1)
#define NOSEQ UINT64_MAX
#define SEQINC (UINT64_MAX - 1)

typedef struct gseq { uint64_t seq; int status; } gseq;

static uint64_t state_transition(const v1_event *ev, gseq *init, gseq *next)
{
	const uint64_t *a = ev->args;

	switch (ev->type) {
	case V1_GO_CREATE:
		*init = (gseq){ 0, G_DEAD }; *next = (gseq){ 1, G_RUNNABLE };
		return a[0];
	case V1_GO_WAITING: case V1_GO_IN_SYSCALL:
		*init = (gseq){ 1, G_RUNNABLE }; *next = (gseq){ 2, G_WAITING };
		return ev->g;
	case V1_GO_START: case V1_GO_START_LABEL:
		*init = (gseq){ a[1], G_RUNNABLE }; *next = (gseq){ a[1] + 1, G_RUNNING };
		return ev->g;
	case V1_GO_START_LOCAL:
		*init = (gseq){ NOSEQ, G_RUNNABLE }; *next = (gseq){ SEQINC, G_RUNNING };
		return ev->g;
	case V1_GO_BLOCK: case V1_GO_BLOCK_SEND: case V1_GO_BLOCK_RECV: case V1_GO_BLOCK_SELECT:
	case V1_GO_BLOCK_SYNC: case V1_GO_BLOCK_COND: case V1_GO_BLOCK_NET: case V1_GO_SLEEP:
	case V1_GO_SYS_BLOCK: case V1_GO_BLOCK_GC:
		*init = (gseq){ NOSEQ, G_RUNNING }; *next = (gseq){ NOSEQ, G_WAITING };
		return ev->g;
	case V1_GO_SCHED: case V1_GO_PREEMPT:
		*init = (gseq){ NOSEQ, G_RUNNING }; *next = (gseq){ NOSEQ, G_RUNNABLE };
		return ev->g;
	case V1_GO_UNBLOCK: case V1_GO_SYS_EXIT:
		*init = (gseq){ a[1], G_WAITING }; *next = (gseq){ a[1] + 1, G_RUNNABLE };
		return a[0];
	case V1_GO_UNBLOCK_LOCAL: case V1_GO_SYS_EXIT_LOCAL:
		*init = (gseq){ NOSEQ, G_WAITING }; *next = (gseq){ SEQINC, G_RUNNABLE };
		return a[0];
	case V1_GC_START:
		*init = (gseq){ a[0], G_DEAD }; *next = (gseq){ a[0] + 1, G_DEAD };
		return GARBAGE;
	}
	return UNORDERED;
}

static int transition_ready(uint64_t g, gseq cur, gseq init)
{
	return g == UNORDERED || ((init.seq == NOSEQ || init.seq == cur.seq) && init.status == cur.status);
}

static gseq gseq_of(const u64map *gs, uint64_t g)
{
	const gseq *s = u64map_get(gs, g);

	return s ? *s : (gseq){ 0, G_DEAD };
}

/* The frontier: a min-heap on ts, Go's container/heap-style up and down. */
/* A P's next event in the frontier: its time, and the P, whose batch holds
 * the event (at head - 1) until it is popped; the P is not filled again
 * before that, as it is out of the list of those available. */
typedef struct front { int64_t ts; size_t proc; } front;

static void front_push(front *h, size_t *n, front x)
{
	size_t j = (*n)++;

	h[j] = x;
	while (j > 0) {
		size_t i = (j - 1) / 2;
		front t;

		if (!(h[j].ts < h[i].ts))
			break;
		t = h[i], h[i] = h[j], h[j] = t;
		j = i;
	}
}

static front front_pop(front *h, size_t *n)
{
	size_t last = *n - 1, i = 0;
	front t = h[0];

	h[0] = h[last];
	h[last] = t;
	for (;;) {
		size_t j = 2 * i + 1;

		if (j >= last)
			break;
		if (j + 1 < last && h[j + 1].ts < h[j].ts)
			j++;
		if (!(h[j].ts < h[i].ts))
			break;
		t = h[i], h[i] = h[j], h[j] = t;
		i = j;
	}
	return h[--*n];
}

static gt_status append_event(parser *p, const v1_event *ev, size_t *cap)
{
	if (GT_RESERVE(p->t->events, *cap, p->t->n + 1))
		return nomem(p);
	p->t->events[p->t->n++] = *ev;
	return GT_OK;
}

/* Move the first ready events of the available Ps to the frontier
 * (the pidLoop of Go's parseEventBatches). */
static gt_status fill_frontier(parser *p, size_t *avail, size_t *navail, front *h, size_t *nh,
			       const u64map *gs)
{
	for (size_t i = 0; i < *navail; i++) {
		v1_proc *proc = &p->procs[avail[i]];
		gseq init, next;
		uint64_t g;

		while (proc->head == proc->nev) {
			gt_status st = load_batch(p, proc);

			if (st == GT_END) {
				proc->done = 1;
				avail[i--] = avail[--*navail];
				goto next_proc;
			}
			if (st)
				return st;
		}
		g = state_transition(&proc->events[proc->head], &init, &next);
		if (!transition_ready(g, gseq_of(gs, g), init))
			continue;
		front_push(h, nh, (front){ proc->events[proc->head++].ts, avail[i] });
		avail[i--] = avail[--*navail];
	next_proc:;
	}
	return GT_OK;
}

static gt_status merge_batches(parser *p)
{
	size_t *avail = malloc((p->nprocs + 1) * sizeof *avail), navail = p->nprocs, nh = 0, cap = 0;
	front *h = malloc((p->nprocs + 1) * sizeof *h);
	u64map gs;
	gt_status st = GT_OK;

	u64map_init(&gs, sizeof(gseq));
	if (!avail || !h) {
		st = nomem(p);
		goto out;
	}
	for (size_t i = 0; i < navail; i++)
		avail[i] = i;
	for (;;) {
		front f;
		v1_event ev;
		gseq init, next, cur, *slot;
		uint64_t g;
		int added;

		if ((st = fill_frontier(p, avail, &navail, h, &nh, &gs)))
			goto out;
		if (nh == 0) {
			for (size_t i = 0; i < p->nprocs; i++)
				if (!p->procs[i].done) {
					st = fail(p, "no consistent ordering of events possible");
					goto out;
				}
			break;
		}
		f = front_pop(h, &nh);
		ev = p->procs[f.proc].events[p->procs[f.proc].head - 1];
		g = state_transition(&ev, &init, &next);
		if (ev.type == V1_GO_START_LOCAL)
			ev.type = V1_GO_START;
		else if (ev.type == V1_GO_UNBLOCK_LOCAL)
			ev.type = V1_GO_UNBLOCK;
		else if (ev.type == V1_GO_SYS_EXIT_LOCAL)
			ev.type = V1_GO_SYS_EXIT;
		if ((st = append_event(p, &ev, &cap)))
			goto out;
		if (g != UNORDERED) {
			cur = gseq_of(&gs, g);
			if (!transition_ready(g, cur, init)) {
				st = fail(p, "encountered impossible goroutine state transition");
				goto out;
			}
			if (next.seq == NOSEQ)
				next.seq = cur.seq;
			else if (next.seq == SEQINC)
				next.seq = cur.seq + 1;
			if (!(slot = u64map_put(&gs, g, &added))) {
				st = nomem(p);
				goto out;
			}
			*slot = next;
		}
		avail[navail++] = f.proc;
	}
out:
	free(avail);
	free(h);
	u64map_free(&gs);
	return st;
}

static int cpu_cmp(const void *a, const void *b)
{
	int64_t x = ((const v1_event *)a)->ts, y = ((const v1_event *)b)->ts;

	return (x > y) - (x < y);
}

/* The first of v[0..n) (sorted by time) whose time is after ts, or with
 * at_too, at or after ts. */
static size_t time_bound(const v1_event *v, size_t n, int64_t ts, int at_too)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;

		if (v[m].ts < ts || (v[m].ts == ts && !at_too))
			lo = m + 1;
		else
			hi = m;
	}
	return lo;
}

/* A stable merge sort on ts (Go's sort.Stable: stable, so the same result).
 * Only moved syscall exits are out of place, so each merge takes just the
 * overlap of its halves: the left half's events after the right's first and
 * the right's before the left's last.  That keeps the copies, and the pages
 * of tmp touched, to a few events (tmp as big as the trace's events would
 * double the peak memory). */
static void stable_sort(v1_event *v, v1_event *tmp, size_t n)
{
	size_t mid = n / 2, lo, hi, i, j, k = 0;

	if (n < 2)
		return;
	stable_sort(v, tmp, mid);
	stable_sort(v + mid, tmp, n - mid);
	if (v[mid - 1].ts <= v[mid].ts)
		return;
	lo = time_bound(v, mid, v[mid].ts, 0);
	hi = mid + time_bound(v + mid, n - mid, v[mid - 1].ts, 1);
	for (i = lo, j = mid; i < mid && j < hi;)
		tmp[k++] = v[j].ts < v[i].ts ? v[j++] : v[i++];
	while (i < mid)
		tmp[k++] = v[i++];
	memcpy(v + lo, tmp, k * sizeof *v);
}

/* Syscall exits carry the real time the syscall ended; put it in place. */
static gt_status place_syscall_exits(parser *p)
{
	v1_trace *t = p->t;
	u64map last_block;
	v1_event *tmp;
	gt_status st = GT_OK;
	int moved = 0;

	for (size_t i = 1; i < t->n; i++)
		if (t->events[i].ts < t->events[i - 1].ts)
			return fail(p, TIME_ORDER);
	u64map_init(&last_block, sizeof(int64_t));
	for (size_t i = 0; i < t->n && !st; i++) {
		v1_event *ev = &t->events[i];
		int64_t *block;
		int added;

		if (ev->type == V1_GO_SYS_BLOCK || ev->type == V1_GO_IN_SYSCALL) {
			if (!(block = u64map_put(&last_block, ev->g, &added)))
				st = nomem(p);
			else
				*block = ev->ts;
		} else if (ev->type == V1_GO_SYS_EXIT && ev->args[2]) {
			int64_t ts = (int64_t)ev->args[2];

			block = u64map_get(&last_block, ev->g);
			if (!block || !*block) {
				st = fail(p, "stray syscall exit");
			} else if (ts < *block) {
				st = fail(p, TIME_ORDER);
			} else {
				moved |= ts != ev->ts;
				ev->ts = ts;
			}
		}
	}
	u64map_free(&last_block);
	/* The events were in order: if no time changed, they still are. */
	if (st || !moved)
		return st;
	if (!(tmp = malloc((t->n + 1) * sizeof *tmp)))
		return nomem(p);
	stable_sort(t->events, tmp, t->n);
	free(tmp);
	return GT_OK;
}

/* Ticks to ns since the first event, and the pseudo-Ps of timer wakeups
 * and syscall exits (the end of Go's parse). */
static gt_status to_nanoseconds(parser *p)
{
	v1_trace *t = p->t;
	int64_t min_ts;
	double freq;

	if (p->ticks_per_sec == 0)
		return fail(p, "no EvFrequency event");
	if (!t->n)
		return GT_OK;
	min_ts = t->events[0].ts;
	freq = 1e9 / (double)p->ticks_per_sec;
	for (size_t i = 0; i < t->n; i++) {
		v1_event *ev = &t->events[i];

		ev->ts = gt_f64_to_i64((double)gt_add64(ev->ts, -min_ts) * freq);
		if (ev->type == V1_GO_UNBLOCK && u64map_get(&p->timer_goids, ev->g))
			ev->p = V1_TIMER_P;
		if (ev->type == V1_GO_SYS_EXIT)
			ev->p = V1_SYSCALL_P;
	}
	return GT_OK;
}

static gt_status put_stacks(parser *p)
{
	for (size_t i = 0; i < p->nstacks; i++) {
		const v1_stack *s = &p->stacks[i];
		const uint64_t *idx = u64map_get(&p->stack_index, s->id);
		gt_status st;

		if (*idx == i && (st = gen_put_stack(p->tab, s->id, p->stack_pcs + s->first, s->n, p->e)))
			return st;
	}
	return GT_OK;
}

/* The old post-processing pass (postProcessTrace): goroutine and P state
 * checks, plus the fix-ups Go makes on the way (GC and netpoll pseudo-Ps,
 * stack ids without a stack). */

typedef struct pp_gdesc {
	int state;
	int64_t ev, mark_assist;  /* event indices, -1 for none */
} pp_gdesc;

typedef struct pp_pdesc {
	int running;
	uint64_t g;
	int64_t sweep;
} pp_pdesc;

typedef struct region_stack { int64_t *v; size_t n, cap; } region_stack;

typedef struct post {
	parser *p;
	u64map gs, ps, tasks, regions;
	int64_t gc, stw;
} post;

/* Go's maps of values: a missing entry reads as the zero state and only an
 * explicit store creates one (which matters for "already exists"). */
static pp_gdesc gget(post *x, uint64_t g)
{
	const pp_gdesc *d = u64map_get(&x->gs, g);

	return d ? *d : (pp_gdesc){ G_DEAD, -1, -1 };
}

static gt_status gput(post *x, uint64_t g, pp_gdesc v)
{
	int added;
	pp_gdesc *d = u64map_put(&x->gs, g, &added);

	if (!d)
		return nomem(x->p);
	*d = v;
	return GT_OK;
}

static pp_pdesc pget(post *x, int32_t pid)
{
	const pp_pdesc *d = u64map_get(&x->ps, (uint64_t)(int64_t)pid);

	return d ? *d : (pp_pdesc){ 0, 0, -1 };
}

static gt_status pput(post *x, int32_t pid, pp_pdesc v)
{
	int added;
	pp_pdesc *d = u64map_put(&x->ps, (uint64_t)(int64_t)pid, &added);

	if (!d)
		return nomem(x->p);
	*d = v;
	return GT_OK;
}

static gt_status check_running(post *x, pp_pdesc pd, pp_gdesc gd, const v1_event *ev, int allow_g0)
{
	const char *name = descs[ev->type].name;

	if (gd.state != G_RUNNING)
		return fail(x->p, "g %llu is not running while %s (time %lld)", (unsigned long long)ev->g,
			    name, (long long)ev->ts);
	if (pd.g != ev->g)
		return fail(x->p, "p %d is not running g %llu while %s (time %lld)", ev->p,
			    (unsigned long long)ev->g, name, (long long)ev->ts);
	if (!allow_g0 && ev->g == 0)
		return fail(x->p, "g 0 did %s (time %lld)", name, (long long)ev->ts);
	return GT_OK;
}

static gt_status post_procs(post *x, v1_event *ev, int64_t i)
{
	pp_pdesc pd = pget(x, ev->p);

	switch (ev->type) {
	case V1_PROC_START:
		if (pd.running)
			return fail(x->p, "p %d is running before start (time %lld)", ev->p, (long long)ev->ts);
		pd.running = 1;
		break;
	case V1_PROC_STOP:
		if (!pd.running)
			return fail(x->p, "p %d is not running before stop (time %lld)", ev->p, (long long)ev->ts);
		if (pd.g)
			return fail(x->p, "p %d is running a goroutine %llu during stop (time %lld)", ev->p,
				    (unsigned long long)pd.g, (long long)ev->ts);
		pd.running = 0;
		break;
	case V1_GC_SWEEP_START:
		if (pd.sweep >= 0)
			return fail(x->p, "previous sweeping is not ended before a new one (time %lld)",
				    (long long)ev->ts);
		pd.sweep = i;
		break;
	case V1_GC_SWEEP_DONE:
		if (pd.sweep < 0)
			return fail(x->p, "bogus sweeping end (time %lld)", (long long)ev->ts);
		pd.sweep = -1;
		break;
	default:
		return GT_OK;
	}
	return pput(x, ev->p, pd);
}

static gt_status post_gc(post *x, v1_event *ev, int64_t i)
{
	switch (ev->type) {
	case V1_GC_START:
		if (x->gc >= 0)
			return fail(x->p, "previous GC is not ended before a new one (time %lld)", (long long)ev->ts);
		x->gc = i;
		ev->p = V1_GC_P;
		break;
	case V1_GC_DONE:
		if (x->gc < 0)
			return fail(x->p, "bogus GC end (time %lld)", (long long)ev->ts);
		x->gc = -1;
		break;
	case V1_STW_START:
		if (x->stw >= 0)
			return fail(x->p, "previous STW is not ended before a new one (time %lld)", (long long)ev->ts);
		x->stw = i;
		break;
	case V1_STW_DONE:
		if (x->stw < 0)
			return fail(x->p, "bogus STW end (time %lld)", (long long)ev->ts);
		x->stw = -1;
		break;
	}
	return GT_OK;
}

/* The running goroutine leaves its P: it ends, yields or blocks. */
static gt_status post_leave(post *x, pp_gdesc gd, pp_pdesc pd, v1_event *ev, int64_t i, int state)
{
	gt_status st = check_running(x, pd, gd, ev, 0);

	if (st)
		return st;
	gd.state = state;
	if (state != G_DEAD)
		gd.ev = i;
	pd.g = 0;
	if ((st = gput(x, ev->g, gd)))
		return st;
	return pput(x, ev->p, pd);
}

/* A goroutine starts to wait for something other than its P. */
static gt_status post_wait(post *x, pp_gdesc gd, const v1_event *ev, int64_t i, const char *what)
{
	if (gd.state != G_RUNNABLE)
		return fail(x->p, "g %llu is not runnable before %s (time %lld)", (unsigned long long)ev->g,
			    what, (long long)ev->ts);
	gd.state = G_WAITING;
	gd.ev = i;
	return gput(x, ev->g, gd);
}

static gt_status post_unblock(post *x, pp_gdesc gd, pp_pdesc pd, v1_event *ev, int64_t i)
{
	pp_gdesc g1 = gget(x, ev->args[0]);

	if (gd.state != G_RUNNING)
		return fail(x->p, "g %llu is not running while unpark (time %lld)", (unsigned long long)ev->g,
			    (long long)ev->ts);
	if (ev->p != V1_TIMER_P && pd.g != ev->g)
		return fail(x->p, "p %d is not running g %llu while unpark (time %lld)", ev->p,
			    (unsigned long long)ev->g, (long long)ev->ts);
	if (g1.state != G_WAITING)
		return fail(x->p, "g %llu is not waiting before unpark (time %lld)",
			    (unsigned long long)ev->args[0], (long long)ev->ts);
	/* A wakeup by the network poller shows on its pseudo-P. */
	if (g1.ev >= 0 && x->p->t->events[g1.ev].type == V1_GO_BLOCK_NET)
		ev->p = V1_NETPOLL_P;
	g1.state = G_RUNNABLE;
	g1.ev = i;
	return gput(x, ev->args[0], g1);
}

static void end_regions(post *x, uint64_t g)
{
	region_stack *rs = u64map_get(&x->regions, g);

	if (rs) {
		free(rs->v);
		u64map_del(&x->regions, g);
	}
}

static gt_status post_goroutines(post *x, v1_event *ev, int64_t i)
{
	pp_gdesc gd = gget(x, ev->g);
	pp_pdesc pd = pget(x, ev->p);
	gt_status st;

	switch (ev->type) {
	case V1_GC_MARK_ASSIST_START:
		if (gd.mark_assist >= 0)
			return fail(x->p, "previous mark assist is not ended before a new one (time %lld)",
				    (long long)ev->ts);
		gd.mark_assist = i;
		return gput(x, ev->g, gd);
	case V1_GC_MARK_ASSIST_DONE:
		gd.mark_assist = -1;
		return gput(x, ev->g, gd);
	case V1_GO_WAITING:
		return post_wait(x, gd, ev, i, "EvGoWaiting");
	case V1_GO_IN_SYSCALL:
		return post_wait(x, gd, ev, i, "EvGoInSyscall");
	case V1_GO_CREATE:
		if ((st = check_running(x, pd, gd, ev, 1)))
			return st;
		if (u64map_get(&x->gs, ev->args[0]))
			return fail(x->p, "g %llu already exists (time %lld)", (unsigned long long)ev->args[0],
				    (long long)ev->ts);
		return gput(x, ev->args[0], (pp_gdesc){ G_RUNNABLE, i, -1 });
	case V1_GO_START: case V1_GO_START_LABEL:
		if (gd.state != G_RUNNABLE)
			return fail(x->p, "g %llu is not runnable before start (time %lld)",
				    (unsigned long long)ev->g, (long long)ev->ts);
		if (pd.g)
			return fail(x->p, "p %d is already running g %llu while start g %llu (time %lld)", ev->p,
				    (unsigned long long)pd.g, (unsigned long long)ev->g, (long long)ev->ts);
		gd.state = G_RUNNING;
		gd.ev = -1;
		pd.g = ev->g;
		if ((st = gput(x, ev->g, gd)))
			return st;
		return pput(x, ev->p, pd);
	case V1_GO_END: case V1_GO_STOP:
		if (ev->type == V1_GO_END)
			end_regions(x, ev->g);
		return post_leave(x, gd, pd, ev, i, G_DEAD);
	case V1_GO_SCHED: case V1_GO_PREEMPT:
		return post_leave(x, gd, pd, ev, i, G_RUNNABLE);
	case V1_GO_SLEEP: case V1_GO_BLOCK: case V1_GO_BLOCK_SEND: case V1_GO_BLOCK_RECV:
	case V1_GO_BLOCK_SELECT: case V1_GO_BLOCK_SYNC: case V1_GO_BLOCK_COND: case V1_GO_BLOCK_NET:
	case V1_GO_BLOCK_GC:
		return post_leave(x, gd, pd, ev, i, G_WAITING);
	case V1_GO_SYSCALL:
		if ((st = check_running(x, pd, gd, ev, 0)))
			return st;
		gd.ev = i;
		return gput(x, ev->g, gd);
	case V1_GO_SYS_BLOCK:
		/* Not a wait the unblock logic looks at: gd.ev stays. */
		if ((st = check_running(x, pd, gd, ev, 0)))
			return st;
		gd.state = G_WAITING;
		pd.g = 0;
		if ((st = gput(x, ev->g, gd)))
			return st;
		return pput(x, ev->p, pd);
	case V1_GO_SYS_EXIT:
		if (gd.state != G_WAITING)
			return fail(x->p, "g %llu is not waiting during syscall exit (time %lld)",
				    (unsigned long long)ev->g, (long long)ev->ts);
		gd.state = G_RUNNABLE;
		gd.ev = i;
		return gput(x, ev->g, gd);
	case V1_GO_UNBLOCK:
		return post_unblock(x, gd, pd, ev, i);
	}
	return GT_OK;
}

static gt_status post_user(post *x, v1_event *ev, int64_t i)
{
	int added;
	region_stack *rs;
	int64_t *task;

	switch (ev->type) {
	case V1_USER_TASK_CREATE:
		if (!(task = u64map_put(&x->tasks, ev->args[0], &added)))
			return nomem(x->p);
		if (!added)
			return fail(x->p, "task id conflicts (id:%llu)", (unsigned long long)ev->args[0]);
		*task = i;
		break;
	case V1_USER_TASK_END:
		u64map_del(&x->tasks, ev->args[0]);
		break;
	case V1_USER_REGION:
		if (!(rs = u64map_put(&x->regions, ev->g, &added)))
			return nomem(x->p);
		if (ev->args[1] == 0) {
			if (GT_RESERVE(rs->v, rs->cap, rs->n + 1))
				return nomem(x->p);
			rs->v[rs->n++] = i;
		} else if (ev->args[1] == 1) {
			/* An end without a start: the region began before the trace. */
			if (rs->n) {
				const v1_event *s = &x->p->t->events[rs->v[rs->n - 1]];

				if (s->args[0] != ev->args[0] || s->args[2] != ev->args[2])
					return fail(x->p, "misuse of region in goroutine %llu (time %lld)",
						    (unsigned long long)ev->g, (long long)ev->ts);
				rs->n--;
			}
		} else {
			return fail(x->p, "invalid user region mode: %llu (time %lld)",
				    (unsigned long long)ev->args[1], (long long)ev->ts);
		}
		break;
	}
	return GT_OK;
}

static gt_status post_process(parser *p)
{
	post x = { p, { 0 }, { 0 }, { 0 }, { 0 }, -1, -1 };
	gt_status st;
	size_t pos = 0;
	uint64_t key;
	region_stack *rs;

	u64map_init(&x.gs, sizeof(pp_gdesc));
	u64map_init(&x.ps, sizeof(pp_pdesc));
	u64map_init(&x.tasks, sizeof(int64_t));
	u64map_init(&x.regions, sizeof(region_stack));
	st = gput(&x, 0, (pp_gdesc){ G_RUNNING, -1, -1 });
	for (size_t i = 0; i < p->t->n && !st; i++) {
		v1_event *ev = &p->t->events[i];

		if (!(st = post_procs(&x, ev, (int64_t)i)) && !(st = post_gc(&x, ev, (int64_t)i)) &&
		    !(st = post_goroutines(&x, ev, (int64_t)i)))
			st = post_user(&x, ev, (int64_t)i);
		if (ev->stk && !gen_has_stack(p->tab, ev->stk))
			ev->stk = 0;
	}
	while ((rs = u64map_next(&x.regions, &pos, &key)))
		free(rs->v);
	u64map_free(&x.gs);
	u64map_free(&x.ps);
	u64map_free(&x.tasks);
	u64map_free(&x.regions);
	return st;
}

gt_status v1_parse(v1_trace *t, generation *tab, const uint8_t *data, size_t len, int version,
		   gt_err *e)
{
	parser p;
	v1_proc *profile;
	gt_status st;

	memset(t, 0, sizeof *t);
	memset(&p, 0, sizeof p);
	p.ver = version;
	p.data = data;
	p.len = len;
	p.tab = tab;
	p.e = e;
	p.t = t;
	u64map_init(&p.proc_index, sizeof(uint32_t));
	u64map_init(&p.timer_goids, 1);
	u64map_init(&p.stack_index, sizeof(uint64_t));
	u64map_init(&p.last_gs, sizeof(uint64_t));
	if ((st = collect_batches(&p)))
		goto out;
	/* The CPU samples are one more "P", already in time order. */
	go_sort(p.cpu, p.ncpu, sizeof *p.cpu, cpu_cmp);
	if (!(profile = proc_of(&p, V1_PROFILE_P, 1))) {
		st = nomem(&p);
		goto out;
	}
	profile->events = p.cpu;
	profile->nev = profile->capev = p.ncpu;
	p.cpu = NULL;
	if ((st = merge_batches(&p)) || (st = place_syscall_exits(&p)) || (st = to_nanoseconds(&p)) ||
	    (st = put_stacks(&p)) || (st = post_process(&p)))
		goto out;
out:
	for (size_t i = 0; i < p.nprocs; i++) {
		free(p.procs[i].batches);
		free(p.procs[i].events);
	}
	free(p.procs);
	free(p.cpu);
	free(p.args);
	free(p.stacks);
	free(p.stack_pcs);
	u64map_free(&p.proc_index);
	u64map_free(&p.timer_goids);
	u64map_free(&p.stack_index);
	u64map_free(&p.last_gs);
	return st;
}

void v1_free(v1_trace *t)
{
	free(t->events);
	free(t->inline_strs);
	memset(t, 0, sizeof *t);
}

int v1_has_stack(uint8_t type)
{
	return type < V1_COUNT && descs[type].stack;
}

int v1_stw_reason(int version, uint64_t kind)
{
	if (version < 21)
		return kind == 0 || kind == 1 ? (int)kind + 1 : 0;
	return kind < 17 ? (int)kind : 0;
}
