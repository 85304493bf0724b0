/*
 * pfcheck.h - check a Perfetto trace written by trace2pprof against the
 * writer rules (see pfcheck.c).
 */
#ifndef T2P_PFCHECK_H
#define T2P_PFCHECK_H

#include <stddef.h>
#include <stdint.h>

/* 0, or -1 with what is wrong in err. */
int pfcheck(const uint8_t *p, size_t n, char *err, size_t errlen);

#endif
