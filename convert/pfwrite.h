/*
 * pfwrite.h - a writer of Perfetto's protobuf trace format (TracePacket,
 * TrackEvent: the subset in proto/perfetto_trace.proto), streamed, by the
 * writer rules of Perfetto's docs (reference/synthetic-track-event.md) and
 * trace processor's importer:
 *
 * - Events go on one packet sequence (trusted_packet_sequence_id 1) whose
 *   incremental state (interned strings and stacks, the clocks, packet
 *   defaults) starts with a packet flagged SEQ_INCREMENTAL_STATE_CLEARED;
 *   every packet that uses it is flagged SEQ_NEEDS_INCREMENTAL_STATE.
 * - Times are ns on a sequence-scoped clock (64) whose timestamps are
 *   deltas (is_incremental), so they must not decrease along the file.
 *   Slices come complete (begin and end known at once, when the slice
 *   ends), so their begins arrive late: packets wait in a bounded sorter and
 *   leave it in time order.  One later than what has already left goes out
 *   at once on a second sequence-scoped clock (65) of absolute times: the
 *   file stays valid whatever the order, and near-sorted costs nothing.
 * - At equal times the sorter orders a track's events as slices nest: ends
 *   before begins, inner ends first, outer begins first, instants last.
 * - Names, debug annotation names and stacks (function, file, line; frames
 *   outermost first) are interned: defined in an InternedData packet written
 *   before the first packet that uses them.
 * - Tracks are described (TrackDescriptor) before the first packet on them
 *   is written: the writer asks its describe hook then.
 *
 * Each checkpoint writes out what waits in the sorter and clears the
 * incremental state (so interning tables hold one generation's names); a
 * rollback cuts the output back to the last checkpoint.
 */
#ifndef T2P_PFWRITE_H
#define T2P_PFWRITE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gotrace.h"

typedef struct pf_writer pf_writer;

/* A debug annotation: an unsigned, signed or string value. */
typedef enum { PF_UINT, PF_INT, PF_STRING } pf_arg_kind;

typedef struct pf_arg {
	const char *name;        /* a literal: its bytes never change */
	pf_arg_kind kind;
	uint64_t u;
	int64_t i;
	const char *s;           /* PF_STRING: sent as is */
	size_t len;
} pf_arg;

/* What a slice's begin or end, or an instant, carries. */
typedef struct pf_event {
	uint64_t track;
	const char *name;        /* begins and instants; interned */
	size_t name_len;
	uint32_t stack;          /* symbol table stack, GT_NO_STACK for none */
	const pf_arg *args;
	size_t nargs;
	uint64_t flow;           /* a flow that starts (or goes on) here, 0 none */
	uint64_t end_flow;       /* a flow that ends here, 0 none */
} pf_event;

/* A track: written by pf_track() from the describe hook. */
typedef struct pf_track {
	uint64_t uuid, parent;   /* parent 0: a root */
	const char *name;
	size_t name_len;
	int counter;             /* a counter track */
	int explicit_order;      /* children ordered by their rank */
	int32_t rank;            /* among its siblings */
	const char *axis;        /* counters: share the y axis with this key */
} pf_track;

typedef struct pf_hooks {
	void *ctx;
	/* Describe track uuid with pf_track() (its parent first, with
	 * pf_need_track()): a packet on it is about to be written. */
	void (*describe)(void *ctx, uint64_t uuid);
} pf_hooks;

/* Write to f, gzip-compressed if gz; counters are the tracks whose values
 * pf_counters() sets, described first by the hook.  NULL if out of
 * memory. */
pf_writer *pf_writer_new(FILE *f, int gz, const gt_symtab *sym, const pf_hooks *hooks,
			 const uint64_t *counters, size_t ncounters);
void pf_writer_free(pf_writer *w);

/* A slice [ts, ts + dur] (ns from the trace start; negative times count as
 * 0), its begin and its end. */
void pf_slice(pf_writer *w, int64_t ts, int64_t dur, const pf_event *begin, const pf_event *end);
void pf_instant(pf_writer *w, int64_t ts, const pf_event *ev);
/* The counters' values from index first on, as of ts: they ride on the next
 * event at ts (extra_counter_values), or go alone. */
void pf_counters(pf_writer *w, int64_t ts, size_t first, size_t n, const int64_t *values);

/* In the describe hook: write the descriptor of t; make sure that the track
 * uuid (a parent) is described. */
void pf_track_write(pf_writer *w, const pf_track *t);
void pf_need_track(pf_writer *w, uint64_t uuid);
/* Describe the track again (a new name) if it was described already. */
int pf_track_described(const pf_writer *w, uint64_t uuid);
/* Forget that the track was described: it will be no more, or described
 * again if it comes back (from the next checkpoint on). */
void pf_track_retire(pf_writer *w, uint64_t uuid);

/* Checkpoints: see above.  Rollback: 0, or -1 if the output cannot be cut
 * (a message names where). */
void pf_checkpoint(pf_writer *w);
int pf_rollback(pf_writer *w, const char *where);

/* Write out the rest and end the file; 0, or -1 if writing failed or memory
 * ran out (the caller says which: pf_writer_oom()). */
int pf_finish(pf_writer *w);
int pf_writer_oom(const pf_writer *w);

#endif
