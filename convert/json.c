/*
 * json.c - the timeline sink: Chrome trace-event JSON for Perfetto UI and
 * chrome://tracing, one view of the trace (tvgen.h) written by tvemit.c as
 * it is made, however long the trace.
 */
#include <stdio.h>
#include <stdlib.h>

#include "output.h"
#include "sink.h"
#include "tvemit.h"
#include "tvgen.h"

typedef struct json_sink {
	t2p_sink base;
	int view;
	const char *path;
	t2p_output out;
	outbuf ob;
	tv_emitter tv;
	tv_gen *gen;
} json_sink;

static const char *where(const json_sink *s)
{
	return s->path ? s->path : "standard output";
}

static int oom(void)
{
	fprintf(stderr, "%s: out of memory\n", t2p_prog);
	return -1;
}

static int json_begin(t2p_sink *base, gt_reader *r)
{
	json_sink *s = (json_sink *)base;
	const gt_symtab *sym = gt_reader_symtab(r);

	/* Seekable: a damaged trace's last generation is taken back. */
	if (t2p_output_open(&s->out, s->path) || t2p_output_seekable(&s->out))
		return -1;
	ob_init(&s->ob, s->out.f);
	tv_init(&s->tv, &s->ob, where(s), sym);
	if (!(s->gen = tv_gen_new(s->view, sym, &tv_json_backend, &s->tv)))
		return oom();
	return 0;
}

static int json_event(t2p_sink *base, const gt_event *ev)
{
	json_sink *s = (json_sink *)base;

	if (tv_gen_event(s->gen, ev) || s->tv.oom)
		return oom();
	return 0;
}

static int json_end(t2p_sink *base, gt_status status)
{
	json_sink *s = (json_sink *)base;
	uint64_t broken;

	if (tv_gen_finish(s->gen, status))
		return -1;
	tv_close(&s->tv);
	if (s->tv.oom)
		return oom();
	if ((broken = tv_gen_broken(s->gen)))
		t2p_warn("%s: warning: %llu goroutine events break go tool trace's invariants"
			 " (it would fail on this trace); their slices are left out", where(s),
			 (unsigned long long)broken);
	if (ob_flush(&s->ob)) {
		t2p_output_write_error(&s->out);
		t2p_output_abort(&s->out);
		return -1;
	}
	return t2p_output_commit(&s->out);
}

static void json_free(t2p_sink *base)
{
	json_sink *s = (json_sink *)base;

	if (s->out.f)
		t2p_output_abort(&s->out);
	tv_gen_free(s->gen);
	if (s->tv.o)
		tv_free(&s->tv);
	free(s);
}

t2p_sink *t2p_json_sink(const char *path, int view)
{
	json_sink *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->base = (t2p_sink){ .name = "json", .begin = json_begin, .event = json_event,
			      .end = json_end, .free = json_free };
	s->path = path;
	s->view = view;
	return &s->base;
}
