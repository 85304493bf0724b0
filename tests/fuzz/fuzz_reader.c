/*
 * fuzz_reader.c - libFuzzer harness: every input goes through the reader and
 * all the sinks (profiles, the three JSON views, the proc view in parts of
 * 4 KiB (into a directory of its own), Perfetto's protobuf plain
 * and gzip-compressed, the event dump, the report as text and JSON with
 * assertions, the MMU curves), as the CLI would run them, the profiles
 * through selection stages that select nothing; goroutines by name and a
 * window; regions by type and latency; tasks by type; inputs of odd length
 * are read ahead (on a second thread).  Then through the raw reader, for -d=wire and
 * -d=footprint.  Outputs go to standard output, which is /dev/null here,
 * but for the plain Perfetto trace: a file, which must then keep Perfetto's
 * writer rules (tests/tools/pfcheck.c).
 * tests/fuzz/run also silences the sinks' messages (-close_fd_mask=2).
 *
 * Build: cmake -DGT_FUZZ=ON -DCMAKE_C_COMPILER=clang; run: tests/fuzz/run.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "assertion.h"
#include "gotrace.h"
#include "mutil.h"
#include "pfcheck.h"
#include "pprof.h"
#include "rawdump.h"
#include "select.h"
#include "sink.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An assertion of each kind, checked against every report. */
static const char *const assertion_exprs[] = { "sched.p99<1ms", "stw.max<=1ms", "mmu:10ms>0.5",
					       "region:a.b.p999>=1ns", "task:t.count>1",
					       "wait:chan receive.total<1s", "block:sync.p50<2s" };
#define NASSERT (sizeof assertion_exprs / sizeof *assertion_exprs)
static assertion assertions[2][NASSERT];
static char pftrace[] = "/tmp/fuzz_reader.pftrace.XXXXXX";
static char parts[] = "/tmp/fuzz_reader.parts.XXXXXX";

static void remove_outputs(void)
{
	DIR *d = opendir(parts);
	struct dirent *de;
	char path[sizeof parts + 256];

	unlink(pftrace);
	while (d && (de = readdir(d)))
		if (de->d_name[0] != '.') {
			snprintf(path, sizeof path, "%s/%s", parts, de->d_name);
			unlink(path);
		}
	if (d)
		closedir(d);
	rmdir(parts);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char err[256];
	int fd = mkstemp(pftrace);

	if (!mkdtemp(parts))
		abort();
	(void)argc;
	(void)argv;
	if (!freopen("/dev/null", "w", stdout) || fd < 0)
		abort();
	close(fd);
	atexit(remove_outputs);
	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < NASSERT; i++)
			if (assertion_parse(assertion_exprs[i], &assertions[k][i], err, sizeof err))
				abort();
	return 0;
}

/* The Perfetto trace written, if any, keeps the rules. */
static void check_pftrace(void)
{
	FILE *f = fopen(pftrace, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, got;
	char err[512];

	if (!f)
		return;
	do {
		if (n == cap && !(buf = realloc(buf, cap = cap ? 2 * cap : 1 << 16)))
			abort();
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	if (n && pfcheck(buf, n, err, sizeof err)) {
		fprintf(stderr, "fuzz_reader: the Perfetto trace breaks a rule: %s\n", err);
		abort();
	}
	free(buf);
}

static void raw_dumps(const uint8_t *data, size_t size)
{
	for (int footprint = 0; footprint < 2; footprint++) {
		gt_raw_reader *r = gt_raw_reader_new();
		uint64_t events;

		if (r && gt_raw_reader_open_memory(r, data, size) == GT_OK)
			(void)(footprint ? t2p_dump_footprint(r, NULL) : t2p_dump_wire(r, NULL, &events));
		gt_raw_reader_free(r);
	}
}

/* The selections' first reading, of the same bytes. */
static int prepass(t2p_select *sel, const uint8_t *data, size_t size)
{
	gt_reader *r = gt_reader_new();
	t2p_sink *pre = sel_prepass_sink(sel);
	gt_status st;
	gt_event ev;
	int failed = 0;

	if (r && gt_reader_open_memory(r, data, size) == GT_OK && !(failed = pre->begin(pre, r))) {
		while (!failed && (st = gt_reader_next(r, &ev)) == GT_OK)
			failed = pre->event(pre, &ev);
		failed = failed || pre->end(pre, st);
	}
	gt_reader_free(r);
	return failed;
}

#define NSELS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int assert_failed = 0;
	static const t2p_selection everything = { 0 },
		some = { .goroutine = "main.main", .has_from = 1, .from = 1000, .has_to = 1,
			 .to = 1000000000 },
		regions = { .regions = { .type = "step", .has_latmin = 1, .latmin = 1000 } },
		tasks = { .regions = { .task = "t" } };
	t2p_select *sels[] = { t2p_select_new(&everything), t2p_select_new(&some),
			       t2p_select_new(&regions), t2p_select_new(&tasks) };
	pp_config every_profile = { .types = (1u << PP_NTYPES) - 1, .sel = sels[0] },
		  selected = { .types = 1u << PP_SCHED | 1u << PP_CPU | 1u << PP_WALL,
			       .sel = sels[1], .labels = 1 },
		  in_regions = { .types = 1u << PP_SYNC | 1u << PP_CPU, .sel = sels[2] },
		  in_tasks = { .types = 1u << PP_SCHED | 1u << PP_WALL, .sel = sels[3], .labels = 1 };
	t2p_sink *sinks[] = {
		sels[0] ? t2p_pprof_sink(&every_profile) : NULL,
		sels[1] ? t2p_pprof_sink(&selected) : NULL,
		sels[2] ? t2p_pprof_sink(&in_regions) : NULL,
		sels[3] ? t2p_pprof_sink(&in_tasks) : NULL,
		t2p_json_sink(NULL, T2P_VIEW_PROC, NULL),
		t2p_json_sink(NULL, T2P_VIEW_THREAD, NULL),
		t2p_json_sink(NULL, T2P_VIEW_GOROUTINE, NULL),
		t2p_json_parts_sink(parts, T2P_VIEW_PROC, 4096, sels[1]),
		t2p_perfetto_sink(pftrace, 0, sels[1]),
		t2p_perfetto_sink(NULL, 1, NULL),
		t2p_dump_sink(NULL),
		t2p_report_sink(NULL, "fuzz", 0, assertions[0], NASSERT, &assert_failed),
		t2p_report_sink(NULL, "fuzz", 1, assertions[1], NASSERT, &assert_failed),
		t2p_mmu_sink(NULL, MUTIL_DEFAULT_FLAGS),
		t2p_mmu_sink(NULL, MUTIL_STW | MUTIL_BACKGROUND | MUTIL_ASSIST | MUTIL_SWEEP |
					   MUTIL_PER_PROC),
	};
	const int nsinks = (int)(sizeof sinks / sizeof *sinks);
	gt_reader *r;

	/* Emptied first: a conversion that fails commits nothing. */
	if (truncate(pftrace, 0))
		abort();
	r = gt_reader_new();
	gt_status st = r ? gt_reader_open_memory(r, data, size) : GT_ERR_NOMEM;
	gt_event ev;
	int failed = st != GT_OK;

	for (int i = 0; i < NSELS && !failed; i++)
		failed = !sels[i] || (sel_needs_prepass(sels[i]) && prepass(sels[i], data, size)) ||
			 sel_begin(sels[i], r) != 0;
	for (int i = 0; i < nsinks; i++)
		if (!sinks[i] || (!failed && sinks[i]->begin(sinks[i], r)))
			failed = 1;
	if (!failed && size % 2)
		(void)gt_reader_read_ahead(r);
	while (!failed && (st = gt_reader_next(r, &ev)) == GT_OK) {
		for (int i = 0; i < NSELS; i++)
			sel_event(sels[i], &ev);
		for (int i = 0; i < nsinks && !failed; i++)
			failed = sinks[i]->event(sinks[i], &ev) != 0;
	}
	for (int i = 0; i < NSELS && !failed; i++) {
		failed = sel_trace_end(sels[i], st) != 0;
		(void)sel_finish(sels[i]);  /* main.main is seldom there: write anyway */
	}
	for (int i = 0; i < nsinks && !failed; i++)
		failed = sinks[i]->end(sinks[i], st) != 0;
	for (int i = 0; i < nsinks; i++)
		if (sinks[i])
			sinks[i]->free(sinks[i]);
	for (int i = 0; i < NSELS; i++)
		t2p_select_free(sels[i]);
	gt_reader_free(r);
	check_pftrace();
	raw_dumps(data, size);
	return 0;
}
