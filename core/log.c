/* log.c - stderr logger.  Whole lines are written with one fputs so
 * concurrent messages do not interleave mid-line.  Under journald the line
 * starts with its syslog priority ("<3>"), which journald strips and keeps
 * as the entry's priority; journald stamps the time itself. */
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static enum ctmon_log_level current_level = CTMON_LOG_INFO;
static enum ctm_log_format current_format = CTM_LOG_TEXT;
static int journal = -1; /* -1: not detected yet */

void ctm_log_set_level(enum ctmon_log_level lvl) { current_level = lvl; }

enum ctmon_log_level ctm_log_get_level(void) { return current_level; }

int ctm_log_level_parse(const char *s)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	for (int i = 0; i < 4; i++)
		if (s && strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

void ctm_log_set_format(enum ctm_log_format f) { current_format = f; }

int ctm_log_format_parse(const char *s)
{
	if (s && strcmp(s, "text") == 0)
		return CTM_LOG_TEXT;
	if (s && strcmp(s, "json") == 0)
		return CTM_LOG_JSON;
	return -1;
}

void ctm_log_set_journal(int on) { journal = on; }

int ctm_log_journal_detect(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	char *end;
	struct stat st;

	if (!v || !*v)
		return 0;
	dev = strtoull(v, &end, 10);
	if (end == v || *end != ':')
		return 0;
	v = end + 1;
	ino = strtoull(v, &end, 10);
	if (end == v || *end != '\0')
		return 0;
	/* The variable is inherited by children whose stderr may go
	 * elsewhere: only the very stream journald gave us counts. */
	if (fstat(STDERR_FILENO, &st) != 0)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

static void write_json(struct ctm_buf *b, const char *stamp,
		       const char *level, const char *prefix, const char *msg)
{
	ctm_buf_puts(b, "{\"time\":");
	ctm_buf_json_string(b, stamp);
	ctm_buf_puts(b, ",\"level\":");
	ctm_buf_json_string(b, level);
	ctm_buf_puts(b, ",\"prefix\":");
	ctm_buf_json_string(b, prefix);
	ctm_buf_puts(b, ",\"message\":");
	ctm_buf_json_string(b, msg);
	ctm_buf_puts(b, "}\n");
}

void ctm_vlog(enum ctmon_log_level lvl, const char *prefix, const char *fmt,
	      va_list ap)
{
	static const char *const tags[] = {"ERROR", "WARN", "INFO", "DEBUG"};
	static const char *const names[] = {"error", "warn", "info", "debug"};
	static const char *const prio[] = {"<3>", "<4>", "<6>", "<7>"};
	char msg[2048];
	char line[2304];
	char stamp[32];
	struct tm tm;
	time_t now;
	int idx = lvl <= CTMON_LOG_DEBUG ? (int)lvl : CTMON_LOG_DEBUG;
	const char *pri;

	if (lvl > current_level)
		return;
	if (idx < 0)
		idx = CTMON_LOG_ERROR;
	if (journal < 0)
		journal = ctm_log_journal_detect();
	pri = journal ? prio[idx] : "";
	vsnprintf(msg, sizeof msg, fmt, ap);
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (current_format == CTM_LOG_JSON) {
		struct ctm_buf b;

		ctm_buf_init(&b);
		ctm_buf_puts(&b, pri);
		write_json(&b, stamp, names[idx], prefix ? prefix : "[core]",
			   msg);
		if (!b.oom && b.data) {
			fputs(b.data, stderr);
			ctm_buf_free(&b);
			return;
		}
		ctm_buf_free(&b); /* out of memory: the text line below */
	}
	if (journal)
		snprintf(line, sizeof line, "%s%-5s %s %s\n", pri, tags[idx],
			 prefix ? prefix : "[core]", msg);
	else
		snprintf(line, sizeof line, "%s %-5s %s %s\n", stamp,
			 tags[idx], prefix ? prefix : "[core]", msg);
	fputs(line, stderr);
}

void ctm_log(enum ctmon_log_level lvl, const char *prefix, const char *fmt,
	     ...)
{
	va_list ap;
	va_start(ap, fmt);
	ctm_vlog(lvl, prefix, fmt, ap);
	va_end(ap);
}
