/*
 * rawdump.h - go tool trace's -d=wire and -d=footprint: the input's wire
 * events (gt_raw_reader), not the ordered stream, so not sinks of it.
 */
#ifndef T2P_RAWDUMP_H
#define T2P_RAWDUMP_H

#include <stdint.h>

#include "gotrace.h"

/* Print every wire event to path (NULL: standard output); *events gets how
 * many.  Returns the reader's last status (GT_END, or an error, after which
 * what was printed is kept if anything was), or -1 if the output failed (a
 * message says why). */
int t2p_dump_wire(gt_raw_reader *r, const char *path, uint64_t *events);

/* Read every wire event, then print the table of bytes and counts by type.
 * Returns GT_END, the reader's error (nothing is written), or -1 if the
 * output failed. */
int t2p_dump_footprint(gt_raw_reader *r, const char *path);

#endif
