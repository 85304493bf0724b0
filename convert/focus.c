/*
 * focus.c - see focus.h.
 *
 * Stacks are kept as the first reading's symbol table ids: the reader
 * numbers a trace's stacks in the order it meets them, so the second
 * reading of the same file gives them the same ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "focus.h"
#include "internal.h"
#include "output.h"
#include "summary.h"
#include "u64map.h"

/* A goroutine made runnable from waiting (RelatedGoroutinesV2's edge). */
typedef struct unblock_edge {
	int64_t by, g;
} unblock_edge;

/* A task's summary, its goroutines copied. */
typedef struct f_task {
	gsum_task t;
	int64_t *goroutines;
} f_task;

/* A task given its parent: the order of the parent's Children. */
typedef struct f_child {
	uint64_t parent, child;
	size_t seq;
} f_child;

/* The first log of a task: the goroutine to orient by if it has no begin. */
typedef struct f_log {
	int64_t time, g;
} f_log;

struct focus {
	focus_want want;
	gsum *sum;
	int64_t first, last;       /* the trace's first and last events */
	int oom;
	/* A goroutine. */
	int found;
	int64_t g_start, g_end;
	unblock_edge *edges;
	size_t nedges, capedges;
	/* A task. */
	f_task *tasks;
	size_t ntasks, captasks;
	f_child *children;
	size_t nchildren, capchildren;
	u64map parented;           /* task id -> nothing: its parent is known */
	u64map logs;               /* task id -> f_log */
	tv_focus_region *regions;  /* their names at the end (the */
	gsum_str *region_types;    /* summary's strings move till then) */
	size_t nregions, capregions, captypes;
	/* The answer. */
	tv_focus out;
	int64_t *shown;
	tv_focus_task *shown_tasks;
};

static void on_goroutine(void *ctx, const gsum_goroutine *g)
{
	focus *f = ctx;

	/* A goroutine id used again: Go's map keeps the last. */
	if ((uint64_t)g->id == f->want.id) {
		f->found = 1;
		f->g_start = g->start;
		f->g_end = g->end;
	}
}

/* gen.go's emitRegion: the region is drawn on the lane of its end's
 * goroutine, or its begin's; unnamed ones (inherited) are not drawn. */
static void on_region(void *ctx, const gsum_goroutine *g, const gsum_region *r)
{
	focus *f = ctx;
	tv_focus_region *out;

	(void)g;
	if (!r->type)
		return;
	if (GT_RESERVE(f->regions, f->capregions, f->nregions + 1) ||
	    GT_RESERVE(f->region_types, f->captypes, f->nregions + 1)) {
		f->oom = 1;
		return;
	}
	f->region_types[f->nregions] = r->type;
	out = &f->regions[f->nregions++];
	*out = (tv_focus_region){ .task = r->task,
				  .has_start = r->has_start, .has_end = r->has_end,
				  .start = r->start, .end = r->end,
				  .g = r->has_end ? r->end_g : r->has_start ? r->g : GT_NO_GOROUTINE,
				  .start_stack = r->start_stack, .end_stack = r->end_stack };
}

static void on_task(void *ctx, const gsum_task *t)
{
	focus *f = ctx;
	f_task *out;

	if (GT_RESERVE(f->tasks, f->captasks, f->ntasks + 1)) {
		f->oom = 1;
		return;
	}
	out = &f->tasks[f->ntasks];
	out->t = *t;
	out->goroutines = NULL;
	if (t->ngoroutines) {
		if (!(out->goroutines = malloc(t->ngoroutines * sizeof *out->goroutines))) {
			f->oom = 1;
			return;
		}
		memcpy(out->goroutines, t->goroutines, t->ngoroutines * sizeof *out->goroutines);
	}
	out->t.goroutines = out->goroutines;
	f->ntasks++;
}

focus *focus_new(const focus_want *want, const gt_symtab *sym)
{
	focus *f = calloc(1, sizeof *f);
	gsum_hooks hooks;

	if (!f)
		return NULL;
	f->want = *want;
	hooks = (gsum_hooks){ .ctx = f, .goroutine = on_goroutine };
	if (want->kind == FOCUS_TASK) {
		hooks.region = on_region;
		hooks.task = on_task;
	}
	u64map_init(&f->parented, 1);
	u64map_init(&f->logs, sizeof(f_log));
	if (!(f->sum = gsum_new(&hooks, sym))) {
		focus_free(f);
		return NULL;
	}
	return f;
}

void focus_free(focus *f)
{
	if (!f)
		return;
	gsum_free(f->sum);
	free(f->edges);
	for (size_t i = 0; i < f->ntasks; i++)
		free(f->tasks[i].goroutines);
	free(f->tasks);
	free(f->children);
	u64map_free(&f->parented);
	u64map_free(&f->logs);
	free(f->regions);
	free(f->region_types);
	free(f->shown);
	free(f->shown_tasks);
	free(f);
}

static void note_unblock(focus *f, const gt_event *ev)
{
	unblock_edge e = { ev->g, ev->transition.id };

	if (ev->g == GT_NO_GOROUTINE || ev->transition.from != GT_GO_WAITING ||
	    ev->transition.to == GT_GO_WAITING)
		return;
	/* The same pair comes back often (a producer and its consumer). */
	if (f->nedges && f->edges[f->nedges - 1].by == e.by && f->edges[f->nedges - 1].g == e.g)
		return;
	if (GT_RESERVE(f->edges, f->capedges, f->nedges + 1)) {
		f->oom = 1;
		return;
	}
	f->edges[f->nedges++] = e;
}

static void note_task(focus *f, const gt_event *ev)
{
	int added;

	if (ev->task.parent == GT_NO_TASK)
		return;
	if (!u64map_put(&f->parented, ev->task.id, &added)) {
		f->oom = 1;
		return;
	}
	if (!added)
		return;
	if (GT_RESERVE(f->children, f->capchildren, f->nchildren + 1)) {
		f->oom = 1;
		return;
	}
	f->children[f->nchildren] = (f_child){ ev->task.parent, ev->task.id, f->nchildren };
	f->nchildren++;
}

static void note_log(focus *f, const gt_event *ev)
{
	int added;
	f_log *l = u64map_put(&f->logs, ev->log.task, &added);

	if (!l) {
		f->oom = 1;
		return;
	}
	if (added || ev->time < l->time)
		*l = (f_log){ ev->time, ev->g };
}

int focus_event(focus *f, const gt_event *ev)
{
	if (gsum_event(f->sum, ev))
		return -1;
	if (f->want.kind == FOCUS_GOROUTINE) {
		if (ev->kind == GT_EV_STATE_TRANSITION && ev->transition.resource == GT_RES_GOROUTINE)
			note_unblock(f, ev);
	} else if (ev->kind == GT_EV_TASK_BEGIN || ev->kind == GT_EV_TASK_END) {
		note_task(f, ev);
	} else if (ev->kind == GT_EV_LOG) {
		note_log(f, ev);
	}
	return f->oom ? -1 : 0;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int has_id(const int64_t *v, size_t n, int64_t id)
{
	return n && bsearch(&id, v, n, sizeof id, cmp_i64);
}

/* Sort and drop duplicates; returns the new count. */
static size_t sort_unique(int64_t *v, size_t n)
{
	size_t k = 0;

	if (!n)
		return 0;
	qsort(v, n, sizeof *v, cmp_i64);
	for (size_t i = 0; i < n; i++)
		if (!k || v[k - 1] != v[i])
			v[k++] = v[i];
	return k;
}

/* RelatedGoroutinesV2: the goroutine, and twice over, every goroutine that
 * unblocked one already in (each step looks at the set before it). */
static int related(focus *f)
{
	size_t n = 1, cap = 16;
	int64_t *set = malloc(cap * sizeof *set);

	if (!set)
		return -1;
	set[0] = (int64_t)f->want.id;
	for (int step = 0; step < 2; step++) {
		size_t before = n;

		for (size_t i = 0; i < f->nedges; i++) {
			if (!has_id(set, before, f->edges[i].g))
				continue;
			if (GT_RESERVE(set, cap, n + 1)) {
				free(set);
				return -1;
			}
			set[n++] = f->edges[i].by;
		}
		/* Sorted for the lookups of the next step. */
		n = sort_unique(set, n);
	}
	f->shown = set;
	f->out.goroutines = set;
	f->out.ngoroutines = n;
	return 0;
}

static int finish_goroutine(focus *f)
{
	if (!f->found) {
		fprintf(stderr, "%s: -goid=%llu: the trace has no goroutine %llu\n", t2p_prog,
			(unsigned long long)f->want.id, (unsigned long long)f->want.id);
		return 2;
	}
	f->out.from = f->g_start ? f->g_start - f->first : 0;
	f->out.to = (f->g_end ? f->g_end : f->last) - f->first;
	f->out.goroutine = (int64_t)f->want.id;
	return related(f) ? -1 : 0;
}

static const f_task *find_task(const focus *f, uint64_t id)
{
	size_t lo = 0, hi = f->ntasks;

	/* The summarizer hands the tasks out in order of id. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (f->tasks[mid].t.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->ntasks && f->tasks[lo].t.id == id ? &f->tasks[lo] : NULL;
}

static int cmp_child(const void *a, const void *b)
{
	const f_child *x = a, *y = b;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* UserTaskSummary.Descendents: the task, then each child's descendants, in
 * the order the children were given their parent.  Children are sorted by
 * parent, so each task's are a run found by binary search. */
static int descendants(focus *f, const f_task *root, const f_task ***out, size_t *n)
{
	size_t cap = 16, top = 0, capstack = 16;
	const f_task **v = malloc(cap * sizeof *v);
	uint64_t *stack = malloc(capstack * sizeof *stack);

	*n = 0;
	if (!v || !stack)
		goto oom;
	stack[top++] = root->t.id;
	while (top) {
		uint64_t id = stack[--top];
		const f_task *t = find_task(f, id);
		size_t lo = 0, hi = f->nchildren, end;

		if (!t)
			continue;
		if (GT_RESERVE(v, cap, *n + 1))
			goto oom;
		v[(*n)++] = t;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;

			if (f->children[mid].parent < id)
				lo = mid + 1;
			else
				hi = mid;
		}
		for (end = lo; end < f->nchildren && f->children[end].parent == id; end++)
			;
		/* Pushed last child first, so the first comes out first. */
		if (GT_RESERVE(stack, capstack, top + (end - lo)))
			goto oom;
		for (size_t i = end; i > lo; i--)
			stack[top++] = f->children[i - 1].child;
	}
	free(stack);
	*out = v;
	return 0;
oom:
	free(v);
	free(stack);
	return -1;
}

/* setTask's stable sort of the tasks: by begin (the trace's start if
 * none), and two tasks without a begin by end (the trace's end if none). */
typedef struct f_order {
	const f_task *t;
	size_t seq;
	int64_t start, end;
} f_order;

static int cmp_order(const void *a, const void *b)
{
	const f_order *x = a, *y = b;
	int c;

	if (x->t->t.has_start || y->t->t.has_start)
		c = (x->start > y->start) - (x->start < y->start);
	else
		c = (x->end > y->end) - (x->end < y->end);
	return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* The goroutine to orient by: the begin's, or the first log's, or the
 * end's if earlier; GT_NO_GOROUTINE if none. */
static int64_t task_goroutine(const focus *f, const gsum_task *t)
{
	const f_log *l;
	int64_t g = GT_NO_GOROUTINE, time = 0;
	int have = 0;

	if (t->has_start)
		return t->start_g;
	if ((l = u64map_get(&f->logs, t->id))) {
		g = l->g;
		time = l->time;
		have = 1;
	}
	if (t->has_end && (!have || t->end < time))
		g = t->end_g;
	return g;
}

static int finish_task(focus *f)
{
	const f_task *root = find_task(f, f->want.id), **tasks = NULL;
	const gsum_task *t = root ? &root->t : NULL;
	f_order *order = NULL;
	size_t n, ng = 0, nr = 0;
	int64_t g, *ids;

	if (!t || (g = task_goroutine(f, t)) == GT_NO_GOROUTINE) {
		fprintf(stderr, "%s: -taskid=%llu: the trace has no task %llu%s\n", t2p_prog,
			(unsigned long long)f->want.id, (unsigned long long)f->want.id,
			t ? " with a goroutine to show it on" : "");
		return 2;
	}
	f->out.from = t->has_start ? t->start - f->first : 0;
	f->out.to = (t->has_end ? t->end : f->last) - f->first;
	f->out.goroutine = g;
	if (f->nchildren)  /* (qsort of a NULL array is undefined, even empty) */
		qsort(f->children, f->nchildren, sizeof *f->children, cmp_child);
	if (descendants(f, root, &tasks, &n) || !(order = malloc(n * sizeof *order)) ||
	    !(f->shown_tasks = malloc(n * sizeof *f->shown_tasks)))
		goto oom;
	for (size_t i = 0; i < n; i++) {
		const gsum_task *d = &tasks[i]->t;

		order[i] = (f_order){ tasks[i], i, d->has_start ? d->start : f->first,
				      d->has_end ? d->end : f->last };
		ng += d->ngoroutines;
	}
	qsort(order, n, sizeof *order, cmp_order);
	if (!(f->shown = malloc((ng + 1) * sizeof *f->shown)))
		goto oom;
	ng = 0;
	for (size_t i = 0; i < n; i++) {
		const gsum_task *d = &order[i].t->t;

		f->shown_tasks[i] = (tv_focus_task){
			.id = d->id, .parent = d->parent, .has_parent = d->parent != GT_NO_TASK,
			.has_start = d->has_start, .has_end = d->has_end,
			.name = gsum_string(f->sum, d->type), .start = d->start, .end = d->end,
			.start_g = d->start_g, .end_g = d->end_g, .start_stack = d->start_stack,
			.end_stack = d->end_stack };
		if (d->ngoroutines)
			memcpy(f->shown + ng, d->goroutines, d->ngoroutines * sizeof *f->shown);
		ng += d->ngoroutines;
	}
	f->out.goroutines = f->shown;
	f->out.ngoroutines = sort_unique(f->shown, ng);
	f->out.tasks = f->shown_tasks;
	f->out.ntasks = n;
	/* The regions of those tasks. */
	if (!(ids = malloc((n + 1) * sizeof *ids)))
		goto oom;
	for (size_t i = 0; i < n; i++)
		ids[i] = (int64_t)order[i].t->t.id;
	n = sort_unique(ids, n);
	for (size_t i = 0; i < f->nregions; i++)
		if (has_id(ids, n, (int64_t)f->regions[i].task)) {
			f->regions[nr] = f->regions[i];
			f->regions[nr++].name = gsum_string(f->sum, f->region_types[i]);
		}
	free(ids);
	f->out.regions = f->regions;
	f->out.nregions = nr;
	free(order);
	free(tasks);
	return 0;
oom:
	free(order);
	free(tasks);
	return -1;
}

int focus_finish(focus *f)
{
	int rc;

	if (gsum_finish(f->sum) || f->oom) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return -1;
	}
	f->first = gsum_start_time(f->sum);
	f->last = gsum_end_time(f->sum);
	rc = f->want.kind == FOCUS_GOROUTINE ? finish_goroutine(f) : finish_task(f);
	if (rc < 0)
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
	return rc;
}

const tv_focus *focus_get(const focus *f)
{
	return &f->out;
}
