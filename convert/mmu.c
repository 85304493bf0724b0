/*
 * mmu.c - internal/trace/gc.go's MMUCurve (bands, integrators, the band
 * heap) and traceviewer/mmu.go's plot, in the same floating-point
 * operations in the same order, so that each value is Go's to the bit.
 */
#include <stdlib.h>

#include "gomath.h"
#include "jsonw.h"
#include "mmu.h"

typedef struct band {
	double min_util;   /* the lowest instantaneous utilization in the band */
	double cum_util;   /* total utilization from time 0 to the band's left edge */
	size_t pos;        /* the left edge's integrator */
} band;

typedef struct mseries {
	mutil_point *util;
	size_t n;
	double *sums;      /* sums[j]: total utilization of util[:j] */
	band *bands;
	size_t nbands;
	int64_t band_dur;
} mseries;

struct mmu_curve {
	mseries *series;
	size_t n;
};

/* gc.go integrator: a position in a function; pos is the index of the
 * current time's non-strict predecessor. */
typedef struct integrator {
	const mseries *u;
	size_t pos;
} integrator;

/* The integral of the function from 0 to time, which only grows. */
static double advance(integrator *in, int64_t time)
{
	const mutil_point *util = in->u->util;
	size_t pos = in->pos, n = in->u->n;
	enum { MAX_SEQ = 8 };
	double partial = 0;

	if (pos + MAX_SEQ < n && util[pos + MAX_SEQ].time > time) {
		while (pos + 1 < n && util[pos + 1].time <= time)
			pos++;
	} else {
		size_t l = pos, r = n;

		while (l < r) {
			size_t h = (l + r) >> 1;

			if (util[h].time <= time)
				l = h + 1;
			else
				r = h;
		}
		pos = l - 1;
	}
	in->pos = pos;
	if (time != util[pos].time)
		partial = util[pos].util * (double)(time - util[pos].time);
	return in->u->sums[pos] + partial;
}

/* The first change of the function after time. */
static int64_t next_change(const integrator *in, int64_t time)
{
	for (size_t i = in->pos; i < in->u->n; i++)
		if (in->u->util[i].time > time)
			return in->u->util[i].time;
	return INT64_MAX;
}

static void band_time(const mseries *s, size_t i, int64_t *start, int64_t *end)
{
	*start = (int64_t)i * s->band_dur + s->util[0].time;
	*end = *start + s->band_dur;
}

/* gc.go bandsPerSeries. */
#define BANDS_PER_SERIES 1000

static int series_init(mseries *s, mutil_point *util, size_t n)
{
	mutil_point prev = { 0, 0 };
	double sum = 0;
	size_t nbands = n < BANDS_PER_SERIES ? n : BANDS_PER_SERIES;
	int64_t dur;
	integrator left = { s, 0 };

	s->util = util;
	s->n = n;
	s->sums = malloc(n * sizeof *s->sums);
	s->bands = malloc((nbands + 1) * sizeof *s->bands);
	if (!s->sums || !s->bands)
		return -1;
	for (size_t j = 0; j < n; j++) {
		sum += prev.util * (double)(util[j].time - prev.time);
		s->sums[j] = sum;
		prev = util[j];
	}
	dur = util[n - 1].time - util[0].time;
	s->band_dur = (dur + (int64_t)nbands - 1) / (int64_t)nbands;
	if (s->band_dur < 1)
		s->band_dur = 1;
	s->nbands = nbands + 1;  /* one more, for the final cumulative sum */
	for (size_t i = 0; i < s->nbands; i++) {
		int64_t start, end;
		double cum, min = 1.0;

		band_time(s, i, &start, &end);
		cum = advance(&left, start);
		for (size_t k = left.pos; k < n && util[k].time < end; k++)
			if (util[k].util < min)
				min = util[k].util;
		s->bands[i] = (band){ min, cum, left.pos };
	}
	return 0;
}

mmu_curve *mmu_curve_new(mutil_point **series, size_t *lens, size_t n)
{
	mmu_curve *c = calloc(1, sizeof *c);
	size_t i;

	if (c && !(c->series = calloc(n ? n : 1, sizeof *c->series))) {
		free(c);
		c = NULL;
	}
	for (i = 0; c && i < n; i++) {
		c->n = i + 1;
		if (series_init(&c->series[i], series[i], lens[i])) {
			mmu_curve_free(c);
			c = NULL;
		}
	}
	for (; i < n; i++)
		free(series[i]);
	free(series);
	free(lens);
	return c;
}

void mmu_curve_free(mmu_curve *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		free(c->series[i].util);
		free(c->series[i].sums);
		free(c->series[i].bands);
	}
	free(c->series);
	free(c);
}

/* gc.go bandUtil: a lower bound of the utilization of every window whose
 * left edge is in band i of a series. */
typedef struct band_util {
	size_t series, i;
	double bound;
} band_util;

/* container/heap over band_util by bound, as Go's: the same order of
 * refinement, so the same windows are measured. */
static void heap_down(band_util *h, size_t i0, size_t n)
{
	size_t i = i0;

	for (;;) {
		size_t j1 = 2 * i + 1, j;
		band_util t;

		if (j1 >= n)
			break;
		j = j1;
		if (j1 + 1 < n && h[j1 + 1].bound < h[j1].bound)
			j = j1 + 1;
		if (!(h[j].bound < h[i].bound))
			break;
		t = h[i];
		h[i] = h[j];
		h[j] = t;
		i = j;
	}
}

static double dmin(double a, double b)
{
	return a < b ? a : b;
}

/* gc.go mkBandUtil: appends the bounds of a series' bands to h. */
static size_t mk_band_util(const mseries *c, size_t series, int64_t window, band_util *h)
{
	int64_t min_bands = (window + c->band_dur - 1) / c->band_dur;
	int64_t max_bands = (window + 2 * (c->band_dur - 1)) / c->band_dur;
	int64_t tail_dur = window % c->band_dur;
	int64_t nutil = (int64_t)c->nbands - max_bands + 1;

	/* A function of no length leaves no window (Go's would index band -1). */
	if (nutil < 0 || window <= 0)
		nutil = 0;
	for (int64_t i = 0; i < nutil; i++) {
		double util = 0, l, r1, r2, min_band;

		/* The minimum for the bands a window may cover in part, the
		 * mean for those every window covers whole. */
		l = c->bands[i].min_util;
		r1 = c->bands[i + min_bands - 1].min_util;
		r2 = c->bands[i + max_bands - 1].min_util;
		min_band = dmin(l, dmin(r1, r2));
		if (min_bands == 1) {
			util += min_band * (double)window;
		} else {
			double mid = 0.0;

			util += min_band * (double)c->band_dur;
			if (min_band == l)
				mid = dmin(r1, r2);
			else if (min_band == r1)
				mid = dmin(l, r2);
			else if (min_band == r2)
				mid = dmin(l, r1);
			util += mid * (double)tail_dur;
		}
		if (min_bands > 2)
			util += c->bands[i + min_bands - 1].cum_util - c->bands[i + 1].cum_util;
		h[i] = (band_util){ series, (size_t)i, util / (double)window };
	}
	return (size_t)nutil;
}

/* gc.go accumulator, for the MMU alone: no worst windows, no MUD. */
typedef struct accumulator {
	double mmu, bound;
} accumulator;

/* addMU: true when nothing further can lower the MMU. */
static int add_mu(accumulator *acc, double mu)
{
	if (mu < acc->mmu)
		acc->mmu = mu;
	acc->bound = acc->mmu;
	return mu == 0;
}

/* gc.go bandMMU: the exact MMU of the windows with a left edge in band
 * band_idx.  The windowed function is piecewise linear with its minima
 * where an edge meets a change of utilization: only those are visited,
 * skipping what its slope (at most 1/window) cannot bring under the bound. */
static void band_mmu(const mseries *c, size_t band_idx, int64_t window, accumulator *acc)
{
	integrator left = { c, c->bands[band_idx].pos }, right = left;
	int64_t time, end_time, util_end = c->util[c->n - 1].time - window;

	band_time(c, band_idx, &time, &end_time);
	if (util_end < end_time)
		end_time = util_end;
	for (;;) {
		double r = advance(&right, time + window), l = advance(&left, time);
		double mu = (r - l) / (double)window;
		int64_t min_time, t1, t2;

		if (add_mu(acc, mu) || time == end_time)
			break;
		min_time = time + (int64_t)((mu - acc->bound) * (double)window);
		t1 = next_change(&left, time);
		t2 = next_change(&right, time + window) - window;
		time = t1 < t2 ? t1 : t2;
		if (time < min_time)
			time = min_time;
		if (time >= end_time)
			time = end_time;
	}
}

double mmu_curve_mmu(mmu_curve *c, int64_t window)
{
	accumulator acc = { 1.0, 1.0 };
	band_util *h;
	int64_t *windows;
	size_t n = 0, total = 0;

	if (window <= 0)
		return 0;
	for (size_t i = 0; i < c->n; i++)
		total += c->series[i].nbands;
	h = malloc((total ? total : 1) * sizeof *h);
	windows = malloc((c->n ? c->n : 1) * sizeof *windows);
	if (!h || !windows) {
		free(h);
		free(windows);
		return -1;
	}
	for (size_t i = 0; i < c->n; i++) {
		const mseries *s = &c->series[i];
		int64_t max = s->util[s->n - 1].time - s->util[0].time;

		windows[i] = window > max ? max : window;
		n += mk_band_util(s, i, windows[i], h + n);
	}
	/* heap.Init, then pop the lowest bound while it is under the MMU. */
	for (size_t i = n / 2; i-- > 0;)
		heap_down(h, i, n);
	while (n > 0 && h[0].bound < acc.bound) {
		band_util t;

		band_mmu(&c->series[h[0].series], h[0].i, windows[h[0].series], &acc);
		t = h[0];
		h[0] = h[n - 1];
		h[n - 1] = t;
		heap_down(h, 0, n - 1);
		n--;
	}
	free(h);
	free(windows);
	return acc.mmu;
}

int mmu_curve_plot(mmu_curve *c, mmu_plot *plot)
{
	int64_t xmin = 1000000000, xmax, min_ev, max_ev;
	double log_min, log_max;

	if (c->n == 0)
		return -1;
	/* A starting point: the first of 1s, 1ms, 1us where the MMU is
	 * under 0.0001, or 1ns. */
	while (xmin > 1) {
		if (mmu_curve_mmu(c, xmin) < 0.0001)
			break;
		xmin /= 1000;
	}
	xmax = xmin * 1000000;
	min_ev = c->series[0].util[0].time;
	max_ev = c->series[0].util[c->series[0].n - 1].time;
	for (size_t i = 1; i < c->n; i++) {
		const mseries *s = &c->series[i];

		if (s->util[0].time < min_ev)
			min_ev = s->util[0].time;
		if (s->util[s->n - 1].time > max_ev)
			max_ev = s->util[s->n - 1].time;
	}
	if (xmax > max_ev - min_ev)
		xmax = max_ev - min_ev;
	plot->xmin = xmin;
	plot->xmax = xmax;
	log_min = go_log((double)xmin);
	log_max = go_log((double)xmax);
	for (int i = 0; i < MMU_PLOT_POINTS; i++) {
		double w = go_exp((double)i / (MMU_PLOT_POINTS - 1) * (log_max - log_min) + log_min);
		/* time.Duration(float): Go truncates, and out of range (NaN from
		 * an empty trace's log(0)) takes amd64's INT64_MIN. */
		int64_t window = w >= -9223372036854775808.0 && w < 9223372036854775808.0 ? (int64_t)w
											  : INT64_MIN;

		plot->window[i] = (double)window;
		plot->mmu[i] = mmu_curve_mmu(c, window);
	}
	return 0;
}

void mmu_plot_json(outbuf *o, const mmu_plot *plot)
{
	/* encoding/json sorts a map's keys. */
	ob_puts(o, "{\"curve\":[");
	for (int i = 0; i < MMU_PLOT_POINTS; i++) {
		ob_puts(o, i ? ",[" : "[");
		jw_float(o, plot->window[i]);
		ob_putc(o, ',');
		jw_float(o, plot->mmu[i]);
		ob_putc(o, ']');
	}
	ob_puts(o, "],\"quantiles\":null,\"xMax\":");
	ob_i64(o, plot->xmax);
	ob_puts(o, ",\"xMin\":");
	ob_i64(o, plot->xmin);
	ob_puts(o, "}\n");
}
