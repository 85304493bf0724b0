/*
 * strtab.c - see strtab.h.
 */
#include <stdlib.h>
#include <string.h>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "internal.h"
#include "strtab.h"

void strtab_init(strtab *t)
{
	memset(t, 0, sizeof *t);
	u64map_init(&t->by_hash, sizeof(uint32_t));
}

void strtab_free(strtab *t)
{
	free(t->bytes);
	free(t->offsets);
	u64map_free(&t->by_hash);
	memset(t, 0, sizeof *t);
}

gt_str strtab_get(const strtab *t, uint32_t id)
{
	gt_str s = { "", 0 };

	if (id == 0 || id > t->n)
		return s;
	s.ptr = t->bytes + t->offsets[id - 1];
	s.len = (id == t->n ? t->nbytes : t->offsets[id]) - t->offsets[id - 1];
	return s;
}

/* The id of s by its XXH3 hash, added if new. */
static uint32_t strtab_find_or_add(strtab *t, const char *p, size_t len)
{
	uint64_t h;

	/* Two strings with one hash are as good as never seen; when they are,
	 * the second probes the next key, and so on. */
	for (h = XXH3_64bits(p, len);; h++) {
		int added;
		uint32_t *slot = u64map_put(&t->by_hash, h, &added);
		gt_str have;

		if (!slot)
			return UINT32_MAX;
		if (!added) {
			have = strtab_get(t, *slot);
			if (have.len == len && memcmp(have.ptr, p, len) == 0)
				return *slot;
			continue;
		}
		if (t->n >= UINT32_MAX - 1 || GT_RESERVE(t->bytes, t->capbytes, t->nbytes + len) ||
		    GT_RESERVE(t->offsets, t->capoffsets, t->n + 1)) {
			u64map_del(&t->by_hash, h);
			return UINT32_MAX;
		}
		memcpy(t->bytes + t->nbytes, p, len);
		t->offsets[t->n++] = t->nbytes;
		t->nbytes += len;
		return *slot = (uint32_t)t->n;
	}
}

uint32_t strtab_intern(strtab *t, const char *p, size_t len)
{
	uint32_t *recent, id;

	if (len == 0)
		return 0;
	/* A trace says a handful of wait reasons millions of times: XXH3 and
	 * the map took 6% of -report's instructions (40 MB trace), a look at
	 * the last id with the same length and ends, 1%. */
	recent = &t->recent[(len * 31 + (unsigned char)p[0] + 7u * (unsigned char)p[len - 1]) & 31];
	if (*recent) {
		gt_str have = strtab_get(t, *recent);

		if (have.len == len && memcmp(have.ptr, p, len) == 0)
			return *recent;
	}
	id = strtab_find_or_add(t, p, len);
	if (id != UINT32_MAX)
		*recent = id;
	return id;
}
