/*
 * gsumdump TRACE - what cmd/trace's goroutine and region pages show, from
 * trace2pprof's summarizer (convert/summary.c), in the form of the goldens
 * tests/regen-summary takes from go tool trace: one fact per line, sorted.
 *
 * The pages are built on Go's final summaries: one per goroutine id (a
 * later summary of the same id replaces an earlier one, which takes its
 * regions with it) and the regions of each.  So this keeps every summary
 * by id, each region under the (id, creation) of the summary it came from,
 * and prints what survives.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gotrace.h"
#include "summary.h"

/* A column of a table: a name and its value in one row. */
typedef struct cell {
	char name[256];
	int64_t ns;
} cell;

typedef struct row {
	int64_t g, creation;
	gsum_str name;         /* goroutine: its name; region: its type */
	uint64_t pc, task;     /* regions */
	int64_t total;
	cell *cols, *ranges;
	size_t ncols, nranges;
} row;

static gsum *sum;
static const gt_symtab *sym;
static row *gs, *regions;
static size_t ngs, nregions;

static void *xrealloc(void *p, size_t n)
{
	if (!(p = realloc(p, n))) {
		fputs("gsumdump: out of memory\n", stderr);
		exit(1);
	}
	return p;
}

static void add_cell(cell **v, size_t *n, const char *name, size_t len, int64_t ns)
{
	for (size_t i = 0; i < *n; i++) {
		if (strlen((*v)[i].name) == len && !memcmp((*v)[i].name, name, len)) {
			(*v)[i].ns += ns;
			return;
		}
	}
	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	snprintf((*v)[*n].name, sizeof (*v)[*n].name, "%.*s", (int)len, name);
	(*v)[(*n)++].ns = ns;
}

/* GoroutineExecStats.NonOverlappingStats and RangeTime, as table cells. */
static void fill(row *r, const gsum_stats *st)
{
	static const char *const fixed[] = { "Execution time", "Sched wait time",
					     "Syscall execution time", "Block time (syscall)",
					     "Unknown time" };
	int64_t v[] = { st->exec, st->sched_wait, st->syscall, st->syscall_block, gsum_unknown_time(st) };
	char name[300];

	r->total = st->total;
	r->cols = r->ranges = NULL;
	r->ncols = r->nranges = 0;
	for (size_t i = 0; i < 5; i++)
		add_cell(&r->cols, &r->ncols, fixed[i], strlen(fixed[i]), v[i]);
	for (size_t i = 0; i < st->nblock; i++) {
		gt_str reason = gsum_string(sum, st->block[i].name);
		int n = snprintf(name, sizeof name, "Block time (%.*s)", (int)reason.len, reason.ptr);

		add_cell(&r->cols, &r->ncols, name, (size_t)n, st->block[i].ns);
	}
	for (size_t i = 0; i < st->nranges; i++) {
		gt_str range = gsum_string(sum, st->ranges[i].name);

		add_cell(&r->ranges, &r->nranges, range.ptr, range.len, st->ranges[i].ns);
	}
}

static void on_goroutine(void *ctx, const gsum_goroutine *g)
{
	row *r = NULL;

	(void)ctx;
	for (size_t i = 0; i < ngs; i++)
		if (gs[i].g == g->id)
			r = &gs[i];
	if (!r) {
		gs = xrealloc(gs, (ngs + 1) * sizeof *gs);
		r = &gs[ngs++];
	} else {
		free(r->cols);
		free(r->ranges);
	}
	memset(r, 0, sizeof *r);
	r->g = g->id;
	r->creation = g->creation;
	r->name = g->name;
	fill(r, &g->stats);
}

static void on_region(void *ctx, const gsum_goroutine *g, const gsum_region *reg)
{
	row *r;

	(void)ctx;
	regions = xrealloc(regions, (nregions + 1) * sizeof *regions);
	r = &regions[nregions++];
	memset(r, 0, sizeof *r);
	r->g = g->id;
	r->creation = g->creation;
	r->name = reg->type;
	r->task = reg->task;
	if (reg->start_stack != GT_NO_STACK) {
		size_t n;
		const uint32_t *frames = gt_symtab_stack(sym, reg->start_stack, &n);
		gt_frame f;

		if (n) {
			gt_symtab_frame(sym, frames[n - 1], &f);
			r->pc = f.pc;
		}
	}
	fill(r, &reg->stats);
}

static char *hex(gsum_str id)
{
	gt_str s = gsum_string(sum, id);
	char *out = xrealloc(NULL, 2 * s.len + 2);

	for (size_t i = 0; i < s.len; i++)
		sprintf(out + 2 * i, "%02x", (unsigned char)s.ptr[i]);
	if (!s.len)
		strcpy(out, "-");
	return out;
}

static int cmp_cell(const void *a, const void *b)
{
	return strcmp(((const cell *)a)->name, ((const cell *)b)->name);
}

/* Cells for every column of the rows in [0, n) with the same key: the
 * union of their names, 0 where a row has none, as Go's pages fill them. */
static char *cells(row *rows, size_t n, const row *r, int ranges)
{
	cell *cols = NULL;
	size_t ncols = 0, len = 0;
	char *out = xrealloc(NULL, 1);

	*out = '\0';
	for (size_t i = 0; i < n; i++) {
		const cell *c = ranges ? rows[i].ranges : rows[i].cols;
		size_t m = ranges ? rows[i].nranges : rows[i].ncols;

		for (size_t k = 0; k < m; k++)
			add_cell(&cols, &ncols, c[k].name, strlen(c[k].name), 0);
	}
	qsort(cols, ncols, sizeof *cols, cmp_cell);
	for (size_t i = 0; i < ncols; i++) {
		const cell *c = ranges ? r->ranges : r->cols;
		size_t m = ranges ? r->nranges : r->ncols;
		int64_t v = 0;
		char buf[320];
		int k;

		for (size_t j = 0; j < m; j++)
			if (!strcmp(c[j].name, cols[i].name))
				v = c[j].ns;
		k = snprintf(buf, sizeof buf, "; %s=%lld", cols[i].name, (long long)v);
		out = xrealloc(out, len + (size_t)k + 1);
		memcpy(out + len, buf, (size_t)k + 1);
		len += (size_t)k;
	}
	free(cols);
	return out;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char **lines;
static size_t nlines;

static void emit(char *line)
{
	lines = xrealloc(lines, (nlines + 1) * sizeof *lines);
	lines[nlines++] = line;
}

/* A line: the head printed from fmt, then the cells (which it takes). */
static void emit_row(char *cols, const char *fmt, ...)
{
	char *s = NULL;
	size_t n;
	FILE *f = open_memstream(&s, &n);
	va_list ap;

	if (!f) {
		fputs("gsumdump: out of memory\n", stderr);
		exit(1);
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputs(cols, f);
	fclose(f);
	free(cols);
	emit(s);
}

int main(int argc, char **argv)
{
	gsum_hooks hooks = { NULL, on_region, on_goroutine, NULL };
	gt_reader *r;
	gt_event ev;

	if (argc != 2) {
		fputs("usage: gsumdump TRACE\n", stderr);
		return 2;
	}
	if (!(r = gt_reader_new()) || gt_reader_open_file(r, argv[1]) != GT_OK) {
		fprintf(stderr, "gsumdump: %s: %s\n", argv[1], r ? gt_reader_error(r)->msg : "out of memory");
		return 1;
	}
	sym = gt_reader_symtab(r);
	if (!(sum = gsum_new(&hooks, sym)))
		return 1;
	while (gt_reader_next(r, &ev) == GT_OK)
		if (gsum_event(sum, &ev))
			return 1;
	if (gsum_finish(sum))
		return 1;

	/* Groups by name, and each goroutine with its group's columns. */
	for (size_t i = 0; i < ngs; i++) {
		row *group = xrealloc(NULL, ngs * sizeof *group);
		size_t n = 0, first = 1;
		int64_t exec = 0;
		char *name = hex(gs[i].name);

		for (size_t j = 0; j < ngs; j++) {
			if (gs[j].name != gs[i].name)
				continue;
			first &= j >= i;
			group[n++] = gs[j];
			exec += gs[j].cols[0].ns;
		}
		if (first) {
			emit_row(calloc(1, 1), "group %s count=%zu exec=%lld", name, n, (long long)exec);
		}
		emit_row(cells(group, n, &gs[i], 0), "goroutine %lld %s total=%lld", (long long)gs[i].g,
			 name, (long long)gs[i].total);
		int64_t in_ranges = 0;
		for (size_t k = 0; k < gs[i].nranges; k++)
			in_ranges += gs[i].ranges[k].ns;
		if (in_ranges) {
			emit_row(cells(group, n, &gs[i], 1), "goroutine-ranges %lld %s", (long long)gs[i].g,
				 name);
		}
		free(group);
		free(name);
	}

	/* Regions of the surviving summaries, with their (type, pc)'s columns. */
	for (size_t i = 0; i < nregions; i++) {
		row *r2 = &regions[i], *same = xrealloc(NULL, nregions * sizeof *same);
		size_t n = 0;
		int alive = 0;
		char *type;

		for (size_t j = 0; j < ngs; j++)
			alive |= gs[j].g == r2->g && gs[j].creation == r2->creation;
		if (!alive) {
			free(same);
			continue;
		}
		for (size_t j = 0; j < nregions; j++)
			if (regions[j].name == r2->name && regions[j].pc == r2->pc)
				same[n++] = regions[j];
		type = hex(r2->name);
		emit_row(cells(same, n, r2, 0), "region %s pc=%llx g=%lld task=%llu total=%lld", type,
			 (unsigned long long)r2->pc, (long long)r2->g, (unsigned long long)r2->task,
			 (long long)r2->total);
		free(type);
		free(same);
	}
	qsort(lines, nlines, sizeof *lines, cmp_str);
	for (size_t i = 0; i < nlines; i++) {
		puts(lines[i]);
		free(lines[i]);
	}
	for (size_t i = 0; i < ngs; i++) {
		free(gs[i].cols);
		free(gs[i].ranges);
	}
	for (size_t i = 0; i < nregions; i++) {
		free(regions[i].cols);
		free(regions[i].ranges);
	}
	free(lines);
	free(gs);
	free(regions);
	gsum_free(sum);
	gt_reader_free(r);
	return 0;
}
