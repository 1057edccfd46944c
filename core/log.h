/* log.h - the core's logger: stderr, one line per message, level-filtered. */
#ifndef CTM_LOG_H
#define CTM_LOG_H

#include <stdarg.h>

#include "ctmon/plugin.h"

/* Messages above this level are dropped.  Default CTMON_LOG_INFO. */
void ctm_log_set_level(enum ctmon_log_level lvl);
enum ctmon_log_level ctm_log_get_level(void);
/* Parses "error|warn|info|debug"; returns -1 if unknown. */
int ctm_log_level_parse(const char *s);

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
