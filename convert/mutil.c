/*
 * mutil.c - MutatorUtilizationV2 (internal/trace/gc.go) over a stream.
 *
 * Go offers each function a point after every event (addUtil keeps it only
 * if the utilization changed, and the lowest of several at one time); here
 * the current utilization is kept up to date as P counts change, and a
 * point is offered only when it differs from the function's last one,
 * which gives the same functions at a cost per event that does not grow
 * with GOMAXPROCS.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "mutil.h"
#include "u64map.h"

/* A function, compact: the points before the last as (zigzag varint time
 * delta, varint value index) pairs; the last apart, as addUtil may still
 * lower it. */
typedef struct series {
	unsigned char *buf;
	size_t len, cap;
	int64_t enc_time;    /* time of the last encoded point */
	int has_last;
	mutil_point last;
} series;

typedef struct perp {
	int gc;              /* > 0: GC is active on this P */
	int series;
	int dirty;           /* its value may differ from its series' last */
} perp;

typedef struct procs_count {
	int64_t time;
	int n;
} procs_count;

/* What Go keeps per goroutine: states[g], inGC[g], bgMark[g]. */
typedef struct gflags {
	uint8_t state;
	uint8_t in_gc, bg_mark;
} gflags;

/* The functions as they were at the last Sync. */
typedef struct checkpoint {
	size_t nseries;
	series *saved;       /* nseries copies, buffers cut to their length */
	size_t cap;
	int64_t time;
	int valid;
} checkpoint;

struct mutil {
	unsigned flags;
	int nsync, stw;
	perp *ps;
	size_t nps, capps;
	int gc_ps;           /* Ps with gc > 0 */
	int *dirty;          /* per-P mode: indexes of Ps whose value may have changed */
	size_t ndirty, capdirty;
	procs_count *procs;
	size_t nprocs, capprocs;
	series *out;
	size_t nout, capout;
	u64map gs;           /* goroutine id -> gflags */
	double *values;      /* the table of utilization values */
	size_t nvalues, capvalues;
	u64map value_index;  /* a value's bits -> its index + 1 */
	int util_gc;         /* current_util's inputs and result */
	size_t util_nps;
	double util;
	int64_t last_time;
	int seen_event;
	checkpoint ck;
	int oom;
};

mutil *mutil_new(unsigned flags)
{
	mutil *u = calloc(1, sizeof *u);

	if (!u)
		return NULL;
	u->flags = flags;
	u64map_init(&u->gs, sizeof(gflags));
	u64map_init(&u->value_index, sizeof(uint32_t));
	return u;
}

void mutil_free(mutil *u)
{
	if (!u)
		return;
	for (size_t i = 0; i < u->nout; i++)
		free(u->out[i].buf);
	for (size_t i = 0; i < u->ck.nseries; i++)
		free(u->ck.saved[i].buf);
	free(u->ck.saved);
	free(u->out);
	free(u->ps);
	free(u->dirty);
	free(u->procs);
	free(u->values);
	u64map_free(&u->gs);
	u64map_free(&u->value_index);
	free(u);
}

static uint32_t value_of(mutil *u, double v)
{
	uint64_t bits;
	uint32_t *slot;
	int added;

	memcpy(&bits, &v, sizeof bits);
	if (!(slot = u64map_put(&u->value_index, bits, &added)) ||
	    (added && GT_RESERVE(u->values, u->capvalues, u->nvalues + 1))) {
		u->oom = 1;
		return 0;
	}
	if (added) {
		u->values[u->nvalues] = v;
		*slot = (uint32_t)u->nvalues++;
	}
	return *slot;
}

static void put_varint(mutil *u, series *s, uint64_t v)
{
	if (GT_RESERVE(s->buf, s->cap, s->len + 10)) {
		u->oom = 1;
		return;
	}
	do {
		s->buf[s->len++] = (unsigned char)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
}

static uint64_t get_varint(const unsigned char **p)
{
	uint64_t v = 0;
	int shift = 0;

	do {
		v |= (uint64_t)(**p & 0x7f) << shift;
		shift += 7;
	} while (*(*p)++ & 0x80);
	return v;
}

static void encode(mutil *u, series *s, mutil_point pt)
{
	uint64_t delta = (uint64_t)pt.time - (uint64_t)s->enc_time;

	put_varint(u, s, (delta << 1) ^ (uint64_t)((int64_t)delta >> 63));
	put_varint(u, s, value_of(u, pt.util));
	s->enc_time = pt.time;
}

/* gc.go addUtil. */
static void add_util(mutil *u, series *s, int64_t time, double util)
{
	if (s->has_last) {
		if (util == s->last.util)
			return;
		if (time == s->last.time) {
			/* Take the lowest utilization at a time stamp. */
			if (util < s->last.util)
				s->last.util = util;
			return;
		}
		encode(u, s, s->last);
	}
	s->has_last = 1;
	s->last = (mutil_point){ time, util };
}

/* The points of a function, into a new array. */
static mutil_point *decode(const mutil *u, const series *s, size_t *n)
{
	size_t count = 0, total = 0;
	const unsigned char *p = s->buf, *end = s->buf + s->len;
	mutil_point *pts;
	int64_t t = 0;

	for (size_t i = 0; i < s->len; i++)
		total += !(s->buf[i] & 0x80);
	total = total / 2 + (size_t)s->has_last;
	if (!(pts = malloc((total ? total : 1) * sizeof *pts)))
		return NULL;
	while (p < end) {
		uint64_t z = get_varint(&p);

		t = (int64_t)((uint64_t)t + ((z >> 1) ^ (0 - (z & 1))));
		pts[count].time = t;
		pts[count++].util = u->values[get_varint(&p)];
	}
	if (s->has_last)
		pts[count++] = s->last;
	*n = count;
	return pts;
}

static int new_series(mutil *u, int64_t time)
{
	if (GT_RESERVE(u->out, u->capout, u->nout + 1)) {
		u->oom = 1;
		return 0;
	}
	u->out[u->nout] = (series){ .has_last = 1, .last = { time, 1.0 } };
	return (int)u->nout++;
}

static void mark_dirty(mutil *u, size_t p)
{
	if (u->ps[p].dirty)
		return;
	if (GT_RESERVE(u->dirty, u->capdirty, u->ndirty + 1)) {
		u->oom = 1;
		return;
	}
	u->ps[p].dirty = 1;
	u->dirty[u->ndirty++] = (int)p;
}

static void add_gc(mutil *u, int64_t p, int d)
{
	perp *pp;

	/* Go indexes ps by the event's P and would fail on another: ignore it. */
	if (p < 0 || (uint64_t)p >= u->nps)
		return;
	pp = &u->ps[p];
	u->gc_ps -= pp->gc > 0;
	pp->gc += d;
	u->gc_ps += pp->gc > 0;
	if (u->flags & MUTIL_PER_PROC)
		mark_dirty(u, (size_t)p);
}

static void set_stw(mutil *u, int d)
{
	u->stw += d;
	if (u->flags & MUTIL_PER_PROC)
		for (size_t i = 0; i < u->nps; i++)
			mark_dirty(u, i);
}

static void set_gomaxprocs(mutil *u, int64_t time, uint64_t value)
{
	size_t n = value > 1u << 20 ? 1u << 20 : (size_t)value;

	if (u->nps > n) {
		for (size_t i = n; i < u->nps; i++) {
			u->gc_ps -= u->ps[i].gc > 0;
			if (u->flags & MUTIL_PER_PROC)
				add_util(u, &u->out[u->ps[i].series], time, 0);
		}
		u->nps = n;
		/* Forget the Ps gone; those that come back are new. */
		size_t j = 0;
		for (size_t i = 0; i < u->ndirty; i++)
			if ((size_t)u->dirty[i] < n)
				u->dirty[j++] = u->dirty[i];
		u->ndirty = j;
	}
	if (GT_RESERVE(u->ps, u->capps, n)) {
		u->oom = 1;
		return;
	}
	while (u->nps < n) {
		int s = 0;

		if ((u->flags & MUTIL_PER_PROC) || u->nout == 0)
			s = new_series(u, time);
		u->ps[u->nps++] = (perp){ 0, s, 0 };
		if (u->flags & MUTIL_PER_PROC)
			mark_dirty(u, u->nps - 1);
	}
	if (!u->nprocs || u->procs[u->nprocs - 1].n != (int)n) {
		if (GT_RESERVE(u->procs, u->capprocs, u->nprocs + 1)) {
			u->oom = 1;
			return;
		}
		u->procs[u->nprocs++] = (procs_count){ time, (int)n };
	}
}

/* A mark assist or sweep found active at the start of the first
 * generation has been running since the trace began: take 1/GOMAXPROCS
 * off every point so far (gc.go, EventRangeActive). */
static void backdate(mutil *u)
{
	series *s = &u->out[0];
	mutil_point *pts;
	size_t n, mi = 0, pi = 0;

	if (!(pts = decode(u, s, &n))) {
		u->oom = 1;
		return;
	}
	while (mi < n) {
		if (pi + 1 < u->nprocs && u->procs[pi + 1].time < pts[mi].time) {
			pi++;
			continue;
		}
		pts[mi].util -= 1.0 / (double)u->procs[pi].n;
		if (pts[mi].util < 0)
			pts[mi].util = 0;
		mi++;
	}
	s->len = 0;
	s->enc_time = 0;
	if (u->ck.nseries)
		u->ck.valid = 0;  /* its lengths no longer fit (a trace would have
				   * to start with GOMAXPROCS before its Sync) */
	for (size_t i = 0; i + 1 < n; i++)
		encode(u, s, pts[i]);
	s->last = pts[n - 1];
	free(pts);
}

static int name_is(gt_str s, const char *lit)
{
	return s.len == strlen(lit) && memcmp(s.ptr, lit, s.len) == 0;
}

static int has_prefix(gt_str s, const char *lit)
{
	return s.len >= strlen(lit) && memcmp(s.ptr, lit, strlen(lit)) == 0;
}

/* gc.go isGCSTW: "stop-the-world (...)" ranges of the GC only. */
static int is_gc_stw(gt_str name)
{
	if (!has_prefix(name, "stop-the-world"))
		return 0;
	for (size_t i = 0; i + 2 <= name.len; i++)
		if (name.ptr[i] == 'G' && name.ptr[i + 1] == 'C')
			return 1;
	return 0;
}

static int executing(uint8_t st)
{
	return st == GT_GO_RUNNING || st == GT_GO_SYSCALL;
}

static gflags *gflags_of(mutil *u, int64_t g, int create)
{
	int added;

	if (!create)
		return u64map_get(&u->gs, (uint64_t)g);
	gflags *f = u64map_put(&u->gs, (uint64_t)g, &added);
	if (!f)
		u->oom = 1;
	return f;
}

/* A goroutine entry no longer needed: Go's maps say "not executing, not in
 * GC, not a worker" for it, as for one never seen. */
static void maybe_forget(mutil *u, int64_t g, const gflags *f)
{
	if (!executing(f->state) && !f->in_gc && !f->bg_mark)
		u64map_del(&u->gs, (uint64_t)g);
}

static void range_event(mutil *u, const gt_event *ev)
{
	gt_str name = ev->range.name;
	int assist = (u->flags & MUTIL_ASSIST) && name_is(name, "GC mark assist");
	int sweep = (u->flags & MUTIL_SWEEP) && name_is(name, "GC incremental sweep");
	int d = ev->kind == GT_EV_RANGE_END ? -1 : 1;

	if (ev->kind == GT_EV_RANGE_ACTIVE) {
		/* After a whole generation, active ranges are nothing new. */
		if (u->nsync > 1)
			return;
		if (assist) {
			gflags *f = gflags_of(u, ev->g, 0);

			/* Assisting but not running on its P does not count. */
			if (!f || !executing(f->state))
				goto begin;
		}
		if ((assist || sweep) && !(u->flags & MUTIL_PER_PROC))
			backdate(u);
	}
begin:
	if ((u->flags & MUTIL_STW) && is_gc_stw(name)) {
		set_stw(u, d);
	} else if (sweep) {
		add_gc(u, ev->p, d);
	} else if (assist) {
		add_gc(u, ev->p, d);
		if (ev->range.scope == GT_RES_GOROUTINE && ev->range.scope_id != GT_NO_GOROUTINE) {
			gflags *f = gflags_of(u, ev->range.scope_id, d > 0);

			if (f) {
				f->in_gc = d > 0;
				if (d < 0)
					maybe_forget(u, ev->range.scope_id, f);
			}
		}
	}
}

static void transition(mutil *u, const gt_event *ev)
{
	int64_t g = ev->transition.id;
	uint8_t from = ev->transition.from, to = ev->transition.to;
	/* states[g] matters only to RangeActive in the first generation. */
	int track_state = (u->flags & MUTIL_ASSIST) && u->nsync <= 1;
	gflags *f = gflags_of(u, g, track_state && executing(to));

	if (!f)
		return;
	if (f->in_gc || f->bg_mark) {
		if (!executing(from) && executing(to))
			add_gc(u, ev->p, 1);  /* started running while doing GC things */
		else if (executing(from) && !executing(to))
			add_gc(u, ev->p, -1);
	}
	f->state = to;
	maybe_forget(u, g, f);
}

static void label_event(mutil *u, const gt_event *ev)
{
	gt_str l = ev->label.label;
	gflags *f;

	if (!(u->flags & MUTIL_BACKGROUND) || !has_prefix(l, "GC ") || name_is(l, "GC (idle)"))
		return;
	/* Per P, dedicated workers do not count: they take the whole P, so
	 * they delay no goroutine directly. */
	if ((u->flags & MUTIL_PER_PROC) && name_is(l, "GC (dedicated)"))
		return;
	if ((f = gflags_of(u, ev->g, 1)))
		f->bg_mark = 1;
	add_gc(u, ev->p, 1);
}

/* 1 - gcPs/len(ps), computed again only when either changed: the division
 * took a third of this file's cost per event. */
static double current_util(mutil *u)
{
	int gc = u->stw > 0 ? (int)u->nps : u->gc_ps;

	if (gc != u->util_gc || u->nps != u->util_nps) {
		u->util_gc = gc;
		u->util_nps = u->nps;
		u->util = 1 - (double)gc / (double)u->nps;
	}
	return u->util;
}

static void offer_points(mutil *u, int64_t time)
{
	if (!(u->flags & MUTIL_PER_PROC)) {
		double util = current_util(u);
		series *s = &u->out[0];

		if (!s->has_last || s->last.util != util)
			add_util(u, s, time, util);
		return;
	}
	size_t j = 0;
	for (size_t i = 0; i < u->ndirty; i++) {
		perp *p = &u->ps[u->dirty[i]];
		series *s = &u->out[p->series];
		double util = u->stw > 0 || p->gc > 0 ? 0.0 : 1.0;

		add_util(u, s, time, util);
		/* A higher value at the same time waits for the next event. */
		if (s->last.util != util)
			u->dirty[j++] = u->dirty[i];
		else
			p->dirty = 0;
	}
	u->ndirty = j;
}

static void save_checkpoint(mutil *u)
{
	checkpoint *ck = &u->ck;

	for (size_t i = 0; i < ck->nseries; i++)
		free(ck->saved[i].buf);
	ck->nseries = 0;
	ck->valid = 0;
	if (GT_RESERVE(ck->saved, ck->cap, u->nout)) {
		u->oom = 1;
		return;
	}
	for (size_t i = 0; i < u->nout; i++) {
		series c = u->out[i];

		/* Points are only ever appended (backdate, which rewrites
		 * them, runs before the second Sync; the first saves nothing
		 * it could touch as GOMAXPROCS comes after it), so a copy of
		 * the last point and the length suffice: the bytes before it
		 * stay. */
		c.buf = NULL;
		c.cap = 0;
		ck->saved[ck->nseries++] = c;
	}
	ck->time = u->last_time;
	ck->valid = 1;
}

int mutil_event(mutil *u, const gt_event *ev)
{
	u->last_time = ev->time;
	u->seen_event = 1;
	switch (ev->kind) {
	case GT_EV_SYNC:
		u->nsync = ev->sync.n;
		break;
	case GT_EV_METRIC:
		if (!strcmp(ev->metric.name, "/sched/gomaxprocs:threads"))
			set_gomaxprocs(u, ev->time, ev->metric.value);
		break;
	default:
		break;
	}
	if (u->nps == 0)
		goto done;  /* nothing to measure before GOMAXPROCS is known */
	switch (ev->kind) {
	case GT_EV_RANGE_ACTIVE:
	case GT_EV_RANGE_BEGIN:
	case GT_EV_RANGE_END:
		range_event(u, ev);
		break;
	case GT_EV_STATE_TRANSITION:
		if (ev->transition.resource == GT_RES_GOROUTINE)
			transition(u, ev);
		break;
	case GT_EV_LABEL:
		label_event(u, ev);
		break;
	default:
		break;
	}
	offer_points(u, ev->time);
done:
	if (ev->kind == GT_EV_SYNC)
		save_checkpoint(u);
	return u->oom ? -1 : 0;
}

void mutil_finish(mutil *u, int damaged)
{
	int64_t end = u->last_time;

	if (damaged) {
		checkpoint *ck = &u->ck;

		if (!ck->valid) {
			u->nout = 0;
			return;
		}
		for (size_t i = ck->nseries; i < u->nout; i++)
			free(u->out[i].buf);
		for (size_t i = 0; i < ck->nseries; i++) {
			series *s = &u->out[i];

			s->len = ck->saved[i].len;
			s->enc_time = ck->saved[i].enc_time;
			s->has_last = ck->saved[i].has_last;
			s->last = ck->saved[i].last;
		}
		u->nout = ck->nseries;
		end = ck->time;
	}
	if (!u->seen_event)
		return;
	/* Each function ends with 0 at the last event: "symmetric with the
	 * start of the trace".  Go adds it to the series of the Ps live then
	 * (every P's, with one function); a function whose P went away has
	 * ended already, with 0. */
	for (size_t i = 0; i < u->nout; i++)
		add_util(u, &u->out[i], end, 0);
}

int mutil_series(const mutil *u, mutil_point ***series_out, size_t **lens_out)
{
	mutil_point **pts;
	size_t *lens;

	if (u->nout == 0)
		return 0;
	pts = calloc(u->nout, sizeof *pts);
	lens = calloc(u->nout, sizeof *lens);
	if (!pts || !lens)
		goto oom;
	for (size_t i = 0; i < u->nout; i++)
		if (!(pts[i] = decode(u, &u->out[i], &lens[i])))
			goto oom;
	*series_out = pts;
	*lens_out = lens;
	return (int)u->nout;
oom:
	for (size_t i = 0; pts && i < u->nout; i++)
		free(pts[i]);
	free(pts);
	free(lens);
	return -1;
}

size_t mutil_bytes(const mutil *u)
{
	size_t n = u->capvalues * sizeof *u->values + u->value_index.cap * u->value_index.stride;

	for (size_t i = 0; i < u->nout; i++)
		n += u->out[i].cap;
	return n;
}
