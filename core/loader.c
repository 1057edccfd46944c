/* loader.c - finds a plugin's .so, refuses anything unsafe or built for
 * another ABI, and keeps host-side copies of what the plugin declares.
 *
 * Every refusal is one line that names the file, the versions involved and
 * what to do about it: an operator reading it at 3 a.m. should not need the
 * source.  The order of the checks follows docs/plugin-abi.md. */
#include "loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

#ifndef CTMON_VERSION
#define CTMON_VERSION "unknown"
#endif
#ifndef CTMON_PLUGIN_DIR
#define CTMON_PLUGIN_DIR "/usr/local/lib/ctmon/plugins"
#endif

#define HOST_MAJOR CTMON_PLUGIN_ABI_MAJOR
#define HOST_MINOR CTMON_PLUGIN_ABI_MINOR

/* Bytes up to and including `member`: the size of a struct as it was when
 * `member` was its last field. */
#define SIZE_THROUGH(type, member)                                          \
	(offsetof(type, member) + sizeof(((type *)0)->member))

/* First-release sizes: anything smaller was not built from a real header. */
#define SOURCE_OPS_SIZE_1_0 SIZE_THROUGH(struct ctmon_source_ops, collect)
#define CHECK_OPS_SIZE_1_0 SIZE_THROUGH(struct ctmon_check_ops, on_any)
#define NOTIFIER_OPS_SIZE_1_0                                               \
	SIZE_THROUGH(struct ctmon_notifier_ops, deliver)
#define OPTION_SIZE_1_0 SIZE_THROUGH(struct ctmon_option, help)
/* Just enough to read size, abi_major and abi_minor. */
#define DESC_VERSION_PREFIX SIZE_THROUGH(struct ctmon_plugin, abi_minor)

/* A sanity bound: a count above it is a corrupt descriptor, and walking it
 * would read far past the plugin's table. */
#define MAX_OPTIONS 256

/* ------------------------------------------------------------------------
 * Messages
 * ---------------------------------------------------------------------- */

static void set_err(struct ctm_error *err, const char *fmt, ...)
	CTMON_PRINTF(2, 3);

static void set_err(struct ctm_error *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof err->text, fmt, ap);
	va_end(ap);
}

/* "plugin ABI 1.0, version 1.2.0; this ctmon: ABI 1.0, ctmon 0.1.0", the
 * context every refusal after the ABI check carries.  Only call it once the
 * major version matched: another major may lay the descriptor out so that
 * `version` is not a string. */
static const char *versions(const struct ctmon_plugin *d, char *buf,
			    size_t len)
{
	snprintf(buf, len,
		 "plugin ABI %d.%d, version %s; this ctmon: ABI %d.%d, "
		 "ctmon %s",
		 d->abi_major, d->abi_minor,
		 d->version ? d->version : "unknown", HOST_MAJOR, HOST_MINOR,
		 CTMON_VERSION);
	return buf;
}

const char *ctm_kind_name(enum ctmon_kind k)
{
	switch (k) {
	case CTMON_KIND_SOURCE:
		return "source";
	case CTMON_KIND_CHECK:
		return "check";
	case CTMON_KIND_NOTIFIER:
		return "notifier";
	}
	return "unknown";
}

/* [a-z0-9_]+: plugin and option names end up in file names, config keys
 * and log prefixes, so nothing that needs quoting is allowed. */
static int valid_name(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return 0;
	return 1;
}

/* ------------------------------------------------------------------------
 * Search path
 * ---------------------------------------------------------------------- */

/* The path's strings must outlive the config and the environment they came
 * from (SIGHUP frees the config; tests change the environment), and callers
 * copy the struct freely.  So each distinct directory is copied once into
 * process-lifetime storage; the set is tiny and never shrinks. */
static pthread_mutex_t intern_lock = PTHREAD_MUTEX_INITIALIZER;
static char **interned;
static size_t n_interned;

static const char *intern(const char *s)
{
	const char *found = NULL;
	char **grown;
	char *copy;

	pthread_mutex_lock(&intern_lock);
	for (size_t i = 0; i < n_interned && !found; i++)
		if (strcmp(interned[i], s) == 0)
			found = interned[i];
	if (found)
		goto out;
	copy = ctm_strdup(s);
	grown = realloc(interned, (n_interned + 1) * sizeof *grown);
	if (!copy || !grown) {
		free(copy);
		if (grown)
			interned = grown;
		goto out;
	}
	interned = grown;
	interned[n_interned++] = copy;
	found = copy;
out:
	pthread_mutex_unlock(&intern_lock);
	return found;
}

static void path_add(struct ctm_plugin_path *p, const char *dir)
{
	const char *kept;

	if (!dir || !*dir || p->n >= sizeof p->dirs / sizeof p->dirs[0])
		return;
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->dirs[i], dir) == 0)
			return;
	kept = intern(dir);
	if (kept)
		p->dirs[p->n++] = kept;
}

/* <dir of the running binary>/../lib/ctmon/plugins, with the ".." applied,
 * so both build/bin/ctmon and <prefix>/bin/ctmon find their plugins. */
static void add_exe_relative_dir(struct ctm_plugin_path *p)
{
	char exe[PATH_MAX];
	char dir[PATH_MAX + 32];
	ssize_t n;
	char *slash;

	n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0 || (size_t)n >= sizeof exe - 1)
		return; /* unavailable or possibly truncated */
	exe[n] = '\0';
	for (int up = 0; up < 2; up++) {
		slash = strrchr(exe, '/');
		if (!slash)
			return;
		*slash = '\0';
	}
	snprintf(dir, sizeof dir, "%s/lib/ctmon/plugins", exe);
	path_add(p, dir);
}

void ctm_plugin_path_default(struct ctm_plugin_path *p, const char *cfg_dir)
{
	memset(p, 0, sizeof *p);
	path_add(p, cfg_dir);
	path_add(p, getenv("CTMON_PLUGIN_DIR"));
	add_exe_relative_dir(p);
	path_add(p, CTMON_PLUGIN_DIR);
}

static void path_join(const struct ctm_plugin_path *p, struct ctm_buf *b)
{
	if (!p || p->n == 0)
		ctm_buf_puts(b, "(no directories)");
	for (size_t i = 0; p && i < p->n; i++) {
		if (i)
			ctm_buf_puts(b, ", ");
		ctm_buf_puts(b, p->dirs[i]);
	}
}

/* Finds <dir>/<name>.so, or takes `name` as a path when it has a '/'.
 * Sets the file and the name the plugin must declare. */
static int resolve(const struct ctm_plugin_path *p, const char *name,
		   char **path, char **want, struct ctm_error *err)
{
	struct ctm_buf b;
	const char *base;
	size_t len;
	struct stat st;
	int rc = CTMON_ECONFIG;

	ctm_buf_init(&b);
	if (!name || !*name) {
		set_err(err,
			"no plugin name given: set `plugin = \"<name>\";`");
		goto out;
	}
	if (strchr(name, '/')) {
		base = strrchr(name, '/') + 1;
		len = strlen(base);
		if (len > 3 && strcmp(base + len - 3, ".so") == 0)
			len -= 3;
		*path = ctm_strdup(name);
		*want = ctm_strndup(base, len);
		rc = (*path && *want) ? CTMON_OK : CTMON_ENOMEM;
		goto out;
	}
	if (!valid_name(name)) {
		set_err(err,
			"plugin name \"%s\" is invalid: plugin names are "
			"[a-z0-9_]+ (the file is <name>.so); fix the config",
			name);
		goto out;
	}
	for (size_t i = 0; p && i < p->n; i++) {
		ctm_buf_reset(&b);
		ctm_buf_printf(&b, "%s/%s.so", p->dirs[i], name);
		if (b.oom) {
			rc = CTMON_ENOMEM;
			goto out;
		}
		/* Anything there (even unreadable or a symlink) is the
		 * candidate: silently skipping a refused file to load another
		 * one further down the path would hide the problem. */
		if (lstat(b.data, &st) == 0 ||
		    (errno != ENOENT && errno != ENOTDIR)) {
			*path = ctm_buf_take(&b);
			*want = ctm_strdup(name);
			rc = (*path && *want) ? CTMON_OK : CTMON_ENOMEM;
			goto out;
		}
	}
	ctm_buf_reset(&b);
	path_join(p, &b);
	set_err(err,
		"plugin \"%s\" not found in: %s (set plugin_dir or "
		"CTMON_PLUGIN_DIR)",
		name, b.data ? b.data : "");
out:
	if (rc == CTMON_ENOMEM)
		set_err(err, "out of memory while looking for plugin \"%s\"",
			name);
	ctm_buf_free(&b);
	return rc;
}

/* ------------------------------------------------------------------------
 * File safety: a plugin runs with ctmon's privileges, so a file or a
 * directory others can write to is a way in.
 * ---------------------------------------------------------------------- */

static const char *file_type_name(mode_t m)
{
	if (S_ISDIR(m))
		return "a directory";
	if (S_ISFIFO(m))
		return "a FIFO";
	if (S_ISSOCK(m))
		return "a socket";
	if (S_ISCHR(m))
		return "a character device";
	if (S_ISBLK(m))
		return "a block device";
	return "not a regular file";
}

/* The directory part of `path` ("." when it has none). */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return ctm_strdup(".");
	if (slash == path)
		return ctm_strdup("/");
	return ctm_strndup(path, (size_t)(slash - path));
}

/* Owned by root or by the user running ctmon (real or effective uid):
 * anyone else owning a component of the path could swap the plugin. */
static int trusted_owner(uid_t owner)
{
	return owner == 0 || owner == getuid() || owner == geteuid();
}

/* One directory of the plugin's path.  `ancestor`: a directory above the
 * one holding the plugin, where the sticky bit (as on /tmp) is enough:
 * others may add entries but cannot rename or remove ours, and ours are
 * checked in turn.  The directory holding the plugin gets no such pass. */
static int check_one_dir(const char *file, const char *dir, int ancestor,
			 struct ctm_error *err)
{
	struct stat st;

	if (stat(dir, &st) != 0) {
		set_err(err, "%s: cannot stat directory %s: %s", file, dir,
			strerror(errno));
		return CTMON_ECONFIG;
	}
	if (!trusted_owner(st.st_uid)) {
		set_err(err,
			"%s: directory %s is owned by uid %u, neither root nor "
			"the user running ctmon (uid %u): its owner could "
			"replace the plugin; run chown root %s",
			file, dir, (unsigned)st.st_uid, (unsigned)geteuid(),
			dir);
		return CTMON_ECONFIG;
	}
	if (ancestor && (st.st_mode & S_ISVTX))
		return CTMON_OK;
	if (st.st_mode & S_IWOTH) {
		set_err(err,
			"%s: directory %s is world-writable: anyone could "
			"replace the plugin; run chmod o-w %s",
			file, dir, dir);
		return CTMON_ECONFIG;
	}
	if (st.st_mode & S_IWGRP) {
		set_err(err,
			"%s: directory %s is group-writable: the group could "
			"replace the plugin; run chmod g-w %s",
			file, dir, dir);
		return CTMON_ECONFIG;
	}
	return CTMON_OK;
}

/* Every directory from the one holding `path` up to "/", canonical (no
 * symlinks, no ".."), so what is checked is what the kernel walks. */
static int check_dir_chain(const char *file, const char *path,
			   struct ctm_error *err)
{
	char *dir = dir_of(path), *real = NULL, *slash;
	int rc = CTMON_ENOMEM, ancestor = 0;

	if (!dir) {
		set_err(err, "%s: out of memory", file);
		goto out;
	}
	real = realpath(dir, NULL);
	if (!real) {
		set_err(err, "%s: cannot resolve directory %s: %s", file, dir,
			strerror(errno));
		rc = CTMON_ECONFIG;
		goto out;
	}
	for (;;) {
		rc = check_one_dir(file, real, ancestor, err);
		if (rc != CTMON_OK || strcmp(real, "/") == 0)
			goto out;
		slash = strrchr(real, '/');
		slash[slash == real ? 1 : 0] = '\0';
		ancestor = 1;
	}
out:
	free(dir);
	free(real);
	return rc;
}

/* Runs before dlopen: a refused file never has its constructors run. */
static int check_file_safety(const char *path, struct ctm_error *err)
{
	char *real = NULL;
	struct stat st;
	int rc = CTMON_ECONFIG;

	/* stat() follows a symlink: what matters is what dlopen will map. */
	if (stat(path, &st) != 0) {
		set_err(err, "%s: cannot stat: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		set_err(err,
			"%s: is %s: only regular files are loaded as plugins; "
			"point the config at the plugin's .so file",
			path, file_type_name(st.st_mode));
		goto out;
	}
	if (!trusted_owner(st.st_uid)) {
		set_err(err,
			"%s: file is owned by uid %u, neither root nor the user "
			"running ctmon (uid %u): its owner could replace it; "
			"run chown root %s",
			path, (unsigned)st.st_uid, (unsigned)geteuid(), path);
		goto out;
	}
	if (st.st_mode & S_IWOTH) {
		set_err(err,
			"%s: file is world-writable: anyone could replace it; "
			"run chmod o-w %s",
			path, path);
		goto out;
	}
	if (st.st_mode & S_IWGRP) {
		set_err(err,
			"%s: file is group-writable: the group could replace "
			"it; run chmod g-w %s",
			path, path);
		goto out;
	}
	/* Both the directories leading to the name we were given and, for a
	 * symlink, those leading to the target: either lets others swap it. */
	rc = check_dir_chain(path, path, err);
	if (rc != CTMON_OK)
		goto out;
	real = realpath(path, NULL);
	if (!real) {
		set_err(err, "%s: cannot resolve path: %s", path,
			strerror(errno));
		rc = CTMON_ECONFIG;
		goto out;
	}
	rc = check_dir_chain(path, real, err);
out:
	free(real);
	return rc;
}

/* ------------------------------------------------------------------------
 * Opening and vetting the descriptor
 * ---------------------------------------------------------------------- */

static int open_descriptor(struct ctm_plugin *pl,
			   const struct ctmon_plugin **raw,
			   struct ctm_error *err)
{
	const struct ctmon_plugin *(*entry)(void);
	const char *why;
	void *sym;

	pl->dl = dlopen(pl->path, RTLD_NOW | RTLD_LOCAL);
	if (!pl->dl) {
		why = dlerror();
		set_err(err,
			"%s: cannot be loaded: %s (this ctmon: ABI %d.%d, "
			"ctmon %s): run \"ldd %s\" to find missing libraries, "
			"or rebuild the plugin against this ctmon",
			pl->path, why ? why : "unknown dlopen error",
			HOST_MAJOR, HOST_MINOR, CTMON_VERSION, pl->path);
		return CTMON_ECONFIG;
	}
	dlerror();
	sym = dlsym(pl->dl, CTMON_PLUGIN_ENTRY_SYMBOL);
	if (!sym) {
		set_err(err,
			"%s: not a ctmon plugin: it does not export %s() "
			"(this ctmon: ABI %d.%d, ctmon %s): build it with "
			"CTMON_PLUGIN_DEFINE() from ctmon/plugin.h",
			pl->path, CTMON_PLUGIN_ENTRY_SYMBOL, HOST_MAJOR,
			HOST_MINOR, CTMON_VERSION);
		return CTMON_ECONFIG;
	}
	/* POSIX guarantees a dlsym'd function pointer fits a void *; memcpy
	 * avoids the object-to-function pointer cast ISO C leaves undefined. */
	memcpy(&entry, &sym, sizeof entry);
	*raw = entry();
	if (!*raw) {
		set_err(err,
			"%s: %s() returned NULL (this ctmon: ABI %d.%d, "
			"ctmon %s): fix the plugin to return its static "
			"descriptor (CTMON_PLUGIN_DEFINE() does)",
			pl->path, CTMON_PLUGIN_ENTRY_SYMBOL, HOST_MAJOR,
			HOST_MINOR, CTMON_VERSION);
		return CTMON_ECONFIG;
	}
	return CTMON_OK;
}

/* Copies the descriptor by the plugin's own size into the zeroed host copy,
 * then refuses other majors, newer minors and truncated descriptors. */
static int check_abi(struct ctm_plugin *pl, const struct ctmon_plugin *raw,
		     struct ctm_error *err)
{
	struct ctmon_plugin *d = &pl->desc;
	size_t size = raw->size;
	char v[256];

	memset(d, 0, sizeof *d);
	memcpy(d, raw, size < sizeof *d ? size : sizeof *d);
	if (size < DESC_VERSION_PREFIX) {
		set_err(err,
			"%s: descriptor is %zu bytes, too small to hold an ABI "
			"version (this ctmon: ABI %d.%d, ctmon %s): rebuild "
			"the plugin with CTMON_PLUGIN_DEFINE() from ctmon's "
			"plugin.h %d.x",
			pl->path, size, HOST_MAJOR, HOST_MINOR, CTMON_VERSION,
			HOST_MAJOR);
		return CTMON_ECONFIG;
	}
	if (d->abi_major != HOST_MAJOR) {
		set_err(err,
			"%s: plugin ABI %d.%d is not supported by this ctmon "
			"(ABI %d.%d, ctmon %s): rebuild the plugin against "
			"ctmon's plugin.h %d.x",
			pl->path, d->abi_major, d->abi_minor, HOST_MAJOR,
			HOST_MINOR, CTMON_VERSION, HOST_MAJOR);
		return CTMON_ECONFIG;
	}
	if (d->abi_minor > HOST_MINOR) {
		set_err(err,
			"%s: plugin built for ABI %d.%d (version %s), newer "
			"than this ctmon (ABI %d.%d, ctmon %s): upgrade ctmon "
			"or rebuild the plugin against ABI %d.%d",
			pl->path, d->abi_major, d->abi_minor,
			d->version ? d->version : "unknown", HOST_MAJOR,
			HOST_MINOR, CTMON_VERSION, HOST_MAJOR, HOST_MINOR);
		return CTMON_ECONFIG;
	}
	if (size < CTMON_PLUGIN_SIZE_1_0) {
		set_err(err,
			"%s: descriptor is %zu bytes, smaller than ABI 1.0's "
			"%zu (%s): rebuild the plugin with "
			"CTMON_PLUGIN_DEFINE() from ctmon's plugin.h %d.x",
			pl->path, size, (size_t)CTMON_PLUGIN_SIZE_1_0,
			versions(d, v, sizeof v), HOST_MAJOR);
		return CTMON_ECONFIG;
	}
	return CTMON_OK;
}

static int check_identity(const struct ctm_plugin *pl, const char *want,
			  enum ctmon_kind expected, struct ctm_error *err)
{
	const struct ctmon_plugin *d = &pl->desc;
	char v[256];

	if (d->kind < CTMON_KIND_SOURCE || d->kind > CTMON_KIND_NOTIFIER) {
		set_err(err,
			"%s: declares unknown kind %d (%s): a plugin is a "
			"source, check or notifier; fix the plugin",
			pl->path, (int)d->kind, versions(d, v, sizeof v));
		return CTMON_ECONFIG;
	}
	if (expected && d->kind != expected) {
		set_err(err,
			"%s: is a %s plugin but is configured as a %s (%s): "
			"move it to the config's %ss list",
			pl->path, ctm_kind_name(d->kind),
			ctm_kind_name(expected), versions(d, v, sizeof v),
			ctm_kind_name(d->kind));
		return CTMON_ECONFIG;
	}
	if (!valid_name(d->name)) {
		set_err(err,
			"%s: declares an invalid name \"%s\" (%s): plugin "
			"names are [a-z0-9_]+; fix the plugin",
			pl->path, d->name ? d->name : "(null)",
			versions(d, v, sizeof v));
		return CTMON_ECONFIG;
	}
	if (strcmp(d->name, want) != 0) {
		set_err(err,
			"%s: declares name \"%s\" but was loaded as \"%s\" "
			"(%s): rename the file to %s.so or fix the config",
			pl->path, d->name, want, versions(d, v, sizeof v),
			d->name);
		return CTMON_ECONFIG;
	}
	return CTMON_OK;
}

static int check_lifecycle(const struct ctm_plugin *pl,
			   struct ctm_error *err)
{
	const struct ctmon_plugin *d = &pl->desc;
	const char *missing;
	char v[256];

	if (d->create && d->destroy)
		return CTMON_OK;
	missing = d->create ? "destroy" : "create";
	set_err(err,
		"%s: does not define %s() (%s): create and destroy are "
		"mandatory; fix the plugin's CTMON_PLUGIN_DEFINE() and rebuild "
		"it",
		pl->path, missing, versions(d, v, sizeof v));
	return CTMON_ECONFIG;
}

/* Copies the kind's ops struct by its own size into the zeroed host copy
 * and checks its mandatory callback. */
static int copy_ops(struct ctm_plugin *pl, struct ctm_error *err)
{
	const struct ctmon_plugin *d = &pl->desc;
	const char *kind = ctm_kind_name(d->kind);
	const char *op = NULL;
	void *dst = NULL;
	size_t host_size = 0, min_size = 0, size;
	char v[256];

	switch (d->kind) {
	case CTMON_KIND_SOURCE:
		dst = &pl->source;
		host_size = sizeof pl->source;
		min_size = SOURCE_OPS_SIZE_1_0;
		break;
	case CTMON_KIND_CHECK:
		dst = &pl->check;
		host_size = sizeof pl->check;
		min_size = CHECK_OPS_SIZE_1_0;
		break;
	case CTMON_KIND_NOTIFIER:
		dst = &pl->notifier;
		host_size = sizeof pl->notifier;
		min_size = NOTIFIER_OPS_SIZE_1_0;
		break;
	}
	if (!dst)
		return CTMON_ECONFIG; /* check_identity refused it already */
	if (!d->ops) {
		set_err(err,
			"%s: declares no %s ops (%s): pass a struct "
			"ctmon_%s_ops to CTMON_PLUGIN_DEFINE() and rebuild",
			pl->path, kind, versions(d, v, sizeof v), kind);
		return CTMON_ECONFIG;
	}
	memcpy(&size, d->ops, sizeof size);
	if (size < min_size) {
		set_err(err,
			"%s: %s ops are %zu bytes, smaller than ABI 1.0's %zu "
			"(%s): set their size to sizeof(struct ctmon_%s_ops) "
			"and rebuild against ctmon's plugin.h %d.x",
			pl->path, kind, size, min_size,
			versions(d, v, sizeof v), kind, HOST_MAJOR);
		return CTMON_ECONFIG;
	}
	memset(dst, 0, host_size);
	memcpy(dst, d->ops, size < host_size ? size : host_size);
	if (d->kind == CTMON_KIND_SOURCE && !pl->source.collect)
		op = "collect";
	else if (d->kind == CTMON_KIND_CHECK && !pl->check.on_issuance)
		op = "on_issuance";
	else if (d->kind == CTMON_KIND_NOTIFIER && !pl->notifier.deliver)
		op = "deliver";
	if (op) {
		set_err(err,
			"%s: %s plugin does not define %s() (%s): it is "
			"mandatory for a %s; fix the plugin",
			pl->path, kind, op, versions(d, v, sizeof v), kind);
		return CTMON_ECONFIG;
	}
	return CTMON_OK;
}

/* Option i, copied by the plugin's entry size into a zeroed host entry. */
static void option_at(const struct ctmon_plugin *d, size_t i,
		      struct ctmon_option *o)
{
	size_t n = d->option_size < sizeof *o ? d->option_size : sizeof *o;

	memset(o, 0, sizeof *o);
	memcpy(o, (const char *)d->options + i * d->option_size, n);
}

static int check_options(const struct ctm_plugin *pl, struct ctm_error *err)
{
	const struct ctmon_plugin *d = &pl->desc;
	struct ctmon_option o, prev;
	char v[256];

	if (d->n_options == 0)
		return CTMON_OK;
	if (!d->options || d->n_options > MAX_OPTIONS) {
		set_err(err,
			"%s: option table is malformed: %zu options declared "
			"%s (%s): fix the plugin's option table and rebuild it",
			pl->path, d->n_options,
			d->options ? "(more than any plugin needs)"
				   : "but no table",
			versions(d, v, sizeof v));
		return CTMON_ECONFIG;
	}
	if (d->option_size < OPTION_SIZE_1_0) {
		set_err(err,
			"%s: option table is malformed: entries are %zu bytes, "
			"smaller than ABI 1.0's %zu (%s): set option_size to "
			"sizeof(struct ctmon_option) and rebuild",
			pl->path, d->option_size, (size_t)OPTION_SIZE_1_0,
			versions(d, v, sizeof v));
		return CTMON_ECONFIG;
	}
	for (size_t i = 0; i < d->n_options; i++) {
		option_at(d, i, &o);
		if (!valid_name(o.name)) {
			set_err(err,
				"%s: option table is malformed: option %zu "
				"has the invalid name \"%s\" (%s): option "
				"names are [a-z0-9_]+; fix the plugin",
				pl->path, i, o.name ? o.name : "(null)",
				versions(d, v, sizeof v));
			return CTMON_ECONFIG;
		}
		if (o.type < CTMON_OPT_STRING ||
		    o.type > CTMON_OPT_GROUP_LIST) {
			set_err(err,
				"%s: option table is malformed: option \"%s\" "
				"has unknown type %d (%s): use a "
				"CTMON_OPT_* type of ABI %d.%d and rebuild",
				pl->path, o.name, (int)o.type,
				versions(d, v, sizeof v), HOST_MAJOR,
				HOST_MINOR);
			return CTMON_ECONFIG;
		}
		for (size_t j = 0; j < i; j++) {
			option_at(d, j, &prev);
			if (strcmp(prev.name, o.name) != 0)
				continue;
			set_err(err,
				"%s: option table is malformed: option \"%s\" "
				"is declared twice (%s): remove the duplicate "
				"and rebuild the plugin",
				pl->path, o.name, versions(d, v, sizeof v));
			return CTMON_ECONFIG;
		}
	}
	return CTMON_OK;
}

/* ------------------------------------------------------------------------
 * Load, unload, list
 * ---------------------------------------------------------------------- */

int ctm_plugin_load(const struct ctm_plugin_path *p, const char *name,
		    enum ctmon_kind expected_kind, struct ctm_plugin **out,
		    struct ctm_error *err)
{
	const struct ctmon_plugin *raw = NULL;
	struct ctm_plugin *pl = NULL;
	char *path = NULL, *want = NULL;
	int rc;

	*out = NULL;
	rc = resolve(p, name, &path, &want, err);
	if (rc != CTMON_OK)
		goto out;
	rc = check_file_safety(path, err);
	if (rc != CTMON_OK)
		goto out;
	pl = calloc(1, sizeof *pl);
	if (!pl) {
		set_err(err, "%s: out of memory", path);
		rc = CTMON_ENOMEM;
		goto out;
	}
	pl->path = path;
	path = NULL;
	rc = open_descriptor(pl, &raw, err);
	if (rc == CTMON_OK)
		rc = check_abi(pl, raw, err);
	if (rc == CTMON_OK)
		rc = check_identity(pl, want, expected_kind, err);
	if (rc == CTMON_OK)
		rc = check_lifecycle(pl, err);
	if (rc == CTMON_OK)
		rc = copy_ops(pl, err);
	if (rc == CTMON_OK)
		rc = check_options(pl, err);
	if (rc != CTMON_OK)
		goto out;
	/* Callers print these with %s; an absent string is shown as "". */
	if (!pl->desc.version)
		pl->desc.version = "";
	if (!pl->desc.description)
		pl->desc.description = "";
	if (!pl->desc.build_info)
		pl->desc.build_info = "";
	*out = pl;
	pl = NULL;
out:
	ctm_plugin_unload(pl);
	free(path);
	free(want);
	return rc;
}

void ctm_plugin_unload(struct ctm_plugin *pl)
{
	const char *keep;

	if (!pl)
		return;
	/* With CTMON_NO_DLCLOSE=1 the code stays mapped, so leak reports
	 * from sanitizers and valgrind can still name the plugin's frames. */
	keep = getenv("CTMON_NO_DLCLOSE");
	if (pl->dl && !(keep && strcmp(keep, "1") == 0))
		dlclose(pl->dl);
	free(pl->path);
	free(pl);
}

static int is_so_file(const struct dirent *e)
{
	size_t len = strlen(e->d_name);

	return len > 3 && strcmp(e->d_name + len - 3, ".so") == 0;
}

static int seen_before(char *const *seen, const char *name)
{
	for (size_t i = 0; seen && seen[i]; i++)
		if (strcmp(seen[i], name) == 0)
			return 1;
	return 0;
}

/* One line per plugin (a second with its path), or the refusal. */
static void list_one(const struct ctm_plugin_path *p, const char *path,
		     const char *name, FILE *fp)
{
	struct ctm_plugin *pl = NULL;
	struct ctm_error err;

	err.text[0] = '\0';
	if (ctm_plugin_load(p, path, 0, &pl, &err) == CTMON_OK) {
		fprintf(fp, "%-20s %-9s %-10s %s\n%-20s %s\n", pl->desc.name,
			ctm_kind_name(pl->desc.kind), pl->desc.version,
			pl->desc.description, "", pl->path);
		ctm_plugin_unload(pl);
	} else {
		fprintf(fp, "%-20s %-9s %-10s not loadable: %s\n", name, "-",
			"-", err.text);
	}
}

static int list_dir(const struct ctm_plugin_path *p, const char *dir,
		    char ***seen, FILE *fp)
{
	struct dirent **ents = NULL;
	struct ctm_buf path;
	int n, shown = 0;

	ctm_buf_init(&path);
	n = scandir(dir, &ents, is_so_file, alphasort);
	for (int i = 0; i < n; i++) {
		const char *file = ents[i]->d_name;
		char name[256];

		snprintf(name, sizeof name, "%.*s", (int)(strlen(file) - 3),
			 file);
		/* The loader takes the first directory that has the name,
		 * so a later file of the same name is never used. */
		if (!seen_before(*seen, name) &&
		    ctm_strv_push(seen, name) == 0) {
			ctm_buf_reset(&path);
			ctm_buf_printf(&path, "%s/%s", dir, file);
			if (!path.oom) {
				list_one(p, path.data, name, fp);
				shown++;
			}
		}
		free(ents[i]);
	}
	free(ents);
	ctm_buf_free(&path);
	return shown;
}

void ctm_plugin_list(const struct ctm_plugin_path *p, FILE *fp)
{
	struct ctm_buf b;
	char **seen = NULL;
	int shown = 0;

	ctm_buf_init(&b);
	path_join(p, &b);
	fprintf(fp, "plugin search path: %s\n", b.data ? b.data : "");
	fprintf(fp, "%-20s %-9s %-10s %s\n", "NAME", "KIND", "VERSION",
		"DESCRIPTION / PATH");
	for (size_t i = 0; i < p->n; i++)
		shown += list_dir(p, p->dirs[i], &seen, fp);
	if (shown == 0)
		fprintf(fp, "no plugins found (set plugin_dir or "
			    "CTMON_PLUGIN_DIR)\n");
	ctm_strv_free(seen);
	ctm_buf_free(&b);
}
