/*
 * output.c - see output.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output.h"

const char *t2p_prog = "trace2pprof";
int t2p_quiet;

void t2p_warn(const char *fmt, ...)
{
	va_list ap;

	if (t2p_quiet)
		return;
	fprintf(stderr, "%s: ", t2p_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void forget_names(t2p_output *o)
{
	free(o->dest);
	free(o->tmp);
	o->dest = o->tmp = NULL;
}

/* Whether path is to be written in place: it exists and is not a regular
 * file (a symlink is followed: /dev/stdout may name a pipe). */
static int in_place(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

/* The file to rename onto: path, or the file its symlinks lead to, so that
 * the symlink stays one. */
static char *destination(const char *path)
{
	struct stat st;
	char *real;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) && (real = realpath(path, NULL)))
		return real;
	return strdup(path);
}

static int open_temporary(t2p_output *o)
{
	mode_t mask;
	int fd = -1;

	if ((o->dest = destination(o->path)) &&
	    (o->tmp = malloc(strlen(o->dest) + sizeof ".tmp.XXXXXX"))) {
		strcpy(o->tmp, o->dest);
		strcat(o->tmp, ".tmp.XXXXXX");
		fd = mkstemp(o->tmp);
	} else {
		errno = ENOMEM;
	}
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		fprintf(stderr, "%s: %s: cannot create: %s\n", t2p_prog, o->path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp);
		}
		forget_names(o);
		return -1;
	}
	/* mkstemp makes the file private; give it the usual permissions. */
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	return 0;
}

int t2p_output_open(t2p_output *o, const char *path)
{
	*o = (t2p_output){ .path = path };
	if (path && !in_place(path))
		return open_temporary(o);
	o->stream = path ? fopen(path, "w") : stdout;
	if (!o->stream) {
		fprintf(stderr, "%s: %s: cannot open: %s\n", t2p_prog, path, strerror(errno));
		return -1;
	}
	o->f = o->stream;
	return 0;
}

int t2p_output_seekable(t2p_output *o)
{
	if (!o->stream || ftell(o->stream) >= 0)
		return 0;
	if (!(o->f = tmpfile())) {
		o->f = o->stream;
		fprintf(stderr, "%s: cannot create a temporary file: %s\n", t2p_prog,
			strerror(errno));
		return -1;
	}
	o->spooled = 1;
	return 0;
}

/* Copy the spool to the stream and close the spool; 0 or -1. */
static int unspool(t2p_output *o)
{
	char buf[1 << 16];
	size_t n;
	int err;

	err = fflush(o->f) != 0 || fseek(o->f, 0, SEEK_SET) != 0;
	while (!err && (n = fread(buf, 1, sizeof buf, o->f)) > 0)
		err = fwrite(buf, 1, n, o->stream) != n;
	err |= ferror(o->f);
	fclose(o->f);
	return err ? -1 : 0;
}

/* Close the stream, or only flush standard output; 0 or -1. */
static int close_stream(t2p_output *o)
{
	int err = fflush(o->stream) != 0 || ferror(o->stream);

	if (o->stream != stdout && fclose(o->stream) != 0)
		err = 1;
	o->stream = o->f = NULL;
	return err ? -1 : 0;
}

int t2p_output_write_error(const t2p_output *o)
{
	fprintf(stderr, "%s: %s: write error: %s\n", t2p_prog, o->path ? o->path : "standard output",
		strerror(errno));
	return -1;
}

static int commit_in_place(t2p_output *o)
{
	int err = o->spooled && unspool(o);

	if (close_stream(o) == 0 && !err)
		return 0;
	return t2p_output_write_error(o);
}

/* Flush and close the temporary file; 0 or -1 (errno says why). */
static int close_temporary(t2p_output *o)
{
	int err = fflush(o->f) != 0 || ferror(o->f);

	if (fclose(o->f) != 0)
		err = 1;
	o->f = NULL;
	return err ? -1 : 0;
}

int t2p_output_suspend(t2p_output *o)
{
	if (o->stream || !o->f)
		return 0;
	return close_temporary(o) ? t2p_output_write_error(o) : 0;
}

int t2p_output_resume(t2p_output *o)
{
	if (o->f)
		return 0;
	if (!(o->f = fopen(o->tmp, "r+b"))) {
		fprintf(stderr, "%s: %s: cannot open again: %s\n", t2p_prog, o->path, strerror(errno));
		return -1;
	}
	return 0;
}

int t2p_output_commit(t2p_output *o)
{
	int err;

	if (o->stream)
		return commit_in_place(o);
	err = o->f && close_temporary(o);
	if (err || rename(o->tmp, o->dest) != 0) {
		fprintf(stderr, "%s: %s: cannot write: %s\n", t2p_prog, o->path, strerror(errno));
		unlink(o->tmp);
		forget_names(o);
		return -1;
	}
	forget_names(o);
	return 0;
}

void t2p_output_abort(t2p_output *o)
{
	if (o->stream) {
		if (o->spooled)
			fclose(o->f);
		close_stream(o);
		return;
	}
	if (o->f)
		fclose(o->f);
	o->f = NULL;
	if (o->tmp)
		unlink(o->tmp);
	forget_names(o);
}

/* One directory of the path, made unless it exists as a directory. */
static int make_dir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0777) == 0)
		return 0;
	if (errno == EEXIST && stat(path, &st) == 0 && !S_ISDIR(st.st_mode))
		errno = ENOTDIR;
	return errno == EEXIST ? 0 : -1;
}

int t2p_output_dir(const char *path)
{
	char *p = strdup(path);
	int rc = p ? 0 : -1;

	/* Each parent in turn, then the whole path ("a/b/" ends at "a/b"). */
	for (char *s = p ? p + 1 : NULL; s && *s && !rc; s++) {
		if (*s != '/' || s[-1] == '/')
			continue;
		*s = '\0';
		rc = make_dir(p);
		*s = '/';
	}
	if (!rc)
		rc = make_dir(p);
	if (rc)
		fprintf(stderr, "%s: %s: cannot make the directory: %s\n", t2p_prog, path,
			strerror(p ? errno : ENOMEM));
	free(p);
	return rc;
}

