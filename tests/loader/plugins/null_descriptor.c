/* null_descriptor.c - the entry point exists but returns NULL. */
#include "test_plugin.h"

TP_ENTRY(NULL)
