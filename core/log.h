/* log.h - the core's logger: stderr, one line per message, level-filtered;
 * plain text, or one JSON object per line for log shippers; with syslog
 * priorities (<N>) when stderr is connected to journald. */
#ifndef CTM_LOG_H
#define CTM_LOG_H

#include <stdarg.h>

#include "ctmon/plugin.h"

/* Messages above this level are dropped.  Default CTMON_LOG_INFO. */
void ctm_log_set_level(enum ctmon_log_level lvl);
enum ctmon_log_level ctm_log_get_level(void);
/* Parses "error|warn|info|debug"; returns -1 if unknown. */
int ctm_log_level_parse(const char *s);

enum ctm_log_format {
	CTM_LOG_TEXT = 0, /* "2024-01-02T03:04:05Z INFO  [core] message" */
	CTM_LOG_JSON = 1  /* {"time":..,"level":..,"prefix":..,"message":..} */
};
void ctm_log_set_format(enum ctm_log_format f);
/* Parses "text|json"; returns -1 if unknown. */
int ctm_log_format_parse(const char *s);

/* Whether lines carry "<N>" syslog priorities for journald.  By default
 * this is detected once, at the first message: $JOURNAL_STREAM names
 * stderr's device and inode.  1 forces it on, 0 off, -1 detects again. */
void ctm_log_set_journal(int on);
/* The detection itself: 1 if stderr is the stream $JOURNAL_STREAM names. */
int ctm_log_journal_detect(void);

/* `prefix` may be NULL ("[core]" is used). */
void ctm_vlog(enum ctmon_log_level lvl, const char *prefix, const char *fmt,
	      va_list ap) CTMON_PRINTF(3, 0);
void ctm_log(enum ctmon_log_level lvl, const char *prefix, const char *fmt,
	     ...) CTMON_PRINTF(3, 4);

#define ctm_err(...) ctm_log(CTMON_LOG_ERROR, NULL, __VA_ARGS__)
#define ctm_warn(...) ctm_log(CTMON_LOG_WARN, NULL, __VA_ARGS__)
#define ctm_info(...) ctm_log(CTMON_LOG_INFO, NULL, __VA_ARGS__)
#define ctm_debug(...) ctm_log(CTMON_LOG_DEBUG, NULL, __VA_ARGS__)

#endif
