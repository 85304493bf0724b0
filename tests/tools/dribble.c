/*
 * dribble - copy standard input to standard output in pieces of N bytes,
 * pausing between them, so that a reader at the other end of a pipe finds
 * an event cut at the end of what it has read (tests/check wire-pipe).
 *
 *   dribble N < in | trace2pprof -d=wire -
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	static char buf[1 << 16];
	const struct timespec pause = { 0, 200 * 1000 }; /* 0.2 ms */
	long n = argc == 2 ? atol(argv[1]) : 0;
	size_t got;

	if (n <= 0 || n > (long)sizeof buf) {
		fprintf(stderr, "usage: dribble BYTES < in > out\n");
		return 2;
	}
	while ((got = fread(buf, 1, (size_t)n, stdin)) > 0) {
		if (fwrite(buf, 1, got, stdout) != got || fflush(stdout))
			return 1;
		nanosleep(&pause, NULL);
	}
	return ferror(stdin) ? 1 : 0;
}
