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

const char *gt_strerror(gt_status code)
{
	switch (code) {
	case GT_OK: return "ok";
	case GT_END: return "end of trace";
	case GT_ERR_IO: return "read error";
	case GT_ERR_FORMAT: return "not a Go execution trace";
	case GT_ERR_VERSION: return "unsupported trace version";
	case GT_ERR_CORRUPT: return "corrupt trace";
	case GT_ERR_TRUNCATED: return "truncated trace";
	case GT_ERR_BROKEN: return "broken trace";
	case GT_ERR_LIMIT: return "trace exceeds a limit";
	case GT_ERR_NOMEM: return "out of memory";
	}
	return "unknown error";
}
