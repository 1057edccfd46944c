/* typo_tables.h - the data behind candidate generation and matching:
 * fuzzer names, keyboard rows, homoglyphs, the Latin-to-Cyrillic map, the
 * confusables skeleton map, which IDN characters registries accept, and
 * the default word, TLD and keyword lists.  Data only; typo_ctx.c turns
 * it into lookup tables once per instance. */
#ifndef TYPO_TABLES_H
#define TYPO_TABLES_H

#include <stddef.h>
#include <stdint.h>

/* Fuzzers, in the order they run: a name produced by two keeps the
 * first one's name (dnstwist's order, with plural before dictionary). */
enum typo_fuzzer {
	TF_ADDITION,
	TF_BITSQUATTING,
	TF_CYRILLIC,
	TF_HOMOGLYPH,
	TF_HYPHENATION,
	TF_INSERTION,
	TF_OMISSION,
	TF_REPETITION,
	TF_REPLACEMENT,
	TF_SUBDOMAIN,
	TF_TRANSPOSITION,
	TF_VOWEL_SWAP,
	TF_PLURAL,
	TF_DICTIONARY,
	TF_TLD_SWAP,
	TF_VARIOUS,
	TF_COUNT
};

extern const char *const typo_fuzzer_names[TF_COUNT];
/* The fuzzer called `name`, or -1. */
int typo_fuzzer_by_name(const char *name);

/* Keyboard layouts as rows of keys ('_' = a key that is not a letter or
 * digit), with each row's horizontal offset in quarter keys.  Neighbours
 * are computed from the geometry (typo_ctx.c). */
#define TYPO_N_KEYBOARDS 4
struct typo_keyboard {
	const char *name;
	const char *rows[4];
	int offset_q[4];
};
extern const struct typo_keyboard typo_keyboards[TYPO_N_KEYBOARDS];

/* Homoglyphs of an ASCII character: UTF-8 strings separated by spaces,
 * or NULL. */
const char *typo_glyphs_of(char c);

/* The Cyrillic letter that looks like ASCII letter c, or 0. */
uint32_t typo_cyrillic_of(char c);

/* One entry of the skeleton map: a code point and the ASCII letters it
 * looks like.  Sorted by code point. */
struct typo_confusable {
	uint32_t cp;
	const char *ascii;
};
extern const struct typo_confusable typo_confusables[];
extern const size_t typo_n_confusables;
/* The ASCII look-alike of cp, or NULL. */
const char *typo_confusable_of(uint32_t cp);

/* What a registry lets a label contain beyond LDH ASCII. */
enum typo_idn_kind {
	TYPO_IDN_ANY = 0, /* anything IDNA2008 allows */
	TYPO_IDN_NONE,    /* no IDN at all */
	TYPO_IDN_SET      /* only the listed characters */
};
struct typo_policy_def {
	const char *suffix;  /* a public suffix or a TLD */
	enum typo_idn_kind kind;
	const char *chars;   /* TYPO_IDN_SET: the characters, UTF-8 */
	int cyrillic;        /* whole-script Cyrillic labels allowed */
	const char *registry;/* who says so, for messages */
};
extern const struct typo_policy_def typo_policies[];
extern const size_t typo_n_policies;

/* Default lists (NULL-terminated). */
extern const char *const typo_default_words[];
extern const char *const typo_default_tlds[];
extern const char *const typo_suspicious_tlds[];
extern const char *const typo_phishing_words[];

#endif
