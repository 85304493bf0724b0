/*
 * generation.h - one generation of a Go 1.22+ trace: its batches grouped by M
 * and its tables (strings, stacks, CPU samples, frequency, clock snapshot),
 * as internal/trace/generation.go builds them.
 *
 * Wire ids are only meaningful within their generation.  gen_finish() interns
 * every stack into the symbol table, so what leaves a generation is symbol
 * table ids, valid for the whole trace.
 */
#ifndef GT_GENERATION_H
#define GT_GENERATION_H

#include "internal.h"
#include "u64map.h"
#include "wire.h"

/* Map from wire ids to uint32 values (0 = absent).  Runtime ids are small
 * and dense, so most live in an array; hostile ids go to a hash map. */
typedef struct idtab {
	uint32_t *dense;
	size_t ndense, cap;
	u64map sparse;
} idtab;

typedef struct gen_str {
	size_t off;        /* in the generation's string bytes while reading */
	const char *ptr;   /* set by gen_finish (or given by gen_put_string) */
	uint32_t len;
	uint32_t sym;      /* symbol table id, or GEN_NO_SYM until interned */
} gen_str;

#define GEN_NO_SYM UINT32_MAX

typedef struct gen_pc {  /* the first frame defined for a PC */
	uint64_t func, file, line;
	uint32_t frame;      /* symbol table id once interned, else 0 */
} gen_pc;

typedef struct gen_stack {
	uint64_t id;
	size_t first;        /* its PCs are stack_pcs[first .. first+n) */
	uint32_t n;
} gen_stack;

typedef struct gen_cpu {
	int64_t time;        /* ticks while reading, ns after gen_finish */
	int64_t m, p, g;
	uint64_t stack;      /* wire stack id */
} gen_cpu;

typedef struct gen_m {
	int64_t m;
	uint32_t first, count; /* its batches are by_m[first .. first+count) */
} gen_m;

typedef struct generation {
	uint64_t gen;
	uint64_t min_ts;
	double freq;         /* ns per tick (Go's frequency type); 0 = none */
	gt_clock clock;      /* freq, for converting event times */
	int has_clock;
	uint64_t snap_ts, snap_mono, snap_sec, snap_nsec;

	wire_batch *batches; size_t nbatches, capbatches;  /* event batches, file order */
	gen_m *ms; size_t nms, capms;                      /* Ms, first appearance order */
	u64map m_index;                                    /* M -> index in ms */
	uint32_t *by_m; size_t capby_m;

	gen_str *strs; size_t nstrs, capstrs;
	char *strbytes; size_t nstrbytes, capstrbytes;     /* copies of the strings */
	uint8_t *scratch;                                  /* a batch payload being read */
	idtab str_ids;                                     /* wire id -> index+1 in strs */
	gen_stack *stacks; size_t nstacks, capstacks;
	uint64_t *stack_pcs; size_t nstack_pcs, capstack_pcs;
	idtab stack_ids;     /* wire id -> index+1 in stacks; symbol id after finish */
	u64map pcs;          /* pc -> gen_pc */
	gen_cpu *cpu; size_t ncpu, capcpu;
} generation;

void gen_init(generation *g);
void gen_free(generation *g);
void gen_reset(generation *g);

/* File one batch into the generation (Go's processBatch). */
gt_status gen_add_batch(generation *g, wire_src *src, const wire_batch *b, int version, gt_err *e);

/* Check and seal the generation once all its batches are in: frequency and
 * clock present, tables valid, stacks interned, CPU samples in time order,
 * batches grouped by M. */
gt_status gen_finish(generation *g, int version, gt_symtab *sym, gt_err *e);

/* Tables filled by a reader that parses them itself (legacy traces): insert
 * a string (p must outlive the table), a stack's PCs, a PC's frame (the first
 * definition wins); then validate and intern every stack. */
gt_status gen_put_string(generation *g, uint64_t id, const char *p, size_t len, gt_err *e);
gt_status gen_put_stack(generation *g, uint64_t id, const uint64_t *pcs, size_t n, gt_err *e);
gt_status gen_put_frame(generation *g, uint64_t pc, uint64_t func, uint64_t file, uint64_t line,
			gt_err *e);
gt_status gen_intern_stacks(generation *g, gt_symtab *sym, gt_err *e);

/* idtab_get() of an id beyond the dense array. */
uint32_t idtab_get_sparse(const idtab *t, uint64_t id);

/* The value of id, 0 if absent. */
static GT_INLINE uint32_t idtab_get(const idtab *t, uint64_t id)
{
	return GT_LIKELY(id < t->ndense) ? t->dense[id] : idtab_get_sparse(t, id);
}

/* Lookups after gen_finish.  Id 0 is always present (the empty string, no
 * stack), as in Go's tables.  Inline: they run per event, and out of line
 * LTO kept or dropped them from the reader's loop as its callers changed
 * (2-3% of the instructions of -pprof=sched either way). */
static GT_INLINE int gen_string(const generation *g, uint64_t id, gt_str *out)
{
	uint32_t idx;

	if (id == 0) {
		out->ptr = "";
		out->len = 0;
		return 1;
	}
	if (!(idx = idtab_get(&g->str_ids, id)))
		return 0;
	out->ptr = g->strs[idx - 1].ptr;
	out->len = g->strs[idx - 1].len;
	return 1;
}

static GT_INLINE int gen_string_exists(const generation *g, uint64_t id)
{
	return id == 0 || idtab_get(&g->str_ids, id) != 0;
}

static GT_INLINE int gen_has_stack(const generation *g, uint64_t id)
{
	return id == 0 || idtab_get(&g->stack_ids, id) != 0;
}

/* 0 for id 0 or absent. */
static GT_INLINE uint32_t gen_stack_id(const generation *g, uint64_t id)
{
	return id ? idtab_get(&g->stack_ids, id) : 0;
}

/* gen_sym_string() of a string not interned yet: strs[idx]. */
int gen_intern_string(generation *g, uint32_t idx, gt_symtab *sym, uint32_t *out);

/* The symbol table id of a wire string (interned once per generation); 0
 * for an absent one.  Returns -1 if out of memory. */
static GT_INLINE int gen_sym_string(generation *g, uint64_t id, gt_symtab *sym, uint32_t *out)
{
	uint32_t idx = id ? idtab_get(&g->str_ids, id) : 0;

	if (!idx) {
		*out = 0;
		return 0;
	}
	if (g->strs[idx - 1].sym == GEN_NO_SYM)
		return gen_intern_string(g, idx - 1, sym, out);
	*out = g->strs[idx - 1].sym;
	return 0;
}

/* Bytes held by the generation's tables. */
size_t gen_memory(const generation *g);

#endif
