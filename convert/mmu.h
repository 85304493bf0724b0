/*
 * mmu.h - minimum mutator utilization: internal/trace/gc.go's MMUCurve
 * over the functions of mutil.h, and the plot go tool trace's MMU page
 * draws (traceviewer/mmu.go HandlePlot), with the same windows and values.
 */
#ifndef T2P_MMU_H
#define T2P_MMU_H

#include <stddef.h>
#include <stdint.h>

#include "mutil.h"
#include "outbuf.h"

typedef struct mmu_curve mmu_curve;

/* Takes the functions (from mutil_series) and frees them with the curve.
 * NULL if out of memory (the functions freed too). */
mmu_curve *mmu_curve_new(mutil_point **series, size_t *lens, size_t n);
void mmu_curve_free(mmu_curve *c);
/* The MMU for windows of `window` ns: MMUCurve.MMU. */
double mmu_curve_mmu(mmu_curve *c, int64_t window);

#define MMU_PLOT_POINTS 100

typedef struct mmu_plot {
	int64_t xmin, xmax;
	double window[MMU_PLOT_POINTS], mmu[MMU_PLOT_POINTS];
} mmu_plot;

/* The plot: windows from the first at which the MMU falls under 0.0001
 * (of 1s, 1ms, 1us, 1ns) over six orders of magnitude or the trace's
 * length.  -1 if the curve has no function (Go's handler would fail). */
int mmu_curve_plot(mmu_curve *c, mmu_plot *plot);
/* The plot as /mmu?mode=plot answers it (without "mut": quantiles null). */
void mmu_plot_json(outbuf *o, const mmu_plot *plot);

#endif
