/*
 * sink.h - a consumer of the event stream.  The CLI runs one pass over the
 * trace and hands every event to every sink it was asked for.
 *
 * A sink is a table of callbacks embedded first in the sink's own state:
 * begin() once the reader is open, event() for each event in order, end()
 * when the stream is over (status GT_END, or the error that stopped it) to
 * write the output to `out`, and free().
 */
#ifndef T2P_SINK_H
#define T2P_SINK_H

#include <stdio.h>

#include "gotrace.h"

typedef struct t2p_sink t2p_sink;

struct t2p_sink {
	const char *name;
	/* Writes its output progressively to `out` (text dumps) rather than
	 * all at once from end(). */
	int streams;
	int (*begin)(t2p_sink *s, gt_reader *r, FILE *out);
	int (*event)(t2p_sink *s, const gt_event *ev);
	/* Return 0 on success; on failure, print nothing: errno or the
	 * sink's message (t2p_sink_error) explains. */
	int (*end)(t2p_sink *s, gt_status status, FILE *out);
	void (*free)(t2p_sink *s);
	char err[256];
};

t2p_sink *t2p_dump_sink(void);

#endif
