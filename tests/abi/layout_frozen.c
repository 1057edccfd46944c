/* layout_frozen.c - the ABI 1.0 list measured against the frozen ABI 1.0
 * header (compiled with -I tests/abi/v1.0 only). */
#include <stddef.h>

#include "abi_layout.h"
#include "ctmon/plugin.h"

#define STRUCT(s) {ABI_STRUCT, #s, 0, sizeof(struct s), 0},
#define FIELD(s, m)                                                         \
	{ABI_FIELD, #s "." #m, offsetof(struct s, m),                       \
	 sizeof(((struct s *)0)->m), 0},
#define CONST(c) {ABI_CONST, #c, 0, 0, (long long)(c)},

static const struct abi_entry entries[] = {
#include "v1.0/layout_1_0.inc"
};

const struct abi_entry *abi_layout_frozen(size_t *n)
{
	*n = sizeof entries / sizeof entries[0];
	return entries;
}
