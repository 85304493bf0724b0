/*
 * events.h - the Go 1.22+ wire event table (internal/trace/tracev2/events.go).
 *
 * Numbering is the same in every version; later versions only append, and
 * Go's reader decodes every file with the full table whatever its header says.
 * Argument indices here count from the first argument after the time delta,
 * which is how the decoder stores them.
 */
#ifndef GT_EVENTS_H
#define GT_EVENTS_H

#include <stdint.h>

#include "gotrace.h"

enum {
	EV_NONE = 0, EV_EVENT_BATCH, EV_STACKS, EV_STACK, EV_STRINGS, EV_STRING,
	EV_CPU_SAMPLES, EV_CPU_SAMPLE, EV_FREQUENCY, EV_PROCS_CHANGE, EV_PROC_START,
	EV_PROC_STOP, EV_PROC_STEAL, EV_PROC_STATUS, EV_GO_CREATE, EV_GO_CREATE_SYSCALL,
	EV_GO_START, EV_GO_DESTROY, EV_GO_DESTROY_SYSCALL, EV_GO_STOP, EV_GO_BLOCK,
	EV_GO_UNBLOCK, EV_GO_SYSCALL_BEGIN, EV_GO_SYSCALL_END, EV_GO_SYSCALL_END_BLOCKED,
	EV_GO_STATUS, EV_STW_BEGIN, EV_STW_END, EV_GC_ACTIVE, EV_GC_BEGIN, EV_GC_END,
	EV_GC_SWEEP_ACTIVE, EV_GC_SWEEP_BEGIN, EV_GC_SWEEP_END, EV_GC_MARK_ASSIST_ACTIVE,
	EV_GC_MARK_ASSIST_BEGIN, EV_GC_MARK_ASSIST_END, EV_HEAP_ALLOC, EV_HEAP_GOAL,
	EV_GO_LABEL, EV_USER_TASK_BEGIN, EV_USER_TASK_END, EV_USER_REGION_BEGIN,
	EV_USER_REGION_END, EV_USER_LOG, EV_GO_SWITCH, EV_GO_SWITCH_DESTROY,
	EV_GO_CREATE_BLOCKED, EV_GO_STATUS_STACK, EV_EXPERIMENTAL_BATCH, EV_SYNC,
	EV_CLOCK_SNAPSHOT, EV_END_OF_GENERATION,

	EV_MAX_EVENT = 127,   /* experimental events follow */
	EV_SPAN, EV_SPAN_ALLOC, EV_SPAN_FREE, EV_HEAP_OBJECT, EV_HEAP_OBJECT_ALLOC,
	EV_HEAP_OBJECT_FREE, EV_GOROUTINE_STACK, EV_GOROUTINE_STACK_ALLOC,
	EV_GOROUTINE_STACK_FREE,
	EV_TABLE_SIZE,        /* 137: types at or above are invalid */

	/* Not on the wire: the reader's own Sync event (Go's evSync). */
	EV_READER_SYNC = 255,
};

/* Trace format versions (the N of "go 1.N trace"). */
enum { GO111 = 11, GO119 = 19, GO121 = 21, GO122 = 22, GO123 = 23, GO125 = 25, GO126 = 26 };

/* Go 1.22+ wire statuses. */
enum { GOSTATUS_BAD, GOSTATUS_RUNNABLE, GOSTATUS_RUNNING, GOSTATUS_SYSCALL, GOSTATUS_WAITING };
enum { PSTATUS_BAD, PSTATUS_RUNNING, PSTATUS_IDLE, PSTATUS_SYSCALL, PSTATUS_SYSCALL_ABANDONED };

typedef struct ev_spec {
	const char *name;
	const char *const *arg_names; /* names of the args after dt */
	uint8_t nargs;        /* args after the time delta */
	uint8_t timed;        /* may appear in an event batch */
	int8_t stack;         /* arg holding the event's stack, -1 if none */
	int8_t stack2;        /* a second stack arg (GoCreate's new_stack), -1 */
	int8_t str1, str2;    /* args holding string ids, -1 if none */
	uint8_t start_ev;     /* for the end of a range: the type that begins it */
	uint8_t experiment;   /* 0, or the experiment the event belongs to */
	gt_kind kind;         /* what the reader surfaces it as */
} ev_spec;

extern const ev_spec ev_specs[EV_TABLE_SIZE];

/* How many types the table of a version has (Go's len(Version.Specs())):
 * 0 before Go 1.22. */
unsigned ev_table_len(int version);

/* The name Go's errors use for a type in a version's table ("Invalid(N)"
 * beyond it).  buf must hold 32 bytes. */
const char *ev_name(int version, unsigned type, char *buf);

/* Wire status -> public state (tracev2GoStatus2GoState & co.). */
extern const uint8_t ev_gostatus_to_state[5];
extern const uint8_t ev_pstatus_to_state[5];
extern const char *const ev_gostatus_names[5];
extern const char *const ev_pstatus_names[5];

#endif
