/* abi_layout.h - the ABI 1.0 layout as measured by two compilers' views:
 * layout_frozen.c sees the frozen tests/abi/v1.0/ctmon/plugin.h,
 * layout_current.c sees include/ctmon/plugin.h.  Both tables come from the
 * same list (v1.0/layout_1_0.inc), so entry i is the same thing in both. */
#ifndef CTM_ABI_LAYOUT_H
#define CTM_ABI_LAYOUT_H

#include <stddef.h>

enum abi_entry_kind { ABI_STRUCT, ABI_FIELD, ABI_CONST };

struct abi_entry {
	enum abi_entry_kind kind;
	const char *name;   /* "ctmon_cert", "ctmon_cert.names", "CTMON_OK" */
	size_t offset;      /* fields */
	size_t size;        /* structs and fields */
	long long value;    /* constants */
};

const struct abi_entry *abi_layout_frozen(size_t *n);
const struct abi_entry *abi_layout_current(size_t *n);

#endif
