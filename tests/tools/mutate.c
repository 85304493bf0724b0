/*
 * mutate - write damaged copies of a trace, the kinds of damage traces meet:
 *
 *     mutate SEED COUNT INPUT OUTDIR
 *
 * Writes OUTDIR/m<SEED>-<i>.trace for i < COUNT, cycling through: cut at a
 * random offset, flipped bits, overwritten runs of bytes, a deleted or
 * duplicated span, a varint stretched to overflow, a huge length, and a
 * header of another version.  The same SEED always writes the same files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long state;

static unsigned long long rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static size_t pick(size_t n)
{
	return n ? (size_t)(rnd() % n) : 0;
}

static unsigned char *load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		perror(path);
		exit(2);
	}
	/* Room to grow by a duplicated span or a stretched varint. */
	buf = malloc((size_t)n * 2 + 64);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(2);
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Damage buf (len bytes, room for twice as many) in the way numbered kind. */
static size_t damage(unsigned char *buf, size_t len, int kind)
{
	size_t at = 16 + pick(len > 16 ? len - 16 : 1), n;

	if (at > len)
		at = len;
	switch (kind) {
	case 0: /* truncated */
		return pick(len + 1);
	case 1: /* bit flips */
		for (int i = 0; i < 1 + (int)pick(8); i++)
			buf[pick(len)] ^= (unsigned char)(1u << pick(8));
		return len;
	case 2: /* a run of random bytes */
		n = 1 + pick(64);
		for (size_t i = at; i < at + n && i < len; i++)
			buf[i] = (unsigned char)rnd();
		return len;
	case 3: /* a span deleted */
		n = pick(len - at + 1);
		memmove(buf + at, buf + at + n, len - at - n);
		return len - n;
	case 4: /* a span duplicated */
		n = pick(len - at + 1);
		memmove(buf + at + n, buf + at, len - at);
		return len + n;
	case 5: /* a varint stretched to 11 bytes: overflow */
		memmove(buf + at + 10, buf + at, len - at);
		memset(buf + at, 0xff, 10);
		return len + 10;
	case 6: /* a byte set to a huge varint continuation */
		memset(buf + at, 0x80 | (unsigned char)rnd(), at + 9 <= len ? 9 : len - at);
		return len;
	default: /* a header from another version */
		if (len >= 16)
			memcpy(buf, (const char *[]){ "go 1.9 trace\0\0\0\0", "go 1.24 trace\0\0\0",
						      "go 1.99 trace\0\0\0", "go 1.2x trace\0\0\0" }[pick(4)],
			       16);
		return len;
	}
}

int main(int argc, char **argv)
{
	size_t len, n;
	unsigned char *orig, *buf;
	int count;

	if (argc != 5) {
		fprintf(stderr, "usage: mutate SEED COUNT INPUT OUTDIR\n");
		return 2;
	}
	state = strtoull(argv[1], NULL, 10) * 2654435761u + 1;
	count = atoi(argv[2]);
	orig = load(argv[3], &len);
	buf = malloc(len * 2 + 64);
	for (int i = 0; i < count; i++) {
		char path[4096];
		FILE *f;

		memcpy(buf, orig, len);
		n = damage(buf, len, i % 8);
		snprintf(path, sizeof path, "%s/m%s-%d.trace", argv[4], argv[1], i);
		if (!(f = fopen(path, "wb")) || fwrite(buf, 1, n, f) != n || fclose(f)) {
			perror(path);
			return 2;
		}
	}
	free(buf);
	free(orig);
	return 0;
}
