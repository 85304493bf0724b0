/*
 * progress.c - see progress.h.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "output.h"
#include "progress.h"

/* Nothing before this (seconds), then a new line this often. */
#define FIRST_AFTER 1.0
#define EVERY_MS 250

struct t2p_progress {
	uint64_t (*bytes)(const void *src);
	const void *src;
	uint64_t total;
	struct timespec start;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;     /* signalled by stop */
	int stopping;
	size_t shown;          /* length of the line on the terminal, 0 if none */
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Bytes in KiB, MiB or GiB, to 3 or 4 significant digits. */
static int size_text(char *buf, size_t size, double bytes)
{
	if (bytes >= 1024.0 * 1024 * 1024)
		return snprintf(buf, size, "%.2f GiB", bytes / (1024.0 * 1024 * 1024));
	if (bytes >= 1024.0 * 1024)
		return snprintf(buf, size, "%.1f MiB", bytes / (1024.0 * 1024));
	return snprintf(buf, size, "%.1f KiB", bytes / 1024.0);
}

void t2p_progress_line(char *buf, size_t size, uint64_t done, uint64_t total, double secs)
{
	double rate = secs > 0 ? (double)done / secs : 0;
	char read[32], of[32], speed[32], left[32] = "";

	size_text(read, sizeof read, (double)done);
	size_text(speed, sizeof speed, rate);
	if (!total) {
		snprintf(buf, size, "%s read, %s/s", read, speed);
		return;
	}
	size_text(of, sizeof of, (double)total);
	if (done < total && rate > 0) {
		unsigned long s = (unsigned long)((double)(total - done) / rate + 0.5);

		if (s < 60)
			snprintf(left, sizeof left, ", %lus left", s);
		else if (s < 3600)
			snprintf(left, sizeof left, ", %lum%02lus left", s / 60, s % 60);
		else
			snprintf(left, sizeof left, ", %luh%02lum left", s / 3600, s / 60 % 60);
	}
	/* "12.5 MiB of 300.0 MiB" says MiB once. */
	if (strcmp(read + strlen(read) - 3, of + strlen(of) - 3) == 0)
		read[strlen(read) - 4] = '\0';
	snprintf(buf, size, "%s of %s (%d%%), %s/s%s", read, of,
		 (int)(100.0 * (double)(done < total ? done : total) / (double)total), speed, left);
}

/* Write the line over the one shown, padded to cover it. */
static void show(t2p_progress *p, const char *line)
{
	char text[160];
	int n = snprintf(text, sizeof text, "\r%s: %s", t2p_prog, line);
	size_t len = n <= 0 ? 0 : (size_t)n < sizeof text ? (size_t)n - 1 : sizeof text - 2;

	fprintf(stderr, "%s%*s", text, p->shown > len ? (int)(p->shown - len) : 0, "");
	fflush(stderr);
	p->shown = len;
}

static void *run(void *arg)
{
	t2p_progress *p = arg;
	struct timespec wake = p->start;

	wake.tv_sec += (time_t)FIRST_AFTER;
	pthread_mutex_lock(&p->mu);
	while (!p->stopping) {
		char line[128];

		/* 0: signalled by stop, or woken for nothing: wait on. */
		if (pthread_cond_timedwait(&p->cv, &p->mu, &wake) == 0 || p->stopping)
			continue;
		t2p_progress_line(line, sizeof line, p->bytes(p->src), p->total,
				  seconds_since(&p->start));
		show(p, line);
		wake.tv_nsec += EVERY_MS * 1000000L;
		wake.tv_sec += wake.tv_nsec / 1000000000L;
		wake.tv_nsec %= 1000000000L;
	}
	/* Erase what was shown: the messages that follow start a clean line. */
	if (p->shown)
		fprintf(stderr, "\r%*s\r", (int)p->shown, "");
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

t2p_progress *t2p_progress_start(uint64_t (*bytes)(const void *src), const void *src,
				 uint64_t total)
{
	t2p_progress *p;
	pthread_condattr_t ca;

	if (!isatty(STDERR_FILENO) || !(p = calloc(1, sizeof *p)))
		return NULL;
	p->bytes = bytes;
	p->src = src;
	p->total = total;
	clock_gettime(CLOCK_MONOTONIC, &p->start);
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&p->thread, NULL, run, p)) {
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
		free(p);
		return NULL;
	}
	return p;
}

void t2p_progress_stop(t2p_progress *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = 1;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}
