/*
 * gotrace.h - libgotrace: read Go execution traces the way Go's own reader
 * (internal/trace, as used by `go tool trace`) reads them.
 *
 * A reader turns a trace file of any format Go wrote (Go 1.11 to 1.27), plain
 * or compressed with gzip or zstd, into one ordered, validated stream of
 * events: the stream `go tool trace -d=parsed` prints.  Stacks are interned
 * in a symbol table whose ids are stable for the whole trace, so equal stacks
 * from different generations share one id.
 *
 *     gt_reader *r = gt_reader_new();
 *     if (gt_reader_open_file(r, path) == GT_OK) {
 *         gt_event ev;
 *         while (gt_reader_next(r, &ev) == GT_OK)
 *             use(&ev);
 *     }
 *     const gt_error *err = gt_reader_error(r);   // code GT_END when all went well
 *     gt_reader_free(r);
 *
 * Lifetimes: the strings (gt_str) inside a gt_event are valid until the next
 * call to gt_reader_next() or gt_reader_free().  Symbol table ids (stacks,
 * frames, strings) and the memory they name are valid until gt_reader_free().
 *
 * Threads: a reader is used by one thread at a time, but its symbol table
 * may be read from another thread while the reader goes on: the gt_symtab_*
 * lookups of ids that came in events handed over to that thread (with the
 * synchronization of the hand-over, a mutex say) are safe, as entries never
 * move and the counts are atomic.  The library starts a thread only when
 * asked to read ahead (gt_reader_read_ahead).
 *
 * The library never prints and never exits; errors are codes plus a message
 * that says where in the input the problem was seen.
 */
#ifndef GOTRACE_H
#define GOTRACE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The functions below are the shared library's exports; nothing else of it
 * is visible (it is built with -fvisibility=hidden). */
#if defined(__GNUC__)
#define GT_API __attribute__((visibility("default")))
#else
#define GT_API
#endif

/* The library's version, "MAJOR.MINOR.PATCH" (as pkg-config --modversion
 * gotrace says). */
GT_API const char *gt_version(void);

typedef struct gt_reader gt_reader;
typedef struct gt_symtab gt_symtab;

typedef enum gt_status {
	GT_OK = 0,
	GT_END,            /* the trace ended cleanly: no more events */
	GT_ERR_IO,         /* reading the input failed */
	GT_ERR_FORMAT,     /* not a Go execution trace */
	GT_ERR_VERSION,    /* a trace version this library does not read */
	GT_ERR_CORRUPT,    /* malformed bytes: batch framing, varints, tables */
	GT_ERR_TRUNCATED,  /* the input ends inside a batch or a generation */
	GT_ERR_BROKEN,     /* well-formed bytes that break the trace's rules */
	GT_ERR_LIMIT,      /* the input exceeds a size limit of this library */
	GT_ERR_NOMEM,      /* out of memory */
} gt_status;

typedef struct gt_error {
	gt_status code;      /* GT_OK while reading, GT_END after a clean end */
	uint64_t offset;     /* input byte offset where the problem was seen */
	uint64_t generation; /* generation being read, 0 if none */
	int64_t m;           /* thread (M) of the batch involved, -1 if none */
	const char *msg;     /* what was wrong; Go's wording where Go has one */
} gt_error;

/* A string that is not NUL-terminated and may contain any bytes. */
typedef struct gt_str {
	const char *ptr;
	size_t len;
} gt_str;

#define GT_NO_GOROUTINE ((int64_t)-1)
#define GT_NO_PROC ((int64_t)-1)
#define GT_NO_THREAD ((int64_t)-1)
#define GT_NO_TASK UINT64_MAX
#define GT_BACKGROUND_TASK 0
#define GT_NO_STACK 0u

typedef enum gt_kind {
	GT_EV_BAD = 0,
	GT_EV_SYNC,
	GT_EV_METRIC,
	GT_EV_LABEL,
	GT_EV_STACK_SAMPLE,
	GT_EV_RANGE_BEGIN,
	GT_EV_RANGE_ACTIVE,
	GT_EV_RANGE_END,
	GT_EV_TASK_BEGIN,
	GT_EV_TASK_END,
	GT_EV_REGION_BEGIN,
	GT_EV_REGION_END,
	GT_EV_LOG,
	GT_EV_STATE_TRANSITION,
	GT_EV_EXPERIMENTAL,
} gt_kind;

typedef enum gt_resource {
	GT_RES_NONE = 0,
	GT_RES_GOROUTINE,
	GT_RES_PROC,
	GT_RES_THREAD,
} gt_resource;

typedef enum gt_go_state {
	GT_GO_UNDETERMINED = 0,
	GT_GO_NOT_EXIST,
	GT_GO_RUNNABLE,
	GT_GO_RUNNING,
	GT_GO_WAITING,
	GT_GO_SYSCALL,
} gt_go_state;

typedef enum gt_proc_state {
	GT_PROC_UNDETERMINED = 0,
	GT_PROC_NOT_EXIST,
	GT_PROC_RUNNING,
	GT_PROC_IDLE,
} gt_proc_state;

typedef struct gt_event {
	gt_kind kind;
	int64_t time;     /* nanoseconds on the trace clock */
	int64_t g, p, m;  /* context before the event: goroutine, proc, thread */
	uint32_t stack;   /* symbol table stack id of the event, GT_NO_STACK if none */
	uint8_t wire_type;/* the Go 1.22+ wire event type it came from (diagnostics) */
	union {
		struct {               /* GT_EV_STATE_TRANSITION */
			gt_resource resource; /* GT_RES_GOROUTINE or GT_RES_PROC */
			int64_t id;           /* goroutine or proc id */
			uint8_t from, to;     /* gt_go_state or gt_proc_state */
			gt_str reason;
			uint32_t stack;       /* the transition's stack, GT_NO_STACK if none */
		} transition;
		struct {               /* GT_EV_METRIC */
			const char *name;  /* e.g. "/sched/gomaxprocs:threads" */
			uint64_t value;
		} metric;
		struct {               /* GT_EV_LABEL: a label on goroutine `g` */
			gt_str label;
		} label;
		struct {               /* GT_EV_RANGE_* */
			gt_str name;       /* e.g. "GC concurrent mark phase" */
			gt_resource scope;
			int64_t scope_id;
			int has_attributes;/* GC incremental sweep ends carry these */
			uint64_t bytes_swept, bytes_reclaimed;
		} range;
		struct {               /* GT_EV_TASK_BEGIN, GT_EV_TASK_END */
			uint64_t id, parent;
			gt_str type;
		} task;
		struct {               /* GT_EV_REGION_BEGIN, GT_EV_REGION_END */
			uint64_t task;
			gt_str type;
		} region;
		struct {               /* GT_EV_LOG */
			uint64_t task;
			gt_str category, message;
		} log;
		struct {               /* GT_EV_SYNC */
			int n;             /* 1, 2, ... */
			int has_clock;     /* Go 1.25+: a clock snapshot follows */
			int64_t clock_trace; /* trace time of the snapshot (ns) */
			uint64_t clock_mono;
			int64_t wall_sec;  /* Unix time of the snapshot */
			int64_t wall_nsec;
		} sync;
		struct {               /* GT_EV_EXPERIMENTAL */
			const char *name;
			const char *experiment;
			int nargs;
			const char *const *arg_names;
			uint64_t args[4];
		} experimental;
	};
} gt_event;

/* Reader. */
GT_API gt_reader *gt_reader_new(void);            /* NULL if out of memory */
GT_API void gt_reader_free(gt_reader *r);         /* NULL is a no-op */

/* Open the input and read its header.  On failure gt_reader_error() says why
 * and gt_reader_next() returns the same error. */
GT_API gt_status gt_reader_open_file(gt_reader *r, const char *path);
GT_API gt_status gt_reader_open_fd(gt_reader *r, int fd); /* the fd stays the caller's */
GT_API gt_status gt_reader_open_memory(gt_reader *r, const void *src, size_t size);

/* The next event: GT_OK and *ev filled, GT_END at a clean end, or an error.
 * Errors are sticky.  Everything before an error is a valid stream prefix. */
GT_API gt_status gt_reader_next(gt_reader *r, gt_event *ev);

/* Read ahead on a second thread: decoding and ordering, most of the work,
 * run there, some thousands of events ahead, while gt_reader_next() builds
 * each event on the caller's thread; the stream is the same.  For a caller
 * that has work of its own to do with each event, on a machine with a core
 * to spare: where the process may run on one CPU only (its affinity, as
 * taskset sets it), it starts no thread, as the two would only take turns
 * on that CPU.  Whether the thread pays is measured, all along: the first
 * events (some hundred thousand) are read on the caller's thread alone,
 * then with the thread, and whenever the two take about as long as reading
 * alone (the other CPU busy with other work, say), the thread stops and the
 * reader goes on alone, to try the thread again later.  The thread runs on
 * the CPUs the caller may use but the one the caller runs on, and is moved
 * if the caller comes to its CPU (on one CPU, the two would take turns).
 * Call it on an open reader; Go 1.22+ traces only (for older ones, read
 * whole, it does nothing).  0, or -1 if no thread could be started (the
 * reader goes on without one).
 *
 * Until gt_reader_next() returns other than GT_OK, the reader may only be
 * given to gt_reader_next(), gt_reader_symtab() and gt_reader_free(); its
 * other accessors would race with the thread.  The thread uses about 1 MB
 * (3 MB mapped, most of it never touched). */
GT_API int gt_reader_read_ahead(gt_reader *r);

GT_API const gt_error *gt_reader_error(const gt_reader *r);

/* The N of the header's "go 1.N trace" (11, 19, 21, 22, 23, 25, 26), 0 before
 * the header is read. */
GT_API int gt_reader_version(const gt_reader *r);

/* Bytes of input consumed so far, and the input offset up to which every
 * generation has been fully delivered (the end of the valid prefix).  For
 * compressed input, offsets here and in errors count decompressed bytes. */
GT_API uint64_t gt_reader_offset(const gt_reader *r);
GT_API uint64_t gt_reader_valid_offset(const gt_reader *r);

/* The compression of the input, found by its first bytes when opened:
 * "gzip", "zstd", or NULL for a plain trace.  Compressed input is read
 * decompressed as it comes, in the memory a plain pipe takes (one
 * generation); damage in it ends the trace there, as a torn trace ends. */
GT_API const char *gt_reader_compression(const gt_reader *r);

/* Bytes taken from the input so far (compressed bytes for compressed
 * input), for progress: of the file's size, they say how far reading is.
 * Unlike the other accessors, it may be called from any thread at any
 * time, reading ahead or not. */
GT_API uint64_t gt_reader_input_bytes(const gt_reader *r);

/* The most memory one generation may take (its tables and, from a pipe, its
 * bytes) before reading fails with GT_ERR_LIMIT; the generations before it
 * are still delivered.  A pre-1.22 trace, read whole, is one generation.
 * Call it before opening the input.  Default GT_GEN_MEMORY_DEFAULT: 4 GiB (1 GiB on 32-bit
 * machines), a hundred times what a busy program writes in a generation. */
#define GT_GEN_MEMORY_DEFAULT (sizeof(size_t) > 4 ? (size_t)4 << 30 : (size_t)1 << 30)
GT_API void gt_reader_set_gen_memory_limit(gt_reader *r, size_t bytes);

/* Raw reader: the input's wire events one by one in file order, framing
 * (batch headers, tables) included, decoded but neither checked nor ordered:
 * Go's internal/trace/raw, whose events go tool trace -d=wire prints.  It
 * reads byte by byte as Go's does, so it goes on where the ordered reader
 * stops; and the input ending at the start of a varint or in a string is,
 * as in Go, a clean end.  Go 1.22+ traces: older ones have no table of
 * wire events, so their first event is an invalid type, as in Go. */
typedef struct gt_raw_reader gt_raw_reader;

typedef struct gt_raw_event {
	uint8_t type;                   /* the wire type byte */
	const char *name;               /* its name; "" where the table has a gap */
	size_t nargs;
	const char *const *arg_names;   /* nargs names, "dt" first for a timed event */
	const uint64_t *args;           /* nargs values, then a Stack's frames */
	size_t nframes;                 /* four values each: pc, func, file, line */
	const char *data;               /* a String's or ExperimentalBatch's bytes,
					 * NULL if it has none (or an empty one) */
	size_t len;
	size_t encoded_size;            /* bytes it takes encoded canonically */
} gt_raw_event;

GT_API gt_raw_reader *gt_raw_reader_new(void);    /* NULL if out of memory */
GT_API void gt_raw_reader_free(gt_raw_reader *r); /* NULL is a no-op */
GT_API gt_status gt_raw_reader_open_file(gt_raw_reader *r, const char *path);
GT_API gt_status gt_raw_reader_open_fd(gt_raw_reader *r, int fd); /* the fd stays the caller's */
GT_API gt_status gt_raw_reader_open_memory(gt_raw_reader *r, const void *src, size_t size);
/* The next event, valid until the next call: GT_OK, GT_END or an error. */
GT_API gt_status gt_raw_reader_next(gt_raw_reader *r, gt_raw_event *ev);
GT_API const gt_error *gt_raw_reader_error(const gt_raw_reader *r);
GT_API int gt_raw_reader_version(const gt_raw_reader *r);
/* Bytes of input read so far: all of it once gt_raw_reader_next() has
 * returned GT_END.  Then as for the reader: its compression, and the bytes
 * taken from the input (from any thread). */
GT_API uint64_t gt_raw_reader_offset(const gt_raw_reader *r);
GT_API const char *gt_raw_reader_compression(const gt_raw_reader *r);
GT_API uint64_t gt_raw_reader_input_bytes(const gt_raw_reader *r);

/* Symbol table. */
typedef struct gt_frame {
	uint64_t pc;
	gt_str func;
	gt_str file;
	uint64_t line;
	uint32_t func_id, file_id;  /* the symbol table ids of func and file */
} gt_frame;

GT_API const gt_symtab *gt_reader_symtab(const gt_reader *r);

/* Frame ids of a stack, leaf first; *n receives the count. */
GT_API const uint32_t *gt_symtab_stack(const gt_symtab *s, uint32_t stack, size_t *n);
GT_API void gt_symtab_frame(const gt_symtab *s, uint32_t frame, gt_frame *out);
GT_API gt_str gt_symtab_string(const gt_symtab *s, uint32_t id);
GT_API size_t gt_symtab_stack_count(const gt_symtab *s); /* ids are 1..count */
GT_API size_t gt_symtab_frame_count(const gt_symtab *s);

/* Names used in printing. */
GT_API const char *gt_kind_name(gt_kind k);
GT_API const char *gt_go_state_name(uint8_t s);
GT_API const char *gt_proc_state_name(uint8_t s);
GT_API const char *gt_resource_name(gt_resource r);

#ifdef __cplusplus
}
#endif
#endif /* GOTRACE_H */
