/*
 * output.h - output files that appear only when complete: written under a
 * temporary name in the same directory and renamed into place on commit.
 * A NULL path means standard output (which cannot be taken back).
 */
#ifndef T2P_OUTPUT_H
#define T2P_OUTPUT_H

#include <stdio.h>

typedef struct t2p_output {
	const char *path;  /* NULL for standard output */
	char *tmp;
	FILE *f;
	int spooled;       /* standard output goes through a temporary file */
} t2p_output;

/* Open; on failure print why (naming the path) and return -1. */
int t2p_output_open(t2p_output *o, const char *path);
/* Make the output seekable, for sinks that take back what they wrote:
 * standard output that is a pipe or a terminal is written to an anonymous
 * temporary file and copied out on commit.  Prints why on failure. */
int t2p_output_seekable(t2p_output *o);
/* Finish: flush, close and rename into place.  Prints why on failure. */
int t2p_output_commit(t2p_output *o);
/* Give up: close and remove the temporary file. */
void t2p_output_abort(t2p_output *o);

extern const char *t2p_prog;   /* program name for messages */

#endif
