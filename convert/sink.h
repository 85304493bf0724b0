/*
 * sink.h - a consumer of the event stream.  The CLI makes one pass over the
 * trace and hands every event to every sink it was asked for.
 *
 * A sink is a table of callbacks embedded first in the sink's own state:
 * begin() once the reader is open, event() for each event in order, end()
 * when the stream is over (status GT_END, or the error that stopped it), and
 * free().  A sink owns its outputs (see output.h); end() writes them, or for
 * a damaged trace, what the valid part of it gives; free() discards outputs
 * that end() did not commit.  Callbacks return 0, or -1 after printing why.
 *
 * Several traces in one run are read in turn: a sink that can take them
 * (the profiles, which add them up) has next(), called when a trace that
 * is not the last ends, with its status (as end() is told of the last);
 * begin() comes again with the next trace's reader.  A reader stays valid
 * until next() or end() returns.  A sink without next() takes one trace.
 */
#ifndef T2P_SINK_H
#define T2P_SINK_H

#include <stddef.h>

#include "gotrace.h"
#include "tvgen.h"

typedef struct t2p_sink t2p_sink;

struct t2p_sink {
	const char *name;
	int (*begin)(t2p_sink *s, gt_reader *r);
	int (*event)(t2p_sink *s, const gt_event *ev);
	int (*next)(t2p_sink *s, gt_status status);  /* NULL: one trace */
	int (*end)(t2p_sink *s, gt_status status);
	void (*free)(t2p_sink *s);
};

/* Text of every event, as go tool trace -d=parsed; to path (NULL: stdout). */
t2p_sink *t2p_dump_sink(const char *path);

/* Chrome/Perfetto trace-event JSON.  The proc and thread views are
 * cmd/trace's (/jsontrace, /jsontrace?view=thread); the goroutine view has
 * one track per goroutine with its states as slices (T2P_VIEW_*, tvgen.h). */
struct t2p_select;
/* With a focus in sel (-goid, -taskid: sel_focus), cmd/trace's focused
 * timeline instead of the view; with a window (-from, -to: sel_window),
 * what reaches into it; sel may be NULL. */
t2p_sink *t2p_json_sink(const char *path, int view, const struct t2p_select *sel);
/* The same in parts of at most limit bytes: dir/trace-001.json, ... and
 * dir/trace-index.json (json.c). */
t2p_sink *t2p_json_parts_sink(const char *dir, int view, uint64_t limit,
			       const struct t2p_select *sel);

/* The timeline in Perfetto's protobuf format (perfetto.c), gzip-compressed
 * if gz; with a window in sel (sel_window), what reaches into it; sel may
 * be NULL. */
t2p_sink *t2p_perfetto_sink(const char *path, int gz, const struct t2p_select *sel);

/* The MMU curve as go tool trace's /mmu?mode=plot&flags=... serves it;
 * flags are mutil.h's MUTIL_ bits. */
t2p_sink *t2p_mmu_sink(const char *path, unsigned flags);

/* The report (report.h): form 0 text, 1 JSON, -1 none (for assertions
 * alone); the assertions (assertion.h) are checked at the end, and *failed set
 * if one fails. */
struct assertion;
t2p_sink *t2p_report_sink(const char *path, const char *trace, int form, struct assertion *as,
			  size_t nas, int *failed);

#endif
