/*
 * pplabels.c - see pplabels.h.
 */
#include <string.h>

#include "pplabels.h"

void pp_labels_init(pp_labels *l)
{
	strtab_init(&l->strings);
	strtab_init(&l->sets);
}

void pp_labels_free(pp_labels *l)
{
	strtab_free(&l->strings);
	strtab_free(&l->sets);
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

	memcpy(kv, s.ptr, s.len);
	return s.len / (2 * sizeof *kv);
}
