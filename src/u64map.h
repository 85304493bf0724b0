/*
 * u64map.h - open-addressed hash map from uint64 keys to fixed-size values.
 *
 * Linear probing with backward-shift deletion (no tombstones), so lookups stay
 * short however many goroutines come and go.  A slot holds its key, an
 * in-use flag and the value together, so a lookup touches one cache line.
 * Value pointers are valid until the next insertion or deletion.
 */
#ifndef GT_U64MAP_H
#define GT_U64MAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct u64map {
	unsigned char *slots;
	size_t vsize;
	size_t stride;  /* bytes per slot: key, flag, value */
	size_t cap;     /* 0 or a power of two */
	size_t len;
	int shift;      /* 64 - log2(cap) */
} u64map;

void u64map_init(u64map *m, size_t vsize);
void u64map_free(u64map *m);
void u64map_clear(u64map *m);

/* Slot layout: the key at 0, the in-use flag at 8, the value at 16. */
#define U64MAP_KEY(m, i) (*(uint64_t *)((m)->slots + (i) * (m)->stride))
#define U64MAP_USED(m, i) ((m)->slots[(i) * (m)->stride + 8])
#define U64MAP_VAL(m, i) ((void *)((m)->slots + (i) * (m)->stride + 16))

/* Fibonacci hashing: the multiply spreads sequential ids (goroutine ids,
 * thread ids) over the high bits, which pick the slot. */
static inline size_t u64map_slot(const u64map *m, uint64_t key)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> m->shift);
}

/* The value for key, or NULL.  Inline: the event loop looks up a goroutine
 * or a thread for nearly every event. */
static inline void *u64map_get(const u64map *m, uint64_t key)
{
	size_t i, mask = m->cap - 1;

	if (!m->len)
		return NULL;
	for (i = u64map_slot(m, key); U64MAP_USED(m, i); i = (i + 1) & mask)
		if (U64MAP_KEY(m, i) == key)
			return U64MAP_VAL(m, i);
	return NULL;
}

void *u64map_insert(u64map *m, uint64_t key, int *added);

/* The value for key, inserted zero-filled if absent (*added = 1).  NULL if out
 * of memory.  A key found in its home slot is returned inline. */
static inline void *u64map_put(u64map *m, uint64_t key, int *added)
{
	size_t i;

	if (m->len) {
		i = u64map_slot(m, key);
		if (U64MAP_USED(m, i) && U64MAP_KEY(m, i) == key) {
			*added = 0;
			return U64MAP_VAL(m, i);
		}
	}
	return u64map_insert(m, key, added);
}

/* Remove key; returns 1 if it was there. */
int u64map_del(u64map *m, uint64_t key);

/* Iterate: start with *pos = 0; returns the next value and its key, or NULL. */
void *u64map_next(const u64map *m, size_t *pos, uint64_t *key);

#endif
