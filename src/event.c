/*
 * event.c - ordered events to gt_events (see event.h), following the
 * accessors of Go's internal/trace/event.go (Kind, Stack, StateTransition,
 * Range, Task, Sync...).
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "events.h"
#include "symtab.h"

static GT_COLD gt_status missing(const ord_ev *oe, const char *what, uint64_t id, gt_err *e)
{
	return gt_fail(e, GT_ERR_BROKEN, oe->off, "found invalid %s ID %llu for event %s", what,
		       (unsigned long long)id, ev_specs[oe->type].name);
}

/* A state transition, by wire type: its resource, where its id is in the
 * ord_ev (args[0], g or p), the states from and to, and whether the event's
 * reason and stack are the transition's.  A special type has more
 * (special_transition); the others are made of the event's args[0],
 * context, stack and reason alone, and so can be short events. */
enum { TR_NONE, TR_SHORT, TR_SPECIAL };
typedef struct tr_spec {
	uint8_t form, resource, id_at, from, to;
	uint8_t reason, stack;
} tr_spec;

#define TR(form, res, id, from, to, reason, stack) \
	{ TR_##form, GT_RES_##res, offsetof(ord_ev, id), from, to, reason, stack }
static const tr_spec tr_specs[256] = {
	[EV_PROC_START] = TR(SHORT, PROC, args[0], GT_PROC_IDLE, GT_PROC_RUNNING, 0, 0),
	[EV_PROC_STOP] = TR(SHORT, PROC, p, GT_PROC_RUNNING, GT_PROC_IDLE, 0, 0),
	[EV_PROC_STEAL] = TR(SPECIAL, PROC, args[0], 0, GT_PROC_IDLE, 0, 0),
	[EV_PROC_STATUS] = TR(SPECIAL, PROC, args[0], 0, 0, 0, 0),
	[EV_GO_CREATE] = TR(SPECIAL, GOROUTINE, args[0], GT_GO_NOT_EXIST, GT_GO_RUNNABLE, 0, 0),
	[EV_GO_CREATE_BLOCKED] = TR(SPECIAL, GOROUTINE, args[0], GT_GO_NOT_EXIST, GT_GO_WAITING, 0, 0),
	[EV_GO_CREATE_SYSCALL] = TR(SHORT, GOROUTINE, args[0], GT_GO_NOT_EXIST, GT_GO_SYSCALL, 0, 0),
	[EV_GO_START] = TR(SHORT, GOROUTINE, args[0], GT_GO_RUNNABLE, GT_GO_RUNNING, 0, 0),
	[EV_GO_DESTROY] = TR(SHORT, GOROUTINE, g, GT_GO_RUNNING, GT_GO_NOT_EXIST, 0, 0),
	[EV_GO_DESTROY_SYSCALL] = TR(SHORT, GOROUTINE, g, GT_GO_SYSCALL, GT_GO_NOT_EXIST, 0, 0),
	[EV_GO_STOP] = TR(SHORT, GOROUTINE, g, GT_GO_RUNNING, GT_GO_RUNNABLE, 1, 1),
	[EV_GO_BLOCK] = TR(SHORT, GOROUTINE, g, GT_GO_RUNNING, GT_GO_WAITING, 1, 1),
	[EV_GO_UNBLOCK] = TR(SHORT, GOROUTINE, args[0], GT_GO_WAITING, GT_GO_RUNNABLE, 0, 0),
	[EV_GO_SWITCH] = TR(SHORT, GOROUTINE, args[0], GT_GO_WAITING, GT_GO_RUNNABLE, 0, 0),
	[EV_GO_SWITCH_DESTROY] = TR(SHORT, GOROUTINE, args[0], GT_GO_WAITING, GT_GO_RUNNABLE, 0, 0),
	[EV_GO_SYSCALL_BEGIN] = TR(SHORT, GOROUTINE, g, GT_GO_RUNNING, GT_GO_SYSCALL, 0, 1),
	[EV_GO_SYSCALL_END] = TR(SHORT, GOROUTINE, g, GT_GO_SYSCALL, GT_GO_RUNNING, 0, 0),
	[EV_GO_SYSCALL_END_BLOCKED] = TR(SHORT, GOROUTINE, g, GT_GO_SYSCALL, GT_GO_RUNNABLE, 0, 0),
	[EV_GO_STATUS] = TR(SPECIAL, GOROUTINE, args[0], 0, 0, 0, 1),
	[EV_GO_STATUS_STACK] = TR(SPECIAL, GOROUTINE, args[0], 0, 0, 0, 1),
};

/* The transition's id: one load where the table says it is (args[0] is
 * read as the int64_t Go converts it to). */
static GT_INLINE int64_t tr_id(const tr_spec *t, const ord_ev *oe)
{
	int64_t id;

	memcpy(&id, (const char *)oe + t->id_at, sizeof id);
	return id;
}

/* The transition's fields (not the event's, already in out) from what the
 * table has, the id, the reason and the stack. */
static GT_INLINE void transition(gt_event *out, const tr_spec *t, int64_t id, gt_str reason)
{
	out->transition.resource = t->resource;
	out->transition.id = id;
	out->transition.from = t->from;
	out->transition.to = t->to;
	out->transition.reason = reason;
	out->transition.stack = t->stack ? out->stack : GT_NO_STACK;
}

/* The special types' states and stacks, from what the event carries. */
static GT_NOINLINE void special_transition(const ord_ev *oe, const ev_resolved *rs, gt_event *out)
{
	switch (oe->type) {
	case EV_PROC_STEAL:
		out->transition.from =
			oe->aux == PSTATUS_SYSCALL_ABANDONED ? GT_PROC_IDLE : GT_PROC_RUNNING;
		break;
	case EV_PROC_STATUS:
		out->transition.from = (uint8_t)oe->aux;
		out->transition.to = ev_pstatus_to_state[oe->args[1]];
		break;
	case EV_GO_CREATE:
	case EV_GO_CREATE_BLOCKED:
		out->transition.stack = rs->stack2;
		break;
	case EV_GO_STATUS:
	case EV_GO_STATUS_STACK:
		out->transition.from = (uint8_t)oe->aux;
		out->transition.to = ev_gostatus_to_state[oe->args[2]];
		break;
	}
}

static void build_transition(const ord_ev *oe, const ev_resolved *rs, gt_event *out)
{
	const tr_spec *t = &tr_specs[oe->type];

	transition(out, t, tr_id(t, oe), t->reason ? rs->str[0] : (gt_str){ "", 0 });
	if (GT_UNLIKELY(t->form == TR_SPECIAL))
		special_transition(oe, rs, out);
}

static void build_range(const ord_ev *oe, const ev_resolved *rs, const gt_symtab *sym,
			  char name_buf[EV_NAME_BUF], gt_event *out)
{
	gt_str kind;
	int n;

	out->range.has_attributes = 0;
	switch (oe->type) {
	case EV_STW_BEGIN:
	case EV_STW_END:
		kind = oe->type == EV_STW_BEGIN ? rs->str[0] : gt_symtab_string(sym, oe->aux_str);
		n = snprintf(name_buf, EV_NAME_BUF, "stop-the-world (%.*s)", (int)kind.len, kind.ptr);
		out->range.name = (gt_str){ name_buf, (size_t)n };
		out->range.scope = GT_RES_GOROUTINE;
		out->range.scope_id = oe->g;
		break;
	case EV_GC_ACTIVE:
	case EV_GC_BEGIN:
	case EV_GC_END:
		out->range.name = (gt_str){ "GC concurrent mark phase", 24 };
		out->range.scope = GT_RES_NONE;
		out->range.scope_id = 0;
		break;
	case EV_GC_SWEEP_ACTIVE:
	case EV_GC_SWEEP_BEGIN:
	case EV_GC_SWEEP_END:
		out->range.name = (gt_str){ "GC incremental sweep", 20 };
		out->range.scope = GT_RES_PROC;
		out->range.scope_id = oe->type == EV_GC_SWEEP_ACTIVE ? (int64_t)oe->args[0] : oe->p;
		if (oe->type == EV_GC_SWEEP_END) {
			out->range.has_attributes = 1;
			out->range.bytes_swept = oe->args[0];
			out->range.bytes_reclaimed = oe->args[1];
		}
		break;
	default: /* GC mark assist */
		out->range.name = (gt_str){ "GC mark assist", 14 };
		out->range.scope = GT_RES_GOROUTINE;
		out->range.scope_id = oe->type == EV_GC_MARK_ASSIST_ACTIVE ? (int64_t)oe->args[0] : oe->g;
		break;
	}
}

static const char *metric_name(uint8_t type)
{
	switch (type) {
	case EV_PROCS_CHANGE: return "/sched/gomaxprocs:threads";
	case EV_HEAP_ALLOC: return "/memory/classes/heap/objects:bytes";
	default: return "/gc/heap/goal:bytes";
	}
}

/* The kinds other than state transitions, which are rarer: out of line,
 * so that the transitions' path saves few registers. */
static GT_NOINLINE void build_other(const ord_ev *oe, const ev_resolved *rs, const gt_symtab *sym,
				    char name_buf[EV_NAME_BUF], gt_event *out)
{
	const ev_spec *sp;

	switch (out->kind) {
	case GT_EV_SYNC:
		out->sync.n = (int)oe->args[0];
		out->sync.has_clock = rs->clock.has;
		out->sync.clock_trace = rs->clock.trace;
		out->sync.clock_mono = rs->clock.mono;
		out->sync.wall_sec = rs->clock.wall_sec;
		out->sync.wall_nsec = rs->clock.wall_nsec;
		break;
	case GT_EV_METRIC:
		out->metric.name = metric_name(oe->type);
		out->metric.value = oe->args[0];
		break;
	case GT_EV_LABEL:
		out->label.label = rs->str[0];
		break;
	case GT_EV_RANGE_BEGIN:
	case GT_EV_RANGE_ACTIVE:
	case GT_EV_RANGE_END:
		build_range(oe, rs, sym, name_buf, out);
		break;
	case GT_EV_TASK_BEGIN:
		out->task.id = oe->args[0];
		out->task.parent = oe->args[1];
		out->task.type = rs->str[0];
		break;
	case GT_EV_TASK_END:
		out->task.id = oe->args[0];
		out->task.parent = oe->aux;
		out->task.type = gt_symtab_string(sym, oe->aux_str);
		break;
	case GT_EV_REGION_BEGIN:
	case GT_EV_REGION_END:
		out->region.task = oe->args[0];
		out->region.type = rs->str[0];
		break;
	case GT_EV_LOG:
		out->log.task = oe->args[0];
		out->log.category = rs->str[0];
		out->log.message = rs->str[1];
		break;
	case GT_EV_EXPERIMENTAL:
		sp = &ev_specs[oe->type];
		out->experimental.name = sp->name;
		out->experimental.experiment = "AllocFree";
		out->experimental.nargs = sp->nargs;
		out->experimental.arg_names = sp->arg_names;
		memcpy(out->experimental.args, oe->args, sizeof oe->args);
		break;
	default: /* a CPU sample: its stack is all (only timed types are ordered) */
		break;
	}
}

/* What every kind has. */
static GT_INLINE void build_common(const ord_ev *oe, const ev_resolved *rs, gt_event *out)
{
	out->time = oe->time;
	out->g = oe->g;
	out->p = oe->p;
	out->m = oe->m;
	out->wire_type = oe->type;
	out->stack = rs->stack;
	out->kind = oe->type == EV_READER_SYNC ? GT_EV_SYNC : ev_specs[oe->type].kind;
}

static GT_INLINE void build(const ord_ev *oe, const ev_resolved *rs, const gt_symtab *sym,
			    char name_buf[EV_NAME_BUF], gt_event *out)
{
	build_common(oe, rs, out);
	/* Nearly every event is a transition: a plain branch to it, not a
	 * jump through the kind switch. */
	if (GT_LIKELY(out->kind == GT_EV_STATE_TRANSITION))
		build_transition(oe, rs, out);
	else
		build_other(oe, rs, sym, name_buf, out);
}

/* time.Unix(sec, nsec): nsec outside [0, 1e9) carries into sec. */
static GT_NOINLINE void resolve_clock(const ord_ev *oe, const generation *gen, ev_resolved *rs)
{
	int64_t sec, nsec;

	rs->clock.has = oe->aux && gen && gen->has_clock;
	if (!rs->clock.has)
		return;
	rs->clock.trace = gt_ticks_to_ns(gen->freq, gen->snap_ts);
	rs->clock.mono = gen->snap_mono;
	sec = (int64_t)gen->snap_sec;
	nsec = (int64_t)gen->snap_nsec;
	if (nsec < 0 || nsec >= 1000000000) {
		sec = gt_add64(sec, nsec / 1000000000);
		nsec %= 1000000000;
		if (nsec < 0) {
			nsec += 1000000000;
			sec = gt_add64(sec, -1);
		}
	}
	rs->clock.wall_sec = sec;
	rs->clock.wall_nsec = nsec;
}

/* A stack that is present even when its id is 0: Go prints an empty
 * "Stack=" block for these (CPU samples, a GoCreate's start stack). */
static gt_status stack_or_empty(gt_symtab *sym, uint32_t *stack, gt_err *e, uint64_t off)
{
	if (*stack == GT_NO_STACK && sym_empty_stack(sym, stack))
		return gt_fail(e, GT_ERR_NOMEM, off, "out of memory");
	return GT_OK;
}

/* A stack id of gen's table as a symbol table id: *out stays GT_NO_STACK
 * for id 0; an id not in the table is an error. */
static GT_INLINE gt_status resolve_stack(const ord_ev *oe, const generation *gen, uint64_t id,
					 uint32_t *out, gt_err *e)
{
	if (id && !(*out = gen_stack_id(gen, id)))
		return missing(oe, "stack", id, e);
	return GT_OK;
}

static GT_INLINE gt_status resolve(const ord_ev *oe, const generation *gen, gt_symtab *sym,
				   ev_resolved *rs, gt_err *e)
{
	const ev_spec *sp;
	gt_status st;

	rs->stack = rs->stack2 = GT_NO_STACK;
	rs->nstrs = 0;
	if (GT_UNLIKELY(oe->type == EV_READER_SYNC)) { /* not in ev_specs */
		resolve_clock(oe, gen, rs);
		return GT_OK;
	}
	sp = &ev_specs[oe->type];
	if (oe->type == EV_CPU_SAMPLE) {
		/* Go does not check a sample's stack (and crashes printing a bad
		 * one); we do. */
		if ((st = resolve_stack(oe, gen, oe->args[0], &rs->stack, e)))
			return st;
		return stack_or_empty(sym, &rs->stack, e, oe->off);
	}
	if ((sp->stack & sp->stack2 & sp->str1 & sp->str2) < 0)
		return GT_OK; /* all -1: nothing to look up (GoStart, a third of events) */
	if ((sp->stack >= 0 && resolve_stack(oe, gen, oe->args[sp->stack], &rs->stack, e)) ||
	    (sp->stack2 >= 0 && resolve_stack(oe, gen, oe->args[sp->stack2], &rs->stack2, e)))
		return e->pub.code;
	if (sp->str1 >= 0 && !gen_string(gen, oe->args[sp->str1], &rs->str[rs->nstrs++]))
		return missing(oe, "string", oe->args[sp->str1], e);
	if (sp->str2 >= 0 && !gen_string(gen, oe->args[sp->str2], &rs->str[rs->nstrs++]))
		return missing(oe, "string", oe->args[sp->str2], e);
	if (oe->type == EV_GO_CREATE || oe->type == EV_GO_CREATE_BLOCKED)
		return stack_or_empty(sym, &rs->stack2, e, oe->off);
	return GT_OK;
}

/* resolve() and build() are inline so that ev_publish, on the path of
 * reading without a second thread, is one function, as before the split. */
gt_status ev_resolve(const ord_ev *oe, const generation *gen, gt_symtab *sym, ev_resolved *rs,
		     gt_err *e)
{
	return resolve(oe, gen, sym, rs, e);
}

void ev_build(const ord_ev *oe, const ev_resolved *rs, const gt_symtab *sym,
	      char name_buf[EV_NAME_BUF], gt_event *out)
{
	build(oe, rs, sym, name_buf, out);
}

/* Whether g, p and m each fit in 32 bits. */
static GT_INLINE int fits_32(const ord_ev *oe)
{
	const uint64_t half = (uint64_t)1 << 31;

	return (((uint64_t)oe->g + half) | ((uint64_t)oe->p + half) | ((uint64_t)oe->m + half)) >> 32 == 0;
}

int ev_resolve_short(const ord_ev *oe, generation *gen, gt_symtab *sym, ev_short *out, gt_err *e)
{
	const tr_spec *t = &tr_specs[oe->type];
	const ev_spec *sp;

	if (t->form != TR_SHORT || !fits_32(oe))
		return 0;
	sp = &ev_specs[oe->type];
	out->stack = GT_NO_STACK;
	out->reason = 0;
	if (sp->stack >= 0 && resolve_stack(oe, gen, oe->args[sp->stack], &out->stack, e))
		return -1;
	if (sp->str1 >= 0) {
		uint64_t id = oe->args[sp->str1];

		if (gen_sym_string(gen, id, sym, &out->reason)) {
			gt_fail(e, GT_ERR_NOMEM, oe->off, "out of memory");
			return -1;
		}
		/* 0 is the empty string's symbol id and a missing string's:
		 * only then is the table asked which (Go's validateTableIDs). */
		if (!out->reason && !gen_string_exists(gen, id)) {
			missing(oe, "string", id, e);
			return -1;
		}
	}
	out->time = oe->time;
	out->id = tr_id(t, oe);
	out->g = (int32_t)oe->g;
	out->p = (int32_t)oe->p;
	out->m = (int32_t)oe->m;
	out->type = oe->type;
	return 1;
}

void ev_build_short(const ev_short *s, const gt_symtab *sym, gt_event *out)
{
	const tr_spec *t = &tr_specs[s->type];

	out->kind = GT_EV_STATE_TRANSITION;
	out->time = s->time;
	out->g = s->g;
	out->p = s->p;
	out->m = s->m;
	out->wire_type = s->type;
	out->stack = s->stack;
	transition(out, t, s->id, s->reason ? gt_symtab_string(sym, s->reason) : (gt_str){ "", 0 });
}

gt_status ev_publish(const ord_ev *oe, const generation *gen, gt_symtab *sym,
		     char name_buf[EV_NAME_BUF], gt_event *out, gt_err *e)
{
	ev_resolved rs;
	gt_status st;

	if ((st = resolve(oe, gen, sym, &rs, e)))
		return st;
	build(oe, &rs, sym, name_buf, out);
	return GT_OK;
}
