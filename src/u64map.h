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

/* The value for key, or NULL. */
void *u64map_get(const u64map *m, uint64_t key);

/* The value for key, inserted zero-filled if absent (*added = 1).  NULL if out
 * of memory. */
void *u64map_put(u64map *m, uint64_t key, int *added);

/* Remove key; returns 1 if it was there. */
int u64map_del(u64map *m, uint64_t key);

/* Iterate: start with *pos = 0; returns the next value and its key, or NULL. */
void *u64map_next(const u64map *m, size_t *pos, uint64_t *key);

#endif
