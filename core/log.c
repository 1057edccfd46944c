/* log.c - stderr logger.  Whole lines are written with one fputs so
 * concurrent messages do not interleave mid-line. */
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static enum ctmon_log_level current_level = CTMON_LOG_INFO;

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

void ctm_vlog(enum ctmon_log_level lvl, const char *prefix, const char *fmt,
	      va_list ap)
{
	static const char *const tags[] = {"ERROR", "WARN", "INFO", "DEBUG"};
	char msg[2048];
	char line[2304];
	char stamp[32];
	struct tm tm;
	time_t now;

	if (lvl > current_level)
		return;
	vsnprintf(msg, sizeof msg, fmt, ap);
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	snprintf(line, sizeof line, "%s %-5s %s %s\n", stamp,
		 tags[lvl <= CTMON_LOG_DEBUG ? lvl : CTMON_LOG_DEBUG],
		 prefix ? prefix : "[core]", msg);
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
