/* typo_set.h - a set of byte strings with a 32-bit value each, kept in
 * insertion order: candidate names, match keys, allowlists.  Open
 * addressing over one string arena, so tens of thousands of short names
 * cost two allocations, not one each. */
#ifndef TYPO_SET_H
#define TYPO_SET_H

#include <stddef.h>
#include <stdint.h>

#define TYPO_NONE ((size_t)-1)

struct typo_set;

struct typo_set *typo_set_new(void);
void typo_set_free(struct typo_set *s);
/* Forgets every string, keeps the memory. */
void typo_set_clear(struct typo_set *s);

/* Adds str[0..len) with value val unless it is there.  *idx (may be NULL)
 * receives the item's index, *added (may be NULL) 1 if it was new.  An
 * existing item keeps its value.  CTMON_OK or CTMON_ENOMEM. */
int typo_set_add(struct typo_set *s, const char *str, size_t len,
		 uint32_t val, size_t *idx, int *added);
/* The index of str[0..len), or TYPO_NONE. */
size_t typo_set_find(const struct typo_set *s, const char *str, size_t len);

size_t typo_set_count(const struct typo_set *s);
/* Item i's string (NUL-terminated; valid until the next add or clear)
 * and length. */
const char *typo_set_str(const struct typo_set *s, size_t i, size_t *len);
uint32_t typo_set_val(const struct typo_set *s, size_t i);
void typo_set_set_val(struct typo_set *s, size_t i, uint32_t val);

/* The hash the set uses, for callers that precompute it. */
uint64_t typo_hash(const char *str, size_t len);

#endif
