/*
 * count.c - libgotrace by example: count a Go execution trace's events by
 * kind, and the goroutines created while it was recorded.
 *
 *     cc count.c $(pkg-config --cflags --libs gotrace) -o count
 *     ./count trace.out          (or - for standard input)
 *
 * Its counts are those of the events `go tool trace -d=parsed` lists
 * (tests/install-test checks them against trace2pprof -d=parsed).
 */
#include <gotrace.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	unsigned long long count[GT_EV_EXPERIMENTAL + 1] = { 0 }, created = 0;
	const gt_error *err;
	gt_reader *r;
	gt_status st;
	gt_event ev;

	if (argc != 2) {
		fprintf(stderr, "usage: count TRACE\n");
		return 2;
	}
	if (!(r = gt_reader_new())) {
		fprintf(stderr, "count: out of memory\n");
		return 1;
	}
	st = strcmp(argv[1], "-") ? gt_reader_open_file(r, argv[1]) : gt_reader_open_fd(r, 0);
	while (st == GT_OK && (st = gt_reader_next(r, &ev)) == GT_OK) {
		count[ev.kind]++;
		/* A goroutine comes into being: NotExist -> Runnable. */
		if (ev.kind == GT_EV_STATE_TRANSITION &&
		    ev.transition.resource == GT_RES_GOROUTINE &&
		    ev.transition.from == GT_GO_NOT_EXIST && ev.transition.to == GT_GO_RUNNABLE)
			created++;
	}
	for (int k = 0; k <= GT_EV_EXPERIMENTAL; k++)
		if (count[k])
			printf("%-16s %llu\n", gt_kind_name((gt_kind)k), count[k]);
	printf("%-16s %llu\n", "goroutines", created);
	/* The events before an error are valid: a torn trace is worth its
	 * complete part.  The error says where the damage is. */
	err = gt_reader_error(r);
	if (err->code != GT_END)
		fprintf(stderr, "count: %s: %s (at byte %llu)\n", argv[1], err->msg,
			(unsigned long long)err->offset);
	st = err->code;
	gt_reader_free(r);
	return st == GT_END ? 0 : 1;
}
