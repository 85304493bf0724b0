/*
 * check.h - the smallest test harness: CHECK records a failure with its
 * line and goes on; a test program exits 1 if anything failed.
 */
#ifndef T2P_CHECK_H
#define T2P_CHECK_H

#include <stdio.h>

static int check_failures;

#define CHECK(cond)                                                                  \
	do {                                                                         \
		if (!(cond)) {                                                       \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                              \
			check_failures++;                                            \
		}                                                                    \
	} while (0)

#define CHECK_DONE() (check_failures ? (fprintf(stderr, "%d checks failed\n", check_failures), 1) : 0)

#endif
