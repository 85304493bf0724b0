/*
 * mmuplot.c - the MMU curve as go tool trace's MMU page fetches it
 * (/mmu?mode=plot&flags=...): the JSON of 100 window sizes and their
 * minimum mutator utilization.
 */
#include <stdlib.h>

#include "mmu.h"
#include "mutil.h"
#include "output.h"
#include "sink.h"

typedef struct mmuplot_sink {
	t2p_sink base;
	const char *path;
	mutil *util;
} mmuplot_sink;

static int mmuplot_begin(t2p_sink *s, gt_reader *r)
{
	(void)s;
	(void)r;
	return 0;
}

static int mmuplot_event(t2p_sink *s, const gt_event *ev)
{
	mmuplot_sink *m = (mmuplot_sink *)s;

	if (mutil_event(m->util, ev)) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return -1;
	}
	return 0;
}

static int mmuplot_end(t2p_sink *s, gt_status status)
{
	mmuplot_sink *m = (mmuplot_sink *)s;
	mutil_point **series;
	size_t *lens;
	mmu_curve *c = NULL;
	mmu_plot plot;
	t2p_output out = { 0 };
	outbuf *ob;
	int n, rc = -1;

	mutil_finish(m->util, status != GT_END);
	n = mutil_series(m->util, &series, &lens);
	if (n == 0) {
		fprintf(stderr, "%s: no MMU curve: the trace gives no GOMAXPROCS\n", t2p_prog);
		return -1;
	}
	if (n < 0 || !(c = mmu_curve_new(series, lens, (size_t)n)) || !(ob = malloc(sizeof *ob))) {
		mmu_curve_free(c);
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return -1;
	}
	mmu_curve_plot(c, &plot);
	mmu_curve_free(c);
	if (t2p_output_open(&out, m->path) == 0) {
		ob_init(ob, out.f);
		mmu_plot_json(ob, &plot);
		if (ob_flush(ob)) {
			t2p_output_write_error(&out);
			t2p_output_abort(&out);
		} else {
			rc = t2p_output_commit(&out);
		}
	}
	free(ob);
	return rc;
}

static void mmuplot_free(t2p_sink *s)
{
	mmuplot_sink *m = (mmuplot_sink *)s;

	mutil_free(m->util);
	free(m);
}

t2p_sink *t2p_mmu_sink(const char *path, unsigned flags)
{
	mmuplot_sink *m = calloc(1, sizeof *m);

	if (!m || !(m->util = mutil_new(flags))) {
		free(m);
		return NULL;
	}
	m->base = (t2p_sink){ .name = "mmu", .begin = mmuplot_begin, .event = mmuplot_event,
			      .end = mmuplot_end, .free = mmuplot_free };
	m->path = path;
	return &m->base;
}
