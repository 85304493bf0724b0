/*
 * pprofcmp - compare two gzipped pprof profiles by their samples.
 *
 *     pprofcmp [-v] [-f] [-l] WANT.pb.gz GOT.pb.gz
 *     pprofcmp -s PROFILE.pb.gz...
 *     pprofcmp -d [-f] [-l] PROFILE.pb.gz
 *
 * Each sample is keyed by its stack as function/file/line/PC frames, leaf
 * first; values of equal keys are summed (cmd/trace's sample order and ids
 * are random, so only this is comparable).  Exit 0 if both profiles have the
 * same samples and sample types, 1 if not (differences printed), 2 on
 * unreadable input.  -v prints the samples.  -f keys stacks by function
 * names alone (a CPU profile from runtime/pprof has the PCs of the binary,
 * a trace those of its own records, and inlined frames in its own order);
 * -l adds the samples' labels to the key.  Also checks that each profile's
 * ids resolve, so it doubles as a validator of our own output.  -s prints
 * the samples of the profiles, summed, in that comparable form: equal
 * output, equal profiles.  -d prints a profile's samples a line each: their
 * values, a tab, then the key's lines joined by ";".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "profile.pb-c.h"

typedef Perftools__Profiles__Profile Profile;

typedef struct sample {
	char *key;
	int64_t count, delay;
} sample;

typedef struct profile_set {
	sample *v;
	size_t n;
	char *types;
} profile_set;

static unsigned char *read_gz(const char *path, size_t *len)
{
	gzFile f = gzopen(path, "rb");
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = malloc(cap);
	int got;

	if (!f || !buf) {
		fprintf(stderr, "pprofcmp: %s: cannot open\n", path);
		exit(2);
	}
	while ((got = gzread(f, buf + n, (unsigned)(cap - n))) > 0) {
		n += (size_t)got;
		if (n == cap && !(buf = realloc(buf, cap *= 2)))
			exit(2);
	}
	if (got < 0) {
		fprintf(stderr, "pprofcmp: %s: not gzip data\n", path);
		exit(2);
	}
	/* What a failed go tool trace leaves; it would unpack as a profile
	 * with no sample types and no samples. */
	if (n == 0) {
		fprintf(stderr, "pprofcmp: %s: empty\n", path);
		exit(2);
	}
	gzclose(f);
	*len = n;
	return buf;
}

static const char *str(const Profile *p, int64_t i, const char *path)
{
	if (i < 0 || (size_t)i >= p->n_string_table) {
		fprintf(stderr, "pprofcmp: %s: string index %lld out of range\n", path, (long long)i);
		exit(2);
	}
	return p->string_table[i];
}

static const Perftools__Profiles__Location *loc(const Profile *p, uint64_t id, const char *path)
{
	for (size_t i = 0; i < p->n_location; i++)
		if (p->location[i]->id == id)
			return p->location[i];
	fprintf(stderr, "pprofcmp: %s: no location %llu\n", path, (unsigned long long)id);
	exit(2);
}

static const Perftools__Profiles__Function *fn(const Profile *p, uint64_t id, const char *path)
{
	for (size_t i = 0; i < p->n_function; i++)
		if (p->function[i]->id == id)
			return p->function[i];
	fprintf(stderr, "pprofcmp: %s: no function %llu\n", path, (unsigned long long)id);
	exit(2);
}

static void append(char **s, size_t *len, size_t *cap, const char *add)
{
	size_t n = strlen(add);

	while (*len + n + 1 > *cap)
		*s = realloc(*s, *cap = *cap ? *cap * 2 : 256);
	memcpy(*s + *len, add, n + 1);
	*len += n;
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const sample *)a)->key, ((const sample *)b)->key);
}

static int names_only, with_labels;

/* Add path's samples to set (the first profile's sample types count). */
static void load_into(profile_set *set, const char *path)
{
	size_t len, cap = 0, tlen = 0;
	unsigned char *buf = read_gz(path, &len);
	Profile *p = perftools__profiles__profile__unpack(NULL, len, buf);
	int first = !set->types;

	if (first)
		append(&set->types, &tlen, &cap, ""); /* a profile may declare none */
	if (!p) {
		fprintf(stderr, "pprofcmp: %s: not a profile.proto message\n", path);
		exit(2);
	}
	for (size_t i = 0; first && i < p->n_sample_type; i++) {
		append(&set->types, &tlen, &cap, str(p, p->sample_type[i]->type, path));
		append(&set->types, &tlen, &cap, "/");
		append(&set->types, &tlen, &cap, str(p, p->sample_type[i]->unit, path));
		append(&set->types, &tlen, &cap, " ");
	}
	set->v = realloc(set->v, (set->n + p->n_sample + 1) * sizeof *set->v);
	if (!set->v)
		exit(2);
	for (size_t i = 0; i < p->n_sample; i++) {
		const Perftools__Profiles__Sample *s = p->sample[i];
		char *key = NULL, frame[64];
		size_t klen = 0, kcap = 0;

		append(&key, &klen, &kcap, "");
		for (size_t k = 0; k < s->n_location_id; k++) {
			const Perftools__Profiles__Location *l = loc(p, s->location_id[k], path);

			for (size_t j = 0; j < l->n_line; j++) {
				const Perftools__Profiles__Function *f = fn(p, l->line[j]->function_id, path);

				append(&key, &klen, &kcap, "\t");
				append(&key, &klen, &kcap, str(p, f->name, path));
				if (names_only) {
					append(&key, &klen, &kcap, "\n");
					continue;
				}
				append(&key, &klen, &kcap, " ");
				append(&key, &klen, &kcap, str(p, f->filename, path));
				snprintf(frame, sizeof frame, ":%lld 0x%llx\n", (long long)l->line[j]->line,
					 (unsigned long long)l->address);
				append(&key, &klen, &kcap, frame);
			}
		}
		for (size_t k = 0; with_labels && k < s->n_label; k++) {
			append(&key, &klen, &kcap, "\t\t");
			append(&key, &klen, &kcap, str(p, s->label[k]->key, path));
			append(&key, &klen, &kcap, "=");
			append(&key, &klen, &kcap, str(p, s->label[k]->str, path));
			append(&key, &klen, &kcap, "\n");
		}
		if (s->n_value != p->n_sample_type || s->n_value < 1 || s->n_value > 2) {
			fprintf(stderr, "pprofcmp: %s: sample with %zu values\n", path, s->n_value);
			exit(2);
		}
		set->v[set->n++] = (sample){ key, s->n_value == 2 ? s->value[0] : 0,
					     s->value[s->n_value - 1] };
	}
	qsort(set->v, set->n, sizeof *set->v, by_key);
	/* Sum samples with equal stacks. */
	{
		size_t k = 0;

		for (size_t i = 0; i < set->n; i++) {
			if (k && strcmp(set->v[k - 1].key, set->v[i].key) == 0) {
				set->v[k - 1].count += set->v[i].count;
				set->v[k - 1].delay += set->v[i].delay;
				free(set->v[i].key);
				continue;
			}
			set->v[k++] = set->v[i];
		}
		set->n = k;
	}
	perftools__profiles__profile__free_unpacked(p, NULL);
	free(buf);
}

static profile_set load(const char *path)
{
	profile_set set = { 0 };

	load_into(&set, path);
	return set;
}

static void free_set(profile_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->v[i].key);
	free(set->v);
	free(set->types);
}

/* -d: values, then the key on one line. */
static void dump(const profile_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		const char *k = set->v[i].key;

		printf("%lld %lld\t", (long long)set->v[i].count, (long long)set->v[i].delay);
		for (int first = 1; *k; first = 0) {
			size_t n = strcspn(k, "\n");

			while (*k == '\t') {
				k++;
				n--;
			}
			printf("%s%.*s", first ? "" : ";", (int)n, k);
			k += n + (k[n] == '\n');
		}
		putchar('\n');
	}
}

static void print_sample(const char *tag, const sample *s)
{
	printf("%s count=%lld delay=%lld\n%s", tag, (long long)s->count, (long long)s->delay, s->key);
}

int main(int argc, char **argv)
{
	int verbose = 0, sum = 0, dumping = 0, diff = 0, a = 1;
	profile_set want, got;
	size_t i = 0, j = 0;

	for (; a < argc && argv[a][0] == '-'; a++) {
		if (!strcmp(argv[a], "-v"))
			verbose = 1;
		else if (!strcmp(argv[a], "-s"))
			sum = 1;
		else if (!strcmp(argv[a], "-d"))
			dumping = 1;
		else if (!strcmp(argv[a], "-f"))
			names_only = 1;
		else if (!strcmp(argv[a], "-l"))
			with_labels = 1;
		else
			break;
	}
	if (sum && a < argc) {
		profile_set all = { 0 };

		for (int k = a; k < argc; k++)
			load_into(&all, argv[k]);
		printf("types %s\n", all.types);
		for (size_t k = 0; k < all.n; k++)
			print_sample("sample", &all.v[k]);
		free_set(&all);
		return 0;
	}
	if (dumping && argc - a == 1) {
		want = load(argv[a]);
		dump(&want);
		free_set(&want);
		return 0;
	}
	if (sum || dumping || argc - a != 2) {
		fprintf(stderr, "usage: pprofcmp [-v] [-f] [-l] WANT.pb.gz GOT.pb.gz\n"
				"       pprofcmp -s PROFILE.pb.gz...\n"
				"       pprofcmp -d [-f] [-l] PROFILE.pb.gz\n");
		return 2;
	}
	want = load(argv[a]);
	got = load(argv[a + 1]);
	if (strcmp(want.types, got.types) != 0) {
		printf("sample types differ: want %s, got %s\n", want.types, got.types);
		diff = 1;
	}
	while (i < want.n || j < got.n) {
		int c = i == want.n ? 1 : j == got.n ? -1 : strcmp(want.v[i].key, got.v[j].key);

		if (c < 0) {
			print_sample("missing", &want.v[i++]);
			diff = 1;
		} else if (c > 0) {
			print_sample("extra", &got.v[j++]);
			diff = 1;
		} else {
			if (want.v[i].count != got.v[j].count || want.v[i].delay != got.v[j].delay) {
				printf("want count=%lld delay=%lld, ", (long long)want.v[i].count,
				       (long long)want.v[i].delay);
				print_sample("got", &got.v[j]);
				diff = 1;
			} else if (verbose) {
				print_sample("same", &got.v[j]);
			}
			i++;
			j++;
		}
	}
	if (!diff) {
		long long count = 0, value = 0;

		for (i = 0; i < want.n; i++) {
			count += want.v[i].count;
			value += want.v[i].delay;
		}
		printf("%zu samples match (values %lld and %lld in all)\n", want.n, count, value);
	}
	free_set(&want);
	free_set(&got);
	return diff;
}
