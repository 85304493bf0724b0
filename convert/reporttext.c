/*
 * reporttext.c - trace2pprof -report: the report for people.  The verdicts
 * first, then each part as an aligned table, durations in units for
 * reading (3 significant digits; the JSON has every nanosecond).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assertion.h"
#include "internal.h"
#include "report.h"

static void fmt_duration(char *buf, size_t len, int64_t ns)
{
	static const struct {
		int64_t unit;
		const char *name;
	} units[] = { { 1000000000, "s" }, { 1000000, "ms" }, { 1000, "\xc2\xb5s" } };
	uint64_t a = ns < 0 ? (uint64_t)0 - (uint64_t)ns : (uint64_t)ns;
	const char *sign = ns < 0 ? "-" : "";

	for (size_t i = 0; i < sizeof units / sizeof *units; i++) {
		double v = (double)a / (double)units[i].unit;

		if (a < (uint64_t)units[i].unit)
			continue;
		/* Rounding may carry into the next unit: 999.96ms is 1.00s. */
		if (v >= 999.5 && i > 0) {
			v = (double)a / (double)units[i - 1].unit;
			snprintf(buf, len, "%s%.2f%s", sign, v, units[i - 1].name);
			return;
		}
		snprintf(buf, len, v < 9.995 ? "%s%.2f%s" : v < 99.95 ? "%s%.1f%s" : "%s%.0f%s", sign, v,
			 units[i].name);
		return;
	}
	snprintf(buf, len, "%s%lluns", sign, (unsigned long long)a);
}

void rep_duration(outbuf *o, int64_t ns)
{
	char buf[32];

	fmt_duration(buf, sizeof buf, ns);
	ob_puts(o, buf);
}

/* An aligned table: cells added row by row; the first column is left
 * aligned, the others right aligned, but a last column of names (left_last). */
typedef struct table {
	int ncols;
	int left_last;
	char **cells;
	size_t n, cap;
	int oom;
} table;

static void cell(table *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void cell(table *t, const char *fmt, ...)
{
	va_list ap;
	char *c;
	int len;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (len < 0 || GT_RESERVE(t->cells, t->cap, t->n + 1) || !(c = malloc((size_t)len + 1))) {
		t->oom = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(c, (size_t)len + 1, fmt, ap);
	va_end(ap);
	t->cells[t->n++] = c;
}

static void cell_dur(table *t, int64_t ns)
{
	char buf[32];

	fmt_duration(buf, sizeof buf, ns);
	cell(t, "%s", buf);
}

/* Display width: UTF-8 continuation bytes take no column. */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80;
	return w;
}

static void table_print(outbuf *o, table *t, const char *indent)
{
	size_t w[16] = { 0 };
	int nc = t->ncols;

	for (size_t i = 0; i < t->n; i++)
		if (width(t->cells[i]) > w[i % (size_t)nc])
			w[i % (size_t)nc] = width(t->cells[i]);
	for (size_t i = 0; i < t->n; i++) {
		int col = (int)(i % (size_t)nc);
		size_t pad = w[col] - width(t->cells[i]);
		int left = col == 0 || (t->left_last && col == nc - 1);

		if (col == 0)
			ob_puts(o, indent);
		else if (!(left && col == nc - 1 && !*t->cells[i]))
			ob_puts(o, "  ");  /* no trailing blanks for an empty last cell */
		if (!left)
			for (size_t k = 0; k < pad; k++)
				ob_putc(o, ' ');
		ob_puts(o, t->cells[i]);
		if (left && col < nc - 1)
			for (size_t k = 0; k < pad; k++)
				ob_putc(o, ' ');
		if (col == nc - 1)
			ob_putc(o, '\n');
	}
	for (size_t i = 0; i < t->n; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof *t);
}

static const double quantiles[] = { 0.5, 0.9, 0.99, 0.999 };

/* The statistics' columns, the first naming the count. */
static void stats_cols(table *t, const char *count)
{
	cell(t, "%s", count);
	cell(t, "total");
	cell(t, "p50");
	cell(t, "p90");
	cell(t, "p99");
	cell(t, "p99.9");
	cell(t, "max");
}

static void stats_header(table *t, const char *first)
{
	cell(t, "%s", first);
	stats_cols(t, "count");
}

static void stats_vals(table *t, const dist *d)
{
	cell(t, "%llu", (unsigned long long)d->count);
	cell_dur(t, d->total);
	for (int i = 0; i < 4; i++)
		cell_dur(t, dist_quantile(d, quantiles[i]));
	cell_dur(t, d->count ? d->max : 0);
}

static void stats_row(table *t, const char *name, const dist *d)
{
	cell(t, "%s", name);
	stats_vals(t, d);
}

/* cmd/trace's histogram as bars: 5 buckets a decade, their least value. */
static void histogram(outbuf *o, const dist *d, const char *indent)
{
	uint64_t most = 0;
	table t = { .ncols = 3, .left_last = 1 };

	if (!d->count)
		return;
	for (int i = d->min_bucket; i <= d->max_bucket; i++)
		if (d->hist[i] > most)
			most = d->hist[i];
	for (int i = d->min_bucket; i <= d->max_bucket; i++) {
		char bar[41], buf[32];
		size_t len = (size_t)(d->hist[i] * 40 / most);

		memset(bar, '#', len);
		bar[len] = 0;
		fmt_duration(buf, sizeof buf, dist_bucket_min(i));
		cell(&t, ">= %s", buf);
		cell(&t, "%llu", (unsigned long long)d->hist[i]);
		cell(&t, "%s", len ? bar : (d->hist[i] ? "." : ""));
	}
	table_print(o, &t, indent);
}

static int in_runtime(gt_str func)
{
	return func.len > 8 && !memcmp(func.ptr, "runtime.", 8);
}

/* Where a stack is: its leaf frame as "func (file:line)", or when that is
 * in the runtime (a channel receive, a Gosched), the first frame out of it
 * then the runtime's leaf: "main.worker (main.go:40) > runtime.chanrecv1". */
static void site_name(const report *r, uint32_t stack, char *buf, size_t len)
{
	size_t n = 0, k = 0;
	const uint32_t *f = stack != GT_NO_STACK ? gt_symtab_stack(r->sym, stack, &n) : NULL;
	gt_frame fr, leaf;
	const char *file;
	size_t flen;

	if (!n) {
		snprintf(buf, len, "(no stack)");
		return;
	}
	gt_symtab_frame(r->sym, f[0], &leaf);
	fr = leaf;
	if (in_runtime(leaf.func))
		for (k = 1; k < n; k++) {
			gt_symtab_frame(r->sym, f[k], &fr);
			if (!in_runtime(fr.func))
				break;
		}
	if (k == n)
		fr = leaf;
	/* The file's last element is enough to find it. */
	file = fr.file.ptr;
	flen = fr.file.len;
	for (size_t i = 0; i < fr.file.len; i++)
		if (fr.file.ptr[i] == '/') {
			file = fr.file.ptr + i + 1;
			flen = fr.file.len - i - 1;
		}
	if (k == 0 || k == n)
		snprintf(buf, len, "%.*s (%.*s:%llu)", (int)fr.func.len, fr.func.ptr, (int)flen, file,
			 (unsigned long long)fr.line);
	else
		snprintf(buf, len, "%.*s (%.*s:%llu) > %.*s", (int)fr.func.len, fr.func.ptr, (int)flen,
			 file, (unsigned long long)fr.line, (int)leaf.func.len, leaf.func.ptr);
}

static void top_sites(outbuf *o, const report *r, const rep_stat *st, const char *title)
{
	rep_site top[REP_TOP_SITES];
	size_t n = rep_top_sites(st, top, REP_TOP_SITES);
	table t = { .ncols = 3, .left_last = 1 };

	if (!n)
		return;
	ob_printf(o, "  %s:\n", title);
	for (size_t i = 0; i < n; i++) {
		char buf[512];

		site_name(r, top[i].stack, buf, sizeof buf);
		cell_dur(&t, top[i].total);
		cell(&t, "%llu", (unsigned long long)top[i].count);
		cell(&t, "%s", buf);
	}
	table_print(o, &t, "    ");
}

/* A name as it can be shown in a table: control bytes escaped as Go
 * escapes them, cut after 60 characters. */
static void name_text(gt_str s, char *buf, size_t len)
{
	size_t n = 0, chars = 0;

	for (size_t i = 0; i < s.len && n + 8 < len; i++) {
		unsigned char c = (unsigned char)s.ptr[i];

		if ((c & 0xC0) != 0x80 && ++chars > 60) {
			n += (size_t)snprintf(buf + n, len - n, "...");
			break;
		}
		if (c == '\n' || c == '\t' || c == '\r')
			n += (size_t)snprintf(buf + n, len - n, "\\%c", c == '\n' ? 'n' : c == '\t' ? 't' : 'r');
		else if (c < 0x20 || c == 0x7f)
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", c);
		else
			buf[n++] = (char)c;
	}
	buf[n] = 0;
}

static void name_cell(table *t, gt_str s)
{
	char buf[512];

	name_text(s, buf, sizeof buf);
	cell(t, "%s", buf);
}

static void overview(outbuf *o, const report *r)
{
	int64_t dur = r->end - r->start;
	double busy = 0;
	char buf[32];
	table t = { .ncols = 2, .left_last = 1 };

	ob_printf(o, "Trace %s\n", r->trace);
	fmt_duration(buf, sizeof buf, dur);
	cell(&t, "duration");
	cell(&t, "%s", buf);
	cell(&t, "format");
	cell(&t, "go 1.%d%s", r->version, r->damaged ? " (damaged: the part before the damage)" : "");
	cell(&t, "events");
	cell(&t, "%llu", (unsigned long long)r->events);
	cell(&t, "goroutines created");
	cell(&t, "%llu", (unsigned long long)r->goroutines_created);
	for (size_t p = 0; p < r->nbusy; p++)
		busy += (double)r->busy[p];
	cell(&t, "GOMAXPROCS");
	if (!r->ngomaxprocs) {
		cell(&t, "unknown (not in this trace's format)");
	} else {
		char list[256] = "";
		size_t len = 0;

		for (size_t i = 0; i < r->ngomaxprocs && len < sizeof list - 40; i++) {
			fmt_duration(buf, sizeof buf, r->gomaxprocs[i].time - r->start);
			len += (size_t)snprintf(list + len, sizeof list - len, i ? ", %llu at %s" : "%llu",
						(unsigned long long)r->gomaxprocs[i].value, buf);
		}
		cell(&t, "%s%s", list, r->gomaxprocs_changes > r->ngomaxprocs ? ", ..." : "");
	}
	table_print(o, &t, "  ");
	if (r->nbusy && dur > 0) {
		ob_puts(o, "  P utilization (time running goroutines):");
		if (r->procs_time > 0)
			ob_printf(o, " %.1f%% overall;", 100 * busy / r->procs_time);
		for (size_t p = 0; p < r->nbusy; p++)
			ob_printf(o, " P%zu %.0f%%", p, 100.0 * (double)r->busy[p] / (double)dur);
		ob_putc(o, '\n');
	}
}

static void verdicts(outbuf *o, const report *r, const assertion *as, size_t nas)
{
	char buf[32];
	int64_t p99 = dist_quantile(&r->sched.d, 0.99);
	size_t failed = 0;

	for (size_t i = 0; i < nas; i++)
		failed += !as[i].pass;
	ob_puts(o, "\nSummary\n");
	if (nas)
		ob_printf(o, "  assertions: %zu of %zu failed\n", failed, nas);
	fmt_duration(buf, sizeof buf, p99);
	ob_printf(o, "  scheduler latency: %s (p99 %s)\n", rep_sched_class(p99), buf);
	if (r->stw.d.count) {
		fmt_duration(buf, sizeof buf, r->stw.d.max);
		ob_printf(o, "  stop-the-world: %llu pauses, longest %s, %llu over 1ms\n",
			  (unsigned long long)r->stw.d.count, buf, (unsigned long long)r->stw_over_1ms);
	}
	if (r->long_syscalls.d.count)
		ob_printf(o, "  long syscalls holding a P while goroutines waited: %llu\n",
			  (unsigned long long)r->long_syscalls.d.count);
	if (r->have_mmu)
		ob_printf(o, "  MMU: %.0f%% at 10ms, %.0f%% at 100ms\n", 100 * r->mmu[1], 100 * r->mmu[2]);
}

static void sched(outbuf *o, const report *r)
{
	table t = { .ncols = 8 };

	ob_puts(o, "\nScheduler latency (runnable to running)\n");
	stats_header(&t, "");
	stats_row(&t, rep_sched_class(dist_quantile(&r->sched.d, 0.99)), &r->sched.d);
	table_print(o, &t, "  ");
	histogram(o, &r->sched.d, "    ");
	top_sites(o, r, &r->sched, "top creation and wakeup sites, by total wait");
}

static void blocking(outbuf *o, const report *r)
{
	table t = { .ncols = 8 };

	ob_puts(o, "\nBlocking\n");
	stats_header(&t, "by kind");
	for (int i = 0; i < REP_NBLOCK; i++)
		stats_row(&t, rep_block_names[i], &r->block[i].d);
	table_print(o, &t, "  ");
	t.ncols = 8;
	stats_header(&t, "by wait reason");
	for (size_t i = 0; i < r->nreasons; i++) {
		gt_str n = strtab_get(&r->names, r->reasons[i].name);
		char name[512];

		name_text(n, name, sizeof name);
		stats_row(&t, n.len ? name : "(none)", &r->reasons[i].st.d);
	}
	table_print(o, &t, "  ");
	for (int i = 0; i < REP_NBLOCK; i++) {
		char title[64];

		snprintf(title, sizeof title, "top %s sites, by total time", rep_block_names[i]);
		top_sites(o, r, &r->block[i], title);
	}
	ob_puts(o, "\nLong syscalls (>= 1ms) that held a P while goroutines were runnable\n");
	t.ncols = 8;
	stats_header(&t, "");
	stats_row(&t, "syscalls", &r->long_syscalls.d);
	table_print(o, &t, "  ");
	top_sites(o, r, &r->long_syscalls, "top sites");
}

static void gc(outbuf *o, const report *r)
{
	table t = { .ncols = 8 };
	char buf[3][32];

	ob_printf(o, "\nGC: %llu cycles\n", (unsigned long long)r->gc_cycles);
	stats_header(&t, "");
	stats_row(&t, "mark phases", &r->gc_mark.d);
	stats_row(&t, "stop-the-world", &r->stw.d);
	stats_row(&t, "mark assists", &r->assist.d);
	table_print(o, &t, "  ");
	ob_printf(o, "  stop-the-world pauses over 1ms: %llu\n", (unsigned long long)r->stw_over_1ms);
	for (int i = 0; i < REP_NWORKER; i++)
		fmt_duration(buf[i], sizeof buf[i], r->worker_ns[i]);
	ob_printf(o, "  mark workers: dedicated %s, fractional %s, idle %s\n", buf[0], buf[1], buf[2]);
	if (r->have_mmu) {
		static const char *const windows[REP_MMU_WINDOWS] = { "1ms", "10ms", "100ms", "1s" };

		ob_puts(o, "  MMU (stw, background workers, mark assist):");
		for (int i = 0; i < REP_MMU_WINDOWS; i++)
			ob_printf(o, " %s %.1f%%", windows[i], 100 * r->mmu[i]);
		ob_putc(o, '\n');
	}
}

static void goroutines(outbuf *o, const report *r)
{
	size_t n = 0;
	rep_group *g = rep_groups(r, &n);
	table t = { .ncols = 8 };

	if (!g)
		return;
	ob_puts(o, "\nGoroutines by start function (go tool trace's /goroutines)\n");
	cell(&t, "start function");
	cell(&t, "count");
	cell(&t, "execution");
	cell(&t, "sched wait");
	cell(&t, "syscall");
	cell(&t, "syscall block");
	cell(&t, "blocked");
	cell(&t, "unknown");
	for (size_t i = 0; i < n; i++) {
		int64_t blocked = 0;

		for (size_t k = 0; k < g[i].sum.nblock; k++)
			blocked += g[i].sum.block[k].ns;
		if (g[i].name)
			name_cell(&t, gsum_string(r->sum, g[i].name));
		else
			cell(&t, "(inactive, no stack)");
		cell(&t, "%llu", (unsigned long long)g[i].count);
		cell_dur(&t, g[i].sum.exec);
		cell_dur(&t, g[i].sum.sched_wait);
		cell_dur(&t, g[i].sum.syscall);
		cell_dur(&t, g[i].sum.syscall_block);
		cell_dur(&t, blocked);
		cell_dur(&t, g[i].sum.unknown);
	}
	table_print(o, &t, "  ");
	rep_groups_free(g, n);
}

static void tasks_regions(outbuf *o, const report *r)
{
	table t = { .ncols = 9 };
	char name[512];

	if (r->ntasks) {
		ob_puts(o, "\nTasks (go tool trace's /usertasks): all, and the durations of the complete\n");
		cell(&t, "type");
		cell(&t, "all");
		stats_cols(&t, "complete");
		for (size_t i = 0; i < r->ntasks; i++) {
			name_text(gsum_string(r->sum, r->tasks[i].type), name, sizeof name);
			cell(&t, "%s", name);
			cell(&t, "%llu", (unsigned long long)r->tasks[i].count);
			stats_vals(&t, &r->tasks[i].d);
		}
		table_print(o, &t, "  ");
	}
	if (r->nregions) {
		ob_puts(o, "\nRegions (go tool trace's /userregions)\n");
		t.ncols = 8;
		stats_header(&t, "type");
		for (size_t i = 0; i < r->nregions; i++) {
			name_text(gsum_string(r->sum, r->regions[i].type), name, sizeof name);
			stats_row(&t, name, &r->regions[i].d);
		}
		table_print(o, &t, "  ");
	}
}

void rep_write_text(outbuf *o, const report *r, const assertion *as, size_t nas)
{
	overview(o, r);
	verdicts(o, r, as, nas);
	sched(o, r);
	blocking(o, r);
	gc(o, r);
	goroutines(o, r);
	tasks_regions(o, r);
	if (nas) {
		ob_puts(o, "\nAssertions\n");
		for (size_t i = 0; i < nas; i++) {
			ob_puts(o, "  ");
			assertion_print(o, &as[i]);
			ob_putc(o, '\n');
		}
	}
}
