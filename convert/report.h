/*
 * report.h - what trace2pprof -report measures, shared by the sink that
 * measures it (report.c), the writers (reporttext.c, reportjson.c) and the
 * assertions (assertion.c).  Definitions: docs/report.md.
 */
#ifndef T2P_REPORT_H
#define T2P_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "dist.h"
#include "gotrace.h"
#include "mmu.h"
#include "outbuf.h"
#include "strtab.h"
#include "summary.h"

/* Time charged to the stack of the event that began it. */
typedef struct rep_site {
	uint32_t stack;
	uint64_t count;
	int64_t total;
} rep_site;

/* A distribution and the stacks it came from. */
typedef struct rep_stat {
	dist d;
	rep_site *sites;
	size_t nsites, capsites;
	void *by_stack;     /* u64map: stack -> index into sites + 1 */
} rep_stat;

/* A wait reason with its blocked intervals. */
typedef struct rep_reason {
	uint32_t name;      /* in the report's strtab */
	int kind;           /* REP_BLOCK_SYNC or _NET, or -1 */
	rep_stat st;
} rep_reason;

typedef struct rep_goroutine {
	int64_t id;
	gsum_str name;
	int64_t total, exec, sched_wait, syscall, syscall_block, unknown;
	gsum_named *block, *ranges;
	size_t nblock, nranges;
} rep_goroutine;

/* cmd/trace's /userregions row: regions by type and the outermost frame
 * of their start stack. */
typedef struct rep_region_type {
	gsum_str type;
	uint64_t pc;
	uint32_t stack;     /* a start stack with that frame, GT_NO_STACK if none */
	dist d;             /* every region's duration (Histogram.Count is the count) */
} rep_region_type;

/* cmd/trace's /usertasks row. */
typedef struct rep_task_type {
	gsum_str type;
	uint64_t count;     /* complete and not */
	dist d;             /* durations of the complete ones */
} rep_task_type;

enum { REP_BLOCK_SYNC, REP_BLOCK_NET, REP_BLOCK_SYSCALL, REP_NBLOCK };
extern const char *const rep_block_names[REP_NBLOCK];

enum { REP_WORKER_DEDICATED, REP_WORKER_FRACTIONAL, REP_WORKER_IDLE, REP_NWORKER };
extern const char *const rep_worker_names[REP_NWORKER];

#define REP_MMU_WINDOWS 4
extern const int64_t rep_mmu_windows[REP_MMU_WINDOWS];

typedef struct rep_gomaxprocs {
	int64_t time;
	uint64_t value;
} rep_gomaxprocs;

/* Scheduler latency classes (by the p99 of sched). */
const char *rep_sched_class(int64_t p99);

typedef struct report {
	const char *trace;          /* its path, for the title */
	int version;                /* gt_reader_version */
	const gt_symtab *sym;
	const gsum *sum;
	int damaged;

	int64_t start, end;         /* first and last event */
	uint64_t events, goroutines_created;
	rep_gomaxprocs *gomaxprocs; /* its changes, at most REP_MAX_GOMAXPROCS */
	size_t ngomaxprocs;
	uint64_t gomaxprocs_changes;/* all of them */
	double procs_time;          /* integral of GOMAXPROCS over time, ns */
	int64_t *busy;              /* per P: ns with a goroutine running on it */
	size_t nbusy;

	rep_stat sched;
	rep_stat block[REP_NBLOCK];
	rep_reason *reasons;
	size_t nreasons;
	rep_stat long_syscalls;     /* >= 1ms, holding a P while others were runnable */

	uint64_t gc_cycles;
	rep_stat gc_mark;           /* the concurrent mark phases */
	rep_stat stw;               /* every stop-the-world range */
	uint64_t stw_over_1ms;
	rep_stat assist;            /* mark assist ranges */
	int64_t worker_ns[REP_NWORKER];
	int have_mmu;
	double mmu[REP_MMU_WINDOWS];
	unsigned mmu_flags;

	rep_goroutine *gs;          /* every goroutine, in order of id */
	size_t ngs;
	rep_region_type *regions;
	size_t nregions;
	rep_task_type *tasks;
	size_t ntasks;

	strtab names;               /* wait reasons and range names */
} report;

#define REP_MAX_GOMAXPROCS 64
#define REP_TOP_SITES 5
#define REP_LONG_SYSCALL 1000000

/* Top sites of a stat by total, into out (up to n); their count. */
size_t rep_top_sites(const rep_stat *st, rep_site *out, size_t n);

/* A duration for reading: 3 significant digits, Go's unit names (812ns,
 * 1.23µs, 45.6ms, 2.00s). */
void rep_duration(outbuf *o, int64_t ns);

/* cmd/trace's goroutine groups: goroutines by start function, with their
 * times summed; most execution first.  NULL if out of memory. */
typedef struct rep_group {
	gsum_str name;
	uint64_t count;
	rep_goroutine sum;          /* id unused; block and ranges merged by name */
	size_t capblock, capranges;
} rep_group;
rep_group *rep_groups(const report *r, size_t *n);
void rep_groups_free(rep_group *g, size_t n);

/* The text and JSON forms of the report, with the assertions' results. */
struct assertion;
void rep_write_text(outbuf *o, const report *r, const struct assertion *as, size_t nas);
void rep_write_json(outbuf *o, const report *r, const struct assertion *as, size_t nas);

#endif
