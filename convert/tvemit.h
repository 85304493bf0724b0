/*
 * tvemit.h - the trace viewer's event writer: Go's traceviewer.Emitter and
 * ViewerDataTraceConsumer (internal/trace/traceviewer/emitter.go) in one,
 * writing each event the moment it is emitted.  Only the stack-frame tree
 * is kept until the end, where "stackFrames" lists the frames that the
 * written events use.
 *
 * Times are nanoseconds relative to the trace start; they are written as
 * microseconds.  Every event is written as cmd/trace writes it with
 * /jsontrace's default window [0, MaxInt64]: an event before the start is
 * dropped, as there.
 */
#ifndef T2P_TVEMIT_H
#define T2P_TVEMIT_H

#include <stddef.h>
#include <stdint.h>

#include "gotrace.h"
#include "outbuf.h"
#include "u64map.h"

/* Sections (pids) and the special lanes of the first (traceviewer.GCP &c). */
enum { TV_PROCS = 0, TV_STATS = 1, TV_TASKS = 2 };
#define TV_TIMERS_LANE 1000001u
#define TV_NETWORK_LANE 1000002u
#define TV_SYSCALLS_LANE 1000003u
#define TV_GC_LANE 1000004u

/* Goroutine states as the Goroutines counter counts them (traceviewer.GState). */
typedef enum tv_gstate { TV_G_DEAD, TV_G_RUNNABLE, TV_G_RUNNING, TV_G_WAITING, TV_G_WAITING_GC,
			 TV_G_NSTATES } tv_gstate;

/* A growable byte string owned by whoever holds it; kept allocated when
 * emptied, so reused strings cost no allocation. */
typedef struct tv_buf {
	char *p;
	size_t len, cap;
} tv_buf;

int tv_buf_set(tv_buf *b, const char *p, size_t len);   /* 0, or -1 if out of memory */
int tv_buf_add(tv_buf *b, const char *p, size_t len);
void tv_buf_free(tv_buf *b);

/* The "args" object of an event, one of the shapes cmd/trace uses. */
typedef enum tv_args_kind {
	TV_ARGS_NONE,
	TV_ARGS_BLOCKED,   /* {"blocked":s}: format.BlockedArg */
	TV_ARGS_SCHED,     /* {"thread":a,"proc":b}, each omitted when 0: format.SchedCtxArg */
	TV_ARGS_TASK,      /* {"id":a,"start_g":b,"end_g":c}, b and c omitempty */
	TV_ARGS_REGION,    /* {"taskid":a} */
	TV_ARGS_PLACE,     /* {"thread":a,"proc":b}, as int64, -1 for none (ours) */
} tv_args_kind;

typedef struct tv_args {
	tv_args_kind kind;
	uint64_t a, b, c;
	const char *s;
} tv_args;

typedef struct tv_event {
	const char *name;
	size_t name_len;
	int64_t ts, dur;       /* ns from the trace start */
	uint64_t pid, tid;
	uint32_t sf, esf;      /* viewer stack ids from tv_stack(), 0 for none */
	tv_args args;
	const char *cat;       /* NULL: none */
	const char *cname;     /* NULL: none */
	const char *scope;     /* "s" of async slices: the task id in hex */
	uint64_t task_color;   /* async slices: colour of this task id, 0 for none */
} tv_event;

typedef struct tv_frame tv_frame;

/* The emitter's counts: what a checkpoint saves. */
typedef struct tv_counts {
	uint64_t written;
	uint64_t arrow_seq, async_seq;
	int64_t gstates[TV_G_NSTATES], prev_gstates[TV_G_NSTATES];
	int64_t threads_running, prev_threads_running;
	uint64_t heap_alloc, next_gc, prev_heap_alloc, prev_next_gc;
} tv_counts;

typedef struct tv_emitter {
	outbuf *o;
	const gt_symtab *sym;
	int oom;
	tv_counts c, saved;
	tv_frame *frames;      /* frames[id - 1] */
	size_t nframes, capframes;
	u64map children;       /* hash of (parent, pc) -> first frame id with it */
	u64map by_stack;       /* symbol table stack id -> leaf frame id */
	uint32_t *required;    /* frames first used since the checkpoint */
	size_t nrequired, caprequired;
} tv_emitter;

/* Start the document. */
void tv_init(tv_emitter *e, outbuf *o, const gt_symtab *sym);
/* Finish it: the stack frames that written events use, and the closing. */
void tv_close(tv_emitter *e);
void tv_free(tv_emitter *e);

/* A damaged trace's last generation is left out, as cmd/trace leaves out
 * what follows the last Sync: the caller takes back the bytes written since
 * the checkpoint, and tv_rollback the counts and the frames they used. */
void tv_checkpoint(tv_emitter *e);
void tv_rollback(tv_emitter *e);

/* The viewer id of a symbol table stack: its leaf in the frame tree, grown
 * as traceviewer's Emitter.Stack grows it (ids in order of first use). */
uint32_t tv_stack(tv_emitter *e, uint32_t stack);

/* Emitter.Slice / TaskSlice, Instant, Arrow / TaskArrow, AsyncSlice. */
void tv_slice(tv_emitter *e, const tv_event *ev);
void tv_instant(tv_emitter *e, const tv_event *ev);
void tv_arrow(tv_emitter *e, uint64_t pid, const char *name, size_t name_len, int64_t from_ts,
	      uint64_t from_tid, uint32_t from_sf, int64_t to_ts, uint64_t to_tid);
void tv_async_slice(tv_emitter *e, const tv_event *ev);

/* The colour of task id's slices (traceviewer.pickTaskColor). */
const char *tv_task_color(uint64_t id);

/* Counters, written when their values change. */
void tv_goroutine_transition(tv_emitter *e, int64_t ts, tv_gstate from, tv_gstate to);
void tv_threads_running(tv_emitter *e, int64_t ts, int delta);
void tv_heap_alloc(tv_emitter *e, int64_t ts, uint64_t v);
void tv_heap_goal(tv_emitter *e, int64_t ts, uint64_t v);

/* Metadata events (ph "M"). */
void tv_process_meta(tv_emitter *e, uint64_t pid, const char *name, int sort);
void tv_thread_meta(tv_emitter *e, uint64_t pid, uint64_t tid, const char *name, size_t len,
		    int64_t sort);

#endif
