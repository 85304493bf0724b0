/*
 * pprec.c - see pprec.h.
 */
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "pprec.h"

void pprec_init(pp_table *t, const gt_symtab *sym, int pc_keyed)
{
	memset(t, 0, sizeof *t);
	t->sym = sym;
	t->pc_keyed = pc_keyed;
	u64map_init(&t->by_hash, sizeof(uint64_t));
	u64map_init(&t->by_key, sizeof(uint32_t));
}

void pprec_free(pp_table *t)
{
	free(t->recs);
	free(t->hashes);
	free(t->ckpts);
	free(t->dirty);
	free(t->by_stack);
	u64map_free(&t->by_hash);
	u64map_free(&t->by_key);
	free(t->base);
	memset(t, 0, sizeof *t);
}

static uint64_t pcs_hash(const gt_symtab *sym, uint32_t stack, uint64_t *pcs, size_t *n)
{
	const uint32_t *frames = gt_symtab_stack(sym, stack, n);

	if (*n > 128)
		*n = 128;
	for (size_t i = 0; i < *n; i++) {
		gt_frame f;

		gt_symtab_frame(sym, frames[i], &f);
		pcs[i] = f.pc;
	}
	/* cmd/trace keys records by a zero-padded [128]uint64 of PCs, so
	 * trailing zero PCs do not count: a stack whose one frame has PC 0
	 * (the runtime writes such) shares the record of "no stack". */
	while (*n && pcs[*n - 1] == 0)
		(*n)--;
	return XXH3_64bits(pcs, *n * sizeof *pcs);
}

static int same_pcs(const gt_symtab *sym, uint32_t stack, const uint64_t *pcs, size_t n)
{
	uint64_t other[128];
	size_t m;

	pcs_hash(sym, stack, other, &m);
	return m == n && memcmp(other, pcs, n * sizeof *pcs) == 0;
}

/* A new record, with its checkpoint (and hash): its index, or -1. */
static int64_t append(pp_table *t, pp_rec rec, uint64_t hash)
{
	if (GT_RESERVE(t->recs, t->cap, t->n + 1) || GT_RESERVE(t->ckpts, t->capckpts, t->n + 1) ||
	    (t->pc_keyed && GT_RESERVE(t->hashes, t->caphashes, t->n + 1)))
		return -1;
	t->recs[t->n] = rec;
	t->ckpts[t->n] = (pp_ckpt){ 0, 0, 0 };
	if (t->pc_keyed)
		t->hashes[t->n] = hash;
	return (int64_t)t->n++;
}

/* The record of a stack (with labels) this table has not seen yet. */
GT_NOINLINE uint32_t pprec_new_of_stack(pp_table *t, uint32_t stack, uint32_t labels)
{
	uint64_t pcs[128], h = 0, *slot = NULL;
	size_t n, old_cap = t->capby_stack;
	int64_t rec;
	int added = 1;

	if (labels) {
		/* Not a stack's first record: the map key says which. */
	} else if (stack >= t->capby_stack) {
		if (GT_RESERVE(t->by_stack, t->capby_stack, (size_t)stack + 1))
			return PPREC_NOMEM;
		memset(t->by_stack + old_cap, 0, (t->capby_stack - old_cap) * sizeof *t->by_stack);
	}
	if (t->pc_keyed) {
		/* Labels join the key: equal PCs with other labels are another
		 * sample. */
		h = pcs_hash(t->sym, stack, pcs, &n) ^ (uint64_t)labels * 0x9E3779B97F4A7C15u;
		if (!(slot = u64map_put(&t->by_hash, h, &added)))
			return PPREC_NOMEM;
		if (!added) {
			/* Same hash: find the record with these very PCs, if any. */
			for (size_t i = *slot; i < t->n; i++) {
				if (t->hashes[i] == h && t->recs[i].labels == labels &&
				    same_pcs(t->sym, t->recs[i].stack, pcs, n)) {
					t->recs[i].stack = stack;
					rec = (int64_t)i;
					goto found;
				}
			}
		}
	}
	if ((rec = append(t, (pp_rec){ .stack = stack, .labels = labels }, h)) < 0)
		return PPREC_NOMEM;
	if (added && slot)
		*slot = (uint64_t)rec;
found:
	if (labels) {
		uint32_t *key = u64map_put(&t->by_key, (uint64_t)labels << 32 | stack, &added);

		if (!key)
			return PPREC_NOMEM;
		*key = (uint32_t)rec;
	} else {
		t->by_stack[stack] = (uint32_t)rec + 1;
	}
	return (uint32_t)rec;
}

GT_NOINLINE uint32_t pprec_new_labeled(pp_table *t, uint32_t stack, uint32_t labels)
{
	uint32_t base = 0, rec;
	size_t old = t->capbase;

	if (t->pc_keyed && (base = pprec_of(t, stack)) == PPREC_NOMEM)
		return PPREC_NOMEM;
	if ((rec = pprec_new_of_stack(t, stack, labels)) == PPREC_NOMEM || !t->pc_keyed)
		return rec;
	if (GT_RESERVE(t->base, t->capbase, (size_t)rec + 1))
		return PPREC_NOMEM;
	memset(t->base + old, 0, (t->capbase - old) * sizeof *t->base);
	t->base[rec] = base;
	return rec;
}

void pprec_name(pp_table *t)
{
	for (size_t i = 0; t->pc_keyed && i < t->n; i++)
		if (t->recs[i].labels)
			t->recs[i].stack = t->recs[t->base[i]].stack;
}

/* Note a record's value at the last Sync before it first changes. */
int pprec_checkpoint(pp_table *t, uint32_t rec)
{
	if (GT_RESERVE(t->dirty, t->capdirty, t->ndirty + 1))
		return -1;
	t->ckpts[rec] = (pp_ckpt){ t->recs[rec].count, t->recs[rec].time, 1 };
	t->dirty[t->ndirty++] = rec;
	return 0;
}

void pprec_settle(pp_table *t, int keep)
{
	for (size_t i = 0; i < t->ndirty; i++) {
		pp_ckpt *c = &t->ckpts[t->dirty[i]];

		if (!keep) {
			t->recs[t->dirty[i]].count = c->count;
			t->recs[t->dirty[i]].time = c->time;
		}
		c->dirty = 0;
	}
	t->ndirty = 0;
}
