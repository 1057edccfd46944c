/* file_ingest.c - one file of the file source: see file_internal.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crtsh_parse.h"
#include "file_internal.h"

void file_warn(struct file_src *st, struct ctmon_emitter *e,
	       const char *path, const char *fmt, ...)
{
	char msg[768], line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(line, sizeof line, "%s: %s", path, msg);
	st->api->emit_warning(e, NULL, line);
}

static int on_crtsh(void *ctx, const struct crtsh_record *rec)
{
	struct file_src *st = ctx;
	struct ctmon_cert c;

	crtsh_record_to_cert(rec, &c);
	st->rc = st->api->emit_cert(st->e, &c);
	if (st->rc == CTMON_OK)
		st->emitted++;
	return st->rc;
}

int file_parsers_init(struct file_src *st)
{
	ct_cert_init(&st->cert);
	st->hash = ct_hash_new();
	st->crtsh = crtsh_parser_new(on_crtsh, st);
	return st->hash && st->crtsh ? CTMON_OK : CTMON_ENOMEM;
}

void file_parsers_free(struct file_src *st)
{
	ct_cert_free(&st->cert);
	ct_hash_free(st->hash);
	crtsh_parser_free(st->crtsh);
}

/* Emits one DER certificate; CTMON_EFORMAT if it does not parse. */
static int emit_der(struct file_src *st, const uint8_t *der, size_t len,
		    int is_precert)
{
	int rc = ct_cert_parse(&st->cert, st->hash, der, len, 0, der, len);

	if (rc != CTMON_OK)
		return rc;
	st->cert.c.is_precert = is_precert;
	rc = st->api->emit_cert(st->e, &st->cert.c);
	if (rc == CTMON_OK)
		st->emitted++;
	return rc;
}

static int is_precert(X509 *x)
{
	return X509_get_ext_by_NID(x, NID_ct_precert_poison, -1) >= 0;
}

static int read_pem(struct file_src *st, const char *buf, size_t len)
{
	BIO *b = BIO_new_mem_buf(buf, (int)len);
	X509 *x;
	int rc = CTMON_OK;

	if (!b)
		return CTMON_ENOMEM;
	while (rc == CTMON_OK && (x = PEM_read_bio_X509(b, NULL, NULL, NULL))) {
		unsigned char *der = NULL;
		int n = i2d_X509(x, &der);
		rc = n > 0 ? emit_der(st, der, (size_t)n, is_precert(x))
			   : CTMON_EFORMAT;
		OPENSSL_free(der);
		X509_free(x);
	}
	/* The loop ends on "no more PEM blocks": not an error. */
	ERR_clear_error();
	BIO_free(b);
	if (rc == CTMON_OK && st->emitted == 0)
		rc = CTMON_EFORMAT;
	return rc;
}

static int read_der(struct file_src *st, const uint8_t *buf, size_t len)
{
	const unsigned char *p = buf;
	X509 *x = d2i_X509(NULL, &p, (long)len);
	int rc = CTMON_EFORMAT;

	if (x && p == buf + len)
		rc = emit_der(st, buf, len, is_precert(x));
	X509_free(x);
	ERR_clear_error();
	return rc;
}

static int read_crtsh(struct file_src *st, const char *buf, size_t len)
{
	int rc;

	crtsh_parser_reset(st->crtsh);
	st->rc = CTMON_OK;
	rc = crtsh_parser_feed(st->crtsh, buf, len);
	if (rc == CTMON_OK)
		rc = crtsh_parser_finish(st->crtsh);
	/* An emit error is the store's, not the file's. */
	return st->rc != CTMON_OK ? st->rc : rc;
}

static enum file_format sniff(const char *buf, size_t len)
{
	size_t i = 0;

	while (i < len && (buf[i] == ' ' || buf[i] == '\n' || buf[i] == '\r' ||
			   buf[i] == '\t'))
		i++;
	if (i < len && (buf[i] == '[' || buf[i] == '{'))
		return FILE_FMT_CRTSH;
	if (len && (unsigned char)buf[0] == 0x30)
		return FILE_FMT_DER;
	return FILE_FMT_PEM;
}

static int slurp(const char *path, size_t size, char **out)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	int rc = CTMON_EIO;

	if (!f)
		return CTMON_EIO;
	buf = malloc(size + 1);
	if (!buf) {
		fclose(f);
		return CTMON_ENOMEM;
	}
	if (fread(buf, 1, size, f) == size) {
		buf[size] = '\0';
		*out = buf;
		rc = CTMON_OK;
	} else {
		free(buf);
	}
	fclose(f);
	return rc;
}

int file_ingest(struct file_src *st, struct ctmon_emitter *e,
		const char *path, const struct stat *sb)
{
	const struct ctmon_host_api *api = st->api;
	char key[4200], stamp[96], *seen = NULL, *buf = NULL;
	size_t size = (size_t)sb->st_size;
	enum file_format fmt;
	int rc;

	/* The file's identity for the cursor: size and mtime. */
	snprintf(key, sizeof key, "f:%s", path);
	snprintf(stamp, sizeof stamp, "%zu:%lld.%09ld", size,
		 (long long)sb->st_mtim.tv_sec, (long)sb->st_mtim.tv_nsec);
	if (api->get_cursor(e, key, &seen) == CTMON_OK && seen &&
	    strcmp(seen, stamp) == 0) {
		api->free(seen);
		return CTMON_OK;
	}
	api->free(seen);
	if (size > st->max_bytes) {
		file_warn(st, e, path, "larger than max_file_mb: skipped");
		return CTMON_OK;
	}
	rc = slurp(path, size, &buf);
	if (rc != CTMON_OK) {
		if (rc == CTMON_EIO)
			file_warn(st, e, path, "cannot read the file");
		return rc == CTMON_EIO ? CTMON_OK : rc;
	}
	fmt = st->format == FILE_FMT_AUTO ? sniff(buf, size) : st->format;
	rc = api->batch_begin(e);
	if (rc != CTMON_OK)
		goto out;
	st->e = e;
	st->path = path;
	st->emitted = 0;
	rc = fmt == FILE_FMT_CRTSH ? read_crtsh(st, buf, size)
	     : fmt == FILE_FMT_DER ? read_der(st, (const uint8_t *)buf, size)
				   : read_pem(st, buf, size);
	if (rc == CTMON_EFORMAT) {
		/* Nothing of a broken file is kept; the cursor records it so
		 * it is reported once, until it changes. */
		api->batch_abort(e);
		file_warn(st, e, path, "not a %s file: nothing read%s%s",
			  fmt == FILE_FMT_CRTSH ? "crt.sh JSON"
			  : fmt == FILE_FMT_DER ? "DER certificate"
						: "PEM certificate",
			  fmt == FILE_FMT_CRTSH ? ": " : "",
			  fmt == FILE_FMT_CRTSH
				  ? crtsh_parser_error(st->crtsh)
				  : "");
		rc = api->batch_begin(e);
		if (rc == CTMON_OK)
			rc = api->set_cursor(e, key, stamp);
		if (rc == CTMON_OK)
			rc = api->batch_commit(e);
		else
			api->batch_abort(e);
		goto out;
	}
	if (rc == CTMON_OK)
		rc = api->set_cursor(e, key, stamp);
	if (rc == CTMON_OK) {
		rc = api->batch_commit(e);
		if (rc == CTMON_OK)
			api->log(st->host, CTMON_LOG_INFO,
				 "%s: %zu certificates", path, st->emitted);
	} else {
		api->batch_abort(e);
	}
out:
	free(buf);
	return rc;
}
