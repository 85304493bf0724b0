/*
 * profile.h - pprof records to a gzipped profile.proto, as
 * internal/trace/traceviewer.BuildProfile lays them out (locations per PC,
 * functions per file and name), plus what cmd/trace leaves out: a mapping,
 * a default sample type, the trace's time span, a comment, and for our own
 * profile types their sample types and period.
 */
#ifndef T2P_PROFILE_H
#define T2P_PROFILE_H

#include <stdint.h>
#include <stdio.h>

#include "gotrace.h"
#include "pplabels.h"

typedef struct pp_rec {
	uint32_t stack;   /* symbol table stack, GT_NO_STACK for none */
	uint32_t labels;  /* the sample's label set (pplabels.h), 0 for none */
	uint64_t count;   /* contentions, samples or intervals */
	int64_t time;     /* ns */
} pp_rec;

/* What the samples of a profile type measure and how they are written. */
typedef struct pp_kind {
	int nvalues;                   /* 2: [count, time]; 1: [time] */
	const char *value_type[2];     /* the sample types, e.g. "contentions", */
	const char *value_unit[2];     /* "count"; the last is the default */
	const char *period_type, *period_unit;
	int64_t period;
	int max_frames;                /* frames kept from the leaf, 0 for all */
	int drop_goexit;               /* leave out a runtime.goexit root frame,
				        * as runtime/pprof's profiles have none */
} pp_kind;

typedef struct pp_meta {
	int64_t time_nanos;      /* wall clock at the trace's start, 0 if unknown */
	int64_t duration_nanos;
	const char *comment;
	const char *mapping_file;/* the program's name, or a placeholder */
	int by_frame;            /* a location per frame rather than per PC: for
				  * merged profiles (ppmerge.h), whose frames of
				  * a PC differ only where traces of different
				  * programs do, as pprof's merge keeps them */
	const pp_labels *labels; /* the records' label sets, NULL if none */
} pp_meta;

/* The frames a record's sample shows, leaf first: at most max_frames
 * (cmd/trace's pprofMaxStack), without a runtime.goexit root where the
 * kind drops it. */
const uint32_t *pp_sample_frames(const gt_symtab *sym, const pp_kind *kind, uint32_t stack,
				 size_t *n);

/* Write the profile of recs (records with count 0 are left out) to f. */
int pp_write_profile(FILE *f, const gt_symtab *sym, const pp_kind *kind, const pp_rec *recs,
		     size_t n, const pp_meta *meta);

#endif
