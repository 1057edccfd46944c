/* no_entry.c - a shared object that is not a ctmon plugin: it exports a
 * function, but not ctmon_plugin_entry. */
#include "ctmon/plugin.h"

CTMON_EXPORT int not_a_plugin(void);
int not_a_plugin(void) { return 7; }
