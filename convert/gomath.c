/*
 * gomath.c - Go's amd64 math.Log and math.Exp, operation for operation
 * (src/math/log_amd64.s, src/math/exp_amd64.s).  The build contracts no
 * multiply-add on its own (C11 mode: -ffp-contract=off), so each C
 * expression rounds where the assembly's instruction does; the fused ones
 * are fma().
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "gomath.h"

static uint64_t bits_of(double x)
{
	uint64_t b;

	memcpy(&b, &x, sizeof b);
	return b;
}

static double double_of(uint64_t b)
{
	double x;

	memcpy(&x, &b, sizeof x);
	return x;
}

double go_log(double x)
{
	static const double hsqrt2 = 7.07106781186547524401e-01, ln2hi = 6.93147180369123816490e-01,
			    ln2lo = 1.90821492927058770002e-10, l1 = 6.666666666666735130e-01,
			    l2 = 3.999999999940941908e-01, l3 = 2.857142874366239149e-01,
			    l4 = 2.222219843214978396e-01, l5 = 1.818357216161805012e-01,
			    l6 = 1.531383769920937332e-01, l7 = 1.479819860511658591e-01;
	uint64_t b = bits_of(x);
	double f1, k, f, s, s2, s4, t1, t2, r, hfsq;

	if ((b & ~(1ull << 63)) == 0)
		return -INFINITY;
	if ((int64_t)b < 0)
		return double_of(0x7FF8000000000001ull);
	if (b >= 0x7FF0000000000000ull)
		return x;
	/* Frexp: f1 in [0.5, 1), k the exponent.  (Like the assembly, this
	 * does not normalize subnormals: no duration is one.) */
	f1 = double_of((b & 0x000FFFFFFFFFFFFFull) | 0x3FE0000000000000ull);
	k = (double)((int)((b >> 52) & 0x7FF) - 0x3FE);
	/* CMPSD $5 (not less than): f1 <= sqrt(2)/2. */
	if (!(hsqrt2 < f1)) {
		k = k - 1.0;
		f1 = f1 * 2.0;
	}
	f = f1 - 1.0;
	s = f / (2.0 + f);
	s2 = s * s;
	s4 = s2 * s2;
	t1 = s2 * (((l7 * s4 + l5) * s4 + l3) * s4 + l1);
	t2 = s4 * ((l6 * s4 + l4) * s4 + l2);
	r = t1 + t2;
	hfsq = 0.5 * f * f;
	return k * ln2hi - ((hfsq - (s * (hfsq + r) + k * ln2lo)) - f);
}

double go_exp(double x)
{
	static const double log2e = 1.4426950408889634073599246810018920,
			    ln2u = 0.69314718055966295651160180568695068359375,
			    ln2l = 0.28235290563031577122588448175013436025525412068e-12,
			    overflow = 7.09782712893384e+02;
	static const double c[] = { 2.4801587301587301587e-5, 1.9841269841269841270e-4,
				    1.3888888888888888889e-3, 8.3333333333333333333e-3,
				    4.1666666666666666667e-2, 1.6666666666666666667e-1, 0.5, 1.0 };
	uint64_t b = bits_of(x);
	double k, t, y;
	long e;

	if ((b & ~(1ull << 63)) >= 0x7FF0000000000000ull)
		return b == 0xFFF0000000000000ull ? 0.0 : x;  /* -Inf: 0; +Inf, NaN: x */
	if (x > overflow)
		return INFINITY;
	/* CVTSD2SL rounds to nearest even, as lrint does by default; out of
	 * int32's range it gives INT32_MIN, the "integer indefinite". */
	t = log2e * x;
	e = (t >= -2147483648.0 && t < 2147483648.0) ? lrint(t) : INT32_MIN;
	k = (double)e;
	x = fma(-k, ln2u, x);
	x = fma(-k, ln2l, x);
	x = x * 0.0625;
	y = c[0];
	for (int i = 1; i < 8; i++)
		y = fma(y, x, c[i]);
	x = x * y;
	for (int i = 0; i < 3; i++)
		x = x * (x + 2.0);
	x = fma(x, x + 2.0, 1.0);
	/* fr * 2**exponent */
	e += 0x3FF;
	if (e <= 0) {
		if (e < -52)
			return 0.0;
		x = x * double_of((uint64_t)(e + 0x3FE) << 52);
		e = 1;
	} else if (e >= 0x7FF) {
		return INFINITY;
	}
	return x * double_of((uint64_t)e << 52);
}
