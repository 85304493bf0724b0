/*
 * main.c - trace2pprof: flags, one pass over the trace feeding every
 * requested sink, and errors said once, with where they were found.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <protobuf-c/protobuf-c.h>
#include <zlib.h>
#include <zstd.h>

#include "assertion.h"
#include "decompress.h"
#include "goformat.h"
#include "gotrace.h"
#include "mutil.h"
#include "output.h"
#include "pprof.h"
#include "progress.h"
#include "rawdump.h"
#include "select.h"
#include "sink.h"

static const char usage_text[] =
	"Usage: trace2pprof [flags] [binary] TRACE...\n"
	"\n"
	"Convert a Go execution trace (runtime/trace, go test -trace, the flight\n"
	"recorder; Go 1.11 to 1.27) in one pass, without go tool trace's memory.\n"
	"TRACE may be - for standard input, and compressed with gzip or zstd.\n"
	"Several traces (flight recorder dumps, say) make one profile of each type,\n"
	"as go tool pprof -proto merges profiles.\n"
	"\n"
	"Flags:\n"
	"  -pprof=TYPE  write a pprof profile, like go tool trace -pprof=TYPE:\n"
	"               net, sync, syscall or sched; several as net,sync or all\n"
	"               (the four); or cpu, the CPU samples in the trace as a\n"
	"               CPU profile (when a CPU profile ran while tracing); or\n"
	"               wall, each goroutine's whole life by state (running,\n"
	"               runnable, waiting, syscall), on and off CPU\n"
	"  -labels      with -pprof: label every sample with its goroutine (start\n"
	"               function), region, task and delay bucket (<1us, <10us,\n"
	"               <100us, <1ms, <10ms, <100ms, more), for go tool pprof -tags\n"
	"               and -tagfocus\n"
	"  -json[=VIEW] write a timeline for Perfetto UI and chrome://tracing:\n"
	"               VIEW proc (the default, as go tool trace shows it), thread,\n"
	"               or goroutine (a track per goroutine with its states)\n"
	"  -split=SIZE  with -json: the timeline in parts of at most SIZE (100MiB,\n"
	"               as go tool trace cuts it; KB, MB, GB, KiB...): DIR/trace-001.json,\n"
	"               ..., each whole, and DIR/trace-index.json of their times\n"
	"  -perfetto    write the timeline in Perfetto's own protobuf format, for\n"
	"               ui.perfetto.dev at any size: P lanes as go tool trace shows\n"
	"               them, a track per goroutine, stacks; gzip-compressed if the\n"
	"               -o file ends in .gz\n"
	"  -mmu[=FLAGS] write the MMU curve go tool trace plots, as its\n"
	"               /mmu?mode=plot&flags=FLAGS answers: FLAGS joined by |,\n"
	"               of stw, background, assist, sweep and perProc (default\n"
	"               stw|background|assist, its page's)\n"
	"  -report[=json] write a report of the trace's shape: scheduler latency,\n"
	"               blocking, syscalls, GC and MMU, go tool trace's goroutine,\n"
	"               task and region tables; as text, or JSON for machines\n"
	"  -assert=EXPR check the report, for CI (repeatable): sched.p99<1ms,\n"
	"               stw.max<1ms, block:sync.total<100ms, region:T.p99<50ms,\n"
	"               mmu:10ms>0.5 (docs/report.md); a failure exits 4\n"
	"  -d=parsed    print the ordered events exactly as go tool trace -d=parsed\n"
	"  -d=wire      print the wire events as go tool trace -d=wire (alone)\n"
	"  -d=footprint print bytes and counts by event type as go tool trace\n"
	"               -d=footprint (alone)\n"
	"\n"
	"Selections (what the profiles count; durations as Go writes them, 1.5ms):\n"
	"  -goroutine=NAME  goroutines whose start function is NAME, as go tool\n"
	"               trace's /io?name=NAME (and /block, /syscall, /sched)\n"
	"  -region=TYPE  the outermost regions of type TYPE of each goroutine, as\n"
	"               go tool trace's /regionio?type=TYPE (and /regionblock,\n"
	"               /regionsyscall, /regionsched); with -regionpc=HEX, those\n"
	"               begun at that PC; -latmin=DUR, -latmax=DUR: those that\n"
	"               long (each alone selects regions too)\n"
	"  -task=TYPE   the outermost regions of the tasks of type TYPE and their\n"
	"               subtasks, with the goroutines created inside them\n"
	"               (regions and tasks read the trace twice: not from -)\n"
	"  -from=DUR    only time from DUR after the trace's start...\n"
	"  -to=DUR      ...to DUR after it; also the window of -json (every view)\n"
	"               and -perfetto, as go tool trace's: what reaches into it\n"
	"\n"
	"Focus (what the -json timeline shows, as go tool trace's goroutine and task\n"
	"pages link to it; read the trace twice: not from -):\n"
	"  -goid=N      goroutine N's life, with the goroutines that unblocked it\n"
	"               (/jsontrace?goid=N)\n"
	"  -taskid=N    task N's time, with its subtasks, regions and goroutines\n"
	"               (/jsontrace?taskid=N)\n"
	"\n"
	"  -genmem=MiB  the most memory one generation of the trace may take\n"
	"               (default 4096); a larger one stops the conversion there\n"
	"  -q           quiet: no warnings (exit status 3 still says the trace\n"
	"               was damaged), and no progress on a terminal\n"
	"  -o PATH      where to write: the file; with several outputs, or if\n"
	"               PATH is a directory or ends in /, the directory (made if\n"
	"               missing) of TYPE.pb.gz, trace.json, trace.pftrace,\n"
	"               parsed.txt; default\n"
	"               standard output\n"
	"  -version     print the version, the formats read and the libraries\n"
	"  -h           print this help\n"
	"\n"
	"Then: go tool pprof -top sync.pb.gz\n"
	"\n"
	"The binary argument is accepted, as go tool trace accepts it; it names the\n"
	"program in the profiles.  Outputs appear only when complete (a device or\n"
	"a FIFO given to -o, such as /dev/null, is written in place).\n"
	"\n"
	"Exit status: 0 done; 1 the trace could not be read (nothing written);\n"
	"2 bad usage; 3 the trace is damaged: outputs were written from the part\n"
	"before the damage, and a warning says how much was lost; 4 an -assert\n"
	"failed (the outputs were written).\n";

enum { RAW_WIRE = 1, RAW_FOOTPRINT };

typedef struct options {
	const char *trace;  /* the first of traces */
	char **traces;
	int ntraces;
	const char *binary;
	const char *out;
	unsigned pprof;     /* bit per PP_ type */
	int labels;         /* -labels */
	int parsed;
	int raw;            /* 0, or RAW_WIRE or RAW_FOOTPRINT: -d=wire, -d=footprint */
	int json;           /* 0, or 1 + a T2P_VIEW_ */
	int perfetto;       /* -perfetto given */
	uint64_t split;     /* -split: the JSON in parts of this many bytes */
	int mmu;            /* -mmu given */
	int report;         /* 0, or 1 + the form: 0 text, 1 JSON */
	assertion *as;      /* -assert, in order */
	size_t nas;
	unsigned mmu_flags; /* its MUTIL_ flags */
	size_t genmem;      /* bytes a generation may take, 0 for the default */
	int quiet;
	t2p_selection sel;
	int selecting;      /* a selection flag was given */
	const char *from, *to; /* -from and -to as given */
} options;

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", t2p_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nRun '%s -h' for usage.\n", t2p_prog);
	exit(2);
}

/* A whole number of MiB, as bytes. */
static size_t parse_mib(const char *val)
{
	char *end;
	unsigned long long mib;

	errno = 0;
	mib = strtoull(val, &end, 10);
	if (errno || end == val || *end || val[0] == '-' || mib == 0 || mib > SIZE_MAX >> 20)
		usage_error("invalid -genmem %s: want a number of MiB", val);
	return (size_t)mib << 20;
}

/* A size in bytes: digits, then B, KB, MB, GB (powers of 1000), or KiB,
 * MiB, GiB (of 1024), or nothing (bytes); the letters in any case. */
static uint64_t parse_size(const char *flag, const char *val)
{
	static const struct {
		const char *suffix;
		uint64_t unit;
	} units[] = { { "", 1 }, { "b", 1 }, { "kb", 1000 }, { "mb", 1000000 }, { "gb", 1000000000 },
		      { "kib", 1 << 10 }, { "mib", 1 << 20 }, { "gib", 1 << 30 } };
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(val, &end, 10);
	if (!errno && end != val && val[0] != '-')
		for (size_t i = 0; i < sizeof units / sizeof *units; i++)
			if (!strcasecmp(end, units[i].suffix) && n <= UINT64_MAX / units[i].unit)
				return n * units[i].unit;
	usage_error("invalid -%s %s: want a size such as 100MiB (B, KB, MB, GB, KiB, MiB, GiB)", flag,
		    val);
	return 0;
}

static unsigned parse_pprof_types(const char *list)
{
	unsigned types = 0;
	const char *p = list;

	while (*p) {
		size_t n = strcspn(p, ",");
		int t;

		for (t = 0; t < PP_NTYPES; t++)
			if (strlen(pp_type_names[t]) == n && !strncmp(p, pp_type_names[t], n))
				break;
		if (t < PP_NTYPES)
			types |= 1u << t;
		else if (n == 3 && !strncmp(p, "all", 3))
			types |= PP_CLASSIC;
		else
			usage_error("unknown pprof type %.*s (want net, sync, syscall, sched, all, cpu or wall)",
				    (int)n, p);
		p += n + (p[n] == ',');
	}
	if (!types)
		usage_error("-pprof needs a type");
	return types;
}

static void set_json(options *opt, const char *val)
{
	static const char *const views[] = { "proc", "thread", "goroutine" };

	if (!val) {
		opt->json = 1 + T2P_VIEW_PROC;
		return;
	}
	for (int v = 0; v < 3; v++)
		if (!strcmp(val, views[v])) {
			opt->json = 1 + v;
			return;
		}
	usage_error("unknown -json view %s (want proc, thread or goroutine)", val);
}

static void set_mmu(options *opt, const char *val)
{
	static const struct {
		const char *name;
		unsigned flag;
	} names[] = { { "stw", MUTIL_STW }, { "background", MUTIL_BACKGROUND },
		      { "assist", MUTIL_ASSIST }, { "sweep", MUTIL_SWEEP },
		      { "perProc", MUTIL_PER_PROC }, { "system", 0 } };
	const char *p = val;

	opt->mmu = 1;
	opt->mmu_flags = val ? 0 : MUTIL_DEFAULT_FLAGS;
	while (p && *p) {
		size_t n = strcspn(p, "|"), k;

		for (k = 0; k < sizeof names / sizeof *names; k++)
			if (strlen(names[k].name) == n && !strncmp(p, names[k].name, n))
				break;
		if (k == sizeof names / sizeof *names)
			usage_error("unknown -mmu flag %.*s (want stw, background, assist, sweep or "
				    "perProc, joined by |)", (int)n, p);
		opt->mmu_flags |= names[k].flag;
		p += n + (p[n] == '|');
	}
}

static void set_report(options *opt, const char *val)
{
	if (!val || !strcmp(val, "text"))
		opt->report = 1;
	else if (!strcmp(val, "json"))
		opt->report = 2;
	else
		usage_error("unknown -report form %s (want text or json)", val);
}

static void set_assert(options *opt, const char *val)
{
	assertion *as = realloc(opt->as, (opt->nas + 1) * sizeof *as);
	char err[512];

	if (!as)
		usage_error("out of memory");
	opt->as = as;
	if (assertion_parse(val, &as[opt->nas], err, sizeof err))
		usage_error("%s", err);
	opt->nas++;
}

static void set_out(options *opt, const char *val)
{
	opt->out = val;
}

static void set_pprof(options *opt, const char *val)
{
	opt->pprof |= parse_pprof_types(val);
}

static void set_split(options *opt, const char *val)
{
	/* Below this, a part's names and frames leave no room for events. */
	if ((opt->split = parse_size("split", val)) < 4096)
		usage_error("invalid -split %s: parts of at least 4KiB", val);
}

static void set_genmem(options *opt, const char *val)
{
	opt->genmem = parse_mib(val);
}

static int64_t parse_duration(const char *flag, const char *val)
{
	int64_t d;
	const char *why = go_parse_duration(val, &d);

	if (why)
		usage_error("invalid -%s %s: %s (want a Go duration: 300ms, 1.5s, 2m)", flag, val, why);
	return d;
}

static void set_goroutine(options *opt, const char *val)
{
	opt->sel.goroutine = val;
	opt->selecting = 1;
}

static void set_region(options *opt, const char *val)
{
	opt->sel.regions.type = val;
	opt->selecting = 1;
}

/* -goid=N, -taskid=N: an id as cmd/trace's strconv.ParseUint(s, 10, 64)
 * takes it. */
static void set_focus(options *opt, int kind, const char *flag, const char *val)
{
	char *end;

	errno = 0;
	if (!isdigit((unsigned char)val[0]) ||
	    (opt->sel.focus.id = strtoull(val, &end, 10), errno) || *end)
		usage_error("bad -%s=%s: want a decimal number (an id go tool trace lists)", flag,
			    val);
	if (opt->sel.focus.kind != FOCUS_NONE)
		usage_error("-goid and -taskid focus the timeline on one thing: give one");
	opt->sel.focus.kind = kind;
}

static void set_goid(options *opt, const char *val)
{
	set_focus(opt, FOCUS_GOROUTINE, "goid", val);
}

static void set_taskid(options *opt, const char *val)
{
	set_focus(opt, FOCUS_TASK, "taskid", val);
}

static void set_task(options *opt, const char *val)
{
	opt->sel.regions.task = val;
	opt->selecting = 1;
}

/* cmd/trace's pc: hex without 0x; 0x is taken too. */
static void set_regionpc(options *opt, const char *val)
{
	const char *p = val + (val[0] == '0' && (val[1] == 'x' || val[1] == 'X') ? 2 : 0);
	char *end;

	errno = 0;
	opt->sel.regions.pc = strtoull(p, &end, 16);
	if (errno || end == p || *end || *p == '-' || *p == '+' || *p == ' ')
		usage_error("invalid -regionpc %s: want a PC in hex, as go tool trace's region pages "
			    "show it (4ae384)", val);
	opt->sel.regions.has_pc = opt->selecting = 1;
}

static void set_latmin(options *opt, const char *val)
{
	opt->sel.regions.latmin = parse_duration("latmin", val);
	opt->sel.regions.has_latmin = opt->selecting = 1;
}

static void set_latmax(options *opt, const char *val)
{
	opt->sel.regions.latmax = parse_duration("latmax", val);
	opt->sel.regions.has_latmax = opt->selecting = 1;
}

static void set_from(options *opt, const char *val)
{
	opt->sel.from = parse_duration("from", val);
	opt->from = val;
	opt->sel.has_from = 1;
}

static void set_to(options *opt, const char *val)
{
	opt->sel.to = parse_duration("to", val);
	opt->to = val;
	opt->sel.has_to = 1;
}

static void set_debug(options *opt, const char *val)
{
	if (!strcmp(val, "parsed"))
		opt->parsed = 1;
	else if (!strcmp(val, "wire"))
		opt->raw = RAW_WIRE;
	else if (!strcmp(val, "footprint"))
		opt->raw = RAW_FOOTPRINT;
	else
		usage_error("invalid debug mode %s, want one of: parsed, wire, footprint", val);
}

static void set_perfetto(options *opt, const char *val)
{
	(void)val;
	opt->perfetto = 1;
}

static void set_labels(options *opt, const char *val)
{
	(void)val;
	opt->labels = 1;
}

static void set_quiet(options *opt, const char *val)
{
	(void)val;
	opt->quiet = t2p_quiet = 1;
}

static void set_version(options *opt, const char *val)
{
	(void)opt;
	(void)val;
	printf("%s %s\n"
	       "Reads Go execution traces of Go 1.11 to 1.27 (headers go 1.11, 1.19, 1.21,\n"
	       "1.22, 1.23, 1.25, 1.26), plain or compressed with gzip or zstd.\n"
	       "Linked with libgotrace %s, zlib %s, zstd %s, protobuf-c %s.\n",
	       t2p_prog, gt_version(), gt_version(), zlibVersion(), ZSTD_versionString(),
	       protobuf_c_version());
	exit(0);
}

/* The flags: a value is required (-name=value or -name value), optional
 * (taken only as -name=value) or none (-name alone). */
static const struct flag {
	const char *name;
	enum { VALUE, OPTIONAL_VALUE, NO_VALUE } arg;
	void (*set)(options *opt, const char *val);
} flags[] = {
	{ "assert", VALUE, set_assert },
	{ "d", VALUE, set_debug },
	{ "from", VALUE, set_from },
	{ "genmem", VALUE, set_genmem },
	{ "goid", VALUE, set_goid },
	{ "goroutine", VALUE, set_goroutine },
	{ "latmax", VALUE, set_latmax },
	{ "latmin", VALUE, set_latmin },
	{ "json", OPTIONAL_VALUE, set_json },
	{ "labels", NO_VALUE, set_labels },
	{ "mmu", OPTIONAL_VALUE, set_mmu },
	{ "o", VALUE, set_out },
	{ "perfetto", NO_VALUE, set_perfetto },
	{ "pprof", VALUE, set_pprof },
	{ "region", VALUE, set_region },
	{ "regionpc", VALUE, set_regionpc },
	{ "split", VALUE, set_split },
	{ "task", VALUE, set_task },
	{ "taskid", VALUE, set_taskid },
	{ "report", OPTIONAL_VALUE, set_report },
	{ "q", NO_VALUE, set_quiet },
	{ "to", VALUE, set_to },
	{ "version", NO_VALUE, set_version },
};

/* Whether the selection reads the trace twice (select.h). */
static int needs_two_readings(const t2p_selection *sel)
{
	const regionsel_want *w = &sel->regions;

	return w->type || w->task || w->has_pc || w->has_latmin || w->has_latmax ||
	       sel->focus.kind != FOCUS_NONE;
}

/* Whether path holds a trace, by its first bytes: "go 1." (every format
 * Go wrote), or the magic of the compressions the reader takes. */
static int is_trace(const char *path)
{
	uint8_t b[5];
	size_t n = 0;
	FILE *f;

	if (!strcmp(path, "-"))
		return 1;
	if ((f = fopen(path, "rb"))) {
		n = fread(b, 1, sizeof b, f);
		fclose(f);
	}
	return (n == 5 && !memcmp(b, "go 1.", 5)) || dc_detect(b, n) != DC_NONE;
}

/* Flags as Go's flag package takes them: -name, --name, -name=value and
 * -name value, all before the positional arguments. */
static void parse_args(int argc, char **argv, options *opt)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *val;
		const struct flag *f = NULL;
		size_t n;

		if (a[0] != '-' || a[1] == '\0')
			break;
		if (!strcmp(a, "--")) {
			i++;
			break;
		}
		a += a[1] == '-' ? 2 : 1;
		n = strcspn(a, "=");
		val = a[n] == '=' ? a + n + 1 : NULL;
		if ((n == 1 && *a == 'h') || (n == 4 && !strncmp(a, "help", 4))) {
			fputs(usage_text, stdout);
			exit(0);
		}
		for (size_t k = 0; k < sizeof flags / sizeof *flags; k++)
			if (strlen(flags[k].name) == n && !strncmp(a, flags[k].name, n))
				f = &flags[k];
		if (!f)
			usage_error("unknown flag: %s", argv[i]);
		if (f->arg == VALUE && !val && !(val = argv[++i]))
			usage_error("flag needs an argument: -%s", f->name);
		if (f->arg == NO_VALUE && val)
			usage_error("flag takes no value: %s", argv[i]);
		f->set(opt, val);
	}
	/* The binary go tool trace accepts before the trace is told from a
	 * trace by its bytes. */
	if (argc - i >= 2 && !is_trace(argv[i]))
		opt->binary = argv[i++];
	if (argc - i < 1)
		usage_error("expected a trace file argument");
	opt->traces = argv + i;
	opt->ntraces = argc - i;
	opt->trace = opt->traces[0];
	if (opt->ntraces > 1) {
		if (opt->raw || opt->parsed || opt->json || opt->perfetto || opt->mmu || opt->report ||
		    opt->nas)
			usage_error("several traces make profiles (-pprof) only: -json, -perfetto, -d, "
				    "-mmu, -report and -assert read one");
		for (int k = 0; k < opt->ntraces; k++)
			if (!strcmp(opt->traces[k], "-"))
				usage_error("standard input (-) is a trace alone");
	}
	if (opt->split && (!opt->json || opt->json - 1 == T2P_VIEW_GOROUTINE))
		usage_error("-split cuts the proc or thread view: give -json or -json=thread, as"
			    " go tool trace splits those");
	if (opt->split && !opt->out)
		usage_error("-split writes parts into a directory: give -o DIR");
	if (opt->raw && (opt->pprof || opt->parsed || opt->json || opt->perfetto || opt->mmu ||
			 opt->report || opt->nas))
		usage_error("-d=wire and -d=footprint print alone: they read the wire, not the events");
	if (!opt->pprof && !opt->parsed && !opt->json && !opt->perfetto && !opt->raw && !opt->mmu &&
	    !opt->report && !opt->nas)
		usage_error("nothing to do: give -pprof=TYPE, -json, -perfetto, -mmu, -report, -assert or "
			    "-d=parsed|wire|footprint");
	if (opt->labels && !opt->pprof)
		usage_error("-labels labels the samples of profiles: give -pprof=TYPE");
	if (opt->selecting && !opt->pprof)
		usage_error("-goroutine, -region and -task select what profiles count: "
			    "give -pprof=TYPE");
	if ((opt->sel.has_from || opt->sel.has_to) && !opt->pprof && !opt->json && !opt->perfetto)
		usage_error("-from and -to select a time window of profiles and timelines: give "
			    "-pprof=TYPE, -json or -perfetto");
	if ((opt->sel.has_from || opt->sel.has_to) && opt->sel.focus.kind != FOCUS_NONE)
		usage_error("-goid and -taskid set the timeline's window themselves (the goroutine's"
			    " life, the task's): not with -from or -to");
	if (opt->sel.focus.kind != FOCUS_NONE &&
	    (opt->json - 1 != T2P_VIEW_PROC || opt->split || opt->perfetto))
		usage_error("-goid and -taskid focus the -json timeline, as go tool trace's"
			    " /jsontrace?goid=N and ?taskid=N: give -json (not a view, -split or"
			    " -perfetto)");
	if (opt->sel.has_from && opt->sel.has_to && opt->sel.from > opt->sel.to)
		usage_error("-from=%s is after -to=%s: the window is empty", opt->from, opt->to);
	for (int k = 0; k < opt->ntraces && needs_two_readings(&opt->sel); k++) {
		const char *t = opt->traces[k];
		struct stat sb;

		if (!strcmp(t, "-") || (stat(t, &sb) == 0 && !S_ISREG(sb.st_mode)))
			usage_error("-region, -regionpc, -latmin, -latmax, -task, -goid and -taskid"
				    " read the trace twice: give a file, not %s",
				    strcmp(t, "-") ? t : "standard input");
	}
}

/* Where the outputs go: with one output, the -o file (NULL: standard
 * output); with several, or when -o names a directory (or ends in '/'),
 * files of their own names in the -o directory, made if missing. */
typedef struct plan {
	const char *dir;    /* NULL: one output */
	const char *file;
	char *paths[8];     /* what output_path handed out, freed at the end */
	int npaths;
} plan;

static int plan_outputs(const options *opt, plan *pl)
{
	int count = opt->parsed + !!opt->json + opt->perfetto + opt->mmu + !!opt->report;
	struct stat sb;

	for (int t = 0; t < PP_NTYPES; t++)
		count += (opt->pprof >> t) & 1;
	if (count == 0)
		return 0;  /* -assert alone writes nothing */
	if (count == 1 && !(opt->out && *opt->out && (opt->out[strlen(opt->out) - 1] == '/' ||
					 (stat(opt->out, &sb) == 0 && S_ISDIR(sb.st_mode))))) {
		pl->file = opt->out;
		return 0;
	}
	if (!opt->out)
		usage_error("several outputs need -o DIR");
	pl->dir = opt->out;
	return t2p_output_dir(opt->out);
}

/* The path of the output called name in a directory: the -o file or
 * standard output (NULL) when it is the only one.  -1 if out of memory. */
static int output_path(plan *pl, const char *name, const char **path)
{
	char *p;

	if (!pl->dir) {
		*path = pl->file;
		return 0;
	}
	if ((size_t)pl->npaths == sizeof pl->paths / sizeof *pl->paths ||
	    !(p = malloc(strlen(pl->dir) + strlen(name) + 2)))
		return -1;
	sprintf(p, "%s%s%s", pl->dir, pl->dir[strlen(pl->dir) - 1] == '/' ? "" : "/", name);
	*path = pl->paths[pl->npaths++] = p;
	return 0;
}

static void report_error(const char *trace, const gt_error *e)
{
	fprintf(stderr, "%s: %s: %s", t2p_prog, trace, e->msg);
	if (e->code != GT_ERR_IO && e->code != GT_ERR_FORMAT && e->code != GT_ERR_VERSION) {
		fprintf(stderr, ": offset=%llu", (unsigned long long)e->offset);
		if (e->generation)
			fprintf(stderr, ", generation=%llu", (unsigned long long)e->generation);
		if (e->m != -1)
			fprintf(stderr, ", m=%lld", (long long)e->m);
	}
	fputc('\n', stderr);
	if (e->code == GT_ERR_LIMIT)
		fprintf(stderr, "%s: -genmem=MiB sets a higher limit\n", t2p_prog);
}

/* The input bytes before valid were converted; size: those read (of a
 * compressed input, those decompressed: its size decompressed is unknown). */
static void report_loss(const char *trace, uint64_t valid, uint64_t size, const char *compression)
{
	struct stat sb;

	if (size < valid)
		size = valid;
	if (compression) {
		fprintf(stderr, "%s: %s: kept the first %llu of the %llu bytes decompressed from the %s"
			" input; lost the rest\n", t2p_prog, trace, (unsigned long long)valid,
			(unsigned long long)size, compression);
		return;
	}
	if (strcmp(trace, "-") && stat(trace, &sb) == 0 && S_ISREG(sb.st_mode))
		size = (uint64_t)sb.st_size;
	fprintf(stderr, "%s: %s: kept the first %llu of %llu bytes; lost %.2f%% of the trace\n",
		t2p_prog, trace, (unsigned long long)valid, (unsigned long long)size,
		size ? 100.0 * (double)(size - valid) / (double)size : 0.0);
}

static uint64_t reader_bytes(const void *r) { return gt_reader_input_bytes(r); }
static uint64_t raw_reader_bytes(const void *r) { return gt_raw_reader_input_bytes(r); }

/* Progress on a terminal (progress.h), of the input file's size: not with
 * -q, and not when an output goes to standard output that is a terminal or
 * a pipe, where the line would land among the output or on a pager's
 * screen. */
static t2p_progress *start_progress(const options *opt, const char *trace,
				    uint64_t (*bytes)(const void *), const void *reader)
{
	struct stat sb;
	uint64_t total = 0;

	if (opt->quiet || (!opt->out && (isatty(STDOUT_FILENO) ||
					 (fstat(STDOUT_FILENO, &sb) == 0 &&
					  (S_ISFIFO(sb.st_mode) || S_ISSOCK(sb.st_mode))))))
		return NULL;
	if ((strcmp(trace, "-") ? stat(trace, &sb) : fstat(STDIN_FILENO, &sb)) == 0 &&
	    S_ISREG(sb.st_mode))
		total = (uint64_t)sb.st_size;
	return t2p_progress_start(bytes, reader, total);
}

/* -d=wire and -d=footprint.  The exit status as for the events: 3 if the
 * listing stops at damage, after some events. */
static int run_raw(const options *opt)
{
	gt_raw_reader *r = gt_raw_reader_new();
	t2p_progress *progress;
	uint64_t events = 0;
	gt_status st;
	int rc;

	if (!r) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return 1;
	}
	progress = start_progress(opt, opt->trace, raw_reader_bytes, r);
	st = strcmp(opt->trace, "-") ? gt_raw_reader_open_file(r, opt->trace)
				     : gt_raw_reader_open_fd(r, 0);
	if (st == GT_OK)
		rc = opt->raw == RAW_WIRE ? t2p_dump_wire(r, opt->out, &events)
					  : t2p_dump_footprint(r, opt->out);
	else
		rc = st;
	t2p_progress_stop(progress);
	/* Damage after some events is a warning (exit status 3), -q silences it. */
	if (rc > 0 && rc != GT_END && (!events || !opt->quiet)) {
		report_error(opt->trace, gt_raw_reader_error(r));
		if (events)
			report_loss(opt->trace, gt_raw_reader_error(r)->offset,
				    gt_raw_reader_offset(r), gt_raw_reader_compression(r));
	}
	gt_raw_reader_free(r);
	if (rc == GT_END)
		return 0;
	return rc > 0 && events ? 3 : 1;
}

/* The sinks the options ask for, into sinks[]; their count, or -1 if out of
 * memory. */
static int make_sinks(const options *opt, plan *pl, t2p_select *sel, t2p_sink **sinks,
		      int *assert_failed)
{
	int n = 0;

	if (opt->pprof) {
		pp_config cfg = { .types = opt->pprof, .binary = opt->binary, .sel = sel,
				  .labels = opt->labels };
		char name[32];

		for (int t = 0; t < PP_NTYPES; t++) {
			snprintf(name, sizeof name, "%s.pb.gz", pp_type_names[t]);
			if ((opt->pprof >> t) & 1 && output_path(pl, name, &cfg.paths[t]))
				return -1;
		}
		if (!(sinks[n++] = t2p_pprof_sink(&cfg)))
			return -1;
	}
	if (opt->parsed) {
		const char *path;

		if (output_path(pl, "parsed.txt", &path) || !(sinks[n++] = t2p_dump_sink(path)))
			return -1;
	}
	if (opt->json && opt->split) {
		/* Its parts go in the -o directory, with the other outputs. */
		if (!(sinks[n++] = t2p_json_parts_sink(pl->dir ? pl->dir : opt->out, opt->json - 1,
						       opt->split, sel)))
			return -1;
	} else if (opt->json) {
		const char *path;

		if (output_path(pl, "trace.json", &path) ||
		    !(sinks[n++] = t2p_json_sink(path, opt->json - 1, sel)))
			return -1;
	}
	if (opt->perfetto) {
		const char *path;
		size_t len;

		if (output_path(pl, "trace.pftrace", &path))
			return -1;
		/* Perfetto opens it gzip-compressed too. */
		len = path ? strlen(path) : 0;
		if (!(sinks[n++] = t2p_perfetto_sink(path, len > 3 && !strcmp(path + len - 3, ".gz"),
						     sel)))
			return -1;
	}
	if (opt->mmu) {
		const char *path;

		if (output_path(pl, "mmu.json", &path) ||
		    !(sinks[n++] = t2p_mmu_sink(path, opt->mmu_flags)))
			return -1;
	}
	if (opt->report || opt->nas) {
		const char *path = NULL;

		if ((opt->report && output_path(pl, opt->report == 2 ? "report.json" : "report.txt",
						&path)) ||
		    !(sinks[n++] = t2p_report_sink(path, opt->trace, opt->report - 1, opt->as, opt->nas,
						   assert_failed)))
			return -1;
	}
	return n;
}

/* A reader of path with the options' limit, opened: NULL after printing
 * why (quietly if `quiet`: a first reading leaves the telling to the
 * second). */
static gt_reader *open_trace(const options *opt, const char *path, int quiet)
{
	gt_reader *r = gt_reader_new();
	gt_status st;

	if (!r) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return NULL;
	}
	if (opt->genmem)
		gt_reader_set_gen_memory_limit(r, opt->genmem);
	st = strcmp(path, "-") ? gt_reader_open_file(r, path) : gt_reader_open_fd(r, 0);
	if (st != GT_OK) {
		if (!quiet)
			report_error(path, gt_reader_error(r));
		gt_reader_free(r);
		return NULL;
	}
	return r;
}

/*
 * The run: each trace is read once, or twice when the selection needs a
 * first reading (regions, tasks), and every reading goes through this one
 * loop: reader -> selection stage -> sinks.  It is the only caller of
 * gt_reader_next, so that LTO inlines the reader into it (with a second
 * caller it did not, and -pprof=sched took 6% more instructions).
 *
 * A damaged trace counts up to its last Sync, with a warning, if real
 * events came before that Sync (what precedes a Sync is complete); one
 * with nothing complete, or that cannot be read, fails the run: nothing
 * is written.  The sinks begin with each trace, and end with the last
 * (next() for the others).
 */
int main(int argc, char **argv)
{
	options opt = { 0 };
	plan pl = { 0 };
	t2p_sink *sinks[8], *pre = NULL;
	t2p_select *sel = NULL;
	int nsinks, failed = 0, assert_failed = 0, usage = 0, damaged = 0, readings, per;
	gt_reader *r = NULL;
	gt_status st = GT_END;
	gt_event ev;

	parse_args(argc, argv, &opt);
	if (opt.raw)
		return run_raw(&opt);
	if (plan_outputs(&opt, &pl))
		return 1;
	if (!(sel = t2p_select_new(&opt.sel)) ||
	    (nsinks = make_sinks(&opt, &pl, sel, sinks, &assert_failed)) < 0) {
		fprintf(stderr, "%s: out of memory\n", t2p_prog);
		return 1;
	}
	per = 1 + sel_needs_prepass(sel);
	readings = opt.ntraces * per;
	for (int k = 0; !failed && k < readings; k++) {
		const char *path = opt.traces[k / per];
		int last = k == readings - 1;
		int first = per == 2 && k % per == 0, useful = 0, bad = 0;
		uint64_t events = 0;
		t2p_progress *progress = NULL;
		t2p_sink **to = sinks;
		int nto = nsinks;

		if (!(r = open_trace(&opt, path, first))) {
			failed = !first;  /* the second reading says why */
			continue;
		}
		if (first) {
			pre = sel_prepass_sink(sel);
			to = &pre;
			nto = 1;
			bad = pre->begin(pre, r);
		} else {
			progress = start_progress(&opt, path, reader_bytes, r);
			bad = sel_begin(sel, r);
			for (int i = 0; !bad && i < nsinks; i++)
				bad = sinks[i]->begin(sinks[i], r);
		}
		/* The timeline and the listing cost several times what reading
		 * does: reading ahead would save little, and handing each event to
		 * another core costs as much (measured: tests/bench/ab).  Without a
		 * thread, the reader reads on this one: the same events. */
		if (!bad && (first || (!opt.json && !opt.perfetto && !opt.parsed)))
			(void)gt_reader_read_ahead(r);
		while (!bad && (st = gt_reader_next(r, &ev)) == GT_OK) {
			if (ev.kind == GT_EV_SYNC)
				useful |= events > 0;
			else
				events++;
			sel_event(sel, &ev);
			for (t2p_sink **s = to; s < to + nto; s++)
				if ((bad = (*s)->event(*s, &ev)))
					break;
		}
		t2p_progress_stop(progress);
		if (first) {
			/* cmd/trace summarizes a damaged trace's events too. */
			failed = bad || pre->end(pre, st);
			usage = failed && sel_focus_missing(sel);
			gt_reader_free(r);
			r = NULL;
			continue;
		}
		if (bad) {
			failed = 1;
			break;
		}
		/* Damage after a complete part is a warning (exit status 3), -q
		 * silences it; with nothing to convert it is the error. */
		if (st != GT_END && (!useful || !opt.quiet))
			report_error(path, gt_reader_error(r));
		if (st != GT_END && !useful) {
			fprintf(stderr, "%s: %s: no complete part of the trace to convert\n", t2p_prog,
				path);
			failed = 1;
			break;
		}
		if (st != GT_END) {
			damaged = 1;
			if (!opt.quiet)
				report_loss(path, gt_reader_valid_offset(r),
					    gt_reader_offset(r) > gt_reader_error(r)->offset
						    ? gt_reader_offset(r)
						    : gt_reader_error(r)->offset,
					    gt_reader_compression(r));
		}
		failed = sel_trace_end(sel, st) != 0;
		if (last)
			break;  /* its reader stays for the sinks' end() */
		for (int i = 0; !failed && i < nsinks; i++)
			failed = sinks[i]->next(sinks[i], st) != 0;
		gt_reader_free(r);
		r = NULL;
	}
	if (!failed && (usage = sel_finish(sel)))
		failed = 1;
	for (int i = 0; !failed && i < nsinks; i++)
		if (sinks[i]->end(sinks[i], st))
			failed = 1;
	/* free() discards any output that end() did not commit. */
	for (int i = 0; i < nsinks; i++)
		sinks[i]->free(sinks[i]);
	for (int i = 0; i < pl.npaths; i++)
		free(pl.paths[i]);
	t2p_select_free(sel);
	gt_reader_free(r);
	for (size_t i = 0; i < opt.nas; i++)
		assertion_free(&opt.as[i]);
	free(opt.as);
	if (failed)
		return usage ? 2 : 1;
	if (assert_failed)
		return 4;
	return damaged ? 3 : 0;
}
