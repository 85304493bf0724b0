/*
 * wire.c - input, varints, header and batch framing (see wire.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events.h"
#include "wire.h"

/* A stream is read in chunks this large. */
#define WIRE_CHUNK (1u << 20)
/* The longest batch header: 2 bytes and 4 varints of 10 bytes. */
#define WIRE_MAX_HEADER 42

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

/* A source starts empty, with nothing taken from its input.  in_bytes,
 * the last member, is only ever written atomically: another thread may be
 * reading it as the source is opened. */
static void clear(wire_src *s)
{
	memset(s, 0, offsetof(wire_src, in_bytes));
	atomic_store_explicit(&s->in_bytes, 0, memory_order_relaxed);
	s->fd = -1;
}

void wire_init_memory(wire_src *s, const void *p, size_t size)
{
	clear(s);
	s->mode = WIRE_MEMORY;
	s->fd = -1;
	s->data = p;
	s->len = size;
	s->size = size;
	s->eof = 1;
}

void wire_init_fd(wire_src *s, int fd, int own)
{
	struct stat sb;

	clear(s);
	s->fd = fd;
	s->own_fd = own;
	s->mode = WIRE_STREAM;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode)) {
		s->mode = WIRE_FILE;
		s->size = (uint64_t)sb.st_size;
	}
}

gt_status wire_open_file(wire_src *s, const char *path, gt_err *e)
{
	struct stat sb;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return gt_fail(e, GT_ERR_IO, 0, "cannot open: %s", strerror(errno));
	if (fstat(fd, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		close(fd);
		return gt_fail(e, GT_ERR_IO, 0, "cannot read: is a directory");
	}
	wire_init_fd(s, fd, 1);
	return GT_OK;
}

void wire_close(wire_src *s)
{
	if (s->own_fd && s->fd >= 0)
		close(s->fd);
	free(s->buf);
	dc_free(s->dc);
	clear(s);
}

uint64_t wire_in_bytes(const wire_src *s)
{
	return atomic_load_explicit(&s->in_bytes, memory_order_relaxed);
}

static void took(wire_src *s, uint64_t bytes)
{
	atomic_store_explicit(&s->in_bytes, bytes, memory_order_relaxed);
}

static gt_status read_failed(wire_src *s, gt_err *e)
{
	if (s->err == ENOMEM)
		return gt_fail(e, GT_ERR_NOMEM, s->off, "out of memory reading the trace");
	return gt_fail(e, GT_ERR_IO, s->off, "read error: %s", strerror(s->err));
}

/* Read up to n bytes at input offset off into p (a file); the count, or -1. */
static ptrdiff_t pread_full(wire_src *s, uint8_t *p, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(s->fd, p + got, n - got, (off_t)(off + got));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			s->err = errno;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ptrdiff_t)got;
}

/* A stream: make `need` bytes available from s->off on, if the input has
 * them.  Returns the bytes available, or -1 (s->err says why). */
static ptrdiff_t stream_fill(wire_src *s, size_t need)
{
	size_t pos = (size_t)(s->off - s->base);

	while (s->len - pos < need && !s->eof) {
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
		}
		n = s->dc ? dc_read(s->dc, s->buf + s->len, s->cap - s->len)
			  : read(s->fd, s->buf + s->len, s->cap - s->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			s->err = errno;
			return -1;
		}
		/* Damaged compressed input ends here too: wire_input_end. */
		if (n == 0)
			s->eof = 1;
		s->len += (size_t)n;
		took(s, s->dc ? dc_in_bytes(s->dc) : s->base + s->len);
	}
	return (ptrdiff_t)(s->len - pos);
}

/* Up to n bytes from s->off on, without consuming them: in the window, or
 * read into buf (a file).  *avail gets how many there are. */
static const uint8_t *peek(wire_src *s, size_t n, uint8_t *buf, size_t *avail, gt_err *e,
			   gt_status *st)
{
	ptrdiff_t got;

	*st = GT_OK;
	if (s->mode == WIRE_FILE) {
		if ((got = pread_full(s, buf, n, s->off)) < 0) {
			*st = read_failed(s, e);
			return NULL;
		}
		*avail = (size_t)got;
		return buf;
	}
	if (s->mode == WIRE_STREAM && stream_fill(s, n) < 0) {
		*st = read_failed(s, e);
		return NULL;
	}
	*avail = s->off - s->base < s->len ? s->len - (size_t)(s->off - s->base) : 0;
	return s->data + (s->off - s->base);
}

void wire_discard(wire_src *s, uint64_t keep)
{
	size_t drop;

	if (s->mode != WIRE_STREAM || keep <= s->base)
		return;
	drop = (size_t)(keep - s->base);
	memmove(s->buf, s->buf + drop, s->len - drop);
	s->len -= drop;
	s->base = keep;
}

/* A file is read as the stream it also is (at its current offset). */
static gt_status read_as_stream(wire_src *s, gt_err *e)
{
	if (s->mode != WIRE_FILE)
		return GT_OK;
	if (lseek(s->fd, (off_t)s->off, SEEK_SET) < 0) {
		s->err = errno;
		return read_failed(s, e);
	}
	s->mode = WIRE_STREAM;
	s->base = s->off;
	return GT_OK;
}

gt_status wire_window(wire_src *s, size_t need, const uint8_t **p, size_t *avail, gt_err *e)
{
	gt_status st;

	if ((st = read_as_stream(s, e)))
		return st;
	if (s->mode == WIRE_STREAM && stream_fill(s, need) < 0)
		return read_failed(s, e);
	*p = s->data + (s->off - s->base);
	*avail = s->base + s->len - s->off;
	return GT_OK;
}

gt_status wire_read_all(wire_src *s, size_t limit, gt_err *e)
{
	gt_status st;

	if ((st = read_as_stream(s, e)))
		return st;
	while (!s->eof && s->len <= limit)
		if (stream_fill(s, s->len - (size_t)(s->off - s->base) + WIRE_CHUNK) < 0)
			return read_failed(s, e);
	return s->eof ? wire_input_end(s, GT_OK, e) : GT_OK;
}

gt_status wire_input_end(wire_src *s, gt_status st, gt_err *e)
{
	if (!s->dc || dc_status(s->dc) == GT_OK || (st != GT_OK && st != GT_END &&
						   st != GT_ERR_TRUNCATED))
		return st;
	return gt_fail(e, dc_status(s->dc), s->base + s->len, "%s", dc_message(s->dc));
}

/* Compressed input, found by its magic number at the start: from here on
 * read through a decompressor, as a stream.  Bytes a stream has read stay
 * its input's first; a file is read again from its start. */
static gt_status detect_compression(wire_src *s, gt_err *e)
{
	uint8_t magic[4];
	const uint8_t *p = magic, *pending = NULL, *src = NULL;
	size_t n = 0, npending = 0, size = 0;
	ptrdiff_t got;
	int fd = s->fd;

	if (s->mode == WIRE_FILE) {
		if ((got = pread_full(s, magic, sizeof magic, 0)) < 0)
			return read_failed(s, e);
		n = (size_t)got;
	} else {
		if (s->mode == WIRE_STREAM && stream_fill(s, sizeof magic) < 0)
			return read_failed(s, e);
		p = s->data;
		n = s->len;
	}
	if (!(s->compression = dc_detect(p, n)))
		return GT_OK;
	switch (s->mode) {
	case WIRE_FILE:
		if (lseek(fd, 0, SEEK_SET) < 0) {
			s->err = errno;
			return read_failed(s, e);
		}
		break;
	case WIRE_STREAM:
		pending = s->buf;
		npending = s->len;
		break;
	case WIRE_MEMORY:
		src = s->data;
		size = s->len;
		fd = -1;
		s->data = NULL;
		break;
	}
	if (!(s->dc = dc_new(s->compression, fd, src, size, pending, npending)))
		return gt_fail(e, GT_ERR_NOMEM, 0, "out of memory");
	s->mode = WIRE_STREAM;
	s->size = 0;
	s->len = 0;
	s->eof = 0;
	return GT_OK;
}

gt_status wire_read_header(wire_src *s, int *version, gt_err *e)
{
	static const char prefix[] = "go 1.";
	uint8_t buf[32];
	size_t avail;
	gt_status st;
	const uint8_t *p, *end;
	unsigned v = 0;
	int digits = 0;

	if ((st = detect_compression(s, e)) || !(p = peek(s, 16, buf, &avail, e, &st)))
		return st;
	end = p + avail;
	/* Go scans "go 1.%d trace\x00\x00\x00" with fmt.Fscanf. */
	for (size_t i = 0; i < sizeof prefix - 1; i++, p++)
		if (p == end || *p != (uint8_t)prefix[i])
			goto bad;
	for (; p < end && *p >= '0' && *p <= '9' && digits < 9; p++, digits++)
		v = v * 10 + (unsigned)(*p - '0');
	if (!digits || end - p < 9 || memcmp(p, " trace\0\0\0", 9) != 0)
		goto bad;
	s->off += (uint64_t)(p + 9 - (end - avail)); /* the header's length */
	*version = (int)v;
	switch (v) {
	case GO111: case GO119: case GO121: case GO122: case GO123: case GO125: case GO126:
		return GT_OK;
	}
	return gt_fail(e, GT_ERR_VERSION, 0, "unknown or unsupported trace version go 1.%u", v);
bad:
	/* Compressed input may end before its header does because it is damaged. */
	if (avail < 16 && (st = wire_input_end(s, GT_END, e)) != GT_END)
		return st;
	return gt_fail(e, GT_ERR_FORMAT, 0, "bad file format: not a Go execution trace?");
}

/* One header field of a batch, read as Go's binary.ReadUvarint reads it. */
static gt_status read_field(const uint8_t **p, const uint8_t *end, uint64_t *v, const char *what,
			    uint64_t start, gt_err *e)
{
	int rc = wire_read_uvarint(p, end, v);

	if (rc != UV_OK)
		return gt_fail(e, rc == UV_OVERFLOW ? GT_ERR_CORRUPT : GT_ERR_TRUNCATED, start,
			       "error reading batch %s: %s", what, wire_uvarint_error(rc));
	return GT_OK;
}

/* Bytes of the input from `off` on. */
static uint64_t remaining(const wire_src *s, uint64_t off)
{
	uint64_t end = s->mode == WIRE_STREAM ? s->base + s->len : s->size;

	return off < end ? end - off : 0;
}

gt_status wire_read_batch(wire_src *s, wire_batch *b, gt_err *e)
{
	uint8_t buf[WIRE_MAX_HEADER];
	const uint8_t *start, *p, *end;
	size_t avail;
	uint64_t size;
	gt_status st;

	memset(b, 0, sizeof *b);
	b->file_off = s->off;
	b->m = -1;
	b->first = -1;
	if (!(start = peek(s, WIRE_MAX_HEADER, buf, &avail, e, &st)))
		return st;
	if (avail == 0)
		return wire_input_end(s, GT_END, e);
	p = start;
	end = start + avail;
	if (*p == EV_END_OF_GENERATION) {
		s->off++;
		b->end_of_gen = 1;
		return GT_OK;
	}
	if (*p != EV_EVENT_BATCH && *p != EV_EXPERIMENTAL_BATCH)
		return gt_fail(e, GT_ERR_CORRUPT, b->file_off, "expected batch event, got event %u", *p);
	if (*p++ == EV_EXPERIMENTAL_BATCH) {
		if (p == end) /* Go sees a bare io.EOF here, like a clean end */
			return wire_input_end(s, GT_END, e);
		b->exp = *p++;
	}
	if ((st = read_field(&p, end, &b->gen, "gen", b->file_off, e)) ||
	    (st = read_field(&p, end, (uint64_t *)&b->m, "M ID", b->file_off, e)) ||
	    (st = read_field(&p, end, &b->ts, "timestamp", b->file_off, e)) ||
	    (st = read_field(&p, end, &size, "size", b->file_off, e)))
		return wire_input_end(s, st, e);
	if (size > WIRE_MAX_BATCH)
		return gt_fail(e, GT_ERR_CORRUPT, b->file_off, "invalid batch size %llu, maximum is %u",
			       (unsigned long long)size, WIRE_MAX_BATCH);
	b->payload = s->off + (uint64_t)(p - start);
	if (size && p < end)
		b->first = *p;
	/* This may move the window: start, p and end are not used after it. */
	if (s->mode == WIRE_STREAM && stream_fill(s, (size_t)(b->payload - s->off) + (size_t)size) < 0)
		return read_failed(s, e);
	if (remaining(s, b->payload) < size)
		return wire_input_end(s, gt_fail(e, GT_ERR_TRUNCATED, b->file_off,
						 "failed to read full batch: read %llu but wanted %llu",
						 (unsigned long long)remaining(s, b->payload),
						 (unsigned long long)size), e);
	b->size = (uint32_t)size;
	s->off = b->payload + size;
	if (s->mode != WIRE_STREAM) /* a stream counts what it reads */
		took(s, s->off);
	return GT_OK;
}

const uint8_t *wire_payload(wire_src *s, const wire_batch *b, uint8_t *buf, gt_err *e)
{
	ptrdiff_t got;

	if (s->mode != WIRE_FILE)
		return s->data + (b->payload - s->base);
	got = pread_full(s, buf, b->size, b->payload);
	if (got == (ptrdiff_t)b->size)
		return buf;
	if (got >= 0) /* the file shrank since the header was read */
		gt_fail(e, GT_ERR_TRUNCATED, b->file_off, "failed to read full batch: read %lld but wanted %u",
			(long long)got, b->size);
	else
		read_failed(s, e);
	return NULL;
}
