/*
 * pprof.h - pprof profiles from one pass over the event stream: the four of
 * `go tool trace -pprof=TYPE` and our own.
 */
#ifndef T2P_PPROF_H
#define T2P_PPROF_H

#include "select.h"
#include "sink.h"

/* The profile types.  The first PP_NCLASSIC are go tool trace's, which
 * -pprof=all names (PP_CLASSIC); cpu is the trace's CPU samples; wall,
 * each goroutine's whole life by state, on and off CPU. */
enum { PP_NET, PP_SYNC, PP_SYSCALL, PP_SCHED, PP_CPU, PP_WALL, PP_NTYPES };
#define PP_NCLASSIC PP_CPU
#define PP_CLASSIC ((1u << PP_NCLASSIC) - 1)

extern const char *const pp_type_names[PP_NTYPES];

/* What a profile sink computes and where it writes. */
typedef struct pp_config {
	unsigned types;                 /* a bit (1 << PP_x) per profile */
	const char *paths[PP_NTYPES];   /* where type t goes; NULL: standard output */
	const char *binary;             /* names the program in the mapping, or NULL */
	t2p_select *sel;                /* what counts of each interval and sample */
	int labels;                     /* -labels: goroutine, region, task, delay */
} pp_config;

t2p_sink *t2p_pprof_sink(const pp_config *cfg);

#endif
