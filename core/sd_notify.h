/* sd_notify.h - the systemd notification protocol (sd_notify(3)) without
 * libsystemd: one datagram of "KEY=value" lines to $NOTIFY_SOCKET. */
#ifndef CTM_SD_NOTIFY_H
#define CTM_SD_NOTIFY_H

#include <stdint.h>

#include "ctmon/plugin.h"

/* Sends `state` (e.g. "READY=1", "STOPPING=1", "WATCHDOG=1",
 * "STATUS=cycle 3 done") to $NOTIFY_SOCKET.  Returns 1 if sent, 0 if
 * $NOTIFY_SOCKET is unset (not started by systemd, nothing to do), -1 if
 * the socket name is unusable or the send failed. */
int ctm_sd_notify(const char *state);
/* The same with a printf format; the text is cut at 4 KiB. */
int ctm_sd_notifyf(const char *fmt, ...) CTMON_PRINTF(1, 2);

/* The watchdog interval systemd expects WATCHDOG=1 within, in
 * microseconds ($WATCHDOG_USEC, when $WATCHDOG_PID is unset or this
 * process), or 0 when the watchdog is off. */
int64_t ctm_sd_watchdog_usec(void);

#endif
