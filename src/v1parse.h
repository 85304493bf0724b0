/*
 * v1parse.h - parse a Go 1.11-1.21 trace into its ordered events, as Go's
 * internal/trace/internal/tracev1 package does.  These traces have no
 * generations: the whole file is read and ordered at once, as Go does.
 */
#ifndef GT_V1PARSE_H
#define GT_V1PARSE_H

#include "generation.h"

enum {
	V1_NONE, V1_BATCH, V1_FREQUENCY, V1_STACK, V1_GOMAXPROCS, V1_PROC_START, V1_PROC_STOP,
	V1_GC_START, V1_GC_DONE, V1_STW_START, V1_STW_DONE, V1_GC_SWEEP_START, V1_GC_SWEEP_DONE,
	V1_GO_CREATE, V1_GO_START, V1_GO_END, V1_GO_STOP, V1_GO_SCHED, V1_GO_PREEMPT, V1_GO_SLEEP,
	V1_GO_BLOCK, V1_GO_UNBLOCK, V1_GO_BLOCK_SEND, V1_GO_BLOCK_RECV, V1_GO_BLOCK_SELECT,
	V1_GO_BLOCK_SYNC, V1_GO_BLOCK_COND, V1_GO_BLOCK_NET, V1_GO_SYSCALL, V1_GO_SYS_EXIT,
	V1_GO_SYS_BLOCK, V1_GO_WAITING, V1_GO_IN_SYSCALL, V1_HEAP_ALLOC, V1_HEAP_GOAL,
	V1_TIMER_GOROUTINE, V1_FUTILE_WAKEUP, V1_STRING, V1_GO_START_LOCAL, V1_GO_UNBLOCK_LOCAL,
	V1_GO_SYS_EXIT_LOCAL, V1_GO_START_LABEL, V1_GO_BLOCK_GC, V1_GC_MARK_ASSIST_START,
	V1_GC_MARK_ASSIST_DONE, V1_USER_TASK_CREATE, V1_USER_TASK_END, V1_USER_REGION,
	V1_USER_LOG, V1_CPU_SAMPLE, V1_COUNT
};

/* Pseudo-Ps of the old format. */
enum { V1_FAKE_P = 1000000, V1_TIMER_P, V1_NETPOLL_P, V1_SYSCALL_P, V1_GC_P, V1_PROFILE_P };

/* 56 bytes: a trace before Go 1.22 is held whole, as these. */
typedef struct v1_event {
	int64_t ts;          /* ns since the first event, once parsed */
	uint64_t g;          /* goroutine the event happened on */
	uint64_t args[3];    /* no event has more: parse_event checks the count */
	uint32_t stk;
	int32_t p;
	uint32_t str;        /* UserLog: its message's index in inline_strs */
	uint8_t type;
} v1_event;

typedef struct v1_trace {
	v1_event *events;
	size_t n;
	uint64_t max_string_id;
	/* UserLog messages, in the trace's bytes; an event's str indexes them. */
	gt_str *inline_strs;
	size_t ninline;
} v1_trace;

/* Parse data (which must outlive the trace and tab: strings point into it).
 * Strings, stacks and frames go into tab. */
gt_status v1_parse(v1_trace *t, generation *tab, const uint8_t *data, size_t len, int version,
		   gt_err *e);
void v1_free(v1_trace *t);

/* Whether an old event type carries a stack. */
int v1_has_stack(uint8_t type);

/* The STW reason of an STWStart's kind argument (tracev1 Trace.STWReason). */
int v1_stw_reason(int version, uint64_t kind);

#endif
