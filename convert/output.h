/*
 * output.h - output files that appear only when complete: written under a
 * temporary name in the same directory and renamed into place on commit.
 * A NULL path means standard output, which cannot be taken back; nor can a
 * path naming a device, a pipe or a socket (-o /dev/null, -o >(gzip -d)):
 * renaming a file onto one would replace it, so it is written in place.
 */
#ifndef T2P_OUTPUT_H
#define T2P_OUTPUT_H

#include <stdio.h>

typedef struct t2p_output {
	const char *path;  /* as given, for messages; NULL for standard output */
	char *dest;        /* the file renamed onto: path, through any symlinks */
	char *tmp;         /* the temporary file, NULL when written in place */
	FILE *stream;      /* written in place: standard output or path's file */
	FILE *f;           /* where the sink writes: the temporary file, the
			    * stream, or a spool of the stream */
	int spooled;
} t2p_output;

/* Open; on failure print why (naming the path) and return -1. */
int t2p_output_open(t2p_output *o, const char *path);
/* Make the output seekable, for sinks that take back what they wrote: an
 * output written in place that cannot seek (a pipe, a terminal) goes to an
 * anonymous temporary file, copied out on commit.  Prints why on failure. */
int t2p_output_seekable(t2p_output *o);
/* Say that writing failed, naming the output and errno's cause; -1. */
int t2p_output_write_error(const t2p_output *o);
/* Close the temporary file for now, keeping it to be reopened (resume),
 * committed or given up later: for outputs made many at a time (the parts
 * of -split), so that they do not hold a descriptor each.  An output
 * written in place stays open.  Prints why on failure. */
int t2p_output_suspend(t2p_output *o);
/* Reopen a suspended output for update, at its start.  Prints why on
 * failure. */
int t2p_output_resume(t2p_output *o);
/* Finish: flush, close and rename into place.  Prints why on failure. */
int t2p_output_commit(t2p_output *o);
/* Give up: close and remove the temporary file. */
void t2p_output_abort(t2p_output *o);

/* Make the directory path, and its parents where missing (mkdir -p), for
 * outputs written into it.  Prints why on failure and returns -1. */
int t2p_output_dir(const char *path);

extern const char *t2p_prog;   /* program name for messages */
extern int t2p_quiet;          /* -q: no warnings */

/* A warning on standard error, "trace2pprof: " first, unless -q. */
void t2p_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
