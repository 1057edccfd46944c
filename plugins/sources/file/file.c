/*
 * file.c - the `file` source: certificates from files people have - PEM
 * (one or many certificates), DER, and crt.sh JSON exports - given as
 * files or directories.  Each file is one batch with its cursor (size and
 * modification time), so an unchanged file is not read again and a file
 * that fails to parse leaves nothing half-stored.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file_internal.h"

static const struct ctmon_option file_options[] = {
	{"paths", CTMON_OPT_STRING_LIST, NULL, CTMON_OPTF_REQUIRED,
	 "files or directories to read (PEM, DER, crt.sh JSON exports)"},
	{"format", CTMON_OPT_STRING, "auto", 0,
	 "auto (by content), pem, der or crtsh_json"},
	{"recursive", CTMON_OPT_BOOL, "true", 0,
	 "read directories' subdirectories too"},
	{"max_file_mb", CTMON_OPT_INT, "512", 0,
	 "larger files are skipped with a warning"},
};

static int config_error(struct file_src *st, const struct ctmon_config *cfg,
			const char *key, const char *what)
{
	const char *where = st->api->cfg_where(cfg, key);

	st->api->set_error(st->host, "%s: option \"%s\": %s",
			   where ? where : "config", key, what);
	return CTMON_ECONFIG;
}

static int read_options(struct file_src *st, const struct ctmon_config *cfg)
{
	const struct ctmon_host_api *api = st->api;
	const char *fmt = "auto";
	int64_t mb = 512;

	if (api->cfg_list_len(cfg, "paths", &st->n_paths) != CTMON_OK ||
	    st->n_paths == 0)
		return config_error(st, cfg, "paths", "give at least one path");
	st->paths = calloc(st->n_paths, sizeof *st->paths);
	if (!st->paths)
		return CTMON_ENOMEM;
	for (size_t i = 0; i < st->n_paths; i++)
		if (api->cfg_list_string(cfg, "paths", i, &st->paths[i]) !=
			    CTMON_OK ||
		    !st->paths[i][0])
			return config_error(st, cfg, "paths",
					    "must be non-empty strings");
	api->cfg_string(cfg, "format", &fmt);
	if (strcmp(fmt, "auto") == 0)
		st->format = FILE_FMT_AUTO;
	else if (strcmp(fmt, "pem") == 0)
		st->format = FILE_FMT_PEM;
	else if (strcmp(fmt, "der") == 0)
		st->format = FILE_FMT_DER;
	else if (strcmp(fmt, "crtsh_json") == 0)
		st->format = FILE_FMT_CRTSH;
	else
		return config_error(st, cfg, "format",
				    "one of auto, pem, der, crtsh_json");
	if (api->cfg_bool(cfg, "recursive", &st->recursive) != CTMON_OK)
		st->recursive = 1;
	if (api->cfg_int(cfg, "max_file_mb", &mb) != CTMON_OK || mb < 1 ||
	    mb > 65536)
		return config_error(st, cfg, "max_file_mb",
				    "must be in [1, 65536]");
	st->max_bytes = (size_t)mb << 20;
	return CTMON_OK;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int visit(struct file_src *st, struct ctmon_emitter *e,
		 const char *path, int depth);

/* A directory's entries in name order, so runs are reproducible. */
static int visit_dir(struct file_src *st, struct ctmon_emitter *e,
		     const char *path, int depth)
{
	DIR *d = opendir(path);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = CTMON_OK;

	if (!d) {
		file_warn(st, e, path, "cannot open directory: %s",
			  strerror(errno));
		return CTMON_OK;
	}
	while ((de = readdir(d)) != NULL) {
		char *full;
		size_t len;
		if (de->d_name[0] == '.')
			continue; /* hidden files, "." and ".." */
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 32;
			char **g = realloc(names, nc * sizeof *g);
			if (!g) {
				rc = CTMON_ENOMEM;
				break;
			}
			names = g;
			cap = nc;
		}
		len = strlen(path) + strlen(de->d_name) + 2;
		full = malloc(len);
		if (!full) {
			rc = CTMON_ENOMEM;
			break;
		}
		snprintf(full, len, "%s/%s", path, de->d_name);
		names[n++] = full;
	}
	closedir(d);
	if (rc == CTMON_OK && n)
		qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n && rc == CTMON_OK; i++)
		rc = visit(st, e, names[i], depth + 1);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

static int visit(struct file_src *st, struct ctmon_emitter *e,
		 const char *path, int depth)
{
	struct stat sb;

	if (st->api->should_stop(st->host))
		return CTMON_ESTOPPED;
	if (stat(path, &sb) != 0) {
		file_warn(st, e, path, "cannot read: %s", strerror(errno));
		return CTMON_OK;
	}
	if (S_ISDIR(sb.st_mode)) {
		if (depth > 0 && !st->recursive)
			return CTMON_OK;
		if (depth > 32) {
			file_warn(st, e, path, "directories nested too deep");
			return CTMON_OK;
		}
		return visit_dir(st, e, path, depth);
	}
	if (!S_ISREG(sb.st_mode))
		return CTMON_OK;
	return file_ingest(st, e, path, &sb);
}

static int file_collect(void *state, const struct ctmon_watch *w,
			struct ctmon_emitter *e)
{
	struct file_src *st = state;
	int rc = CTMON_OK;

	(void)w; /* the core filters what is emitted */
	for (size_t i = 0; i < st->n_paths && rc == CTMON_OK; i++)
		rc = visit(st, e, st->paths[i], 0);
	return rc;
}

static void file_destroy(void *state)
{
	struct file_src *st = state;

	if (!st)
		return;
	free(st->paths);
	file_parsers_free(st);
	free(st);
}

static int file_create(struct ctmon_host *host,
		       const struct ctmon_host_api *api,
		       const struct ctmon_config *cfg, void **state)
{
	struct file_src *st;
	int rc;

	*state = NULL;
	if (!CTMON_HOST_HAS(api, emit_warning) ||
	    !CTMON_HOST_HAS(api, batch_abort) ||
	    !CTMON_HOST_HAS(api, get_cursor) ||
	    !CTMON_HOST_HAS(api, should_stop)) {
		if (CTMON_HOST_HAS(api, set_error))
			api->set_error(host, "the host API lacks members the "
					     "file plugin needs");
		return CTMON_EUNSUPPORTED;
	}
	st = calloc(1, sizeof *st);
	if (!st)
		return CTMON_ENOMEM;
	st->host = host;
	st->api = api;
	rc = read_options(st, cfg);
	if (rc == CTMON_OK)
		rc = file_parsers_init(st);
	if (rc != CTMON_OK) {
		file_destroy(st);
		return rc;
	}
	*state = st;
	return CTMON_OK;
}

static const struct ctmon_source_ops file_ops = {
	sizeof(struct ctmon_source_ops),
	file_collect,
};

CTMON_PLUGIN_DEFINE(CTMON_KIND_SOURCE, "file", "0.1.0",
		    "Certificates from PEM/DER files, directories and crt.sh "
		    "JSON exports",
		    file_options, file_create, NULL, NULL, file_destroy,
		    &file_ops);
