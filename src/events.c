/*
 * events.c - the wire event table (see events.h) and the names Go prints.
 */
#include <stdio.h>

#include "events.h"

#define A(...) ((const char *const[]){ __VA_ARGS__ })
#define T(nm, n, st, st2, s1, s2, sev, k, ...) \
	{ nm, A(__VA_ARGS__), n, 1, st, st2, s1, s2, sev, 0, k }
#define X(nm, n, ...) \
	{ nm, A(__VA_ARGS__), n, 1, -1, -1, -1, -1, 0, 1, GT_EV_EXPERIMENTAL }
#define S(nm) { nm, A(""), 0, 0, -1, -1, -1, -1, 0, 0, GT_EV_BAD }

const ev_spec ev_specs[EV_TABLE_SIZE] = {
	[EV_EVENT_BATCH] = S("EventBatch"),
	[EV_STACKS] = S("Stacks"),
	[EV_STACK] = S("Stack"),
	[EV_STRINGS] = S("Strings"),
	[EV_STRING] = S("String"),
	[EV_CPU_SAMPLES] = S("CPUSamples"),
	[EV_CPU_SAMPLE] = { "CPUSample", A("m", "p", "g", "stack"), 4, 0, 3, -1, -1, -1, 0, 0,
			    GT_EV_STACK_SAMPLE },
	[EV_FREQUENCY] = S("Frequency"),
	[EV_PROCS_CHANGE] = T("ProcsChange", 2, 1, -1, -1, -1, 0, GT_EV_METRIC, "procs_value", "stack"),
	[EV_PROC_START] = T("ProcStart", 2, -1, -1, -1, -1, 0, GT_EV_STATE_TRANSITION, "p", "p_seq"),
	[EV_PROC_STOP] = T("ProcStop", 0, -1, -1, -1, -1, 0, GT_EV_STATE_TRANSITION, ""),
	[EV_PROC_STEAL] = T("ProcSteal", 3, -1, -1, -1, -1, 0, GT_EV_STATE_TRANSITION, "p", "p_seq", "m"),
	[EV_PROC_STATUS] = T("ProcStatus", 2, -1, -1, -1, -1, 0, GT_EV_STATE_TRANSITION, "p", "pstatus"),
	[EV_GO_CREATE] = T("GoCreate", 3, 2, 1, -1, -1, 0, GT_EV_STATE_TRANSITION, "new_g", "new_stack", "stack"),
	[EV_GO_CREATE_SYSCALL] = T("GoCreateSyscall", 1, -1, -1, -1, -1, 0, GT_EV_STATE_TRANSITION, "new_g"),
	[EV_GO_START] = T("GoStart", 2, -1, -1, -1, -1, 0, GT_EV_STATE_TRANSITION, "g", "g_seq"),
	[EV_GO_DESTROY] = T("GoDestroy", 0, -1, -1, -1, -1, 0, GT_EV_STATE_TRANSITION, ""),
	[EV_GO_DESTROY_SYSCALL] = T("GoDestroySyscall", 0, -1, -1, -1, -1, 0, GT_EV_STATE_TRANSITION, ""),
	[EV_GO_STOP] = T("GoStop", 2, 1, -1, 0, -1, 0, GT_EV_STATE_TRANSITION, "reason_string", "stack"),
	[EV_GO_BLOCK] = T("GoBlock", 2, 1, -1, 0, -1, 0, GT_EV_STATE_TRANSITION, "reason_string", "stack"),
	[EV_GO_UNBLOCK] = T("GoUnblock", 3, 2, -1, -1, -1, 0, GT_EV_STATE_TRANSITION, "g", "g_seq", "stack"),
	[EV_GO_SYSCALL_BEGIN] = T("GoSyscallBegin", 2, 1, -1, -1, -1, 0, GT_EV_STATE_TRANSITION, "p_seq", "stack"),
	[EV_GO_SYSCALL_END] = T("GoSyscallEnd", 0, -1, -1, -1, -1, EV_GO_SYSCALL_BEGIN,
				GT_EV_STATE_TRANSITION, ""),
	[EV_GO_SYSCALL_END_BLOCKED] = T("GoSyscallEndBlocked", 0, -1, -1, -1, -1, EV_GO_SYSCALL_BEGIN,
					GT_EV_STATE_TRANSITION, ""),
	[EV_GO_STATUS] = T("GoStatus", 3, -1, -1, -1, -1, 0, GT_EV_STATE_TRANSITION, "g", "m", "gstatus"),
	[EV_STW_BEGIN] = T("STWBegin", 2, 1, -1, 0, -1, 0, GT_EV_RANGE_BEGIN, "kind_string", "stack"),
	[EV_STW_END] = T("STWEnd", 0, -1, -1, -1, -1, EV_STW_BEGIN, GT_EV_RANGE_END, ""),
	[EV_GC_ACTIVE] = T("GCActive", 1, -1, -1, -1, -1, EV_GC_BEGIN, GT_EV_RANGE_ACTIVE, "gc_seq"),
	[EV_GC_BEGIN] = T("GCBegin", 2, 1, -1, -1, -1, 0, GT_EV_RANGE_BEGIN, "gc_seq", "stack"),
	[EV_GC_END] = T("GCEnd", 1, -1, -1, -1, -1, EV_GC_BEGIN, GT_EV_RANGE_END, "gc_seq"),
	[EV_GC_SWEEP_ACTIVE] = T("GCSweepActive", 1, -1, -1, -1, -1, EV_GC_SWEEP_BEGIN,
				 GT_EV_RANGE_ACTIVE, "p"),
	[EV_GC_SWEEP_BEGIN] = T("GCSweepBegin", 1, 0, -1, -1, -1, 0, GT_EV_RANGE_BEGIN, "stack"),
	[EV_GC_SWEEP_END] = T("GCSweepEnd", 2, -1, -1, -1, -1, EV_GC_SWEEP_BEGIN, GT_EV_RANGE_END,
			      "swept_value", "reclaimed_value"),
	[EV_GC_MARK_ASSIST_ACTIVE] = T("GCMarkAssistActive", 1, -1, -1, -1, -1, EV_GC_MARK_ASSIST_BEGIN,
				       GT_EV_RANGE_ACTIVE, "g"),
	[EV_GC_MARK_ASSIST_BEGIN] = T("GCMarkAssistBegin", 1, 0, -1, -1, -1, 0, GT_EV_RANGE_BEGIN, "stack"),
	[EV_GC_MARK_ASSIST_END] = T("GCMarkAssistEnd", 0, -1, -1, -1, -1, EV_GC_MARK_ASSIST_BEGIN,
				    GT_EV_RANGE_END, ""),
	[EV_HEAP_ALLOC] = T("HeapAlloc", 1, -1, -1, -1, -1, 0, GT_EV_METRIC, "heapalloc_value"),
	[EV_HEAP_GOAL] = T("HeapGoal", 1, -1, -1, -1, -1, 0, GT_EV_METRIC, "heapgoal_value"),
	[EV_GO_LABEL] = T("GoLabel", 1, -1, -1, 0, -1, 0, GT_EV_LABEL, "label_string"),
	[EV_USER_TASK_BEGIN] = T("UserTaskBegin", 4, 3, -1, 2, -1, 0, GT_EV_TASK_BEGIN, "task",
				 "parent_task", "name_string", "stack"),
	[EV_USER_TASK_END] = T("UserTaskEnd", 2, 1, -1, -1, -1, 0, GT_EV_TASK_END, "task", "stack"),
	[EV_USER_REGION_BEGIN] = T("UserRegionBegin", 3, 2, -1, 1, -1, 0, GT_EV_REGION_BEGIN, "task",
				   "name_string", "stack"),
	[EV_USER_REGION_END] = T("UserRegionEnd", 3, 2, -1, 1, -1, EV_USER_REGION_BEGIN,
				 GT_EV_REGION_END, "task", "name_string", "stack"),
	[EV_USER_LOG] = T("UserLog", 4, 3, -1, 1, 2, 0, GT_EV_LOG, "task", "key_string",
			  "value_string", "stack"),
	[EV_GO_SWITCH] = T("GoSwitch", 2, -1, -1, -1, -1, 0, GT_EV_STATE_TRANSITION, "g", "g_seq"),
	[EV_GO_SWITCH_DESTROY] = T("GoSwitchDestroy", 2, -1, -1, -1, -1, 0, GT_EV_STATE_TRANSITION,
				   "g", "g_seq"),
	[EV_GO_CREATE_BLOCKED] = T("GoCreateBlocked", 3, 2, 1, -1, -1, 0, GT_EV_STATE_TRANSITION,
				   "new_g", "new_stack", "stack"),
	[EV_GO_STATUS_STACK] = T("GoStatusStack", 4, 3, -1, -1, -1, 0, GT_EV_STATE_TRANSITION, "g",
				 "m", "gstatus", "stack"),
	[EV_EXPERIMENTAL_BATCH] = S("ExperimentalBatch"),
	[EV_SYNC] = S("Sync"),
	/* Timed in the table, so it decodes inside an event batch; the
	 * ordering step then rejects it, as Go's does. */
	[EV_CLOCK_SNAPSHOT] = T("ClockSnapshot", 3, -1, -1, -1, -1, 0, GT_EV_BAD, "mono", "sec", "nsec"),
	[EV_END_OF_GENERATION] = S("EndOfGeneration"),

	[EV_SPAN] = X("Span", 3, "id", "npages_value", "kindclass"),
	[EV_SPAN_ALLOC] = X("SpanAlloc", 3, "id", "npages_value", "kindclass"),
	[EV_SPAN_FREE] = X("SpanFree", 1, "id"),
	[EV_HEAP_OBJECT] = X("HeapObject", 2, "id", "type"),
	[EV_HEAP_OBJECT_ALLOC] = X("HeapObjectAlloc", 2, "id", "type"),
	[EV_HEAP_OBJECT_FREE] = X("HeapObjectFree", 1, "id"),
	[EV_GOROUTINE_STACK] = X("GoroutineStack", 2, "id", "order"),
	[EV_GOROUTINE_STACK_ALLOC] = X("GoroutineStackAlloc", 2, "id", "order"),
	[EV_GOROUTINE_STACK_FREE] = X("GoroutineStackFree", 1, "id"),
};

unsigned ev_table_len(int version)
{
	/* Each version's table ends at the last event it introduced
	 * (internal/trace/version/version.go); before 1.22 there is none. */
	return version >= GO126   ? EV_TABLE_SIZE
	       : version >= GO125 ? EV_CLOCK_SNAPSHOT + 1
	       : version >= GO123 ? EV_EXPERIMENTAL_BATCH + 1
	       : version >= GO122 ? EV_USER_LOG + 1
				  : 0;
}

const char *ev_name(int version, unsigned type, char *buf)
{
	if (type < ev_table_len(version) && ev_specs[type].name)
		return ev_specs[type].name;
	snprintf(buf, 32, "Invalid(%u)", type);
	return buf;
}

const uint8_t ev_gostatus_to_state[5] = {
	[GOSTATUS_RUNNABLE] = GT_GO_RUNNABLE, [GOSTATUS_RUNNING] = GT_GO_RUNNING,
	[GOSTATUS_SYSCALL] = GT_GO_SYSCALL, [GOSTATUS_WAITING] = GT_GO_WAITING,
};

/* A P in a syscall is still "running" to the reader's users. */
const uint8_t ev_pstatus_to_state[5] = {
	[PSTATUS_RUNNING] = GT_PROC_RUNNING, [PSTATUS_IDLE] = GT_PROC_IDLE,
	[PSTATUS_SYSCALL] = GT_PROC_RUNNING, [PSTATUS_SYSCALL_ABANDONED] = GT_PROC_IDLE,
};

const char *const ev_gostatus_names[5] = { "Bad", "Runnable", "Running", "Syscall", "Waiting" };
const char *const ev_pstatus_names[5] = { "Bad", "Running", "Idle", "Syscall", "SyscallAbandoned" };

const char *gt_kind_name(gt_kind k)
{
	static const char *const names[] = {
		"Bad", "Sync", "Metric", "Label", "StackSample", "RangeBegin", "RangeActive",
		"RangeEnd", "TaskBegin", "TaskEnd", "RegionBegin", "RegionEnd", "Log",
		"StateTransition", "Experimental",
	};

	return (unsigned)k < sizeof names / sizeof *names ? names[k] : names[0];
}

const char *gt_go_state_name(uint8_t s)
{
	static const char *const names[] = { "Undetermined", "NotExist", "Runnable",
					     "Running", "Waiting", "Syscall" };

	return s < 6 ? names[s] : "Bad";
}

const char *gt_proc_state_name(uint8_t s)
{
	static const char *const names[] = { "Undetermined", "NotExist", "Running", "Idle" };

	return s < 4 ? names[s] : "Bad";
}

const char *gt_resource_name(gt_resource r)
{
	static const char *const names[] = { "None", "Goroutine", "Proc", "Thread" };

	return (unsigned)r < 4 ? names[r] : "Bad";
}
