/* LD_PRELOAD shim for the center's fault-injection tests: makes the Nth write or sync of a
 * regular file (or directory) fail, as a full disk or an I/O error would.
 *
 *   FAULTFS_AT=N        the Nth write/sync call on a file or directory fails (1-based)
 *   FAULTFS_ERRNO=name  ENOSPC (default) or EIO
 *   FAULTFS_STICKY=1    every later call fails too (a disk that stays full)
 *
 * A failing write first writes half of its bytes (a torn write), then fails. The shim says
 * what it did on stderr: "faultfs: <errno> at call N (<function>)". Without FAULTFS_AT it
 * only counts, and says "faultfs: N calls" at exit, so a test knows how many steps to try.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long calls;
static long fail_at = -1;
static int fail_errno = ENOSPC;
static int sticky;
static int failed;

static ssize_t (*real_write)(int, const void *, size_t);
static ssize_t (*real_pwrite64)(int, const void *, size_t, off_t);
static ssize_t (*real_writev)(int, const struct iovec *, int);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static int (*real_sync_file_range)(int, off_t, off_t, unsigned int);

static void say(const char *text) {
    size_t len = strlen(text);
    if (real_write) real_write(2, text, len);
}

static void report(void) {
    char line[96];
    if (fail_at < 0) {
        snprintf(line, sizeof line, "faultfs: %ld calls\n", calls);
        say(line);
    }
}

__attribute__((constructor)) static void init(void) {
    real_write = dlsym(RTLD_NEXT, "write");
    real_pwrite64 = dlsym(RTLD_NEXT, "pwrite64");
    real_writev = dlsym(RTLD_NEXT, "writev");
    real_fsync = dlsym(RTLD_NEXT, "fsync");
    real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
    real_sync_file_range = dlsym(RTLD_NEXT, "sync_file_range");
    const char *at = getenv("FAULTFS_AT");
    if (at) fail_at = atol(at);
    const char *name = getenv("FAULTFS_ERRNO");
    if (name && strcmp(name, "EIO") == 0) fail_errno = EIO;
    const char *s = getenv("FAULTFS_STICKY");
    sticky = s && strcmp(s, "1") == 0;
    atexit(report);
}

static int on_disk(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode));
}

/* Counts a call on fd; says whether it must fail. */
static int fails(int fd, const char *what) {
    if (!on_disk(fd)) return 0;
    calls++;
    if (fail_at > 0 && (calls == fail_at || (sticky && failed))) {
        if (!failed) {
            char line[128];
            snprintf(line, sizeof line, "faultfs: %s at call %ld (%s)\n",
                     fail_errno == EIO ? "EIO" : "ENOSPC", calls, what);
            say(line);
        }
        failed = 1;
        return 1;
    }
    return 0;
}

ssize_t write(int fd, const void *buf, size_t count) {
    if (fails(fd, "write")) {
        if (count > 1) real_write(fd, buf, count / 2);
        errno = fail_errno;
        return -1;
    }
    return real_write(fd, buf, count);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset) {
    if (fails(fd, "pwrite")) {
        if (count > 1) real_pwrite64(fd, buf, count / 2, offset);
        errno = fail_errno;
        return -1;
    }
    return real_pwrite64(fd, buf, count, offset);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset) {
    return pwrite64(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt) {
    if (fails(fd, "writev")) {
        errno = fail_errno;
        return -1;
    }
    return real_writev(fd, iov, iovcnt);
}

int fsync(int fd) {
    if (fails(fd, "fsync")) {
        errno = fail_errno;
        return -1;
    }
    return real_fsync(fd);
}

int fdatasync(int fd) {
    if (fails(fd, "fdatasync")) {
        errno = fail_errno;
        return -1;
    }
    return real_fdatasync(fd);
}

int sync_file_range(int fd, off_t offset, off_t nbytes, unsigned int flags) {
    if (fails(fd, "sync_file_range")) {
        errno = fail_errno;
        return -1;
    }
    return real_sync_file_range(fd, offset, nbytes, flags);
}
