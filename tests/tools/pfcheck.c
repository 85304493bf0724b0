/*
 * pfcheck - check a Perfetto protobuf trace that trace2pprof wrote against
 * the writer rules of Perfetto (reference/synthetic-track-event.md, and
 * trace processor's importer), decoding it with protoc-c's code for
 * proto/perfetto_trace.proto, not with the writer's own encoder:
 *
 *     pfcheck FILE          (status 0, or 1 with the first broken rule)
 *
 * Every packet parses (and nothing is left over), with only known fields:
 * - packets of the event sequence carry trusted_packet_sequence_id 1; the
 *   first one clears the incremental state, every one needs it;
 * - a clock snapshot sets the boot clock and the incremental clock 64 to
 *   the same time; packet defaults put events on clock 64; an event is on
 *   clock 64 (a delta, the sum of them never above 2^63) or on the boot
 *   clock (absolute);
 * - every interned id (event and annotation names, callstacks, their frames,
 *   function names, source paths) is defined, not 0, in the sequence's
 *   state before a packet uses it, and defined once;
 * - every track an event names was described before, and a described
 *   track's parent before it; a track keeps its parent; extra counter values
 *   go to counter tracks, no more values than tracks;
 * - every string is UTF-8;
 * - sorted by time (and order in the file, as trace processor sorts them),
 *   every slice end closes a begin on its track, and no slice is left open.
 *
 * tests/perfetto.cmake runs it on every sample's output; the fuzz harness
 * (tests/fuzz/fuzz_reader.c) on each input's, with PFCHECK_LIB defined.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfetto_trace.pb-c.h"
#include "pfcheck.h"

enum { SEQUENCE = 1, CLOCK_BOOTTIME = 6, CLOCK_DELTAS = 64, CLEARED = 1, NEEDS = 2 };

/* A set of uint64 (ids, uuids): open addressing, 0 is never a key. */
typedef struct set {
	uint64_t *k, *v;
	size_t cap, n;
} set;

static int set_put(set *s, uint64_t key, uint64_t val)
{
	if (2 * (s->n + 1) > s->cap) {
		set old = *s;
		size_t cap = s->cap ? 2 * s->cap : 64;

		s->k = calloc(cap, sizeof *s->k);
		s->v = calloc(cap, sizeof *s->v);
		if (!s->k || !s->v)
			abort();
		s->cap = cap;
		s->n = 0;
		for (size_t i = 0; i < old.cap; i++)
			if (old.k[i])
				set_put(s, old.k[i], old.v[i]);
		free(old.k);
		free(old.v);
	}
	for (size_t i = (size_t)(key * 0x9E3779B97F4A7C15ull) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (s->k[i] == key) {
			s->v[i] = val;
			return 0;
		}
		if (!s->k[i]) {
			s->k[i] = key;
			s->v[i] = val;
			s->n++;
			return 1;
		}
	}
}

static uint64_t *set_get(const set *s, uint64_t key)
{
	if (!s->cap || !key)
		return NULL;
	for (size_t i = (size_t)(key * 0x9E3779B97F4A7C15ull) & (s->cap - 1); s->k[i]; i = (i + 1) & (s->cap - 1))
		if (s->k[i] == key)
			return &s->v[i];
	return NULL;
}

static void set_clear(set *s)
{
	free(s->k);
	free(s->v);
	*s = (set){ 0 };
}

/* A slice event, to be sorted as trace processor sorts them. */
typedef struct ev {
	uint64_t ts, pos, track;
	int type;
} ev;

typedef struct checker {
	char *err;
	size_t errlen;
	int failed;
	uint64_t packet;
	int started;
	uint64_t clock;            /* clock 64's time */
	int have_clock, defaults_ok;
	set counters_default;      /* extra counter track uuids of the defaults */
	size_t ndefault_counters;
	set names, arg_names, functions, paths, frames, callstacks;
	set tracks;                /* uuid -> parent + 1 */
	set counter_tracks;
	ev *evs;
	size_t nevs, capevs;
} checker;

static int fail(checker *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (c->failed)
		return -1;
	c->failed = 1;
	n = snprintf(c->err, c->errlen, "packet %" PRIu64 ": ", c->packet);
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < c->errlen)
		vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

/* UTF-8 as RFC 3629 has it: no overlongs, surrogates or values past U+10FFFF. */
static int utf8(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t c = p[i], r;
		size_t w = c < 0x80 ? 1 : c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3
			 : c >= 0xf0 && c < 0xf5 ? 4 : 0;

		if (!w || i + w > n)
			return 0;
		r = w == 1 ? c : c & (0x7f >> w);
		for (size_t k = 1; k < w; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			r = r << 6 | (p[i + k] & 0x3f);
		}
		if ((w == 3 && (r < 0x800 || (r >= 0xd800 && r < 0xe000))) || (w == 4 && (r < 0x10000 || r > 0x10ffff)))
			return 0;
		i += w;
	}
	return 1;
}

static int str_ok(checker *c, const char *s, const char *what)
{
	if (s && !utf8((const uint8_t *)s, strlen(s)))
		return fail(c, "%s is not UTF-8", what);
	return 0;
}

/* Define iid in a table of the sequence's state. */
static int define(checker *c, set *t, int has, uint64_t iid, const char *what)
{
	if (!has || !iid)
		return fail(c, "%s defined with iid 0", what);
	if (!set_put(t, iid, 1))
		return fail(c, "%s %" PRIu64 " defined twice", what, iid);
	return 0;
}

static int used(checker *c, const set *t, uint64_t iid, const char *what)
{
	if (!set_get(t, iid))
		return fail(c, "%s %" PRIu64 " used before it is defined", what, iid);
	return 0;
}

static void clear_state(checker *c)
{
	set_clear(&c->names);
	set_clear(&c->arg_names);
	set_clear(&c->functions);
	set_clear(&c->paths);
	set_clear(&c->frames);
	set_clear(&c->callstacks);
	set_clear(&c->counters_default);
	c->ndefault_counters = 0;
	c->have_clock = c->defaults_ok = 0;
}

static int interned(checker *c, const Perfetto__Protos__InternedData *d)
{
	if (d->n_event_categories || d->n_debug_annotation_string_values)
		return fail(c, "interned data of a kind trace2pprof does not write");
	for (size_t i = 0; i < d->n_event_names; i++)
		if (define(c, &c->names, d->event_names[i]->has_iid, d->event_names[i]->iid, "event name") ||
		    str_ok(c, d->event_names[i]->name, "an event name"))
			return -1;
	for (size_t i = 0; i < d->n_debug_annotation_names; i++)
		if (define(c, &c->arg_names, d->debug_annotation_names[i]->has_iid,
			   d->debug_annotation_names[i]->iid, "annotation name") ||
		    str_ok(c, d->debug_annotation_names[i]->name, "an annotation name"))
			return -1;
	for (size_t i = 0; i < d->n_function_names; i++) {
		const Perfetto__Protos__InternedString *s = d->function_names[i];

		if (define(c, &c->functions, s->has_iid, s->iid, "function name"))
			return -1;
		if (s->has_str && !utf8(s->str.data, s->str.len))
			return fail(c, "a function name is not UTF-8");
	}
	for (size_t i = 0; i < d->n_source_paths; i++) {
		const Perfetto__Protos__InternedString *s = d->source_paths[i];

		if (define(c, &c->paths, s->has_iid, s->iid, "source path"))
			return -1;
		if (s->has_str && !utf8(s->str.data, s->str.len))
			return fail(c, "a source path is not UTF-8");
	}
	for (size_t i = 0; i < d->n_frames; i++) {
		const Perfetto__Protos__Frame *f = d->frames[i];

		if (define(c, &c->frames, f->has_iid, f->iid, "frame") ||
		    used(c, &c->functions, f->function_name_id, "function name") ||
		    used(c, &c->paths, f->source_path_iid, "source path"))
			return -1;
	}
	for (size_t i = 0; i < d->n_callstacks; i++) {
		const Perfetto__Protos__Callstack *s = d->callstacks[i];

		if (define(c, &c->callstacks, s->has_iid, s->iid, "callstack"))
			return -1;
		if (!s->n_frame_ids)
			return fail(c, "callstack %" PRIu64 " has no frames", s->iid);
		for (size_t k = 0; k < s->n_frame_ids; k++)
			if (used(c, &c->frames, s->frame_ids[k], "frame"))
				return -1;
	}
	return 0;
}

static int clock_snapshot(checker *c, const Perfetto__Protos__ClockSnapshot *s)
{
	uint64_t boot = 0, deltas = 0;
	int have_boot = 0, have_deltas = 0;

	for (size_t i = 0; i < s->n_clocks; i++) {
		const Perfetto__Protos__ClockSnapshot__Clock *k = s->clocks[i];

		if (k->clock_id == CLOCK_BOOTTIME && !k->is_incremental) {
			boot = k->timestamp;
			have_boot = 1;
		} else if (k->clock_id == CLOCK_DELTAS && k->is_incremental) {
			deltas = k->timestamp;
			have_deltas = 1;
		} else {
			return fail(c, "clock %u is not one trace2pprof sets", k->clock_id);
		}
	}
	if (!have_boot || !have_deltas || boot != deltas)
		return fail(c, "the clock snapshot does not set clocks 6 and 64 to one time");
	c->clock = deltas;
	c->have_clock = 1;
	return 0;
}

static int describe(checker *c, const Perfetto__Protos__TrackDescriptor *t)
{
	uint64_t *have;

	if (!t->has_uuid || !t->uuid)
		return fail(c, "a track without a uuid");
	if (t->has_parent_uuid && !set_get(&c->tracks, t->parent_uuid))
		return fail(c, "track %" PRIu64 " described before its parent", t->uuid);
	if ((have = set_get(&c->tracks, t->uuid)) && *have != (t->has_parent_uuid ? t->parent_uuid : 0) + 1)
		return fail(c, "track %" PRIu64 " described again under another parent", t->uuid);
	if (t->static_or_dynamic_name_case != PERFETTO__PROTOS__TRACK_DESCRIPTOR__STATIC_OR_DYNAMIC_NAME_NAME)
		return fail(c, "track %" PRIu64 " has no name", t->uuid);
	if (t->sibling_merge_behavior != PERFETTO__PROTOS__TRACK_DESCRIPTOR__SIBLING_MERGE_BEHAVIOR__SIBLING_MERGE_BEHAVIOR_NONE)
		return fail(c, "track %" PRIu64 " may be merged with its siblings", t->uuid);
	set_put(&c->tracks, t->uuid, (t->has_parent_uuid ? t->parent_uuid : 0) + 1);
	if (t->counter)
		set_put(&c->counter_tracks, t->uuid, 1);
	return str_ok(c, t->name, "a track name");
}

static int track_event(checker *c, const Perfetto__Protos__TracePacket *p, uint64_t ts)
{
	const Perfetto__Protos__TrackEvent *e = p->track_event;
	size_t nextra;

	if (!e->has_type || e->type < 1 || e->type > 4)
		return fail(c, "an event of no known type");
	if (!e->has_track_uuid || !set_get(&c->tracks, e->track_uuid))
		return fail(c, "an event on track %" PRIu64 ", not described", e->track_uuid);
	if (e->name_field_case == PERFETTO__PROTOS__TRACK_EVENT__NAME_FIELD_NAME_IID &&
	    used(c, &c->names, e->name_iid, "event name"))
		return -1;
	if (e->callstack_field_case == PERFETTO__PROTOS__TRACK_EVENT__CALLSTACK_FIELD_CALLSTACK_IID &&
	    used(c, &c->callstacks, e->callstack_iid, "callstack"))
		return -1;
	for (size_t i = 0; i < e->n_debug_annotations; i++) {
		const Perfetto__Protos__DebugAnnotation *a = e->debug_annotations[i];

		if (a->name_field_case != PERFETTO__PROTOS__DEBUG_ANNOTATION__NAME_FIELD_NAME_IID ||
		    used(c, &c->arg_names, a->name_iid, "annotation name"))
			return fail(c, "an annotation without an interned name");
		if (a->value_case == PERFETTO__PROTOS__DEBUG_ANNOTATION__VALUE_STRING_VALUE &&
		    str_ok(c, a->string_value, "an annotation"))
			return -1;
	}
	nextra = e->n_extra_counter_track_uuids ? e->n_extra_counter_track_uuids : c->ndefault_counters;
	if (e->n_extra_counter_values > nextra)
		return fail(c, "%zu extra counter values for %zu tracks", e->n_extra_counter_values, nextra);
	for (size_t i = 0; i < e->n_extra_counter_track_uuids; i++)
		if (!set_get(&c->counter_tracks, e->extra_counter_track_uuids[i]))
			return fail(c, "an extra counter value on a track that is no counter");
	if (e->type == PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_COUNTER &&
	    (!set_get(&c->counter_tracks, e->track_uuid) ||
	     e->counter_value_field_case != PERFETTO__PROTOS__TRACK_EVENT__COUNTER_VALUE_FIELD_COUNTER_VALUE))
		return fail(c, "a counter event without a counter track or a value");
	if (e->type == PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_BEGIN ||
	    e->type == PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_END) {
		if (c->nevs == c->capevs) {
			c->capevs = c->capevs ? 2 * c->capevs : 1024;
			if (!(c->evs = realloc(c->evs, c->capevs * sizeof *c->evs)))
				abort();
		}
		c->evs[c->nevs++] = (ev){ ts, c->packet, e->track_uuid, e->type };
	}
	return 0;
}

static int packet(checker *c, const Perfetto__Protos__TracePacket *p)
{
	int seq = p->optional_trusted_packet_sequence_id_case ==
		  PERFETTO__PROTOS__TRACE_PACKET__OPTIONAL_TRUSTED_PACKET_SEQUENCE_ID_TRUSTED_PACKET_SEQUENCE_ID;
	uint32_t flags = p->has_sequence_flags ? p->sequence_flags : 0;
	uint64_t ts = 0;

	if (p->data_case == PERFETTO__PROTOS__TRACE_PACKET__DATA_TRACK_DESCRIPTOR) {
		if (seq || flags || p->interned_data || p->has_timestamp)
			return fail(c, "a track descriptor with sequence fields");
		return describe(c, p->track_descriptor);
	}
	if (!seq || p->trusted_packet_sequence_id != SEQUENCE)
		return fail(c, "a packet off the sequence");
	if (!c->started && !(flags & CLEARED))
		return fail(c, "the first packet does not clear the incremental state");
	c->started = 1;
	if (!(flags & NEEDS))
		return fail(c, "a packet of the sequence without SEQ_NEEDS_INCREMENTAL_STATE");
	if (flags & CLEARED)
		clear_state(c);
	if (p->trace_packet_defaults) {
		const Perfetto__Protos__TracePacketDefaults *d = p->trace_packet_defaults;

		if (!(flags & CLEARED) || !d->has_timestamp_clock_id || d->timestamp_clock_id != CLOCK_DELTAS)
			return fail(c, "packet defaults not on clearing, or not on clock 64");
		c->defaults_ok = 1;
		if (d->track_event_defaults)
			for (size_t i = 0; i < d->track_event_defaults->n_extra_counter_track_uuids; i++) {
				if (!set_get(&c->counter_tracks, d->track_event_defaults->extra_counter_track_uuids[i]))
					return fail(c, "default extra counter track not a described counter");
				c->ndefault_counters++;
			}
	}
	if (p->interned_data && interned(c, p->interned_data))
		return -1;
	if (p->data_case == PERFETTO__PROTOS__TRACE_PACKET__DATA_CLOCK_SNAPSHOT)
		return clock_snapshot(c, p->clock_snapshot);
	if (p->data_case == PERFETTO__PROTOS__TRACE_PACKET__DATA__NOT_SET) {
		if (p->has_timestamp)
			return fail(c, "a timestamp on a packet without an event");
		return 0;
	}
	/* A track event: its time. */
	if (!p->has_timestamp)
		return fail(c, "an event without a timestamp");
	if (!p->has_timestamp_clock_id) {
		if (!c->defaults_ok || !c->have_clock)
			return fail(c, "a delta before the clocks and defaults are set");
		if (p->timestamp > (UINT64_C(1) << 63) - 1 - c->clock)
			return fail(c, "time runs past 2^63");
		ts = c->clock += p->timestamp;
	} else if (p->timestamp_clock_id == CLOCK_BOOTTIME) {
		ts = p->timestamp;
	} else {
		return fail(c, "an event on clock %u", p->timestamp_clock_id);
	}
	return track_event(c, p, ts);
}

static int ev_cmp(const void *a, const void *b)
{
	const ev *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Begins and ends in trace processor's order: each end closes a slice. */
static int balance(checker *c)
{
	set open = { 0 };
	int rc = 0;

	if (c->nevs)
		qsort(c->evs, c->nevs, sizeof *c->evs, ev_cmp);
	for (size_t i = 0; i < c->nevs && !rc; i++) {
		uint64_t *n = set_get(&open, c->evs[i].track);

		c->packet = c->evs[i].pos;
		if (c->evs[i].type == PERFETTO__PROTOS__TRACK_EVENT__TYPE__TYPE_SLICE_BEGIN)
			set_put(&open, c->evs[i].track, (n ? *n : 0) + 1);
		else if (!n || !*n)
			rc = fail(c, "a slice end on track %" PRIu64 " closes nothing", c->evs[i].track);
		else
			--*n;
	}
	for (size_t i = 0; i < open.cap && !rc; i++)
		if (open.k[i] && open.v[i])
			rc = fail(c, "%" PRIu64 " slices left open on track %" PRIu64, open.v[i], open.k[i]);
	set_clear(&open);
	return rc;
}

static int varint(const uint8_t *p, size_t n, size_t *at, uint64_t *v)
{
	*v = 0;
	for (int shift = 0; shift < 64 && *at < n; shift += 7) {
		uint8_t b = p[(*at)++];

		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

int pfcheck(const uint8_t *p, size_t n, char *err, size_t errlen)
{
	checker c = { .err = err, .errlen = errlen };
	size_t at = 0;
	int rc = 0;

	err[0] = '\0';
	while (at < n && !rc) {
		uint64_t tag, len;
		Perfetto__Protos__TracePacket *pk;

		c.packet++;
		if (varint(p, n, &at, &tag) || tag != (1 << 3 | 2) || varint(p, n, &at, &len) ||
		    len > n - at) {
			rc = fail(&c, "not a Trace.packet field");
			break;
		}
		pk = perfetto__protos__trace_packet__unpack(NULL, (size_t)len, p + at);
		if (!pk) {
			rc = fail(&c, "does not parse as a TracePacket");
			break;
		}
		if (pk->base.n_unknown_fields)
			rc = fail(&c, "a field proto/perfetto_trace.proto does not have");
		else
			rc = packet(&c, pk);
		perfetto__protos__trace_packet__free_unpacked(pk, NULL);
		at += (size_t)len;
	}
	if (!rc)
		rc = balance(&c);
	clear_state(&c);
	set_clear(&c.tracks);
	set_clear(&c.counter_tracks);
	free(c.evs);
	return rc;
}

#ifndef PFCHECK_LIB
int main(int argc, char **argv)
{
	FILE *f;
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0, got;
	char err[512];

	if (argc != 2 || !(f = fopen(argv[1], "rb"))) {
		fprintf(stderr, "usage: pfcheck FILE\n");
		return 2;
	}
	do {
		if (n == cap && !(buf = realloc(buf, cap = cap ? 2 * cap : 1 << 20)))
			abort();
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got);
	fclose(f);
	if (pfcheck(buf, n, err, sizeof err)) {
		fprintf(stderr, "pfcheck: %s: %s\n", argv[1], err);
		return 1;
	}
	free(buf);
	return 0;
}
#endif
