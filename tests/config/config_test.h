/* config_test.h - helpers shared by the config tests: cmocka includes,
 * running from the data directory so messages carry short file names, and
 * golden-message loading. */
#ifndef CTM_CONFIG_TEST_H
#define CTM_CONFIG_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

#define CFG_DATA_DIR CTM_SOURCE_DIR "/tests/config/data"

/* Messages name files as the test passes them ("intervall.cfg"), so the
 * tests run inside the data directory. */
static inline int cfg_enter_data_dir(void)
{
	if (chdir(CFG_DATA_DIR) != 0) {
		fprintf(stderr, "cannot chdir to %s\n", CFG_DATA_DIR);
		return -1;
	}
	return 0;
}

/* Loads `file` and checks it fails with exactly `expected`. */
static inline void cfg_expect_load_error(const char *file,
					 const char *expected)
{
	struct ctm_config *c = (struct ctm_config *)0x1;
	struct ctm_error err;

	memset(&err, 0, sizeof err);
	assert_int_equal(ctm_config_load(file, &c, &err), CTMON_ECONFIG);
	assert_null(c);
	assert_string_equal(err.text, expected);
}

/* Loads `file` (NULL: the built-in default) and fails the test on error. */
static inline struct ctm_config *cfg_load_ok(const char *file)
{
	struct ctm_config *c = NULL;
	struct ctm_error err;

	memset(&err, 0, sizeof err);
	if (ctm_config_load(file, &c, &err) != CTMON_OK)
		fail_msg("loading %s: %s", file ? file : "(default)",
			 err.text);
	assert_non_null(c);
	return c;
}

#endif
