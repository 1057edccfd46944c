/* exec_probe.c - the program the exec notifier's tests run.
 *
 *   ctm_exec_probe OUT_DIR EXIT_CODE [SLEEP_SECONDS [nostdin]]
 *
 * Writes what it received to OUT_DIR/<n>.stdin (its stdin) and
 * OUT_DIR/<n>.env (its environment, one NAME=value per line) and its pid
 * to OUT_DIR/<n>.pid, n counting runs from 1; prints "probe run <n>" on
 * stdout and "probe says bye" on stderr; then sleeps SLEEP_SECONDS and
 * exits with EXIT_CODE.  With "nostdin" it never reads stdin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static int next_run(const char *dir, char *path, size_t len)
{
	for (int n = 1; n < 10000; n++) {
		snprintf(path, len, "%s/%d.pid", dir, n);
		if (access(path, F_OK) != 0)
			return n;
	}
	return -1;
}

int main(int argc, char **argv)
{
	char path[4096], buf[4096];
	FILE *fp;
	size_t got;
	long code, sleep_s = 0;
	int n;

	if (argc < 3)
		return 64;
	code = strtol(argv[2], NULL, 10);
	if (argc > 3)
		sleep_s = strtol(argv[3], NULL, 10);
	n = next_run(argv[1], path, sizeof path);
	if (n < 0)
		return 70;
	fp = fopen(path, "w");
	if (!fp)
		return 73;
	fprintf(fp, "%ld\n", (long)getpid());
	fclose(fp);
	snprintf(path, sizeof path, "%s/%d.stdin", argv[1], n);
	fp = fopen(path, "w");
	if (!fp)
		return 73;
	if (!(argc > 4 && strcmp(argv[4], "nostdin") == 0))
		while ((got = fread(buf, 1, sizeof buf, stdin)) > 0)
			fwrite(buf, 1, got, fp);
	fclose(fp);
	snprintf(path, sizeof path, "%s/%d.env", argv[1], n);
	fp = fopen(path, "w");
	if (!fp)
		return 73;
	for (char **e = environ; *e; e++)
		fprintf(fp, "%s\n", *e);
	fclose(fp);
	printf("probe run %d\n", n);
	fflush(stdout);
	fprintf(stderr, "probe says bye\n");
	if (sleep_s > 0)
		sleep((unsigned)sleep_s);
	return (int)code;
}
