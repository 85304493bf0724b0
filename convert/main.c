/*
 * main.c - trace2pprof: flags, one pass over the trace feeding every
 * requested sink, outputs written atomically, errors said once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gotrace.h"
#include "sink.h"

static const char usage_text[] =
	"Usage: trace2pprof [flags] [binary] TRACE\n"
	"\n"
	"Convert a Go execution trace (runtime/trace, go test -trace, the flight\n"
	"recorder; Go 1.11 to 1.27) without go tool trace's memory and time.\n"
	"\n"
	"Flags:\n"
	"  -d=parsed    print the ordered events exactly as go tool trace -d=parsed\n"
	"  -o PATH      write the output to PATH instead of standard output\n"
	"  -h           print this help\n"
	"\n"
	"The binary argument is accepted, as go tool trace accepts it, and ignored.\n"
	"Exit status: 0 on success, 1 on an unreadable or damaged trace, 2 on bad usage.\n";

static const char *prog = "trace2pprof";

typedef struct options {
	const char *trace;
	const char *out;
	int parsed;
} options;

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun '%s -h' for usage.\n", prog);
	exit(2);
}

/* Flags as Go's flag package takes them: -name, --name, -name=value and
 * -name value, all before the positional arguments. */
static int parse_args(int argc, char **argv, options *opt)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val;
		char name[32];
		size_t n;

		if (a[0] != '-' || a[1] == '\0')
			break;
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		a += a[1] == '-' ? 2 : 1;
		n = strcspn(a, "=");
		if (n >= sizeof name)
			usage_error("unknown flag: %s", argv[i]);
		memcpy(name, a, n);
		name[n] = '\0';
		val = a[n] == '=' ? a + n + 1 : NULL;
		if (!strcmp(name, "h") || !strcmp(name, "help")) {
			fputs(usage_text, stdout);
			exit(0);
		}
		if (!strcmp(name, "d") || !strcmp(name, "o")) {
			if (!val && (val = argv[++i]) == NULL)
				usage_error("flag needs an argument: -%s", name);
			if (name[0] == 'o')
				opt->out = val;
			else if (!strcmp(val, "parsed"))
				opt->parsed = 1;
			else
				usage_error("invalid debug mode %s, want: parsed", val);
			continue;
		}
		usage_error("unknown flag: %s", argv[i]);
	}
	if (argc - i == 1)
		opt->trace = argv[i];
	else if (argc - i == 2)
		opt->trace = argv[i + 1];
	else
		usage_error("expected a trace file argument");
	if (!opt->parsed)
		usage_error("nothing to do: give -d=parsed");
	return 0;
}

/* An output file written under a temporary name, renamed into place only
 * when it is complete. */
typedef struct output {
	const char *path;  /* NULL for standard output */
	char *tmp;
	FILE *f;
} output;

static int output_open(output *o, const char *path)
{
	int fd;

	o->path = path;
	o->tmp = NULL;
	if (!path) {
		o->f = stdout;
		return 0;
	}
	if (!(o->tmp = malloc(strlen(path) + 16)))
		return -1;
	sprintf(o->tmp, "%s.tmp.XXXXXX", path);
	if ((fd = mkstemp(o->tmp)) < 0 || !(o->f = fdopen(fd, "w"))) {
		fprintf(stderr, "%s: %s: cannot create: %s\n", prog, path, strerror(errno));
		if (fd >= 0)
			close(fd), unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
		return -1;
	}
	fchmod(fd, 0644 & ~(mode_t)0);
	return 0;
}

/* Close the output, keeping it only if ok. */
static int output_close(output *o, int ok)
{
	int rc = 0;

	if (!o->path)
		return fflush(stdout) == 0 ? 0 : -1;
	if (fclose(o->f) != 0)
		ok = 0, rc = -1;
	if (ok && rename(o->tmp, o->path) != 0) {
		fprintf(stderr, "%s: %s: cannot write: %s\n", prog, o->path, strerror(errno));
		rc = -1;
		ok = 0;
	}
	if (!ok)
		unlink(o->tmp);
	free(o->tmp);
	return rc;
}

static void report_error(const char *trace, const gt_reader *r)
{
	const gt_error *e = gt_reader_error(r);
	struct stat sb;

	fprintf(stderr, "%s: %s: %s", prog, trace, e->msg);
	if (e->code != GT_ERR_IO && e->code != GT_ERR_FORMAT && e->code != GT_ERR_VERSION) {
		fprintf(stderr, ": offset=%llu", (unsigned long long)e->offset);
		if (e->generation)
			fprintf(stderr, ", generation=%llu", (unsigned long long)e->generation);
		if (e->m != -1)
			fprintf(stderr, ", m=%lld", (long long)e->m);
	}
	fputc('\n', stderr);
	if (gt_reader_valid_offset(r) > 16 && stat(trace, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    sb.st_size > 0) {
		uint64_t valid = gt_reader_valid_offset(r), size = (uint64_t)sb.st_size;

		fprintf(stderr, "%s: %s: the first %llu bytes were read; lost %.2f%% of the trace\n",
			prog, trace, (unsigned long long)valid, 100.0 * (double)(size - valid) / (double)size);
	}
}

int main(int argc, char **argv)
{
	options opt = { 0 };
	gt_reader *r;
	t2p_sink *sink;
	output out;
	gt_status st;
	gt_event ev;
	int failed = 0;

	parse_args(argc, argv, &opt);
	if (!(r = gt_reader_new()) || !(sink = t2p_dump_sink())) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	if (strcmp(opt.trace, "-") == 0)
		st = gt_reader_open_fd(r, 0);
	else
		st = gt_reader_open_file(r, opt.trace);
	if (st != GT_OK) {
		report_error(opt.trace, r);
		gt_reader_free(r);
		sink->free(sink);
		return 1;
	}
	if (output_open(&out, opt.out)) {
		gt_reader_free(r);
		sink->free(sink);
		return 1;
	}
	sink->begin(sink, r, out.f);
	while ((st = gt_reader_next(r, &ev)) == GT_OK)
		if (sink->event(sink, &ev))
			break;
	if (sink->end(sink, st, out.f)) {
		fprintf(stderr, "%s: %s: write error: %s\n", prog, opt.out ? opt.out : "stdout",
			strerror(errno));
		failed = 1;
	}
	if (st != GT_END && st != GT_OK) {
		report_error(opt.trace, r);
		failed = 1;
	}
	if (output_close(&out, !failed))
		failed = 1;
	sink->free(sink);
	gt_reader_free(r);
	return failed;
}
