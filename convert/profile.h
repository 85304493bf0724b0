/*
 * profile.h - pprof records to a gzipped profile.proto, as
 * internal/trace/traceviewer.BuildProfile lays them out (locations per PC,
 * functions per file and name, values [contentions, delay ns]), plus what
 * cmd/trace leaves out: a mapping, a default sample type, the trace's time
 * span and a comment.
 */
#ifndef T2P_PROFILE_H
#define T2P_PROFILE_H

#include <stdint.h>
#include <stdio.h>

#include "gotrace.h"

typedef struct pp_rec {
	uint32_t stack;   /* symbol table stack, GT_NO_STACK for none */
	uint64_t count;   /* contentions */
	int64_t time;     /* delay, ns */
} pp_rec;

typedef struct pp_meta {
	int64_t time_nanos;      /* wall clock at the trace's start, 0 if unknown */
	int64_t duration_nanos;
	const char *comment;
	const char *mapping_file;/* the program's name, or a placeholder */
} pp_meta;

/* Write the profile of recs (records with count 0 are left out) to f. */
int pp_write_profile(FILE *f, const gt_symtab *sym, const pp_rec *recs, size_t n,
		     const pp_meta *meta);

#endif
