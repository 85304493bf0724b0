/*
 * profile.c - see profile.h.  The message is built with protobuf-c's
 * generated structs and packed through gzbuf, so the serialized profile is
 * never held in memory.
 */
#include <stdlib.h>
#include <string.h>

#include "gzbuf.h"
#include "profile.h"
#include "profile.pb-c.h"
#include "u64map.h"

typedef Perftools__Profiles__Profile Profile;
typedef Perftools__Profiles__Sample Sample;
typedef Perftools__Profiles__Location Location;
typedef Perftools__Profiles__Line Line;
typedef Perftools__Profiles__Function Function;
typedef Perftools__Profiles__Mapping Mapping;
typedef Perftools__Profiles__ValueType ValueType;
typedef Perftools__Profiles__Label Label;

/* The string table: protobuf-c wants NUL-terminated strings, so symbol
 * table strings are copied once each. */
typedef struct stringtab {
	char **v;
	unsigned char *owned;  /* 1 if v[i] was copied */
	size_t n;
	u64map by_sym;         /* symbol string id -> index */
	u64map by_label;       /* label string id (pplabels.h) -> index */
} stringtab;

typedef struct builder {
	const gt_symtab *sym;
	const pp_kind *kind;
	stringtab st;
	u64map loc_by_pc;      /* pc (or frame id, by_frame) -> location index */
	int by_frame;
	u64map fn_by_key;      /* file << 32 | func (symbol ids) -> function index */
	Location *locs;  Location **loc_ptrs;  Line *lines;  Line **line_ptrs;  size_t nlocs;
	Function *fns;   Function **fn_ptrs;   size_t nfns;
	Sample *samples; Sample **sample_ptrs; size_t nsamples;
	uint64_t *loc_ids;     /* every sample's location ids, back to back */
	const pp_labels *labels;
	Label *lbls;  Label **lbl_ptrs;  size_t nlbls; /* every sample's labels */
	int64_t *values;       /* kind->nvalues per sample */
	uint64_t max_pc;       /* of the mapped locations */
	int oom;
} builder;

static int64_t str_add(builder *b, char *s, int owned)
{
	stringtab *t = &b->st;

	if (!s) {
		b->oom = 1;
		return 0;
	}
	t->v[t->n] = s;
	t->owned[t->n] = (unsigned char)owned;
	return (int64_t)t->n++;
}

static int64_t str_literal(builder *b, const char *s)
{
	for (size_t i = 0; i < b->st.n; i++)
		if (strcmp(b->st.v[i], s) == 0)
			return (int64_t)i;
	return str_add(b, (char *)s, 0);
}

/* A copy of s added to the table, its index kept in the map's slot. */
static int64_t str_store(builder *b, uint64_t *slot, gt_str s)
{
	char *copy;

	if ((copy = malloc(s.len + 1))) {
		memcpy(copy, s.ptr, s.len);
		copy[s.len] = '\0';
	}
	*slot = (uint64_t)str_add(b, copy, 1);
	return (int64_t)*slot;
}

static int64_t str_sym(builder *b, uint32_t id)
{
	int added;
	uint64_t *slot = u64map_put(&b->st.by_sym, id, &added);

	if (!slot) {
		b->oom = 1;
		return 0;
	}
	return added ? str_store(b, slot, gt_symtab_string(b->sym, id)) : (int64_t)*slot;
}

static int64_t str_label(builder *b, uint32_t id)
{
	int added;
	uint64_t *slot = u64map_put(&b->st.by_label, id, &added);

	if (!slot) {
		b->oom = 1;
		return 0;
	}
	return added ? str_store(b, slot, pp_labels_str(b->labels, id)) : (int64_t)*slot;
}

/* The labels of a record's sample. */
static void add_labels(builder *b, Sample *s, uint32_t set)
{
	uint32_t kv[2 * PP_LABELS_MAX];
	size_t n;

	if (!set || !b->labels)
		return;
	n = pp_labels_get(b->labels, set, kv);
	s->label = &b->lbl_ptrs[b->nlbls];
	s->n_label = n;
	for (size_t i = 0; i < n; i++) {
		Label *l = &b->lbls[b->nlbls];

		perftools__profiles__label__init(l);
		l->key = str_label(b, kv[2 * i]);
		l->str = str_label(b, kv[2 * i + 1]);
		b->lbl_ptrs[b->nlbls++] = l;
	}
}

/* The function of a frame: one per (file, name), as BuildProfile keys them. */
static uint64_t function_id(builder *b, uint32_t func, uint32_t file)
{
	int added;
	uint64_t *slot = u64map_put(&b->fn_by_key, (uint64_t)file << 32 | func, &added);
	Function *fn;

	if (!slot) {
		b->oom = 1;
		return 0;
	}
	if (!added)
		return *slot + 1;
	fn = &b->fns[b->nfns];
	perftools__profiles__function__init(fn);
	fn->id = b->nfns + 1;
	fn->name = fn->system_name = str_sym(b, func);
	fn->filename = str_sym(b, file);
	b->fn_ptrs[b->nfns] = fn;
	*slot = b->nfns++;
	return fn->id;
}

/* The location of a PC: the first frame seen for a PC defines it (with
 * by_frame, of a frame). */
static uint64_t location_id(builder *b, uint32_t frame_id)
{
	gt_frame f;
	int added;
	uint64_t *slot;
	Location *loc;
	Line *line;

	gt_symtab_frame(b->sym, frame_id, &f);
	if (!(slot = u64map_put(&b->loc_by_pc, b->by_frame ? frame_id : f.pc, &added))) {
		b->oom = 1;
		return 0;
	}
	if (!added)
		return *slot + 1;
	loc = &b->locs[b->nlocs];
	line = &b->lines[b->nlocs];
	perftools__profiles__location__init(loc);
	perftools__profiles__line__init(line);
	line->function_id = function_id(b, f.func_id, f.file_id);
	line->line = (int64_t)f.line;
	loc->id = b->nlocs + 1;
	/* A frame the trace could not symbolize stays outside the mapping, so
	 * pprof names it <unknown> as for go tool trace's profile (rather than
	 * after the mapping). */
	loc->mapping_id = f.func.len ? 1 : 0;
	loc->address = f.pc;
	loc->n_line = 1;
	b->line_ptrs[b->nlocs] = line;
	loc->line = &b->line_ptrs[b->nlocs];
	b->loc_ptrs[b->nlocs] = loc;
	if (loc->mapping_id && f.pc > b->max_pc)
		b->max_pc = f.pc;
	*slot = b->nlocs++;
	return loc->id;
}

const uint32_t *pp_sample_frames(const gt_symtab *sym, const pp_kind *kind, uint32_t stack,
				 size_t *n)
{
	const uint32_t *frames = gt_symtab_stack(sym, stack, n);

	if (kind->max_frames && *n > (size_t)kind->max_frames)
		*n = (size_t)kind->max_frames;
	if (kind->drop_goexit && *n) {
		gt_frame f;

		gt_symtab_frame(sym, frames[*n - 1], &f);
		if (f.func.len == 14 && memcmp(f.func.ptr, "runtime.goexit", 14) == 0)
			(*n)--;
	}
	return frames;
}

/* Add a record's sample; returns the number of location ids it used. */
static size_t add_sample(builder *b, const pp_rec *r, uint64_t *ids)
{
	size_t n;
	const uint32_t *frames = pp_sample_frames(b->sym, b->kind, r->stack, &n);
	Sample *s = &b->samples[b->nsamples];
	int nv = b->kind->nvalues;
	int64_t *values = &b->values[(size_t)nv * b->nsamples];

	perftools__profiles__sample__init(s);
	for (size_t i = 0; i < n; i++)
		ids[i] = location_id(b, frames[i]);
	if (nv == 2)
		values[0] = (int64_t)r->count;
	values[nv - 1] = r->time;
	s->n_location_id = n;
	s->location_id = ids;
	s->n_value = (size_t)nv;
	s->value = values;
	add_labels(b, s, r->labels);
	b->sample_ptrs[b->nsamples++] = s;
	return n;
}

static int builder_alloc(builder *b, const pp_rec *recs, size_t n)
{
	size_t frames = 0, strings, labels = 0;

	for (size_t i = 0; i < n; i++) {
		size_t k;
		uint32_t kv[2 * PP_LABELS_MAX];

		gt_symtab_stack(b->sym, recs[i].stack, &k);
		frames += k;
		if (b->labels && recs[i].labels)
			labels += pp_labels_get(b->labels, recs[i].labels, kv);
	}
	strings = 16 + 2 * frames + 2 * labels;
	b->lbls = calloc(labels + 1, sizeof *b->lbls);
	b->lbl_ptrs = calloc(labels + 1, sizeof *b->lbl_ptrs);
	b->st.v = calloc(strings, sizeof *b->st.v);
	b->st.owned = calloc(strings, 1);
	b->locs = calloc(frames + 1, sizeof *b->locs);
	b->loc_ptrs = calloc(frames + 1, sizeof *b->loc_ptrs);
	b->lines = calloc(frames + 1, sizeof *b->lines);
	b->line_ptrs = calloc(frames + 1, sizeof *b->line_ptrs);
	b->fns = calloc(frames + 1, sizeof *b->fns);
	b->fn_ptrs = calloc(frames + 1, sizeof *b->fn_ptrs);
	b->samples = calloc(n + 1, sizeof *b->samples);
	b->sample_ptrs = calloc(n + 1, sizeof *b->sample_ptrs);
	b->loc_ids = calloc(frames + 1, sizeof *b->loc_ids);
	b->values = calloc(2 * n + 1, sizeof *b->values);
	return b->st.v && b->st.owned && b->locs && b->loc_ptrs && b->lines && b->line_ptrs &&
			       b->fns && b->fn_ptrs && b->samples && b->sample_ptrs && b->loc_ids &&
			       b->values && b->lbls && b->lbl_ptrs
		       ? 0
		       : -1;
}

static void builder_free(builder *b)
{
	for (size_t i = 0; i < b->st.n; i++)
		if (b->st.owned[i])
			free(b->st.v[i]);
	free(b->st.v);
	free(b->st.owned);
	u64map_free(&b->st.by_sym);
	u64map_free(&b->st.by_label);
	free(b->lbls);
	free(b->lbl_ptrs);
	u64map_free(&b->loc_by_pc);
	u64map_free(&b->fn_by_key);
	free(b->locs);
	free(b->loc_ptrs);
	free(b->lines);
	free(b->line_ptrs);
	free(b->fns);
	free(b->fn_ptrs);
	free(b->samples);
	free(b->sample_ptrs);
	free(b->loc_ids);
	free(b->values);
}

int pp_write_profile(FILE *f, const gt_symtab *sym, const pp_kind *kind, const pp_rec *recs,
		     size_t n, const pp_meta *meta)
{
	builder b;
	Profile p;
	ValueType types[2], period_type;
	Mapping mapping, *mapping_ptr = &mapping;
	ValueType *type_ptrs[2] = { &types[0], &types[1] };
	int64_t comment;
	gzbuf gz;
	size_t used = 0;
	int rc = -1;

	memset(&b, 0, sizeof b);
	b.sym = sym;
	b.kind = kind;
	b.by_frame = meta->by_frame;
	b.labels = meta->labels;
	u64map_init(&b.st.by_sym, sizeof(uint64_t));
	u64map_init(&b.st.by_label, sizeof(uint64_t));
	u64map_init(&b.loc_by_pc, sizeof(uint64_t));
	u64map_init(&b.fn_by_key, sizeof(uint64_t));
	if (builder_alloc(&b, recs, n))
		goto out;

	/* String table order as cmd/trace's: the sample types, the
	 * functions' strings as met, then the period type. */
	perftools__profiles__profile__init(&p);
	str_literal(&b, "");
	for (int i = 0; i < kind->nvalues; i++) {
		perftools__profiles__value_type__init(&types[i]);
		types[i].type = str_literal(&b, kind->value_type[i]);
		types[i].unit = str_literal(&b, kind->value_unit[i]);
	}
	for (size_t i = 0; i < n; i++)
		if (recs[i].count)
			used += add_sample(&b, &recs[i], b.loc_ids + used);
	perftools__profiles__value_type__init(&period_type);
	period_type.type = str_literal(&b, kind->period_type);
	period_type.unit = str_literal(&b, kind->period_unit);

	/* With a symbolized mapping, pprof neither looks for the binary nor
	 * says "Main binary filename not available". */
	perftools__profiles__mapping__init(&mapping);
	mapping.id = 1;
	/* From 0: pprof's merge takes mappings of one size (in pages) and file
	 * for one program loaded elsewhere, and moves the addresses of one
	 * by the difference of their starts; profiles of one program, whose
	 * PCs span different ranges, would have their addresses moved. */
	mapping.memory_start = 0;
	mapping.memory_limit = b.max_pc + 1;
	mapping.filename = str_literal(&b, meta->mapping_file);
	mapping.has_functions = mapping.has_filenames = mapping.has_line_numbers = 1;
	comment = str_literal(&b, meta->comment);

	p.n_sample_type = (size_t)kind->nvalues;
	p.sample_type = type_ptrs;
	p.n_sample = b.nsamples;
	p.sample = b.sample_ptrs;
	p.n_mapping = 1;
	p.mapping = &mapping_ptr;
	p.n_location = b.nlocs;
	p.location = b.loc_ptrs;
	p.n_function = b.nfns;
	p.function = b.fn_ptrs;
	p.n_string_table = b.st.n;
	p.string_table = b.st.v;
	p.time_nanos = meta->time_nanos;
	p.duration_nanos = meta->duration_nanos;
	p.period_type = &period_type;
	p.period = kind->period;
	p.n_comment = 1;
	p.comment = &comment;
	p.default_sample_type = types[kind->nvalues - 1].type;
	if (b.oom || gzbuf_init(&gz, f))
		goto out;
	protobuf_c_message_pack_to_buffer(&p.base, &gz.base);
	rc = gzbuf_finish(&gz);
out:
	builder_free(&b);
	return rc;
}
