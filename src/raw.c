/*
 * raw.c - the raw reader (see gotrace.h): wire events in file order, as
 * Go's internal/trace/raw reads them.
 *
 * Go reads a byte at a time through a bufio.Reader; here each event is
 * parsed from a window of the input, grown and parsed again when the event
 * runs past its end, so the outcome at the input's end is Go's: an event cut
 * at the start of a varint or in its data is a clean end, one cut inside a
 * varint is "unexpected EOF".
 */
#include <stdlib.h>

#include "events.h"
#include "wire.h"

/* The window holds at least this much when an event is parsed... (The
 * sanitizers' build makes it one byte: events then run past the window's
 * end all the time, and are parsed again once it has grown.) */
#ifdef GT_RAW_WINDOW_MIN
#define WINDOW_MIN GT_RAW_WINDOW_MIN
#else
#define WINDOW_MIN (64u << 10)
#endif
/* ...and at most this: a wire event is at most a few KiB (a stack of 128
 * frames, a string of up to 1 KiB), so a longer one is taken for damage,
 * not read into memory without end. */
#define EVENT_MAX (4u << 20)
/* What has been read is dropped from the window in steps this large. */
#define DISCARD_AFTER (1u << 20)

/* Arguments of the untimed (framing) events: internal/trace/tracev2's specs,
 * whose argument lists the ordered reader has no use for. */
#define A(...) ((const char *const[]){ __VA_ARGS__ })
static const struct framing {
	const char *const *names;
	uint8_t nargs, is_stack, has_data;
} framing[EV_EXPERIMENTAL_BATCH + 1] = {
	[EV_EVENT_BATCH] = { A("gen", "m", "time", "size"), 4, 0, 0 },
	[EV_STACK] = { A("id", "nframes"), 2, 1, 0 },
	[EV_STRING] = { A("id"), 1, 0, 1 },
	[EV_CPU_SAMPLE] = { A("time", "m", "p", "g", "stack"), 5, 0, 0 },
	[EV_FREQUENCY] = { A("freq"), 1, 0, 0 },
	[EV_EXPERIMENTAL_BATCH] = { A("exp", "gen", "m", "time"), 4, 0, 1 },
};

/* The most arguments a timed event has, its time delta included. */
#define TIMED_MAX_ARGS 5

struct gt_raw_reader {
	gt_err err;
	gt_status status;      /* sticky: GT_OK, GT_END or the first error */
	int version;
	unsigned ntypes;       /* the version's table: types below are valid */
	wire_src src;
	size_t want;           /* bytes the window must hold for the next event */
	uint64_t *vals;        /* the event's arguments and frames */
	size_t capvals;
	/* "dt" and the names of a timed event's arguments, by type. */
	const char *timed_names[EV_TABLE_SIZE][TIMED_MAX_ARGS];
};

gt_raw_reader *gt_raw_reader_new(void)
{
	gt_raw_reader *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->err.m = -1;
	r->src.fd = -1;
	for (unsigned t = 0; t < EV_TABLE_SIZE; t++) {
		const ev_spec *sp = &ev_specs[t];

		if (!sp->timed)
			continue;
		r->timed_names[t][0] = "dt";
		for (unsigned i = 0; i < sp->nargs; i++)
			r->timed_names[t][i + 1] = sp->arg_names[i];
	}
	return r;
}

void gt_raw_reader_free(gt_raw_reader *r)
{
	if (!r)
		return;
	wire_close(&r->src);
	free(r->vals);
	free(r);
}

const gt_error *gt_raw_reader_error(const gt_raw_reader *r) { return &r->err.pub; }
int gt_raw_reader_version(const gt_raw_reader *r) { return r->version; }
uint64_t gt_raw_reader_offset(const gt_raw_reader *r) { return r->src.off; }
uint64_t gt_raw_reader_input_bytes(const gt_raw_reader *r) { return wire_in_bytes(&r->src); }

const char *gt_raw_reader_compression(const gt_raw_reader *r)
{
	return dc_name(r->src.compression);
}

static gt_status stop(gt_raw_reader *r, gt_status st)
{
	r->status = st;
	if (st == GT_END) {
		r->src.off = r->src.base + r->src.len; /* all of it was read */
		r->err.pub.code = GT_END;
		r->err.pub.msg = "";
	}
	return st;
}

static gt_status open_input(gt_raw_reader *r)
{
	gt_status st = wire_read_header(&r->src, &r->version, &r->err);

	r->ntypes = ev_table_len(r->version);
	r->want = WINDOW_MIN;
	return st ? stop(r, st) : GT_OK;
}

gt_status gt_raw_reader_open_file(gt_raw_reader *r, const char *path)
{
	gt_status st = wire_open_file(&r->src, path, &r->err);

	return st ? stop(r, st) : open_input(r);
}

gt_status gt_raw_reader_open_fd(gt_raw_reader *r, int fd)
{
	wire_init_fd(&r->src, fd, 0);
	return open_input(r);
}

gt_status gt_raw_reader_open_memory(gt_raw_reader *r, const void *src, size_t size)
{
	wire_init_memory(&r->src, src, size);
	return open_input(r);
}

/* Parsing one event from the window [p, end): at_eof says whether end is the
 * input's end.  NEED_MORE: the event runs past the window. */
enum { NEED_MORE = -1 };

typedef struct scan {
	const uint8_t *p, *end;
	int at_eof;
	uint64_t off;          /* the input offset of the event, for errors */
} scan;

/* A varint, as Go's binary.ReadUvarint reads it from the stream; GT_OK or
 * what to make of its failure. */
static int take(gt_raw_reader *r, scan *s, uint64_t *v)
{
	int rc = wire_read_uvarint(&s->p, s->end, v);

	if (rc == UV_OK)
		return GT_OK;
	if (rc != UV_OVERFLOW && !s->at_eof)
		return NEED_MORE;
	if (rc == UV_EOF)
		return GT_END;
	return gt_fail(&r->err, rc == UV_OVERFLOW ? GT_ERR_CORRUPT : GT_ERR_TRUNCATED, s->off, "%s",
		       wire_uvarint_error(rc));
}

/* n more varints into r->vals from index at. */
static int take_vals(gt_raw_reader *r, scan *s, size_t at, size_t n)
{
	int rc;

	if (GT_RESERVE(r->vals, r->capvals, at + n))
		return gt_fail(&r->err, GT_ERR_NOMEM, s->off, "out of memory");
	for (size_t i = 0; i < n; i++)
		if ((rc = take(r, s, &r->vals[at + i])) != GT_OK)
			return rc;
	return GT_OK;
}

/* A length or count as Go's int() makes it: one of 2^63 or more is negative,
 * so Go reads nothing for it. */
static uint64_t go_int_count(uint64_t n)
{
	return n >> 63 ? 0 : n;
}

static size_t uvarint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* The event's trailing data: a length, then that many bytes. */
static int take_data(gt_raw_reader *r, scan *s, gt_raw_event *ev)
{
	uint64_t len;
	int rc = take(r, s, &len);

	if (rc != GT_OK)
		return rc;
	len = go_int_count(len);
	if ((uint64_t)(s->end - s->p) < len)
		return s->at_eof ? GT_END : NEED_MORE; /* Go's ReadByte hits io.EOF */
	ev->data = len ? (const char *)s->p : NULL;
	ev->len = (size_t)len;
	s->p += len;
	return GT_OK;
}

/* Go's Event.EncodedSize: the bytes the event takes encoded canonically. */
static size_t encoded_size(const gt_raw_event *ev, int has_data)
{
	size_t n = 1;

	for (size_t i = 0; i < ev->nargs + 4 * ev->nframes; i++)
		n += uvarint_len(ev->args[i]);
	if (has_data)
		n += uvarint_len(ev->len) + ev->len;
	return n;
}

static int parse(gt_raw_reader *r, scan *s, gt_raw_event *ev)
{
	const ev_spec *sp;
	struct framing f = { NULL, 0, 0, 0 };
	uint8_t type;
	int rc;

	if (s->p == s->end)
		return s->at_eof ? GT_END : NEED_MORE;
	type = *s->p++;
	if (type == 0 || type >= r->ntypes)
		return gt_fail(&r->err, GT_ERR_CORRUPT, s->off, "invalid event type: %u", type);
	sp = &ev_specs[type];
	if (sp->timed)
		f = (struct framing){ r->timed_names[type], (uint8_t)(1 + sp->nargs), 0, 0 };
	else if (type < sizeof framing / sizeof *framing)
		f = framing[type];
	*ev = (gt_raw_event){ .type = type, .name = sp->name ? sp->name : "", .nargs = f.nargs,
			      .arg_names = f.names };
	if ((rc = take_vals(r, s, 0, f.nargs)) != GT_OK)
		return rc;
	/* Frames as they come: memory follows the input, whatever count
	 * the event claims. */
	for (uint64_t n = f.is_stack ? go_int_count(r->vals[1]) : 0; ev->nframes < n; ev->nframes++)
		if ((rc = take_vals(r, s, f.nargs + 4 * ev->nframes, 4)) != GT_OK)
			return rc;
	if (f.has_data && (rc = take_data(r, s, ev)) != GT_OK)
		return rc;
	ev->args = r->vals;
	ev->encoded_size = encoded_size(ev, f.has_data);
	return GT_OK;
}

gt_status gt_raw_reader_next(gt_raw_reader *r, gt_raw_event *ev)
{
	const uint8_t *p;
	size_t avail;
	gt_status st;
	int rc;

	if (r->status != GT_OK)
		return r->status;
	for (;;) {
		scan s;

		if ((st = wire_window(&r->src, r->want, &p, &avail, &r->err)))
			return stop(r, st);
		s = (scan){ p, p + avail, r->src.eof, r->src.off };
		if ((rc = parse(r, &s, ev)) != NEED_MORE) {
			if (rc != GT_OK)
				return stop(r, wire_input_end(&r->src, (gt_status)rc, &r->err));
			r->src.off += (uint64_t)(s.p - p);
			break;
		}
		if (r->want > EVENT_MAX)
			return stop(r, gt_fail(&r->err, GT_ERR_LIMIT, r->src.off,
					       "wire event of more than %u MiB", EVENT_MAX >> 20));
		r->want = avail * 2;
	}
	r->want = WINDOW_MIN;
	if (r->src.off - r->src.base > DISCARD_AFTER)
		wire_discard(&r->src, r->src.off);
	return GT_OK;
}
