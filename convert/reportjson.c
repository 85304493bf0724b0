/*
 * reportjson.c - trace2pprof -report=json: the report for machines, in the
 * schema docs/report.md documents (trace2pprof-report/1).  Durations are
 * integer nanoseconds; fractions are floats.
 */
#include <string.h>

#include "assertion.h"
#include "jsonw.h"
#include "report.h"

static void key(outbuf *o, const char *k)
{
	ob_putc(o, '"');
	ob_puts(o, k);
	ob_puts(o, "\":");
}

static void str(outbuf *o, gt_str s)
{
	/* An empty name (no frame, id 0) may have no bytes at all. */
	jw_string(o, s.ptr ? s.ptr : "", s.len);
}

static void zstr(outbuf *o, const char *s)
{
	jw_string(o, s, strlen(s));
}

static void hist(outbuf *o, const dist *d)
{
	ob_putc(o, '[');
	if (d->count)
		for (int i = d->min_bucket; i <= d->max_bucket; i++) {
			if (i > d->min_bucket)
				ob_putc(o, ',');
			ob_puts(o, "{\"min_ns\":");
			ob_i64(o, dist_bucket_min(i));
			ob_puts(o, ",\"count\":");
			ob_u64(o, d->hist[i]);
			ob_putc(o, '}');
		}
	ob_putc(o, ']');
}

/* The statistics every distribution has. */
static void stats(outbuf *o, const dist *d)
{
	static const struct {
		const char *name;
		double q;
	} qs[] = { { "p50_ns", 0.5 }, { "p90_ns", 0.9 }, { "p99_ns", 0.99 }, { "p999_ns", 0.999 } };

	key(o, "count");
	ob_u64(o, d->count);
	ob_putc(o, ',');
	key(o, "total_ns");
	ob_i64(o, d->total);
	for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
		ob_putc(o, ',');
		key(o, qs[i].name);
		ob_i64(o, dist_quantile(d, qs[i].q));
	}
	ob_putc(o, ',');
	key(o, "max_ns");
	ob_i64(o, d->count ? d->max : 0);
	ob_putc(o, ',');
	key(o, "histogram");
	hist(o, d);
}

static void frames(outbuf *o, const report *r, uint32_t stack)
{
	size_t n = 0;
	const uint32_t *f = stack != GT_NO_STACK ? gt_symtab_stack(r->sym, stack, &n) : NULL;

	ob_putc(o, '[');
	for (size_t i = 0; i < n; i++) {
		gt_frame fr;

		gt_symtab_frame(r->sym, f[i], &fr);
		ob_puts(o, i ? ",{\"func\":" : "{\"func\":");
		str(o, fr.func);
		ob_puts(o, ",\"file\":");
		str(o, fr.file);
		ob_puts(o, ",\"line\":");
		ob_u64(o, fr.line);
		ob_puts(o, ",\"pc\":\"0x");
		ob_x64(o, fr.pc);
		ob_puts(o, "\"}");
	}
	ob_putc(o, ']');
}

/* A distribution with its top sites, the members of an object. */
static void stat_sites_members(outbuf *o, const report *r, const rep_stat *st)
{
	rep_site top[REP_TOP_SITES];
	size_t n = rep_top_sites(st, top, REP_TOP_SITES);

	stats(o, &st->d);
	ob_putc(o, ',');
	key(o, "top_sites");
	ob_putc(o, '[');
	for (size_t i = 0; i < n; i++) {
		ob_puts(o, i ? ",{" : "{");
		key(o, "count");
		ob_u64(o, top[i].count);
		ob_putc(o, ',');
		key(o, "total_ns");
		ob_i64(o, top[i].total);
		ob_putc(o, ',');
		key(o, "stack");
		frames(o, r, top[i].stack);
		ob_putc(o, '}');
	}
	ob_putc(o, ']');
}

static void stat_sites(outbuf *o, const report *r, const rep_stat *st)
{
	ob_putc(o, '{');
	stat_sites_members(o, r, st);
	ob_putc(o, '}');
}

static void named(outbuf *o, const report *r, const gsum_named *v, size_t n)
{
	ob_putc(o, '{');
	for (size_t i = 0; i < n; i++) {
		if (i)
			ob_putc(o, ',');
		str(o, gsum_string(r->sum, v[i].name));
		ob_putc(o, ':');
		ob_i64(o, v[i].ns);
	}
	ob_putc(o, '}');
}

/* A goroutine's or a group's times: GoroutineExecStats. */
static void times(outbuf *o, const report *r, const rep_goroutine *g)
{
	key(o, "total_ns");
	ob_i64(o, g->total);
	ob_puts(o, ",\"exec_ns\":");
	ob_i64(o, g->exec);
	ob_puts(o, ",\"sched_wait_ns\":");
	ob_i64(o, g->sched_wait);
	ob_puts(o, ",\"syscall_ns\":");
	ob_i64(o, g->syscall);
	ob_puts(o, ",\"syscall_block_ns\":");
	ob_i64(o, g->syscall_block);
	ob_puts(o, ",\"unknown_ns\":");
	ob_i64(o, g->unknown);
	ob_puts(o, ",\"block_ns\":");
	named(o, r, g->block, g->nblock);
	ob_puts(o, ",\"ranges_ns\":");
	named(o, r, g->ranges, g->nranges);
}

static const char *format_releases(int v)
{
	switch (v) {
	case 11: return "1.11-1.18";
	case 19: return "1.19-1.20";
	case 21: return "1.21";
	case 22: return "1.22";
	case 23: return "1.23-1.24";
	case 25: return "1.25";
	case 26: return "1.26-1.27";
	default: return "";
	}
}

static void overview(outbuf *o, const report *r)
{
	int64_t dur = r->end - r->start;
	double busy = 0;

	ob_puts(o, "\"trace\":{\"format\":\"go 1.");
	ob_i64(o, r->version);
	ob_puts(o, "\",\"releases\":");
	zstr(o, format_releases(r->version));
	ob_puts(o, ",\"damaged\":");
	ob_puts(o, r->damaged ? "true" : "false");
	ob_puts(o, ",\"start_ns\":");
	ob_i64(o, r->start);
	ob_puts(o, ",\"end_ns\":");
	ob_i64(o, r->end);
	ob_puts(o, ",\"duration_ns\":");
	ob_i64(o, dur);
	ob_puts(o, ",\"events\":");
	ob_u64(o, r->events);
	ob_puts(o, ",\"goroutines_created\":");
	ob_u64(o, r->goroutines_created);
	ob_puts(o, ",\"gomaxprocs\":[");
	for (size_t i = 0; i < r->ngomaxprocs; i++) {
		ob_puts(o, i ? ",{\"time_ns\":" : "{\"time_ns\":");
		ob_i64(o, r->gomaxprocs[i].time);
		ob_puts(o, ",\"value\":");
		ob_u64(o, r->gomaxprocs[i].value);
		ob_putc(o, '}');
	}
	ob_puts(o, "],\"gomaxprocs_changes\":");
	ob_u64(o, r->gomaxprocs_changes);
	ob_puts(o, ",\"procs\":[");
	for (size_t p = 0; p < r->nbusy; p++) {
		busy += (double)r->busy[p];
		ob_puts(o, p ? ",{\"p\":" : "{\"p\":");
		ob_u64(o, p);
		ob_puts(o, ",\"busy_ns\":");
		ob_i64(o, r->busy[p]);
		ob_puts(o, ",\"utilization\":");
		jw_float(o, dur > 0 ? (double)r->busy[p] / (double)dur : 0);
		ob_putc(o, '}');
	}
	ob_puts(o, "],\"utilization\":");
	jw_float(o, r->procs_time > 0 ? busy / r->procs_time : 0);
	ob_putc(o, '}');
}

static void assertions(outbuf *o, const assertion *as, size_t nas)
{
	ob_puts(o, ",\"assertions\":[");
	for (size_t i = 0; i < nas; i++) {
		ob_puts(o, i ? ",{\"expr\":" : "{\"expr\":");
		zstr(o, as[i].expr);
		ob_puts(o, ",\"found\":");
		ob_puts(o, as[i].found ? "true" : "false");
		ob_puts(o, ",\"measured\":");
		jw_float(o, as[i].measured);
		ob_puts(o, ",\"pass\":");
		ob_puts(o, as[i].pass ? "true" : "false");
		ob_putc(o, '}');
	}
	ob_putc(o, ']');
}

void rep_write_json(outbuf *o, const report *r, const assertion *as, size_t nas)
{
	size_t ngroups = 0;
	rep_group *groups = rep_groups(r, &ngroups);

	ob_puts(o, "{\"schema\":\"trace2pprof-report/1\",");
	overview(o, r);
	ob_puts(o, ",\"sched\":{");
	stat_sites_members(o, r, &r->sched);
	ob_puts(o, ",\"class\":");
	zstr(o, rep_sched_class(dist_quantile(&r->sched.d, 0.99)));
	ob_puts(o, "},\"block\":{");
	for (int i = 0; i < REP_NBLOCK; i++) {
		if (i)
			ob_putc(o, ',');
		key(o, rep_block_names[i]);
		stat_sites(o, r, &r->block[i]);
	}
	ob_puts(o, "},\"wait_reasons\":[");
	for (size_t i = 0; i < r->nreasons; i++) {
		ob_puts(o, i ? ",{\"reason\":" : "{\"reason\":");
		str(o, strtab_get(&r->names, r->reasons[i].name));
		ob_puts(o, ",\"stats\":");
		stat_sites(o, r, &r->reasons[i].st);
		ob_putc(o, '}');
	}
	ob_puts(o, "],\"long_syscalls\":");
	stat_sites(o, r, &r->long_syscalls);
	ob_puts(o, ",\"gc\":{\"cycles\":");
	ob_u64(o, r->gc_cycles);
	ob_puts(o, ",\"mark_phases\":{");
	stats(o, &r->gc_mark.d);
	ob_puts(o, "},\"stw\":{");
	stats(o, &r->stw.d);
	ob_puts(o, ",\"over_1ms\":");
	ob_u64(o, r->stw_over_1ms);
	ob_puts(o, "},\"mark_assist\":{");
	stats(o, &r->assist.d);
	ob_puts(o, "},\"mark_workers_ns\":{");
	for (int i = 0; i < REP_NWORKER; i++) {
		if (i)
			ob_putc(o, ',');
		key(o, rep_worker_names[i]);
		ob_i64(o, r->worker_ns[i]);
	}
	ob_puts(o, "},\"mmu\":{\"flags\":\"stw|background|assist\",\"windows\":[");
	for (int i = 0; r->have_mmu && i < REP_MMU_WINDOWS; i++) {
		ob_puts(o, i ? ",{\"window_ns\":" : "{\"window_ns\":");
		ob_i64(o, rep_mmu_windows[i]);
		ob_puts(o, ",\"mmu\":");
		jw_float(o, r->mmu[i]);
		ob_putc(o, '}');
	}
	ob_puts(o, "]}},\"goroutine_groups\":[");
	for (size_t i = 0; groups && i < ngroups; i++) {
		ob_puts(o, i ? ",{\"name\":" : "{\"name\":");
		str(o, gsum_string(r->sum, groups[i].name));
		ob_puts(o, ",\"count\":");
		ob_u64(o, groups[i].count);
		ob_putc(o, ',');
		times(o, r, &groups[i].sum);
		ob_putc(o, '}');
	}
	ob_puts(o, "],\"goroutines\":[");
	for (size_t i = 0; i < r->ngs; i++) {
		ob_puts(o, i ? ",{\"id\":" : "{\"id\":");
		ob_i64(o, r->gs[i].id);
		ob_puts(o, ",\"name\":");
		str(o, gsum_string(r->sum, r->gs[i].name));
		ob_putc(o, ',');
		times(o, r, &r->gs[i]);
		ob_putc(o, '}');
	}
	ob_puts(o, "],\"tasks\":[");
	for (size_t i = 0; i < r->ntasks; i++) {
		ob_puts(o, i ? ",{\"type\":" : "{\"type\":");
		str(o, gsum_string(r->sum, r->tasks[i].type));
		ob_puts(o, ",\"count\":");
		ob_u64(o, r->tasks[i].count);
		ob_puts(o, ",\"complete\":{");
		stats(o, &r->tasks[i].d);
		ob_puts(o, "}}");
	}
	ob_puts(o, "],\"regions\":[");
	for (size_t i = 0; i < r->nregions; i++) {
		const rep_region_type *rt = &r->regions[i];
		size_t n = 0;
		const uint32_t *f = rt->stack != GT_NO_STACK ? gt_symtab_stack(r->sym, rt->stack, &n) : NULL;
		gt_frame fr = { 0 };

		if (n)
			gt_symtab_frame(r->sym, f[n - 1], &fr);
		ob_puts(o, i ? ",{\"type\":" : "{\"type\":");
		str(o, gsum_string(r->sum, rt->type));
		ob_puts(o, ",\"pc\":\"0x");
		ob_x64(o, rt->pc);
		ob_putc(o, '"');
		ob_puts(o, ",\"func\":");
		str(o, fr.func);
		ob_puts(o, ",\"file\":");
		str(o, fr.file);
		ob_puts(o, ",\"line\":");
		ob_u64(o, fr.line);
		ob_putc(o, ',');
		stats(o, &rt->d);
		ob_putc(o, '}');
	}
	ob_putc(o, ']');
	assertions(o, as, nas);
	ob_puts(o, "}\n");
	rep_groups_free(groups, ngroups);
}
