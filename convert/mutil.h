/*
 * mutil.h - mutator utilization over time, as internal/trace/gc.go's
 * MutatorUtilizationV2 computes it, built as the events stream by.
 *
 * Go builds the functions from the whole trace in memory; here each one is
 * kept as it grows, in a compact form: a change of utilization is a
 * varint of the time since the previous change and a varint naming its
 * value in a small table of the values seen (2-4 bytes, where Go takes 16).
 * Memory grows with the number of changes (GC activity), not with the
 * number of events.  mutil_series() decodes the finished functions for the
 * MMU curve (mmu.h).
 */
#ifndef T2P_MUTIL_H
#define T2P_MUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "gotrace.h"

/* Go's UtilFlags. */
enum {
	MUTIL_STW = 1,
	MUTIL_BACKGROUND = 2,
	MUTIL_ASSIST = 4,
	MUTIL_SWEEP = 8,
	MUTIL_PER_PROC = 16,
};

/* What go tool trace's MMU page asks for by default: "system", STW,
 * background workers and mark assist checked (traceviewer/mmu.go). */
#define MUTIL_DEFAULT_FLAGS (MUTIL_STW | MUTIL_BACKGROUND | MUTIL_ASSIST)

/* One point of a utilization function: Util from Time on. */
typedef struct mutil_point {
	int64_t time;
	double util;
} mutil_point;

typedef struct mutil mutil;

/* NULL if out of memory. */
mutil *mutil_new(unsigned flags);
void mutil_free(mutil *u);
/* Feed every event, in order.  0, or -1 if out of memory. */
int mutil_event(mutil *u, const gt_event *ev);
/* The end of the stream; damaged: the events after the last Sync do not
 * count, as cmd/trace drops them.  Ends each function with utilization 0 at the last event. */
void mutil_finish(mutil *u, int damaged);

/* The functions (one, or with MUTIL_PER_PROC one per P ever), decoded into
 * arrays the caller frees, each with its length: *series[i] and *lens[i].
 * Returns their count (0 if the trace gave none: no events, or no
 * GOMAXPROCS), or -1 if out of memory. */
int mutil_series(const mutil *u, mutil_point ***series, size_t **lens);
/* Bytes held by the compact functions, for the memory figures. */
size_t mutil_bytes(const mutil *u);

#endif
