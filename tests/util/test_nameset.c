/* test_nameset.c - the per-cycle (domain, name) set: membership, growth
 * past many resizes, the bound, and reuse after clear. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "nameset.h"

static void test_add_and_find(void **state)
{
	struct ctm_nameset s;
	(void)state;
	ctm_nameset_init(&s, 1000);
	assert_int_equal(ctm_nameset_add(&s, "example.com", "www.example.com"), 1);
	assert_int_equal(ctm_nameset_add(&s, "example.com", "www.example.com"), 0);
	/* The pair is the key: same name under another domain is new, and
	 * the split between the two strings matters. */
	assert_int_equal(ctm_nameset_add(&s, "www.example.com", "www.example.com"), 1);
	assert_int_equal(ctm_nameset_add(&s, "example.comw", "ww.example.com"), 1);
	assert_int_equal(s.n, 3);
	ctm_nameset_clear(&s);
}

static void test_growth(void **state)
{
	struct ctm_nameset s;
	char name[64];
	(void)state;
	ctm_nameset_init(&s, 100000);
	for (int i = 0; i < 50000; i++) {
		snprintf(name, sizeof name, "h%d.example.com", i);
		assert_int_equal(ctm_nameset_add(&s, "example.com", name), 1);
	}
	for (int i = 0; i < 50000; i += 7) {
		snprintf(name, sizeof name, "h%d.example.com", i);
		assert_int_equal(ctm_nameset_add(&s, "example.com", name), 0);
	}
	assert_int_equal(s.n, 50000);
	ctm_nameset_clear(&s);
}

static void test_bound_and_clear(void **state)
{
	struct ctm_nameset s;
	(void)state;
	ctm_nameset_init(&s, 2);
	assert_int_equal(ctm_nameset_add(&s, "d", "a.d"), 1);
	assert_int_equal(ctm_nameset_add(&s, "d", "b.d"), 1);
	/* Full: the caller must do the work itself. */
	assert_int_equal(ctm_nameset_add(&s, "d", "c.d"), -1);
	assert_int_equal(ctm_nameset_add(&s, "d", "a.d"), -1);
	ctm_nameset_clear(&s);
	assert_int_equal(s.n, 0);
	assert_int_equal(ctm_nameset_add(&s, "d", "a.d"), 1);
	ctm_nameset_clear(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_and_find),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_bound_and_clear),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
