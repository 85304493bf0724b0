/*
 * tvemit.c - see tvemit.h.  Field order, omitempty rules and argument
 * shapes are those of internal/trace/traceviewer/format.Event and friends;
 * each event goes on its own line, as json.Encoder puts them.
 */
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "tvemit.h"

struct tv_frame {
	uint64_t pc, line;
	uint32_t func;      /* symbol table string id */
	uint32_t parent;    /* 0 for a root */
	uint32_t next;      /* next frame whose (parent, pc) hashes alike */
	uint8_t required;   /* a written event uses it */
};

static int buf_reserve(tv_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 32;
	char *p;

	if (need <= b->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	if (!(p = realloc(b->p, cap)))
		return -1;
	b->p = p;
	b->cap = cap;
	return 0;
}

int tv_buf_add(tv_buf *b, const char *p, size_t len)
{
	if (len > SIZE_MAX - b->len || buf_reserve(b, b->len + len))
		return -1;
	if (len)
		memcpy(b->p + b->len, p, len);
	b->len += len;
	return 0;
}

int tv_buf_set(tv_buf *b, const char *p, size_t len)
{
	b->len = 0;
	return tv_buf_add(b, p, len);
}

void tv_buf_free(tv_buf *b)
{
	free(b->p);
	*b = (tv_buf){ 0 };
}

/* Go's time.Duration arithmetic wraps. */
static int64_t add_ns(int64_t a, int64_t b)
{
	return (int64_t)((uint64_t)a + (uint64_t)b);
}

/* Emitter.tsWithinRange for /jsontrace's default window. */
static int in_window(int64_t ts)
{
	return ts >= 0;
}

void tv_init(tv_emitter *e, outbuf *o, const gt_symtab *sym)
{
	memset(e, 0, sizeof *e);
	e->o = o;
	e->sym = sym;
	u64map_init(&e->children, sizeof(uint32_t));
	u64map_init(&e->by_stack, sizeof(uint32_t));
	ob_puts(o, "{\"displayTimeUnit\":\"ns\",\"traceEvents\":[\n");
}

void tv_free(tv_emitter *e)
{
	free(e->frames);
	free(e->required);
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

uint32_t tv_stack(tv_emitter *e, uint32_t stack)
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
		id = e->frames[id - 1].parent;
	}
}

void tv_checkpoint(tv_emitter *e)
{
	e->saved = e->c;
	e->nrequired = 0;
}

/* Frames made since stay in the tree: only stack ids would tell. */
void tv_rollback(tv_emitter *e)
{
	e->c = e->saved;
	while (e->nrequired)
		e->frames[e->required[--e->nrequired] - 1].required = 0;
}

static void write_frame(tv_emitter *e, uint32_t id, tv_buf *name)
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
	ob_putc(e->o, '"');
	ob_u64(e->o, id);
	ob_puts(e->o, "\":{\"name\":");
	jw_string(e->o, name->p, name->len);
	if (f->parent) {
		ob_puts(e->o, ",\"parent\":");
		ob_u64(e->o, f->parent);
	}
	ob_putc(e->o, '}');
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
		write_frame(e, id, &name);
	}
	ob_puts(e->o, "}}\n");
	tv_buf_free(&name);
}

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

static void stacks(tv_emitter *e, uint32_t sf, uint32_t esf)
{
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

void tv_slice(tv_emitter *e, const tv_event *ev)
{
	if (!in_window(ev->ts) && !in_window(add_ns(ev->ts, ev->dur)))
		return;
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

void tv_instant(tv_emitter *e, const tv_event *ev)
{
	if (!in_window(ev->ts))
		return;
	open_event(e, ev->name, ev->name_len, "I", "t", ev->ts);
	pid_tid(e->o, TV_PROCS, ev->tid, 0);
	stacks(e, ev->sf, 0);
	write_args(e->o, &ev->args);
	close_event(e, ev);
}

void tv_arrow(tv_emitter *e, uint64_t pid, const char *name, size_t name_len, int64_t from_ts,
	      uint64_t from_tid, uint32_t from_sf, int64_t to_ts, uint64_t to_tid)
{
	if (!in_window(from_ts) || !in_window(to_ts))
		return;
	e->c.arrow_seq++;
	open_event(e, name, name_len, "s", NULL, from_ts);
	pid_tid(e->o, pid, from_tid, e->c.arrow_seq);
	stacks(e, from_sf, 0);
	ob_putc(e->o, '}');
	open_event(e, name, name_len, "t", NULL, to_ts);
	pid_tid(e->o, pid, to_tid, e->c.arrow_seq);
	ob_putc(e->o, '}');
}

/* traceviewer.pickTaskColor: the catapult colour names of colorForTask. */
const char *tv_task_color(uint64_t id)
{
	static const char *const colors[23] = {
		"thread_state_uninterruptible", "thread_state_iowait", "thread_state_running",
		"thread_state_runnable", "thread_state_unknown", "light_memory_dump",
		"background_memory_dump", "detailed_memory_dump", "good", "bad", "terrible",
		"olive", "rail_response", "rail_animation", "rail_idle", "rail_load",
		"heap_dump_child_node_arrow", "cq_build_running", "cq_build_passed",
		"cq_build_failed", "cq_build_abandoned", "cq_build_attempt_runnig",
		"cq_build_attempt_passed",
	};

	return colors[id % 23];
}

/* Region slices of task views: a "b"/"e" pair, coloured like their task. */
void tv_async_slice(tv_emitter *e, const tv_event *ev)
{
	int64_t end = add_ns(ev->ts, ev->dur);
	tv_event last = *ev;

	if (!in_window(ev->ts) && !in_window(end))
		return;
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

static void open_counter(tv_emitter *e, const char *name, int64_t ts)
{
	open_event(e, name, strlen(name), "C", NULL, ts);
	pid_tid(e->o, TV_STATS, 0, 0);
	ob_puts(e->o, ",\"args\":{");
}

void tv_goroutine_transition(tv_emitter *e, int64_t ts, tv_gstate from, tv_gstate to)
{
	e->c.gstates[from]--;
	e->c.gstates[to]++;
	if (!memcmp(e->c.gstates, e->c.prev_gstates, sizeof e->c.gstates))
		return;
	if (in_window(ts)) {
		open_counter(e, "Goroutines", ts);
		key_u64(e->o, "\"Running\":", (uint64_t)e->c.gstates[TV_G_RUNNING]);
		key_u64(e->o, ",\"Runnable\":", (uint64_t)e->c.gstates[TV_G_RUNNABLE]);
		key_u64(e->o, ",\"GCWaiting\":", (uint64_t)e->c.gstates[TV_G_WAITING_GC]);
		ob_puts(e->o, "}}");
	}
	memcpy(e->c.prev_gstates, e->c.gstates, sizeof e->c.gstates);
}

/* IncThreadStateCount(ThreadStateRunning): InSyscall is never counted in
 * Go 1.22+ traces, so it stays 0. */
void tv_threads_running(tv_emitter *e, int64_t ts, int delta)
{
	e->c.threads_running += delta;
	if (e->c.threads_running == e->c.prev_threads_running)
		return;
	if (in_window(ts)) {
		open_counter(e, "Threads", ts);
		ob_puts(e->o, "\"Running\":");
		ob_i64(e->o, e->c.threads_running);
		ob_puts(e->o, ",\"InSyscall\":0}}");
	}
	e->c.prev_threads_running = e->c.threads_running;
}

/* NextGC is shown as the distance to the goal. */
static void heap_counters(tv_emitter *e, int64_t ts)
{
	if (e->c.heap_alloc == e->c.prev_heap_alloc && e->c.next_gc == e->c.prev_next_gc)
		return;
	if (in_window(ts)) {
		open_counter(e, "Heap", ts);
		key_u64(e->o, "\"Allocated\":", e->c.heap_alloc);
		key_u64(e->o, ",\"NextGC\":", e->c.next_gc > e->c.heap_alloc ? e->c.next_gc - e->c.heap_alloc : 0);
		ob_puts(e->o, "}}");
	}
	e->c.prev_heap_alloc = e->c.heap_alloc;
	e->c.prev_next_gc = e->c.next_gc;
}

void tv_heap_alloc(tv_emitter *e, int64_t ts, uint64_t v)
{
	e->c.heap_alloc = v;
	heap_counters(e, ts);
}

/* Goals above 1 PiB are a runtime artefact (go.dev/issue/63864): Go shows 0. */
void tv_heap_goal(tv_emitter *e, int64_t ts, uint64_t v)
{
	e->c.next_gc = v > (1ull << 50) ? 0 : v;
	heap_counters(e, ts);
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

void tv_process_meta(tv_emitter *e, uint64_t pid, const char *name, int sort)
{
	meta_pair(e, "process", pid, 0, name, strlen(name), sort);
}

void tv_thread_meta(tv_emitter *e, uint64_t pid, uint64_t tid, const char *name, size_t len,
		    int64_t sort)
{
	meta_pair(e, "thread", pid, tid, name, len, sort);
}
