/* typo_tables.c - see typo_tables.h.  The homoglyph repertoire holds every
 * look-alike Debian's dnstwist (0~20221213) substitutes, so ctmon's set
 * contains dnstwist's, plus a few it misses (o: ò ô õ, i: î); the
 * skeleton map folds those, their diacritic relatives, Greek, Cyrillic
 * and Armenian look-alikes and small capitals to ASCII (UTS #39 style,
 * with the gaps shared/docs/typosquat.md lists filled: ӏ->l, ԍ->g, ь->b,
 * ƿ->p, ƅ->b). */
#include "typo_tables.h"

#include <stdlib.h>
#include <string.h>

const char *const typo_fuzzer_names[TF_COUNT] = {
	"addition",    "bitsquatting", "cyrillic",      "homoglyph",
	"hyphenation", "insertion",    "omission",      "repetition",
	"replacement", "subdomain",    "transposition", "vowel-swap",
	"plural",      "dictionary",   "tld-swap",      "various",
};

int typo_fuzzer_by_name(const char *name)
{
	for (int i = 0; i < TF_COUNT; i++)
		if (strcmp(typo_fuzzer_names[i], name) == 0)
			return i;
	return -1;
}

/* Rows from the number row down; a staggered keyboard shifts each row
 * right by a quarter to a half key. */
const struct typo_keyboard typo_keyboards[TYPO_N_KEYBOARDS] = {
	{"qwerty", {"1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm"},
	 {0, 2, 3, 5}},
	{"qwertz", {"1234567890", "qwertzuiop", "asdfghjkl", "yxcvbnm"},
	 {0, 2, 3, 5}},
	{"azerty", {"1234567890", "azertyuiop", "qsdfghjklm", "wxcvbn"},
	 {0, 2, 3, 5}},
	{"dvorak", {"1234567890", "___pyfgcrl", "aoeuidhtns", "_qjkxbmwvz"},
	 {0, 2, 3, 5}},
};

const char *typo_glyphs_of(char c)
{
	switch (c) {
	case '0': return "o";
	case '1': return "l i";
	case '2': return "ƻ";
	case '3': return "8";
	case '5': return "ƽ";
	case '6': return "9";
	case '8': return "3";
	case '9': return "6";
	case 'a': return "à á â ã ä å ɑ ạ ǎ ă ȧ ą ə";
	case 'b': return "d lb ʙ ɓ ḃ ḅ ḇ ƅ";
	case 'c': return "e ƈ ċ ć ç č ĉ ᴄ";
	case 'd': return "b cl dl ɗ đ ď ɖ ḑ ḋ ḍ ḏ ḓ";
	case 'e': return "c é è ê ë ē ĕ ě ė ẹ ę ȩ ɇ ḛ";
	case 'f': return "ƒ ḟ";
	case 'g': return "q ɢ ɡ ġ ğ ǵ ģ ĝ ǧ ǥ";
	case 'h': return "lh ĥ ȟ ħ ɦ ḧ ḩ ⱨ ḣ ḥ ḫ ẖ";
	case 'i': return "1 l í ì ï ı ɩ ǐ ĭ ỉ ị ɨ ȋ ī ɪ î";
	case 'j': return "ʝ ǰ ɉ ĵ";
	case 'k': return "lk ik lc ḳ ḵ ⱪ ķ ᴋ";
	case 'l': return "1 i ɫ ł";
	case 'm': return "n nn rn rr ṁ ṃ ᴍ ɱ ḿ";
	case 'n': return "m r ń ṅ ṇ ṉ ñ ņ ǹ ň ꞑ";
	case 'o': return "0 ȯ ọ ỏ ơ ó ö ᴏ ò ô õ";
	case 'p': return "ƿ ƥ ṕ ṗ";
	case 'q': return "g ʠ";
	case 'r': return "ʀ ɼ ɽ ŕ ŗ ř ɍ ɾ ȓ ȑ ṙ ṛ ṟ";
	case 's': return "ʂ ś ṣ ṡ ș ŝ š ꜱ";
	case 't': return "ţ ŧ ṫ ṭ ț ƫ";
	case 'u': return "ᴜ ǔ ŭ ü ʉ ù ú û ũ ū ų ư ů ű ȕ ȗ ụ";
	case 'v': return "ṿ ⱱ ᶌ ṽ ⱴ ᴠ";
	case 'w': return "vv ŵ ẁ ẃ ẅ ⱳ ẇ ẉ ẘ ᴡ";
	case 'x': return "ẋ ẍ";
	case 'y': return "ʏ ý ÿ ŷ ƴ ȳ ɏ ỿ ẏ ỵ";
	case 'z': return "ʐ ż ź ᴢ ƶ ẓ ẕ ⱬ";
	default: return NULL;
	}
}

uint32_t typo_cyrillic_of(char c)
{
	switch (c) {
	case 'a': return 0x0430;
	case 'b': return 0x044c;
	case 'c': return 0x0441;
	case 'd': return 0x0501;
	case 'e': return 0x0435;
	case 'g': return 0x050d;
	case 'h': return 0x04bb;
	case 'i': return 0x0456;
	case 'j': return 0x0458;
	case 'k': return 0x043a;
	case 'l': return 0x04cf;
	case 'm': return 0x043c;
	case 'o': return 0x043e;
	case 'p': return 0x0440;
	case 'q': return 0x051b;
	case 's': return 0x0455;
	case 't': return 0x0442;
	case 'v': return 0x0475;
	case 'w': return 0x051d;
	case 'x': return 0x0445;
	case 'y': return 0x0443;
	default: return 0;
	}
}

const struct typo_confusable typo_confusables[] = {
	/* Latin-1 Supplement */
	{0x00df, "ss"}, {0x00e0, "a"}, {0x00e1, "a"}, {0x00e2, "a"},
	{0x00e3, "a"}, {0x00e4, "a"}, {0x00e5, "a"}, {0x00e6, "ae"},
	{0x00e7, "c"}, {0x00e8, "e"}, {0x00e9, "e"}, {0x00ea, "e"},
	{0x00eb, "e"}, {0x00ec, "i"}, {0x00ed, "i"}, {0x00ee, "i"},
	{0x00ef, "i"}, {0x00f0, "d"}, {0x00f1, "n"}, {0x00f2, "o"},
	{0x00f3, "o"}, {0x00f4, "o"}, {0x00f5, "o"}, {0x00f6, "o"},
	{0x00f8, "o"}, {0x00f9, "u"}, {0x00fa, "u"}, {0x00fb, "u"},
	{0x00fc, "u"}, {0x00fd, "y"}, {0x00fe, "p"}, {0x00ff, "y"},
	/* Latin Extended-A */
	{0x0101, "a"}, {0x0103, "a"}, {0x0105, "a"}, {0x0107, "c"},
	{0x0109, "c"}, {0x010b, "c"}, {0x010d, "c"}, {0x010f, "d"},
	{0x0111, "d"}, {0x0113, "e"}, {0x0115, "e"}, {0x0117, "e"},
	{0x0119, "e"}, {0x011b, "e"}, {0x011d, "g"}, {0x011f, "g"},
	{0x0121, "g"}, {0x0123, "g"}, {0x0125, "h"}, {0x0127, "h"},
	{0x0129, "i"}, {0x012b, "i"}, {0x012d, "i"}, {0x012f, "i"},
	{0x0131, "i"}, {0x0133, "ij"}, {0x0135, "j"}, {0x0137, "k"},
	{0x0138, "k"}, {0x013a, "l"}, {0x013c, "l"}, {0x013e, "l"},
	{0x0140, "l"}, {0x0142, "l"}, {0x0144, "n"}, {0x0146, "n"},
	{0x0148, "n"}, {0x0149, "n"}, {0x014b, "n"}, {0x014d, "o"},
	{0x014f, "o"}, {0x0151, "o"}, {0x0153, "oe"}, {0x0155, "r"},
	{0x0157, "r"}, {0x0159, "r"}, {0x015b, "s"}, {0x015d, "s"},
	{0x015f, "s"}, {0x0161, "s"}, {0x0163, "t"}, {0x0165, "t"},
	{0x0167, "t"}, {0x0169, "u"}, {0x016b, "u"}, {0x016d, "u"},
	{0x016f, "u"}, {0x0171, "u"}, {0x0173, "u"}, {0x0175, "w"},
	{0x0177, "y"}, {0x017a, "z"}, {0x017c, "z"}, {0x017e, "z"},
	{0x017f, "f"},
	/* Latin Extended-B */
	{0x0180, "b"}, {0x0183, "b"}, {0x0185, "b"}, {0x0188, "c"},
	{0x018c, "d"}, {0x0192, "f"}, {0x0199, "k"}, {0x019a, "l"},
	{0x019e, "n"}, {0x01a1, "o"}, {0x01a5, "p"}, {0x01ab, "t"},
	{0x01ad, "t"}, {0x01b0, "u"}, {0x01b4, "y"}, {0x01b6, "z"},
	{0x01bb, "2"}, {0x01bd, "5"}, {0x01bf, "p"}, {0x01ce, "a"},
	{0x01d0, "i"}, {0x01d2, "o"}, {0x01d4, "u"}, {0x01d6, "u"},
	{0x01d8, "u"}, {0x01da, "u"}, {0x01dc, "u"}, {0x01df, "a"},
	{0x01e1, "a"}, {0x01e5, "g"}, {0x01e7, "g"}, {0x01e9, "k"},
	{0x01eb, "o"}, {0x01ed, "o"}, {0x01f0, "j"}, {0x01f5, "g"},
	{0x01f9, "n"}, {0x01fb, "a"}, {0x01ff, "o"}, {0x0201, "a"},
	{0x0203, "a"}, {0x0205, "e"}, {0x0207, "e"}, {0x0209, "i"},
	{0x020b, "i"}, {0x020d, "o"}, {0x020f, "o"}, {0x0211, "r"},
	{0x0213, "r"}, {0x0215, "u"}, {0x0217, "u"}, {0x0219, "s"},
	{0x021b, "t"}, {0x021f, "h"}, {0x0227, "a"}, {0x0229, "e"},
	{0x022f, "o"}, {0x0231, "o"}, {0x0233, "y"}, {0x0237, "j"},
	{0x0247, "e"}, {0x0249, "j"}, {0x024d, "r"}, {0x024f, "y"},
	/* IPA Extensions */
	{0x0251, "a"}, {0x0253, "b"}, {0x0255, "c"}, {0x0256, "d"},
	{0x0257, "d"}, {0x0259, "a"}, {0x025b, "e"}, {0x0260, "g"},
	{0x0261, "g"}, {0x0262, "g"}, {0x0266, "h"}, {0x0268, "i"},
	{0x0269, "i"}, {0x026a, "i"}, {0x026b, "l"}, {0x026d, "l"},
	{0x0271, "m"}, {0x0272, "n"}, {0x0273, "n"}, {0x0274, "n"},
	{0x0275, "o"}, {0x027c, "r"}, {0x027d, "r"}, {0x027e, "r"},
	{0x0280, "r"}, {0x0282, "s"}, {0x0288, "t"}, {0x0289, "u"},
	{0x028b, "v"}, {0x028f, "y"}, {0x0290, "z"}, {0x0291, "z"},
	{0x0299, "b"}, {0x029c, "h"}, {0x029d, "j"}, {0x029f, "l"},
	{0x02a0, "q"},
	/* Greek */
	{0x03ac, "a"}, {0x03ad, "e"}, {0x03af, "i"}, {0x03b1, "a"},
	{0x03b2, "b"}, {0x03b3, "y"}, {0x03b5, "e"}, {0x03b9, "i"},
	{0x03ba, "k"}, {0x03bd, "v"}, {0x03bf, "o"}, {0x03c1, "p"},
	{0x03c4, "t"}, {0x03c5, "u"}, {0x03c7, "x"}, {0x03c9, "w"},
	{0x03ca, "i"}, {0x03cb, "u"}, {0x03cc, "o"}, {0x03cd, "u"},
	{0x03f2, "c"}, {0x03f3, "j"},
	/* Cyrillic */
	{0x0430, "a"}, {0x0432, "b"}, {0x0433, "r"}, {0x0435, "e"},
	{0x043a, "k"}, {0x043c, "m"}, {0x043d, "h"}, {0x043e, "o"},
	{0x043f, "n"}, {0x0440, "p"}, {0x0441, "c"}, {0x0442, "t"},
	{0x0443, "y"}, {0x0445, "x"}, {0x044c, "b"}, {0x0450, "e"},
	{0x0451, "e"}, {0x0455, "s"}, {0x0456, "i"}, {0x0457, "i"},
	{0x0458, "j"}, {0x045b, "h"}, {0x0461, "w"}, {0x0475, "v"},
	{0x0491, "r"}, {0x049b, "k"}, {0x04af, "y"}, {0x04bb, "h"},
	{0x04bd, "e"}, {0x04cf, "l"}, {0x04d1, "a"}, {0x04d3, "a"},
	{0x04e7, "o"}, {0x04e9, "o"}, {0x0501, "d"}, {0x050d, "g"},
	{0x051b, "q"}, {0x051d, "w"},
	/* Armenian */
	{0x0570, "h"}, {0x0578, "n"}, {0x057d, "u"}, {0x0585, "o"},
	/* Phonetic Extensions: small capitals */
	{0x1d00, "a"}, {0x1d04, "c"}, {0x1d05, "d"}, {0x1d07, "e"},
	{0x1d0a, "j"}, {0x1d0b, "k"}, {0x1d0c, "l"}, {0x1d0d, "m"},
	{0x1d0f, "o"}, {0x1d18, "p"}, {0x1d1b, "t"}, {0x1d1c, "u"},
	{0x1d20, "v"}, {0x1d21, "w"}, {0x1d22, "z"}, {0x1d8c, "v"},
	/* Latin Extended Additional */
	{0x1e01, "a"}, {0x1e03, "b"}, {0x1e05, "b"}, {0x1e07, "b"},
	{0x1e09, "c"}, {0x1e0b, "d"}, {0x1e0d, "d"}, {0x1e0f, "d"},
	{0x1e11, "d"}, {0x1e13, "d"}, {0x1e15, "e"}, {0x1e17, "e"},
	{0x1e19, "e"}, {0x1e1b, "e"}, {0x1e1d, "e"}, {0x1e1f, "f"},
	{0x1e21, "g"}, {0x1e23, "h"}, {0x1e25, "h"}, {0x1e27, "h"},
	{0x1e29, "h"}, {0x1e2b, "h"}, {0x1e2d, "i"}, {0x1e2f, "i"},
	{0x1e31, "k"}, {0x1e33, "k"}, {0x1e35, "k"}, {0x1e37, "l"},
	{0x1e39, "l"}, {0x1e3b, "l"}, {0x1e3d, "l"}, {0x1e3f, "m"},
	{0x1e41, "m"}, {0x1e43, "m"}, {0x1e45, "n"}, {0x1e47, "n"},
	{0x1e49, "n"}, {0x1e4b, "n"}, {0x1e4d, "o"}, {0x1e4f, "o"},
	{0x1e51, "o"}, {0x1e53, "o"}, {0x1e55, "p"}, {0x1e57, "p"},
	{0x1e59, "r"}, {0x1e5b, "r"}, {0x1e5d, "r"}, {0x1e5f, "r"},
	{0x1e61, "s"}, {0x1e63, "s"}, {0x1e65, "s"}, {0x1e67, "s"},
	{0x1e69, "s"}, {0x1e6b, "t"}, {0x1e6d, "t"}, {0x1e6f, "t"},
	{0x1e71, "t"}, {0x1e73, "u"}, {0x1e75, "u"}, {0x1e77, "u"},
	{0x1e79, "u"}, {0x1e7b, "u"}, {0x1e7d, "v"}, {0x1e7f, "v"},
	{0x1e81, "w"}, {0x1e83, "w"}, {0x1e85, "w"}, {0x1e87, "w"},
	{0x1e89, "w"}, {0x1e8b, "x"}, {0x1e8d, "x"}, {0x1e8f, "y"},
	{0x1e91, "z"}, {0x1e93, "z"}, {0x1e95, "z"}, {0x1e96, "h"},
	{0x1e97, "t"}, {0x1e98, "w"}, {0x1e99, "y"}, {0x1ea1, "a"},
	{0x1ea3, "a"}, {0x1ea5, "a"}, {0x1ea7, "a"}, {0x1ea9, "a"},
	{0x1eab, "a"}, {0x1ead, "a"}, {0x1eaf, "a"}, {0x1eb1, "a"},
	{0x1eb3, "a"}, {0x1eb5, "a"}, {0x1eb7, "a"}, {0x1eb9, "e"},
	{0x1ebb, "e"}, {0x1ebd, "e"}, {0x1ebf, "e"}, {0x1ec1, "e"},
	{0x1ec3, "e"}, {0x1ec5, "e"}, {0x1ec7, "e"}, {0x1ec9, "i"},
	{0x1ecb, "i"}, {0x1ecd, "o"}, {0x1ecf, "o"}, {0x1ed1, "o"},
	{0x1ed3, "o"}, {0x1ed5, "o"}, {0x1ed7, "o"}, {0x1ed9, "o"},
	{0x1edb, "o"}, {0x1edd, "o"}, {0x1edf, "o"}, {0x1ee1, "o"},
	{0x1ee3, "o"}, {0x1ee5, "u"}, {0x1ee7, "u"}, {0x1ee9, "u"},
	{0x1eeb, "u"}, {0x1eed, "u"}, {0x1eef, "u"}, {0x1ef1, "u"},
	{0x1ef3, "y"}, {0x1ef5, "y"}, {0x1ef7, "y"}, {0x1ef9, "y"},
	{0x1eff, "y"},
	/* Latin Extended-C */
	{0x2c61, "l"}, {0x2c65, "a"}, {0x2c66, "t"}, {0x2c68, "h"},
	{0x2c6a, "k"}, {0x2c6c, "z"}, {0x2c71, "v"}, {0x2c73, "w"},
	{0x2c74, "v"},
	/* Latin Extended-D */
	{0xa731, "s"}, {0xa791, "n"},
};
const size_t typo_n_confusables =
	sizeof typo_confusables / sizeof typo_confusables[0];

static int cmp_cp(const void *key, const void *elem)
{
	uint32_t k = *(const uint32_t *)key;
	uint32_t e = ((const struct typo_confusable *)elem)->cp;
	return k < e ? -1 : k > e;
}

const char *typo_confusable_of(uint32_t cp)
{
	const struct typo_confusable *c =
		bsearch(&cp, typo_confusables, typo_n_confusables,
			sizeof typo_confusables[0], cmp_cp);
	return c ? c->ascii : NULL;
}

/* German-style Latin repertoire (DENIC's list; SWITCH and nic.at accept
 * the same letters). */
#define LATIN_DE                                                           \
	"áàăâåäãąāæćĉčċçďđéèĕêěëėęēĝğġģĥħíìĭîïĩįīıĵķĺľļłńňñņŋóòŏôöőõøōœĸŕř" \
	"ŗśŝšşťţŧúùŭûůüűũųūŵýŷÿźžżðþß"
#define LATIN_FR "àáâãäåæçèéêëìíîïñòóôõöœùúûüýÿ"

/* Looked up by the whole suffix first, then by its last label.  Suffixes
 * not listed take anything IDNA2008 allows (Verisign's .com/.net and most
 * gTLDs accept many scripts). */
const struct typo_policy_def typo_policies[] = {
	{"uk", TYPO_IDN_NONE, NULL, 0, "Nominet registers no IDNs"},
	{"us", TYPO_IDN_NONE, NULL, 0, "usTLD registers no IDNs"},
	{"gov", TYPO_IDN_NONE, NULL, 0, ".gov registers no IDNs"},
	{"edu", TYPO_IDN_NONE, NULL, 0, "EDUCAUSE registers no IDNs"},
	{"mil", TYPO_IDN_NONE, NULL, 0, ".mil registers no IDNs"},
	{"nl", TYPO_IDN_NONE, NULL, 0, "SIDN registers no IDNs"},
	{"cz", TYPO_IDN_NONE, NULL, 0, "CZ.NIC registers no IDNs"},
	{"sk", TYPO_IDN_NONE, NULL, 0, "SK-NIC registers no IDNs"},
	{"au", TYPO_IDN_NONE, NULL, 0, "auDA registers no IDNs"},
	{"ad", TYPO_IDN_NONE, NULL, 0, ".ad registers no IDNs"},
	{"jp", TYPO_IDN_NONE, NULL, 0, "JPRS registers Japanese IDNs only"},
	{"cn", TYPO_IDN_NONE, NULL, 0, "CNNIC registers Chinese IDNs only"},
	{"tw", TYPO_IDN_NONE, NULL, 0, "TWNIC registers Chinese IDNs only"},
	{"kr", TYPO_IDN_NONE, NULL, 0, "KISA registers Hangul IDNs only"},
	{"de", TYPO_IDN_SET, LATIN_DE, 0, "DENIC's Latin list"},
	{"ch", TYPO_IDN_SET, LATIN_DE, 0, "SWITCH's Latin list"},
	{"li", TYPO_IDN_SET, LATIN_DE, 0, "SWITCH's Latin list"},
	{"at", TYPO_IDN_SET, LATIN_DE, 0, "nic.at's Latin list"},
	{"info", TYPO_IDN_SET, LATIN_DE, 0, "Afilias' Latin tables"},
	{"eu", TYPO_IDN_SET, LATIN_DE, 1, "EURid: EU languages"},
	{"fr", TYPO_IDN_SET, LATIN_FR, 0, "AFNIC's list"},
	{"be", TYPO_IDN_SET, LATIN_FR, 0, "DNS Belgium's list"},
	{"ca", TYPO_IDN_SET, "àâæçéèêëîïôœùûüÿ", 0, "CIRA: French letters"},
	{"dk", TYPO_IDN_SET, "æøåäöüé", 0, "Punktum dk's list"},
	{"no", TYPO_IDN_SET, "àáäåæçčđéèêŋńñóòôöøšŧüž", 0, "Norid's list"},
	{"se", TYPO_IDN_SET, "àáäåæçđéèëŋñöøšŧüž", 0, "Internetstiftelsen"},
	{"fi", TYPO_IDN_SET, "åäöšžâčđǧǥǩŋõáæøüé", 0, "Traficom's list"},
	{"pl", TYPO_IDN_SET, "ąćęłńóśźż", 0, "NASK: Polish letters"},
	{"es", TYPO_IDN_SET, "áàéèíïñóòúüç", 0, "Red.es' list"},
	{"br", TYPO_IDN_SET, "àáâãéêíóôõúüç", 0, "Registro.br's list"},
	{"pt", TYPO_IDN_SET, "àáâãçéêíóôõú", 0, "DNS.PT's list"},
	{"it", TYPO_IDN_SET, "àâäèéêëìîïòôöùûüæœçÿ", 0, "Registro .it"},
	{"ru", TYPO_IDN_NONE, NULL, 0, ".ru: IDNs live under .рф"},
};
const size_t typo_n_policies = sizeof typo_policies / sizeof typo_policies[0];

/* Combosquatting words (Kintis et al.: the most abused kind). */
const char *const typo_default_words[] = {
	"login", "secure", "account", "support", "verify", "online", "mail",
	"app",   "pay",    "shop",    "web",     "help",   "update", "auth",
	"signin", "portal", "my",     "www",     NULL,
};

const char *const typo_default_tlds[] = {
	"com", "net", "org", "info", "biz", "co",  "io",   "app",
	"online", "site", "xyz", "top", "shop", "us", "de", "eu", NULL,
};

/* Cheap TLDs phishing favours (phishing_catcher's list, trimmed). */
const char *const typo_suspicious_tlds[] = {
	"tk",   "ml",     "ga",      "cf",    "gq",    "xyz",  "top",
	"work", "click",  "link",    "online", "site", "live", "support",
	"icu",  "buzz",   "rest",    "zip",   "mov",   "cam",  "country",
	"kim",  "science", "party",  "review", "loan", "men",  "date",
	"win",  "bid",    "stream",  "download", "racing", NULL,
};

const char *const typo_phishing_words[] = {
	"login",   "signin",  "logon",    "secure",  "account", "verify",
	"verification", "update", "support", "auth",  "wallet",  "password",
	"billing", "invoice", "payment",  "recovery", "unlock", "confirm",
	"webscr",  "banking", "service",  "security", NULL,
};
