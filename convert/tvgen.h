/*
 * tvgen.h - the trace viewer's generators: the views of a trace as lanes of
 * slices, instants, flows and counters, made over the event stream as it
 * comes and handed to a back end the moment each viewer event is made.
 *
 * The proc and thread views are cmd/trace's /jsontrace and
 * /jsontrace?view=thread (Go 1.27: cmd/trace/{jsontrace,gen,gstate,procgen,
 * threadgen}.go); the goroutine view is ours: a lane per goroutine, its
 * states as back-to-back slices, with cmd/trace's flows, GC ranges,
 * counters, and the user tasks and regions of its task views.  Two back
 * ends draw them: tvemit.c writes Chrome trace-event JSON (json.c), and
 * perfetto.c Perfetto's protobuf, from a proc and a goroutine generator
 * fed the same events.
 *
 * What a generator keeps is what cmd/trace's generators keep: a state per
 * live goroutine, the open ranges, the open tasks.  Every Sync is a
 * checkpoint: a damaged trace is shown up to its last one, as cmd/trace
 * shows it, the generator and its back end taking back what came after.
 *
 * Times handed to the back end are nanoseconds from the trace start (the
 * first event), and events that end before it are left out, as
 * /jsontrace's default window leaves them out; stacks are symbol table
 * stack ids (GT_NO_STACK for none).
 */
#ifndef T2P_TVGEN_H
#define T2P_TVGEN_H

#include <stddef.h>
#include <stdint.h>

#include "gotrace.h"

/* Views.  The focus view is cmd/trace's goroutine-oriented one, that of
 * /jsontrace?goid=N and ?taskid=N: made by tv_gen_set_focus, not asked
 * for by name. */
enum { T2P_VIEW_PROC, T2P_VIEW_THREAD, T2P_VIEW_GOROUTINE, T2P_VIEW_FOCUS };

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

/* The "args" of an event, one of the shapes cmd/trace uses. */
typedef enum tv_args_kind {
	TV_ARGS_NONE,
	TV_ARGS_BLOCKED,   /* {"blocked":s}: format.BlockedArg */
	TV_ARGS_SCHED,     /* {"thread":a,"proc":b}, each omitted when 0: format.SchedCtxArg */
	TV_ARGS_TASK,      /* {"id":a,"start_g":b,"end_g":c}, b and c omitempty */
	TV_ARGS_REGION,    /* {"taskid":a} */
	TV_ARGS_PLACE,     /* {"thread":a,"proc":b}, as int64, -1 for none (ours) */
	TV_ARGS_LOG,       /* a log's category and message: none in cmd/trace's JSON */
} tv_args_kind;

typedef struct tv_args {
	tv_args_kind kind;
	uint64_t a, b, c;
	const char *s;
	gt_str cat, msg;
} tv_args;

typedef struct tv_event {
	const char *name;
	size_t name_len;
	int64_t ts, dur;       /* ns from the trace start */
	uint64_t pid, tid;
	uint32_t sf, esf;      /* symbol table stacks of the start and the end */
	tv_args args;
	const char *cat;       /* NULL: none */
	const char *cname;     /* NULL: none */
	const char *scope;     /* "s" of async slices: the task id in hex */
	uint64_t task_color;   /* async slices: colour of this task id, 0 for none */
} tv_event;

/* A flow arrow (cmd/trace's Emitter.Arrow), from one lane to another. */
typedef struct tv_flow {
	uint64_t pid;
	const char *name;
	size_t name_len;
	int64_t from_ts, to_ts;
	uint64_t from_tid, to_tid;
	uint32_t stack;        /* where it comes from */
} tv_flow;

/* The counters of the STATS section, with their values in this order. */
typedef enum tv_counter {
	TV_COUNTER_GOROUTINES,  /* Running, Runnable, GCWaiting */
	TV_COUNTER_THREADS,     /* Running, InSyscall */
	TV_COUNTER_HEAP,        /* Allocated, NextGC (the distance to the goal) */
} tv_counter;

/* A back end: every call gets the ctx it was registered with.  The
 * generator calls checkpoint at each Sync, and on a damaged trace rollback,
 * to take back what was drawn after the last one (0, or -1 after saying
 * why); meta names the sections and lanes at the end. */
typedef struct tv_backend {
	void (*slice)(void *ctx, const tv_event *ev);
	void (*instant)(void *ctx, const tv_event *ev);
	void (*async_slice)(void *ctx, const tv_event *ev);   /* regions: "b" and "e" */
	void (*flow)(void *ctx, const tv_flow *f);
	void (*counter)(void *ctx, tv_counter which, int64_t ts, const int64_t *values);
	void (*process_meta)(void *ctx, uint64_t pid, const char *name, int sort);
	void (*thread_meta)(void *ctx, uint64_t pid, uint64_t tid, const char *name, size_t len,
			    int64_t sort);
	void (*checkpoint)(void *ctx);
	int (*rollback)(void *ctx);
} tv_backend;

/* A focus (cmd/trace's genOpts for a goroutine or a task), worked out
 * beforehand from the whole trace (focus.h).  Times are the trace's. */
typedef struct tv_focus_task {
	uint64_t id, parent;
	int has_parent, has_start, has_end;
	gt_str name;
	int64_t start, end;
	int64_t start_g, end_g;
	uint32_t start_stack, end_stack;
} tv_focus_task;

typedef struct tv_focus_region {
	uint64_t task;
	gt_str name;
	int has_start, has_end;
	int64_t start, end;
	int64_t g;                 /* the goroutine whose lane shows it */
	uint32_t start_stack, end_stack;
} tv_focus_region;

typedef struct tv_focus {
	int64_t from, to;          /* the window, ns from the trace's start */
	int64_t goroutine;         /* its lane goes on top */
	const int64_t *goroutines; /* the goroutines shown, sorted */
	size_t ngoroutines;
	const tv_focus_task *tasks;/* in cmd/trace's order (their lanes') */
	size_t ntasks;
	const tv_focus_region *regions; /* of those tasks */
	size_t nregions;
} tv_focus;

typedef struct tv_gen tv_gen;

/* NULL if out of memory. */
tv_gen *tv_gen_new(int view, const gt_symtab *sym, const tv_backend *be, void *ctx);
void tv_gen_free(tv_gen *g);
/* Make the generator the focus view of f (which must outlive it), before
 * the first event: only f's goroutines' lanes, only what reaches into
 * f's window, and f's tasks and their regions at the end. */
void tv_gen_set_focus(tv_gen *g, const tv_focus *f);
/* Draw only what reaches into [from, to], ns from the trace's start, as
 * cmd/trace's Emitter does with its range (-from and -to): slices that
 * begin or end in it, whole; instants, counters' changes and arrows (both
 * ends) in it.  Before the first event. */
void tv_gen_set_window(tv_gen *g, int64_t from, int64_t to);
/* Each event in order; 0, or -1 if out of memory. */
int tv_gen_event(tv_gen *g, const gt_event *ev);
/* The end of the stream: what is open ends at the last event, lanes get
 * their names.  For a damaged trace (status other than GT_END), what came
 * after the last Sync is taken back first.  0, or -1 after saying why. */
int tv_gen_finish(tv_gen *g, gt_status status);
/* The names of the sections and lanes so far (what the end gives them), and
 * a number that changes when they do: a split timeline names its lanes in
 * each part.  The goroutine view names a goroutine's lane when it ends. */
void tv_gen_metadata(tv_gen *g);
uint64_t tv_gen_lanes_version(const tv_gen *g);
/* Goroutine events on which cmd/trace would panic; their slices are left out. */
uint64_t tv_gen_broken(const tv_gen *g);

/* The colour of task id's slices (traceviewer.pickTaskColor). */
const char *tv_task_color(uint64_t id);

/* cmd/trace's name of a live goroutine ("G12 main.worker (label)"), valid
 * until the next call into the generator; and the symbol table string id
 * of its start function (gsum's name), 0 if not known yet.  -1 if the
 * goroutine is not live.  name and len NULL: whether it lives, and is
 * named, without the cost of its name; func NULL: not asked for. */
int tv_gen_goroutine(tv_gen *g, int64_t id, const char **name, size_t *len, uint32_t *func);

#endif
