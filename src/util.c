/*
 * util.c - error slot and array growth shared by every module.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

gt_status gt_fail(gt_err *e, gt_status code, uint64_t offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	gt_vfail(e, code, offset, fmt, ap);
	va_end(ap);
	return code;
}

gt_status gt_vfail(gt_err *e, gt_status code, uint64_t offset, const char *fmt, va_list ap)
{
	vsnprintf(e->buf, sizeof e->buf, fmt, ap);
	e->pub.code = code;
	e->pub.offset = offset;
	e->pub.generation = e->gen;
	e->pub.m = e->m;
	e->pub.msg = e->buf;
	return code;
}

int gt_grow(void **p, size_t *cap, size_t need, size_t elsize)
{
	size_t ncap;
	void *np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 8;
	while (ncap < need) {
		if (ncap > SIZE_MAX / 2 / elsize)
			return -1;
		ncap *= 2;
	}
	np = realloc(*p, ncap * elsize);
	if (!np)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}
