/* file_lines.c - an example ctmon notifier, built outside ctmon's tree
 * against the installed SDK: appends one line per alert to a file, as
 * text (line_text) or JSON lines (line_json).
 *
 * Each batch is formatted first and written with one open/append/close, so
 * a rotated file is simply created anew.  A failed write is retryable
 * (CTMON_EIO): the outbox keeps the batch and delivers it again, so a
 * reader may see a line twice after an error - the `id` tells them apart. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ctmon/plugin.h>

#include "line_format.h"

struct file_lines {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	const char *path; /* borrowed until destroy */
	int json;
	int fsync;
};

static const struct ctmon_option file_lines_options[] = {
	{"path", CTMON_OPT_STRING, NULL, CTMON_OPTF_REQUIRED,
	 "file the lines are appended to (created with mode 0600)"},
	{"format", CTMON_OPT_STRING, "text", 0,
	 "\"text\" (one readable line) or \"json\" (JSON lines)"},
	{"fsync", CTMON_OPT_BOOL, "false", 0,
	 "flush each batch to disk before reporting it delivered"},
};

static int file_lines_create(struct ctmon_host *host,
			     const struct ctmon_host_api *api,
			     const struct ctmon_config *config, void **state)
{
	struct file_lines *st;
	const char *path = NULL, *format = NULL;
	int do_fsync = 0;

	*state = NULL;
	if (api->cfg_string(config, "path", &path) != CTMON_OK ||
	    api->cfg_string(config, "format", &format) != CTMON_OK ||
	    api->cfg_bool(config, "fsync", &do_fsync) != CTMON_OK)
		return CTMON_ECONFIG;
	if (!path[0]) {
		api->set_error(host, "%s: option \"path\" is empty",
			       api->cfg_where(config, "path"));
		return CTMON_ECONFIG;
	}
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0) {
		api->set_error(host,
			       "%s: option \"format\": \"%s\" is neither "
			       "\"text\" nor \"json\"",
			       api->cfg_where(config, "format"), format);
		return CTMON_ECONFIG;
	}
	st = calloc(1, sizeof *st);
	if (!st)
		return CTMON_ENOMEM;
	st->host = host;
	st->api = api;
	st->path = path;
	st->json = strcmp(format, "json") == 0;
	st->fsync = do_fsync;
	*state = st;
	return CTMON_OK;
}

static void file_lines_destroy(void *state) { free(state); }

/* Appends the whole buffer; 0, or an errno value. */
static int append_all(const char *path, const struct buf *b, int do_fsync)
{
	size_t off = 0;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno;
	while (off < b->len) {
		ssize_t n = write(fd, b->data + off, b->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			goto out;
		}
		off += (size_t)n;
	}
	if (do_fsync && fsync(fd) != 0)
		err = errno;
out:
	if (close(fd) != 0 && !err)
		err = errno;
	return err;
}

static int file_lines_deliver(void *state,
			      const struct ctmon_alert *const *alerts,
			      size_t n)
{
	struct file_lines *st = state;
	struct buf b = {0};
	int rc = CTMON_OK, err;

	if (n == 0)
		return CTMON_OK;
	for (size_t i = 0; i < n; i++) {
		if (st->json)
			line_json(&b, alerts[i]);
		else
			line_text(&b, alerts[i]);
	}
	if (b.failed) {
		rc = CTMON_ENOMEM;
		goto out;
	}
	err = append_all(st->path, &b, st->fsync);
	if (err) {
		st->api->set_error(st->host, "cannot append to %s: %s",
				   st->path, strerror(err));
		rc = CTMON_EIO;
		goto out;
	}
	st->api->log(st->host, CTMON_LOG_DEBUG, "%zu alerts appended to %s",
		     n, st->path);
out:
	buf_free(&b);
	return rc;
}

static const struct ctmon_notifier_ops file_lines_ops = {
	.size = sizeof(struct ctmon_notifier_ops),
	.deliver = file_lines_deliver,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_NOTIFIER, "file_lines", "1.0.0",
		    "Append one line per alert to a file",
		    file_lines_options, file_lines_create, NULL, NULL,
		    file_lines_destroy, &file_lines_ops)
