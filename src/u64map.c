/*
 * u64map.c - see u64map.h.
 */
#include <stdlib.h>
#include <string.h>

#include "u64map.h"

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
}

void u64map_free(u64map *m)
{
	free(m->keys);
	free(m->used);
	free(m->vals);
	u64map_init(m, m->vsize);
}

void u64map_clear(u64map *m)
{
	if (m->cap)
		memset(m->used, 0, m->cap);
	m->len = 0;
}

void *u64map_get(const u64map *m, uint64_t key)
{
	size_t i, mask = m->cap - 1;

	if (!m->len)
		return NULL;
	for (i = slot_of(m, key); m->used[i]; i = (i + 1) & mask)
		if (m->keys[i] == key)
			return m->vals + i * m->vsize;
	return NULL;
}

static int rehash(u64map *m, size_t ncap)
{
	u64map n;
	size_t i;
	int shift = 64;

	for (size_t c = ncap; c > 1; c >>= 1)
		shift--;
	n = *m;
	n.cap = ncap;
	n.len = 0;
	n.shift = shift;
	n.keys = malloc(ncap * sizeof *n.keys);
	n.used = calloc(ncap, 1);
	n.vals = malloc(ncap * m->vsize);
	if (!n.keys || !n.used || !n.vals) {
		free(n.keys);
		free(n.used);
		free(n.vals);
		return -1;
	}
	for (i = 0; i < m->cap; i++) {
		size_t j;

		if (!m->used[i])
			continue;
		for (j = slot_of(&n, m->keys[i]); n.used[j]; j = (j + 1) & (ncap - 1))
			;
		n.used[j] = 1;
		n.keys[j] = m->keys[i];
		memcpy(n.vals + j * m->vsize, m->vals + i * m->vsize, m->vsize);
		n.len++;
	}
	free(m->keys);
	free(m->used);
	free(m->vals);
	*m = n;
	return 0;
}

void *u64map_put(u64map *m, uint64_t key, int *added)
{
	size_t i, mask;
	void *v;

	*added = 0;
	if ((v = u64map_get(m, key)))
		return v;
	/* Keep the load under 1/2: probes stay short with linear probing. */
	if ((m->len + 1) * 2 > m->cap && rehash(m, m->cap ? m->cap * 2 : 16) < 0)
		return NULL;
	mask = m->cap - 1;
	for (i = slot_of(m, key); m->used[i]; i = (i + 1) & mask)
		;
	m->used[i] = 1;
	m->keys[i] = key;
	v = m->vals + i * m->vsize;
	memset(v, 0, m->vsize);
	m->len++;
	*added = 1;
	return v;
}

int u64map_del(u64map *m, uint64_t key)
{
	size_t i, j, mask = m->cap - 1;

	if (!m->len)
		return 0;
	for (i = slot_of(m, key); m->used[i]; i = (i + 1) & mask)
		if (m->keys[i] == key)
			break;
	if (!m->used[i])
		return 0;
	/* Backward-shift: pull later members of the probe run into the hole
	 * when their home slot does not lie cyclically in (hole, j]. */
	for (j = (i + 1) & mask; m->used[j]; j = (j + 1) & mask) {
		size_t home = slot_of(m, m->keys[j]);

		if (((j - home) & mask) >= ((j - i) & mask)) {
			m->keys[i] = m->keys[j];
			memcpy(m->vals + i * m->vsize, m->vals + j * m->vsize, m->vsize);
			i = j;
		}
	}
	m->used[i] = 0;
	m->len--;
	return 1;
}

void *u64map_next(const u64map *m, size_t *pos, uint64_t *key)
{
	for (; *pos < m->cap; (*pos)++) {
		if (m->used[*pos]) {
			size_t i = (*pos)++;

			*key = m->keys[i];
			return m->vals + i * m->vsize;
		}
	}
	return NULL;
}
