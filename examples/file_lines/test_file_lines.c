/* test_file_lines.c - file_lines.so in ctmon's fake host: loaded through
 * ctmon's real loader and option validation, handed batches of alerts,
 * and the file it wrote read back.
 * Usage: test_file_lines PATH/TO/file_lines.so */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctmon/fakehost.h>

static const char *so_path;
static char dir[] = "/tmp/file_lines-test-XXXXXX";
static int failures;

#define CHECK(cond)                                                          \
	do {                                                                 \
		if (!(cond)) {                                               \
			fprintf(stderr, "%s:%d: CHECK(%s) failed\n",         \
				__FILE__, __LINE__, #cond);                  \
			failures++;                                          \
		}                                                            \
	} while (0)
#define CHECK_STR(got, want)                                                 \
	do {                                                                 \
		const char *g_ = (got), *w_ = (want);                        \
		if (!g_ || strcmp(g_, w_) != 0) {                            \
			fprintf(stderr, "%s:%d: got \"%s\"\n  want \"%s\"\n",\
				__FILE__, __LINE__, g_ ? g_ : "(null)", w_); \
			failures++;                                          \
		}                                                            \
	} while (0)

/* "<dir>/<name>" in static storage (one at a time). */
static const char *in_dir(const char *name)
{
	static char path[512];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return path;
}

static struct fh_host *load(const char *snippet)
{
	struct fh_host *fh = fh_new();
	char err[1024] = "";

	if (fh && fh_load(fh, so_path, snippet, err, sizeof err) == CTMON_OK)
		return fh;
	fprintf(stderr, "cannot load %s with \"%s\": %s\n", so_path, snippet,
		err);
	failures++;
	fh_free(fh);
	return NULL;
}

/* Loads file_lines writing to <dir>/<file> with extra options. */
static struct fh_host *load_to(const char *file, const char *extra)
{
	char snippet[1024];

	snprintf(snippet, sizeof snippet, "path = \"%s\"; %s", in_dir(file),
		 extra);
	return load(snippet);
}

/* The file's lines; *n gets their count.  free() the result. */
static char **read_lines(const char *path, size_t *n)
{
	char **lines = calloc(64, sizeof *lines);
	char line[4096];
	FILE *f = fopen(path, "r");

	*n = 0;
	while (lines && f && *n < 64 && fgets(line, sizeof line, f))
		lines[(*n)++] = strdup(line);
	if (f)
		fclose(f);
	return lines;
}

static void free_lines(char **lines, size_t n)
{
	for (size_t i = 0; lines && i < n; i++)
		free(lines[i]);
	free(lines);
}

static struct ctmon_alert alert(int64_t id, const char *type,
				enum ctmon_severity sev, const char *domain,
				const char *key)
{
	struct ctmon_alert a;

	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	a.id = id;
	a.type = type;
	a.severity = sev;
	a.domain = domain;
	a.key = key;
	a.details_json = "{}";
	a.created_at = FH_DEFAULT_NOW; /* 2023-11-14T22:13:20Z */
	a.json = "{\"id\":1}";
	return a;
}

static void text_lines(void)
{
	struct fh_host *fh = load_to("text.log", "");
	struct ctmon_alert a = alert(3, "wildcard_certificate", CTMON_SEV_HIGH,
				     "example.com", "17");
	struct ctmon_alert b = alert(4, "new_subdomain", CTMON_SEV_MEDIUM,
				     "example.com", "dev.example.com");
	const struct ctmon_alert *batch[] = {&a, &b};
	struct stat sb;
	char **lines;
	size_t n;

	if (!fh)
		return;
	b.baseline = 1;
	CHECK(fh_deliver(fh, batch, 2) == CTMON_OK);
	lines = read_lines(in_dir("text.log"), &n);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(lines[0], "2023-11-14T22:13:20Z high "
				    "wildcard_certificate example.com 17 "
				    "id=3\n");
		CHECK_STR(lines[1], "2023-11-14T22:13:20Z medium "
				    "new_subdomain example.com "
				    "dev.example.com id=4 baseline\n");
	}
	free_lines(lines, n);
	/* Alerts may name internal hosts: only the owner reads the file. */
	CHECK(stat(in_dir("text.log"), &sb) == 0 && (sb.st_mode & 0777) == 0600);
	fh_free(fh);
}

static void hostile_fields_stay_on_one_line(void)
{
	struct fh_host *fh = load_to("hostile.log", "");
	struct ctmon_alert a = alert(5, "t\tx", CTMON_SEV_CRITICAL,
				     "ex\rample.com", "a b\nc\\d\x1b[31m\xc3\xa9");
	struct ctmon_alert e = alert(6, "empty_key", CTMON_SEV_LOW,
				     "example.com", "");
	const struct ctmon_alert *batch[] = {&a, &e};
	char **lines;
	size_t n;

	if (!fh)
		return;
	CHECK(fh_deliver(fh, batch, 2) == CTMON_OK);
	lines = read_lines(in_dir("hostile.log"), &n);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(lines[0], "2023-11-14T22:13:20Z critical t\\x09x "
				    "ex\\x0dample.com a\\x20b\\x0ac\\x5cd"
				    "\\x1b[31m\\xc3\\xa9 id=5\n");
		CHECK_STR(lines[1], "2023-11-14T22:13:20Z low empty_key "
				    "example.com - id=6\n");
	}
	free_lines(lines, n);
	fh_free(fh);
}

static void json_lines(void)
{
	struct fh_host *fh = load_to("alerts.jsonl", "format = \"json\";");
	struct ctmon_alert a = alert(7, "x", CTMON_SEV_INFO, "example.com", "k");
	struct ctmon_alert b = a;
	const struct ctmon_alert *batch[] = {&a, &b};
	char **lines;
	size_t n;

	if (!fh)
		return;
	a.json = "{\"id\":7,\"type\":\"x\",\"details\":{\"s\":\"a\\\"b\"}}";
	/* Raw control characters are not valid JSON, but must still not
	 * split the record. */
	b.json = "{\"id\":8,\n\"k\":\"l1\nl2\t\\\\\"}";
	CHECK(fh_deliver(fh, batch, 2) == CTMON_OK);
	lines = read_lines(in_dir("alerts.jsonl"), &n);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(lines[0], "{\"id\":7,\"type\":\"x\",\"details\":"
				    "{\"s\":\"a\\\"b\"}}\n");
		CHECK_STR(lines[1], "{\"id\":8, \"k\":\"l1\\u000al2\\u0009"
				    "\\\\\"}\n");
	}
	free_lines(lines, n);
	fh_free(fh);
}

static void batches_append(void)
{
	struct fh_host *fh = load_to("append.log", "fsync = true;");
	struct ctmon_alert a = alert(1, "x", CTMON_SEV_LOW, "example.com", "1");
	const struct ctmon_alert *batch[] = {&a};
	FILE *f = fopen(in_dir("append.log"), "w");
	char **lines;
	size_t n;

	if (!fh || !f) {
		failures++;
		if (f)
			fclose(f);
		fh_free(fh);
		return;
	}
	fputs("kept\n", f);
	fclose(f);
	CHECK(fh_deliver(fh, batch, 1) == CTMON_OK);
	a.id = 2;
	CHECK(fh_deliver(fh, batch, 1) == CTMON_OK);
	/* An empty batch writes nothing. */
	CHECK(fh_deliver(fh, batch, 0) == CTMON_OK);
	lines = read_lines(in_dir("append.log"), &n);
	CHECK(n == 3);
	if (n == 3) {
		CHECK_STR(lines[0], "kept\n");
		CHECK(strstr(lines[1], " id=1\n") != NULL);
		CHECK(strstr(lines[2], " id=2\n") != NULL);
	}
	free_lines(lines, n);
	fh_free(fh);
}

static void write_failure_is_retryable(void)
{
	struct fh_host *fh = load_to("missing/dir.log", "");
	struct ctmon_alert a = alert(1, "x", CTMON_SEV_LOW, "example.com", "1");
	const struct ctmon_alert *batch[] = {&a};

	if (!fh)
		return;
	CHECK(fh_deliver(fh, batch, 1) == CTMON_EIO);
	CHECK(strstr(fh_last_error(fh), "missing/dir.log") != NULL);
	CHECK(strstr(fh_last_error(fh), "No such file") != NULL);
	fh_free(fh);
}

static void config_errors(void)
{
	struct fh_host *fh = fh_new();
	char err[1024] = "";

	CHECK(fh_load(fh, so_path, "path = \"/tmp/x\";\nformat = \"xml\";",
		      err, sizeof err) == CTMON_ECONFIG);
	CHECK(strstr(err, "<built-in>:2") != NULL);
	CHECK(strstr(err, "\"xml\" is neither") != NULL);
	fh_free(fh);
	fh = fh_new();
	CHECK(fh_load(fh, so_path, "format = \"json\";", err, sizeof err) ==
	      CTMON_ECONFIG);
	CHECK(strstr(err, "path") != NULL);
	fh_free(fh);
	fh = fh_new();
	CHECK(fh_load(fh, so_path, "path = \"\";", err, sizeof err) ==
	      CTMON_ECONFIG);
	CHECK(strstr(err, "is empty") != NULL);
	fh_free(fh);
}

static void remove_dir(void)
{
	static const char *const files[] = {"text.log", "hostile.log",
					    "alerts.jsonl", "append.log"};

	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		unlink(in_dir(files[i]));
	if (rmdir(dir) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{"text_lines", text_lines},
		{"hostile_fields_stay_on_one_line",
		 hostile_fields_stay_on_one_line},
		{"json_lines", json_lines},
		{"batches_append", batches_append},
		{"write_failure_is_retryable", write_failure_is_retryable},
		{"config_errors", config_errors},
	};
	size_t n = sizeof tests / sizeof tests[0], passed = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH/TO/file_lines.so\n", argv[0]);
		return 2;
	}
	so_path = argv[1];
	umask(022);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		int before = failures;

		tests[i].fn();
		printf("%s %s\n", failures == before ? "ok  " : "FAIL",
		       tests[i].name);
		passed += failures == before;
	}
	remove_dir();
	printf("%zu passed, %zu failed\n", passed, n - passed);
	return passed == n ? 0 : 1;
}
