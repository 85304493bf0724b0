/*
 * ppmerge.h - one profile from the profiles of several traces, as `go tool
 * pprof -proto a.pb.gz b.pb.gz` merges them: samples whose stacks have the
 * same locations (address, function, file, line) add up.
 *
 * Each trace's records are added as profile.c would write them: the frames
 * their kind shows (pp_sample_frames), and a PC's location the first frame
 * seen for it in record order (BuildProfile's).  Their frames are
 * copied into a symbol table of the merge's own, interned by content, so
 * the traces' readers can go as soon as their records are in; stack ids
 * are per reader, so only content can match a stack of one trace with
 * another's.  Written with a location per frame (pp_meta.by_frame): traces
 * of different programs may have a PC in different functions, which
 * pprof's merge keeps apart.
 */
#ifndef T2P_PPMERGE_H
#define T2P_PPMERGE_H

#include <stddef.h>

#include "gotrace.h"
#include "profile.h"

typedef struct pp_merge pp_merge;

pp_merge *pp_merge_new(void);                  /* NULL if out of memory */
void pp_merge_free(pp_merge *m);
/* Add the records of one trace's profile (those with a count); sym is its
 * reader's.  0, or -1 if out of memory. */
int pp_merge_add(pp_merge *m, const gt_symtab *sym, const pp_kind *kind, const pp_rec *recs,
		 size_t n);
/* The merged records, whose stacks are in pp_merge_symtab(), as their kind
 * shows them already: written with a location per frame (by_frame), no
 * frame limit and no frame dropped. */
const pp_rec *pp_merge_records(const pp_merge *m, size_t *n);
const gt_symtab *pp_merge_symtab(const pp_merge *m);

#endif
