/* test_log_output.c - what the logger writes on stderr: plain lines, "<N>"
 * syslog priorities only when stderr is the stream $JOURNAL_STREAM names,
 * and log_format "json" (one valid JSON object of valid UTF-8 per line,
 * whatever bytes the message held). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "log.h"

static char captured[8192];

/* Runs `fn` with stderr sent to a fresh file; the output lands in
 * `captured`.  When `journal` is set, $JOURNAL_STREAM names that file
 * (or, with journal == 2, a different inode of the same device). */
static void capture(void (*fn)(void), int journal)
{
	char path[] = "/tmp/ctm-log-XXXXXX";
	int fd = mkstemp(path), saved;
	struct stat st;
	char env[64];
	FILE *fp;
	size_t n;

	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	unsetenv("JOURNAL_STREAM");
	if (journal) {
		snprintf(env, sizeof env, "%llu:%llu",
			 (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino + (journal == 2));
		setenv("JOURNAL_STREAM", env, 1);
	}
	ctm_log_set_journal(-1);
	fn();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(fd);
	fp = fopen(path, "r");
	assert_non_null(fp);
	n = fread(captured, 1, sizeof captured - 1, fp);
	captured[n] = '\0';
	fclose(fp);
	unlink(path);
	unsetenv("JOURNAL_STREAM");
	ctm_log_set_journal(-1);
}

static void log_levels(void)
{
	ctm_log_set_level(CTMON_LOG_DEBUG);
	ctm_log(CTMON_LOG_ERROR, "[src]", "broken %d", 1);
	ctm_log(CTMON_LOG_WARN, NULL, "careful");
	ctm_log(CTMON_LOG_INFO, NULL, "fine");
	ctm_log(CTMON_LOG_DEBUG, NULL, "detail");
	ctm_log_set_level(CTMON_LOG_INFO);
}

static void test_plain_text(void **state)
{
	(void)state;
	capture(log_levels, 0);
	/* Timestamped lines, no priorities. */
	assert_null(strchr(captured, '<'));
	assert_non_null(strstr(captured, "Z ERROR [src] broken 1\n"));
	assert_non_null(strstr(captured, "Z WARN  [core] careful\n"));
	assert_non_null(strstr(captured, "Z DEBUG [core] detail\n"));
}

static void test_journal_priorities(void **state)
{
	(void)state;
	capture(log_levels, 1);
	assert_string_equal(captured, "<3>ERROR [src] broken 1\n"
				      "<4>WARN  [core] careful\n"
				      "<6>INFO  [core] fine\n"
				      "<7>DEBUG [core] detail\n");
}

static void test_journal_other_stream(void **state)
{
	(void)state;
	/* $JOURNAL_STREAM inherited from a parent whose stderr was the
	 * journal, while ours is a file: no priorities. */
	capture(log_levels, 2);
	assert_null(strchr(captured, '<'));
	setenv("JOURNAL_STREAM", "not-a-stream", 1);
	assert_int_equal(ctm_log_journal_detect(), 0);
	setenv("JOURNAL_STREAM", "12:", 1);
	assert_int_equal(ctm_log_journal_detect(), 0);
	unsetenv("JOURNAL_STREAM");
	assert_int_equal(ctm_log_journal_detect(), 0);
}

static void log_hostile(void)
{
	ctm_log_set_format(CTM_LOG_JSON);
	/* A quote, a newline, a control byte, a stray continuation byte,
	 * a truncated sequence and valid UTF-8 (é, U+00E9). */
	ctm_log(CTMON_LOG_WARN, "[crtsh]", "name \"%s\"\n\x01 \x80 \xc3 \xc3\xa9",
		"x");
	ctm_log(CTMON_LOG_INFO, NULL, "second");
	ctm_log_set_format(CTM_LOG_TEXT);
}

/* Every byte sequence in `s` is well-formed UTF-8 (no overlongs needed:
 * the logger only ever copies sequences it has validated). */
static int valid_utf8(const unsigned char *s)
{
	while (*s) {
		int n = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2
			: (*s & 0xf0) == 0xe0 ? 3 : (*s & 0xf8) == 0xf0 ? 4 : 0;
		if (n == 0)
			return 0;
		for (int i = 1; i < n; i++)
			if ((s[i] & 0xc0) != 0x80)
				return 0;
		s += n;
	}
	return 1;
}

static void check_json_line(const char *line, const char *level,
			    const char *prefix, const char *message)
{
	struct json_object *o = json_tokener_parse(line), *v;

	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "time", &v));
	assert_int_equal(strlen(json_object_get_string(v)), 20);
	assert_true(json_object_object_get_ex(o, "level", &v));
	assert_string_equal(json_object_get_string(v), level);
	assert_true(json_object_object_get_ex(o, "prefix", &v));
	assert_string_equal(json_object_get_string(v), prefix);
	assert_true(json_object_object_get_ex(o, "message", &v));
	assert_string_equal(json_object_get_string(v), message);
	json_object_put(o);
}

static void test_json_lines(void **state)
{
	char *second;
	(void)state;

	capture(log_hostile, 0);
	assert_true(valid_utf8((const unsigned char *)captured));
	/* Exactly two lines: the newline in the message is escaped. */
	second = strchr(captured, '\n');
	assert_non_null(second);
	*second++ = '\0';
	assert_non_null(strchr(second, '\n'));
	assert_string_equal(strchr(second, '\n'), "\n");
	check_json_line(captured, "warn", "[crtsh]",
			"name \"x\"\n\x01 \xef\xbf\xbd \xef\xbf\xbd \xc3\xa9");
	check_json_line(second, "info", "[core]", "second");
}

static void test_json_under_journal(void **state)
{
	(void)state;
	capture(log_hostile, 1);
	assert_memory_equal(captured, "<4>{\"time\":", 11);
	assert_non_null(strstr(captured, "\n<6>{\"time\":"));
}

static void test_format_parse(void **state)
{
	(void)state;
	assert_int_equal(ctm_log_format_parse("text"), CTM_LOG_TEXT);
	assert_int_equal(ctm_log_format_parse("json"), CTM_LOG_JSON);
	assert_int_equal(ctm_log_format_parse("JSON "), -1);
	assert_int_equal(ctm_log_format_parse(NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_text),
		cmocka_unit_test(test_journal_priorities),
		cmocka_unit_test(test_journal_other_stream),
		cmocka_unit_test(test_json_lines),
		cmocka_unit_test(test_json_under_journal),
		cmocka_unit_test(test_format_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
