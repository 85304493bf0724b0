/*
 * output.c - see output.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

const char *t2p_prog = "trace2pprof";

int t2p_output_open(t2p_output *o, const char *path)
{
	mode_t mask;
	int fd;

	o->path = path;
	o->tmp = NULL;
	o->spooled = 0;
	o->f = path ? NULL : stdout;
	if (!path)
		return 0;
	if (!(o->tmp = malloc(strlen(path) + sizeof ".tmp.XXXXXX"))) {
		fprintf(stderr, "%s: %s: out of memory\n", t2p_prog, path);
		return -1;
	}
	strcpy(o->tmp, path);
	strcat(o->tmp, ".tmp.XXXXXX");
	fd = mkstemp(o->tmp);
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		fprintf(stderr, "%s: %s: cannot create: %s\n", t2p_prog, path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->tmp);
		o->tmp = NULL;
		return -1;
	}
	/* mkstemp makes the file private; give it the usual permissions. */
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	return 0;
}

int t2p_output_seekable(t2p_output *o)
{
	if (o->path || ftell(stdout) >= 0)
		return 0;
	if (!(o->f = tmpfile())) {
		fprintf(stderr, "%s: cannot create a temporary file: %s\n", t2p_prog,
			strerror(errno));
		return -1;
	}
	o->spooled = 1;
	return 0;
}

/* Copy the spool to standard output; 0 or -1. */
static int unspool(t2p_output *o)
{
	char buf[1 << 16];
	size_t n;
	int err;

	err = fflush(o->f) != 0 || fseek(o->f, 0, SEEK_SET) != 0;
	while (!err && (n = fread(buf, 1, sizeof buf, o->f)) > 0)
		err = fwrite(buf, 1, n, stdout) != n;
	err |= ferror(o->f);
	fclose(o->f);
	return err ? -1 : 0;
}

int t2p_output_commit(t2p_output *o)
{
	int err;

	if (!o->path) {
		err = o->spooled && unspool(o);
		o->f = NULL;
		if (!err && fflush(stdout) == 0)
			return 0;
		fprintf(stderr, "%s: standard output: %s\n", t2p_prog, strerror(errno));
		return -1;
	}
	err = fflush(o->f) != 0 || ferror(o->f);
	if (fclose(o->f) != 0)
		err = 1;
	o->f = NULL;
	if (err || rename(o->tmp, o->path) != 0) {
		fprintf(stderr, "%s: %s: cannot write: %s\n", t2p_prog, o->path, strerror(errno));
		unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
		return -1;
	}
	free(o->tmp);
	o->tmp = NULL;
	return 0;
}

void t2p_output_abort(t2p_output *o)
{
	if (!o->path) {
		if (o->spooled)
			fclose(o->f);
		fflush(stdout);
		o->f = NULL;
		return;
	}
	if (o->f)
		fclose(o->f);
	o->f = NULL;
	if (o->tmp)
		unlink(o->tmp);
	free(o->tmp);
	o->tmp = NULL;
}
