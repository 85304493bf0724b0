/*
 * assertion.c - -assert=EXPR (assertion.h): parsed before the trace is read, so
 * that a malformed one is a usage error; evaluated on the finished report.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assertion.h"
#include "goformat.h"
#include "report.h"

static const char *const stat_names[] = { "count", "total", "p50", "p90", "p99", "p999", "max" };
static const char *const op_names[] = { "<", "<=", ">", ">=" };
static const char *const plain_subjects[] = { "sched", "stw", "gc", "assist", "long-syscalls" };

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

int assertion_parse(const char *expr, assertion *a, char *err, size_t errlen)
{
	const char *op = strpbrk(expr, "<>"), *value, *dot;
	size_t lhs;
	int k;

	memset(a, 0, sizeof *a);
	a->expr = expr;
	if (!op)
		return fail(err, errlen, "invalid -assert %s: no comparison (<, <=, > or >=)", expr);
	lhs = (size_t)(op - expr);
	a->op = (*op == '<' ? AS_LT : AS_GT) + (op[1] == '=');
	value = op + 1 + (op[1] == '=');
	a->lhs = lhs;
	a->value_text = value;
	if (!*value)
		return fail(err, errlen, "invalid -assert %s: nothing to compare with", expr);
	if (!strncmp(expr, "mmu:", 4)) {
		char *win = strndup(expr + 4, lhs - 4), *end;

		if (!win)
			return fail(err, errlen, "out of memory");
		if (go_parse_duration(win, &a->window) || a->window <= 0) {
			fail(err, errlen, "invalid -assert %s: bad MMU window %s (want a duration such "
			     "as 10ms)", expr, win);
			free(win);
			return -1;
		}
		free(win);
		a->stat = AS_MMU;
		errno = 0;
		a->value = strtod(value, &end);
		if (errno || *end || end == value || !(a->value >= 0 && a->value <= 1))
			return fail(err, errlen, "invalid -assert %s: bad utilization %s (want a "
				    "fraction from 0 to 1)", expr, value);
		if (!(a->subject = strdup("mmu")))
			return fail(err, errlen, "out of memory");
		return 0;
	}
	/* The statistic follows the last dot: region types may hold dots. */
	for (dot = op; dot > expr && dot[-1] != '.'; dot--)
		;
	if (dot == expr)
		return fail(err, errlen, "invalid -assert %s: want SUBJECT.STAT (such as sched.p99) "
			    "or mmu:WINDOW", expr);
	for (k = 0; k < AS_MMU; k++)
		if (strlen(stat_names[k]) == (size_t)(op - dot) && !strncmp(dot, stat_names[k], (size_t)(op - dot)))
			break;
	if (k == AS_MMU)
		return fail(err, errlen, "invalid -assert %s: unknown statistic %.*s (want count, "
			    "total, p50, p90, p99, p999 or max)", expr, (int)(op - dot), dot);
	a->stat = k;
	if (!(a->subject = strndup(expr, (size_t)(dot - 1 - expr))))
		return fail(err, errlen, "out of memory");
	{
		int known = 0;

		for (size_t i = 0; i < sizeof plain_subjects / sizeof *plain_subjects; i++)
			known |= !strcmp(a->subject, plain_subjects[i]);
		if (!strncmp(a->subject, "block:", 6))
			for (int i = 0; i < REP_NBLOCK; i++)
				known |= !strcmp(a->subject + 6, rep_block_names[i]);
		known |= (!strncmp(a->subject, "wait:", 5) || !strncmp(a->subject, "region:", 7) ||
			  !strncmp(a->subject, "task:", 5));
		if (!known) {
			fail(err, errlen, "invalid -assert %s: unknown subject %s (want sched, stw, gc, "
			     "assist, long-syscalls, block:sync|net|syscall, wait:REASON, "
			     "region:TYPE, task:TYPE or mmu:WINDOW)", expr, a->subject);
			assertion_free(a);
			return -1;
		}
	}
	if (a->stat == AS_COUNT) {
		char *end;
		unsigned long long n;

		errno = 0;
		n = strtoull(value, &end, 10);
		if (errno || *end || end == value || *value == '-' || *value == '+') {
			fail(err, errlen, "invalid -assert %s: bad count %s (want a whole number)", expr,
			     value);
			assertion_free(a);
			return -1;
		}
		a->value = (double)n;
	} else {
		int64_t ns;

		if (go_parse_duration(value, &ns)) {
			fail(err, errlen, "invalid -assert %s: bad duration %s (want Go's form, such as "
			     "250ns, 1.5ms or 2s)", expr, value);
			assertion_free(a);
			return -1;
		}
		a->value = (double)ns;
	}
	return 0;
}

void assertion_free(assertion *a)
{
	free(a->subject);
	a->subject = NULL;
}

static double stat_of(const dist *d, uint64_t count, int stat)
{
	static const double q[] = { 0, 0, 0.5, 0.9, 0.99, 0.999 };

	switch (stat) {
	case AS_COUNT:
		return (double)count;
	case AS_TOTAL:
		return (double)d->total;
	case AS_MAX:
		return (double)(d->count ? d->max : 0);
	default:
		return (double)dist_quantile(d, q[stat]);
	}
}

static int gstr_is(gt_str s, const char *z)
{
	return s.len == strlen(z) && !memcmp(s.ptr, z, s.len);
}

void assertion_eval(assertion *a, const report *r)
{
	const dist *d = NULL;
	uint64_t count = 0;
	dist merged = { 0 };
	const char *sub = a->subject;

	a->found = 1;
	if (a->stat == AS_MMU) {
		/* Set by the report sink, which has the curve. */
		a->found = r->have_mmu;
	} else if (!strcmp(sub, "sched")) {
		d = &r->sched.d;
	} else if (!strcmp(sub, "stw")) {
		d = &r->stw.d;
	} else if (!strcmp(sub, "gc")) {
		d = &r->gc_mark.d;
		count = r->gc_cycles;
	} else if (!strcmp(sub, "assist")) {
		d = &r->assist.d;
	} else if (!strcmp(sub, "long-syscalls")) {
		d = &r->long_syscalls.d;
	} else if (!strncmp(sub, "block:", 6)) {
		for (int i = 0; i < REP_NBLOCK; i++)
			if (!strcmp(sub + 6, rep_block_names[i]))
				d = &r->block[i].d;
	} else if (!strncmp(sub, "wait:", 5)) {
		for (size_t i = 0; i < r->nreasons; i++)
			if (gstr_is(strtab_get(&r->names, r->reasons[i].name), sub + 5))
				d = &r->reasons[i].st.d;
	} else if (!strncmp(sub, "region:", 7)) {
		for (size_t i = 0; i < r->nregions; i++)
			if (gstr_is(gsum_string(r->sum, r->regions[i].type), sub + 7)) {
				dist_merge(&merged, &r->regions[i].d);
				d = &merged;
			}
	} else if (!strncmp(sub, "task:", 5)) {
		for (size_t i = 0; i < r->ntasks; i++)
			if (gstr_is(gsum_string(r->sum, r->tasks[i].type), sub + 5)) {
				d = &r->tasks[i].d;
				count = r->tasks[i].count;
			}
	}
	if (a->stat != AS_MMU) {
		if (d && !count && strcmp(sub, "gc") && strncmp(sub, "task:", 5))
			count = d->count;
		/* Named things that are not in the trace fail (a misspelt name
		 * must not pass), but for their count, which is 0. */
		a->found = d != NULL || a->stat == AS_COUNT;
		a->measured = d ? stat_of(d, count, a->stat) : 0;
	}
	dist_free(&merged);
	switch (a->op) {
	case AS_LT:
		a->pass = a->measured < a->value;
		break;
	case AS_LE:
		a->pass = a->measured <= a->value;
		break;
	case AS_GT:
		a->pass = a->measured > a->value;
		break;
	default:
		a->pass = a->measured >= a->value;
		break;
	}
	a->pass &= a->found;
}

void assertion_print(outbuf *o, const assertion *a)
{
	ob_write(o, a->expr, a->lhs);
	if (!a->found) {
		ob_puts(o, a->stat == AS_MMU ? " not measured (no GOMAXPROCS in the trace)"
					     : " not in the trace");
	} else {
		ob_puts(o, " = ");
		if (a->stat == AS_MMU) {
			ob_printf(o, "%.4f", a->measured);
		} else if (a->stat == AS_COUNT) {
			ob_printf(o, "%.0f", a->measured);
		} else {
			rep_duration(o, (int64_t)a->measured);
			ob_printf(o, " (%.0fns)", a->measured);
		}
	}
	ob_printf(o, ", want %s %s", op_names[a->op], a->value_text);
	ob_puts(o, a->pass ? ": ok" : ": FAILED");
}
