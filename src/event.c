/*
 * event.c - ordered events to gt_events (see event.h), following the
 * accessors of Go's internal/trace/event.go (Kind, Stack, StateTransition,
 * Range, Task, Sync...).
 */
#include <stdio.h>
#include <string.h>

#include "event.h"
#include "events.h"
#include "symtab.h"

/* An event's stacks and strings, looked up in its generation's tables. */
typedef struct resolved {
	uint32_t stack, stack2;
	gt_str str1, str2;
} resolved;

static GT_COLD gt_status missing(const ord_ev *oe, const char *what, uint64_t id, gt_err *e)
{
	return gt_fail(e, GT_ERR_BROKEN, oe->off, "found invalid %s ID %llu for event %s", what,
		       (unsigned long long)id, ev_specs[oe->type].name);
}

static gt_status resolve(const ord_ev *oe, const generation *gen, resolved *rs, gt_err *e)
{
	const ev_spec *sp = &ev_specs[oe->type];

	rs->stack = rs->stack2 = GT_NO_STACK;
	if ((sp->stack & sp->stack2 & sp->str1 & sp->str2) < 0)
		return GT_OK; /* all -1: nothing to look up (GoStart, a third of events) */
	if (sp->stack >= 0 && oe->args[sp->stack] &&
	    !(rs->stack = gen_stack_id(gen, oe->args[sp->stack])))
		return missing(oe, "stack", oe->args[sp->stack], e);
	if (sp->stack2 >= 0 && oe->args[sp->stack2] &&
	    !(rs->stack2 = gen_stack_id(gen, oe->args[sp->stack2])))
		return missing(oe, "stack", oe->args[sp->stack2], e);
	if (sp->str1 >= 0 && !gen_string(gen, oe->args[sp->str1], &rs->str1))
		return missing(oe, "string", oe->args[sp->str1], e);
	if (sp->str2 >= 0 && !gen_string(gen, oe->args[sp->str2], &rs->str2))
		return missing(oe, "string", oe->args[sp->str2], e);
	return GT_OK;
}

/* A stack that is present even when its id is 0: Go prints an empty
 * "Stack=" block for these (CPU samples, a GoCreate's start stack). */
static gt_status stack_or_empty(gt_symtab *sym, uint32_t stack, uint32_t *out, gt_err *e, uint64_t off)
{
	*out = stack;
	if (stack == GT_NO_STACK && sym_empty_stack(sym, out))
		return gt_fail(e, GT_ERR_NOMEM, off, "out of memory");
	return GT_OK;
}

static void transition(gt_event *out, gt_resource res, int64_t id, uint8_t from, uint8_t to)
{
	out->transition.resource = res;
	out->transition.id = id;
	out->transition.from = from;
	out->transition.to = to;
	out->transition.reason = (gt_str){ "", 0 };
	out->transition.stack = GT_NO_STACK;
}

static gt_status publish_transition(const ord_ev *oe, const resolved *rs, gt_symtab *sym,
				    gt_event *out, gt_err *e)
{
	int64_t self = oe->g; /* events about the goroutine running them */

	switch (oe->type) {
	case EV_PROC_START:
		transition(out, GT_RES_PROC, (int64_t)oe->args[0], GT_PROC_IDLE, GT_PROC_RUNNING);
		break;
	case EV_PROC_STOP:
		transition(out, GT_RES_PROC, oe->p, GT_PROC_RUNNING, GT_PROC_IDLE);
		break;
	case EV_PROC_STEAL:
		transition(out, GT_RES_PROC, (int64_t)oe->args[0],
			   oe->aux == PSTATUS_SYSCALL_ABANDONED ? GT_PROC_IDLE : GT_PROC_RUNNING,
			   GT_PROC_IDLE);
		break;
	case EV_PROC_STATUS:
		transition(out, GT_RES_PROC, (int64_t)oe->args[0], (uint8_t)oe->aux,
			   ev_pstatus_to_state[oe->args[1]]);
		break;
	case EV_GO_CREATE:
	case EV_GO_CREATE_BLOCKED:
		transition(out, GT_RES_GOROUTINE, (int64_t)oe->args[0], GT_GO_NOT_EXIST,
			   oe->type == EV_GO_CREATE ? GT_GO_RUNNABLE : GT_GO_WAITING);
		return stack_or_empty(sym, rs->stack2, &out->transition.stack, e, oe->off);
	case EV_GO_CREATE_SYSCALL:
		transition(out, GT_RES_GOROUTINE, (int64_t)oe->args[0], GT_GO_NOT_EXIST, GT_GO_SYSCALL);
		break;
	case EV_GO_START:
		transition(out, GT_RES_GOROUTINE, (int64_t)oe->args[0], GT_GO_RUNNABLE, GT_GO_RUNNING);
		break;
	case EV_GO_DESTROY:
		transition(out, GT_RES_GOROUTINE, self, GT_GO_RUNNING, GT_GO_NOT_EXIST);
		break;
	case EV_GO_DESTROY_SYSCALL:
		transition(out, GT_RES_GOROUTINE, self, GT_GO_SYSCALL, GT_GO_NOT_EXIST);
		break;
	case EV_GO_STOP:
	case EV_GO_BLOCK:
		transition(out, GT_RES_GOROUTINE, self, GT_GO_RUNNING,
			   oe->type == EV_GO_STOP ? GT_GO_RUNNABLE : GT_GO_WAITING);
		out->transition.reason = rs->str1;
		out->transition.stack = out->stack;
		break;
	case EV_GO_UNBLOCK:
	case EV_GO_SWITCH:
	case EV_GO_SWITCH_DESTROY:
		transition(out, GT_RES_GOROUTINE, (int64_t)oe->args[0], GT_GO_WAITING, GT_GO_RUNNABLE);
		break;
	case EV_GO_SYSCALL_BEGIN:
		transition(out, GT_RES_GOROUTINE, self, GT_GO_RUNNING, GT_GO_SYSCALL);
		out->transition.stack = out->stack;
		break;
	case EV_GO_SYSCALL_END:
		transition(out, GT_RES_GOROUTINE, self, GT_GO_SYSCALL, GT_GO_RUNNING);
		break;
	case EV_GO_SYSCALL_END_BLOCKED:
		transition(out, GT_RES_GOROUTINE, self, GT_GO_SYSCALL, GT_GO_RUNNABLE);
		break;
	case EV_GO_STATUS:
	case EV_GO_STATUS_STACK:
		transition(out, GT_RES_GOROUTINE, (int64_t)oe->args[0], (uint8_t)oe->aux,
			   ev_gostatus_to_state[oe->args[2]]);
		out->transition.stack = out->stack;
		break;
	}
	return GT_OK;
}

static void publish_range(const ord_ev *oe, const resolved *rs, gt_symtab *sym,
			  char name_buf[EV_NAME_BUF], gt_event *out)
{
	gt_str kind;
	int n;

	out->range.has_attributes = 0;
	switch (oe->type) {
	case EV_STW_BEGIN:
	case EV_STW_END:
		kind = oe->type == EV_STW_BEGIN ? rs->str1 : gt_symtab_string(sym, oe->aux_str);
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

/* time.Unix(sec, nsec): nsec outside [0, 1e9) carries into sec. */
static GT_NOINLINE void publish_sync(const ord_ev *oe, const generation *gen, gt_event *out)
{
	int64_t sec, nsec;

	out->sync.n = (int)oe->args[0];
	out->sync.has_clock = oe->aux && gen && gen->has_clock;
	if (!out->sync.has_clock)
		return;
	out->sync.clock_trace = gt_ticks_to_ns(gen->freq, gen->snap_ts);
	out->sync.clock_mono = gen->snap_mono;
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
	out->sync.wall_sec = sec;
	out->sync.wall_nsec = nsec;
}

static GT_NOINLINE gt_status publish_cpu_sample(const ord_ev *oe, const generation *gen,
						gt_symtab *sym, gt_event *out, gt_err *e)
{
	uint32_t stack = GT_NO_STACK;

	/* Go does not check a sample's stack (and crashes printing a bad one);
	 * we do. */
	if (oe->args[0] && !(stack = gen_stack_id(gen, oe->args[0])))
		return missing(oe, "stack", oe->args[0], e);
	return stack_or_empty(sym, stack, &out->stack, e, oe->off);
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
static GT_NOINLINE gt_status publish_other(const ord_ev *oe, const ev_spec *sp, const resolved *rs,
			       gt_symtab *sym, char name_buf[EV_NAME_BUF], gt_event *out, gt_err *e)
{
	switch (out->kind) {
	case GT_EV_METRIC:
		out->metric.name = metric_name(oe->type);
		out->metric.value = oe->args[0];
		break;
	case GT_EV_LABEL:
		out->label.label = rs->str1;
		break;
	case GT_EV_RANGE_BEGIN:
	case GT_EV_RANGE_ACTIVE:
	case GT_EV_RANGE_END:
		publish_range(oe, rs, sym, name_buf, out);
		break;
	case GT_EV_TASK_BEGIN:
		out->task.id = oe->args[0];
		out->task.parent = oe->args[1];
		out->task.type = rs->str1;
		break;
	case GT_EV_TASK_END:
		out->task.id = oe->args[0];
		out->task.parent = oe->aux;
		out->task.type = gt_symtab_string(sym, oe->aux_str);
		break;
	case GT_EV_REGION_BEGIN:
	case GT_EV_REGION_END:
		out->region.task = oe->args[0];
		out->region.type = rs->str1;
		break;
	case GT_EV_LOG:
		out->log.task = oe->args[0];
		out->log.category = rs->str1;
		out->log.message = rs->str2;
		break;
	case GT_EV_EXPERIMENTAL:
		out->experimental.name = sp->name;
		out->experimental.experiment = "AllocFree";
		out->experimental.nargs = sp->nargs;
		out->experimental.arg_names = sp->arg_names;
		memcpy(out->experimental.args, oe->args, sizeof oe->args);
		break;
	default:
		return gt_fail(e, GT_ERR_BROKEN, oe->off, "bad event type %u", oe->type);
	}
	return GT_OK;
}

gt_status ev_publish(const ord_ev *oe, const generation *gen, gt_symtab *sym,
		     char name_buf[EV_NAME_BUF], gt_event *out, gt_err *e)
{
	const ev_spec *sp;
	resolved rs;
	gt_status st;

	out->time = oe->time;
	out->g = oe->g;
	out->p = oe->p;
	out->m = oe->m;
	out->wire_type = oe->type;
	out->stack = GT_NO_STACK;
	if (GT_UNLIKELY(oe->type == EV_READER_SYNC)) {
		out->kind = GT_EV_SYNC;
		publish_sync(oe, gen, out);
		return GT_OK;
	}
	sp = &ev_specs[oe->type];
	out->kind = sp->kind;
	if (oe->type == EV_CPU_SAMPLE)
		return publish_cpu_sample(oe, gen, sym, out, e);
	if ((st = resolve(oe, gen, &rs, e)))
		return st;
	out->stack = rs.stack;
	/* Nearly every event is a transition: a plain branch to it, not a
	 * jump through the kind switch. */
	if (GT_LIKELY(out->kind == GT_EV_STATE_TRANSITION))
		return publish_transition(oe, &rs, sym, out, e);
	return publish_other(oe, sp, &rs, sym, name_buf, out, e);
}
