/*
 * pplabels.h - the labels of profile samples (pprof's Sample.label): sets
 * of key=value strings, each set interned to a dense id, so that a record
 * is keyed by (stack, set) as two integers, and a set seen millions of
 * times (state=waiting reason=chan receive) is stored once.
 *
 * A set is its (key, value) string ids in a fixed order, interned as the
 * bytes of that array by a strtab of its own; set 0 is the empty set.  Ids
 * stay valid for the table's life, across traces, so merged profiles keep
 * them.
 *
 * A value may be known only later than the samples that carry it (a
 * goroutine's name comes with its first stack): such samples carry a
 * placeholder, a value of its own, which stands for the value given to it
 * later, or for none (pp_labels_get reads sets through them).
 */
#ifndef T2P_PPLABELS_H
#define T2P_PPLABELS_H

#include <stddef.h>
#include <stdint.h>

#include "gotrace.h"
#include "strtab.h"
#include "u64map.h"

/* At most this many labels on a sample. */
#define PP_LABELS_MAX 8

typedef struct pp_labels {
	strtab strings;  /* keys and values */
	strtab sets;     /* (key, value) id pairs, as bytes */
	u64map stands_for; /* placeholder -> the value it stands for, 0: none */
	uint64_t placeholders;
} pp_labels;

void pp_labels_init(pp_labels *l);
void pp_labels_free(pp_labels *l);

/* The id of a key or value string, 0 for the empty one; UINT32_MAX if out
 * of memory. */
static inline uint32_t pp_labels_string(pp_labels *l, const char *p, size_t len)
{
	return strtab_intern(&l->strings, p, len);
}

static inline gt_str pp_labels_str(const pp_labels *l, uint32_t id)
{
	return strtab_get(&l->strings, id);
}

/* The id of the set of npairs (key, value) string ids (kv[2i], kv[2i+1]);
 * pairs whose value is empty are left out.  0 for the empty set,
 * UINT32_MAX if out of memory. */
uint32_t pp_labels_set(pp_labels *l, const uint32_t *kv, size_t npairs);

/* A new placeholder value, standing for none until pp_labels_resolve;
 * UINT32_MAX if out of memory. */
uint32_t pp_labels_placeholder(pp_labels *l);
void pp_labels_resolve(pp_labels *l, uint32_t placeholder, uint32_t value);

/* The pairs of set id into kv (room for PP_LABELS_MAX pairs), placeholders
 * read as what they stand for (and left out for none); their number. */
size_t pp_labels_get(const pp_labels *l, uint32_t id, uint32_t *kv);

#endif
