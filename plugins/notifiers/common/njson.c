/* njson.c - see njson.h. */
#include "njson.h"

#include <math.h>
#include <stdio.h>

#include "ntext.h"

void nj_string(struct nbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	char esc[8];

	nb_putc(b, '"');
	while (*p) {
		uint32_t cp = 0;
		size_t n = nt_utf8_decode(p, &cp);

		if (n == 0) {
			nb_puts(b, "\\ufffd");
			p++;
			continue;
		}
		p += n;
		switch (cp) {
		case '"': nb_puts(b, "\\\""); continue;
		case '\\': nb_puts(b, "\\\\"); continue;
		case '\n': nb_puts(b, "\\n"); continue;
		case '\r': nb_puts(b, "\\r"); continue;
		case '\t': nb_puts(b, "\\t"); continue;
		default: break;
		}
		if (cp < 0x20 || cp == 0x7f || cp == '<' || cp == '>' ||
		    cp == '&' || cp == 0x2028 || cp == 0x2029) {
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
			nb_puts(b, esc);
			continue;
		}
		nb_putn(b, p - n, n);
	}
	nb_putc(b, '"');
}

void nj_value(struct nbuf *b, struct json_object *o)
{
	size_t n;

	switch (json_object_get_type(o)) {
	case json_type_null:
		nb_puts(b, "null");
		break;
	case json_type_boolean:
		nb_puts(b, json_object_get_boolean(o) ? "true" : "false");
		break;
	case json_type_int:
	case json_type_double:
		/* json-c prints numbers as valid JSON numbers (a double that
		 * is not finite has no JSON form: null). */
		if (json_object_get_type(o) == json_type_double &&
		    !isfinite(json_object_get_double(o)))
			nb_puts(b, "null");
		else
			nb_puts(b, json_object_to_json_string_ext(
					   o, JSON_C_TO_STRING_PLAIN));
		break;
	case json_type_string:
		nj_string(b, json_object_get_string(o));
		break;
	case json_type_array:
		nb_putc(b, '[');
		n = json_object_array_length(o);
		for (size_t i = 0; i < n; i++) {
			if (i)
				nb_putc(b, ',');
			nj_value(b, json_object_array_get_idx(o, i));
		}
		nb_putc(b, ']');
		break;
	case json_type_object: {
		int first = 1;

		nb_putc(b, '{');
		json_object_object_foreach(o, key, val)
		{
			if (!first)
				nb_putc(b, ',');
			first = 0;
			nj_string(b, key);
			nb_putc(b, ':');
			nj_value(b, val);
		}
		nb_putc(b, '}');
		break;
	}
	}
}

int nj_add(struct json_object *obj, const char *key, struct json_object *v)
{
	if (!v)
		return -1;
	if (json_object_object_add(obj, key, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}

int nj_add_str(struct json_object *obj, const char *key, const char *s)
{
	return nj_add(obj, key, json_object_new_string(s ? s : ""));
}

int nj_push(struct json_object *arr, struct json_object *v)
{
	if (!v)
		return -1;
	if (json_object_array_add(arr, v) != 0) {
		json_object_put(v);
		return -1;
	}
	return 0;
}
