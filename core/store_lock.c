/* store_lock.c - one monitoring process per store.  SQLite serialises
 * writes, but two processes running cycles on one store would each
 * deliver the outbox rows the other is delivering.  The lock is an flock
 * on "<database>.lock", which the kernel drops when the holder dies (so a
 * kill -9 never leaves a stale lock); the file holds the holder's pid for
 * the message the next one prints. */
#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "util.h"

struct ctm_store_lock {
	int fd;
};

/* The pid recorded in the lock file, or 0. */
static long holder_pid(int fd)
{
	char text[32];
	ssize_t n = pread(fd, text, sizeof text - 1, 0);
	int64_t pid = 0;

	if (n <= 0)
		return 0;
	text[n] = '\0';
	text[strcspn(text, "\n")] = '\0';
	if (ctm_parse_int64(text, &pid) != 0 || pid <= 0)
		return 0;
	return (long)pid;
}

static int record_pid(int fd)
{
	char text[32];
	int n = snprintf(text, sizeof text, "%ld\n", (long)getpid());

	if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n)
		return -1;
	return 0;
}

int ctm_store_lock_acquire(const char *db_path, int wait,
			   struct ctm_store_lock **out, struct ctm_error *err)
{
	struct ctm_store_lock *l = NULL;
	struct ctm_buf path;
	int rc = CTMON_EIO;

	*out = NULL;
	ctm_buf_init(&path);
	ctm_buf_printf(&path, "%s.lock", db_path);
	l = calloc(1, sizeof *l);
	if (path.oom || !l) {
		snprintf(err->text, sizeof err->text, "out of memory");
		rc = CTMON_ENOMEM;
		goto out;
	}
	l->fd = open(path.data, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (l->fd < 0) {
		snprintf(err->text, sizeof err->text, "%s: %s", path.data,
			 strerror(errno));
		goto out;
	}
	if (flock(l->fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		long pid = holder_pid(l->fd);
		if (e != EWOULDBLOCK) {
			snprintf(err->text, sizeof err->text, "%s: %s",
				 path.data, strerror(e));
			goto out;
		}
		if (!wait) {
			snprintf(err->text, sizeof err->text,
				 "store %s is in use by another ctmon "
				 "(pid %ld); only one process may run cycles "
				 "on a store",
				 db_path, pid);
			goto out;
		}
		fprintf(stderr, "ctmon: waiting for ctmon pid %ld to release "
			"store %s\n", pid, db_path);
		if (flock(l->fd, LOCK_EX) != 0) {
			/* EINTR: a stop request while waiting. */
			snprintf(err->text, sizeof err->text, "%s: %s",
				 path.data, strerror(errno));
			goto out;
		}
	}
	if (record_pid(l->fd) != 0) {
		snprintf(err->text, sizeof err->text, "%s: %s", path.data,
			 strerror(errno));
		goto out;
	}
	*out = l;
	l = NULL;
	rc = CTMON_OK;
out:
	ctm_store_lock_release(l);
	ctm_buf_free(&path);
	return rc;
}

void ctm_store_lock_release(struct ctm_store_lock *l)
{
	if (!l)
		return;
	/* The file stays: unlinking it would let a waiter lock an inode
	 * nobody else will ever open. */
	if (l->fd >= 0)
		close(l->fd);
	free(l);
}
