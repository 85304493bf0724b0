/*
 * symtab.c - interning of strings, frames and stacks (see symtab.h).
 *
 * Each table keeps its entries in id order and an open-addressed index of ids
 * keyed by the XXH3 hash of the content.  Hashes are stored with the entries,
 * so growing the index never rehashes content, and a probe compares hashes
 * before it compares bytes.  Content lives in an arena of chunks that are
 * never moved, so the pointers handed out stay valid until sym_free().
 */
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "internal.h"
#include "symtab.h"

typedef struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	unsigned char data[];
} arena_chunk;

typedef struct sym_index {
	uint32_t *slots;   /* entry ids, 0 = empty */
	size_t cap;        /* power of two */
	size_t count;
} sym_index;

typedef struct sym_str {
	const char *ptr;
	size_t len;
	uint64_t hash;
} sym_str;

typedef struct sym_frame_key {
	uint64_t pc;
	uint64_t line;
	uint32_t func, file;
} sym_frame_key;

typedef struct sym_frm {
	sym_frame_key key;
	uint64_t hash;
} sym_frm;

typedef struct sym_stk {
	const uint32_t *frames;
	size_t n;
	uint64_t hash;
} sym_stk;

struct gt_symtab {
	arena_chunk *arena;
	sym_str *strs;   size_t nstrs, capstrs;
	sym_frm *frms;   size_t nfrms, capfrms;
	sym_stk *stks;   size_t nstks, capstks;
	sym_index istr, ifrm, istk;
	uint32_t empty_stack;
};

static void *arena_alloc(gt_symtab *s, size_t size, size_t align)
{
	arena_chunk *c = s->arena;
	size_t off;

	if (c) {
		off = (c->used + align - 1) & ~(align - 1);
		if (off + size <= c->size) {
			c->used = off + size;
			return c->data + off;
		}
	}
	{
		size_t csize = size > 60000 ? size : 65536 - sizeof *c;

		c = malloc(sizeof *c + csize);
		if (!c)
			return NULL;
		c->next = s->arena;
		c->size = csize;
		c->used = size;
		s->arena = c;
		return c->data;
	}
}

gt_symtab *sym_new(void)
{
	gt_symtab *s = calloc(1, sizeof *s);

	/* Entry 0 of every table is the "none" entry, so ids start at 1. */
	if (!s || GT_RESERVE(s->strs, s->capstrs, 1) || GT_RESERVE(s->frms, s->capfrms, 1) ||
	    GT_RESERVE(s->stks, s->capstks, 1)) {
		sym_free(s);
		return NULL;
	}
	memset(&s->strs[0], 0, sizeof s->strs[0]);
	s->strs[0].ptr = "";
	memset(&s->frms[0], 0, sizeof s->frms[0]);
	memset(&s->stks[0], 0, sizeof s->stks[0]);
	s->nstrs = s->nfrms = s->nstks = 1;
	return s;
}

void sym_free(gt_symtab *s)
{
	arena_chunk *c, *next;

	if (!s)
		return;
	for (c = s->arena; c; c = next) {
		next = c->next;
		free(c);
	}
	free(s->strs);
	free(s->frms);
	free(s->stks);
	free(s->istr.slots);
	free(s->ifrm.slots);
	free(s->istk.slots);
	free(s);
}

/* The hash of entry `id` of a table, for index growth. */
typedef uint64_t (*hash_of_fn)(const gt_symtab *s, uint32_t id);

static int index_grow(const gt_symtab *s, sym_index *ix, hash_of_fn hash_of)
{
	size_t ncap = ix->cap ? ix->cap * 2 : 1024, i;
	uint32_t *slots = calloc(ncap, sizeof *slots);

	if (!slots)
		return -1;
	for (i = 0; i < ix->cap; i++) {
		uint32_t id = ix->slots[i];
		size_t j;

		if (!id)
			continue;
		for (j = hash_of(s, id) & (ncap - 1); slots[j]; j = (j + 1) & (ncap - 1))
			;
		slots[j] = id;
	}
	free(ix->slots);
	ix->slots = slots;
	ix->cap = ncap;
	return 0;
}

/* Make room for one more id in the index (load stays under 1/2). */
static int index_reserve(const gt_symtab *s, sym_index *ix, hash_of_fn hash_of)
{
	if ((ix->count + 1) * 2 > ix->cap)
		return index_grow(s, ix, hash_of);
	return 0;
}

static uint64_t str_hash_of(const gt_symtab *s, uint32_t id) { return s->strs[id].hash; }
static uint64_t frm_hash_of(const gt_symtab *s, uint32_t id) { return s->frms[id].hash; }
static uint64_t stk_hash_of(const gt_symtab *s, uint32_t id) { return s->stks[id].hash; }

int sym_string(gt_symtab *s, const char *p, size_t len, uint32_t *id)
{
	uint64_t h;
	size_t i, mask;
	char *copy;

	if (len == 0) {
		*id = 0;
		return 0;
	}
	h = XXH3_64bits(p, len);
	if (index_reserve(s, &s->istr, str_hash_of))
		return -1;
	mask = s->istr.cap - 1;
	for (i = h & mask; s->istr.slots[i]; i = (i + 1) & mask) {
		const sym_str *e = &s->strs[s->istr.slots[i]];

		if (e->hash == h && e->len == len && memcmp(e->ptr, p, len) == 0) {
			*id = s->istr.slots[i];
			return 0;
		}
	}
	if (s->nstrs >= UINT32_MAX || GT_RESERVE(s->strs, s->capstrs, s->nstrs + 1) ||
	    !(copy = arena_alloc(s, len, 1)))
		return -1;
	memcpy(copy, p, len);
	s->strs[s->nstrs] = (sym_str){ copy, len, h };
	s->istr.slots[i] = (uint32_t)s->nstrs;
	s->istr.count++;
	*id = (uint32_t)s->nstrs++;
	return 0;
}

int sym_frame(gt_symtab *s, uint64_t pc, uint32_t func, uint32_t file, uint64_t line,
	      uint32_t *id)
{
	sym_frame_key key;
	uint64_t h;
	size_t i, mask;

	memset(&key, 0, sizeof key); /* padding takes part in the hash */
	key.pc = pc;
	key.line = line;
	key.func = func;
	key.file = file;
	h = XXH3_64bits(&key, sizeof key);
	if (index_reserve(s, &s->ifrm, frm_hash_of))
		return -1;
	mask = s->ifrm.cap - 1;
	for (i = h & mask; s->ifrm.slots[i]; i = (i + 1) & mask) {
		const sym_frm *e = &s->frms[s->ifrm.slots[i]];

		if (e->hash == h && memcmp(&e->key, &key, sizeof key) == 0) {
			*id = s->ifrm.slots[i];
			return 0;
		}
	}
	if (s->nfrms >= UINT32_MAX || GT_RESERVE(s->frms, s->capfrms, s->nfrms + 1))
		return -1;
	s->frms[s->nfrms] = (sym_frm){ key, h };
	s->ifrm.slots[i] = (uint32_t)s->nfrms;
	s->ifrm.count++;
	*id = (uint32_t)s->nfrms++;
	return 0;
}

int sym_stack(gt_symtab *s, const uint32_t *frames, size_t n, uint32_t *id)
{
	uint64_t h = XXH3_64bits(frames, n * sizeof *frames);
	size_t i, mask;
	uint32_t *copy;

	if (index_reserve(s, &s->istk, stk_hash_of))
		return -1;
	mask = s->istk.cap - 1;
	for (i = h & mask; s->istk.slots[i]; i = (i + 1) & mask) {
		const sym_stk *e = &s->stks[s->istk.slots[i]];

		if (e->hash == h && e->n == n && memcmp(e->frames, frames, n * sizeof *frames) == 0) {
			*id = s->istk.slots[i];
			return 0;
		}
	}
	if (s->nstks >= UINT32_MAX || GT_RESERVE(s->stks, s->capstks, s->nstks + 1))
		return -1;
	copy = n ? arena_alloc(s, n * sizeof *frames, sizeof *frames) : NULL;
	if (n && !copy)
		return -1;
	if (n)
		memcpy(copy, frames, n * sizeof *frames);
	s->stks[s->nstks] = (sym_stk){ copy, n, h };
	s->istk.slots[i] = (uint32_t)s->nstks;
	s->istk.count++;
	*id = (uint32_t)s->nstks++;
	return 0;
}

int sym_empty_stack(gt_symtab *s, uint32_t *id)
{
	if (!s->empty_stack && sym_stack(s, NULL, 0, &s->empty_stack))
		return -1;
	*id = s->empty_stack;
	return 0;
}

/* Public accessors. */

const uint32_t *gt_symtab_stack(const gt_symtab *s, uint32_t stack, size_t *n)
{
	if (stack == 0 || stack >= s->nstks) {
		*n = 0;
		return NULL;
	}
	*n = s->stks[stack].n;
	return s->stks[stack].frames;
}

void gt_symtab_frame(const gt_symtab *s, uint32_t frame, gt_frame *out)
{
	const sym_frame_key *k;

	memset(out, 0, sizeof *out);
	if (frame == 0 || frame >= s->nfrms) {
		out->func.ptr = out->file.ptr = "";
		return;
	}
	k = &s->frms[frame].key;
	out->pc = k->pc;
	out->line = k->line;
	out->func = gt_symtab_string(s, k->func);
	out->file = gt_symtab_string(s, k->file);
	out->func_id = k->func;
	out->file_id = k->file;
}

gt_str gt_symtab_string(const gt_symtab *s, uint32_t id)
{
	gt_str r = { "", 0 };

	if (id < s->nstrs) {
		r.ptr = s->strs[id].ptr;
		r.len = s->strs[id].len;
	}
	return r;
}

size_t gt_symtab_stack_count(const gt_symtab *s) { return s->nstks - 1; }
size_t gt_symtab_frame_count(const gt_symtab *s) { return s->nfrms - 1; }
