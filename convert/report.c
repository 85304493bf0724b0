/*
 * report.c - the report sink: measures the shape of a trace in one pass
 * (scheduler latency, blocking, syscalls, GC, P utilization from the
 * events; cmd/trace's goroutine, task and region tables from the
 * Summarizer, summary.h; the MMU from mutil.h), then writes it as text or
 * JSON and checks the -assert expressions against it.
 *
 * Memory: per live goroutine a few words, per distinct stack a site per
 * statistic, per goroutine ever its row of cmd/trace's table (the JSON
 * lists them all), and the compact MMU function.  No event is kept.
 */
#include <stdlib.h>
#include <string.h>

#include "assertion.h"
#include "internal.h"
#include "mutil.h"
#include "output.h"
#include "report.h"
#include "sink.h"
#include "u64map.h"

const char *const rep_block_names[REP_NBLOCK] = { "sync", "net", "syscall" };
const char *const rep_worker_names[REP_NWORKER] = { "dedicated", "fractional", "idle" };
const int64_t rep_mmu_windows[REP_MMU_WINDOWS] = { 1000000, 10000000, 100000000, 1000000000 };

const char *rep_sched_class(int64_t p99)
{
	if (p99 < 100000)
		return "healthy";
	if (p99 < 1000000)
		return "normal";
	if (p99 < 10000000)
		return "oversubscribed";
	return "severe";
}

/* What is followed per live goroutine. */
typedef struct rep_g {
	uint8_t state;
	uint8_t worker;         /* 1 + REP_WORKER_ while a GC worker runs */
	int64_t since;          /* when it entered the state */
	uint32_t stack;         /* the stack of the event that entered it */
	uint32_t reason;        /* the wait reason (names), while waiting */
	int64_t p;              /* the P it runs on, while running */
	double runnable_at;     /* runnable_time when a syscall began */
	int64_t worker_since;
} rep_g;

typedef struct report_sink {
	t2p_sink base;
	const char *path;
	int json;
	assertion *as;
	size_t nas;
	int *failed;            /* set when an assertion fails */
	report r;
	gt_reader *reader;
	gsum *sum;
	mutil *util;
	u64map gs;              /* goroutine id -> rep_g */
	u64map reason_index;    /* names id -> reasons index + 1 */
	u64map ranges;          /* open range key -> its begin time */
	u64map rows;            /* goroutine id -> gs index + 1 */
	u64map region_index;    /* (type, pc) hash -> regions index + 1 (chained by scan) */
	size_t capgs, capregions, captasks, capreasons, capgomaxprocs;
	int64_t nrunnable;      /* goroutines runnable now */
	double runnable_time;   /* ns so far during which some goroutine was runnable */
	int64_t last_time;
	uint64_t gomaxprocs;
	int seen;
	int oom;
} report_sink;

/* ---- statistics with their sites ---- */

static void stat_add(report_sink *s, rep_stat *st, uint32_t stack, int64_t d)
{
	u64map *m;
	uint64_t *slot;
	int added;

	dist_add(&st->d, d);
	if (!st->by_stack) {
		if (!(st->by_stack = malloc(sizeof(u64map)))) {
			s->oom = 1;
			return;
		}
		u64map_init(st->by_stack, sizeof(uint64_t));
	}
	m = st->by_stack;
	if (!(slot = u64map_put(m, stack, &added))) {
		s->oom = 1;
		return;
	}
	if (added) {
		if (GT_RESERVE(st->sites, st->capsites, st->nsites + 1)) {
			s->oom = 1;
			return;
		}
		st->sites[st->nsites] = (rep_site){ stack, 0, 0 };
		*slot = ++st->nsites;
	}
	st->sites[*slot - 1].count++;
	st->sites[*slot - 1].total = gt_add64(st->sites[*slot - 1].total, d);
}

static void stat_free(rep_stat *st)
{
	dist_free(&st->d);
	free(st->sites);
	if (st->by_stack) {
		u64map_free(st->by_stack);
		free(st->by_stack);
	}
}

static int site_cmp(const void *a, const void *b)
{
	const rep_site *x = a, *y = b;

	if (x->total != y->total)
		return x->total < y->total ? 1 : -1;
	return x->stack < y->stack ? -1 : x->stack > y->stack;
}

size_t rep_top_sites(const rep_stat *st, rep_site *out, size_t n)
{
	/* A partial selection would do; the sites are few enough to sort a copy. */
	rep_site *all;

	if (!st->nsites || !(all = malloc(st->nsites * sizeof *all)))
		return 0;
	memcpy(all, st->sites, st->nsites * sizeof *all);
	qsort(all, st->nsites, sizeof *all, site_cmp);
	if (n > st->nsites)
		n = st->nsites;
	memcpy(out, all, n * sizeof *out);
	free(all);
	return n;
}

/* ---- the event stream ---- */

static int contains(gt_str s, const char *word)
{
	size_t n = strlen(word);

	for (size_t i = 0; i + n <= s.len; i++)
		if (!memcmp(s.ptr + i, word, n))
			return 1;
	return 0;
}

static int str_is(gt_str s, const char *lit)
{
	return s.len == strlen(lit) && !memcmp(s.ptr, lit, s.len);
}

static int has_prefix(gt_str s, const char *lit)
{
	return s.len >= strlen(lit) && !memcmp(s.ptr, lit, strlen(lit));
}

static uint32_t intern(report_sink *s, gt_str str)
{
	uint32_t id = strtab_intern(&s->r.names, str.ptr, str.len);

	if (id == UINT32_MAX) {
		s->oom = 1;
		return 0;
	}
	return id;
}

/* The reason's row, made on first sight with its kind: cmd/trace's
 * pprof.go counts "network" as net, and chan, sync and select as sync. */
static rep_reason *reason_row(report_sink *s, uint32_t name)
{
	uint64_t *slot;
	int added;

	if (!(slot = u64map_put(&s->reason_index, name, &added)))
		goto oom;
	if (added) {
		if (GT_RESERVE(s->r.reasons, s->capreasons, s->r.nreasons + 1))
			goto oom;
		gt_str reason = strtab_get(&s->r.names, name);
		rep_reason *row = &s->r.reasons[s->r.nreasons];

		memset(row, 0, sizeof *row);
		row->name = name;
		row->kind = str_is(reason, "network") ? REP_BLOCK_NET
			    : contains(reason, "chan") || contains(reason, "sync") ||
				      contains(reason, "select")
				    ? REP_BLOCK_SYNC
				    : -1;
		*slot = ++s->r.nreasons;
	}
	return &s->r.reasons[*slot - 1];
oom:
	s->oom = 1;
	return NULL;
}

/* The time during which some goroutine was runnable, brought up to now. */
static void runnable_clock(report_sink *s, int64_t now)
{
	if (s->nrunnable > 0 && now > s->last_time)
		s->runnable_time += (double)(now - s->last_time);
}

static void add_busy(report_sink *s, int64_t p, int64_t d)
{
	size_t old = s->r.nbusy, cap = s->r.nbusy;

	/* Ps are numbered from 0 up to GOMAXPROCS; a wild id is not counted. */
	if (p < 0 || p >= 1 << 16 || d <= 0)
		return;
	if ((size_t)p >= s->r.nbusy) {
		if (GT_RESERVE(s->r.busy, cap, (size_t)p + 1)) {
			s->oom = 1;
			return;
		}
		memset(s->r.busy + old, 0, ((size_t)p + 1 - old) * sizeof *s->r.busy);
		s->r.nbusy = (size_t)p + 1;
	}
	s->r.busy[p] += d;
}

/* The interval a goroutine spent in its state, now over. */
static void close_state(report_sink *s, rep_g *g, const gt_event *ev)
{
	int64_t d = ev->time - g->since;
	uint8_t to = ev->transition.to;

	switch (g->state) {
	case GT_GO_RUNNABLE:
		stat_add(s, &s->r.sched, g->stack, d);
		break;
	case GT_GO_WAITING: {
		rep_reason *row = reason_row(s, g->reason);

		if (!row)
			break;
		stat_add(s, &row->st, g->stack, d);
		if (row->kind >= 0)
			stat_add(s, &s->r.block[row->kind], g->stack, d);
		break;
	}
	case GT_GO_SYSCALL:
		stat_add(s, &s->r.block[REP_BLOCK_SYSCALL], g->stack, d);
		/* Back to running at once: it kept its P all along. */
		if (d >= REP_LONG_SYSCALL && to == GT_GO_RUNNING &&
		    s->runnable_time > g->runnable_at)
			stat_add(s, &s->r.long_syscalls, g->stack, d);
		break;
	case GT_GO_RUNNING:
		add_busy(s, g->p, d);
		if (g->worker) {
			s->r.worker_ns[g->worker - 1] += ev->time - g->worker_since;
			g->worker = 0;
		}
		break;
	default:
		break;
	}
}

static void goroutine_transition(report_sink *s, const gt_event *ev)
{
	uint8_t from = ev->transition.from, to = ev->transition.to;
	int64_t id = ev->transition.id;
	rep_g *g;
	int added;

	if (from == to)
		return;
	if (from == GT_GO_NOT_EXIST)
		s->r.goroutines_created++;
	if (from == GT_GO_RUNNABLE)
		s->nrunnable--;
	if (to == GT_GO_RUNNABLE)
		s->nrunnable++;
	if (!(g = u64map_put(&s->gs, (uint64_t)id, &added))) {
		s->oom = 1;
		return;
	}
	/* A state first learned now (Undetermined) began before we saw it:
	 * its interval is not counted. */
	if (!added && from != GT_GO_UNDETERMINED && from != GT_GO_NOT_EXIST)
		close_state(s, g, ev);
	if (to == GT_GO_NOT_EXIST) {
		u64map_del(&s->gs, (uint64_t)id);
		return;
	}
	g->state = to;
	g->since = ev->time;
	g->stack = ev->stack;
	g->p = ev->p;
	if (to == GT_GO_WAITING)
		g->reason = intern(s, ev->transition.reason);
	if (to == GT_GO_SYSCALL)
		g->runnable_at = s->runnable_time;
}

static void set_gomaxprocs(report_sink *s, const gt_event *ev)
{
	uint64_t v = ev->metric.value;
	report *r = &s->r;

	if (s->gomaxprocs == v && r->gomaxprocs_changes)
		return;
	s->gomaxprocs = v;
	r->gomaxprocs_changes++;
	if (r->ngomaxprocs == REP_MAX_GOMAXPROCS)
		return;
	if (GT_RESERVE(r->gomaxprocs, s->capgomaxprocs, r->ngomaxprocs + 1)) {
		s->oom = 1;
		return;
	}
	r->gomaxprocs[r->ngomaxprocs++] = (rep_gomaxprocs){ ev->time, v };
}

/* Open ranges are keyed by name and scope. */
static uint64_t range_key(uint32_t name, const gt_event *ev)
{
	return ((uint64_t)name << 40) ^ ((uint64_t)ev->range.scope << 36) ^
	       (uint64_t)ev->range.scope_id;
}

static void range_event(report_sink *s, const gt_event *ev)
{
	gt_str name = ev->range.name;
	int stw = has_prefix(name, "stop-the-world");
	uint32_t id;
	uint64_t key;
	int64_t *begin;
	int added;

	if (!stw && !str_is(name, "GC concurrent mark phase") && !str_is(name, "GC mark assist"))
		return;
	id = intern(s, name);
	key = range_key(id, ev);
	if (ev->kind != GT_EV_RANGE_END) {
		if (str_is(name, "GC concurrent mark phase"))
			s->r.gc_cycles++;
		if ((begin = u64map_put(&s->ranges, key, &added)))
			*begin = ev->time;
		else
			s->oom = 1;
		return;
	}
	if (!(begin = u64map_get(&s->ranges, key)))
		return;  /* began before the trace */
	/* Ranges have no sites: their end's stack is not their cause. */
	if (stw) {
		stat_add(s, &s->r.stw, GT_NO_STACK, ev->time - *begin);
		s->r.stw_over_1ms += ev->time - *begin > 1000000;
	} else if (str_is(name, "GC concurrent mark phase")) {
		stat_add(s, &s->r.gc_mark, GT_NO_STACK, ev->time - *begin);
	} else {
		stat_add(s, &s->r.assist, GT_NO_STACK, ev->time - *begin);
	}
	u64map_del(&s->ranges, key);
}

/* A GC worker's label comes as it starts to run (runtime: gcBgMarkWorker). */
static void label_event(report_sink *s, const gt_event *ev)
{
	gt_str l = ev->label.label;
	rep_g *g;
	int w;

	if (str_is(l, "GC (dedicated)"))
		w = REP_WORKER_DEDICATED;
	else if (str_is(l, "GC (fractional)"))
		w = REP_WORKER_FRACTIONAL;
	else if (str_is(l, "GC (idle)"))
		w = REP_WORKER_IDLE;
	else
		return;
	if (!(g = u64map_get(&s->gs, (uint64_t)ev->g)) || g->state != GT_GO_RUNNING)
		return;
	if (g->worker)
		s->r.worker_ns[g->worker - 1] += ev->time - g->worker_since;
	g->worker = (uint8_t)(1 + w);
	g->worker_since = ev->time;
}

static int report_event(t2p_sink *base, const gt_event *ev)
{
	report_sink *s = (report_sink *)base;

	if (!s->seen) {
		s->seen = 1;
		s->r.start = ev->time;
		s->last_time = ev->time;
	}
	runnable_clock(s, ev->time);
	if (s->gomaxprocs && ev->time > s->last_time)
		s->r.procs_time += (double)s->gomaxprocs * (double)(ev->time - s->last_time);
	s->last_time = ev->time;
	s->r.end = ev->time;
	s->r.events++;
	switch (ev->kind) {
	case GT_EV_STATE_TRANSITION:
		if (ev->transition.resource == GT_RES_GOROUTINE)
			goroutine_transition(s, ev);
		break;
	case GT_EV_METRIC:
		if (!strcmp(ev->metric.name, "/sched/gomaxprocs:threads"))
			set_gomaxprocs(s, ev);
		break;
	case GT_EV_RANGE_BEGIN:
	case GT_EV_RANGE_ACTIVE:
	case GT_EV_RANGE_END:
		range_event(s, ev);
		break;
	case GT_EV_LABEL:
		label_event(s, ev);
		break;
	default:
		break;
	}
	if (gsum_event(s->sum, ev) || mutil_event(s->util, ev))
		s->oom = 1;
	if (s->oom) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return -1;
	}
	return 0;
}

/* ---- the Summarizer's tables ---- */

static gsum_named *copy_named(report_sink *s, const gsum_named *v, size_t n)
{
	gsum_named *c;

	if (!n)
		return NULL;
	if (!(c = malloc(n * sizeof *c))) {
		s->oom = 1;
		return NULL;
	}
	memcpy(c, v, n * sizeof *c);
	return c;
}

/* Go's map of summaries keeps the last one of an id: so does this table. */
static void on_goroutine(void *ctx, const gsum_goroutine *g)
{
	report_sink *s = ctx;
	uint64_t *slot;
	rep_goroutine *row;
	int added;

	if (!(slot = u64map_put(&s->rows, (uint64_t)g->id, &added))) {
		s->oom = 1;
		return;
	}
	if (added) {
		if (GT_RESERVE(s->r.gs, s->capgs, s->r.ngs + 1)) {
			s->oom = 1;
			return;
		}
		*slot = ++s->r.ngs;
	} else {
		free(s->r.gs[*slot - 1].block);
		free(s->r.gs[*slot - 1].ranges);
	}
	row = &s->r.gs[*slot - 1];
	*row = (rep_goroutine){
		.id = g->id,
		.name = g->name,
		.total = g->stats.total,
		.exec = g->stats.exec,
		.sched_wait = g->stats.sched_wait,
		.syscall = g->stats.syscall,
		.syscall_block = g->stats.syscall_block,
		.unknown = gsum_unknown_time(&g->stats),
		.block = copy_named(s, g->stats.block, g->stats.nblock),
		.nblock = g->stats.nblock,
		.ranges = copy_named(s, g->stats.ranges, g->stats.nranges),
		.nranges = g->stats.nranges,
	};
}

/* regionTopStackFrame: the outermost frame of the start stack. */
static uint64_t top_pc(const gt_symtab *sym, uint32_t stack)
{
	size_t n;
	const uint32_t *frames;
	gt_frame f;

	if (stack == GT_NO_STACK)
		return 0;
	frames = gt_symtab_stack(sym, stack, &n);
	if (!n)
		return 0;
	gt_symtab_frame(sym, frames[n - 1], &f);
	return f.pc;
}

/* cmd/trace regionInterval: a region without a start began at the trace's
 * start, one without an end ends at the trace's end. */
static void on_region(void *ctx, const gsum_goroutine *g, const gsum_region *r)
{
	report_sink *s = ctx;
	uint64_t pc = top_pc(s->r.sym, r->start_stack);
	uint64_t key = ((uint64_t)r->type * 0x9E3779B97F4A7C15ull) ^ pc;
	int64_t start = r->has_start ? r->start : gsum_start_time(s->sum);
	int64_t end = r->has_end ? r->end : gsum_end_time(s->sum);
	uint64_t *slot;
	size_t i;
	int added;

	(void)g;
	if (!(slot = u64map_put(&s->region_index, key, &added))) {
		s->oom = 1;
		return;
	}
	/* Rows sharing a key's hash are found by scanning from the first. */
	for (i = added ? s->r.nregions : *slot - 1; i < s->r.nregions; i++)
		if (s->r.regions[i].type == r->type && s->r.regions[i].pc == pc)
			break;
	if (i == s->r.nregions) {
		if (GT_RESERVE(s->r.regions, s->capregions, s->r.nregions + 1)) {
			s->oom = 1;
			return;
		}
		memset(&s->r.regions[i], 0, sizeof *s->r.regions);
		s->r.regions[i].type = r->type;
		s->r.regions[i].pc = pc;
		s->r.regions[i].stack = pc ? r->start_stack : GT_NO_STACK;
		if (added)
			*slot = i + 1;
		s->r.nregions++;
	}
	dist_add(&s->r.regions[i].d, (int64_t)((uint64_t)end - (uint64_t)start));
}

static void on_task(void *ctx, const gsum_task *t)
{
	report_sink *s = ctx;
	size_t i;

	/* Task types are few: a scan finds the row. */
	for (i = 0; i < s->r.ntasks; i++)
		if (s->r.tasks[i].type == t->type)
			break;
	if (i == s->r.ntasks) {
		if (GT_RESERVE(s->r.tasks, s->captasks, s->r.ntasks + 1)) {
			s->oom = 1;
			return;
		}
		memset(&s->r.tasks[i], 0, sizeof *s->r.tasks);
		s->r.tasks[i].type = t->type;
		s->r.ntasks++;
	}
	s->r.tasks[i].count++;
	if (t->has_start && t->has_end)
		dist_add(&s->r.tasks[i].d, (int64_t)((uint64_t)t->end - (uint64_t)t->start));
}

/* ---- the end: tables in order, the MMU, the outputs ---- */

static int row_cmp(const void *a, const void *b)
{
	const rep_goroutine *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static const gsum *cmp_sum;  /* for the comparisons of strings below */

static int strcmp_gt(gt_str a, gt_str b)
{
	size_t n = a.len < b.len ? a.len : b.len;
	int c = memcmp(a.ptr, b.ptr, n);

	return c ? c : (a.len > b.len) - (a.len < b.len);
}

/* /userregions: by type, then PC. */
static int region_cmp(const void *a, const void *b)
{
	const rep_region_type *x = a, *y = b;
	int c = strcmp_gt(gsum_string(cmp_sum, x->type), gsum_string(cmp_sum, y->type));

	return c ? c : (x->pc > y->pc) - (x->pc < y->pc);
}

/* /usertasks: by type. */
static int task_cmp(const void *a, const void *b)
{
	const rep_task_type *x = a, *y = b;

	return strcmp_gt(gsum_string(cmp_sum, x->type), gsum_string(cmp_sum, y->type));
}

static void compute_mmu(report_sink *s, int damaged)
{
	mutil_point **series;
	size_t *lens;
	mmu_curve *c;
	int n;

	mutil_finish(s->util, damaged);
	n = mutil_series(s->util, &series, &lens);
	if (n <= 0 || !(c = mmu_curve_new(series, lens, (size_t)n))) {
		s->oom |= n < 0;
		return;
	}
	for (int i = 0; i < REP_MMU_WINDOWS; i++)
		s->r.mmu[i] = mmu_curve_mmu(c, rep_mmu_windows[i]);
	for (size_t i = 0; i < s->nas; i++)
		if (s->as[i].stat == AS_MMU)
			s->as[i].measured = mmu_curve_mmu(c, s->as[i].window);
	s->r.have_mmu = 1;
	mmu_curve_free(c);
}

static int report_begin(t2p_sink *base, gt_reader *rd)
{
	report_sink *s = (report_sink *)base;
	gsum_hooks hooks = { .ctx = s, .region = on_region, .goroutine = on_goroutine,
			     .task = on_task };

	s->reader = rd;
	s->r.sym = gt_reader_symtab(rd);
	s->r.version = gt_reader_version(rd);
	if (!(s->sum = gsum_new(&hooks, s->r.sym))) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return -1;
	}
	s->r.sum = s->sum;
	return 0;
}

static int report_end(t2p_sink *base, gt_status status)
{
	report_sink *s = (report_sink *)base;
	t2p_output out = { 0 };
	outbuf *ob = NULL;
	int rc = -1, failed = 0;

	s->r.damaged = status != GT_END;
	if (gsum_finish(s->sum))
		s->oom = 1;
	compute_mmu(s, s->r.damaged);
	if (s->oom) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return -1;
	}
	cmp_sum = s->sum;
	if (s->r.ngs)
		qsort(s->r.gs, s->r.ngs, sizeof *s->r.gs, row_cmp);
	if (s->r.nregions)
		qsort(s->r.regions, s->r.nregions, sizeof *s->r.regions, region_cmp);
	if (s->r.ntasks)
		qsort(s->r.tasks, s->r.ntasks, sizeof *s->r.tasks, task_cmp);
	for (size_t i = 0; i < s->nas; i++) {
		assertion_eval(&s->as[i], &s->r);
		failed |= !s->as[i].pass;
	}
	if (!(ob = malloc(sizeof *ob))) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return -1;
	}
	if (s->json >= 0) {
		if (t2p_output_open(&out, s->path)) {
			free(ob);
			return -1;
		}
		ob_init(ob, out.f);
		if (s->json > 0)
			rep_write_json(ob, &s->r, s->as, s->nas);
		else
			rep_write_text(ob, &s->r, s->as, s->nas);
		if (ob_flush(ob)) {
			t2p_output_write_error(&out);
			t2p_output_abort(&out);
			free(ob);
			return -1;
		}
		if (t2p_output_commit(&out)) {
			free(ob);
			return -1;
		}
	}
	rc = 0;
	/* Failed assertions are said on standard error as well, whatever
	 * the report's form and place. */
	if (failed) {
		ob_init(ob, stderr);
		for (size_t i = 0; i < s->nas; i++)
			if (!s->as[i].pass) {
				ob_puts(ob, t2p_prog);
				ob_puts(ob, ": assertion failed: ");
				assertion_print(ob, &s->as[i]);
				ob_putc(ob, '\n');
			}
		ob_flush(ob);
		*s->failed = 1;
	}
	free(ob);
	return rc;
}

static void report_free(t2p_sink *base)
{
	report_sink *s = (report_sink *)base;
	report *r = &s->r;

	stat_free(&r->sched);
	for (int i = 0; i < REP_NBLOCK; i++)
		stat_free(&r->block[i]);
	for (size_t i = 0; i < r->nreasons; i++)
		stat_free(&r->reasons[i].st);
	free(r->reasons);
	stat_free(&r->long_syscalls);
	stat_free(&r->gc_mark);
	stat_free(&r->stw);
	stat_free(&r->assist);
	for (size_t i = 0; i < r->ngs; i++) {
		free(r->gs[i].block);
		free(r->gs[i].ranges);
	}
	free(r->gs);
	for (size_t i = 0; i < r->nregions; i++)
		dist_free(&r->regions[i].d);
	free(r->regions);
	for (size_t i = 0; i < r->ntasks; i++)
		dist_free(&r->tasks[i].d);
	free(r->tasks);
	free(r->gomaxprocs);
	free(r->busy);
	strtab_free(&r->names);
	gsum_free(s->sum);
	mutil_free(s->util);
	u64map_free(&s->gs);
	u64map_free(&s->reason_index);
	u64map_free(&s->ranges);
	u64map_free(&s->rows);
	u64map_free(&s->region_index);
	free(s);
}

t2p_sink *t2p_report_sink(const char *path, const char *trace, int form, assertion *as, size_t nas,
			  int *failed)
{
	report_sink *s = calloc(1, sizeof *s);

	if (!s || !(s->util = mutil_new(MUTIL_DEFAULT_FLAGS))) {
		free(s);
		return NULL;
	}
	s->base = (t2p_sink){ .name = "report", .begin = report_begin, .event = report_event,
			      .end = report_end, .free = report_free };
	s->path = path;
	s->r.trace = trace;
	s->json = form;
	s->as = as;
	s->nas = nas;
	s->failed = failed;
	s->r.mmu_flags = MUTIL_DEFAULT_FLAGS;
	strtab_init(&s->r.names);
	u64map_init(&s->gs, sizeof(rep_g));
	u64map_init(&s->reason_index, sizeof(uint64_t));
	u64map_init(&s->ranges, sizeof(int64_t));
	u64map_init(&s->rows, sizeof(uint64_t));
	u64map_init(&s->region_index, sizeof(uint64_t));
	return &s->base;
}

/* ---- goroutine groups (cmd/trace's /goroutines) ---- */

static int add_named(gsum_named **v, size_t *n, size_t *cap, gsum_named x)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].name == x.name) {
			(*v)[i].ns = gt_add64((*v)[i].ns, x.ns);
			return 0;
		}
	if (GT_RESERVE(*v, *cap, *n + 1))
		return -1;
	(*v)[(*n)++] = x;
	return 0;
}

static int group_cmp(const void *a, const void *b)
{
	const rep_group *x = a, *y = b;

	if (x->sum.exec != y->sum.exec)
		return x->sum.exec < y->sum.exec ? 1 : -1;
	return strcmp_gt(gsum_string(cmp_sum, x->name), gsum_string(cmp_sum, y->name));
}

rep_group *rep_groups(const report *r, size_t *n)
{
	rep_group *g = NULL;
	size_t ng = 0, cap = 0;
	u64map by_name;

	u64map_init(&by_name, sizeof(uint64_t));
	for (size_t i = 0; i < r->ngs; i++) {
		const rep_goroutine *row = &r->gs[i];
		uint64_t *slot;
		rep_group *grp;
		int added;

		if (!(slot = u64map_put(&by_name, row->name, &added)))
			goto oom;
		if (added) {
			if (GT_RESERVE(g, cap, ng + 1))
				goto oom;
			memset(&g[ng], 0, sizeof *g);
			g[ng].name = row->name;
			*slot = ++ng;
		}
		grp = &g[*slot - 1];
		grp->count++;
		/* time.Duration sums wrap. */
		grp->sum.total = gt_add64(grp->sum.total, row->total);
		grp->sum.exec = gt_add64(grp->sum.exec, row->exec);
		grp->sum.sched_wait = gt_add64(grp->sum.sched_wait, row->sched_wait);
		grp->sum.syscall = gt_add64(grp->sum.syscall, row->syscall);
		grp->sum.syscall_block = gt_add64(grp->sum.syscall_block, row->syscall_block);
		grp->sum.unknown = gt_add64(grp->sum.unknown, row->unknown);
		for (size_t k = 0; k < row->nblock; k++)
			if (add_named(&grp->sum.block, &grp->sum.nblock, &grp->capblock, row->block[k]))
				goto oom;
		for (size_t k = 0; k < row->nranges; k++)
			if (add_named(&grp->sum.ranges, &grp->sum.nranges, &grp->capranges,
				      row->ranges[k]))
				goto oom;
	}
	u64map_free(&by_name);
	cmp_sum = r->sum;
	if (ng)
		qsort(g, ng, sizeof *g, group_cmp);
	*n = ng;
	return g ? g : calloc(1, sizeof *g);
oom:
	u64map_free(&by_name);
	rep_groups_free(g, ng);
	return NULL;
}

void rep_groups_free(rep_group *g, size_t n)
{
	for (size_t i = 0; g && i < n; i++) {
		free(g[i].sum.block);
		free(g[i].sum.ranges);
	}
	free(g);
}
