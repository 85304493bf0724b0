/*
 * progress.h - how far a conversion has read, on standard error: bytes read
 * (of the total, when the input's size is known), rate, time left.  For a
 * person at a terminal only: not when standard error is anything else (a
 * pipe, a file, a CI log), and not in the first second, so that quick
 * conversions print nothing.  A thread of its own wakes a few times a
 * second to read the reader's count of input bytes: nothing is added to the
 * work per event.
 */
#ifndef T2P_PROGRESS_H
#define T2P_PROGRESS_H

#include <stddef.h>
#include <stdint.h>

typedef struct t2p_progress t2p_progress;

/* Start showing the progress of reading an input of `total` bytes (0 if
 * unknown): bytes(src) says how many have been read, from any thread
 * (gt_reader_input_bytes).  NULL, and nothing shown, unless standard error
 * is a terminal (or if no thread could be started). */
t2p_progress *t2p_progress_start(uint64_t (*bytes)(const void *src), const void *src,
				 uint64_t total);

/* Stop, and erase the line if one was shown.  NULL is a no-op. */
void t2p_progress_stop(t2p_progress *p);

/* The line for `done` bytes of `total` (0: unknown) read in `secs` seconds,
 * as shown: "12.5 of 300.0 MiB (4%), 25.0 MiB/s, 11s left". */
void t2p_progress_line(char *buf, size_t size, uint64_t done, uint64_t total, double secs);

#endif
