/*
 * pprof.h - the four profiles of `go tool trace -pprof=TYPE`, all from one
 * pass over the event stream.
 */
#ifndef T2P_PPROF_H
#define T2P_PPROF_H

#include "select.h"
#include "sink.h"

enum { PP_NET, PP_SYNC, PP_SYSCALL, PP_SCHED, PP_NTYPES };

extern const char *const pp_type_names[PP_NTYPES];

/* A sink computing the profiles whose bit (1 << PP_x) is in `types`; the
 * profile of type t is written to paths[t] (NULL: standard output).
 * `binary` names the program in the profile's mapping (may be NULL).  What
 * counts of each interval is the selection stage's answer. */
t2p_sink *t2p_pprof_sink(unsigned types, const char *const paths[PP_NTYPES], const char *binary,
			 t2p_select *sel);

#endif
