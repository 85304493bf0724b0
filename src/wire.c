/*
 * wire.c - input window, varints, header and batch framing (see wire.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "wire.h"

/* Input is read in chunks this large; a generation is usually many chunks. */
#define WIRE_CHUNK (1u << 20)
#define MAX_BATCH_SIZE (64u << 10)

int gt_uvarint_slow(const uint8_t *p, size_t avail, uint64_t *v)
{
	uint64_t x = 0;
	unsigned s = 0;
	size_t i;

	for (i = 0; i < avail; i++) {
		uint8_t b = p[i];

		if (i == 10)
			return -1;
		if (b < 0x80) {
			if (i == 9 && b > 1)
				return -1;
			*v = x | (uint64_t)b << s;
			return (int)i + 1;
		}
		x |= (uint64_t)(b & 0x7f) << s;
		s += 7;
	}
	return 0;
}

int wire_read_uvarint(const uint8_t **pp, const uint8_t *end, uint64_t *v)
{
	const uint8_t *p = *pp;
	uint64_t x = 0;
	unsigned s = 0;
	int i;

	for (i = 0; i < 10; i++) {
		uint8_t b;

		if (p == end) {
			*pp = p;
			return i > 0 ? UV_UNEXPECTED_EOF : UV_EOF;
		}
		b = *p++;
		if (b < 0x80) {
			*pp = p;
			if (i == 9 && b > 1)
				return UV_OVERFLOW;
			*v = x | (uint64_t)b << s;
			return UV_OK;
		}
		x |= (uint64_t)(b & 0x7f) << s;
		s += 7;
	}
	*pp = p;
	return UV_OVERFLOW;
}

const char *wire_uvarint_error(int code)
{
	switch (code) {
	case UV_EOF: return "EOF";
	case UV_UNEXPECTED_EOF: return "unexpected EOF";
	case UV_OVERFLOW: return "binary: varint overflows a 64-bit integer";
	}
	return "ok";
}

void wire_init_fd(wire_src *s, int fd, int own)
{
	memset(s, 0, sizeof *s);
	s->fd = fd;
	s->own_fd = own;
}

void wire_init_memory(wire_src *s, const void *p, size_t size)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	s->data = p;
	s->len = size;
	s->eof = 1;
}

void wire_close(wire_src *s)
{
	if (s->own_fd && s->fd >= 0)
		close(s->fd);
	free(s->buf);
	memset(s, 0, sizeof *s);
	s->fd = -1;
}

/* Make at least `need` bytes available after pos if the input has them.
 * Returns the bytes available (possibly fewer at the end of input), or -1 if
 * reading failed or memory ran out (s->err says which). */
static ptrdiff_t wire_fill(wire_src *s, size_t need)
{
	while (s->len - s->pos < need && !s->eof) {
		ssize_t n;

		if (s->cap - s->len < WIRE_CHUNK) {
			size_t ncap = s->cap ? s->cap : WIRE_CHUNK;
			uint8_t *nb;

			while (ncap - s->len < WIRE_CHUNK)
				ncap *= 2;
			if (!(nb = realloc(s->buf, ncap))) {
				s->err = ENOMEM;
				return -1;
			}
			s->buf = nb;
			s->data = nb;
			s->cap = ncap;
			if (ncap > s->peak)
				s->peak = ncap;
		}
		n = read(s->fd, s->buf + s->len, s->cap - s->len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			s->err = errno;
			return -1;
		}
		if (n == 0)
			s->eof = 1;
		s->len += (size_t)n;
	}
	return (ptrdiff_t)(s->len - s->pos);
}

size_t wire_discard(wire_src *s, size_t keep)
{
	if (!s->buf || keep == 0)
		return 0;
	memmove(s->buf, s->buf + keep, s->len - keep);
	s->len -= keep;
	s->pos -= keep;
	s->base += keep;
	return keep;
}

static gt_status read_failed(wire_src *s, gt_err *e)
{
	if (s->err == ENOMEM)
		return gt_fail(e, GT_ERR_NOMEM, wire_offset(s, s->pos), "out of memory reading the trace");
	return gt_fail(e, GT_ERR_IO, wire_offset(s, s->pos), "read error: %s", strerror(s->err));
}

gt_status wire_read_all(wire_src *s, gt_err *e)
{
	while (!s->eof)
		if (wire_fill(s, s->len - s->pos + WIRE_CHUNK) < 0)
			return read_failed(s, e);
	return GT_OK;
}

gt_status wire_read_header(wire_src *s, int *version, gt_err *e)
{
	static const char prefix[] = "go 1.";
	const uint8_t *p, *end;
	ptrdiff_t avail = wire_fill(s, 16);
	unsigned v = 0;
	int digits = 0;

	if (avail < 0)
		return read_failed(s, e);
	p = s->data + s->pos;
	end = p + avail;
	/* Go scans "go 1.%d trace\x00\x00\x00" with fmt.Fscanf. */
	for (size_t i = 0; i < sizeof prefix - 1; i++, p++)
		if (p == end || *p != (uint8_t)prefix[i])
			goto bad;
	for (; p < end && *p >= '0' && *p <= '9' && digits < 9; p++, digits++)
		v = v * 10 + (unsigned)(*p - '0');
	if (!digits || end - p < 9 || memcmp(p, " trace\0\0\0", 9) != 0)
		goto bad;
	s->pos = (size_t)(p + 9 - s->data);
	*version = (int)v;
	switch (v) {
	case GO111: case GO119: case GO121: case GO122: case GO123: case GO125: case GO126:
		return GT_OK;
	}
	return gt_fail(e, GT_ERR_VERSION, 0, "unknown or unsupported trace version go 1.%u", v);
bad:
	return gt_fail(e, GT_ERR_FORMAT, 0, "bad file format: not a Go execution trace?");
}

/* One header field of a batch, read as Go's binary.ReadUvarint reads it. */
static gt_status read_field(wire_src *s, uint64_t *v, const char *what, uint64_t start, gt_err *e)
{
	const uint8_t *p = s->data + s->pos, *end = s->data + s->len;
	int rc = wire_read_uvarint(&p, end, v);

	if (rc != UV_OK)
		return gt_fail(e, rc == UV_OVERFLOW ? GT_ERR_CORRUPT : GT_ERR_TRUNCATED, start,
			       "error reading batch %s: %s", what, wire_uvarint_error(rc));
	s->pos = (size_t)(p - s->data);
	return GT_OK;
}

gt_status wire_read_batch(wire_src *s, wire_batch *b, gt_err *e)
{
	size_t start = s->pos;
	uint64_t file_off = wire_offset(s, start), size;
	ptrdiff_t avail = wire_fill(s, 1);
	gt_status st;
	uint8_t typ;

	memset(b, 0, sizeof *b);
	b->file_off = file_off;
	b->m = -1;
	if (avail < 0)
		return read_failed(s, e);
	if (avail == 0)
		return GT_END;
	typ = s->data[s->pos];
	if (typ == EV_END_OF_GENERATION) {
		s->pos++;
		b->end_of_gen = 1;
		return GT_OK;
	}
	if (typ != EV_EVENT_BATCH && typ != EV_EXPERIMENTAL_BATCH)
		return gt_fail(e, GT_ERR_CORRUPT, file_off, "expected batch event, got event %u", typ);
	s->pos++;
	if (typ == EV_EXPERIMENTAL_BATCH) {
		if ((avail = wire_fill(s, 1)) < 0)
			return read_failed(s, e);
		if (avail == 0) /* Go sees a bare io.EOF here, like a clean end */
			return GT_END;
		b->exp = s->data[s->pos++];
	}
	/* Four varints of at most 10 bytes each. */
	if (wire_fill(s, 40) < 0)
		return read_failed(s, e);
	if ((st = read_field(s, &b->gen, "gen", file_off, e)) ||
	    (st = read_field(s, (uint64_t *)&b->m, "M ID", file_off, e)) ||
	    (st = read_field(s, &b->ts, "timestamp", file_off, e)) ||
	    (st = read_field(s, &size, "size", file_off, e)))
		return st;
	if (size > MAX_BATCH_SIZE)
		return gt_fail(e, GT_ERR_CORRUPT, file_off, "invalid batch size %llu, maximum is %u",
			       (unsigned long long)size, MAX_BATCH_SIZE);
	if ((avail = wire_fill(s, (size_t)size)) < 0)
		return read_failed(s, e);
	if ((uint64_t)avail < size)
		return gt_fail(e, GT_ERR_TRUNCATED, file_off,
			       "failed to read full batch: read %lld but wanted %llu", (long long)avail,
			       (unsigned long long)size);
	b->off = s->pos;
	b->size = (uint32_t)size;
	s->pos += (size_t)size;
	return GT_OK;
}
