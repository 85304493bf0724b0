/*
 * reader.c - the public reader (see gotrace.h): generation by generation,
 * merge each M's batches through the ordering step into one stream, exactly
 * as Go's internal/trace/reader.go does.
 *
 * Memory: a generation's tables are read whole, reset and reused; its event
 * batches are read one at a time per M as the M's turn comes (a pipe, which
 * cannot be read twice, keeps the generation in the input window instead).
 * The ordering state and the symbol table are all that outlive a generation.
 *
 * Read ahead (gt_reader_read_ahead), all but the building of gt_events runs
 * on a thread of the reader's own (ahead.h).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ahead.h"
#include "event.h"
#include "events.h"
#include "generation.h"
#include "gosort.h"
#include "legacy.h"
#include "order.h"
#include "symtab.h"
#include "wire.h"

/* A cursor over one M's batches in the current generation (batchcursor.go). */
typedef struct cursor {
	int64_t m;
	ord_m *ms;               /* its state in the ordering, NULL for no thread */
	const uint32_t *batches; /* indices into gen.batches */
	uint32_t nbatches, idx;  /* idx: the batch being read, UINT32_MAX before the first */
	const uint8_t *p, *end;  /* the unread part of its payload */
	uint64_t p_off;          /* the input offset of p */
	uint64_t batch_ts;       /* the batch's base time, in ticks */
	uint8_t *buf;            /* where payloads are read to, for file input */
	int64_t last_ts;
	ord_ev *ev;              /* the M's next event: one of evs */
	ord_ev evs[2];           /* the next one is decoded while the ordering
				  * may still publish the last one in place */
} cursor;

/* A frontier entry: a cursor and its event's time, kept here for the heap. */
typedef struct hent {
	int64_t time;
	cursor *c;
} hent;

struct gt_reader {
	gt_err err;
	gt_status status;        /* sticky: GT_OK, GT_END or the first error */
	int version;
	wire_src src;
	gt_symtab *sym;
	generation gen;
	int have_gen;            /* Go's r.gen != nil */
	int done;
	int syncs;
	int64_t last_ts;

	cursor *cursors;
	size_t capcursors;
	uint8_t **bufs;          /* batch buffers, one per cursor, kept across generations */
	size_t nbufs, capbufs;
	hent *heap;              /* the frontier: a min-heap on the cursors' event times */
	size_t nheap, capheap;
	size_t cpu_next;         /* next CPU sample of gen */
	ordering order;

	/* Pre-1.26 traces end a generation by starting the next one. */
	wire_batch spill;
	int has_spill;
	/* An error met while reading a generation, reported after a Sync. */
	gt_err deferred;
	int has_deferred;
	int deferred_synced;

	uint64_t valid_off;      /* end of the generations fully delivered */
	size_t gen_limit;        /* gt_reader_set_gen_memory_limit */
	ord_ev own;              /* a Sync or CPU sample being delivered */
	legacy_reader *legacy;   /* Go 1.11-1.21 traces */
	ahead *ahead;            /* the thread reading ahead, if one is */
	int probe;               /* the step of measuring it (probe_step) */
	uint64_t probe_left;     /* events until the next step, 0 for none */
	uint64_t probe_t0;       /* CPU or wall time at the window's start, ns */
	uint64_t alone_ns;       /* CPU time of the window read alone */
	unsigned slow_windows;   /* windows in a row that read ahead did not pay */
	uint64_t retry_events;   /* after a retirement, events read alone until the next try */
	char name_buf[EV_NAME_BUF];
	/* By wire type byte: the args of a timed event, NOT_TIMED otherwise
	 * (unknown or table types): one load checks and sizes an event. */
	uint8_t timed_nargs[256];
};

enum { NOT_TIMED = 0xff };

gt_reader *gt_reader_new(void)
{
	gt_reader *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	if (!(r->sym = sym_new())) {
		free(r);
		return NULL;
	}
	r->err.m = -1;
	r->src.fd = -1;
	r->gen_limit = GT_GEN_MEMORY_DEFAULT;
	for (unsigned typ = 0; typ < 256; typ++)
		r->timed_nargs[typ] =
			typ < EV_TABLE_SIZE && ev_specs[typ].timed ? ev_specs[typ].nargs : NOT_TIMED;
	gen_init(&r->gen);
	ord_init(&r->order, 0);
	return r;
}

void gt_reader_free(gt_reader *r)
{
	if (!r)
		return;
	if (r->ahead)
		ah_stop(r->ahead);
	wire_close(&r->src);
	sym_free(r->sym);
	gen_free(&r->gen);
	ord_free(&r->order);
	legacy_free(r->legacy);
	for (size_t i = 0; i < r->nbufs; i++)
		free(r->bufs[i]);
	free(r->bufs);
	free(r->cursors);
	free(r->heap);
	free(r);
}

/* GT_VERSION: the project's version, from CMakeLists.txt. */
const char *gt_version(void) { return GT_VERSION; }

const gt_error *gt_reader_error(const gt_reader *r) { return &r->err.pub; }
int gt_reader_version(const gt_reader *r) { return r->version; }
const gt_symtab *gt_reader_symtab(const gt_reader *r) { return r->sym; }
uint64_t gt_reader_offset(const gt_reader *r) { return r->src.off; }
uint64_t gt_reader_valid_offset(const gt_reader *r) { return r->valid_off; }
uint64_t gt_reader_input_bytes(const gt_reader *r) { return wire_in_bytes(&r->src); }

const char *gt_reader_compression(const gt_reader *r)
{
	return dc_name(r->src.compression);
}

void gt_reader_set_gen_memory_limit(gt_reader *r, size_t bytes)
{
	r->gen_limit = bytes;
}

static gt_status stop(gt_reader *r, gt_status st)
{
	r->status = st;
	if (st == GT_END) {
		r->err.pub.code = GT_END;
		r->err.pub.msg = "";
	}
	return st;
}

static gt_status open_input(gt_reader *r)
{
	gt_status st;

	r->err.gen = 0;
	r->err.m = -1;
	if ((st = wire_read_header(&r->src, &r->version, &r->err)))
		return stop(r, st);
	r->valid_off = gt_reader_offset(r);
	if (r->version < GO122) {
		if ((st = legacy_open(&r->legacy, &r->src, r->version, r->sym, r->gen_limit, &r->err)))
			return stop(r, st);
		return GT_OK;
	}
	ord_free(&r->order);
	ord_init(&r->order, r->version);
	return GT_OK;
}

gt_status gt_reader_open_fd(gt_reader *r, int fd)
{
	wire_init_fd(&r->src, fd, 0);
	return open_input(r);
}

gt_status gt_reader_open_memory(gt_reader *r, const void *src, size_t size)
{
	wire_init_memory(&r->src, src, size);
	return open_input(r);
}

gt_status gt_reader_open_file(gt_reader *r, const char *path)
{
	gt_status st = wire_open_file(&r->src, path, &r->err);

	return st ? stop(r, st) : open_input(r);
}

/* The frontier heap: Go's heapInsert/heapUpdate/heapRemove, with strict
 * comparisons, so cursors with equal times stay where Go leaves them. */

static void hswap(hent *h, size_t i, size_t j)
{
	hent t = h[i];

	h[i] = h[j];
	h[j] = t;
}

static size_t sift_up(hent *h, size_t i)
{
	while (i > 0 && h[(i - 1) / 2].time > h[i].time) {
		hswap(h, (i - 1) / 2, i);
		i = (i - 1) / 2;
	}
	return i;
}

static void sift_down(hent *h, size_t n, size_t i)
{
	for (;;) {
		size_t m = i, l = 2 * i + 1;

		if (l < n && h[l].time < h[m].time)
			m = l;
		if (l + 1 < n && h[l + 1].time < h[m].time)
			m = l + 1;
		if (m == i)
			return;
		hswap(h, i, m);
		i = m;
	}
}

/* Entry i's cursor has a new event, at time t.  Nearly always it is the
 * root's and comes no later than its children's, so the root stays: checked
 * inline.  t is passed, not read back through the entry's cursor: that chain
 * of loads would wait on the stores that just decoded the event. */
static GT_INLINE void heap_update(gt_reader *r, size_t i, int64_t t)
{
	hent *h = r->heap;
	size_t n = r->nheap;

	h[i].time = t;
	if (i == 0 && (n < 2 || t <= h[1].time) && (n < 3 || t <= h[2].time))
		return;
	if (sift_up(h, i) == i)
		sift_down(h, n, i);
}

static void heap_remove(gt_reader *r, size_t i)
{
	while (i > 0) {
		hswap(r->heap, (i - 1) / 2, i);
		i = (i - 1) / 2;
	}
	hswap(r->heap, 0, r->nheap - 1);
	r->nheap--;
	sift_down(r->heap, r->nheap, 0);
}

static int hent_cmp(const void *a, const void *b)
{
	int64_t x = ((const hent *)a)->time, y = ((const hent *)b)->time;

	return (x > y) - (x < y);
}

/* Start the cursor's next non-empty batch; 0 if it has none left.  Once
 * per batch: out of line, to keep the per-event path small. */
static GT_NOINLINE int cursor_batch(gt_reader *r, cursor *c)
{
	const wire_batch *b;
	const uint8_t *data;

	do {
		c->idx = c->idx == UINT32_MAX ? 0 : c->idx + 1;
		if (c->idx >= c->nbatches)
			return 0;
		b = &r->gen.batches[c->batches[c->idx]];
	} while (b->size == 0);
	if (!(data = wire_payload(&r->src, b, c->buf, &r->err)))
		return -1;
	c->p = data;
	c->end = data + b->size;
	c->p_off = b->payload;
	c->batch_ts = b->ts;
	c->last_ts = 0;
	return 1;
}

/* A uvarint with no bounds check, for when 10 bytes or more remain.  On an
 * encoding Go's Uvarint rejects, *bad is set and the next varint is read
 * 10 bytes on: harmless, as the caller has room for every varint of the
 * event and looks at *bad once, after the last, which keeps the check out
 * of the loop that decodes the arguments. */
static const uint8_t *uvarint_unchecked_slow(const uint8_t *p, uint64_t *v, unsigned *bad)
{
	uint64_t x = 0;

	for (unsigned i = 0, s = 0; i < 10; i++, s += 7) {
		uint8_t b = p[i];

		if (b < 0x80) {
			if (i == 9 && b > 1)
				break;
			*v = x | (uint64_t)b << s;
			return p + i + 1;
		}
		x |= (uint64_t)(b & 0x7f) << s;
	}
	*bad = 1;
	*v = 0;
	return p + 10;
}

/* Most arguments and time deltas take one to three bytes.  Branches on the
 * length, not a branchless decode: they are well predicted, and a branch
 * lets the next varint start before this one's length is known. */
static GT_INLINE const uint8_t *uvarint_unchecked(const uint8_t *p, uint64_t *v, unsigned *bad)
{
	if (GT_LIKELY(p[0] < 0x80)) {
		*v = p[0];
		return p + 1;
	}
	if (GT_LIKELY(p[1] < 0x80)) {
		*v = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7;
		return p + 2;
	}
	if (GT_LIKELY(p[2] < 0x80)) {
		*v = (uint64_t)(p[0] & 0x7f) | (uint64_t)(p[1] & 0x7f) << 7 | (uint64_t)p[2] << 14;
		return p + 3;
	}
	return uvarint_unchecked_slow(p, v, bad);
}

/* The time delta and arguments of an event near the batch end, where each
 * varint's length must be checked; NULL on a bad one, with *which saying
 * whether it was the time (0) or an argument (1). */
static GT_NOINLINE const uint8_t *decode_checked(const uint8_t *p, const uint8_t *end,
						 unsigned nargs, uint64_t *dt, uint64_t *args,
						 int *which)
{
	int n;

	*which = 0;
	if ((n = gt_uvarint(p, (size_t)(end - p), dt)) <= 0)
		return NULL;
	p += n;
	*which = 1;
	for (unsigned i = 0; i < nargs; i++, p += n)
		if ((n = gt_uvarint(p, (size_t)(end - p), &args[i])) <= 0)
			return NULL;
	return p;
}

static GT_COLD int bad_event(gt_reader *r, uint64_t off, unsigned typ, int which)
{
	if (typ >= EV_TABLE_SIZE)
		gt_fail(&r->err, GT_ERR_CORRUPT, off, "found invalid event type: %u", typ);
	else if (!ev_specs[typ].timed)
		gt_fail(&r->err, GT_ERR_CORRUPT, off, "found event without a timestamp: type=%u", typ);
	else
		gt_fail(&r->err, GT_ERR_CORRUPT, off,
			which ? "found invalid uvarint" : "found invalid uvarint for timestamp");
	return -1;
}

/* The biggest event: a type byte and five 10-byte varints. */
#define MAX_EVENT_BYTES 51

/* Decode the cursor's next event (batchcursor.go nextEvent and
 * readTimedBaseEvent).  1 if there is one, 0 at the M's end, -1 on error.
 * Inline: it runs once per event. */
static GT_INLINE int cursor_next(gt_reader *r, cursor *c)
{
	ord_ev *ev = c->ev;
	const uint8_t *p;
	uint64_t dt;
	unsigned typ, nargs;
	int rc, which;

	if (GT_UNLIKELY(c->p == c->end) && (rc = cursor_batch(r, c)) <= 0)
		return rc;
	p = c->p;
	ev->off = c->p_off;
	typ = *p++;
	if (GT_UNLIKELY((nargs = r->timed_nargs[typ]) == NOT_TIMED))
		return bad_event(r, ev->off, typ, 0);
	if (GT_LIKELY(c->end - p >= MAX_EVENT_BYTES)) {
		unsigned bad_time = 0, bad_arg = 0;

		p = uvarint_unchecked(p, &dt, &bad_time);
		for (unsigned i = 0; i < nargs; i++)
			p = uvarint_unchecked(p, &ev->args[i], &bad_arg);
		if (GT_UNLIKELY(bad_time | bad_arg))
			return bad_event(r, ev->off, typ, !bad_time);
	} else if (!(p = decode_checked(p, c->end, nargs, &dt, ev->args, &which))) {
		return bad_event(r, ev->off, typ, which);
	}
	/* Times are deltas from the previous event, the first from the batch's
	 * base time; like Go, "previous time 0" means "use the base". */
	if (c->last_ts == 0)
		c->last_ts = gt_clock_ns(&r->gen.clock, c->batch_ts);
	ev->type = (uint8_t)typ;
	ev->time = gt_add64(gt_clock_ns(&r->gen.clock, dt), c->last_ts);
	ev->aux = 0;
	ev->aux_str = 0;
	c->last_ts = ev->time;
	c->p_off += (uint64_t)(p - c->p);
	c->p = p;
	return 1;
}

/* Advance the event of frontier cursor i (Go's tryAdvance). */
static GT_INLINE int try_advance(gt_reader *r, size_t i)
{
	cursor *c = r->heap[i].c;
	int rc;

	r->err.m = c->m;
	if ((rc = ord_advance(&r->order, c->ev, c->ms)) != 1)
		return rc;
	c->ev = c->ev == &c->evs[0] ? &c->evs[1] : &c->evs[0];
	if ((rc = cursor_next(r, c)) < 0)
		return -1;
	if (rc)
		heap_update(r, i, c->last_ts); /* cursor_next left the new event's time */
	else
		heap_remove(r, i);
	return 1;
}

static void make_sync(gt_reader *r, int64_t time, int with_table, ord_ev *oe)
{
	ord_ev_clear(oe);
	oe->type = EV_READER_SYNC;
	oe->time = time;
	oe->g = GT_NO_GOROUTINE;
	oe->p = GT_NO_PROC;
	oe->m = GT_NO_THREAD;
	oe->args[0] = (uint64_t)++r->syncs;
	oe->aux = (uint64_t)with_table;
}

/* For file input, each M's current batch is read into its own buffer. */
static int cursor_buffers(gt_reader *r, size_t n)
{
	if (GT_RESERVE(r->bufs, r->capbufs, n))
		return -1;
	for (; r->nbufs < n; r->nbufs++)
		if (!(r->bufs[r->nbufs] = malloc(WIRE_MAX_BATCH)))
			return -1;
	return 0;
}

/* Start delivering a freshly read generation (Go's installGen). */
static gt_status install_gen(gt_reader *r, ord_ev *oe)
{
	if (GT_RESERVE(r->cursors, r->capcursors, r->gen.nms) ||
	    GT_RESERVE(r->heap, r->capheap, r->gen.nms) ||
	    (r->src.mode == WIRE_FILE && cursor_buffers(r, r->gen.nms)))
		return gt_fail(&r->err, GT_ERR_NOMEM, 0, "out of memory");
	r->have_gen = 1;
	r->cpu_next = 0;
	r->nheap = 0;
	r->err.gen = r->gen.gen;
	ord_begin_gen(&r->order, &r->gen, r->sym, &r->err);
	for (size_t i = 0; i < r->gen.nms; i++) {
		cursor *c = &r->cursors[i];
		int rc;

		memset(c, 0, sizeof *c);
		c->ev = &c->evs[0];
		c->idx = UINT32_MAX; /* before the first batch */
		c->buf = r->src.mode == WIRE_FILE ? r->bufs[i] : NULL;
		c->m = r->gen.ms[i].m;
		if (c->m != GT_NO_THREAD && !(c->ms = ord_thread(&r->order, c->m)))
			return gt_fail(&r->err, GT_ERR_NOMEM, 0, "out of memory");
		c->batches = r->gen.by_m + r->gen.ms[i].first;
		c->nbatches = r->gen.ms[i].count;
		if ((rc = cursor_next(r, c)) < 0)
			return r->err.pub.code;
		if (rc) {
			r->heap[r->nheap] = (hent){ c->ev->time, c };
			sift_up(r->heap, r->nheap++);
		}
	}
	make_sync(r, gt_ticks_to_ns(r->gen.freq, r->gen.min_ts), 1, oe);
	return GT_OK;
}

/* The end of the trace: one last Sync, then GT_END. */
static gt_status finish_trace(gt_reader *r, ord_ev *oe)
{
	r->have_gen = 0;
	r->done = 1;
	r->valid_off = gt_reader_offset(r);
	make_sync(r, r->last_ts, 0, oe);
	return GT_OK;
}

/* Hold an error of reading a generation until a Sync has been delivered.
 * With synced, the generation failed: nothing of it is delivered, not even
 * the CPU samples it had collected; the Sync comes now. */
static gt_status defer_error(gt_reader *r, int synced, ord_ev *oe)
{
	r->deferred = r->err;
	r->has_deferred = 1;
	r->deferred_synced = synced;
	r->err.pub.code = GT_OK;
	if (!synced)
		return GT_OK;
	r->have_gen = 0;
	gen_reset(&r->gen);
	r->cpu_next = 0;
	make_sync(r, r->last_ts, 0, oe);
	return GT_OK;
}

static gt_status report_deferred(gt_reader *r)
{
	r->err = r->deferred;
	r->err.pub.msg = r->err.buf;
	return r->err.pub.code;
}

/* The previous generation is fully delivered: drop what held it. */
static void begin_generation(gt_reader *r)
{
	uint64_t keep = r->has_spill ? r->spill.file_off : r->src.off;

	r->valid_off = keep;
	wire_discard(&r->src, keep);
	gen_reset(&r->gen);
}

static void note_min_ts(generation *g, const wire_batch *b)
{
	if (g->min_ts == 0 || b->ts < g->min_ts)
		g->min_ts = b->ts;
}

/* One more batch of the generation being read, within the memory limit: a
 * hostile or runaway trace must fail with a message, not exhaust memory. */
static gt_status add_batch(gt_reader *r, const wire_batch *b)
{
	gt_status st = gen_add_batch(&r->gen, &r->src, b, r->version, &r->err);

	if (st == GT_OK && gen_memory(&r->gen) + r->src.cap > r->gen_limit)
		return gt_fail(&r->err, GT_ERR_LIMIT, b->file_off,
			       "generation needs more than %zu MiB of memory, the reader's limit",
			       r->gen_limit >> 20);
	return st;
}

/* Go 1.26+: a generation ends with its own EndOfGeneration byte. */
static gt_status read_gen_v126(gt_reader *r)
{
	generation *g = &r->gen;
	wire_batch b;
	gt_status st;

	begin_generation(r);
	for (;;) {
		st = wire_read_batch(&r->src, &b, &r->err);
		if (st == GT_END) {
			if (g->nbatches)
				return gt_fail(&r->err, GT_ERR_TRUNCATED, r->src.off,
					       "incomplete generation found; trace likely truncated");
			return GT_END;
		}
		if (st)
			return st;
		if (g->gen == 0)
			g->gen = r->err.gen = b.gen;
		if (b.end_of_gen)
			break;
		if (b.gen == 0)
			return gt_fail(&r->err, GT_ERR_CORRUPT, b.file_off, "invalid generation number 0");
		if (b.gen != g->gen)
			return gt_fail(&r->err, GT_ERR_CORRUPT, b.file_off,
				       "broken trace: missing end-of-generation event, or generations are interleaved");
		note_min_ts(g, &b);
		if ((st = add_batch(r, &b)))
			return st;
	}
	return gen_finish(g, r->version, r->sym, &r->err);
}

/* Go 1.22-1.25: a generation ends where a batch of the next one starts (that
 * batch "spills" into the next read) or at the end of input.  A batch that
 * cannot be read ends the generation too; the error comes after it. */
static gt_status read_gen_spill(gt_reader *r, int *deferred)
{
	generation *g = &r->gen;
	wire_batch b;
	gt_status st;

	*deferred = 0;
	begin_generation(r);
	if (r->has_spill) {
		r->has_spill = 0;
		g->gen = r->err.gen = r->spill.gen;
		g->min_ts = r->spill.ts;
		if ((st = add_batch(r, &r->spill)))
			return st;
	}
	for (;;) {
		st = wire_read_batch(&r->src, &b, &r->err);
		if (st == GT_END)
			break;
		if (st) {
			if (g->gen == 0)
				return st;
			*deferred = 1; /* the error stays in r->err */
			break;
		}
		if (b.gen == 0)
			return gt_fail(&r->err, GT_ERR_CORRUPT, b.file_off, "invalid generation number 0");
		if (g->gen == 0)
			g->gen = r->err.gen = b.gen;
		if (b.gen == g->gen + 1) {
			r->spill = b;
			r->has_spill = 1;
			break;
		}
		if (b.gen != g->gen)
			return gt_fail(&r->err, GT_ERR_CORRUPT, b.file_off, "generations out of order");
		note_min_ts(g, &b);
		if ((st = add_batch(r, &b)))
			return st;
	}
	return gen_finish(g, r->version, r->sym, &r->err);
}

/* Go's nextGenWithSpill. */
static gt_status next_gen_spill(gt_reader *r, ord_ev *oe)
{
	int deferred;
	gt_status st;

	if (r->has_deferred) {
		if (r->deferred_synced)
			return report_deferred(r);
		r->deferred_synced = 1;
		make_sync(r, r->last_ts, 0, oe);
		return GT_OK;
	}
	if (r->have_gen && !r->has_spill)
		return finish_trace(r, oe);
	if ((st = read_gen_spill(r, &deferred)) != GT_OK) {
		if (st == GT_ERR_NOMEM)
			return st;
		return defer_error(r, 1, oe);
	}
	if (deferred)
		defer_error(r, 0, oe);
	return install_gen(r, oe);
}

static gt_status next_gen_v126(gt_reader *r, ord_ev *oe)
{
	gt_status st;

	if (r->has_deferred)
		return report_deferred(r);
	st = read_gen_v126(r);
	if (st == GT_END)
		return finish_trace(r, oe);
	if (st == GT_ERR_NOMEM)
		return st;
	if (st)
		return defer_error(r, 1, oe);
	return install_gen(r, oe);
}

static void cpu_sample_event(gt_reader *r, ord_ev *oe)
{
	const gen_cpu *s = &r->gen.cpu[r->cpu_next++];

	ord_ev_clear(oe);
	oe->type = EV_CPU_SAMPLE;
	oe->time = s->time;
	oe->g = s->g;
	oe->p = s->p;
	oe->m = s->m;
	oe->args[0] = s->stack;
}

/* The next ordered event of a Go 1.22+ trace (Go's ReadEvent): *out points
 * into the ordering's queue, or to r->own for the reader's own events. */
static GT_INLINE gt_status next_v2(gt_reader *r, ord_ev **out)
{
	ord_ev *oe = &r->own;
	int rc;

	for (;;) {
		if ((*out = ord_next(&r->order)))
			return GT_OK;
		*out = oe;
		if (r->nheap == 0 && r->cpu_next == r->gen.ncpu) {
			if (r->done)
				return GT_END;
			r->gen.ncpu = r->cpu_next = 0;
			return r->version < GO126 ? next_gen_spill(r, oe) : next_gen_v126(r, oe);
		}
		if (r->cpu_next < r->gen.ncpu &&
		    (r->nheap == 0 || r->gen.cpu[r->cpu_next].time < r->heap[0].time)) {
			cpu_sample_event(r, oe);
			return GT_OK;
		}
		if ((rc = try_advance(r, 0)) < 0)
			return r->err.pub.code;
		if (rc == 0) {
			/* The earliest event must wait: sort the frontier by time
			 * (with Go's sort, for Go's order of ties) and advance the
			 * first event that can go. */
			go_sort(r->heap, r->nheap, sizeof *r->heap, hent_cmp);
			for (size_t i = 1; i < r->nheap && rc == 0; i++)
				if ((rc = try_advance(r, i)) < 0)
					return r->err.pub.code;
			if (rc == 0)
				return gt_fail(&r->err, GT_ERR_BROKEN, r->heap[0].c->ev->off,
					       "broken trace: failed to advance");
		}
	}
}

/* The next event of a Go 1.22+ trace as Go's ReadEvent gives it: ordered,
 * with the monotonic fix-up of its time (ReadEvent's deferred function). */
static GT_INLINE gt_status read_event(gt_reader *r, ord_ev **out)
{
	ord_ev *oe;
	gt_status st;

	if ((st = next_v2(r, &oe)))
		return st;
	if (oe->time <= r->last_ts)
		oe->time = gt_add64(r->last_ts, 1);
	r->last_ts = oe->time;
	*out = oe;
	return GT_OK;
}

static GT_INLINE const generation *current_gen(const gt_reader *r)
{
	return r->have_gen ? &r->gen : NULL;
}

/* The next event, ordered and resolved, as a record of block b, for the
 * thread reading ahead: short if it can be. */
static GT_INLINE gt_status make_record(gt_reader *r, ah_block *b, ah_rec *rec)
{
	ord_ev *oe;
	ah_long *l;
	gt_status st;
	int rc;

	if ((st = read_event(r, &oe)))
		return st;
	if ((rc = ev_resolve_short(oe, &r->gen, r->sym, rec, &r->err)))
		return rc > 0 ? GT_OK : r->err.pub.code;
	l = ah_block_long(b, rec);
	l->oe = *oe;
	if ((st = ev_resolve(oe, current_gen(r), r->sym, &l->rs, &r->err)))
		return st;
	if (l->rs.nstrs && ah_block_keep(b, l))
		return gt_fail(&r->err, GT_ERR_NOMEM, r->src.off, "out of memory");
	return GT_OK;
}

/* The thread reading ahead fills its blocks with records. */
static void fill_records(void *arg, ah_block *b)
{
	gt_reader *r = arg;
	size_t room, n;
	ah_rec *rec = ah_block_room(b, &room);
	gt_status st = GT_OK;

	for (n = 0; n < room; n++, rec++)
		if ((st = make_record(r, b, rec)))
			break;
	ah_block_filled(b, n, st ? stop(r, st) : GT_OK);
}

/* Whether reading ahead pays is measured, not assumed, and measured again
 * as the run goes on.  On the shared VMs we measured on, two threads took
 * from 0.74 to three times the wall time of one (docs/read-ahead.md): in
 * some phases the records' cache lines crossing between the cores cost more
 * than the work they carry; and while another process keeps the other CPU
 * busy, the scheduler leaves both threads on one, where they only take
 * turns (1,800 context switches a run, 15% slower than one thread).
 *
 * So the reader first reads PROBE_EVENTS events alone (after PROBE_EVENTS /
 * 8 more, the start's), timing the CPU of its caller's thread, which then
 * does all of the work: what reading alone takes on a CPU of its own.  Then
 * it starts the thread, and times in wall time every window of as many
 * events the caller gets: what the two threads take, however the CPUs are
 * shared.  If SLOW_WINDOWS windows in a row took more than PAYS_PERCENT of
 * reading alone, the thread is retired and the reader goes on alone; two
 * windows, not one, so that one preemption by other work does not decide.
 * The machine may change again: after RETRY_EVENTS events alone (twice as
 * many after each retirement), the reader measures reading alone again and
 * tries the thread again. */
#ifndef GT_AHEAD_PROBE_EVENTS /* the sanitizers' builds probe small traces too */
#define GT_AHEAD_PROBE_EVENTS (1u << 17)
#endif
#define PROBE_EVENTS ((uint64_t)GT_AHEAD_PROBE_EVENTS)
#define PAYS_PERCENT 90
#define SLOW_WINDOWS 2
#define RETRY_EVENTS (8 * PROBE_EVENTS)
enum { PROBE_NONE, PROBE_WARM_ALONE, PROBE_ALONE, PROBE_START, PROBE_WARM_AHEAD, PROBE_AHEAD };

static uint64_t clock_ns(clockid_t clock)
{
	struct timespec t;

	if (clock_gettime(clock, &t))
		return 0;
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* The next step of measuring, probe_left events after the last. */
static GT_NOINLINE void probe_step(gt_reader *r)
{
	uint64_t now;

	switch (r->probe) {
	case PROBE_WARM_ALONE:
		r->probe_t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		r->probe = PROBE_ALONE;
		r->probe_left = PROBE_EVENTS;
		return;
	case PROBE_ALONE:
		/* The thread starts at the next call: the event just made may
		 * point into the generation, which the thread may reset. */
		r->alone_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - r->probe_t0;
		r->probe = r->probe_t0 ? PROBE_START : PROBE_NONE;
		return;
	case PROBE_START:
		r->probe = PROBE_NONE;
		if (!(r->ahead = ah_start(fill_records, r)))
			return;
		r->probe = PROBE_WARM_AHEAD;
		r->probe_left = PROBE_EVENTS / 8;
		return;
	case PROBE_WARM_AHEAD:
		/* Without a clock, the thread stays. */
		r->probe_t0 = clock_ns(CLOCK_MONOTONIC);
		r->probe = r->probe_t0 ? PROBE_AHEAD : PROBE_NONE;
		r->probe_left = PROBE_EVENTS;
		r->slow_windows = 0;
		return;
	case PROBE_AHEAD:
		now = clock_ns(CLOCK_MONOTONIC);
		if ((now - r->probe_t0) * 100 < r->alone_ns * PAYS_PERCENT)
			r->slow_windows = 0;
		else if (++r->slow_windows == SLOW_WINDOWS) {
			ah_retire(r->ahead); /* next_ahead() schedules the next try */
			r->probe = PROBE_NONE;
			return;
		}
		r->probe_t0 = now;
		r->probe_left = PROBE_EVENTS;
		return;
	}
}

/* Count an event of the window being measured. */
static GT_INLINE void probe_count(gt_reader *r)
{
	if (GT_UNLIKELY(r->probe_left) && --r->probe_left == 0)
		probe_step(r);
}

/* Not before opening, not for pre-1.22 traces (legacy_next), and not where
 * both threads would share one CPU. */
static int can_read_ahead(const gt_reader *r)
{
	return r->version >= GO122 && !r->ahead && !r->probe && r->status == GT_OK &&
	       ah_worth_a_thread();
}

int gt_reader_read_ahead(gt_reader *r)
{
	if (can_read_ahead(r)) {
		r->probe = PROBE_WARM_ALONE;
		r->probe_left = PROBE_EVENTS / 8;
		r->retry_events = RETRY_EVENTS;
	}
	return 0;
}

int reader_read_ahead_now(gt_reader *r, uint64_t retire_after)
{
	if (!can_read_ahead(r))
		return 0;
	if (!(r->ahead = ah_start(fill_records, r)))
		return -1;
	/* As if measured slower, at once after retire_after events. */
	r->probe = retire_after ? PROBE_AHEAD : PROBE_NONE;
	r->probe_left = retire_after;
	r->probe_t0 = r->alone_ns = 0;
	r->slow_windows = SLOW_WINDOWS - 1;
	r->retry_events = RETRY_EVENTS;
	return 0;
}

/* gt_reader_next() while reading ahead: build the event on this thread. */
static gt_status next_ahead(gt_reader *r, gt_event *ev)
{
	const ah_rec *rec;
	gt_status st;

	if (GT_LIKELY((rec = ah_next(r->ahead, &st)) != NULL)) {
		if (GT_LIKELY(rec->type != AH_LONG)) {
			ev_build_short(rec, r->sym, ev);
		} else {
			const ah_long *l = ah_long_of(r->ahead, rec);

			ev_build(&l->oe, &l->rs, r->sym, r->name_buf, ev);
		}
		probe_count(r);
		return GT_OK;
	}
	/* The thread is done: the reader's state is this thread's again, to
	 * go on with if the thread was retired, and to try the thread again
	 * with later. */
	ah_stop(r->ahead);
	r->ahead = NULL;
	r->probe = PROBE_NONE;
	r->probe_left = 0;
	if (st != GT_OK)
		return st;
	r->probe = PROBE_WARM_ALONE;
	r->probe_left = r->retry_events;
	r->retry_events *= 2;
	return gt_reader_next(r, ev);
}

gt_status gt_reader_next(gt_reader *r, gt_event *ev)
{
	ord_ev *oe;
	gt_status st;

	if (GT_UNLIKELY(r->probe == PROBE_START))
		probe_step(r);
	if (r->ahead)
		return next_ahead(r, ev);
	if (r->status != GT_OK)
		return r->status;
	if (r->legacy) {
		st = legacy_next(r->legacy, ev, &r->err);
		if (st == GT_END)
			r->valid_off = gt_reader_offset(r);
		return st == GT_OK ? GT_OK : stop(r, st);
	}
	if ((st = read_event(r, &oe)) ||
	    (st = ev_publish(oe, current_gen(r), r->sym, r->name_buf, ev, &r->err)))
		return stop(r, st);
	probe_count(r);
	return GT_OK;
}
