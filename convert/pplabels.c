/*
 * pplabels.c - see pplabels.h.
 */
#include <string.h>

#include "pplabels.h"

void pp_labels_init(pp_labels *l)
{
	strtab_init(&l->strings);
	strtab_init(&l->sets);
	u64map_init(&l->stands_for, sizeof(uint32_t));
	l->placeholders = 0;
}

void pp_labels_free(pp_labels *l)
{
	strtab_free(&l->strings);
	strtab_free(&l->sets);
	u64map_free(&l->stands_for);
}

/* A placeholder is a string no label has: a NUL byte and a counter. */
uint32_t pp_labels_placeholder(pp_labels *l)
{
	char bytes[1 + sizeof l->placeholders] = { 0 };
	uint32_t id, *value;
	int added;

	l->placeholders++;
	memcpy(bytes + 1, &l->placeholders, sizeof l->placeholders);
	id = strtab_intern(&l->strings, bytes, sizeof bytes);
	if (id == UINT32_MAX || !(value = u64map_put(&l->stands_for, id, &added)))
		return UINT32_MAX;
	*value = 0;
	return id;
}

void pp_labels_resolve(pp_labels *l, uint32_t placeholder, uint32_t value)
{
	uint32_t *v = u64map_get(&l->stands_for, placeholder);

	if (v)
		*v = value;
}

uint32_t pp_labels_set(pp_labels *l, const uint32_t *kv, size_t npairs)
{
	uint32_t kept[2 * PP_LABELS_MAX];
	size_t n = 0;

	for (size_t i = 0; i < npairs && n < 2 * PP_LABELS_MAX; i++) {
		if (!kv[2 * i + 1])
			continue;
		kept[n++] = kv[2 * i];
		kept[n++] = kv[2 * i + 1];
	}
	return strtab_intern(&l->sets, (const char *)kept, n * sizeof *kept);
}

size_t pp_labels_get(const pp_labels *l, uint32_t id, uint32_t *kv)
{
	gt_str s = strtab_get(&l->sets, id);
	size_t n = s.len / (2 * sizeof *kv), k = 0;

	memcpy(kv, s.ptr, s.len);
	for (size_t i = 0; i < n; i++) {
		uint32_t *v = l->stands_for.len ? u64map_get(&l->stands_for, kv[2 * i + 1]) : NULL;

		kv[2 * k] = kv[2 * i];
		kv[2 * k + 1] = v ? *v : kv[2 * i + 1];
		k += kv[2 * k + 1] != 0;
	}
	return k;
}
