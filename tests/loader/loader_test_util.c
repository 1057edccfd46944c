/* loader_test_util.c - see loader_test_util.h. */
#include "loader_test_util.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

const char *tu_plugin_file(const char *name)
{
	static char buf[4096];

	snprintf(buf, sizeof buf, "%s/%s.so", CTM_LOADER_TEST_PLUGIN_DIR,
		 name);
	return buf;
}

char *tu_mkdtemp(void)
{
	const char *tmp = getenv("TMPDIR");
	char *dir;

	dir = tu_join(tmp && *tmp ? tmp : "/tmp", "ctm-loader-XXXXXX");
	assert_non_null(mkdtemp(dir));
	/* mkdtemp makes it 0700 already; say so for readers of the tests. */
	assert_int_equal(chmod(dir, 0700), 0);
	return dir;
}

void tu_rmtree(const char *dir)
{
	struct dirent *e;
	struct stat st;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char *p;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		p = tu_join(dir, e->d_name);
		if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
			tu_rmtree(p);
		else
			unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(dir);
}

void tu_copy(const char *from, const char *to, mode_t mode)
{
	char buf[8192];
	FILE *in, *out;
	size_t n;

	in = fopen(from, "rb");
	if (!in)
		fail_msg("cannot open %s (was the test plugin built?)", from);
	out = fopen(to, "wb");
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	assert_int_equal(ferror(in), 0);
	fclose(in);
	assert_int_equal(fclose(out), 0);
	assert_int_equal(chmod(to, mode), 0);
}

char *tu_join(const char *dir, const char *file)
{
	size_t len = strlen(dir) + strlen(file) + 2;
	char *p = malloc(len);

	assert_non_null(p);
	snprintf(p, len, "%s/%s", dir, file);
	return p;
}

void tu_path(struct ctm_plugin_path *p, const char *dir1, const char *dir2)
{
	memset(p, 0, sizeof *p);
	if (dir1)
		p->dirs[p->n++] = dir1;
	if (dir2)
		p->dirs[p->n++] = dir2;
}

void tu_assert_contains(const char *text, const char *needle)
{
	assert_non_null(text);
	if (!strstr(text, needle))
		fail_msg("expected \"%s\" in:\n  %s", needle, text);
}

void tu_assert_lacks(const char *text, const char *needle)
{
	assert_non_null(text);
	if (strstr(text, needle))
		fail_msg("did not expect \"%s\" in:\n  %s", needle, text);
}
