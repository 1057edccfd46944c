/* test_ratelimit.c - named token buckets and the interruptible sleep.
 * Waits are checked with lower bounds only; the upper bounds used are
 * several seconds below what a broken limiter would take. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "http.h"
#include "http_test_support.h"

static int setup(void **state)
{
	(void)state;
	ctm_http_set_stop_check(test_stop_check);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_stop_join();
	ctm_http_set_stop_check(NULL);
	ctm_rate_limit_cleanup();
	return 0;
}

static void test_burst_then_one_per_second(void **state)
{
	int64_t start = test_now_ms();

	(void)state;
	/* 60/min, burst 2: two at once, then one per second. */
	for (int i = 0; i < 4; i++)
		assert_int_equal(ctm_rate_limit("rl-burst", 60, 2), CTMON_OK);
	assert_true(test_now_ms() - start >= 1950);
}

static void test_first_call_fixes_rate(void **state)
{
	int64_t start;

	(void)state;
	assert_int_equal(ctm_rate_limit("rl-fixed", 60, 1), CTMON_OK);
	start = test_now_ms();
	/* A later, faster rate for the same name is ignored. */
	assert_int_equal(ctm_rate_limit("rl-fixed", 60000, 100), CTMON_OK);
	assert_true(test_now_ms() - start >= 900);
}

static void test_names_are_independent(void **state)
{
	int64_t start = test_now_ms();

	(void)state;
	/* At 6/min a shared bucket would make the second call wait 10 s. */
	assert_int_equal(ctm_rate_limit("rl-one", 6, 1), CTMON_OK);
	assert_int_equal(ctm_rate_limit("rl-two", 6, 1), CTMON_OK);
	assert_true(test_now_ms() - start < 5000);
}

static void test_invalid_arguments(void **state)
{
	(void)state;
	assert_int_equal(ctm_rate_limit(NULL, 60, 1), CTMON_EINVAL);
	assert_int_equal(ctm_rate_limit("", 60, 1), CTMON_EINVAL);
	assert_int_equal(ctm_rate_limit("rl-bad", 0, 1), CTMON_EINVAL);
	assert_int_equal(ctm_rate_limit("rl-bad", -5, 1), CTMON_EINVAL);
	assert_int_equal(ctm_rate_limit("rl-bad", NAN, 1), CTMON_EINVAL);
	assert_int_equal(ctm_rate_limit("rl-bad", INFINITY, 1), CTMON_EINVAL);
	assert_int_equal(ctm_rate_limit("rl-bad", 60, 0), CTMON_EINVAL);
}

static void test_stop_interrupts_wait(void **state)
{
	int64_t start;

	(void)state;
	assert_int_equal(ctm_rate_limit("rl-stop", 1, 1), CTMON_OK);
	/* The next token is a minute away; the stop comes after 200 ms. */
	assert_int_equal(test_stop_after_ms(200), 0);
	start = test_now_ms();
	assert_int_equal(ctm_rate_limit("rl-stop", 1, 1), CTMON_ESTOPPED);
	assert_true(test_now_ms() - start < 30000);
	test_stop_join();

	test_stop_set(1);
	assert_int_equal(ctm_rate_limit("rl-fresh", 60, 5), CTMON_ESTOPPED);
	test_stop_set(0);
}

struct caller {
	int rc;
};

static void *call_limit(void *arg)
{
	struct caller *c = arg;

	c->rc = ctm_rate_limit("rl-threads", 60, 1);
	return NULL;
}

static void test_threads_share_a_bucket(void **state)
{
	struct caller callers[4];
	pthread_t threads[4];
	int64_t start = test_now_ms();

	(void)state;
	for (int i = 0; i < 4; i++) {
		callers[i].rc = 1;
		assert_int_equal(pthread_create(&threads[i], NULL, call_limit,
						&callers[i]),
				 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(threads[i], NULL);
		assert_int_equal(callers[i].rc, CTMON_OK);
	}
	/* Four tokens at one per second from a burst of one. */
	assert_true(test_now_ms() - start >= 2900);
}

static void test_cleanup_forgets_buckets(void **state)
{
	int64_t start;

	(void)state;
	assert_int_equal(ctm_rate_limit("rl-again", 6, 1), CTMON_OK);
	ctm_rate_limit_cleanup();
	start = test_now_ms();
	assert_int_equal(ctm_rate_limit("rl-again", 6, 1), CTMON_OK);
	assert_true(test_now_ms() - start < 5000);
}

static void test_sleep_ms(void **state)
{
	int64_t start = test_now_ms();

	(void)state;
	assert_int_equal(ctm_sleep_ms(120), CTMON_OK);
	assert_true(test_now_ms() - start >= 120);
	assert_int_equal(ctm_sleep_ms(0), CTMON_OK);
	assert_int_equal(ctm_sleep_ms(-5), CTMON_OK);
	test_stop_set(1);
	assert_int_equal(ctm_sleep_ms(0), CTMON_ESTOPPED);
	assert_int_equal(ctm_sleep_ms(100000), CTMON_ESTOPPED);
	test_stop_set(0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_burst_then_one_per_second),
		T(test_first_call_fixes_rate),
		T(test_names_are_independent),
		T(test_invalid_arguments),
		T(test_stop_interrupts_wait),
		T(test_threads_share_a_bucket),
		T(test_cleanup_forgets_buckets),
		T(test_sleep_ms),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
