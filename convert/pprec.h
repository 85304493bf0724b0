/*
 * pprec.h - the records of one profile: a value (count, ns) per stack,
 * taken back to their values at the last Sync when the trace turns out
 * damaged.
 *
 * The classic profiles key records by the PCs of their stack, as cmd/trace's
 * stackMap does: equal PCs share a record, whose frames are those of the
 * stack that contributed last.  Our own profiles key them by the symbol
 * table's stack, whose frames are its own.  Stack ids are dense, so a stack
 * seen before is one index away.  Records with labels (pplabels.h) are
 * keyed by their label set too, through a map: only profiles asked for
 * labels pay for it.
 *
 * cmd/trace drops the events after the last Sync when the trace turns out
 * damaged; each record changed since the last Sync keeps its value at that
 * Sync, so the changes can be taken back.
 */
#ifndef T2P_PPREC_H
#define T2P_PPREC_H

#include <stddef.h>
#include <stdint.h>

#include "gotrace.h"
#include "internal.h"
#include "profile.h"
#include "u64map.h"

/* A record's value at the last Sync, kept while it changes after it. */
typedef struct pp_ckpt {
	uint64_t count;
	int64_t time;
	int dirty;
} pp_ckpt;

typedef struct pp_table {
	const gt_symtab *sym;
	int pc_keyed;           /* cmd/trace's stackMap: records by PCs */
	pp_rec *recs;
	uint64_t *hashes;       /* pc_keyed: the PC hash of each record */
	pp_ckpt *ckpts;
	size_t n, cap, caphashes, capckpts;
	uint32_t *dirty;        /* records changed since the last Sync */
	size_t ndirty, capdirty;
	uint32_t *by_stack;     /* symbol stack id -> record index + 1, 0 if none yet */
	size_t capby_stack;
	u64map by_hash;         /* pc_keyed: PC hash -> a record index with that hash */
	u64map by_key;          /* labels << 32 | stack -> record index, for labels */
	uint32_t *base;         /* pc_keyed, labelled records: the record of their
				 * PCs without labels, whose stack names them */
	size_t capbase;
} pp_table;

void pprec_init(pp_table *t, const gt_symtab *sym, int pc_keyed);
void pprec_free(pp_table *t);

uint32_t pprec_new_of_stack(pp_table *t, uint32_t stack, uint32_t labels);
int pprec_checkpoint(pp_table *t, uint32_t rec);

#define PPREC_NOMEM UINT32_MAX

/* The record of a stack: its index, or PPREC_NOMEM if out of memory. */
static inline uint32_t pprec_of(pp_table *t, uint32_t stack)
{
	uint32_t rec;

	if (GT_LIKELY(stack < t->capby_stack && (rec = t->by_stack[stack]))) {
		t->recs[rec - 1].stack = stack;
		return rec - 1;
	}
	return pprec_new_of_stack(t, stack, 0);
}

uint32_t pprec_new_labeled(pp_table *t, uint32_t stack, uint32_t labels);

/* The record of a stack with a label set (0: none).  PC-keyed, a labelled
 * record is named at the end by the stack that came last to its PCs with
 * any labels (pprec_name), as cmd/trace's record without labels would be:
 * dropping the labels gives its samples. */
static inline uint32_t pprec_of_labeled(pp_table *t, uint32_t stack, uint32_t labels)
{
	uint32_t *rec;

	if (!labels)
		return pprec_of(t, stack);
	if ((rec = u64map_get(&t->by_key, (uint64_t)labels << 32 | stack))) {
		t->recs[*rec].stack = stack;
		if (t->pc_keyed)
			t->recs[t->base[*rec]].stack = stack;
		return *rec;
	}
	return pprec_new_labeled(t, stack, labels);
}

/* Name the labelled records of a PC-keyed table by their PCs' last stack. */
void pprec_name(pp_table *t);

/* Add count and ns to a record, for something that ended after the last
 * Sync (it may have to be taken back) or not.  0, or -1 if out of memory. */
static inline int pprec_add(pp_table *t, uint32_t rec, int after_sync, uint64_t count, int64_t ns)
{
	pp_rec *r = &t->recs[rec];
	pp_ckpt *c = &t->ckpts[rec];

	if (!after_sync) {
		if (c->dirty) {
			c->count += count;
			c->time = gt_add64(c->time, ns);
		}
	} else if (!c->dirty && pprec_checkpoint(t, rec)) {
		return -1;
	}
	r->count += count;
	r->time = gt_add64(r->time, ns); /* Go's durations wrap */
	return 0;
}

/* At a Sync, everything so far stays (keep); at a damaged end, what came
 * after the last Sync goes. */
void pprec_settle(pp_table *t, int keep);


#endif
