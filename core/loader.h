/* loader.h - finds, opens and vets plugin shared objects. */
#ifndef CTM_LOADER_H
#define CTM_LOADER_H

#include <stddef.h>

#include "config.h"
#include "ctmon/plugin.h"

/* A loaded plugin.  The descriptor and ops are host-side copies made with
 * the plugin's own size fields, zero-filled beyond them. */
struct ctm_plugin {
	char *path;
	void *dl;                          /* dlopen handle */
	struct ctmon_plugin desc;          /* copy, options still point into .so */
	struct ctmon_source_ops source;    /* the copy matching desc.kind */
	struct ctmon_check_ops check;
	struct ctmon_notifier_ops notifier;
};

/* Search path: the directories tried, in order, for "<name>.so". */
struct ctm_plugin_path {
	const char *dirs[8];
	size_t n;
};

/* Fills the search path: config plugin_dir if set, $CTMON_PLUGIN_DIR, then
 * the directory next to the binary's ../lib/ctmon/plugins, then the
 * compiled-in CTMON_PLUGIN_DIR. */
void ctm_plugin_path_default(struct ctm_plugin_path *p, const char *cfg_dir);

/* Loads plugin `name` (searched) or `path` (when name contains '/').
 * `expected_kind` 0 = any.  Refusals (each names the file, the plugin's ABI
 * and the host's ABI and product version, and the remedy):
 *   not found, a file or any directory up to "/" not owned by root or the
 *   invoking user or group-/world-writable (a sticky ancestor such as /tmp
 *   excepted; never the directory holding the plugin), non-regular file
 *   (all checked before dlopen, so a refused file never runs), dlopen
 *   failure (with dlerror), missing entry symbol, NULL descriptor, ABI major
 *   mismatch, minor newer than host, size below 1.0, unknown kind or kind
 *   different from expected, name different from the requested name,
 *   missing create/destroy or the kind's mandatory op, malformed option
 *   table (bad or duplicate names, unknown types).
 * Returns CTMON_OK or CTMON_ECONFIG with err set. */
int ctm_plugin_load(const struct ctm_plugin_path *p, const char *name,
		    enum ctmon_kind expected_kind, struct ctm_plugin **out,
		    struct ctm_error *err);
void ctm_plugin_unload(struct ctm_plugin *pl);

/* Lists every loadable plugin in the path (name, kind, version, desc). */
void ctm_plugin_list(const struct ctm_plugin_path *p, FILE *fp);

const char *ctm_kind_name(enum ctmon_kind k);

#endif
