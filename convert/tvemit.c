/*
 * tvemit.c - see tvemit.h.  Field order, omitempty rules and argument
 * shapes are those of internal/trace/traceviewer/format.Event and friends;
 * each event goes on its own line, as json.Encoder puts them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonw.h"
#include "output.h"
#include "tvemit.h"

struct tv_frame {
	uint64_t pc, line;
	uint32_t func;      /* symbol table string id */
	uint32_t parent;    /* 0 for a root */
	uint32_t next;      /* next frame whose (parent, pc) hashes alike */
	uint8_t required;   /* a written event uses it */
};

/* Go's time.Duration arithmetic wraps. */
static int64_t add_ns(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

static void write_header(tv_emitter *e)
{
	ob_puts(e->o, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
}

void tv_init(tv_emitter *e, outbuf *o, const char *where, const gt_symtab *sym)
{
	memset(e, 0, sizeof *e);
	e->o = o;
	e->where = where;
	e->sym = sym;
	u64map_init(&e->children, sizeof(uint32_t));
	u64map_init(&e->by_stack, sizeof(uint32_t));
	write_header(e);
}

int tv_set_split(tv_emitter *e, const tv_split *split)
{
	FILE *f = fopen("/dev/null", "w");

	if (!f || !(e->null = malloc(sizeof *e->null))) {
		if (f)
			fclose(f);
		return -1;
	}
	ob_init(e->null, f);
	e->split = split;
	return 0;
}

void tv_free(tv_emitter *e)
{
	if (e->null) {
		fclose(e->null->f);
		free(e->null);
	}
	free(e->frames);
	free(e->required);
	free(e->saved.required);
	u64map_free(&e->children);
	u64map_free(&e->by_stack);
}

/* Frame tree. */

static uint64_t child_key(uint32_t parent, uint64_t pc)
{
	return (pc ^ ((uint64_t)parent << 40 | (uint64_t)parent >> 24)) * 0x9E3779B97F4A7C15ull;
}

/* The child of parent for this frame's PC, made if new: frames are keyed
 * by PC alone, so the first function and line seen for a PC name it. */
static uint32_t child(tv_emitter *e, uint32_t parent, const gt_frame *f)
{
	uint64_t key = child_key(parent, f->pc);
	uint32_t *head = u64map_get(&e->children, key), id;
	int added;

	for (id = head ? *head : 0; id; id = e->frames[id - 1].next)
		if (e->frames[id - 1].parent == parent && e->frames[id - 1].pc == f->pc)
			return id;
	if (e->nframes >= UINT32_MAX - 1 || !(head = u64map_put(&e->children, key, &added))) {
		e->oom = 1;
		return 0;
	}
	if (e->nframes == e->capframes) {
		size_t cap = e->capframes ? 2 * e->capframes : 256;
		tv_frame *fr = realloc(e->frames, cap * sizeof *fr);

		if (!fr) {
			e->oom = 1;
			return 0;
		}
		e->frames = fr;
		e->capframes = cap;
	}
	id = (uint32_t)++e->nframes;
	e->frames[id - 1] = (tv_frame){ f->pc, f->line, f->func_id, parent, added ? 0 : *head, 0 };
	*head = id;
	return id;
}

/* The viewer id of a symbol table stack: its leaf in the frame tree, grown
 * as traceviewer's Emitter.Stack grows it (ids in order of first use). */
static uint32_t tv_stack(tv_emitter *e, uint32_t stack)
{
	const uint32_t *ids;
	uint32_t *cached, leaf = 0;
	size_t n;
	int added;

	if (stack == GT_NO_STACK)
		return 0;
	if ((cached = u64map_get(&e->by_stack, stack)))
		return *cached;
	/* Emitter.buildBranch: from the outermost frame down to the leaf. */
	ids = gt_symtab_stack(e->sym, stack, &n);
	while (n-- > 0 && !e->oom) {
		gt_frame f;

		gt_symtab_frame(e->sym, ids[n], &f);
		leaf = child(e, leaf, &f);
	}
	if (e->oom || !(cached = u64map_put(&e->by_stack, stack, &added))) {
		e->oom = 1;
		return 0;
	}
	*cached = leaf;
	return leaf;
}

static void write_frame(tv_emitter *e, outbuf *o, uint32_t id, tv_buf *name);

/* The bytes of a frame's entry in "stackFrames", its separator counted. */
static uint64_t frame_bytes(tv_emitter *e, uint32_t id)
{
	tv_buf name = { 0 };
	uint64_t before = e->null->sent + e->null->n;

	write_frame(e, e->null, id, &name);
	tv_buf_free(&name);
	return 2 + e->null->sent + e->null->n - before;
}

/* ViewerDataTraceConsumer keeps the frames of the events it writes. */
static void require(tv_emitter *e, uint32_t id)
{
	while (id && !e->frames[id - 1].required) {
		if (e->nrequired == e->caprequired) {
			size_t cap = e->caprequired ? 2 * e->caprequired : 64;
			uint32_t *r = realloc(e->required, cap * sizeof *r);

			if (!r) {
				e->oom = 1;
				return;
			}
			e->required = r;
			e->caprequired = cap;
		}
		e->required[e->nrequired++] = id;
		e->frames[id - 1].required = 1;
		if (e->split)
			e->frames_bytes += frame_bytes(e, id);
		id = e->frames[id - 1].parent;
	}
}

static uint64_t out_pos(const tv_emitter *e)
{
	return e->o->sent + e->o->n;
}

/* Forget the frames the part's events use past the first n. */
static void unrequire(tv_emitter *e, size_t n)
{
	while (e->nrequired > n)
		e->frames[e->required[--e->nrequired] - 1].required = 0;
}

/* Cut the output back to pos bytes of its part. */
static int cut_back(tv_emitter *e, uint64_t pos)
{
	if (pos >= e->o->sent) {
		e->o->n = (size_t)(pos - e->o->sent);
		return 0;
	}
	if (ob_flush(e->o) || ftruncate(fileno(e->o->f), (off_t)pos) ||
	    fseek(e->o->f, (long)pos, SEEK_SET))
		return -1;
	e->o->sent = pos;
	return 0;
}

static void tv_checkpoint(void *ctx)
{
	tv_emitter *e = ctx;

	e->saved.c = e->c;
	e->saved.pos = ob_flush(e->o) ? UINT64_MAX : out_pos(e);
	e->saved.part = e->nparts;
	e->saved.stats = e->part;
	e->saved.frames_bytes = e->frames_bytes;
	/* The frames the part uses so far, to use them again after a rollback. */
	if (e->nrequired > e->saved.caprequired) {
		uint32_t *r = realloc(e->saved.required, e->nrequired * sizeof *r);

		if (!r) {
			e->oom = 1;
			return;
		}
		e->saved.required = r;
		e->saved.caprequired = e->nrequired;
	}
	if (e->nrequired)
		memcpy(e->saved.required, e->required, e->nrequired * sizeof *e->required);
	e->saved.nrequired = e->nrequired;
}

/* Frames made since stay in the tree: only stack ids would tell.  The
 * parts begun since the checkpoint are dropped, and its part continues. */
static int tv_rollback(void *ctx)
{
	tv_emitter *e = ctx;
	uint64_t pos = e->saved.pos;
	FILE *f;
	int err;

	if (pos == UINT64_MAX) {
		err = 1;
	} else if (e->nparts > e->saved.part) {
		if (!(f = e->split->back(e->split->ctx, e->saved.part)))
			return -1;
		ob_init(e->o, f);
		err = ftruncate(fileno(f), (off_t)pos) || fseek(f, (long)pos, SEEK_SET);
		e->o->sent = pos;
		e->nparts = e->saved.part;
	} else {
		err = cut_back(e, pos);
	}
	if (err) {
		fprintf(stderr, "%s: %s: cannot take back the events after the last complete"
			" generation (go tool trace leaves them out)\n", t2p_prog, e->where);
		return -1;
	}
	e->c = e->saved.c;
	e->part = e->saved.stats;
	unrequire(e, 0);
	for (size_t i = 0; i < e->saved.nrequired; i++)
		require(e, e->saved.required[i]);
	e->frames_bytes = e->saved.frames_bytes;
	return 0;
}

static void write_frame(tv_emitter *e, outbuf *o, uint32_t id, tv_buf *name)
{
	const tv_frame *f = &e->frames[id - 1];
	gt_str func = gt_symtab_string(e->sym, f->func);
	char line[24];
	int n = snprintf(line, sizeof line, ":%llu", (unsigned long long)f->line);

	/* Built whole first: Go formats "%v:%v" before it escapes. */
	if (tv_buf_set(name, func.ptr, func.len) || tv_buf_add(name, line, (size_t)n)) {
		e->oom = 1;
		return;
	}
	ob_putc(o, '"');
	ob_u64(o, id);
	ob_puts(o, "\":{\"name\":");
	jw_string(o, name->p, name->len);
	if (f->parent) {
		ob_puts(o, ",\"parent\":");
		ob_u64(o, f->parent);
	}
	ob_putc(o, '}');
}

void tv_close(tv_emitter *e)
{
	tv_buf name = { 0 };
	int first = 1;

	ob_puts(e->o, "\n],\n\"stackFrames\":{");
	for (uint32_t id = 1; id <= e->nframes; id++) {
		if (!e->frames[id - 1].required)
			continue;
		ob_puts(e->o, first ? "\n" : ",\n");
		first = 0;
		write_frame(e, e->o, id, &name);
	}
	ob_puts(e->o, "}}\n");
	tv_buf_free(&name);
}

/* Splitting. */

/* What follows a part's events, but for its names and frames. */
#define CLOSING_BYTES (sizeof "\n],\n\"stackFrames\":{" - 1 + sizeof "}}\n" - 1)

/* The bytes of the lanes' names, measured (written where nothing is kept)
 * whenever the lanes change. */
static void measure_meta(tv_emitter *e)
{
	uint64_t v = e->split->meta_version(e->split->ctx), before;
	outbuf *o = e->o;
	tv_counts c = e->c;

	if (e->meta_known && v == e->meta_version)
		return;
	e->o = e->null;
	e->closing = 1;
	e->c.written = 1;  /* each name counted with its separator */
	before = out_pos(e);
	e->split->meta(e->split->ctx);
	e->meta_bytes = out_pos(e) - before;
	e->meta_known = 1;
	e->meta_version = v;
	e->closing = 0;
	e->o = o;
	e->c = c;
}

/* End the part (the lanes' names, its frames) and start the next. */
static int next_part(tv_emitter *e)
{
	FILE *f;

	e->closing = 1;
	e->split->meta(e->split->ctx);
	e->closing = 0;
	tv_close(e);
	e->part.bytes = out_pos(e);
	if (ob_flush(e->o) || !(f = e->split->next(e->split->ctx, &e->part))) {
		e->failed = 1;
		return -1;
	}
	ob_init(e->o, f);
	write_header(e);
	e->nparts++;
	e->part = (tv_part){ 0 };
	e->c.written = 0;
	unrequire(e, 0);
	e->frames_bytes = 0;
	return 0;
}

/* The start of a unit of output: an event, or two that go together. */
typedef struct unit {
	uint64_t pos, frames_bytes;
	tv_counts c;
	size_t nrequired;
} unit;

static void unit_begin(tv_emitter *e, unit *u)
{
	*u = (unit){ out_pos(e), e->frames_bytes, e->c, e->nrequired };
}

/* Whether the unit, from..to in time, fits in its part.  If not, it is
 * taken back and the next part begun: the caller writes it again. */
static int unit_fits(tv_emitter *e, const unit *u, int64_t from, int64_t to)
{
	measure_meta(e);
	if (!u->c.written || e->failed ||
	    out_pos(e) + e->frames_bytes + e->meta_bytes + CLOSING_BYTES <= e->split->limit) {
		if (!e->part.events || from < e->part.start)
			e->part.start = from;
		if (!e->part.events || to > e->part.end)
			e->part.end = to;
		e->part.events++;
		return 1;
	}
	if (cut_back(e, u->pos)) {
		e->failed = 1;
		return 1;
	}
	e->c = u->c;
	unrequire(e, u->nrequired);
	e->frames_bytes = u->frames_bytes;
	if (next_part(e))
		return 1;
	return 0;
}

/* Write a unit: at once, or unit by unit when split. */
#define UNIT(e, from, to, write)                                               \
	do {                                                                   \
		unit u_;                                                       \
		if (!(e)->split || (e)->closing) {                             \
			write;                                                 \
			break;                                                 \
		}                                                              \
		do {                                                           \
			unit_begin((e), &u_);                                  \
			write;                                                 \
		} while (!unit_fits((e), &u_, (from), (to)));                  \
	} while (0)

/* Writing events. */

static void key_u64(outbuf *o, const char *key, uint64_t v)
{
	ob_puts(o, key);
	ob_u64(o, v);
}

static void write_args(outbuf *o, const tv_args *a)
{
	switch (a->kind) {
	case TV_ARGS_NONE:
	case TV_ARGS_LOG:
		return;
	case TV_ARGS_BLOCKED:
		ob_puts(o, ",\"args\":{\"blocked\":");
		jw_string(o, a->s, strlen(a->s));
		break;
	case TV_ARGS_SCHED:
		ob_puts(o, ",\"args\":{");
		if (a->a)
			key_u64(o, "\"thread\":", a->a);
		if (a->b)
			key_u64(o, a->a ? ",\"proc\":" : "\"proc\":", a->b);
		break;
	case TV_ARGS_TASK:
		key_u64(o, ",\"args\":{\"id\":", a->a);
		if (a->b)
			key_u64(o, ",\"start_g\":", a->b);
		if (a->c)
			key_u64(o, ",\"end_g\":", a->c);
		break;
	case TV_ARGS_REGION:
		key_u64(o, ",\"args\":{\"taskid\":", a->a);
		break;
	case TV_ARGS_PLACE:
		ob_puts(o, ",\"args\":{\"thread\":");
		ob_i64(o, (int64_t)a->a);
		ob_puts(o, ",\"proc\":");
		ob_i64(o, (int64_t)a->b);
		break;
	}
	ob_putc(o, '}');
}

/* The fields up to "ts", in format.Event's order; the caller goes on. */
static void open_event(tv_emitter *e, const char *name, size_t name_len, const char *ph,
		       const char *scope, int64_t ts)
{
	outbuf *o = e->o;

	if (e->c.written++)
		ob_puts(o, ",\n");
	ob_putc(o, '{');
	if (name_len) {
		ob_puts(o, "\"name\":");
		jw_string(o, name, name_len);
		ob_putc(o, ',');
	}
	ob_puts(o, "\"ph\":\"");
	ob_puts(o, ph);
	ob_putc(o, '"');
	if (scope) {
		ob_puts(o, ",\"s\":");
		jw_string(o, scope, strlen(scope));
	}
	ob_puts(o, ",\"ts\":");
	jw_micros(o, ts);
}

static void pid_tid(outbuf *o, uint64_t pid, uint64_t tid, uint64_t id)
{
	key_u64(o, ",\"pid\":", pid);
	key_u64(o, ",\"tid\":", tid);
	if (id)
		key_u64(o, ",\"id\":", id);
}

/* The stacks' frames are kept for "stackFrames". */
static void stacks(tv_emitter *e, uint32_t stack, uint32_t end_stack)
{
	uint32_t sf = tv_stack(e, stack), esf = tv_stack(e, end_stack);

	if (sf) {
		key_u64(e->o, ",\"sf\":", sf);
		require(e, sf);
	}
	if (esf) {
		key_u64(e->o, ",\"esf\":", esf);
		require(e, esf);
	}
}

static void close_event(tv_emitter *e, const tv_event *ev)
{
	if (ev->cname) {
		ob_puts(e->o, ",\"cname\":");
		jw_string(e->o, ev->cname, strlen(ev->cname));
	}
	if (ev->cat) {
		ob_puts(e->o, ",\"cat\":");
		jw_string(e->o, ev->cat, strlen(ev->cat));
	}
	ob_putc(e->o, '}');
}

static void write_slice(tv_emitter *e, const tv_event *ev)
{
	open_event(e, ev->name, ev->name_len, "X", NULL, ev->ts);
	if (ev->dur) {
		ob_puts(e->o, ",\"dur\":");
		jw_micros(e->o, ev->dur);
	}
	pid_tid(e->o, ev->pid, ev->tid, 0);
	stacks(e, ev->sf, ev->esf);
	write_args(e->o, &ev->args);
	close_event(e, ev);
}

static void write_instant(tv_emitter *e, const tv_event *ev)
{
	open_event(e, ev->name, ev->name_len, "I", "t", ev->ts);
	pid_tid(e->o, TV_PROCS, ev->tid, 0);
	stacks(e, ev->sf, 0);
	write_args(e->o, &ev->args);
	close_event(e, ev);
}

static void write_arrow(tv_emitter *e, const tv_flow *f)
{
	e->c.arrow_seq++;
	open_event(e, f->name, f->name_len, "s", NULL, f->from_ts);
	pid_tid(e->o, f->pid, f->from_tid, e->c.arrow_seq);
	stacks(e, f->stack, 0);
	ob_putc(e->o, '}');
	open_event(e, f->name, f->name_len, "t", NULL, f->to_ts);
	pid_tid(e->o, f->pid, f->to_tid, e->c.arrow_seq);
	ob_putc(e->o, '}');
}

/* Region slices of task views: a "b"/"e" pair, coloured like their task. */
static void write_async_slice(tv_emitter *e, const tv_event *ev)
{
	int64_t end = add_ns(ev->ts, ev->dur);
	tv_event last = *ev;

	e->c.async_seq++;
	last.cname = ev->task_color ? tv_task_color(ev->task_color) : NULL;
	open_event(e, ev->name, ev->name_len, "b", ev->scope, ev->ts);
	pid_tid(e->o, TV_PROCS, ev->tid, e->c.async_seq);
	stacks(e, ev->sf, 0);
	close_event(e, &last);
	open_event(e, ev->name, ev->name_len, "e", ev->scope, end);
	pid_tid(e->o, TV_PROCS, ev->tid, e->c.async_seq);
	stacks(e, ev->esf, 0);
	write_args(e->o, &ev->args);
	close_event(e, &last);
}

/* Counters. */

/* A counter's event up to its first argument, its name and lane written
 * whole: counters are a third of the events. */
#define COUNTER_HEAD(name) "{\"name\":\"" name "\",\"ph\":\"C\",\"ts\":"
#define COUNTER_LANE ",\"pid\":1,\"tid\":0,\"args\":{"
_Static_assert(TV_STATS == 1, "COUNTER_LANE names the STATS section, pid 1");

static void open_counter(tv_emitter *e, const char *head, size_t len, int64_t ts)
{
	if (e->c.written++)
		ob_puts(e->o, ",\n");
	ob_write(e->o, head, len);
	jw_micros(e->o, ts);
	ob_puts(e->o, COUNTER_LANE);
}

static void write_counters(tv_emitter *e, tv_counter which, int64_t ts, const int64_t *v)
{
	switch (which) {
	case TV_COUNTER_GOROUTINES:
		open_counter(e, COUNTER_HEAD("Goroutines"), sizeof COUNTER_HEAD("Goroutines") - 1, ts);
		key_u64(e->o, "\"Running\":", (uint64_t)v[0]);
		key_u64(e->o, ",\"Runnable\":", (uint64_t)v[1]);
		key_u64(e->o, ",\"GCWaiting\":", (uint64_t)v[2]);
		break;
	case TV_COUNTER_THREADS:
		open_counter(e, COUNTER_HEAD("Threads"), sizeof COUNTER_HEAD("Threads") - 1, ts);
		ob_puts(e->o, "\"Running\":");
		ob_i64(e->o, v[0]);
		ob_puts(e->o, ",\"InSyscall\":");
		ob_i64(e->o, v[1]);
		break;
	case TV_COUNTER_HEAP:
		open_counter(e, COUNTER_HEAD("Heap"), sizeof COUNTER_HEAD("Heap") - 1, ts);
		key_u64(e->o, "\"Allocated\":", (uint64_t)v[0]);
		key_u64(e->o, ",\"NextGC\":", (uint64_t)v[1]);
		break;
	}
	ob_puts(e->o, "}}");
}

/* The back end's calls: each a unit. */

static void tv_slice(void *ctx, const tv_event *ev)
{
	tv_emitter *e = ctx;

	UNIT(e, ev->ts, add_ns(ev->ts, ev->dur), write_slice(e, ev));
}

static void tv_instant(void *ctx, const tv_event *ev)
{
	tv_emitter *e = ctx;

	UNIT(e, ev->ts, ev->ts, write_instant(e, ev));
}

static void tv_arrow(void *ctx, const tv_flow *f)
{
	tv_emitter *e = ctx;

	UNIT(e, f->from_ts < f->to_ts ? f->from_ts : f->to_ts,
	     f->from_ts < f->to_ts ? f->to_ts : f->from_ts, write_arrow(e, f));
}

static void tv_async_slice(void *ctx, const tv_event *ev)
{
	tv_emitter *e = ctx;

	UNIT(e, ev->ts, add_ns(ev->ts, ev->dur), write_async_slice(e, ev));
}

static void tv_counters(void *ctx, tv_counter which, int64_t ts, const int64_t *v)
{
	tv_emitter *e = ctx;

	UNIT(e, ts, ts, write_counters(e, which, ts, v));
}

/* Metadata. */

static void open_meta(tv_emitter *e, const char *what, uint64_t pid, uint64_t tid)
{
	open_event(e, what, strlen(what), "M", NULL, 0);
	pid_tid(e->o, pid, tid, 0);
	ob_puts(e->o, ",\"args\":{");
}

static void meta_pair(tv_emitter *e, const char *kind, uint64_t pid, uint64_t tid,
		      const char *name, size_t len, int64_t sort)
{
	char what[32];

	snprintf(what, sizeof what, "%s_name", kind);
	open_meta(e, what, pid, tid);
	ob_puts(e->o, "\"name\":");
	jw_string(e->o, name, len);
	ob_puts(e->o, "}}");
	snprintf(what, sizeof what, "%s_sort_index", kind);
	open_meta(e, what, pid, tid);
	ob_puts(e->o, "\"sort_index\":");
	ob_i64(e->o, sort);
	ob_puts(e->o, "}}");
}

static void tv_process_meta(void *ctx, uint64_t pid, const char *name, int sort)
{
	meta_pair(ctx, "process", pid, 0, name, strlen(name), sort);
}

static void tv_thread_meta(void *ctx, uint64_t pid, uint64_t tid, const char *name, size_t len,
			   int64_t sort)
{
	meta_pair(ctx, "thread", pid, tid, name, len, sort);
}

const tv_backend tv_json_backend = {
	.slice = tv_slice,
	.instant = tv_instant,
	.async_slice = tv_async_slice,
	.flow = tv_arrow,
	.counter = tv_counters,
	.process_meta = tv_process_meta,
	.thread_meta = tv_thread_meta,
	.checkpoint = tv_checkpoint,
	.rollback = tv_rollback,
};
