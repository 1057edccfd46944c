/* config_internal.h - what config.c (files, instances, CLI overrides) and
 * config_validate.c (option tables, config views, getters) share.  Not
 * installed; libconfig types stay inside the config module. */
#ifndef CTM_CONFIG_INTERNAL_H
#define CTM_CONFIG_INTERNAL_H

#include <libconfig.h>
#include <stddef.h>

#include "config.h"

/* File names for settings that did not come from a file. */
#define CTM_CFG_BUILTIN "<built-in>"
#define CTM_CFG_CMDLINE "<command line>"

/* "file:line" of a setting into buf.  Settings parsed from the built-in
 * text have no file ("<built-in>"); settings added by CLI overrides have
 * neither file nor line ("<command line>:0"). */
void ctm_cfg_loc(const config_setting_t *s, char *buf, size_t len);
/* The file part of that location (static or owned by the config_t). */
const char *ctm_cfg_loc_file(const config_setting_t *s);

/* "int", "string", "group", ... for a libconfig setting type. */
const char *ctm_cfg_type_name(int type);
/* "source", "check", "notifier". */
const char *ctm_cfg_kind_word(enum ctmon_kind kind);

/* The candidate nearest to `key` when it is close enough to be a likely
 * typo, else NULL.  `cands` is NULL-terminated. */
const char *ctm_cfg_suggest(const char *key, const char *const *cands);
/* Formats " (did you mean \"x\"?)" or "" into buf. */
void ctm_cfg_suggestion_text(const char *key, const char *const *cands,
			     char *buf, size_t len);

/* Deep-copies src as member `name` of dst_parent (name ignored when the
 * parent is a list or array).  Returns the copy or NULL. */
config_setting_t *ctm_cfg_copy_setting(config_setting_t *dst_parent,
				       const char *name,
				       const config_setting_t *src);
/* Parses libconfig value text ("30", "\"x\"", "[1, 2]") by reading
 * "value = <text>;" into scratch (initialised by the caller).  Returns the
 * setting or NULL; libconfig's message is then config_error_text(). */
config_setting_t *ctm_cfg_parse_value(config_t *scratch, const char *text);

/* Frees a validated config view and its nested views. */
void ctm_cfg_view_free(struct ctmon_config *v);

#endif
