/*
 * strtab.h - interned byte strings: each distinct string gets a dense id
 * (1, 2, ... in order of first sight; 0 is the empty string), so that
 * names seen millions of times (wait reasons, region types, function
 * names) are stored once and compared as integers.
 */
#ifndef T2P_STRTAB_H
#define T2P_STRTAB_H

#include <stddef.h>
#include <stdint.h>

#include "gotrace.h"
#include "u64map.h"

typedef struct strtab {
	char *bytes;          /* every string, back to back */
	size_t nbytes, capbytes;
	uint64_t *offsets;    /* offsets[id - 1]: start of string id; its end
			       * is the next one's start */
	size_t n, capoffsets;
	u64map by_hash;       /* XXH3 of the bytes (probed on a clash) -> id */
	uint32_t recent[32];  /* ids by a cheap hash of the bytes: the few
			       * strings said again and again (wait reasons)
			       * are compared, not hashed */
} strtab;

void strtab_init(strtab *t);
void strtab_free(strtab *t);
/* The id of s, added if new; 0 for the empty string.  UINT32_MAX if out of
 * memory. */
uint32_t strtab_intern(strtab *t, const char *p, size_t len);
/* The bytes of id (not NUL-terminated), valid until the next intern. */
gt_str strtab_get(const strtab *t, uint32_t id);
/* Strings interned so far, not counting the empty one. */
static inline size_t strtab_count(const strtab *t)
{
	return t->n;
}

#endif
