/*
 * gomath.h - math.Log and math.Exp as Go computes them on amd64, for
 * numbers that must equal cmd/trace's: the buckets of its duration
 * histograms (traceviewer/histogram.go) and the window sizes of its MMU
 * plot (traceviewer/mmu.go) turn on the last bit of these functions, and
 * C's libm rounds differently from Go's assembly.
 */
#ifndef T2P_GOMATH_H
#define T2P_GOMATH_H

/* math.Log: src/math/log_amd64.s, step for step. */
double go_log(double x);

/* math.Exp: src/math/exp_amd64.s on a CPU with AVX and FMA (its avxfma
 * path, which every x86-64 this side of 2013 takes). */
double go_exp(double x);

#endif
