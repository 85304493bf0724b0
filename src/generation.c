/*
 * generation.c - batches and tables of one generation (see generation.h).
 * Error texts are Go's (internal/trace/generation.go), so the peer test suite's
 * expectations hold for us too.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "generation.h"
#include "gosort.h"
#include "symtab.h"

/* Ids below this go to the dense array (4 MiB at most per table). */
#define IDTAB_DENSE_LIMIT (1u << 20)
#define MAX_STRING_SIZE 1024
#define MAX_FRAMES_PER_STACK 128

/* idtab */

static void idtab_init(idtab *t)
{
	memset(t, 0, sizeof *t);
	u64map_init(&t->sparse, sizeof(uint32_t));
}

static void idtab_free(idtab *t)
{
	free(t->dense);
	u64map_free(&t->sparse);
}

static void idtab_reset(idtab *t)
{
	if (t->ndense)
		memset(t->dense, 0, t->ndense * sizeof *t->dense);
	t->ndense = 0;
	u64map_clear(&t->sparse);
}

uint32_t idtab_get_sparse(const idtab *t, uint64_t id)
{
	const uint32_t *v;

	if (id < IDTAB_DENSE_LIMIT)
		return 0;
	v = u64map_get(&t->sparse, id);
	return v ? *v : 0;
}

/* The slot for id, created zero if missing; NULL if out of memory. */
static uint32_t *idtab_slot(idtab *t, uint64_t id)
{
	int added;

	if (id < IDTAB_DENSE_LIMIT) {
		if (id >= t->ndense) {
			if (GT_RESERVE(t->dense, t->cap, id + 1))
				return NULL;
			memset(t->dense + t->ndense, 0, (id + 1 - t->ndense) * sizeof *t->dense);
			t->ndense = id + 1;
		}
		return &t->dense[id];
	}
	return u64map_put(&t->sparse, id, &added);
}

/* generation */

void gen_init(generation *g)
{
	memset(g, 0, sizeof *g);
	u64map_init(&g->m_index, sizeof(uint32_t));
	u64map_init(&g->pcs, sizeof(gen_pc));
	idtab_init(&g->str_ids);
	idtab_init(&g->stack_ids);
}

void gen_free(generation *g)
{
	free(g->strbytes);
	free(g->scratch);
	free(g->batches);
	free(g->ms);
	u64map_free(&g->m_index);
	free(g->by_m);
	free(g->strs);
	idtab_free(&g->str_ids);
	free(g->stacks);
	free(g->stack_pcs);
	idtab_free(&g->stack_ids);
	u64map_free(&g->pcs);
	free(g->cpu);
	gen_init(g);
}

/* Empty the generation but keep its storage for the next one. */
void gen_reset(generation *g)
{
	g->gen = 0;
	g->min_ts = 0;
	g->freq = 0;
	g->has_clock = 0;
	g->snap_ts = g->snap_mono = g->snap_sec = g->snap_nsec = 0;
	g->nbatches = g->nms = g->nstrs = g->nstacks = g->nstack_pcs = g->ncpu = g->nstrbytes = 0;
	u64map_clear(&g->m_index);
	u64map_clear(&g->pcs);
	idtab_reset(&g->str_ids);
	idtab_reset(&g->stack_ids);
}

size_t gen_memory(const generation *g)
{
	return g->capbatches * sizeof *g->batches + g->capms * sizeof *g->ms +
	       g->capby_m * sizeof *g->by_m + g->capstrs * sizeof *g->strs +
	       g->capstacks * sizeof *g->stacks + g->capstack_pcs * sizeof *g->stack_pcs +
	       g->capcpu * sizeof *g->cpu + (g->str_ids.cap + g->stack_ids.cap) * sizeof(uint32_t) +
	       g->capstrbytes + (g->scratch ? WIRE_MAX_BATCH : 0) +
	       g->pcs.cap * (sizeof(gen_pc) + 9) + g->m_index.cap * 13;
}

static gt_status nomem(gt_err *e, uint64_t off)
{
	return gt_fail(e, GT_ERR_NOMEM, off, "out of memory");
}

/* A cursor over a batch's payload, for the tables. */
typedef struct tcur {
	const uint8_t *p, *end;
	uint64_t base;      /* input offset of the payload start */
	const uint8_t *start;
} tcur;

static uint64_t tcur_off(const tcur *c) { return c->base + (uint64_t)(c->p - c->start); }

/* Read a uvarint; on failure record Go's error text, prefixed by `ctx`. */
static gt_status tcur_uvarint(tcur *c, uint64_t *v, gt_err *e, const char *ctx)
{
	uint64_t off = tcur_off(c);
	int rc = wire_read_uvarint(&c->p, c->end, v);

	if (rc == UV_OK)
		return GT_OK;
	return gt_fail(e, GT_ERR_CORRUPT, off, "%s%s", ctx,
		       wire_uvarint_error(rc));
}

/* A cursor over batch b's payload, read into the scratch buffer if need be. */
static gt_status batch_cursor(generation *g, wire_src *src, const wire_batch *b, tcur *c, gt_err *e)
{
	if (!g->scratch && !(g->scratch = malloc(WIRE_MAX_BATCH)))
		return nomem(e, b->file_off);
	if (!(c->start = c->p = wire_payload(src, b, g->scratch, e)))
		return e->pub.code;
	c->end = c->p + b->size;
	c->base = b->payload;
	return GT_OK;
}

/* Insert string id: its bytes are at `p`, which outlives the table
 * (tables built by another reader), or copied from `copy` into the
 * generation's string bytes (a batch payload, which does not). */
static gt_status put_string(generation *g, uint64_t id, const char *copy, const char *p, size_t len,
			    uint64_t err_off, gt_err *e)
{
	uint32_t *slot;
	size_t off = g->nstrbytes;

	/* Id 0 is the implicit empty string, so defining it is a duplicate. */
	if (id == 0 || idtab_get(&g->str_ids, id))
		return gt_fail(e, GT_ERR_CORRUPT, err_off, "multiple strings with the same ID: id=%llu",
			       (unsigned long long)id);
	if (GT_RESERVE(g->strs, g->capstrs, g->nstrs + 1) || !(slot = idtab_slot(&g->str_ids, id)) ||
	    (copy && GT_RESERVE(g->strbytes, g->capstrbytes, g->nstrbytes + len + 1)))
		return nomem(e, err_off);
	if (copy) {
		memcpy(g->strbytes + off, copy, len);
		g->nstrbytes += len;
	}
	g->strs[g->nstrs] = (gen_str){ off, p, (uint32_t)len, GEN_NO_SYM };
	*slot = (uint32_t)++g->nstrs;
	return GT_OK;
}

gt_status gen_put_string(generation *g, uint64_t id, const char *p, size_t len, gt_err *e)
{
	return put_string(g, id, NULL, p, len, 0, e);
}

static gt_status add_strings(generation *g, wire_src *src, const wire_batch *b, gt_err *e)
{
	tcur c;
	gt_status st = batch_cursor(g, src, b, &c, e);

	if (st)
		return st;
	c.p++; /* EvStrings */
	while (c.p < c.end) {
		uint64_t off = tcur_off(&c), id, len;
		uint8_t typ = *c.p++;

		if (typ != EV_STRING)
			return gt_fail(e, GT_ERR_CORRUPT, off, "expected string event, got %u", typ);
		if ((st = tcur_uvarint(&c, &id, e, "")) || (st = tcur_uvarint(&c, &len, e, "")))
			return st;
		if (len > MAX_STRING_SIZE)
			return gt_fail(e, GT_ERR_CORRUPT, off, "invalid string size %llu, maximum is %d",
				       (unsigned long long)len, MAX_STRING_SIZE);
		if ((uint64_t)(c.end - c.p) < len)
			return gt_fail(e, GT_ERR_CORRUPT, off,
				       "failed to read full string: read %ld but wanted %llu",
				       (long)(c.end - c.p), (unsigned long long)len);
		if ((st = put_string(g, id, (const char *)c.p, NULL, (size_t)len, off, e)))
			return st;
		c.p += len;
	}
	return GT_OK;
}

gt_status gen_put_frame(generation *g, uint64_t pc, uint64_t func, uint64_t file, uint64_t line,
			gt_err *e)
{
	int added;
	gen_pc *f = u64map_put(&g->pcs, pc, &added);

	if (!f)
		return nomem(e, 0);
	if (added) /* the first definition of a PC wins */
		*f = (gen_pc){ func, file, line, 0 };
	return GT_OK;
}

/* Start stack id, whose n PCs the caller appends to stack_pcs. */
static gt_status begin_stack(generation *g, uint64_t id, size_t n, uint64_t err_off, gt_err *e)
{
	if (id == 0 || idtab_get(&g->stack_ids, id))
		return gt_fail(e, GT_ERR_CORRUPT, err_off, "multiple stacks with the same ID: id=%llu",
			       (unsigned long long)id);
	if (GT_RESERVE(g->stack_pcs, g->capstack_pcs, g->nstack_pcs + n) ||
	    GT_RESERVE(g->stacks, g->capstacks, g->nstacks + 1))
		return nomem(e, err_off);
	g->stacks[g->nstacks] = (gen_stack){ id, g->nstack_pcs, (uint32_t)n };
	return GT_OK;
}

static gt_status end_stack(generation *g, uint64_t err_off, gt_err *e)
{
	uint32_t *slot = idtab_slot(&g->stack_ids, g->stacks[g->nstacks].id);

	if (!slot)
		return nomem(e, err_off);
	*slot = (uint32_t)++g->nstacks;
	return GT_OK;
}

gt_status gen_put_stack(generation *g, uint64_t id, const uint64_t *pcs, size_t n, gt_err *e)
{
	gt_status st = begin_stack(g, id, n, 0, e);

	if (st)
		return st;
	memcpy(g->stack_pcs + g->nstack_pcs, pcs, n * sizeof *pcs);
	g->nstack_pcs += n;
	return end_stack(g, 0, e);
}

static gt_status add_frame(generation *g, tcur *c, uint64_t stack_id, uint64_t i, gt_err *e)
{
	static const char *const what[4] = { "PC", "funcID", "fileID", "line" };
	uint64_t v[4];

	for (int k = 0; k < 4; k++) {
		uint64_t off = tcur_off(c);
		int rc = wire_read_uvarint(&c->p, c->end, &v[k]);

		if (rc != UV_OK)
			return gt_fail(e, GT_ERR_CORRUPT, off, "reading frame %llu's %s for stack %llu: %s",
				       (unsigned long long)i + 1, what[k], (unsigned long long)stack_id,
				       wire_uvarint_error(rc));
	}
	g->stack_pcs[g->nstack_pcs++] = v[0];
	return gen_put_frame(g, v[0], v[1], v[2], v[3], e);
}

static gt_status add_stacks(generation *g, wire_src *src, const wire_batch *b, gt_err *e)
{
	tcur c;
	gt_status st = batch_cursor(g, src, b, &c, e);

	if (st)
		return st;
	c.p++; /* EvStacks */
	while (c.p < c.end) {
		uint64_t off = tcur_off(&c), id, n;
		uint8_t typ = *c.p++;

		if (typ != EV_STACK)
			return gt_fail(e, GT_ERR_CORRUPT, off, "expected stack event, got %u", typ);
		if ((st = tcur_uvarint(&c, &id, e, "")) || (st = tcur_uvarint(&c, &n, e, "")))
			return st;
		if (n > MAX_FRAMES_PER_STACK)
			return gt_fail(e, GT_ERR_CORRUPT, off, "invalid stack size %llu, maximum is %d",
				       (unsigned long long)n, MAX_FRAMES_PER_STACK);
		if ((st = begin_stack(g, id, (size_t)n, off, e)))
			return st;
		for (uint64_t i = 0; i < n; i++)
			if ((st = add_frame(g, &c, id, i, e)))
				return st;
		if ((st = end_stack(g, off, e)))
			return st;
	}
	return GT_OK;
}

static gt_status add_cpu_samples(generation *g, wire_src *src, const wire_batch *b, gt_err *e)
{
	tcur c;
	gt_status st = batch_cursor(g, src, b, &c, e);

	if (st)
		return st;
	c.p++; /* EvCPUSamples */
	while (c.p < c.end) {
		uint64_t off = tcur_off(&c), v[5];
		uint8_t typ = *c.p++;

		if (typ != EV_CPU_SAMPLE)
			return gt_fail(e, GT_ERR_CORRUPT, off, "expected CPU sample event, got %u", typ);
		for (int k = 0; k < 5; k++)
			if ((st = tcur_uvarint(&c, &v[k], e, "")))
				return st;
		if (GT_RESERVE(g->cpu, g->capcpu, g->ncpu + 1))
			return nomem(e, off);
		/* ts, M, P, G, stack; G 0 means no goroutine. */
		g->cpu[g->ncpu++] = (gen_cpu){ (int64_t)v[0], (int64_t)v[1], (int64_t)v[2],
					       v[3] ? (int64_t)v[3] : GT_NO_GOROUTINE, v[4] };
	}
	return GT_OK;
}

static gt_status set_sync(generation *g, wire_src *src, const wire_batch *b, int version,
			  gt_err *e)
{
	tcur c;
	uint64_t last_ts = b->ts, v;
	gt_status st = batch_cursor(g, src, b, &c, e);

	if (st)
		return st;
	if (version >= GO125)
		c.p++; /* EvSync */
	while (c.p < c.end) {
		uint64_t off = tcur_off(&c);
		uint8_t typ = *c.p++;

		if (typ == EV_FREQUENCY) {
			if (g->freq != 0)
				return gt_fail(e, GT_ERR_CORRUPT, off, "found multiple frequency events");
			if ((st = tcur_uvarint(&c, &v, e, "")))
				return st;
			/* Go stores the ns per tick as a float64 (base.go). */
			g->freq = 1.0 / ((double)v / 1e9);
		} else if (typ == EV_CLOCK_SNAPSHOT && version >= GO125) {
			if (g->has_clock)
				return gt_fail(e, GT_ERR_CORRUPT, off, "found multiple clock snapshot events");
			g->has_clock = 1;
			if ((st = tcur_uvarint(&c, &v, e, "")))
				return st;
			last_ts += v;
			g->snap_ts = last_ts;
			if ((st = tcur_uvarint(&c, &g->snap_mono, e, "")) ||
			    (st = tcur_uvarint(&c, &g->snap_sec, e, "")) ||
			    (st = tcur_uvarint(&c, &g->snap_nsec, e, "")))
				return st;
		} else {
			return gt_fail(e, GT_ERR_CORRUPT, off,
				       "expected frequency or clock snapshot event, got %u", typ);
		}
	}
	return GT_OK;
}

static gt_status add_event_batch(generation *g, const wire_batch *b, gt_err *e)
{
	uint32_t *idx;
	int added;

	if (GT_RESERVE(g->batches, g->capbatches, g->nbatches + 1) ||
	    !(idx = u64map_put(&g->m_index, (uint64_t)b->m, &added)))
		return nomem(e, b->file_off);
	if (added) {
		if (GT_RESERVE(g->ms, g->capms, g->nms + 1))
			return nomem(e, b->file_off);
		*idx = (uint32_t)g->nms;
		g->ms[g->nms++] = (gen_m){ b->m, 0, 0 };
	}
	g->ms[*idx].count++;
	g->batches[g->nbatches++] = *b;
	return GT_OK;
}


/* The first payload byte, which says what a batch is (batch.go). */
static gt_status first_byte(generation *g, wire_src *src, const wire_batch *b, uint8_t *first,
			    gt_err *e)
{
	wire_batch head = *b;
	const uint8_t *p;

	head.size = 1;
	if (!g->scratch && !(g->scratch = malloc(WIRE_MAX_BATCH)))
		return nomem(e, b->file_off);
	if (!(p = wire_payload(src, &head, g->scratch, e)))
		return e->pub.code;
	*first = *p;
	return GT_OK;
}

gt_status gen_add_batch(generation *g, wire_src *src, const wire_batch *b, int version, gt_err *e)
{
	uint8_t first = 0;
	gt_status st;

	e->m = b->m;
	if (b->first >= 0)
		first = (uint8_t)b->first;
	else if (b->size && (st = first_byte(g, src, b, &first, e)))
		return st;
	/* Classified by the first payload byte, in Go's order (batch.go). */
	if (b->exp == 0 && b->size > 0) {
		switch (first) {
		case EV_STRINGS: return add_strings(g, src, b, e);
		case EV_STACKS: return add_stacks(g, src, b, e);
		case EV_CPU_SAMPLES: return add_cpu_samples(g, src, b, e);
		case EV_FREQUENCY:
			if (version < GO125)
				return set_sync(g, src, b, version, e);
			break;
		case EV_SYNC:
			if (version >= GO125)
				return set_sync(g, src, b, version, e);
			break;
		}
	}
	if (b->exp != 0)
		return GT_OK; /* experimental data is not part of the event stream */
	return add_event_batch(g, b, e);
}

int gen_intern_string(generation *g, uint32_t idx, gt_symtab *sym, uint32_t *out)
{
	gen_str *s = &g->strs[idx];

	if (sym_string(sym, s->ptr, s->len, &s->sym))
		return -1;
	*out = s->sym;
	return 0;
}

/* Intern the frame of a PC (once per generation). */
static gt_status intern_pc(generation *g, uint64_t pc_value, gen_pc *pc, const gen_stack *stk,
			   gt_symtab *sym, gt_err *e)
{
	uint32_t func, file;

	if (pc->frame)
		return GT_OK;
	if (!idtab_get(&g->str_ids, pc->func) && pc->func)
		return gt_fail(e, GT_ERR_CORRUPT, 0, "found invalid func string ID %llu for stack %llu",
			       (unsigned long long)pc->func, (unsigned long long)stk->id);
	if (!idtab_get(&g->str_ids, pc->file) && pc->file)
		return gt_fail(e, GT_ERR_CORRUPT, 0, "found invalid file string ID %llu for stack %llu",
			       (unsigned long long)pc->file, (unsigned long long)stk->id);
	if (gen_sym_string(g, pc->func, sym, &func) || gen_sym_string(g, pc->file, sym, &file) ||
	    sym_frame(sym, pc_value, func, file, pc->line, &pc->frame))
		return nomem(e, 0);
	return GT_OK;
}

/* Validate every stack's frames (Go's validateStackStrings) and intern it. */
gt_status gen_intern_stacks(generation *g, gt_symtab *sym, gt_err *e)
{
	uint32_t frames[MAX_FRAMES_PER_STACK];

	for (size_t i = 0; i < g->nstacks; i++) {
		const gen_stack *stk = &g->stacks[i];
		uint32_t id;
		gt_status st;

		for (uint32_t k = 0; k < stk->n; k++) {
			uint64_t pcv = g->stack_pcs[stk->first + k];
			gen_pc *pc = u64map_get(&g->pcs, pcv);

			if ((st = intern_pc(g, pcv, pc, stk, sym, e)))
				return st;
			frames[k] = pc->frame;
		}
		if (sym_stack(sym, frames, stk->n, &id))
			return nomem(e, 0);
		*idtab_slot(&g->stack_ids, stk->id) = id;
	}
	return GT_OK;
}

static int cpu_cmp(const void *a, const void *b)
{
	int64_t x = ((const gen_cpu *)a)->time, y = ((const gen_cpu *)b)->time;

	return (x > y) - (x < y);
}

/* Lay the batch indices out M by M, each M's batches in file order. */
static gt_status group_by_m(generation *g, gt_err *e)
{
	uint32_t at = 0;

	if (GT_RESERVE(g->by_m, g->capby_m, g->nbatches))
		return nomem(e, 0);
	for (size_t i = 0; i < g->nms; i++) {
		g->ms[i].first = at;
		at += g->ms[i].count;
		g->ms[i].count = 0;
	}
	for (size_t i = 0; i < g->nbatches; i++) {
		gen_m *m = &g->ms[*(uint32_t *)u64map_get(&g->m_index, (uint64_t)g->batches[i].m)];

		g->by_m[m->first + m->count++] = (uint32_t)i;
	}
	return GT_OK;
}

gt_status gen_finish(generation *g, int version, gt_symtab *sym, gt_err *e)
{
	gt_status st;

	e->m = -1;
	if (g->freq == 0)
		return gt_fail(e, GT_ERR_BROKEN, 0, "no frequency event found");
	if (version >= GO125 && !g->has_clock)
		return gt_fail(e, GT_ERR_BROKEN, 0, "no clock snapshot event found");
	gt_clock_init(&g->clock, g->freq);
	for (size_t i = 0; i < g->nstrs; i++)
		g->strs[i].ptr = g->strbytes + g->strs[i].off;
	if ((st = gen_intern_stacks(g, sym, e)) || (st = group_by_m(g, e)))
		return st;
	/* Samples carry absolute ticks; Go converts and then sorts them. */
	for (size_t i = 0; i < g->ncpu; i++)
		g->cpu[i].time = gt_ticks_to_ns(g->freq, (uint64_t)g->cpu[i].time);
	go_sort(g->cpu, g->ncpu, sizeof *g->cpu, cpu_cmp);
	return GT_OK;
}
