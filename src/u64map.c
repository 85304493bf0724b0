/*
 * u64map.c - see u64map.h.
 */
#include <stdlib.h>
#include <string.h>

#include "u64map.h"

/* Slot layout: the key at 0, the in-use flag at 8, the value at 16. */
#define KEY(m, i) (*(uint64_t *)((m)->slots + (i) * (m)->stride))
#define USED(m, i) ((m)->slots[(i) * (m)->stride + 8])
#define VAL(m, i) ((void *)((m)->slots + (i) * (m)->stride + 16))

/* Fibonacci hashing: the multiply spreads sequential ids (goroutine ids,
 * thread ids) over the high bits, which pick the slot. */
static size_t slot_of(const u64map *m, uint64_t key)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ull) >> m->shift);
}

void u64map_init(u64map *m, size_t vsize)
{
	memset(m, 0, sizeof *m);
	m->vsize = vsize;
	m->stride = 16 + ((vsize + 7) & ~(size_t)7);
}

void u64map_free(u64map *m)
{
	free(m->slots);
	u64map_init(m, m->vsize);
}

void u64map_clear(u64map *m)
{
	for (size_t i = 0; i < m->cap; i++)
		USED(m, i) = 0;
	m->len = 0;
}

void *u64map_get(const u64map *m, uint64_t key)
{
	size_t i, mask = m->cap - 1;

	if (!m->len)
		return NULL;
	for (i = slot_of(m, key); USED(m, i); i = (i + 1) & mask)
		if (KEY(m, i) == key)
			return VAL(m, i);
	return NULL;
}

static int rehash(u64map *m, size_t ncap)
{
	u64map n = *m;
	int shift = 64;

	for (size_t c = ncap; c > 1; c >>= 1)
		shift--;
	n.cap = ncap;
	n.shift = shift;
	if (!(n.slots = calloc(ncap, m->stride)))
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;

		if (!USED(m, i))
			continue;
		for (j = slot_of(&n, KEY(m, i)); USED(&n, j); j = (j + 1) & (ncap - 1))
			;
		memcpy(n.slots + j * n.stride, m->slots + i * m->stride, m->stride);
	}
	free(m->slots);
	*m = n;
	return 0;
}

void *u64map_put(u64map *m, uint64_t key, int *added)
{
	size_t i, mask;

	*added = 0;
	/* Keep the load under 1/2: probes stay short with linear probing. */
	if ((m->len + 1) * 2 > m->cap && rehash(m, m->cap ? m->cap * 2 : 16) < 0)
		return NULL;
	mask = m->cap - 1;
	for (i = slot_of(m, key); USED(m, i); i = (i + 1) & mask)
		if (KEY(m, i) == key)
			return VAL(m, i);
	KEY(m, i) = key;
	USED(m, i) = 1;
	memset(VAL(m, i), 0, m->vsize);
	m->len++;
	*added = 1;
	return VAL(m, i);
}

int u64map_del(u64map *m, uint64_t key)
{
	size_t i, j, mask = m->cap - 1;

	if (!m->len)
		return 0;
	for (i = slot_of(m, key); USED(m, i); i = (i + 1) & mask)
		if (KEY(m, i) == key)
			break;
	if (!USED(m, i))
		return 0;
	/* Backward-shift: pull later members of the probe run into the hole
	 * when their home slot does not lie cyclically in (hole, j]. */
	for (j = (i + 1) & mask; USED(m, j); j = (j + 1) & mask) {
		size_t home = slot_of(m, KEY(m, j));

		if (((j - home) & mask) >= ((j - i) & mask)) {
			memcpy(m->slots + i * m->stride, m->slots + j * m->stride, m->stride);
			i = j;
		}
	}
	USED(m, i) = 0;
	m->len--;
	return 1;
}

void *u64map_next(const u64map *m, size_t *pos, uint64_t *key)
{
	for (; *pos < m->cap; (*pos)++) {
		if (USED(m, *pos)) {
			size_t i = (*pos)++;

			*key = KEY(m, i);
			return VAL(m, i);
		}
	}
	return NULL;
}
