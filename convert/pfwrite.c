/*
 * pfwrite.c - see pfwrite.h.
 *
 * The protobuf is encoded here by hand, not through protoc-c's code for
 * proto/perfetto_trace.proto: packing a slice's begin through
 * protobuf_c_message_pack took 1900 instructions and 220 ns, by hand 100
 * and 25 (tests/bench/pfpack.c), for tens of millions of packets.  The
 * field numbers below are those of proto/perfetto_trace.proto, which
 * tests/tools/pfcheck.c decodes the output with.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "goformat.h"
#include "gzbuf.h"
#include "output.h"
#include "pfwrite.h"
#include "strtab.h"
#include "u64map.h"

/* Protobuf wire types, and tags as (field << 3) | type. */
enum { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2 };
#define PB_TAG(field, type) ((uint32_t)(field) << 3 | (type))

/* Fields, by message (proto/perfetto_trace.proto). */
enum {
	TRACE_PACKET = 1,
	TP_TIMESTAMP = 8, TP_TIMESTAMP_CLOCK_ID = 58, TP_TRACK_EVENT = 11,
	TP_TRACK_DESCRIPTOR = 60, TP_CLOCK_SNAPSHOT = 6, TP_SEQUENCE_ID = 10,
	TP_INTERNED_DATA = 12, TP_SEQUENCE_FLAGS = 13, TP_DEFAULTS = 59,
	DEF_TIMESTAMP_CLOCK_ID = 58, DEF_TRACK_EVENT = 11, TED_EXTRA_COUNTERS = 31,
	CS_CLOCKS = 1, CLK_ID = 1, CLK_TIMESTAMP = 2, CLK_INCREMENTAL = 3,
	ID_EVENT_NAMES = 2, ID_ANNOTATION_NAMES = 3, ID_FUNCTION_NAMES = 5, ID_FRAMES = 6,
	ID_CALLSTACKS = 7, ID_SOURCE_PATHS = 18,
	IID = 1, IID_NAME = 2,          /* EventName, DebugAnnotationName, InternedString */
	FRAME_FUNCTION = 2, FRAME_SOURCE_PATH = 5, FRAME_LINE = 6, CALLSTACK_FRAMES = 2,
	TE_TYPE = 9, TE_TRACK = 11, TE_NAME_IID = 10, TE_CALLSTACK_IID = 56,
	TE_ANNOTATIONS = 4, TE_FLOW_IDS = 47, TE_END_FLOW_IDS = 48, TE_COUNTER_VALUE = 30,
	TE_EXTRA_COUNTER_TRACKS = 31, TE_EXTRA_COUNTER_VALUES = 12,
	DA_NAME_IID = 1, DA_UINT = 3, DA_INT = 4, DA_STRING = 6,
	TD_UUID = 1, TD_PARENT = 5, TD_NAME = 2, TD_COUNTER = 8, TD_CHILD_ORDERING = 11,
	TD_RANK = 12, TD_MERGE = 15, CD_UNIT = 3, CD_AXIS = 7,
};
enum { TYPE_SLICE_BEGIN = 1, TYPE_SLICE_END = 2, TYPE_INSTANT = 3, TYPE_COUNTER = 4 };
enum { SEQ_INCREMENTAL_STATE_CLEARED = 1, SEQ_NEEDS_INCREMENTAL_STATE = 2 };
enum { CLOCK_BOOTTIME = 6, CLOCK_DELTAS = 64 };
enum { ORDER_EXPLICIT = 3, MERGE_NONE = 2, UNIT_COUNT = 2 };

#define SEQUENCE 1           /* our trusted_packet_sequence_id */
#define SLOT 56              /* sorter: body bytes kept in an entry (longer: a pointer) */
#define SEEN_BITS 10
#define MAX_COUNTERS 8

/* A growable encoding buffer; out of memory is sticky. */
typedef struct pb {
	uint8_t *p;
	size_t n, cap;
	int oom;
} pb;

static int pb_room(pb *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 256;
	uint8_t *p;

	if (b->oom)
		return 0;
	if (b->n + more <= b->cap)
		return 1;
	while (cap < b->n + more)
		cap *= 2;
	if (!(p = realloc(b->p, cap))) {
		b->oom = 1;
		return 0;
	}
	b->p = p;
	b->cap = cap;
	return 1;
}

static inline uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static inline size_t varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static void pb_varint(pb *b, uint64_t v)
{
	if (pb_room(b, 10))
		b->n = (size_t)(put_varint(b->p + b->n, v) - b->p);
}

static void pb_uint(pb *b, uint32_t field, uint64_t v)
{
	pb_varint(b, PB_TAG(field, PB_VARINT));
	pb_varint(b, v);
}

static void pb_bytes(pb *b, uint32_t field, const void *p, size_t len)
{
	pb_varint(b, PB_TAG(field, PB_LEN));
	pb_varint(b, len);
	if (len && pb_room(b, len)) {
		memcpy(b->p + b->n, p, len);
		b->n += len;
	}
}

/* Protobuf strings are UTF-8: each byte that is not becomes U+FFFD, as in
 * the JSON (jsonw.c), so that both read the same in Perfetto.  p itself
 * when it is valid, else a copy in *b, valid until the next call. */
static const char *valid_utf8(pb *b, const char *p, size_t *len)
{
	const unsigned char *s = (const unsigned char *)p, *end = s + *len;
	uint32_t r;
	int w;

	while (s < end && *s < 0x80)
		s++;
	for (const unsigned char *t = s; t < end; t += w) {
		if (*t < 0x80) {
			w = 1;
			continue;
		}
		if ((w = go_decode_rune(t, (size_t)(end - t), &r)) == 1)
			goto copy;
	}
	return p;
copy:
	b->n = 0;
	for (s = (const unsigned char *)p; s < end; s += w) {
		w = 1;
		if (*s >= 0x80 && (w = go_decode_rune(s, (size_t)(end - s), &r)) == 1) {
			if (pb_room(b, 3)) {
				memcpy(b->p + b->n, "\xef\xbf\xbd", 3);
				b->n += 3;
			}
			continue;
		}
		if (pb_room(b, (size_t)w)) {
			memcpy(b->p + b->n, s, (size_t)w);
			b->n += (size_t)w;
		}
	}
	if (b->oom)
		return p;
	*len = b->n;
	return (const char *)b->p;
}

static void pb_string(pb *b, pb *tmp, uint32_t field, const char *p, size_t len)
{
	p = valid_utf8(tmp, p, &len);
	pb_bytes(b, field, p, len);
}

/* A nested message: open writes its tag and keeps a byte for its length,
 * close fills it in, moving the message up if the length needs more. */
static size_t pb_open(pb *b, uint32_t field)
{
	pb_varint(b, PB_TAG(field, PB_LEN));
	if (!pb_room(b, 1))
		return 0;
	return b->n++;
}

static void pb_close(pb *b, size_t at)
{
	size_t len, extra;

	if (b->oom)
		return;
	len = b->n - at - 1;
	extra = varint_len(len) - 1;
	if (extra) {
		if (!pb_room(b, extra))
			return;
		memmove(b->p + at + 1 + extra, b->p + at + 1, len);
		b->n += extra;
	}
	put_varint(b->p + at, len);
}

/* The sorter: a calendar queue.  Packets go into buckets of 2^BUCKET_SHIFT
 * ns by time, a ring of NBUCKETS of them; the oldest bucket is sorted and
 * written when time moves past the ring, or when the pool of entries runs
 * out.  Packets arrive nearly in order, so a bucket's sort is short, and a
 * packet costs a constant, not a heap's log.  Its key: time, then class
 * (ends, begins, the rest), then sub (ends: the begin, later first; begins:
 * the end, later first), then order of arrival (reversed for ends). */
enum { CLASS_END, CLASS_BEGIN, CLASS_OTHER };
#define SEQ_BITS 62
#define SEQ_MAX ((1ull << SEQ_BITS) - 1)
#define BUCKET_SHIFT 8
#define NBUCKETS (1u << 16)
#define POOL (1u << 12)
#define NONE UINT32_MAX

typedef struct key {
	int64_t ts;
	int64_t sub;
	uint64_t cs;           /* class << SEQ_BITS | sequence */
	uint32_t idx;          /* its entry, when sorting a bucket */
} key;

typedef struct entry {
	key k;
	uint64_t track;
	uint32_t next;         /* in its bucket */
	uint32_t len;
	uint8_t body[SLOT];
} entry;

struct pf_writer {
	FILE *f;
	int gz;
	gzbuf z;
	int err, oom;
	const gt_symtab *sym;
	pf_hooks hooks;
	uint64_t counters[MAX_COUNTERS];
	size_t ncounters;

	uint8_t out[1 << 16];
	size_t nout;
	long checkpoint_offset;      /* -1 if unknown */
	int64_t checkpoint_ts;

	/* Incremental state, cleared at each checkpoint: a new epoch. */
	int need_reset;
	uint32_t epoch;
	int64_t last_ts;             /* of the last packet on the delta clock */
	strtab names, arg_names;
	size_t names_sent, arg_names_sent;
	struct {
		const char *name;
		uint32_t epoch;
		uint64_t iid;
	} arg_hits[16];              /* annotation names' iids by address */
	uint32_t *stack_epoch, *frame_epoch, *func_epoch, *file_epoch;
	size_t nstack_epoch, nframe_epoch, nfunc_epoch, nfile_epoch;
	pb interned;                 /* InternedData fields not yet written */

	/* The sorter. */
	entry *pool;
	uint32_t *free;
	size_t nfree;
	uint32_t *head, *tail;       /* per bucket of the ring */
	uint64_t *nonempty;          /* a bit per bucket of the ring */
	int64_t base;                /* buckets before it are written */
	key *sorting;
	size_t capsorting;
	uint64_t seq;

	/* Pending counter values; those last written (a counter's value
	 * holds until the next, so an unchanged one is not written again). */
	int64_t cur[MAX_COUNTERS], sent[MAX_COUNTERS];
	unsigned sent_known;         /* a bit per counter: sent[] holds its value */
	int64_t pending_ts;
	size_t pending_hi;           /* 0: none; else values [0, pending_hi) */

	u64map described;            /* track uuid -> 1 */
	uint64_t seen[1 << SEEN_BITS];  /* described tracks, 0 for none */
	uint64_t *retired;
	size_t nretired, capretired;

	pb scratch, body, utf8;
	uint8_t *ev;                 /* the packet encoded last: in body */
	size_t nev;
};

/* Output. */

static void out_flush(pf_writer *w)
{
	if (!w->nout)
		return;
	if (w->gz)
		gzbuf_write(&w->z, w->out, w->nout);
	else if (fwrite(w->out, 1, w->nout, w->f) != w->nout)
		w->err = 1;
	w->nout = 0;
}

static void out_bytes(pf_writer *w, const void *p, size_t len)
{
	if (!len)
		return;
	if (len > sizeof w->out - w->nout) {
		out_flush(w);
		if (len > sizeof w->out) {
			if (w->gz)
				gzbuf_write(&w->z, p, len);
			else if (fwrite(p, 1, len, w->f) != len)
				w->err = 1;
			return;
		}
	}
	memcpy(w->out + w->nout, p, len);
	w->nout += len;
}

/* One Trace.packet: its field, its length, then the parts. */
static void out_packet(pf_writer *w, const uint8_t *head, size_t nhead, const uint8_t *body,
		       size_t nbody)
{
	uint8_t frame[12], *p = frame;

	*p++ = PB_TAG(TRACE_PACKET, PB_LEN);
	p = put_varint(p, nhead + nbody);
	if (sizeof w->out - w->nout < sizeof frame + nhead + nbody) {
		out_bytes(w, frame, (size_t)(p - frame));
		out_bytes(w, head, nhead);
		out_bytes(w, body, nbody);
		return;
	}
	memcpy(w->out + w->nout, frame, sizeof frame);
	w->nout += (size_t)(p - frame);
	if (nhead)
		memcpy(w->out + w->nout, head, nhead);
	w->nout += nhead;
	memcpy(w->out + w->nout, body, nbody);
	w->nout += nbody;
}

/* The same for an event: head has HEAD_ROOM bytes and body SLOT readable,
 * so that a short one is copied in moves of constant size, not calls. */
#define HEAD_ROOM 24
static void out_event(pf_writer *w, const uint8_t *head, size_t nhead, const uint8_t *body,
		      size_t nbody)
{
	uint8_t *p;

	if (nhead > HEAD_ROOM || nbody > SLOT || sizeof w->out - w->nout < 12 + HEAD_ROOM + SLOT) {
		out_packet(w, head, nhead, body, nbody);
		return;
	}
	p = w->out + w->nout;
	*p++ = PB_TAG(TRACE_PACKET, PB_LEN);
	p = put_varint(p, nhead + nbody);
	memcpy(p, head, HEAD_ROOM);
	memcpy(p + nhead, body, SLOT);
	w->nout = (size_t)(p + nhead + nbody - w->out);
}

/* Incremental state. */

static int grow_epochs(pf_writer *w, uint32_t **v, size_t *n, size_t need)
{
	size_t cap = *n ? *n : 256;
	uint32_t *p;

	if (need <= *n)
		return 1;
	while (cap < need)
		cap *= 2;
	if (!(p = realloc(*v, cap * sizeof *p))) {
		w->oom = 1;
		return 0;
	}
	memset(p + *n, 0, (cap - *n) * sizeof *p);
	*v = p;
	*n = cap;
	return 1;
}

/* Forget every interned id: the next packet starts a new epoch. */
static void clear_state(pf_writer *w)
{
	strtab_free(&w->names);
	strtab_init(&w->names);
	strtab_free(&w->arg_names);
	strtab_init(&w->arg_names);
	w->names_sent = w->arg_names_sent = 0;
	w->interned.n = 0;
	w->epoch++;
	w->need_reset = 1;
}

/* The first packet of an epoch: the state cleared, the packet defaults
 * (times on the delta clock; the counters that ride on events) and the
 * clocks, the delta clock starting at the last time written. */
static void write_reset(pf_writer *w)
{
	pb *b = &w->scratch;
	size_t def, ted, cs, clk;

	w->need_reset = 0;
	/* The counters the defaults name are known before. */
	for (size_t i = 0; i < w->ncounters; i++)
		pf_need_track(w, w->counters[i]);
	b->n = 0;
	pb_uint(b, TP_SEQUENCE_ID, SEQUENCE);
	pb_uint(b, TP_SEQUENCE_FLAGS, SEQ_INCREMENTAL_STATE_CLEARED | SEQ_NEEDS_INCREMENTAL_STATE);
	def = pb_open(b, TP_DEFAULTS);
	pb_uint(b, DEF_TIMESTAMP_CLOCK_ID, CLOCK_DELTAS);
	ted = pb_open(b, DEF_TRACK_EVENT);
	for (size_t i = 0; i < w->ncounters; i++)
		pb_uint(b, TED_EXTRA_COUNTERS, w->counters[i]);
	pb_close(b, ted);
	pb_close(b, def);
	cs = pb_open(b, TP_CLOCK_SNAPSHOT);
	clk = pb_open(b, CS_CLOCKS);
	pb_uint(b, CLK_ID, CLOCK_BOOTTIME);
	pb_uint(b, CLK_TIMESTAMP, (uint64_t)w->last_ts);
	pb_close(b, clk);
	clk = pb_open(b, CS_CLOCKS);
	pb_uint(b, CLK_ID, CLOCK_DELTAS);
	pb_uint(b, CLK_TIMESTAMP, (uint64_t)w->last_ts);
	pb_uint(b, CLK_INCREMENTAL, 1);
	pb_close(b, clk);
	pb_close(b, cs);
	if (b->oom) {
		w->oom = 1;
		return;
	}
	out_packet(w, NULL, 0, b->p, b->n);
}

/* Interned data defined since the last packet, in a packet of its own,
 * before the packet that uses it. */
static void write_interned(pf_writer *w)
{
	pb *b = &w->scratch;

	if (w->need_reset)
		write_reset(w);
	if (!w->interned.n)
		return;
	if (w->interned.oom) {
		w->oom = 1;
		return;
	}
	b->n = 0;
	pb_uint(b, TP_SEQUENCE_ID, SEQUENCE);
	pb_uint(b, TP_SEQUENCE_FLAGS, SEQ_NEEDS_INCREMENTAL_STATE);
	pb_bytes(b, TP_INTERNED_DATA, w->interned.p, w->interned.n);
	w->interned.n = 0;
	if (b->oom) {
		w->oom = 1;
		return;
	}
	out_packet(w, NULL, 0, b->p, b->n);
}

static void intern_string(pf_writer *w, uint32_t field, uint64_t iid, const char *p, size_t len)
{
	pb *b = &w->interned;
	size_t at = pb_open(b, field);

	pb_uint(b, IID, iid);
	pb_string(b, &w->utf8, IID_NAME, p, len);
	pb_close(b, at);
}

/* The iid of a name in table t (EventName or DebugAnnotationName), defined
 * if new; 0 for the empty name, or if out of memory. */
static uint64_t intern_name(pf_writer *w, strtab *t, size_t *sent, uint32_t field, const char *p,
			    size_t len)
{
	uint32_t id;

	/* Made valid UTF-8 where defined: a name's iid is its bytes'. */
	if ((id = strtab_intern(t, p, len)) == UINT32_MAX) {
		w->oom = 1;
		return 0;
	}
	if (id > *sent) {
		*sent = id;
		intern_string(w, field, id, p, len);
	}
	return id;
}

/* The iid of an annotation name, a literal (pfwrite.h): known by its
 * address once defined in this epoch. */
static uint64_t intern_arg_name(pf_writer *w, const char *name)
{
	size_t i = ((uintptr_t)name >> 3) % (sizeof w->arg_hits / sizeof w->arg_hits[0]);

	if (w->arg_hits[i].name != name || w->arg_hits[i].epoch != w->epoch) {
		w->arg_hits[i].name = name;
		w->arg_hits[i].epoch = w->epoch;
		w->arg_hits[i].iid = intern_name(w, &w->arg_names, &w->arg_names_sent,
						 ID_ANNOTATION_NAMES, name, strlen(name));
	}
	return w->arg_hits[i].iid;
}

/* Symbol table strings as function names or source paths: iid = id + 1. */
static uint64_t intern_symbol(pf_writer *w, uint32_t **epochs, size_t *n, uint32_t field,
			      uint32_t id)
{
	gt_str s;

	if (!grow_epochs(w, epochs, n, (size_t)id + 1))
		return 0;
	if ((*epochs)[id] != w->epoch) {
		(*epochs)[id] = w->epoch;
		s = gt_symtab_string(w->sym, id);
		intern_string(w, field, (uint64_t)id + 1, s.ptr, s.len);
	}
	return (uint64_t)id + 1;
}

/* The iid of a stack (its symbol table id), its frames and names defined if
 * new; 0 for no stack or an empty one. */
static uint64_t intern_stack(pf_writer *w, uint32_t stack)
{
	const uint32_t *frames;
	size_t n, at;

	if (stack == GT_NO_STACK || !grow_epochs(w, &w->stack_epoch, &w->nstack_epoch, (size_t)stack + 1))
		return 0;
	if (w->stack_epoch[stack] == w->epoch)
		return stack;
	frames = gt_symtab_stack(w->sym, stack, &n);
	if (!n)
		return 0;
	for (size_t i = 0; i < n; i++) {
		gt_frame f;
		uint64_t func, file;

		if (!grow_epochs(w, &w->frame_epoch, &w->nframe_epoch, (size_t)frames[i] + 1))
			return 0;
		if (w->frame_epoch[frames[i]] == w->epoch)
			continue;
		w->frame_epoch[frames[i]] = w->epoch;
		gt_symtab_frame(w->sym, frames[i], &f);
		func = intern_symbol(w, &w->func_epoch, &w->nfunc_epoch, ID_FUNCTION_NAMES, f.func_id);
		file = intern_symbol(w, &w->file_epoch, &w->nfile_epoch, ID_SOURCE_PATHS, f.file_id);
		at = pb_open(&w->interned, ID_FRAMES);
		pb_uint(&w->interned, IID, frames[i]);
		pb_uint(&w->interned, FRAME_FUNCTION, func);
		pb_uint(&w->interned, FRAME_SOURCE_PATH, file);
		pb_uint(&w->interned, FRAME_LINE, (uint32_t)f.line);
		pb_close(&w->interned, at);
	}
	/* Perfetto's frames go from the outermost in; Go's from the leaf out. */
	at = pb_open(&w->interned, ID_CALLSTACKS);
	pb_uint(&w->interned, IID, stack);
	while (n-- > 0)
		pb_uint(&w->interned, CALLSTACK_FRAMES, frames[n]);
	pb_close(&w->interned, at);
	w->stack_epoch[stack] = w->epoch;
	return stack;
}

/* Tracks. */

int pf_track_described(const pf_writer *w, uint64_t uuid)
{
	return u64map_get(&w->described, uuid) != NULL;
}

/* Every packet asks whether its track is described: the tracks seen last
 * answer from a small cache, emptied when the set shrinks. */
void pf_need_track(pf_writer *w, uint64_t uuid)
{
	uint64_t *c = &w->seen[(uuid * 0x9E3779B97F4A7C15ull) >> (64 - SEEN_BITS)];

	if (*c == uuid || !uuid)
		return;
	if (!pf_track_described(w, uuid))
		w->hooks.describe(w->hooks.ctx, uuid);
	*c = uuid;
}

void pf_track_write(pf_writer *w, const pf_track *t)
{
	pb *b = &w->scratch;
	size_t td, cd;
	int added;

	if (!u64map_put(&w->described, t->uuid, &added)) {
		w->oom = 1;
		return;
	}
	pf_need_track(w, t->parent);
	b->n = 0;
	td = pb_open(b, TP_TRACK_DESCRIPTOR);
	pb_uint(b, TD_UUID, t->uuid);
	if (t->parent)
		pb_uint(b, TD_PARENT, t->parent);
	pb_string(b, &w->utf8, TD_NAME, t->name, t->name_len);
	if (t->counter) {
		cd = pb_open(b, TD_COUNTER);
		pb_uint(b, CD_UNIT, UNIT_COUNT);
		if (t->axis)
			pb_bytes(b, CD_AXIS, t->axis, strlen(t->axis));
		pb_close(b, cd);
	}
	if (t->explicit_order)
		pb_uint(b, TD_CHILD_ORDERING, ORDER_EXPLICIT);
	/* int32, so a negative rank takes ten bytes, as protobuf wants. */
	pb_uint(b, TD_RANK, (uint64_t)(int64_t)t->rank);
	/* Tracks of the same name stay apart (G lanes of one function...). */
	pb_uint(b, TD_MERGE, MERGE_NONE);
	pb_close(b, td);
	if (b->oom) {
		w->oom = 1;
		return;
	}
	out_packet(w, NULL, 0, b->p, b->n);
}

void pf_track_retire(pf_writer *w, uint64_t uuid)
{
	if (w->nretired == w->capretired) {
		size_t cap = w->capretired ? 2 * w->capretired : 64;
		uint64_t *p = realloc(w->retired, cap * sizeof *p);

		if (!p) {
			w->oom = 1;
			return;
		}
		w->retired = p;
		w->capretired = cap;
	}
	w->retired[w->nretired++] = uuid;
}

/* The sorter. */

static int key_less(const key *a, const key *b)
{
	if (a->ts != b->ts)
		return a->ts < b->ts;
	if (a->cs >> SEQ_BITS != b->cs >> SEQ_BITS)
		return a->cs < b->cs;
	if (a->sub != b->sub)
		return a->sub < b->sub;
	return a->cs < b->cs;
}

static int key_cmp(const void *a, const void *b)
{
	return key_less(a, b) ? -1 : key_less(b, a);
}

static const uint8_t *entry_body(const entry *e)
{
	const uint8_t *p;

	if (e->len <= SLOT)
		return e->body;
	memcpy(&p, e->body, sizeof p);
	return p;
}

static void entry_release(pf_writer *w, uint32_t idx)
{
	entry *e = &w->pool[idx];

	if (e->len > SLOT) {
		uint8_t *p;

		memcpy(&p, e->body, sizeof p);
		free(p);
	}
	w->free[w->nfree++] = idx;
}

/* Write one packet on track: in order, as a delta on the delta clock, or,
 * if it would go back in time, with its absolute time on the boot clock. */
static void write_packet(pf_writer *w, int64_t ts, uint64_t track, const uint8_t *body, size_t len,
			 int in_order)
{
	uint8_t head[HEAD_ROOM], *p = head;

	pf_need_track(w, track);
	if (w->need_reset || w->interned.n)
		write_interned(w);
	*p++ = PB_TAG(TP_TIMESTAMP, PB_VARINT);
	if (in_order) {
		p = put_varint(p, (uint64_t)(ts - w->last_ts));
		w->last_ts = ts;
	} else {
		p = put_varint(p, (uint64_t)ts);
		p = put_varint(p, PB_TAG(TP_TIMESTAMP_CLOCK_ID, PB_VARINT));
		*p++ = CLOCK_BOOTTIME;
	}
	out_event(w, head, (size_t)(p - head), body, len);
}

/* The first bucket from b on (within the ring) that holds packets, or -1. */
static int64_t next_nonempty(const pf_writer *w, int64_t b)
{
	for (int64_t end = w->base + NBUCKETS; b < end;) {
		uint32_t slot = (uint32_t)b & (NBUCKETS - 1);
		uint64_t bits = w->nonempty[slot / 64] >> (slot % 64);

		if (bits)
			return b + __builtin_ctzll(bits);
		b += 64 - slot % 64;
	}
	return -1;
}

/* Sort bucket b's packets and write them; the ring moves past it. */
static void write_bucket(pf_writer *w, int64_t b)
{
	uint32_t slot = (uint32_t)b & (NBUCKETS - 1), i;
	size_t n = 0;

	for (i = w->head[slot]; i != NONE; i = w->pool[i].next) {
		if (n == w->capsorting) {
			size_t cap = w->capsorting ? 2 * w->capsorting : 256;
			key *k = realloc(w->sorting, cap * sizeof *k);

			if (!k) {
				w->oom = 1;
				break;
			}
			w->sorting = k;
			w->capsorting = cap;
		}
		w->sorting[n] = w->pool[i].k;
		w->sorting[n++].idx = i;
	}
	if (n > 32) {
		qsort(w->sorting, n, sizeof *w->sorting, key_cmp);
	} else {
		for (size_t j = 1; j < n; j++) {
			key x = w->sorting[j];
			size_t k = j;

			for (; k > 0 && key_less(&x, &w->sorting[k - 1]); k--)
				w->sorting[k] = w->sorting[k - 1];
			w->sorting[k] = x;
		}
	}
	for (size_t j = 0; j < n; j++) {
		entry *e = &w->pool[w->sorting[j].idx];

		write_packet(w, e->k.ts, e->track, entry_body(e), e->len, 1);
	}
	/* All of them, written or not (out of memory), go back to the pool. */
	for (i = w->head[slot]; i != NONE;) {
		uint32_t next = w->pool[i].next;

		entry_release(w, i);
		i = next;
	}
	w->head[slot] = w->tail[slot] = NONE;
	w->nonempty[slot / 64] &= ~(1ull << (slot % 64));
	w->base = b + 1;
}

/* Write every bucket before `until`. */
static void write_until(pf_writer *w, int64_t until)
{
	int64_t b;

	while (w->nfree < POOL && (b = next_nonempty(w, w->base)) >= 0 && b < until)
		write_bucket(w, b);
	if (w->base < until)
		w->base = until;
}

static void drain(pf_writer *w)
{
	int64_t b;

	while (w->nfree < POOL && (b = next_nonempty(w, w->base)) >= 0)
		write_bucket(w, b);
}

/* Queue the packet w->ev, w->nev for time ts on track. */
static void enqueue(pf_writer *w, int64_t ts, int cls, int64_t sub, uint64_t track)
{
	int64_t b = ts >> BUCKET_SHIFT;
	uint64_t seq = w->seq++ & SEQ_MAX;
	uint32_t idx, slot;
	entry *e;

	if (w->body.oom || !w->nev) {
		w->oom = 1;
		return;
	}
	if (b < w->base) {
		/* Too late for its place: out now, with its own time. */
		write_packet(w, ts, track, w->ev, w->nev, 0);
		return;
	}
	if (b >= w->base + NBUCKETS)
		write_until(w, b - NBUCKETS + 1);
	if (!w->nfree) {
		write_bucket(w, next_nonempty(w, w->base));
		if (b < w->base) {
			write_packet(w, ts, track, w->ev, w->nev, 0);
			return;
		}
	}
	idx = w->free[--w->nfree];
	e = &w->pool[idx];
	e->k = (key){ .ts = ts, .sub = sub,
		      .cs = (uint64_t)cls << SEQ_BITS | (cls == CLASS_END ? SEQ_MAX - seq : seq) };
	e->track = track;
	e->len = (uint32_t)w->nev;
	e->next = NONE;
	if (e->len <= SLOT) {
		/* A constant size: a few moves, not a call (w->ev has room). */
		memcpy(e->body, w->ev, SLOT);
	} else {
		uint8_t *p = malloc(e->len);

		if (!p) {
			w->oom = 1;
			w->free[w->nfree++] = idx;
			return;
		}
		memcpy(p, w->ev, e->len);
		memcpy(e->body, &p, sizeof p);
	}
	slot = (uint32_t)b & (NBUCKETS - 1);
	if (w->head[slot] == NONE)
		w->head[slot] = idx;
	else
		w->pool[w->tail[slot]].next = idx;
	w->tail[slot] = idx;
	w->nonempty[slot / 64] |= 1ull << (slot % 64);
}

/* Events. */

static int64_t clamp(int64_t ts)
{
	return ts < 0 ? 0 : ts;
}

/* The pending counters are written: their values are the file's now. */
static void counters_written(pf_writer *w)
{
	for (size_t i = 0; i < w->pending_hi; i++)
		w->sent[i] = w->cur[i];
	w->sent_known |= (1u << w->pending_hi) - 1;
	w->pending_hi = 0;
}

/* The counters that wait for an event at their time go alone, on the
 * first counter's track. */
static void flush_counters(pf_writer *w)
{
	pb *b = &w->body;
	size_t te;

	if (!w->pending_hi)
		return;
	b->n = 0;
	pb_uint(b, TP_SEQUENCE_ID, SEQUENCE);
	pb_uint(b, TP_SEQUENCE_FLAGS, SEQ_NEEDS_INCREMENTAL_STATE);
	te = pb_open(b, TP_TRACK_EVENT);
	pb_uint(b, TE_TYPE, TYPE_COUNTER);
	pb_uint(b, TE_TRACK, w->counters[0]);
	pb_uint(b, TE_COUNTER_VALUE, (uint64_t)w->cur[0]);
	for (size_t i = 1; i < w->pending_hi; i++)
		pb_uint(b, TE_EXTRA_COUNTER_TRACKS, w->counters[i]);
	for (size_t i = 1; i < w->pending_hi; i++)
		pb_uint(b, TE_EXTRA_COUNTER_VALUES, (uint64_t)w->cur[i]);
	pb_close(b, te);
	counters_written(w);
	w->ev = b->p;
	w->nev = b->oom ? 0 : b->n;
	enqueue(w, w->pending_ts, CLASS_OTHER, 0, w->counters[0]);
}

void pf_counters(pf_writer *w, int64_t ts, size_t first, size_t n, const int64_t *values)
{
	size_t hi = 0;

	ts = clamp(ts);
	if (first + n > w->ncounters)
		return;
	if (w->pending_hi && ts != w->pending_ts)
		flush_counters(w);
	/* Events carry a prefix of the counters: up to the last that changed. */
	for (size_t i = first; i < first + n; i++)
		if (!(w->sent_known >> i & 1) || values[i - first] != w->sent[i])
			hi = i + 1;
	memcpy(w->cur + first, values, n * sizeof *values);
	if (!hi)
		return;
	w->pending_ts = ts;
	if (hi > w->pending_hi)
		w->pending_hi = hi;
}

static inline uint8_t *put_uint(uint8_t *p, uint32_t field, uint64_t v)
{
	return put_varint(put_varint(p, PB_TAG(field, PB_VARINT)), v);
}

static inline uint8_t *put_fixed64(uint8_t *p, uint32_t field, uint64_t v)
{
	p = put_varint(p, PB_TAG(field, PB_I64));
	for (int i = 0; i < 8; i++)
		*p++ = (uint8_t)(v >> (8 * i));
	return p;
}

/* The most bytes a TrackEvent's fields other than its annotations take. */
#define EVENT_MAX (8 * 11 + 2 * 11 + MAX_COUNTERS * 11)
/* The header before them: sequence id, flags, the TrackEvent's tag and length. */
#define HEAD_MAX 16

/* Encode a TrackEvent packet of this type; its bytes are w->ev, w->nev. */
static void encode_event(pf_writer *w, int type, int64_t ts, const pf_event *ev)
{
	pb *b = &w->body;
	uint64_t name = 0, stack = intern_stack(w, ev->stack), arg_names[4];
	size_t room = HEAD_MAX + EVENT_MAX, len, nargs = ev->nargs < 4 ? ev->nargs : 4;
	uint8_t *start, *p, *h;

	if (ev->name_len && type != TYPE_SLICE_END)
		name = intern_name(w, &w->names, &w->names_sent, ID_EVENT_NAMES, ev->name, ev->name_len);
	for (size_t i = 0; i < nargs; i++) {
		arg_names[i] = intern_arg_name(w, ev->args[i].name);
		room += 3 + 2 * 11 + (ev->args[i].kind == PF_STRING ? 3 * ev->args[i].len : 0);
	}
	b->n = 0;
	if (!pb_room(b, room)) {
		w->nev = 0;
		return;
	}
	/* The fields after room for the header, which goes right before. */
	p = start = b->p + HEAD_MAX;
	p = put_uint(p, TE_TYPE, (uint64_t)type);
	p = put_uint(p, TE_TRACK, ev->track);
	if (name)
		p = put_uint(p, TE_NAME_IID, name);
	if (stack)
		p = put_uint(p, TE_CALLSTACK_IID, stack);
	for (size_t i = 0; i < nargs; i++) {
		const pf_arg *a = &ev->args[i];
		uint8_t *at;
		const char *str = a->s;
		size_t slen = a->len;

		if (a->kind == PF_STRING)
			str = valid_utf8(&w->utf8, str, &slen);
		p = put_varint(p, PB_TAG(TE_ANNOTATIONS, PB_LEN));
		at = p++;
		p = put_uint(p, DA_NAME_IID, arg_names[i]);
		if (a->kind == PF_UINT) {
			p = put_uint(p, DA_UINT, a->u);
		} else if (a->kind == PF_INT) {
			p = put_uint(p, DA_INT, (uint64_t)a->i);
		} else {
			p = put_varint(p, PB_TAG(DA_STRING, PB_LEN));
			p = put_varint(p, slen);
			memcpy(p, str, slen);
			p += slen;
		}
		/* Annotations are short; a long string's moves up a byte or two. */
		len = (size_t)(p - at - 1);
		if (varint_len(len) > 1) {
			size_t extra = varint_len(len) - 1;

			memmove(at + 1 + extra, at + 1, len);
			p += extra;
		}
		put_varint(at, len);
	}
	if (ev->flow)
		p = put_fixed64(p, TE_FLOW_IDS, ev->flow);
	if (ev->end_flow)
		p = put_fixed64(p, TE_END_FLOW_IDS, ev->end_flow);
	/* Counters set at this time ride along (TrackEventDefaults order). */
	if (w->pending_hi && w->pending_ts == ts) {
		for (size_t i = 0; i < w->pending_hi; i++)
			p = put_uint(p, TE_EXTRA_COUNTER_VALUES, (uint64_t)w->cur[i]);
		counters_written(w);
	}
	/* The header, backwards from the fields: the same bytes in every
	 * packet but the length. */
	len = (size_t)(p - start);
	h = start - varint_len(len);
	put_varint(h, len);
	*--h = PB_TAG(TP_TRACK_EVENT, PB_LEN);
	*--h = SEQ_NEEDS_INCREMENTAL_STATE;
	*--h = PB_TAG(TP_SEQUENCE_FLAGS, PB_VARINT);
	*--h = SEQUENCE;
	*--h = PB_TAG(TP_SEQUENCE_ID, PB_VARINT);
	w->ev = h;
	w->nev = (size_t)(p - h);
}

void pf_slice(pf_writer *w, int64_t ts, int64_t dur, const pf_event *begin, const pf_event *end)
{
	int64_t b = clamp(ts), e = clamp((int64_t)((uint64_t)ts + (uint64_t)dur));

	if (e < b)
		e = b;
	if (w->pending_hi && w->pending_ts != b && w->pending_ts != e)
		flush_counters(w);
	encode_event(w, TYPE_SLICE_BEGIN, b, begin);
	if (e == b) {
		/* A slice of no length: begin, then end, among the instants. */
		enqueue(w, b, CLASS_OTHER, 0, begin->track);
		encode_event(w, TYPE_SLICE_END, e, end);
		enqueue(w, e, CLASS_OTHER, 0, end->track);
		return;
	}
	enqueue(w, b, CLASS_BEGIN, -e, begin->track);
	encode_event(w, TYPE_SLICE_END, e, end);
	enqueue(w, e, CLASS_END, -b, end->track);
}

void pf_instant(pf_writer *w, int64_t ts, const pf_event *ev)
{
	ts = clamp(ts);
	if (w->pending_hi && w->pending_ts != ts)
		flush_counters(w);
	encode_event(w, TYPE_INSTANT, ts, ev);
	enqueue(w, ts, CLASS_OTHER, 0, ev->track);
}

/* Checkpoints. */

/* Let go of the packets that wait, unwritten. */
static void drop_pending(pf_writer *w)
{
	int64_t b;

	while ((b = next_nonempty(w, w->base)) >= 0) {
		uint32_t slot = (uint32_t)b & (NBUCKETS - 1);

		for (uint32_t i = w->head[slot]; i != NONE;) {
			uint32_t next = w->pool[i].next;

			entry_release(w, i);
			i = next;
		}
		w->head[slot] = w->tail[slot] = NONE;
		w->nonempty[slot / 64] &= ~(1ull << (slot % 64));
	}
}

static void retire_tracks(pf_writer *w)
{
	for (size_t i = 0; i < w->nretired; i++)
		u64map_del(&w->described, w->retired[i]);
	if (w->nretired)
		memset(w->seen, 0, sizeof w->seen);
	w->nretired = 0;
}

void pf_checkpoint(pf_writer *w)
{
	flush_counters(w);
	drain(w);
	write_interned(w);
	retire_tracks(w);
	clear_state(w);
	out_flush(w);
	if (w->gz && gzbuf_end_member(&w->z))
		w->err = 1;
	w->checkpoint_offset = fflush(w->f) ? -1 : ftell(w->f);
	w->checkpoint_ts = w->last_ts;
}

int pf_rollback(pf_writer *w, const char *where)
{
	drop_pending(w);
	w->nout = 0;
	w->pending_hi = 0;
	w->sent_known = 0;
	if (w->checkpoint_offset < 0 || fflush(w->f) ||
	    ftruncate(fileno(w->f), w->checkpoint_offset) ||
	    fseek(w->f, w->checkpoint_offset, SEEK_SET)) {
		fprintf(stderr, "%s: %s: cannot take back the events after the last complete"
			" generation (go tool trace leaves them out)\n", t2p_prog, where);
		return -1;
	}
	if (w->gz)
		gzbuf_restart(&w->z);
	/* Describing a track again is harmless: all are, as they come. */
	u64map_clear(&w->described);
	memset(w->seen, 0, sizeof w->seen);
	w->nretired = 0;
	clear_state(w);
	w->last_ts = w->checkpoint_ts;
	/* Every packet of the bucket of last_ts or before is late. */
	w->base = (w->last_ts >> BUCKET_SHIFT) + 1;
	return 0;
}

int pf_finish(pf_writer *w)
{
	flush_counters(w);
	drain(w);
	write_interned(w);
	out_flush(w);
	if (w->gz) {
		w->gz = 0;
		if (gzbuf_finish(&w->z))
			w->err = 1;
	}
	if (fflush(w->f) || ferror(w->f))
		w->err = 1;
	return w->err || pf_writer_oom(w) ? -1 : 0;
}

int pf_writer_oom(const pf_writer *w)
{
	return w->oom || w->body.oom || w->scratch.oom || w->interned.oom;
}

pf_writer *pf_writer_new(FILE *f, int gz, const gt_symtab *sym, const pf_hooks *hooks,
			 const uint64_t *counters, size_t ncounters)
{
	pf_writer *w = calloc(1, sizeof *w);

	if (!w)
		return NULL;
	w->f = f;
	w->sym = sym;
	w->hooks = *hooks;
	w->ncounters = ncounters < MAX_COUNTERS ? ncounters : MAX_COUNTERS;
	memcpy(w->counters, counters, w->ncounters * sizeof *counters);
	w->checkpoint_offset = -1;
	strtab_init(&w->names);
	strtab_init(&w->arg_names);
	u64map_init(&w->described, 1);
	w->pool = malloc(POOL * sizeof *w->pool);
	w->free = malloc(POOL * sizeof *w->free);
	w->head = malloc(NBUCKETS * sizeof *w->head);
	w->tail = malloc(NBUCKETS * sizeof *w->tail);
	w->nonempty = calloc(NBUCKETS / 64, sizeof *w->nonempty);
	if (!w->pool || !w->free || !w->head || !w->tail || !w->nonempty ||
	    (gz && gzbuf_init(&w->z, f))) {
		pf_writer_free(w);
		return NULL;
	}
	w->gz = gz;
	for (uint32_t i = 0; i < POOL; i++)
		w->free[w->nfree++] = POOL - 1 - i;
	for (uint32_t i = 0; i < NBUCKETS; i++)
		w->head[i] = w->tail[i] = NONE;
	clear_state(w);
	return w;
}

void pf_writer_free(pf_writer *w)
{
	if (!w)
		return;
	if (w->pool && w->free && w->head && w->nonempty)
		drop_pending(w);
	if (w->gz)
		gzbuf_abandon(&w->z);
	strtab_free(&w->names);
	strtab_free(&w->arg_names);
	u64map_free(&w->described);
	free(w->stack_epoch);
	free(w->frame_epoch);
	free(w->func_epoch);
	free(w->file_epoch);
	free(w->interned.p);
	free(w->scratch.p);
	free(w->body.p);
	free(w->utf8.p);
	free(w->pool);
	free(w->free);
	free(w->head);
	free(w->tail);
	free(w->nonempty);
	free(w->sorting);
	free(w->retired);
	free(w);
}
