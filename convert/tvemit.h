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

/* A part of a split timeline, as far as written. */
typedef struct tv_part {
	int64_t start, end;    /* the earliest time and the latest end of its events */
	uint64_t events;       /* its events but the lanes' names */
	uint64_t bytes;
} tv_part;

/* Splitting a timeline into parts of at most limit bytes, each a whole
 * document with the lanes' names and the stack frames its events use, as
 * go tool trace serves them (internal/trace/traceviewer, splitTrace).  A
 * part ends before the event that would take it past the limit (a flow's
 * or a region's two events go together), so one event alone may make a
 * part longer.  The hooks: meta names the lanes (the generator's metadata,
 * into the emitter); meta_version changes when the lanes do; next is told
 * that the current part is complete and gives the next one's stream, or
 * NULL after saying why; back goes back to part n (a rollback), dropping
 * those after it, and gives its stream, NULL if it cannot. */
typedef struct tv_split {
	uint64_t limit;
	void *ctx;
	void (*meta)(void *ctx);
	uint64_t (*meta_version)(void *ctx);
	FILE *(*next)(void *ctx, const tv_part *done);
	FILE *(*back)(void *ctx, size_t n);
} tv_split;

typedef struct tv_emitter {
	outbuf *o;
	const char *where;     /* the output, for messages */
	const gt_symtab *sym;
	int oom, failed;       /* failed: a part could not be started */
	tv_counts c;
	tv_frame *frames;      /* frames[id - 1] */
	size_t nframes, capframes;
	u64map children;       /* hash of (parent, pc) -> first frame id with it */
	u64map by_stack;       /* symbol table stack id -> leaf frame id */
	uint32_t *required;    /* frames the current part's events use, in order */
	size_t nrequired, caprequired;
	/* Splitting, if split. */
	const tv_split *split;
	tv_part part;          /* the current one */
	size_t nparts;         /* before the current one */
	uint64_t frames_bytes; /* its "stackFrames" entries */
	uint64_t meta_bytes, meta_version;
	int meta_known, closing;
	outbuf *null;          /* counts bytes, writes nothing */
	/* The last checkpoint. */
	struct {
		tv_counts c;
		uint64_t pos;          /* bytes of its part, UINT64_MAX if unknown */
		size_t part;
		tv_part stats;
		uint32_t *required;
		size_t nrequired, caprequired;
		uint64_t frames_bytes;
	} saved;
} tv_emitter;

/* The back end: its ctx is a tv_emitter.  A checkpoint remembers where the
 * output is (which must be seekable); a rollback truncates it there. */
extern const tv_backend tv_json_backend;

/* Start the document in o; where names it in messages. */
void tv_init(tv_emitter *e, outbuf *o, const char *where, const gt_symtab *sym);
/* Split it (before the first event); 0, or -1 if out of memory. */
int tv_set_split(tv_emitter *e, const tv_split *split);
/* Finish it: the stack frames that written events use, and the closing. */
void tv_close(tv_emitter *e);
void tv_free(tv_emitter *e);

#endif
