/*
 * tvemit.h - the trace viewer's event writer: Go's traceviewer.Emitter and
 * ViewerDataTraceConsumer (internal/trace/traceviewer/emitter.go) in one,
 * writing each event the moment it is emitted.  Only the stack-frame tree
 * is kept until the end, where "stackFrames" lists the frames that the
 * written events use.
 *
 * It is the JSON back end of the view generators (tvgen.h): times, in
 * nanoseconds from the trace start, are written as microseconds; stacks
 * become frame ids in "sf"/"esf".
 */
#ifndef T2P_TVEMIT_H
#define T2P_TVEMIT_H

#include <stddef.h>
#include <stdint.h>

#include "gotrace.h"
#include "outbuf.h"
#include "tvgen.h"
#include "u64map.h"

typedef struct tv_frame tv_frame;

/* The emitter's counts: what a checkpoint saves. */
typedef struct tv_counts {
	uint64_t written;
	uint64_t arrow_seq, async_seq;
} tv_counts;

typedef struct tv_emitter {
	outbuf *o;
	const char *where;     /* the output, for messages */
	const gt_symtab *sym;
	int oom;
	tv_counts c, saved;
	long offset;           /* output bytes at the checkpoint, -1 if unknown */
	tv_frame *frames;      /* frames[id - 1] */
	size_t nframes, capframes;
	u64map children;       /* hash of (parent, pc) -> first frame id with it */
	u64map by_stack;       /* symbol table stack id -> leaf frame id */
	uint32_t *required;    /* frames first used since the checkpoint */
	size_t nrequired, caprequired;
} tv_emitter;

/* The back end: its ctx is a tv_emitter.  A checkpoint remembers where the
 * output is (which must be seekable); a rollback truncates it there. */
extern const tv_backend tv_json_backend;

/* Start the document in o; where names it in messages. */
void tv_init(tv_emitter *e, outbuf *o, const char *where, const gt_symtab *sym);
/* Finish it: the stack frames that written events use, and the closing. */
void tv_close(tv_emitter *e);
void tv_free(tv_emitter *e);

#endif
