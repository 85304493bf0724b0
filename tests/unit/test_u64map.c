/*
 * test_u64map.c - the hash map against a plain array model, with deletions
 * that exercise backward shifting (sequential keys collide in runs).
 */
#include <stdlib.h>

#include "check.h"
#include "u64map.h"

#define N 5000

int main(void)
{
	static int64_t model[N]; /* value+1, 0 = absent */
	u64map m;
	uint64_t seed = 42, key;
	size_t pos, seen = 0, live = 0;
	int64_t *v;

	u64map_init(&m, sizeof(int64_t));
	for (int step = 0; step < 200000; step++) {
		uint64_t k;
		int added;

		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		k = (seed >> 33) % N;
		if ((seed >> 20) % 3 == 0) {
			CHECK(u64map_del(&m, k * 1024) == (model[k] != 0));
			model[k] = 0;
		} else {
			v = u64map_put(&m, k * 1024, &added);
			CHECK(v && added == (model[k] == 0));
			if (!added)
				CHECK(*v == model[k] - 1);
			*v = step;
			model[k] = step + 1;
		}
	}
	for (int k = 0; k < N; k++) {
		v = u64map_get(&m, (uint64_t)k * 1024);
		CHECK(model[k] ? v && *v == model[k] - 1 : v == NULL);
		live += model[k] != 0;
	}
	for (pos = 0; (v = u64map_next(&m, &pos, &key));)
		seen++;
	CHECK(seen == live && m.len == live);
	/* Keys 0 and UINT64_MAX are ordinary keys. */
	CHECK(u64map_put(&m, 0, &(int){ 0 }) && u64map_put(&m, UINT64_MAX, &(int){ 0 }));
	CHECK(u64map_get(&m, UINT64_MAX) != NULL);
	u64map_free(&m);
	return CHECK_DONE();
}
