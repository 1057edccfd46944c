/* file_internal.h - the file source's state, shared by file.c (options,
 * walking paths) and file_ingest.c (one file: format, parse, emit). */
#ifndef FILE_INTERNAL_H
#define FILE_INTERNAL_H

#include <stddef.h>
#include <sys/stat.h>

#include "ct_cert.h"
#include "ct_util.h"
#include "ctmon/plugin.h"

enum file_format {
	FILE_FMT_AUTO,
	FILE_FMT_PEM,
	FILE_FMT_DER,
	FILE_FMT_CRTSH
};

struct crtsh_parser;

struct file_src {
	struct ctmon_host *host;
	const struct ctmon_host_api *api;
	const char **paths;      /* borrowed until destroy */
	size_t n_paths;
	enum file_format format;
	int recursive;
	size_t max_bytes;
	struct ct_hash *hash;
	struct ct_cert cert;
	struct crtsh_parser *crtsh;
	/* the file being read */
	struct ctmon_emitter *e;
	const char *path;
	size_t emitted;
	int rc;
};

int file_parsers_init(struct file_src *st);
void file_parsers_free(struct file_src *st);

/* Reads one regular file in its own batch; a file that cannot be parsed
 * is a warning (nothing of it stored).  Returns CTMON_OK or a store or
 * stop error. */
int file_ingest(struct file_src *st, struct ctmon_emitter *e,
		const char *path, const struct stat *sb);

void file_warn(struct file_src *st, struct ctmon_emitter *e,
	       const char *path, const char *fmt, ...) CTMON_PRINTF(4, 5);

#endif
