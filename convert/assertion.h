/*
 * assertion.h - -assert=EXPR: a check of the report for CI jobs.
 *
 *     SUBJECT.STAT OP VALUE     sched.p99<1ms   block:sync.total<100ms
 *     mmu:WINDOW OP FRACTION    mmu:10ms>0.5
 *
 * SUBJECT: sched, stw, gc, assist, long-syscalls, block:sync|net|syscall,
 * wait:REASON, region:TYPE, task:TYPE.  STAT: count, total, p50, p90, p99,
 * p999, max.  OP: <, <=, >, >=.  VALUE: a Go duration (250ns, 1.5ms, 2s;
 * 0), or a whole number for count.  docs/report.md has the definitions.
 */
#ifndef T2P_ASSERTION_H
#define T2P_ASSERTION_H

#include <stddef.h>
#include <stdint.h>

#include "outbuf.h"

struct report;

enum { AS_LT, AS_LE, AS_GT, AS_GE };
enum { AS_COUNT, AS_TOTAL, AS_P50, AS_P90, AS_P99, AS_P999, AS_MAX, AS_MMU };

typedef struct assertion {
	const char *expr;     /* as given */
	size_t lhs;           /* the length of its left side */
	const char *value_text; /* its right side */
	char *subject;        /* "sched", "block:sync", "region:db.query", "mmu" */
	int stat, op;
	int64_t window;       /* mmu: the window, ns */
	double value;         /* ns, a count, or a fraction for mmu */
	/* After evaluation: */
	int found;            /* the subject is in the trace */
	double measured;
	int pass;
} assertion;

/* Parse expr into *a; 0, or -1 with a message naming the problem in err. */
int assertion_parse(const char *expr, assertion *a, char *err, size_t errlen);
void assertion_free(assertion *a);
/* Evaluate against the report: sets found, measured and pass. */
void assertion_eval(assertion *a, const struct report *r);
/* "sched.p99 = 812µs, want < 1ms: ok" or "...: FAILED". */
void assertion_print(outbuf *o, const assertion *a);

#endif
