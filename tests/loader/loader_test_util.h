/* loader_test_util.h - scratch directories, file copies and message
 * checks shared by the loader tests. */
#ifndef CTM_LOADER_TEST_UTIL_H
#define CTM_LOADER_TEST_UTIL_H

#include <sys/types.h>

#include "loader.h"

/* "<test plugin dir>/<name>.so" in static storage (one at a time). */
const char *tu_plugin_file(const char *name);

/* A fresh mode-0700 directory under $TMPDIR or /tmp; caller frees and
 * removes it with tu_rmtree. */
char *tu_mkdtemp(void);
/* Removes `dir` and everything under it. */
void tu_rmtree(const char *dir);

/* Copies a file to `to` and sets its mode. */
void tu_copy(const char *from, const char *to, mode_t mode);
/* "<dir>/<file>" into a malloc'd string. */
char *tu_join(const char *dir, const char *file);

/* A search path holding just these directories. */
void tu_path(struct ctm_plugin_path *p, const char *dir1, const char *dir2);

/* Fails the test, showing the whole text, unless `needle` is in it. */
void tu_assert_contains(const char *text, const char *needle);
void tu_assert_lacks(const char *text, const char *needle);

#endif
