/*
 * ppmerge.c - see ppmerge.h.  The symbol table is libgotrace's own
 * (symtab.h), which interns strings, frames and stacks by content.
 */
#include <stdlib.h>

#include "internal.h"
#include "ppmerge.h"
#include "symtab.h"
#include "u64map.h"

struct pp_merge {
	gt_symtab *sym;
	pp_rec *recs;
	size_t n, cap;
	u64map by_stack;           /* labels << 32 | merged stack id -> index in recs */
};

pp_merge *pp_merge_new(void)
{
	pp_merge *m = calloc(1, sizeof *m);

	if (!m || !(m->sym = sym_new())) {
		free(m);
		return NULL;
	}
	u64map_init(&m->by_stack, sizeof(size_t));
	return m;
}

void pp_merge_free(pp_merge *m)
{
	if (!m)
		return;
	sym_free(m->sym);
	free(m->recs);
	u64map_free(&m->by_stack);
	free(m);
}

/* Frame f of sym, copied into the merge's table. */
static int copy_frame(pp_merge *m, const gt_symtab *sym, uint32_t frame, uint32_t *out)
{
	gt_frame f;
	uint32_t func, file;

	gt_symtab_frame(sym, frame, &f);
	if (sym_string(m->sym, f.func.ptr, f.func.len, &func) ||
	    sym_string(m->sym, f.file.ptr, f.file.len, &file))
		return -1;
	return sym_frame(m->sym, f.pc, func, file, f.line, out);
}

int pp_merge_add(pp_merge *m, const gt_symtab *sym, const pp_kind *kind, const pp_rec *recs,
		 size_t n)
{
	u64map loc_by_pc;          /* this profile's locations: pc -> merged frame */
	uint32_t *frames = NULL;
	size_t capframes = 0;
	int rc = -1;

	u64map_init(&loc_by_pc, sizeof(uint32_t));
	for (size_t i = 0; i < n; i++) {
		size_t k;
		const uint32_t *fs = pp_sample_frames(sym, kind, recs[i].stack, &k);
		uint32_t stack = GT_NO_STACK;
		size_t *slot;
		int added;

		if (!recs[i].count)
			continue;
		if (GT_RESERVE(frames, capframes, k))
			goto out;
		for (size_t j = 0; j < k; j++) {
			gt_frame f;
			uint32_t *loc;

			gt_symtab_frame(sym, fs[j], &f);
			if (!(loc = u64map_put(&loc_by_pc, f.pc, &added)) ||
			    (added && copy_frame(m, sym, fs[j], loc)))
				goto out;
			frames[j] = *loc;
		}
		if (k && sym_stack(m->sym, frames, k, &stack))
			goto out;
		/* A sample is its stack and its labels (set ids are the sink's,
		 * the same for every trace). */
		if (!(slot = u64map_put(&m->by_stack, (uint64_t)recs[i].labels << 32 | stack, &added)))
			goto out;
		if (added) {
			if (GT_RESERVE(m->recs, m->cap, m->n + 1))
				goto out;
			m->recs[m->n] = (pp_rec){ .stack = stack, .labels = recs[i].labels };
			*slot = m->n++;
		}
		m->recs[*slot].count += recs[i].count;
		m->recs[*slot].time = gt_add64(m->recs[*slot].time, recs[i].time);
	}
	rc = 0;
out:
	u64map_free(&loc_by_pc);
	free(frames);
	return rc;
}

const pp_rec *pp_merge_records(const pp_merge *m, size_t *n)
{
	*n = m->n;
	return m->recs;
}

const gt_symtab *pp_merge_symtab(const pp_merge *m)
{
	return m->sym;
}
