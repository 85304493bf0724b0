/*
 * symtab.c - interning of strings, frames and stacks (see symtab.h).
 *
 * Each table keeps its entries in id order and an open-addressed index of ids
 * keyed by the XXH3 hash of the content.  Hashes are stored with the entries,
 * so growing the index never rehashes content, and a probe compares hashes
 * before it compares bytes.  Content lives in an arena of chunks that are
 * never moved, so the pointers handed out stay valid until sym_free().
 * Entries live in blocks that are never moved either, so that another thread
 * may look up an id it was handed while the reader's thread interns more
 * (gotrace.h promises it; reading ahead, the caller's thread does it).
 */
#include <stdatomic.h>
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

/*
 * A table's entries in blocks of doubling size: block b holds 2^(b+SEG_SHIFT)
 * entries, ids [2^(b+SEG_SHIFT) - SEG_FIRST, 2^(b+SEG_SHIFT+1) - SEG_FIRST),
 * so a fixed directory covers every uint32_t id and an id's block is its
 * highest bit.  The count is atomic: the interning thread publishes an entry
 * by raising it, after the entry is written.
 */
#define SEG_SHIFT 8
#define SEG_FIRST ((uint64_t)1 << SEG_SHIFT)
#define SEG_BLOCKS (33 - SEG_SHIFT)

typedef struct sym_seg {
	void *blocks[SEG_BLOCKS];
	_Atomic size_t n;  /* ids 0..n-1 are in use */
} sym_seg;

static inline int seg_block(uint64_t j)
{
#if defined(__GNUC__)
	return 63 - __builtin_clzll(j) - SEG_SHIFT;
#else
	int b = -SEG_SHIFT;

	while (j >>= 1)
		b++;
	return b;
#endif
}

static inline void *seg_at(const sym_seg *t, size_t size, uint32_t id)
{
	uint64_t j = (uint64_t)id + SEG_FIRST;
	int b = seg_block(j);

	return (char *)t->blocks[b] + (size_t)(j - (SEG_FIRST << b)) * size;
}

static inline size_t seg_count(const sym_seg *t)
{
	return atomic_load_explicit(&t->n, memory_order_acquire);
}

/* Room for the next entry, or NULL if out of memory or ids. */
static void *seg_next(sym_seg *t, size_t size)
{
	size_t n = atomic_load_explicit(&t->n, memory_order_relaxed);
	uint64_t j = (uint64_t)n + SEG_FIRST, len;
	int b = seg_block(j);

	if (n >= UINT32_MAX)
		return NULL;
	len = SEG_FIRST << b;
	if (!t->blocks[b] && (len > SIZE_MAX / size || !(t->blocks[b] = malloc((size_t)len * size))))
		return NULL;
	return seg_at(t, size, (uint32_t)n);
}

/* Publish the entry seg_next() gave room for; its id. */
static uint32_t seg_push(sym_seg *t)
{
	size_t n = atomic_load_explicit(&t->n, memory_order_relaxed);

	atomic_store_explicit(&t->n, n + 1, memory_order_release);
	return (uint32_t)n;
}

static void seg_free(sym_seg *t)
{
	for (int b = 0; b < SEG_BLOCKS; b++)
		free(t->blocks[b]);
}

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
	sym_seg strs, frms, stks;   /* of sym_str, sym_frm, sym_stk */
	sym_index istr, ifrm, istk;
	uint32_t empty_stack;
};

static inline sym_str *str_at(const gt_symtab *s, uint32_t id)
{
	return seg_at(&s->strs, sizeof(sym_str), id);
}

static inline sym_frm *frm_at(const gt_symtab *s, uint32_t id)
{
	return seg_at(&s->frms, sizeof(sym_frm), id);
}

static inline sym_stk *stk_at(const gt_symtab *s, uint32_t id)
{
	return seg_at(&s->stks, sizeof(sym_stk), id);
}

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
	sym_str *str;
	sym_frm *frm;
	sym_stk *stk;

	/* Entry 0 of every table is the "none" entry, so ids start at 1. */
	if (!s || !(str = seg_next(&s->strs, sizeof *str)) || !(frm = seg_next(&s->frms, sizeof *frm)) ||
	    !(stk = seg_next(&s->stks, sizeof *stk))) {
		sym_free(s);
		return NULL;
	}
	*str = (sym_str){ "", 0, 0 };
	memset(frm, 0, sizeof *frm);
	*stk = (sym_stk){ NULL, 0, 0 };
	seg_push(&s->strs);
	seg_push(&s->frms);
	seg_push(&s->stks);
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
	seg_free(&s->strs);
	seg_free(&s->frms);
	seg_free(&s->stks);
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

static uint64_t str_hash_of(const gt_symtab *s, uint32_t id) { return str_at(s, id)->hash; }
static uint64_t frm_hash_of(const gt_symtab *s, uint32_t id) { return frm_at(s, id)->hash; }
static uint64_t stk_hash_of(const gt_symtab *s, uint32_t id) { return stk_at(s, id)->hash; }

int sym_string(gt_symtab *s, const char *p, size_t len, uint32_t *id)
{
	uint64_t h;
	size_t i, mask;
	sym_str *e;
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
		const sym_str *old = str_at(s, s->istr.slots[i]);

		if (old->hash == h && old->len == len && memcmp(old->ptr, p, len) == 0) {
			*id = s->istr.slots[i];
			return 0;
		}
	}
	if (!(e = seg_next(&s->strs, sizeof *e)) || !(copy = arena_alloc(s, len, 1)))
		return -1;
	memcpy(copy, p, len);
	*e = (sym_str){ copy, len, h };
	*id = s->istr.slots[i] = seg_push(&s->strs);
	s->istr.count++;
	return 0;
}

int sym_frame(gt_symtab *s, uint64_t pc, uint32_t func, uint32_t file, uint64_t line,
	      uint32_t *id)
{
	sym_frame_key key;
	uint64_t h;
	size_t i, mask;
	sym_frm *e;

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
		const sym_frm *old = frm_at(s, s->ifrm.slots[i]);

		if (old->hash == h && memcmp(&old->key, &key, sizeof key) == 0) {
			*id = s->ifrm.slots[i];
			return 0;
		}
	}
	if (!(e = seg_next(&s->frms, sizeof *e)))
		return -1;
	*e = (sym_frm){ key, h };
	*id = s->ifrm.slots[i] = seg_push(&s->frms);
	s->ifrm.count++;
	return 0;
}

int sym_stack(gt_symtab *s, const uint32_t *frames, size_t n, uint32_t *id)
{
	uint64_t h = XXH3_64bits(frames, n * sizeof *frames);
	size_t i, mask;
	sym_stk *e;
	uint32_t *copy;

	if (index_reserve(s, &s->istk, stk_hash_of))
		return -1;
	mask = s->istk.cap - 1;
	for (i = h & mask; s->istk.slots[i]; i = (i + 1) & mask) {
		const sym_stk *old = stk_at(s, s->istk.slots[i]);

		if (old->hash == h && old->n == n && memcmp(old->frames, frames, n * sizeof *frames) == 0) {
			*id = s->istk.slots[i];
			return 0;
		}
	}
	if (!(e = seg_next(&s->stks, sizeof *e)))
		return -1;
	copy = n ? arena_alloc(s, n * sizeof *frames, sizeof *frames) : NULL;
	if (n && !copy)
		return -1;
	if (n)
		memcpy(copy, frames, n * sizeof *frames);
	*e = (sym_stk){ copy, n, h };
	*id = s->istk.slots[i] = seg_push(&s->stks);
	s->istk.count++;
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
	const sym_stk *e;

	if (stack == 0 || stack >= seg_count(&s->stks)) {
		*n = 0;
		return NULL;
	}
	e = stk_at(s, stack);
	*n = e->n;
	return e->frames;
}

void gt_symtab_frame(const gt_symtab *s, uint32_t frame, gt_frame *out)
{
	const sym_frame_key *k;

	memset(out, 0, sizeof *out);
	if (frame == 0 || frame >= seg_count(&s->frms)) {
		out->func.ptr = out->file.ptr = "";
		return;
	}
	k = &frm_at(s, frame)->key;
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

	if (id < seg_count(&s->strs)) {
		const sym_str *e = str_at(s, id);

		r.ptr = e->ptr;
		r.len = e->len;
	}
	return r;
}

size_t gt_symtab_stack_count(const gt_symtab *s) { return seg_count(&s->stks) - 1; }
size_t gt_symtab_frame_count(const gt_symtab *s) { return seg_count(&s->frms) - 1; }
