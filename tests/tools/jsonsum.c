/*
 * jsonsum - check a trace-event JSON file and print a summary of it that
 * two equivalent timelines share, whatever their event order, stack ids or
 * byte layout.  Used both to make goldens from go tool trace's /jsontrace
 * and to compare trace2pprof -json with them (tests/regen-json).
 *
 *     jsonsum [-g] [FILE...]     (standard input without FILE)
 *
 * Several files are the parts of one timeline (trace2pprof -json -split):
 * their events are summed as one, each part's stacks resolved by its own
 * stackFrames, and a lane's name that parts repeat counted once.
 * The file must be strict JSON (RFC 8259, UTF-8, no lone surrogates) in the
 * trace-event shape: {"traceEvents":[{"ph":..,"ts":..,"pid":..,"tid":..},
 * ...],"stackFrames":{...}}; every "sf"/"esf" must name a frame whose
 * parents are all there, and every flow step must follow a flow start.
 * Anything else: a message and exit status 1.
 *
 * The summary, sorted lines (times in microseconds, summed exactly from
 * integer nanoseconds):
 *
 *     events N                          all events
 *     frames N                          stack frames listed
 *     misnested N                       "X" slices that overlap a slice of
 *                                       their lane without nesting in it
 *     PH PID n=N ts=SUM dur=SUM sf=D esf=D NAME [cat=C] [s=S] [args=A]
 *                                       per distinct (ph, pid, name, cat, s,
 *                                       args): count, sums of ts and dur,
 *                                       and of the depths of sf and esf
 *     C PID n=N ts=SUM NAME KEY=SUM...  counters: per name, each arg summed
 *     M PID TID NAME args=A             each metadata event
 *
 * With -g, the lines that the thread view and the goroutine view of one
 * trace must share: the Goroutines and Heap counters, the GC lane, and per
 * goroutine "G ID runs=N exec=SUM", its time on a thread (thread view: its
 * slices named "G<id> ..."; goroutine view: its "running" and "syscall"
 * slices, back-to-back ones joined).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A parsed JSON value. */
typedef enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jv {
	jtype type;
	char *s;          /* string bytes (decoded) or number text; NUL-ended */
	size_t len;
	struct jv *v;     /* array items or object values */
	char **k;         /* object keys (decoded) */
	size_t n;
} jv;

static const char *prog = "jsonsum";

static void die(const char *msg, long long at)
{
	if (at >= 0)
		fprintf(stderr, "%s: %s at byte %lld\n", prog, msg, at);
	else
		fprintf(stderr, "%s: %s\n", prog, msg);
	exit(1);
}

static void *xrealloc(void *p, size_t n)
{
	if (!(p = realloc(p, n ? n : 1)))
		die("out of memory", -1);
	return p;
}

/* qsort with nothing to sort: a file without flows, say, has no array at
 * all, and qsort's pointer must not be NULL even then. */
static void sort(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(v, n, size, cmp);
}

/* Parser. */

typedef struct parser {
	const unsigned char *p, *start, *end;
	int depth;
} parser;

static long long at(const parser *ps)
{
	return (long long)(ps->p - ps->start);
}

static void ws(parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static void put(char **buf, size_t *len, size_t *cap, const void *src, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = 2 * (*len + n + 1);
		*buf = xrealloc(*buf, *cap);
	}
	memcpy(*buf + *len, src, n);
	*len += n;
	(*buf)[*len] = '\0';
}

static unsigned hex4(parser *ps)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++, ps->p++) {
		int c = ps->p < ps->end ? *ps->p : -1;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			die("bad \\u escape", at(ps));
	}
	return v;
}

static size_t utf8_encode(unsigned r, unsigned char out[4])
{
	if (r < 0x80) {
		out[0] = (unsigned char)r;
		return 1;
	}
	if (r < 0x800) {
		out[0] = (unsigned char)(0xC0 | r >> 6);
		out[1] = (unsigned char)(0x80 | (r & 0x3F));
		return 2;
	}
	if (r < 0x10000) {
		out[0] = (unsigned char)(0xE0 | r >> 12);
		out[1] = (unsigned char)(0x80 | (r >> 6 & 0x3F));
		out[2] = (unsigned char)(0x80 | (r & 0x3F));
		return 3;
	}
	out[0] = (unsigned char)(0xF0 | r >> 18);
	out[1] = (unsigned char)(0x80 | (r >> 12 & 0x3F));
	out[2] = (unsigned char)(0x80 | (r >> 6 & 0x3F));
	out[3] = (unsigned char)(0x80 | (r & 0x3F));
	return 4;
}

/* The length of the well-formed UTF-8 sequence at p, or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xBF;
	size_t n;

	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
	else
		return 0;
	if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xBF)
			return 0;
	return n;
}

static unsigned escape(parser *ps)
{
	unsigned r;

	if (ps->p >= ps->end)
		die("unterminated string", at(ps));
	switch (*ps->p++) {
	case '"': return '"';
	case '\\': return '\\';
	case '/': return '/';
	case 'b': return '\b';
	case 'f': return '\f';
	case 'n': return '\n';
	case 'r': return '\r';
	case 't': return '\t';
	case 'u': break;
	default: die("bad escape", at(ps) - 1);
	}
	r = hex4(ps);
	if (r >= 0xDC00 && r <= 0xDFFF)
		die("lone low surrogate", at(ps));
	if (r >= 0xD800 && r <= 0xDBFF) {
		unsigned lo;

		if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
			die("lone high surrogate", at(ps));
		ps->p += 2;
		lo = hex4(ps);
		if (lo < 0xDC00 || lo > 0xDFFF)
			die("lone high surrogate", at(ps));
		r = 0x10000 + ((r - 0xD800) << 10) + (lo - 0xDC00);
	}
	return r;
}

static char *string(parser *ps, size_t *len)
{
	char *buf = NULL;
	size_t cap = 0;

	*len = 0;
	put(&buf, len, &cap, "", 0);
	ps->p++;  /* the opening quote */
	for (;;) {
		unsigned char c, u[4];
		size_t n;

		if (ps->p >= ps->end)
			die("unterminated string", at(ps));
		c = *ps->p;
		if (c == '"') {
			ps->p++;
			return buf;
		}
		if (c < 0x20)
			die("control character in string", at(ps));
		if (c == '\\') {
			ps->p++;
			put(&buf, len, &cap, u, utf8_encode(escape(ps), u));
			continue;
		}
		n = c < 0x80 ? 1 : utf8_len(ps->p, ps->end);
		if (!n)
			die("invalid UTF-8", at(ps));
		put(&buf, len, &cap, ps->p, n);
		ps->p += n;
	}
}

static void digits(parser *ps)
{
	const unsigned char *s = ps->p;

	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	if (ps->p == s)
		die("bad number", at(ps));
}

static void number(parser *ps, jv *out)
{
	const unsigned char *s = ps->p;

	if (*ps->p == '-')
		ps->p++;
	if (ps->p < ps->end && *ps->p == '0')
		ps->p++;
	else
		digits(ps);
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		digits(ps);
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		digits(ps);
	}
	out->type = J_NUM;
	out->len = (size_t)(ps->p - s);
	out->s = xrealloc(NULL, out->len + 1);
	memcpy(out->s, s, out->len);
	out->s[out->len] = '\0';
}

static void value(parser *ps, jv *out);

static void literal(parser *ps, jv *out, const char *word, jtype type)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n))
		die("bad literal", at(ps));
	ps->p += n;
	out->type = type;
	out->s = xrealloc(NULL, n + 1);
	memcpy(out->s, word, n + 1);
	out->len = n;
}

static int more(parser *ps, char close, size_t n)
{
	ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return 0;
	}
	if (n) {
		if (ps->p >= ps->end || *ps->p != ',')
			die("expected , or closing bracket", at(ps));
		ps->p++;
		ws(ps);
	}
	return 1;
}

static void container(parser *ps, jv *out, int obj)
{
	size_t cap = 0;

	if (++ps->depth > 64)
		die("nested too deeply", at(ps));
	out->type = obj ? J_OBJ : J_ARR;
	ps->p++;
	while (more(ps, obj ? '}' : ']', out->n)) {
		if (out->n == cap) {
			cap = cap ? 2 * cap : 8;
			out->v = xrealloc(out->v, cap * sizeof *out->v);
			if (obj)
				out->k = xrealloc(out->k, cap * sizeof *out->k);
		}
		memset(&out->v[out->n], 0, sizeof out->v[0]);
		if (obj) {
			size_t klen;

			if (ps->p >= ps->end || *ps->p != '"')
				die("expected a key", at(ps));
			out->k[out->n] = string(ps, &klen);
			ws(ps);
			if (ps->p >= ps->end || *ps->p++ != ':')
				die("expected :", at(ps));
		}
		value(ps, &out->v[out->n++]);
	}
	ps->depth--;
}

static void value(parser *ps, jv *out)
{
	ws(ps);
	if (ps->p >= ps->end)
		die("unexpected end", at(ps));
	switch (*ps->p) {
	case '{': container(ps, out, 1); break;
	case '[': container(ps, out, 0); break;
	case '"': out->type = J_STR; out->s = string(ps, &out->len); break;
	case 't': literal(ps, out, "true", J_BOOL); break;
	case 'f': literal(ps, out, "false", J_BOOL); break;
	case 'n': literal(ps, out, "null", J_NULL); break;
	default:
		if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))
			number(ps, out);
		else
			die("unexpected character", at(ps));
	}
}

static void jv_free(jv *v)
{
	for (size_t i = 0; i < v->n; i++) {
		jv_free(&v->v[i]);
		if (v->k)
			free(v->k[i]);
	}
	free(v->v);
	free(v->k);
	free(v->s);
}

static const jv *get(const jv *obj, const char *key)
{
	for (size_t i = 0; obj->type == J_OBJ && i < obj->n; i++)
		if (!strcmp(obj->k[i], key))
			return &obj->v[i];
	return NULL;
}

/* Numbers. */

/* A time in microseconds as integer nanoseconds: exact for up to three
 * decimals, as both writers print; otherwise rounded. */
static int64_t micros_to_ns(const jv *v)
{
	const char *s = v->s;
	int neg = *s == '-';
	uint64_t ns = 0;
	int frac = -1;

	for (s += neg; *s; s++) {
		if (*s == '.' && frac < 0) {
			frac = 0;
			continue;
		}
		if (*s < '0' || *s > '9' || frac >= 3 || ns > UINT64_MAX / 10 - 10)
			return (int64_t)(strtod(v->s, NULL) * 1000.0 + (neg ? -0.5 : 0.5));
		ns = ns * 10 + (uint64_t)(*s - '0');
		frac += frac >= 0;
	}
	for (frac = frac < 0 ? 0 : frac; frac < 3; frac++)
		ns *= 10;
	return neg ? (int64_t)(0 - ns) : (int64_t)ns;
}

static uint64_t as_u64(const jv *v)
{
	if (!v || v->type != J_NUM)
		die("expected a number", -1);
	return v->s[0] == '-' ? (uint64_t)strtoll(v->s, NULL, 10) : strtoull(v->s, NULL, 10);
}

static void print_micros(FILE *f, int64_t ns)
{
	uint64_t a = ns < 0 ? 0 - (uint64_t)ns : (uint64_t)ns;

	fprintf(f, "%s%" PRIu64 ".%03u", ns < 0 ? "-" : "", a / 1000, (unsigned)(a % 1000));
}

/* Canonical text: strings with only " \ and controls escaped, object keys
 * sorted, numbers as written. */

static void canon_str(FILE *f, const char *s, size_t len)
{
	fputc('"', f);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static const jv *sort_obj;

static int by_key(const void *a, const void *b)
{
	return strcmp(sort_obj->k[*(const size_t *)a], sort_obj->k[*(const size_t *)b]);
}

static void canon(FILE *f, const jv *v)
{
	size_t *order;

	switch (v->type) {
	case J_STR:
		canon_str(f, v->s, v->len);
		return;
	case J_ARR:
		fputc('[', f);
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				fputc(',', f);
			canon(f, &v->v[i]);
		}
		fputc(']', f);
		return;
	case J_OBJ:
		order = xrealloc(NULL, v->n * sizeof *order);
		for (size_t i = 0; i < v->n; i++)
			order[i] = i;
		sort_obj = v;
		sort(order, v->n, sizeof *order, by_key);
		fputc('{', f);
		for (size_t i = 0; i < v->n; i++) {
			if (i)
				fputc(',', f);
			canon_str(f, v->k[order[i]], strlen(v->k[order[i]]));
			fputc(':', f);
			canon(f, &v->v[order[i]]);
		}
		fputc('}', f);
		free(order);
		return;
	default:
		fputs(v->s, f);
	}
}

/* A value's canonical text in a new string. */
static char *canon_text(const jv *v)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		die("out of memory", -1);
	if (v)
		canon(f, v);
	fclose(f);
	return buf;
}

/* Stack frames: id -> parent, sorted by id. */
typedef struct frame {
	uint64_t id, parent;
} frame;

static frame *frames;
static size_t nframes;

static int by_id(const void *a, const void *b)
{
	uint64_t x = ((const frame *)a)->id, y = ((const frame *)b)->id;

	return (x > y) - (x < y);
}

static void load_frames(const jv *sf)
{
	if (!sf)
		return;
	if (sf->type != J_OBJ)
		die("stackFrames is not an object", -1);
	frames = xrealloc(NULL, sf->n * sizeof *frames);
	for (size_t i = 0; i < sf->n; i++) {
		const jv *name = get(&sf->v[i], "name"), *parent = get(&sf->v[i], "parent");
		char *end;

		frames[i].id = strtoull(sf->k[i], &end, 10);
		if (*end || !frames[i].id || !name || name->type != J_STR)
			die("bad stack frame", -1);
		frames[i].parent = parent ? as_u64(parent) : 0;
	}
	nframes = sf->n;
	sort(frames, nframes, sizeof *frames, by_id);
	for (size_t i = 1; i < nframes; i++)
		if (frames[i].id == frames[i - 1].id)
			die("duplicate stack frame id", -1);
}

/* The number of frames of stack id: it and its parents, all listed. */
static uint64_t depth(uint64_t id)
{
	uint64_t d = 0;

	while (id) {
		frame key = { id, 0 }, *f = bsearch(&key, frames, nframes, sizeof *frames, by_id);

		if (!f || d > nframes) {
			fprintf(stderr, "%s: stack frame %" PRIu64 " is missing or in a cycle\n", prog, id);
			exit(1);
		}
		d++;
		id = f->parent;
	}
	return d;
}

/* One event, reduced. */
typedef struct rec {
	char *key;
	int64_t ts, dur;
	uint64_t sf, esf;
	const jv *args;
} rec;

static rec *recs;
static size_t nrecs, caprecs;
static char **lines;
static size_t nlines, caplines;

static void add_line(char *line)
{
	if (nlines == caplines) {
		caplines = caplines ? 2 * caplines : 64;
		lines = xrealloc(lines, caplines * sizeof *lines);
	}
	lines[nlines++] = line;
}

static char *printed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *printed(const char *fmt, ...)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	va_list ap;

	if (!f)
		die("out of memory", -1);
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
	return buf;
}

/* The grouping key: "PH PID NAME[ cat=..][ s=..][ args=..]"; counters
 * leave their args out, as they are summed per key. */
static char *group_key(const jv *ev, const char *ph, uint64_t pid)
{
	static const char *const extra[] = { "cat", "s", "args" };
	const jv *name = get(ev, "name");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		die("out of memory", -1);
	fprintf(f, "%s %" PRIu64 " ", ph, pid);
	canon_str(f, name && name->type == J_STR ? name->s : "", name && name->type == J_STR ? name->len : 0);
	for (int i = 0; i < 3 && strcmp(ph, "C"); i++) {
		const jv *v = get(ev, extra[i]);

		if (v) {
			fprintf(f, " %s=", extra[i]);
			canon(f, v);
		}
	}
	fclose(f);
	return buf;
}

static int64_t field_ns(const jv *ev, const char *key, int required)
{
	const jv *v = get(ev, key);

	if (!v) {
		if (required)
			die("an event has no ts", -1);
		return 0;
	}
	if (v->type != J_NUM)
		die("a time is not a number", -1);
	return micros_to_ns(v);
}

static uint64_t field_u64(const jv *ev, const char *key, int required)
{
	const jv *v = get(ev, key);

	if (!v && required) {
		fprintf(stderr, "%s: an event has no %s\n", prog, key);
		exit(1);
	}
	return v ? as_u64(v) : 0;
}

static void add_rec(char *key, int64_t ts, int64_t dur, uint64_t sf, uint64_t esf, const jv *args)
{
	if (nrecs == caprecs) {
		caprecs = caprecs ? 2 * caprecs : 256;
		recs = xrealloc(recs, caprecs * sizeof *recs);
	}
	recs[nrecs++] = (rec){ key, ts, dur, sf, esf, args };
}

/* Flow and async pairs: each step or end needs its start. */
typedef struct pair {
	uint64_t id;
	char *name;
	int start;
} pair;

static pair *pairs;
static size_t npairs, cappairs;

static void add_pair(const jv *ev, const char *ph)
{
	const jv *name = get(ev, "name");

	if (npairs == cappairs) {
		cappairs = cappairs ? 2 * cappairs : 64;
		pairs = xrealloc(pairs, cappairs * sizeof *pairs);
	}
	pairs[npairs++] = (pair){ field_u64(ev, "id", 1) * 2 + (*ph == 'b' || *ph == 'e'),
				  name && name->type == J_STR ? name->s : "", *ph == 's' || *ph == 'b' };
}

static int by_pair(const void *a, const void *b)
{
	const pair *x = a, *y = b;

	if (x->id != y->id)
		return (x->id > y->id) - (x->id < y->id);
	return y->start - x->start;
}

static void check_pairs(void)
{
	sort(pairs, npairs, sizeof *pairs, by_pair);
	for (size_t i = 0; i < npairs; i++) {
		if (pairs[i].start && (i + 1 == npairs || pairs[i + 1].id != pairs[i].id ||
				       pairs[i + 1].start || strcmp(pairs[i + 1].name, pairs[i].name) ||
				       (i + 2 < npairs && pairs[i + 2].id == pairs[i].id))) {
			fprintf(stderr, "%s: flow or async id %" PRIu64 " is not one start and one end\n",
				prog, pairs[i].id / 2);
			exit(1);
		}
		i += pairs[i].start;
		if (!pairs[i].start && (i == 0 || pairs[i - 1].id != pairs[i].id)) {
			fprintf(stderr, "%s: flow or async id %" PRIu64 " has no start\n", prog, pairs[i].id / 2);
			exit(1);
		}
	}
}

/* Slices per lane, for the nesting check and the -g runs. */
typedef struct span {
	uint64_t pid, tid;
	int64_t ts, end;
	int64_t g;         /* -g: the goroutine, or -1 */
	int nowhere;       /* -g: a goroutine-view slice on no thread */
} span;

static span *spans;
static size_t nspans, capspans;

static void add_span(uint64_t pid, uint64_t tid, int64_t ts, int64_t dur, int64_t g, int nowhere)
{
	if (nspans == capspans) {
		capspans = capspans ? 2 * capspans : 256;
		spans = xrealloc(spans, capspans * sizeof *spans);
	}
	spans[nspans++] = (span){ pid, tid, ts, (int64_t)((uint64_t)ts + (uint64_t)dur), g, nowhere };
}

static int by_lane(const void *a, const void *b)
{
	const span *x = a, *y = b;

	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	if (x->tid != y->tid)
		return (x->tid > y->tid) - (x->tid < y->tid);
	if (x->ts != y->ts)
		return (x->ts > y->ts) - (x->ts < y->ts);
	return (x->end < y->end) - (x->end > y->end);
}

static uint64_t misnested(void)
{
	int64_t *open = xrealloc(NULL, nspans * sizeof *open);
	uint64_t bad = 0;
	size_t n = 0;

	sort(spans, nspans, sizeof *spans, by_lane);
	for (size_t i = 0; i < nspans; i++) {
		if (i && (spans[i].pid != spans[i - 1].pid || spans[i].tid != spans[i - 1].tid))
			n = 0;
		while (n && open[n - 1] <= spans[i].ts)
			n--;
		if (n && spans[i].end > open[n - 1])
			bad++;
		else
			open[n++] = spans[i].end;
	}
	free(open);
	return bad;
}

/* -g: how the goroutine of an execution slice is found. */
static enum { ALL, THREAD_VIEW, GOROUTINE_VIEW } gmode;

/* The goroutine whose time on a thread slice X shows, or -1: the thread
 * view names it ("G12 main.worker"), the goroutine view gives its lane. */
static int64_t run_of(const char *name, uint64_t tid)
{
	char *end;
	long long id;

	if (gmode == GOROUTINE_VIEW)
		return !strcmp(name, "running") || !strcmp(name, "syscall") ? (int64_t)tid : -1;
	if (name[0] != 'G' || name[1] < '0' || name[1] > '9')
		return -1;
	id = strtoll(name + 1, &end, 10);
	return *end == ' ' || *end == '\0' ? id : -1;
}

/* The thread view has no lane for a run that began on no thread (it
 * never ends it), so -g leaves such runs of the goroutine view out. */
static int on_no_thread(const jv *ev)
{
	const jv *args = get(ev, "args"), *thread = args ? get(args, "thread") : NULL;

	return gmode == GOROUTINE_VIEW && thread && thread->type == J_NUM && !strcmp(thread->s, "-1");
}

/* What -g compares: the counters both views have, and the GC lane. */
static int shared_by_views(const char *ph, uint64_t pid, uint64_t tid, const char *name)
{
	if (!strcmp(ph, "C"))
		return strcmp(name, "Threads") != 0;
	return !strcmp(ph, "X") && pid == 0 && tid == 1000004;
}

static const char *str_field(const jv *ev, const char *key)
{
	const jv *v = get(ev, key);

	if (v && v->type != J_STR) {
		fprintf(stderr, "%s: an event's %s is not a string\n", prog, key);
		exit(1);
	}
	return v ? v->s : "";
}

static void metadata_line(const jv *ev, uint64_t pid, uint64_t tid)
{
	char *name = canon_text(get(ev, "name")), *args = canon_text(get(ev, "args"));

	add_line(printed("M %" PRIu64 " %" PRIu64 " %s args=%s", pid, tid, name, args));
	free(name);
	free(args);
}

static void event(const jv *ev)
{
	const char *ph, *name;
	uint64_t pid, tid, sf, esf;
	int64_t ts, dur;

	if (ev->type != J_OBJ || !get(ev, "ph"))
		die("an event is not an object with a ph", -1);
	ph = str_field(ev, "ph");
	name = str_field(ev, "name");
	pid = field_u64(ev, "pid", 1);
	tid = field_u64(ev, "tid", 1);
	ts = field_ns(ev, "ts", 1);
	dur = field_ns(ev, "dur", 0);
	sf = depth(field_u64(ev, "sf", 0));
	esf = depth(field_u64(ev, "esf", 0));
	if (strchr("stbe", ph[0]) && ph[0] && !ph[1])
		add_pair(ev, ph);
	if (!strcmp(ph, "X"))
		add_span(pid, tid, ts, dur, gmode ? run_of(name, tid) : -1, on_no_thread(ev));
	if (!strcmp(ph, "M")) {
		if (!gmode)
			metadata_line(ev, pid, tid);
		return;
	}
	if (!gmode || shared_by_views(ph, pid, tid, name))
		add_rec(group_key(ev, ph, pid), ts, dur, sf, esf, !strcmp(ph, "C") ? get(ev, "args") : NULL);
}

static int by_key_rec(const void *a, const void *b)
{
	return strcmp(((const rec *)a)->key, ((const rec *)b)->key);
}

/* Counter args summed per key, in the order of the first event's args. */
static char *counter_sums(const rec *r, size_t n)
{
	const jv *first = r[0].args;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f || !first || first->type != J_OBJ)
		die("a counter has no args object", -1);
	for (size_t k = 0; k < first->n; k++) {
		uint64_t sum = 0;

		for (size_t i = 0; i < n; i++) {
			const jv *v = get(r[i].args, first->k[k]);

			if (!v || r[i].args->n != first->n)
				die("counter events of one name have different args", -1);
			sum += as_u64(v);
		}
		fprintf(f, " %s=%" PRIu64, first->k[k], sum);
	}
	fclose(f);
	return buf;
}

static void group_lines(void)
{
	sort(recs, nrecs, sizeof *recs, by_key_rec);
	for (size_t i = 0, j; i < nrecs; i = j) {
		uint64_t ts = 0, dur = 0, sf = 0, esf = 0;
		char *ph = recs[i].key, *rest = strchr(strchr(ph, ' ') + 1, ' ') + 1, *sums, tsbuf[32], durbuf[32];
		FILE *f;

		for (j = i; j < nrecs && !strcmp(recs[j].key, recs[i].key); j++) {
			ts += (uint64_t)recs[j].ts;
			dur += (uint64_t)recs[j].dur;
			sf += recs[j].sf;
			esf += recs[j].esf;
		}
		f = fmemopen(tsbuf, sizeof tsbuf, "w");
		print_micros(f, (int64_t)ts);
		fclose(f);
		f = fmemopen(durbuf, sizeof durbuf, "w");
		print_micros(f, (int64_t)dur);
		fclose(f);
		if (ph[0] == 'C') {
			sums = counter_sums(&recs[i], j - i);
			add_line(printed("%.*s n=%zu ts=%s %s%s", (int)(rest - 1 - ph), ph, j - i, tsbuf, rest, sums));
			free(sums);
			continue;
		}
		add_line(printed("%.*s n=%zu ts=%s dur=%s sf=%" PRIu64 " esf=%" PRIu64 " %s", (int)(rest - 1 - ph),
				 ph, j - i, tsbuf, durbuf, sf, esf, rest));
	}
}

static int by_g(const void *a, const void *b)
{
	const span *x = a, *y = b;

	if (x->g != y->g)
		return (x->g > y->g) - (x->g < y->g);
	return (x->ts > y->ts) - (x->ts < y->ts);
}

/* -g: each goroutine's runs, back-to-back slices joined. */
static void run_lines(void)
{
	sort(spans, nspans, sizeof *spans, by_g);
	for (size_t i = 0, j; i < nspans; i = j) {
		uint64_t runs = 0, exec = 0;
		int skip = 0;
		char buf[32];
		FILE *f;

		for (j = i; j < nspans && spans[j].g == spans[i].g; j++) {
			if (j == i || spans[j].ts != spans[j - 1].end) {
				skip = spans[j].nowhere;
				runs += !skip;
			}
			if (!skip)
				exec += (uint64_t)(spans[j].end - spans[j].ts);
		}
		if (spans[i].g < 0 || !runs)
			continue;
		f = fmemopen(buf, sizeof buf, "w");
		print_micros(f, (int64_t)exec);
		fclose(f);
		add_line(printed("G %" PRId64 " runs=%" PRIu64 " exec=%s", spans[i].g, runs, buf));
	}
}

/* -g: which view this is, from the name of section 0. */
static void find_view(const jv *events)
{
	for (size_t i = 0; i < events->n; i++) {
		const jv *ev = &events->v[i], *args = get(ev, "args");

		if (!strcmp(str_field(ev, "ph"), "M") && !strcmp(str_field(ev, "name"), "process_name") &&
		    field_u64(ev, "pid", 1) == 0 && args && get(args, "name")) {
			const char *view = get(args, "name")->s;

			if (!strcmp(view, "OS THREADS") || !strcmp(view, "Goroutines")) {
				gmode = *view == 'O' ? THREAD_VIEW : GOROUTINE_VIEW;
				return;
			}
		}
	}
	die("-g needs the thread view or the goroutine view", -1);
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = path ? fopen(path, "rb") : stdin;
	char *buf = NULL;
	size_t cap = 0, n;

	if (!f) {
		perror(path);
		exit(1);
	}
	*len = 0;
	do {
		if (*len == cap)
			buf = xrealloc(buf, cap = cap ? 2 * cap : 1 << 16);
		n = fread(buf + *len, 1, cap - *len, f);
		*len += n;
	} while (n);
	if (ferror(f))
		die("read error", -1);
	if (path)
		fclose(f);
	return buf;
}

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int g = argc > 1 && !strcmp(argv[1], "-g");
	int nfiles = argc - 1 - g;
	size_t nevents = 0, nids = 0, nmeta = 0;
	uint64_t *ids = NULL;
	/* Kept to the end: the counters' sums read their args. */
	jv *roots = xrealloc(NULL, (size_t)(nfiles ? nfiles : 1) * sizeof *roots);
	char **texts = xrealloc(NULL, (size_t)(nfiles ? nfiles : 1) * sizeof *texts);

	for (int k = 0; k < (nfiles ? nfiles : 1); k++) {
		const char *path = nfiles ? argv[1 + g + k] : NULL;
		size_t len;
		char *text = texts[k] = slurp(path, &len);
		parser ps = { (unsigned char *)text, (unsigned char *)text, (unsigned char *)text + len, 0 };
		jv root = { 0 };
		const jv *events;

		value(&ps, &root);
		ws(&ps);
		if (ps.p != ps.end)
			die("trailing data after the JSON value", at(&ps));
		events = get(&root, "traceEvents");
		if (!events || events->type != J_ARR)
			die("no traceEvents array", -1);
		free(frames);
		frames = NULL;
		nframes = 0;
		load_frames(get(&root, "stackFrames"));
		if (g && k == 0)
			find_view(events);
		for (size_t i = 0; i < events->n; i++) {
			const jv *ph = get(&events->v[i], "ph");

			event(&events->v[i]);
			nevents += !(ph && ph->type == J_STR && !strcmp(ph->s, "M"));
		}
		/* A flow's or a region's two events are in one file. */
		check_pairs();
		npairs = 0;
		ids = xrealloc(ids, (nids + nframes + 1) * sizeof *ids);
		for (size_t i = 0; i < nframes; i++)
			ids[nids++] = frames[i].id;
		roots[k] = root;
	}
	group_lines();
	/* Parts of one timeline name the same lanes: each name counts once. */
	sort(lines, nlines, sizeof *lines, by_str);
	for (size_t i = 0, j = 0; i < nlines || (nlines = j, 0); i++) {
		if (j && !strncmp(lines[i], "M ", 2) && !strcmp(lines[i], lines[j - 1])) {
			free(lines[i]);
			continue;
		}
		nmeta += !strncmp(lines[i], "M ", 2);
		lines[j++] = lines[i];
	}
	sort(ids, nids, sizeof *ids, by_u64);
	for (size_t i = 0, j = 0; i < nids || (nids = j, 0); i++)
		if (!j || ids[i] != ids[j - 1])
			ids[j++] = ids[i];
	if (gmode) {
		run_lines();
	} else {
		add_line(printed("events %zu", nevents + nmeta));
		add_line(printed("frames %zu", nids));
		add_line(printed("misnested %" PRIu64, misnested()));
	}
	free(ids);
	sort(lines, nlines, sizeof *lines, by_str);
	for (size_t i = 0; i < nlines; i++) {
		puts(lines[i]);
		free(lines[i]);
	}
	for (size_t i = 0; i < nrecs; i++)
		free(recs[i].key);
	free(lines);
	free(recs);
	free(spans);
	free(pairs);
	free(frames);
	for (int k = 0; k < (nfiles ? nfiles : 1); k++) {
		jv_free(&roots[k]);
		free(texts[k]);
	}
	free(roots);
	free(texts);
	return fflush(stdout) ? 1 : 0;
}
