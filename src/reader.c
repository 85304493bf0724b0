/*
 * reader.c - the public reader (see gotrace.h): generation by generation,
 * merge each M's batches through the ordering step into one stream, exactly
 * as Go's internal/trace/reader.go does.
 *
 * Memory: the input window holds one generation (plus, for pre-1.26 traces,
 * the next generation's first batch); the generation's tables are reset and
 * reused; the ordering state and the symbol table are all that outlive it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	const uint32_t *batches; /* indices into gen.batches */
	uint32_t nbatches, idx;
	size_t data_off;
	int64_t last_ts;
	ord_ev ev;               /* the M's next event */
} cursor;

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
	cursor **heap;           /* the frontier: a min-heap on ev.time */
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
	legacy_reader *legacy;   /* Go 1.11-1.21 traces */
	char name_buf[EV_NAME_BUF];
};

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
	gen_init(&r->gen);
	ord_init(&r->order, 0);
	return r;
}

void gt_reader_free(gt_reader *r)
{
	if (!r)
		return;
	wire_close(&r->src);
	sym_free(r->sym);
	gen_free(&r->gen);
	ord_free(&r->order);
	legacy_free(r->legacy);
	free(r->cursors);
	free(r->heap);
	free(r);
}

const gt_error *gt_reader_error(const gt_reader *r) { return &r->err.pub; }
int gt_reader_version(const gt_reader *r) { return r->version; }
const gt_symtab *gt_reader_symtab(const gt_reader *r) { return r->sym; }
uint64_t gt_reader_offset(const gt_reader *r) { return wire_offset(&r->src, r->src.pos); }
uint64_t gt_reader_valid_offset(const gt_reader *r) { return r->valid_off; }

size_t gt_reader_peak_memory(const gt_reader *r)
{
	return r->src.peak + gen_memory(&r->gen) + sym_memory(r->sym) +
	       (r->legacy ? legacy_memory(r->legacy) : 0);
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
		if ((st = legacy_open(&r->legacy, &r->src, r->version, r->sym, &r->err)))
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
	struct stat sb;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return stop(r, gt_fail(&r->err, GT_ERR_IO, 0, "cannot open: %s", strerror(errno)));
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		close(fd);
		return stop(r, gt_fail(&r->err, GT_ERR_IO, 0, "cannot read: is a directory"));
	}
	wire_init_fd(&r->src, fd, 1);
	return open_input(r);
}

/* The frontier heap: Go's heapInsert/heapUpdate/heapRemove, with strict
 * comparisons, so cursors with equal times stay where Go leaves them. */

static int64_t htime(gt_reader *r, size_t i) { return r->heap[i]->ev.time; }

static void hswap(gt_reader *r, size_t i, size_t j)
{
	cursor *t = r->heap[i];

	r->heap[i] = r->heap[j];
	r->heap[j] = t;
}

static size_t sift_up(gt_reader *r, size_t i)
{
	while (i > 0 && htime(r, (i - 1) / 2) > htime(r, i)) {
		hswap(r, (i - 1) / 2, i);
		i = (i - 1) / 2;
	}
	return i;
}

static void sift_down(gt_reader *r, size_t i)
{
	for (;;) {
		size_t m = i, c;

		for (c = 2 * i + 1; c <= 2 * i + 2; c++)
			if (c < r->nheap && htime(r, c) < htime(r, m))
				m = c;
		if (m == i)
			return;
		hswap(r, i, m);
		i = m;
	}
}

static void heap_update(gt_reader *r, size_t i)
{
	if (sift_up(r, i) == i)
		sift_down(r, i);
}

static void heap_remove(gt_reader *r, size_t i)
{
	while (i > 0) {
		hswap(r, (i - 1) / 2, i);
		i = (i - 1) / 2;
	}
	hswap(r, 0, r->nheap - 1);
	r->nheap--;
	sift_down(r, 0);
}

static int cursor_cmp(const void *a, const void *b)
{
	int64_t x = (*(cursor *const *)a)->ev.time, y = (*(cursor *const *)b)->ev.time;

	return (x > y) - (x < y);
}

/* Decode the cursor's next event (batchcursor.go nextEvent and
 * readTimedBaseEvent).  1 if there is one, 0 at the M's end, -1 on error. */
static int cursor_next(gt_reader *r, cursor *c)
{
	const wire_batch *b;
	const uint8_t *p, *end;
	uint64_t v;
	unsigned typ;
	const ev_spec *sp;
	int n;

	while (c->idx < c->nbatches && r->gen.batches[c->batches[c->idx]].size == c->data_off) {
		c->idx++;
		c->data_off = 0;
		c->last_ts = 0;
	}
	if (c->idx == c->nbatches)
		return 0;
	b = &r->gen.batches[c->batches[c->idx]];
	if (c->last_ts == 0)
		c->last_ts = gt_ticks_to_ns(r->gen.freq, b->ts);
	p = r->src.data + b->off + c->data_off;
	end = r->src.data + b->off + b->size;
	c->ev.off = wire_offset(&r->src, b->off + c->data_off);
	r->err.m = c->m;
	typ = *p++;
	if (typ >= EV_TABLE_SIZE) {
		gt_fail(&r->err, GT_ERR_CORRUPT, c->ev.off, "found invalid event type: %u", typ);
		return -1;
	}
	sp = &ev_specs[typ];
	if (!sp->timed) {
		gt_fail(&r->err, GT_ERR_CORRUPT, c->ev.off, "found event without a timestamp: type=%u", typ);
		return -1;
	}
	if ((n = gt_uvarint(p, (size_t)(end - p), &v)) <= 0) {
		gt_fail(&r->err, GT_ERR_CORRUPT, c->ev.off, "found invalid uvarint for timestamp");
		return -1;
	}
	p += n;
	for (unsigned i = 0; i < sp->nargs; i++) {
		if ((n = gt_uvarint(p, (size_t)(end - p), &c->ev.args[i])) <= 0) {
			gt_fail(&r->err, GT_ERR_CORRUPT, c->ev.off, "found invalid uvarint");
			return -1;
		}
		p += n;
	}
	c->ev.type = (uint8_t)typ;
	c->ev.time = gt_add64(gt_ticks_to_ns(r->gen.freq, v), c->last_ts);
	c->ev.aux = 0;
	c->ev.aux_str = 0;
	c->last_ts = c->ev.time;
	c->data_off = (size_t)(p - (r->src.data + b->off));
	return 1;
}

/* Advance the event of frontier cursor i (Go's tryAdvance). */
static int try_advance(gt_reader *r, size_t i)
{
	cursor *c = r->heap[i];
	int rc;

	r->err.m = c->m;
	if ((rc = ord_advance(&r->order, &c->ev, c->m, &r->gen, r->sym, &r->err)) != 1)
		return rc;
	if ((rc = cursor_next(r, c)) < 0)
		return -1;
	if (rc)
		heap_update(r, i);
	else
		heap_remove(r, i);
	return 1;
}

static void make_sync(gt_reader *r, int64_t time, int with_table, ord_ev *oe)
{
	memset(oe, 0, sizeof *oe);
	oe->type = EV_READER_SYNC;
	oe->time = time;
	oe->g = GT_NO_GOROUTINE;
	oe->p = GT_NO_PROC;
	oe->m = GT_NO_THREAD;
	oe->args[0] = (uint64_t)++r->syncs;
	oe->aux = (uint64_t)with_table;
}

/* Start delivering a freshly read generation (Go's installGen). */
static gt_status install_gen(gt_reader *r, ord_ev *oe)
{
	if (GT_RESERVE(r->cursors, r->capcursors, r->gen.nms) ||
	    GT_RESERVE(r->heap, r->capheap, r->gen.nms))
		return gt_fail(&r->err, GT_ERR_NOMEM, 0, "out of memory");
	r->have_gen = 1;
	r->cpu_next = 0;
	r->nheap = 0;
	r->err.gen = r->gen.gen;
	for (size_t i = 0; i < r->gen.nms; i++) {
		cursor *c = &r->cursors[i];
		int rc;

		memset(c, 0, sizeof *c);
		c->m = r->gen.ms[i].m;
		c->batches = r->gen.by_m + r->gen.ms[i].first;
		c->nbatches = r->gen.ms[i].count;
		if ((rc = cursor_next(r, c)) < 0)
			return r->err.pub.code;
		if (rc) {
			r->heap[r->nheap++] = c;
			sift_up(r, r->nheap - 1);
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

/* Hold an error of reading a generation until a Sync has been delivered. */
static gt_status defer_error(gt_reader *r, int synced, ord_ev *oe)
{
	r->deferred = r->err;
	r->has_deferred = 1;
	r->deferred_synced = synced;
	r->err.pub.code = GT_OK;
	if (!synced)
		return GT_OK;
	r->have_gen = 0;
	make_sync(r, r->last_ts, 0, oe);
	return GT_OK;
}

static gt_status report_deferred(gt_reader *r)
{
	r->err = r->deferred;
	r->err.pub.msg = r->err.buf;
	return r->err.pub.code;
}

static void begin_generation(gt_reader *r)
{
	size_t keep = r->has_spill ? (size_t)(r->spill.file_off - r->src.base) : r->src.pos;
	size_t moved;

	r->valid_off = wire_offset(&r->src, keep);
	moved = wire_discard(&r->src, keep);
	r->spill.off -= moved;
	gen_reset(&r->gen);
}

static void note_min_ts(generation *g, const wire_batch *b)
{
	if (g->min_ts == 0 || b->ts < g->min_ts)
		g->min_ts = b->ts;
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
				return gt_fail(&r->err, GT_ERR_TRUNCATED, gt_reader_offset(r),
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
		if ((st = gen_add_batch(g, &r->src, &b, r->version, &r->err)))
			return st;
	}
	return gen_finish(g, &r->src, r->version, r->sym, &r->err);
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
		if ((st = gen_add_batch(g, &r->src, &r->spill, r->version, &r->err)))
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
		if ((st = gen_add_batch(g, &r->src, &b, r->version, &r->err)))
			return st;
	}
	return gen_finish(g, &r->src, r->version, r->sym, &r->err);
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

	memset(oe, 0, sizeof *oe);
	oe->type = EV_CPU_SAMPLE;
	oe->time = s->time;
	oe->g = s->g;
	oe->p = s->p;
	oe->m = s->m;
	oe->args[0] = s->stack;
}

/* The next ordered event of a Go 1.22+ trace (Go's ReadEvent). */
static gt_status next_v2(gt_reader *r, ord_ev *oe)
{
	int rc;

	for (;;) {
		if (ord_pop(&r->order, oe))
			return GT_OK;
		if (r->nheap == 0 && r->cpu_next == r->gen.ncpu) {
			if (r->done)
				return GT_END;
			r->gen.ncpu = r->cpu_next = 0;
			return r->version < GO126 ? next_gen_spill(r, oe) : next_gen_v126(r, oe);
		}
		if (r->cpu_next < r->gen.ncpu &&
		    (r->nheap == 0 || r->gen.cpu[r->cpu_next].time < r->heap[0]->ev.time)) {
			cpu_sample_event(r, oe);
			return GT_OK;
		}
		if ((rc = try_advance(r, 0)) < 0)
			return r->err.pub.code;
		if (rc == 0) {
			/* The earliest event must wait: sort the frontier by time
			 * (with Go's sort, for Go's order of ties) and advance the
			 * first event that can go. */
			go_sort(r->heap, r->nheap, sizeof *r->heap, cursor_cmp);
			for (size_t i = 1; i < r->nheap && rc == 0; i++)
				if ((rc = try_advance(r, i)) < 0)
					return r->err.pub.code;
			if (rc == 0)
				return gt_fail(&r->err, GT_ERR_BROKEN, r->heap[0]->ev.off,
					       "broken trace: failed to advance");
		}
	}
}

/* Checks and the monotonic fix-up every Go 1.22+ event gets (the deferred
 * function of Go's ReadEvent), then publication. */
static gt_status publish_v2(gt_reader *r, ord_ev *oe, gt_event *ev)
{
	const generation *gen = r->have_gen ? &r->gen : NULL;
	gt_status st;

	if (oe->type != EV_READER_SYNC && (st = ev_validate(oe, &r->gen, &r->err)))
		return st;
	if (oe->time <= r->last_ts)
		oe->time = gt_add64(r->last_ts, 1);
	r->last_ts = oe->time;
	return ev_publish(oe, gen, r->sym, r->name_buf, ev, &r->err);
}

gt_status gt_reader_next(gt_reader *r, gt_event *ev)
{
	ord_ev oe;
	gt_status st;

	if (r->status != GT_OK)
		return r->status;
	if (r->legacy) {
		st = legacy_next(r->legacy, ev, &r->err);
		if (st == GT_END)
			r->valid_off = gt_reader_offset(r);
		return st == GT_OK ? GT_OK : stop(r, st);
	}
	if ((st = next_v2(r, &oe)) || (st = publish_v2(r, &oe, ev)))
		return stop(r, st);
	return GT_OK;
}
