/*
 * test_read_ahead.c - a reader reading ahead gives the events of one that
 * does not: the same events, strings and all, built long after the thread
 * reading moved on; the same ending, clean or not, with the same error;
 * stopping early (freeing the reader) neither hangs nor leaks; and the same
 * when the thread is retired on the way (found not to pay), at the first
 * event, later, or never.
 *
 *     test_read_ahead TRACE...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ahead.h"
#include "check.h"
#include "gotrace.h"

static int same_str(gt_str a, gt_str b)
{
	return a.len == b.len && (!a.len || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static int same_event(const gt_event *a, const gt_event *b)
{
	if (a->kind != b->kind || a->time != b->time || a->g != b->g || a->p != b->p ||
	    a->m != b->m || a->stack != b->stack)
		return 0;
	switch (a->kind) {
	case GT_EV_STATE_TRANSITION:
		return a->transition.id == b->transition.id && a->transition.to == b->transition.to &&
		       same_str(a->transition.reason, b->transition.reason);
	case GT_EV_LABEL:
		return same_str(a->label.label, b->label.label);
	case GT_EV_RANGE_BEGIN:
	case GT_EV_RANGE_ACTIVE:
	case GT_EV_RANGE_END:
		return same_str(a->range.name, b->range.name);
	case GT_EV_TASK_BEGIN:
	case GT_EV_TASK_END:
		return a->task.id == b->task.id && same_str(a->task.type, b->task.type);
	case GT_EV_REGION_BEGIN:
	case GT_EV_REGION_END:
		return same_str(a->region.type, b->region.type);
	case GT_EV_LOG:
		return same_str(a->log.category, b->log.category) &&
		       same_str(a->log.message, b->log.message);
	default:
		return 1;
	}
}

static int same_error(const gt_error *a, const gt_error *b)
{
	return a->code == b->code && strcmp(a->msg, b->msg) == 0 && a->offset == b->offset &&
	       a->generation == b->generation && a->m == b->m;
}

/* The events of a reader reading ahead are those of one that is not, to
 * the end or to the first `limit`: reading ahead from the first event, and
 * retiring the thread after retire_after events (0: never) to go on alone. */
static void check_read_ahead(const void *trace, size_t size, size_t limit, uint64_t retire_after)
{
	gt_reader *want = gt_reader_new(), *got = gt_reader_new();
	gt_event w, g;
	gt_status ws, gs = GT_OK;
	size_t n = 0;

	/* A torn pre-1.22 trace fails to open: it is read whole. */
	if ((ws = gt_reader_open_memory(want, trace, size)) != GT_OK) {
		CHECK(gt_reader_open_memory(got, trace, size) == ws);
		goto out;
	}
	CHECK(gt_reader_open_memory(got, trace, size) == GT_OK);
	CHECK(reader_read_ahead_now(got, retire_after) == 0);
	while (n < limit && (gs = gt_reader_next(got, &g)) == GT_OK) {
		CHECK((ws = gt_reader_next(want, &w)) == GT_OK);
		if (ws != GT_OK || !same_event(&g, &w)) {
			fprintf(stderr, "event %zu differs\n", n);
			check_failures++;
			break;
		}
		n++;
	}
	if (n < limit && gs != GT_OK) {
		CHECK(gt_reader_next(want, &w) == gs);
		CHECK(gt_reader_next(got, &g) == gs); /* sticky */
		CHECK(same_error(gt_reader_error(got), gt_reader_error(want)));
		CHECK(gt_reader_valid_offset(got) == gt_reader_valid_offset(want));
	}
	CHECK(n > 0);
out:
	gt_reader_free(want);
	gt_reader_free(got);
}

static void *slurp(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *p = NULL;
	long len;

	if (f && fseek(f, 0, SEEK_END) == 0 && (len = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (p = malloc((size_t)len)) && fread(p, 1, (size_t)len, f) == (size_t)len)
		*size = (size_t)len;
	else {
		free(p);
		p = NULL;
	}
	if (f)
		fclose(f);
	return p;
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		size_t size = 0;
		void *trace = slurp(argv[i], &size);

		CHECK(trace != NULL);
		if (!trace)
			continue;
		for (uint64_t retire = 0; retire < 10000; retire = retire * 10 + 1) {
			check_read_ahead(trace, size, SIZE_MAX, retire);     /* all of it */
			check_read_ahead(trace, size / 2, SIZE_MAX, retire); /* torn: the same error */
			check_read_ahead(trace, size, 10, retire);           /* stopped early */
		}
		free(trace);
	}
	return CHECK_DONE();
}
