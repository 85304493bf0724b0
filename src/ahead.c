/*
 * ahead.c - reading ahead on a thread of its own (see ahead.h).
 *
 * A ring of blocks: the reader's thread fills block `produced % NBLOCKS`
 * while the caller's thread drains block `consumed % NBLOCKS`; the reader
 * waits when the ring is full, the caller when it is empty.
 *
 * How the two wait for each other (docs/read-ahead.md has the figures).
 * They run at different speeds (for -pprof=sched the reader does about two
 * thirds of the work), so the faster one catches up on nearly every block;
 * parked in the kernel each time, as with a mutex and condition variables,
 * it cost a futex wake on the slower side at each hand-off and, on a VM, a
 * halted vCPU to wake.  So the counters are atomics in cache lines of their
 * own, read without a lock; a side that finds the ring empty (or full)
 * first spins, for about a block's time at most, which on a quiet machine
 * covers the gap, and only then parks, until half the ring is ready, so
 * that even a side that keeps parking is woken once every NBLOCKS / 2
 * blocks, not at each.  The other side takes the mutex and signals only
 * when it sees a side parked.
 *
 * Where the records are made.  Stored straight into the ring, amid the
 * reader's work, each record's store waited for its cache line, which the
 * caller's core had read last: on the 40 MB benchmark trace the reader's
 * thread took 200 ms of CPU with the caller on the other CPU, against 135
 * ms taking turns with it on one.  So the reader makes a block's records in
 * a room of its own, which stays in its core's caches, and copies them into
 * the ring once the block is full, with streaming stores: they go to memory
 * without fetching the lines first (an ordinary copy: 166 ms; streaming:
 * 148 ms; the caller's CPU the same, reading them from memory).
 * docs/read-ahead.md has the runs.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* sched_getaffinity, sched_getcpu, pthread_attr_setaffinity_np */
#endif
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "ahead.h"

/* The sanitizers do not see streaming stores: they check the plain copy
 * (GCC says they are on with macros, clang with __has_feature). */
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer) || __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#if defined(__x86_64__) && !defined(SANITIZED)
#include <emmintrin.h>
#define STREAMING_STORES 1
#endif

#ifdef GT_AHEAD_BLOCK_RECORDS /* ThreadSanitizer's build makes blocks small */
#define BLOCK_RECORDS GT_AHEAD_BLOCK_RECORDS
#else
#define BLOCK_RECORDS 4096
#endif
#define NBLOCKS 4
#ifdef GT_AHEAD_SPIN_NS /* ThreadSanitizer's build parks more often */
#define SPIN_NS GT_AHEAD_SPIN_NS
#else
#define SPIN_NS 200000
#endif
#define SPIN_MIN_NS (SPIN_NS / 32)
#define PROBE_EVERY 16
#define CHUNK_SIZE 16384
#define CACHE_LINE 64
#define NOT_PARKED SIZE_MAX

/* Copies of the strings of a block's records. */
typedef struct str_chunk {
	struct str_chunk *next;  /* the chunk filled before this one */
	size_t size, used;
	char data[];
} str_chunk;

typedef struct ah_block {
	ah_rec rec[BLOCK_RECORDS];
	ah_long longs[BLOCK_RECORDS]; /* the first nlong are rec's long ones */
	size_t n, nlong;
	gt_status status;  /* GT_OK, or how the records end after these */
	str_chunk *strings;/* the chunk being filled, first */
	ah_rec *room;      /* where the reader makes rec: struct ahead's */
} ah_block;

enum side { READER, CALLER };

/* A counter one side writes and the other reads, alone in its cache line:
 * shared with what the reading side writes, each store would take the line
 * from the other core. */
typedef struct counter {
	alignas(CACHE_LINE) atomic_size_t n;
} counter;

struct ahead {
	ah_fill_fn *fill;
	void *arg;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t wake[2];     /* by side: a parked side is signalled */
	counter produced, consumed; /* blocks, counting up */
	/* By side: while parked, the count of the other side's blocks it waits
	 * for; NOT_PARKED otherwise.  Written under mu, read without it. */
	counter parked[2];
	/* By side: how long it spins before it parks (await). */
	struct {
		alignas(CACHE_LINE) uint64_t ns;
		unsigned waits;
	} spin[2];
	atomic_int ended;           /* the last block is filled */
	atomic_int stop;            /* the caller wants no more */
	int retired;                /* the thread is joined: produced is final */
#ifdef __linux__
	int apart;                  /* the thread's CPUs are cpus (keep_apart) */
	cpu_set_t cpus;
#endif
	alignas(CACHE_LINE) ah_block *cur; /* the block being drained, NULL at first */
	const ah_rec *next, *end;   /* its records not handed out yet */
	ah_block blocks[NBLOCKS];
	alignas(CACHE_LINE) ah_rec room[BLOCK_RECORDS]; /* the reader's own */
};

/* Copy *s into b's chunks and point it at the copy.  -1 if out of memory. */
static int keep(ah_block *b, gt_str *s)
{
	str_chunk *c = b->strings;

	if (!s->len)
		return 0;
	if (!c || c->size - c->used < s->len) {
		size_t size = s->len > CHUNK_SIZE ? s->len : CHUNK_SIZE;

		if (!(c = malloc(sizeof *c + size)))
			return -1;
		c->next = b->strings;
		c->size = size;
		c->used = 0;
		b->strings = c;
	}
	memcpy(c->data + c->used, s->ptr, s->len);
	s->ptr = c->data + c->used;
	c->used += s->len;
	return 0;
}

/* Forget b's strings, keeping the first chunk for the next fill. */
static void reset_strings(ah_block *b)
{
	str_chunk *c = b->strings;

	while (c && c->next) {
		str_chunk *next = c->next;

		free(c);
		c = next;
	}
	if (c)
		c->used = 0;
	b->strings = c;
}

ah_rec *ah_block_room(ah_block *b, size_t *n)
{
	reset_strings(b);
	b->nlong = 0;
	*n = BLOCK_RECORDS;
	return b->room;
}

ah_long *ah_block_long(ah_block *b, ah_rec *rec)
{
	rec->type = AH_LONG;
	rec->id = (int64_t)b->nlong;
	return &b->longs[b->nlong++];
}

int ah_block_keep(ah_block *b, ah_long *l)
{
	for (unsigned i = 0; i < l->rs.nstrs; i++)
		if (keep(b, &l->rs.str[i]))
			return -1;
	return 0;
}

/* Copy n records made in the reader's room into the ring. */
static void publish(ah_rec *ring, const ah_rec *room, size_t n)
{
#ifdef STREAMING_STORES
	const char *from = (const char *)room;
	char *to = (char *)ring;

	for (size_t i = 0; i < n * sizeof *room; i += sizeof(long long)) {
		long long word;

		memcpy(&word, from + i, sizeof word);
		_mm_stream_si64((long long *)(void *)(to + i), word);
	}
	_mm_sfence(); /* streaming stores are not ordered by the release of the block */
#else
	memcpy(ring, room, n * sizeof *room);
#endif
}

void ah_block_filled(ah_block *b, size_t n, gt_status status)
{
	publish(b->rec, b->room, n);
	b->n = n;
	b->status = status;
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Whether side may go on: the other side's count has reached want, or it
 * will not move any more (the reader ended, the caller stopped). */
static int ready(ahead *a, enum side side, size_t want)
{
	if (side == CALLER)
		return atomic_load(&a->produced.n) >= want || atomic_load(&a->ended);
	return atomic_load(&a->consumed.n) >= want || atomic_load(&a->stop);
}

/* Wait until the other side's count reaches soon: spinning for a while,
 * then parked until it reaches later (or the other side is done).
 *
 * How long to spin adapts, as glibc's adaptive mutexes do: a spin that saw
 * the count move lets the next one spin twice as long (up to SPIN_NS, about
 * a block's time on the machines we measured), one that did not halves it
 * (down to SPIN_MIN_NS); every PROBE_EVERY-th wait spins the longest, so
 * that a machine grown quiet is noticed.  On a quiet machine the gap is
 * shorter than a block and nearly every wait ends spinning; on one shared
 * with other work the other side is often off its CPU for milliseconds,
 * and spinning for it would only burn the time slices others need.
 *
 * No wake-up is lost: the parked side stores its want, then looks at the
 * count; the other side stores the count, then looks at the want (all
 * sequentially consistent), so one of the two sees the other's store; and
 * the want is taken back under mu, which the parked side holds from its
 * store to its wait.  (The store must come before the look: the other way
 * round, the count could move in between, unseen by both; ThreadSanitizer's
 * slow runs hung on it.) */
static void await(ahead *a, enum side side, size_t soon, size_t later)
{
	uint64_t *spin = &a->spin[side].ns, limit;

	if (ready(a, side, soon))
		return;
	limit = ++a->spin[side].waits % PROBE_EVERY ? *spin : SPIN_NS;
	for (uint64_t start = now_ns(), t = start; t - start < limit; t = now_ns())
		for (int i = 0; i < 64; i++) {
			cpu_relax();
			if (ready(a, side, soon)) {
				*spin = *spin * 2 < SPIN_NS ? *spin * 2 : SPIN_NS;
				return;
			}
		}
	*spin = *spin / 2 > SPIN_MIN_NS ? *spin / 2 : SPIN_MIN_NS;
	pthread_mutex_lock(&a->mu);
	atomic_store(&a->parked[side].n, later);
	while (!ready(a, side, later)) {
		pthread_cond_wait(&a->wake[side], &a->mu);
		atomic_store(&a->parked[side].n, later); /* the waker took it back */
	}
	atomic_store(&a->parked[side].n, NOT_PARKED);
	pthread_mutex_unlock(&a->mu);
}

/* The other side of side's has moved its count to n (or is done): wake
 * side if it is parked for it, once.  The signal is sent after unlocking,
 * so that the thread woken does not wait at once for the mutex (which
 * doubled the futex calls). */
static void wake(ahead *a, enum side side, size_t n, int done)
{
	size_t want = atomic_load(&a->parked[side].n);

	if (want == NOT_PARKED || (n < want && !done))
		return;
	pthread_mutex_lock(&a->mu);
	if ((want = atomic_load(&a->parked[side].n)) != NOT_PARKED)
		atomic_store(&a->parked[side].n, NOT_PARKED);
	pthread_mutex_unlock(&a->mu);
	if (want != NOT_PARKED)
		pthread_cond_signal(&a->wake[side]);
}

static void *read_ahead(void *arg)
{
	ahead *a = arg;

	for (size_t i = 0;; i++) {
		ah_block *b = &a->blocks[i % NBLOCKS];
		int last;

		/* Block i is free once the caller has drained block
		 * i - NBLOCKS; parked, the reader waits for half the ring. */
		if (i >= NBLOCKS)
			await(a, READER, i - NBLOCKS + 1, i - NBLOCKS / 2);
		if (atomic_load(&a->stop))
			return NULL;
		a->fill(a->arg, b);
		last = b->status != GT_OK;
		atomic_store(&a->produced.n, i + 1);
		if (last)
			atomic_store(&a->ended, 1);
		wake(a, CALLER, i + 1, last);
		if (last)
			return NULL;
	}
}

static void free_ahead(ahead *a)
{
	for (int i = 0; i < NBLOCKS; i++) {
		reset_strings(&a->blocks[i]);
		free(a->blocks[i].strings);
	}
	pthread_cond_destroy(&a->wake[CALLER]);
	pthread_cond_destroy(&a->wake[READER]);
	pthread_mutex_destroy(&a->mu);
	munmap(a, sizeof *a);
}

int ah_worth_a_thread(void)
{
#ifdef __linux__
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof set, &set) == 0)
		return CPU_COUNT(&set) > 1;
#endif
	return sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

/* The thread runs on the CPUs the caller may use but the one the caller
 * runs on, and follows it.  Left free, the thread shared the caller's CPU
 * at the start in half the runs on the 40 MB trace, for 7 ms and more
 * (1.25-1.3 times the time of reading alone: the two took turns), long
 * enough for the reader to measure it slower and retire it: Linux starts a
 * thread on its creator's CPU, and a wake-up from a park may pull the woken
 * side onto the waker's CPU; the load balancer took that long to part
 * them.  Started elsewhere, the caller could still be pulled onto the
 * thread's CPU, so the caller checks at each block (keep_apart): a look at
 * the CPU it runs on, and a system call when it must move the thread.
 * docs/read-ahead.md, item 9. */
#ifdef __linux__
static int apart_from_caller(cpu_set_t *set)
{
	int cpu = sched_getcpu();

	if (cpu < 0 || cpu >= CPU_SETSIZE || sched_getaffinity(0, sizeof *set, set))
		return 0;
	CPU_CLR(cpu, set);
	return CPU_COUNT(set) > 0;
}

static void keep_apart(ahead *a)
{
	int cpu = sched_getcpu();
	cpu_set_t set;

	if (a->apart && cpu >= 0 && cpu < CPU_SETSIZE && CPU_ISSET(cpu, &a->cpus) &&
	    apart_from_caller(&set) && !pthread_setaffinity_np(a->thread, sizeof set, &set))
		a->cpus = set;
}

static int start_apart(ahead *a)
{
	pthread_attr_t attr;

	if (apart_from_caller(&a->cpus) && pthread_attr_init(&attr) == 0) {
		a->apart = !pthread_attr_setaffinity_np(&attr, sizeof a->cpus, &a->cpus) &&
			   !pthread_create(&a->thread, &attr, read_ahead, a);
		pthread_attr_destroy(&attr);
		if (a->apart)
			return 0;
	}
	return pthread_create(&a->thread, NULL, read_ahead, a) ? -1 : 0;
}
#else
static void keep_apart(ahead *a)
{
	(void)a;
}

static int start_apart(ahead *a)
{
	return pthread_create(&a->thread, NULL, read_ahead, a) ? -1 : 0;
}
#endif

ahead *ah_start(ah_fill_fn *fill, void *arg)
{
	/* Mapped, not allocated: its pages (3 MB, most of them the room for
	 * long records, seldom used) are zero and take memory only once
	 * touched, and are given back when it is freed, so a thread started
	 * again after a retirement does not grow the heap. */
	ahead *a = mmap(NULL, sizeof *a, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (a == MAP_FAILED)
		return NULL;
	for (int i = 0; i < NBLOCKS; i++)
		a->blocks[i].room = a->room;
	a->fill = fill;
	a->arg = arg;
	atomic_init(&a->produced.n, 0);
	atomic_init(&a->consumed.n, 0);
	atomic_init(&a->parked[READER].n, NOT_PARKED);
	atomic_init(&a->parked[CALLER].n, NOT_PARKED);
	a->spin[READER].ns = a->spin[CALLER].ns = SPIN_NS;
	atomic_init(&a->ended, 0);
	atomic_init(&a->stop, 0);
	pthread_mutex_init(&a->mu, NULL);
	pthread_cond_init(&a->wake[READER], NULL);
	pthread_cond_init(&a->wake[CALLER], NULL);
	if (start_apart(a)) {
		free_ahead(a);
		return NULL;
	}
	return a;
}

/* ah_next() once the block is drained: give it back, and take the next one
 * once the reader has filled it (parked, when half the ring is).  Retired,
 * the blocks left are all there is. */
static GT_NOINLINE const ah_rec *next_block(ahead *a, gt_status *status)
{
	for (;;) {
		size_t consumed = atomic_load_explicit(&a->consumed.n, memory_order_relaxed);

		if (a->cur) {
			if (a->cur->status != GT_OK) {
				*status = a->cur->status;
				return NULL;
			}
			atomic_store(&a->consumed.n, ++consumed);
			if (!a->retired)
				wake(a, READER, consumed, 0);
		}
		if (!a->retired) {
			keep_apart(a);
			await(a, CALLER, consumed + 1, consumed + NBLOCKS / 2);
		} else if (consumed == atomic_load(&a->produced.n)) {
			a->cur = NULL;
			*status = GT_OK;
			return NULL;
		}
		a->cur = &a->blocks[consumed % NBLOCKS];
		a->next = a->cur->rec;
		a->end = a->cur->rec + a->cur->n;
		if (a->next < a->end)
			return a->next++;
	}
}

const ah_rec *ah_next(ahead *a, gt_status *status)
{
	return a->next < a->end ? a->next++ : next_block(a, status);
}

const ah_long *ah_long_of(const ahead *a, const ah_rec *rec)
{
	return &a->cur->longs[rec->id];
}

/* The thread stops after the block it is filling. */
void ah_retire(ahead *a)
{
	if (a->retired)
		return;
	atomic_store(&a->stop, 1);
	wake(a, READER, 0, 1);
	pthread_join(a->thread, NULL);
	a->retired = 1;
}

void ah_stop(ahead *a)
{
	ah_retire(a);
	free_ahead(a);
}
