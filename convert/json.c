/*
 * json.c - the timeline sink: Chrome trace-event JSON for Perfetto UI and
 * chrome://tracing, one view of the trace (tvgen.h) written by tvemit.c as
 * it is made, however long the trace.
 *
 * Split (-split=SIZE), the timeline goes into DIR/trace-001.json, ... each a
 * whole document of at most SIZE bytes (tvemit.h, tv_split), and
 * DIR/trace-index.json lists them with their time ranges.  The parts stay
 * temporary files until the end, so that a damaged trace's last generation
 * can be taken back across them; then they all appear at once.  Only the
 * part being written is open: a split into thousands of parts must not run
 * out of file descriptors (1024 by default), and a rollback opens again the
 * part it goes back to.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "output.h"
#include "select.h"
#include "sink.h"
#include "tvemit.h"
#include "tvgen.h"

/* A part of a split timeline. */
typedef struct json_part {
	t2p_output out;
	char *path;
	tv_part stats;
} json_part;

typedef struct json_sink {
	t2p_sink base;
	int view;
	const t2p_select *sel; /* NULL, or where a focus or a window comes from */
	const char *path;      /* split: the directory */
	t2p_output out;        /* unsplit */
	outbuf ob;
	tv_emitter tv;
	tv_gen *gen;
	tv_split split;        /* limit 0: unsplit */
	json_part *parts;
	size_t nparts, capparts;
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

/* Splitting: the emitter's hooks (tvemit.h). */

static void split_meta(void *ctx)
{
	tv_gen_metadata(((json_sink *)ctx)->gen);
}

static uint64_t split_meta_version(void *ctx)
{
	return tv_gen_lanes_version(((json_sink *)ctx)->gen);
}

/* Open part number nparts + 1: its stream, or NULL after saying why. */
static FILE *open_part(json_sink *s)
{
	json_part *p;
	size_t len = strlen(s->path) + 32;

	if (s->nparts == s->capparts) {
		size_t cap = s->capparts ? 2 * s->capparts : 16;

		if (!(p = realloc(s->parts, cap * sizeof *p))) {
			oom();
			return NULL;
		}
		s->parts = p;
		s->capparts = cap;
	}
	p = &s->parts[s->nparts];
	*p = (json_part){ 0 };
	if (!(p->path = malloc(len))) {
		oom();
		return NULL;
	}
	snprintf(p->path, len, "%s%strace-%03zu.json", s->path,
		 s->path[strlen(s->path) - 1] == '/' ? "" : "/", s->nparts + 1);
	if (t2p_output_open(&p->out, p->path) || t2p_output_seekable(&p->out)) {
		free(p->path);
		return NULL;
	}
	s->nparts++;
	return p->out.f;
}

static FILE *split_next(void *ctx, const tv_part *done)
{
	json_sink *s = ctx;
	json_part *p = &s->parts[s->nparts - 1];

	p->stats = *done;
	if (t2p_output_suspend(&p->out))
		return NULL;
	return open_part(s);
}

static void drop_part(json_part *p)
{
	t2p_output_abort(&p->out);
	free(p->path);
}

static FILE *split_back(void *ctx, size_t n)
{
	json_sink *s = ctx;

	while (s->nparts > n + 1)
		drop_part(&s->parts[--s->nparts]);
	return t2p_output_resume(&s->parts[n].out) ? NULL : s->parts[n].out.f;
}

/* DIR/trace-index.json: each part's file, its events' time range (in
 * microseconds from the trace's start, as their "ts"), events and bytes. */
static int write_index(json_sink *s)
{
	size_t len = strlen(s->path) + 32;
	char *path = malloc(len);
	t2p_output out;
	outbuf ob;
	int rc;

	if (!path)
		return oom();
	snprintf(path, len, "%s%strace-index.json", s->path,
		 s->path[strlen(s->path) - 1] == '/' ? "" : "/");
	if (t2p_output_open(&out, path)) {
		free(path);
		return -1;
	}
	ob_init(&ob, out.f);
	ob_puts(&ob, "{\"limit\":");
	ob_u64(&ob, s->split.limit);
	ob_puts(&ob, ",\"parts\":[");
	for (size_t i = 0; i < s->nparts; i++) {
		const json_part *p = &s->parts[i];
		const char *base = strrchr(p->path, '/');

		ob_puts(&ob, i ? ",\n" : "\n");
		ob_puts(&ob, "{\"file\":");
		jw_string(&ob, base + 1, strlen(base + 1));
		ob_puts(&ob, ",\"start\":");
		jw_micros(&ob, p->stats.start);
		ob_puts(&ob, ",\"end\":");
		jw_micros(&ob, p->stats.end);
		ob_puts(&ob, ",\"events\":");
		ob_u64(&ob, p->stats.events);
		ob_puts(&ob, ",\"bytes\":");
		ob_u64(&ob, p->stats.bytes);
		ob_putc(&ob, '}');
	}
	ob_puts(&ob, "\n]}\n");
	if (ob_flush(&ob)) {
		t2p_output_write_error(&out);
		t2p_output_abort(&out);
		free(path);
		return -1;
	}
	rc = t2p_output_commit(&out);
	free(path);
	return rc;
}

/* The sink. */

static int json_begin(t2p_sink *base, gt_reader *r)
{
	json_sink *s = (json_sink *)base;
	const gt_symtab *sym = gt_reader_symtab(r);
	int64_t from, to;
	FILE *f;

	/* Seekable: a damaged trace's last generation is taken back. */
	if (s->split.limit) {
		if (t2p_output_dir(s->path) || !(f = open_part(s)))
			return -1;
	} else {
		if (t2p_output_open(&s->out, s->path) || t2p_output_seekable(&s->out))
			return -1;
		f = s->out.f;
	}
	ob_init(&s->ob, f);
	tv_init(&s->tv, &s->ob, where(s), sym);
	if (!(s->gen = tv_gen_new(s->view, sym, &tv_json_backend, &s->tv)) ||
	    (s->split.limit && tv_set_split(&s->tv, &s->split)))
		return oom();
	if (s->sel && sel_focus(s->sel))
		tv_gen_set_focus(s->gen, sel_focus(s->sel));
	else if (s->sel && sel_window(s->sel, &from, &to))
		tv_gen_set_window(s->gen, from, to);
	return 0;
}

static int json_event(t2p_sink *base, const gt_event *ev)
{
	json_sink *s = (json_sink *)base;

	if (tv_gen_event(s->gen, ev) || s->tv.oom)
		return oom();
	return s->tv.failed ? -1 : 0;
}

/* Write out the parts, then the index; each appears only now. */
static int commit_parts(json_sink *s)
{
	size_t over = 0, first = 0;
	uint64_t most = 0;

	for (size_t i = 0; i < s->nparts; i++) {
		if (s->parts[i].stats.bytes <= s->split.limit)
			continue;
		if (!over++)
			first = i;
		if (s->parts[i].stats.bytes > most)
			most = s->parts[i].stats.bytes;
	}
	/* One warning, however many parts: a trace with lanes enough to fill
	 * SIZE makes a part of every event. */
	if (over)
		t2p_warn("%s: warning: %zu of %zu parts over the %llu bytes of -split, from %s on"
			 " (up to %llu bytes): one event and the names of the lanes take more",
			 where(s), over, s->nparts, (unsigned long long)s->split.limit,
			 s->parts[first].path, (unsigned long long)most);
	for (size_t i = 0; i < s->nparts; i++) {
		FILE *f = s->parts[i].out.f;

		if (f && (fflush(f) || ferror(f))) {
			t2p_output_write_error(&s->parts[i].out);
			return -1;
		}
	}
	if (write_index(s))
		return -1;
	for (size_t i = 0; i < s->nparts; i++)
		if (t2p_output_commit(&s->parts[i].out))
			return -1;
	return 0;
}

static int json_end(t2p_sink *base, gt_status status)
{
	json_sink *s = (json_sink *)base;
	uint64_t broken;

	if (tv_gen_finish(s->gen, status) || s->tv.failed)
		return -1;
	tv_close(&s->tv);
	if (s->tv.oom)
		return oom();
	if ((broken = tv_gen_broken(s->gen)))
		t2p_warn("%s: warning: %llu goroutine events break go tool trace's invariants"
			 " (it would fail on this trace); their slices are left out", where(s),
			 (unsigned long long)broken);
	if (s->split.limit) {
		s->tv.part.bytes = s->ob.sent + s->ob.n;
		s->parts[s->nparts - 1].stats = s->tv.part;
	}
	if (ob_flush(&s->ob)) {
		t2p_output_write_error(s->split.limit ? &s->parts[s->nparts - 1].out : &s->out);
		return -1;
	}
	return s->split.limit ? commit_parts(s) : t2p_output_commit(&s->out);
}

static void json_free(t2p_sink *base)
{
	json_sink *s = (json_sink *)base;

	if (s->out.f)
		t2p_output_abort(&s->out);
	for (size_t i = 0; i < s->nparts; i++)
		drop_part(&s->parts[i]);
	free(s->parts);
	tv_gen_free(s->gen);
	if (s->tv.o)
		tv_free(&s->tv);
	free(s);
}

static t2p_sink *json_sink_new(const char *path, int view, uint64_t limit,
			       const t2p_select *sel)
{
	json_sink *s = calloc(1, sizeof *s);

	if (!s)
		return NULL;
	s->base = (t2p_sink){ .name = "json", .begin = json_begin, .event = json_event,
			      .end = json_end, .free = json_free };
	s->path = path;
	s->view = view;
	s->sel = sel;
	s->split = (tv_split){ .limit = limit, .ctx = s, .meta = split_meta,
			       .meta_version = split_meta_version, .next = split_next,
			       .back = split_back };
	return &s->base;
}

t2p_sink *t2p_json_sink(const char *path, int view, const t2p_select *sel)
{
	return json_sink_new(path, view, 0, sel);
}

t2p_sink *t2p_json_parts_sink(const char *dir, int view, uint64_t limit,
			       const t2p_select *sel)
{
	return json_sink_new(dir, view, limit, sel);
}
