/*
 * rawdump.c - the wire events as `go tool trace -d=wire` prints them
 * (internal/trace/raw's Event.String()), and the table of what each type of
 * event takes that `go tool trace -d=footprint` prints (cmd/trace/main.go
 * debugEventsFootprint), byte for byte as Go 1.27 prints them.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "goformat.h"
#include "gosort.h"
#include "outbuf.h"
#include "output.h"
#include "rawdump.h"

static void wire_event(outbuf *o, const gt_raw_event *ev)
{
	static const char *const frame_fields[4] = { "pc", "func", "file", "line" };

	ob_puts(o, ev->name);
	for (size_t i = 0; i < ev->nargs; i++) {
		ob_putc(o, ' ');
		ob_puts(o, ev->arg_names[i]);
		ob_putc(o, '=');
		ob_u64(o, ev->args[i]);
	}
	for (size_t i = 0; i < 4 * ev->nframes; i++) {
		if (i % 4 == 0)
			ob_puts(o, "\n\t");
		else
			ob_putc(o, ' ');
		ob_puts(o, frame_fields[i % 4]);
		ob_putc(o, '=');
		ob_u64(o, ev->args[ev->nargs + i]);
	}
	if (ev->data) {
		ob_puts(o, "\n\tdata=");
		go_quote(o, ev->data, ev->len);
	}
	ob_putc(o, '\n');
}

int t2p_dump_wire(gt_raw_reader *r, const char *path, uint64_t *events)
{
	t2p_output out;
	outbuf ob;
	gt_raw_event ev;
	gt_status st;

	*events = 0;
	if (t2p_output_open(&out, path))
		return -1;
	ob_init(&ob, out.f);
	while ((st = gt_raw_reader_next(r, &ev)) == GT_OK) {
		wire_event(&ob, &ev);
		++*events;
		if (ob.err)
			break;
	}
	/* As with -d=parsed, what came before damage is kept. */
	if (ob_flush(&ob)) {
		t2p_output_write_error(&out);
		t2p_output_abort(&out);
		return -1;
	}
	if (st != GT_END && !*events) {
		t2p_output_abort(&out);
		return st;
	}
	return t2p_output_commit(&out) ? -1 : (int)st;
}

/* What one type of event takes (Go's eventStats). */
typedef struct type_stats {
	uint64_t bytes, count;
	unsigned type;
} type_stats;

/* Go sorts with cmp.Compare(b.bytes, a.bytes), unstably: the order of ties
 * is go_sort's, as it is slices.SortFunc's. */
static int more_bytes_first(const void *a, const void *b)
{
	uint64_t x = ((const type_stats *)a)->bytes, y = ((const type_stats *)b)->bytes;

	return (y > x) - (y < x);
}

/* Go's fmt "%.2f%%"; Go prints NaN where C prints nan. */
static void percent(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "NaN%%");
	else
		snprintf(buf, size, "%.2f%%", v);
}

/* The table's text, cells as text/tabwriter (minwidth 3, padding 2, spaces)
 * aligns them: each of the first four columns as wide as its widest cell
 * plus two, the last cell as it is. */
enum { COLS = 5, CELL = 48 };

static void table(outbuf *o, char (*cells)[COLS][CELL], size_t rows)
{
	size_t width[COLS - 1] = { 3, 3, 3, 3 };

	for (size_t i = 0; i < rows; i++)
		for (int c = 0; c < COLS - 1; c++)
			if (strlen(cells[i][c]) + 2 > width[c])
				width[c] = strlen(cells[i][c]) + 2;
	for (size_t i = 0; i < rows; i++) {
		for (int c = 0; c < COLS - 1; c++) {
			ob_puts(o, cells[i][c]);
			for (size_t n = strlen(cells[i][c]); n < width[c]; n++)
				ob_putc(o, ' ');
		}
		ob_puts(o, cells[i][COLS - 1]);
		ob_putc(o, '\n');
	}
}

static void footprint(outbuf *o, const type_stats *stats, unsigned ntypes, uint64_t total_bytes,
		      uint64_t total_events)
{
	char (*cells)[COLS][CELL] = calloc(2 + 256, sizeof *cells);

	if (!cells) {
		o->err = 1;
		return;
	}
	memcpy(cells[0], (char[COLS][CELL]){ "Event", "Bytes", "%", "Count", "%" }, sizeof *cells);
	memcpy(cells[1], (char[COLS][CELL]){ "-", "-", "-", "-", "-" }, sizeof *cells);
	for (size_t i = 0; i < 256; i++) {
		const type_stats *s = &stats[i];
		char(*row)[CELL] = cells[2 + i];

		if (s->type >= ntypes)
			snprintf(row[0], CELL, "<unknown (%u)>", s->type);
		else
			snprintf(row[0], CELL, "%s", ev_specs[s->type].name ? ev_specs[s->type].name : "");
		snprintf(row[1], CELL, "%llu", (unsigned long long)s->bytes);
		percent(row[2], CELL, (double)s->bytes / (double)total_bytes * 100);
		snprintf(row[3], CELL, "%llu", (unsigned long long)s->count);
		percent(row[4], CELL, (double)s->count / (double)total_events * 100);
	}
	table(o, cells, 2 + 256);
	free(cells);
}

int t2p_dump_footprint(gt_raw_reader *r, const char *path)
{
	type_stats stats[256];
	uint64_t events = 0;
	t2p_output out;
	outbuf ob;
	gt_raw_event ev;
	gt_status st;

	for (unsigned t = 0; t < 256; t++)
		stats[t] = (type_stats){ 0, 0, t };
	while ((st = gt_raw_reader_next(r, &ev)) == GT_OK) {
		stats[ev.type].bytes += ev.encoded_size;
		stats[ev.type].count++;
		events++;
	}
	/* Go prints the table only after reading the whole trace. */
	if (st != GT_END)
		return st;
	go_sort(stats, 256, sizeof *stats, more_bytes_first);
	if (t2p_output_open(&out, path))
		return -1;
	ob_init(&ob, out.f);
	footprint(&ob, stats, ev_table_len(gt_raw_reader_version(r)), gt_raw_reader_offset(r),
		  events);
	if (ob_flush(&ob)) {
		t2p_output_write_error(&out);
		t2p_output_abort(&out);
		return -1;
	}
	return t2p_output_commit(&out) ? -1 : GT_END;
}
