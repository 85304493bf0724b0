/*
 * relay.h - the reader on a thread of its own, ahead of the sinks.
 *
 * Reading (decoding, ordering, publishing events) takes most of the time of
 * the profiles, so the reader can run on a second thread while the sinks run
 * on the caller's.  Events cross in blocks of a few thousand, with copies of
 * their strings, as the reader reuses its buffers; the symbol table may be
 * read from the sinks' thread (gotrace.h).
 *
 *     t2p_relay *q = t2p_relay_start(r, 1);
 *     const gt_event *ev;
 *     while ((ev = t2p_relay_next(q)))
 *         use(ev);
 *     if (t2p_relay_finish(q, &status)) ... failed, and said why
 */
#ifndef T2P_RELAY_H
#define T2P_RELAY_H

#include "gotrace.h"

typedef struct t2p_relay t2p_relay;

/* Start reading r, an opened reader, on a second thread if `thread` is set.
 * NULL if out of memory.  Without a thread (not asked for, or none could be
 * started) events are read on the caller's thread as it asks for them. */
t2p_relay *t2p_relay_start(gt_reader *r, int thread);

/* The next event, valid until the next call; NULL when the reader stopped or
 * an event could not be copied. */
const gt_event *t2p_relay_next(t2p_relay *q);

/* Stop reading (at the end of the block being read, if t2p_relay_next did not
 * reach the end) and free q; r is the caller's again.  Return 0 and the
 * reader's last status in *status (GT_END, its error, or GT_OK if stopped
 * early), or -1 after printing why an event could not be copied. */
int t2p_relay_finish(t2p_relay *q, gt_status *status);

#endif
