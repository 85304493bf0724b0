/*
 * u64map.c - see u64map.h.
 */
#include <stdlib.h>
#include <string.h>

#include "u64map.h"

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
		U64MAP_USED(m, i) = 0;
	m->len = 0;
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

		if (!U64MAP_USED(m, i))
			continue;
		for (j = u64map_slot(&n, U64MAP_KEY(m, i)); U64MAP_USED(&n, j); j = (j + 1) & (ncap - 1))
			;
		memcpy(n.slots + j * n.stride, m->slots + i * m->stride, m->stride);
	}
	free(m->slots);
	*m = n;
	return 0;
}

/* u64map_put's slow path: the key is not in its home slot. */
void *u64map_insert(u64map *m, uint64_t key, int *added)
{
	size_t i, mask;

	*added = 0;
	/* Keep the load under 1/2: probes stay short with linear probing. */
	if ((m->len + 1) * 2 > m->cap && rehash(m, m->cap ? m->cap * 2 : 16) < 0)
		return NULL;
	mask = m->cap - 1;
	for (i = u64map_slot(m, key); U64MAP_USED(m, i); i = (i + 1) & mask)
		if (U64MAP_KEY(m, i) == key)
			return U64MAP_VAL(m, i);
	U64MAP_KEY(m, i) = key;
	U64MAP_USED(m, i) = 1;
	memset(U64MAP_VAL(m, i), 0, m->vsize);
	m->len++;
	*added = 1;
	return U64MAP_VAL(m, i);
}

int u64map_del(u64map *m, uint64_t key)
{
	size_t i, j, mask = m->cap - 1;

	if (!m->len)
		return 0;
	for (i = u64map_slot(m, key); U64MAP_USED(m, i); i = (i + 1) & mask)
		if (U64MAP_KEY(m, i) == key)
			break;
	if (!U64MAP_USED(m, i))
		return 0;
	/* Backward-shift: pull later members of the probe run into the hole
	 * when their home slot does not lie cyclically in (hole, j]. */
	for (j = (i + 1) & mask; U64MAP_USED(m, j); j = (j + 1) & mask) {
		size_t home = u64map_slot(m, U64MAP_KEY(m, j));

		if (((j - home) & mask) >= ((j - i) & mask)) {
			memcpy(m->slots + i * m->stride, m->slots + j * m->stride, m->stride);
			i = j;
		}
	}
	U64MAP_USED(m, i) = 0;
	m->len--;
	return 1;
}

void *u64map_next(const u64map *m, size_t *pos, uint64_t *key)
{
	for (; *pos < m->cap; (*pos)++) {
		if (U64MAP_USED(m, *pos)) {
			size_t i = (*pos)++;

			*key = U64MAP_KEY(m, i);
			return U64MAP_VAL(m, i);
		}
	}
	return NULL;
}
