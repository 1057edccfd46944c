/* typo_skel.h - comparing labels the way a reader would: a confusables
 * skeleton (UTS #39 style, with this plugin's own table), a bounded edit
 * distance, and which scripts a label mixes. */
#ifndef TYPO_SKEL_H
#define TYPO_SKEL_H

#include <stddef.h>
#include <stdint.h>

#define TYPO_SKEL_MAX 256

/* The skeleton of a label: every character replaced by the ASCII it
 * looks like (é, е and ė all become e; 0 becomes o, 1 becomes l), then
 * the look-alike pairs rn, vv and cl folded to m, w and d.  Characters
 * with no look-alike stay as they are (UTF-8).  Returns the length, or
 * -1 if out is too small. */
int typo_skeleton(const uint32_t *cps, size_t n, char *out, size_t outlen);

/* Optimal string alignment distance (edits: insert, delete, substitute,
 * swap two neighbours) between a and b if it is at most k, else k + 1.
 * Work is O(len * k). */
int typo_osa(const char *a, size_t na, const char *b, size_t nb, int k);

#define TYPO_SCRIPT_LATIN 0x1u
#define TYPO_SCRIPT_CYRILLIC 0x2u
#define TYPO_SCRIPT_GREEK 0x4u
#define TYPO_SCRIPT_OTHER 0x8u
/* The scripts of a label's letters (digits and '-' have none). */
unsigned typo_scripts(const uint32_t *cps, size_t n);

#endif
