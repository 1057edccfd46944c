/* config_default.c - the configuration ctmon runs with when no file is
 * given.  config/ctmon.cfg documents the same values; a test loads both and
 * compares them, so change them together. */
#include "config.h"

static const char default_text[] =
	"database = \"ct_monitor.db\";\n"
	"domains  = [ ];\n"
	"interval = 900;\n"
	"\n"
	"sources = (\n"
	"  { plugin = \"crtsh\";\n"
	"    config = { url = \"https://crt.sh/\"; exclude_expired = false; };"
	" }\n"
	");\n"
	"checks = (\n"
	"  { plugin = \"unauthorized_ca\"; },\n"
	"  { plugin = \"new_subdomain\"; },\n"
	"  { plugin = \"wildcard\"; },\n"
	"  { plugin = \"short_lived\"; config = { threshold_hours = 24; }; },\n"
	"  { plugin = \"expiring\";    config = { days = [ 30, 14, 7 ]; }; },\n"
	"  { plugin = \"typosquat\";   enabled = false; }\n"
	");\n"
	"notifiers = (\n"
	"  { plugin = \"stdout\"; config = { format = \"text\"; }; }\n"
	");\n";

const char *ctm_config_default_text(void) { return default_text; }
