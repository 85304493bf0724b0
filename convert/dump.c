/*
 * dump.c - the event stream as text, byte for byte what
 * `go tool trace -d=parsed` (Go 1.27) prints: Event.String() of
 * internal/trace/event.go, one fmt.Println per event.
 */
#include <stdlib.h>

#include "goformat.h"
#include "outbuf.h"
#include "output.h"
#include "sink.h"

typedef struct dump_sink {
	t2p_sink base;
	const char *path;
	t2p_output out;
	const gt_symtab *sym;
	outbuf ob;
} dump_sink;

static void quoted(outbuf *o, gt_str s)
{
	go_quote(o, s.ptr, s.len);
}

static void stack(outbuf *o, const gt_symtab *sym, const char *title, uint32_t id)
{
	size_t n;
	const uint32_t *frames = gt_symtab_stack(sym, id, &n);

	ob_putc(o, '\n');
	ob_puts(o, title);
	ob_puts(o, "=\n");
	for (size_t i = 0; i < n; i++) {
		gt_frame f;

		gt_symtab_frame(sym, frames[i], &f);
		ob_putc(o, '\t');
		ob_write(o, f.func.ptr, f.func.len);
		ob_puts(o, " @ 0x");
		ob_x64(o, f.pc);
		ob_puts(o, "\n\t\t");
		ob_write(o, f.file.ptr, f.file.len);
		ob_putc(o, ':');
		ob_u64(o, f.line);
		ob_putc(o, '\n');
	}
}

static void value(outbuf *o, uint64_t v)
{
	ob_puts(o, "Value{Uint64(");
	ob_u64(o, v);
	ob_puts(o, ")}");
}

static void resource(outbuf *o, gt_resource r, int64_t id)
{
	ob_puts(o, gt_resource_name(r));
	if (r == GT_RES_NONE)
		return;
	ob_putc(o, '(');
	ob_i64(o, id);
	ob_putc(o, ')');
}

static void transition(outbuf *o, const gt_symtab *sym, const gt_event *ev)
{
	const char *(*name)(uint8_t) =
		ev->transition.resource == GT_RES_GOROUTINE ? gt_go_state_name : gt_proc_state_name;

	ob_puts(o, ev->transition.resource == GT_RES_GOROUTINE ? " GoID=" : " ProcID=");
	ob_i64(o, ev->transition.id);
	ob_putc(o, ' ');
	ob_puts(o, name(ev->transition.from));
	ob_puts(o, "->");
	ob_puts(o, name(ev->transition.to));
	ob_puts(o, " Reason=");
	quoted(o, ev->transition.reason);
	if (ev->transition.stack != GT_NO_STACK)
		stack(o, sym, "TransitionStack", ev->transition.stack);
}

static void details(outbuf *o, const gt_symtab *sym, const gt_event *ev)
{
	switch (ev->kind) {
	case GT_EV_METRIC:
		ob_printf(o, " Name=\"%s\" Value=", ev->metric.name);
		value(o, ev->metric.value);
		break;
	case GT_EV_LABEL:
		ob_puts(o, " Label=");
		quoted(o, ev->label.label);
		ob_puts(o, " Resource=");
		resource(o, GT_RES_GOROUTINE, ev->g);
		break;
	case GT_EV_RANGE_BEGIN:
	case GT_EV_RANGE_ACTIVE:
	case GT_EV_RANGE_END:
		ob_puts(o, " Name=");
		quoted(o, ev->range.name);
		ob_puts(o, " Scope=");
		resource(o, ev->range.scope, ev->range.scope_id);
		if (ev->kind == GT_EV_RANGE_END) {
			ob_puts(o, " Attributes=[");
			if (ev->range.has_attributes) {
				ob_puts(o, "\"bytes swept\"=");
				value(o, ev->range.bytes_swept);
				ob_puts(o, " \"bytes reclaimed\"=");
				value(o, ev->range.bytes_reclaimed);
			}
			ob_putc(o, ']');
		}
		break;
	case GT_EV_TASK_BEGIN:
	case GT_EV_TASK_END:
		ob_printf(o, " ID=%llu Parent=%llu Type=", (unsigned long long)ev->task.id,
			  (unsigned long long)ev->task.parent);
		quoted(o, ev->task.type);
		break;
	case GT_EV_REGION_BEGIN:
	case GT_EV_REGION_END:
		ob_printf(o, " Task=%llu Type=", (unsigned long long)ev->region.task);
		quoted(o, ev->region.type);
		break;
	case GT_EV_LOG:
		ob_printf(o, " Task=%llu Category=", (unsigned long long)ev->log.task);
		quoted(o, ev->log.category);
		ob_puts(o, " Message=");
		quoted(o, ev->log.message);
		break;
	case GT_EV_STATE_TRANSITION:
		transition(o, sym, ev);
		break;
	case GT_EV_EXPERIMENTAL:
		ob_printf(o, " Name=%s Args=[", ev->experimental.name);
		for (int i = 0; i < ev->experimental.nargs; i++) {
			ob_printf(o, "%s%s=", i ? ", " : "", ev->experimental.arg_names[i]);
			value(o, ev->experimental.args[i]);
		}
		ob_putc(o, ']');
		break;
	case GT_EV_SYNC:
		ob_printf(o, " N=%d", ev->sync.n);
		if (ev->sync.has_clock) {
			ob_printf(o, " Trace=%lld Mono=%llu Wall=", (long long)ev->sync.clock_trace,
				  (unsigned long long)ev->sync.clock_mono);
			go_rfc3339nano(o, ev->sync.wall_sec, ev->sync.wall_nsec);
		}
		break;
	default:
		break;
	}
}

static int dump_event(t2p_sink *s, const gt_event *ev)
{
	dump_sink *d = (dump_sink *)s;
	outbuf *o = &d->ob;

	ob_puts(o, "M=");
	ob_i64(o, ev->m);
	ob_puts(o, " P=");
	ob_i64(o, ev->p);
	ob_puts(o, " G=");
	ob_i64(o, ev->g);
	ob_putc(o, ' ');
	ob_puts(o, gt_kind_name(ev->kind));
	ob_puts(o, " Time=");
	ob_i64(o, ev->time);
	details(o, d->sym, ev);
	if (ev->stack != GT_NO_STACK)
		stack(o, d->sym, "Stack", ev->stack);
	ob_putc(o, '\n');
	return o->err ? t2p_output_write_error(&d->out) : 0;
}

static int dump_begin(t2p_sink *s, gt_reader *r)
{
	dump_sink *d = (dump_sink *)s;

	d->sym = gt_reader_symtab(r);
	if (t2p_output_open(&d->out, d->path))
		return -1;
	ob_init(&d->ob, d->out.f);
	return 0;
}

/* The text is written as it goes, like go tool trace's; a file output is
 * kept whole or, if the trace is damaged, with the events before the damage. */
static int dump_end(t2p_sink *s, gt_status status)
{
	dump_sink *d = (dump_sink *)s;

	(void)status;
	if (ob_flush(&d->ob)) {
		t2p_output_write_error(&d->out);
		t2p_output_abort(&d->out);
		return -1;
	}
	return t2p_output_commit(&d->out);
}

static void dump_free(t2p_sink *s)
{
	dump_sink *d = (dump_sink *)s;

	/* Not committed: a file is discarded, but what went to standard
	 * output before the trouble is printed, as go tool trace prints it. */
	if (d->out.f) {
		ob_flush(&d->ob);
		t2p_output_abort(&d->out);
	}
	free(s);
}

t2p_sink *t2p_dump_sink(const char *path)
{
	dump_sink *d = calloc(1, sizeof *d);

	if (!d)
		return NULL;
	d->base = (t2p_sink){ .name = "parsed", .begin = dump_begin, .event = dump_event,
			      .end = dump_end, .free = dump_free };
	d->path = path;
	return &d->base;
}
