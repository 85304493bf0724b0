/*
 * dribble - copy standard input to standard output in pieces of N bytes,
 * pausing between them (0.2 ms, or MS milliseconds), so that a reader at
 * the other end of a pipe finds an event cut at the end of what it has read
 * (tests/check wire-pipe), or takes seconds over a small trace
 * (tests/progress-check).
 *
 *   dribble N [MS] < in | trace2pprof -d=wire -
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	struct timespec pause = { 0, 200 * 1000 }; /* 0.2 ms */
	long n = argc >= 2 && argc <= 3 ? atol(argv[1]) : 0;
	long ms = argc == 3 ? atol(argv[2]) : 0;
	size_t got;

	if (n <= 0 || n > (long)sizeof buf || ms < 0 || ms > 10000) {
		fprintf(stderr, "usage: dribble BYTES [MS] < in > out\n");
		return 2;
	}
	if (ms)
		pause = (struct timespec){ ms / 1000, ms % 1000 * 1000000L };
	while ((got = fread(buf, 1, (size_t)n, stdin)) > 0) {
		if (fwrite(buf, 1, got, stdout) != got || fflush(stdout))
			return 1;
		nanosleep(&pause, NULL);
	}
	return ferror(stdin) ? 1 : 0;
}
