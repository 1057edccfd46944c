/* ratelimit.c - process-wide named token buckets, and the interruptible
 * sleep that rate limits and HTTP retries share.  Buckets live in a
 * mutex-protected list: there are a handful of them (one per remote
 * service), so a list is simpler than a hash and fast enough. */
#include <math.h> /* isfinite, a macro */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"
#include "util.h"

/* How often a sleep looks at the stop check: short enough that SIGINT
 * feels immediate, long enough not to spin. */
#define STOP_POLL_MS 50

struct bucket {
	struct bucket *next;
	char *name;
	double per_second;
	double burst;
	double tokens;
	int64_t last_ns;
};

static pthread_mutex_t buckets_lock = PTHREAD_MUTEX_INITIALIZER;
static struct bucket *buckets;
static int (*stop_check)(void);

void ctm_http_set_stop_check(int (*should_stop)(void))
{
	stop_check = should_stop;
}

static int stopping(void)
{
	int (*check)(void) = stop_check;
	return check && check();
}

static int64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int ctm_sleep_ms(int64_t ms)
{
	int64_t deadline = monotonic_ns() + (ms > 0 ? ms : 0) * 1000000;

	for (;;) {
		int64_t left_ns, step_ns;
		struct timespec ts;

		if (stopping())
			return CTMON_ESTOPPED;
		left_ns = deadline - monotonic_ns();
		if (left_ns <= 0)
			return CTMON_OK;
		step_ns = left_ns < STOP_POLL_MS * 1000000LL
				  ? left_ns
				  : STOP_POLL_MS * 1000000LL;
		ts.tv_sec = (time_t)(step_ns / 1000000000);
		ts.tv_nsec = (long)(step_ns % 1000000000);
		/* EINTR only shortens a step; the loop re-checks the clock. */
		nanosleep(&ts, NULL);
	}
}

/* Caller holds buckets_lock. */
static struct bucket *bucket_get(const char *name, double per_minute,
				 int burst, int64_t now)
{
	struct bucket *b;

	for (b = buckets; b; b = b->next)
		if (strcmp(b->name, name) == 0)
			return b;
	b = calloc(1, sizeof *b);
	if (!b)
		return NULL;
	b->name = ctm_strdup(name);
	if (!b->name) {
		free(b);
		return NULL;
	}
	b->per_second = per_minute / 60.0;
	b->burst = burst;
	b->tokens = burst;
	b->last_ns = now;
	b->next = buckets;
	buckets = b;
	return b;
}

/* Takes a token if one is there; otherwise says how long until one is.
 * Returns 0 (token taken), a wait in ms (> 0) or CTMON_ENOMEM. */
static int64_t take_token(const char *name, double per_minute, int burst)
{
	int64_t now = monotonic_ns(), wait_ms;
	struct bucket *b;

	pthread_mutex_lock(&buckets_lock);
	b = bucket_get(name, per_minute, burst, now);
	if (!b) {
		pthread_mutex_unlock(&buckets_lock);
		return CTMON_ENOMEM;
	}
	b->tokens += (double)(now - b->last_ns) / 1e9 * b->per_second;
	if (b->tokens > b->burst)
		b->tokens = b->burst;
	b->last_ns = now;
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		wait_ms = 0;
	} else {
		double ms = (1.0 - b->tokens) / b->per_second * 1000.0;

		/* Absurdly slow rates re-check hourly rather than overflow;
		 * round up by hand: ctm_http does not link libm. */
		if (ms > 3600000.0)
			ms = 3600000.0;
		wait_ms = (int64_t)ms;
		if ((double)wait_ms < ms || wait_ms < 1)
			wait_ms++;
	}
	pthread_mutex_unlock(&buckets_lock);
	return wait_ms;
}

int ctm_rate_limit(const char *name, double per_minute, int burst)
{
	if (!name || !*name || !(per_minute > 0) || !isfinite(per_minute) ||
	    burst < 1)
		return CTMON_EINVAL;
	for (;;) {
		int64_t wait_ms;
		int rc;

		if (stopping())
			return CTMON_ESTOPPED;
		wait_ms = take_token(name, per_minute, burst);
		if (wait_ms <= 0)
			return (int)wait_ms;
		/* No token is reserved while sleeping, so a stop leaves the
		 * bucket as it was and other threads compete fairly. */
		rc = ctm_sleep_ms(wait_ms);
		if (rc != CTMON_OK)
			return rc;
	}
}

void ctm_rate_limit_cleanup(void)
{
	struct bucket *b, *next;

	pthread_mutex_lock(&buckets_lock);
	for (b = buckets; b; b = next) {
		next = b->next;
		free(b->name);
		free(b);
	}
	buckets = NULL;
	pthread_mutex_unlock(&buckets_lock);
}
