/*
 * test_wire.c - varints at their boundaries, the header, batch framing.
 */
#include <string.h>

#include "check.h"
#include "wire.h"

static void test_uvarint(void)
{
	uint64_t v;
	/* 9 bytes of continuation then 0x01: the largest 10-byte form. */
	static const uint8_t max[10] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	static const uint8_t over[10] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02 };
	static const uint8_t eleven[11] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 };
	/* The runtime pads batch lengths to 10 bytes: 5 as 0x85 0x80... 0x00. */
	static const uint8_t padded[10] = { 0x85, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00 };
	static const uint8_t nine[9] = { 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 };

	CHECK(gt_uvarint((const uint8_t *)"\x05", 1, &v) == 1 && v == 5);
	CHECK(gt_uvarint((const uint8_t *)"\x80\x01", 2, &v) == 2 && v == 128);
	CHECK(gt_uvarint(max, 10, &v) == 10 && v == UINT64_MAX);
	CHECK(gt_uvarint(over, 10, &v) == -1);
	CHECK(gt_uvarint(eleven, 11, &v) == -1);
	CHECK(gt_uvarint(padded, 10, &v) == 10 && v == 5);
	CHECK(gt_uvarint(nine, 9, &v) == 9 && v == (1ull | 1ull << 56));
	/* Cut short: Go's Uvarint says 0 bytes (need more), not overflow. */
	CHECK(gt_uvarint(max, 9, &v) == 0);
	CHECK(gt_uvarint(max, 0, &v) == 0);
	/* Ten continuation bytes and the buffer ends: still "need more". */
	CHECK(gt_uvarint(eleven, 10, &v) == 0);
}

static void test_stream_uvarint(void)
{
	static const uint8_t ten[10] = { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80 };
	const uint8_t *p;
	uint64_t v;

	p = ten;
	CHECK(wire_read_uvarint(&p, ten + 10, &v) == UV_OVERFLOW);
	p = ten;
	CHECK(wire_read_uvarint(&p, ten + 3, &v) == UV_UNEXPECTED_EOF);
	p = ten;
	CHECK(wire_read_uvarint(&p, ten, &v) == UV_EOF);
	CHECK(strcmp(wire_uvarint_error(UV_EOF), "EOF") == 0);
}

static gt_status header(const char *bytes, size_t n, int *version)
{
	wire_src s;
	gt_err e;

	memset(&e, 0, sizeof e);
	wire_init_memory(&s, bytes, n);
	return wire_read_header(&s, version, &e);
}

static void test_header(void)
{
	int v;

	CHECK(header("go 1.26 trace\0\0\0", 16, &v) == GT_OK && v == 26);
	CHECK(header("go 1.11 trace\0\0\0", 16, &v) == GT_OK && v == 11);
	CHECK(header("go 1.24 trace\0\0\0", 16, &v) == GT_ERR_VERSION);
	CHECK(header("go 1.5 trace\0\0\0\0", 16, &v) == GT_ERR_VERSION && v == 5);
	CHECK(header("go 1.26 trace\0\0", 15, &v) == GT_ERR_FORMAT);
	CHECK(header("PK\3\4 not a trace", 16, &v) == GT_ERR_FORMAT);
	CHECK(header("", 0, &v) == GT_ERR_FORMAT);
}

static gt_status batch(const uint8_t *bytes, size_t n, wire_batch *b)
{
	wire_src s;
	gt_err e;

	memset(&e, 0, sizeof e);
	wire_init_memory(&s, bytes, n);
	return wire_read_batch(&s, b, &e);
}

static void test_batch(void)
{
	static const uint8_t ok[] = { 0x01, 0x02, 0x07, 0x64, 0x03, 0xaa, 0xbb, 0xcc };
	static const uint8_t huge[] = { 0x01, 0x02, 0x07, 0x64, 0x80, 0x80, 0x80, 0x80, 0x80,
					0x80, 0x80, 0x80, 0x10 };
	static const uint8_t exp_eof[] = { 0x31 };
	wire_batch b;

	CHECK(batch(ok, sizeof ok, &b) == GT_OK && b.gen == 2 && b.m == 7 && b.ts == 100 &&
	      b.size == 3 && b.payload == 5 && b.first == 0xaa);
	CHECK(batch(ok, sizeof ok - 1, &b) == GT_ERR_TRUNCATED);
	/* A 2^60 length is refused before anything is allocated. */
	CHECK(batch(huge, sizeof huge, &b) == GT_ERR_CORRUPT);
	CHECK(batch((const uint8_t *)"\x34", 1, &b) == GT_OK && b.end_of_gen);
	CHECK(batch((const uint8_t *)"\x07", 1, &b) == GT_ERR_CORRUPT);
	CHECK(batch(exp_eof, 1, &b) == GT_END); /* Go reads this as a clean end */
	CHECK(batch(ok, 0, &b) == GT_END);
}

int main(void)
{
	test_uvarint();
	test_stream_uvarint();
	test_header();
	test_batch();
	return CHECK_DONE();
}
