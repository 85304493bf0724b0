/*
 * test_progress.c - the progress line (convert/progress.c): sizes in KiB,
 * MiB and GiB, the rate, the share read and the time left, for inputs of
 * known and unknown size.  (tests/progress-check shows it on a terminal.)
 */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "progress.h"

#define KIB 1024ull
#define MIB (1024ull * KIB)
#define GIB (1024ull * MIB)

int main(void)
{
	static const struct {
		uint64_t done, total;
		double secs;
		const char *line;
	} cases[] = {
		{ 12 * MIB + MIB / 2, 300 * MIB, 0.5, "12.5 of 300.0 MiB (4%), 25.0 MiB/s, 12s left" },
		{ 500 * KIB, 0, 2, "500.0 KiB read, 250.0 KiB/s" },
		{ 48 * MIB, 0, 2, "48.0 MiB read, 24.0 MiB/s" },
		{ GIB, 3 * GIB, 10, "1.00 of 3.00 GiB (33%), 102.4 MiB/s, 20s left" },
		{ 10 * MIB, 1010 * MIB, 10, "10.0 of 1010.0 MiB (0%), 1.0 MiB/s, 16m40s left" },
		{ MIB, 4000 * MIB, 1, "1.0 MiB of 3.91 GiB (0%), 1.0 MiB/s, 1h06m left" },
		{ 300 * MIB, 300 * MIB, 12, "300.0 of 300.0 MiB (100%), 25.0 MiB/s" },
		/* A file that grew since its size was taken. */
		{ 301 * MIB, 300 * MIB, 1, "301.0 of 300.0 MiB (100%), 301.0 MiB/s" },
		{ 0, 300 * MIB, 0, "0.0 KiB of 300.0 MiB (0%), 0.0 KiB/s" },
	};
	char line[128];

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		t2p_progress_line(line, sizeof line, cases[i].done, cases[i].total, cases[i].secs);
		CHECK(strcmp(line, cases[i].line) == 0);
		if (strcmp(line, cases[i].line))
			fprintf(stderr, "case %zu: got \"%s\", want \"%s\"\n", i, line, cases[i].line);
	}
	return CHECK_DONE();
}
