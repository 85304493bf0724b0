/*
 * test_gomath.c - go_log and go_exp against the values Go's math.Log and
 * math.Exp gave (tests/unit/gomath-values.go), bit for bit.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "gomath.h"

static uint64_t bits(double x)
{
	uint64_t b;

	memcpy(&b, &x, sizeof b);
	return b;
}

int main(int argc, char **argv)
{
	FILE *f = argc == 2 ? fopen(argv[1], "r") : NULL;
	uint64_t xb, lb, eb;
	int n = 0, bad = 0;

	if (!f) {
		fprintf(stderr, "usage: test_gomath gomath-values.txt\n");
		return 1;
	}
	while (fscanf(f, "%" SCNx64 " %" SCNx64 " %" SCNx64, &xb, &lb, &eb) == 3) {
		double x;

		memcpy(&x, &xb, sizeof x);
		n++;
		if (bits(go_log(x)) != lb) {
			printf("log(%.17g): %016" PRIx64 ", Go %016" PRIx64 "\n", x, bits(go_log(x)), lb);
			bad++;
		}
		if (bits(go_exp(x)) != eb) {
			printf("exp(%.17g): %016" PRIx64 ", Go %016" PRIx64 "\n", x, bits(go_exp(x)), eb);
			bad++;
		}
	}
	fclose(f);
	printf("%d values, %d differ\n", n, bad);
	return n < 3000 || bad;
}
