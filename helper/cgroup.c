/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A project's cgroups: the one record of a running project the helper
 * trusts.
 *
 * Every project process lives in the cgroup the helper made for it
 * (<hierarchy>/corral/<project id>); a project cannot leave it (it has no
 * capability, the directories are root's 0700, and its cgroup namespace
 * is rooted there).  So "running" means "that cgroup has processes", the
 * processes to kill are that cgroup's, and nothing the project can write
 * is ever read back (DESIGN §6).  This works the same after a helper
 * restart: the kernel keeps the cgroup, not the helper.
 *
 * cgroup v2 is used when /sys/fs/cgroup is cgroup2 and offers pids,
 * memory and cpu; otherwise the v1 hierarchies pids, memory, cpu (and
 * cpuacct for accounting, when mounted).  Only directories below our own
 * "corral" directory are ever created, written or removed.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>
#include <linux/magic.h>

#include "helper/life.h"

#define CG_ROOT "/sys/fs/cgroup"

static int cg_v2 = -1;          /* -1 unknown, 0 v1, 1 v2 */

enum { H_PIDS, H_MEMORY, H_CPU, H_CPUACCT, H_N };
static const char *const v1_name[H_N] = { "pids", "memory", "cpu", "cpuacct" };
static int v1_have[H_N];

static int is_fs(const char *path, long magic)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && (long)sf.f_type == magic;
}

static int read_small(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int write_str(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	size_t len = strlen(val);
	ssize_t n;
	int e;

	if (fd < 0)
		return -1;
	n = write(fd, val, len);
	e = errno;
	close(fd);
	if (n != (ssize_t)len) {
		errno = n < 0 ? e : EIO;
		return -1;
	}
	return 0;
}

static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)) != NULL; p += n)
		if ((p == list || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return 1;
	return 0;
}

int cg_init(const char **why)
{
	char buf[512], path[128];

	if (is_fs(CG_ROOT, CGROUP2_SUPER_MAGIC)) {
		if (read_small(CG_ROOT "/cgroup.controllers", buf, sizeof(buf)) == 0 &&
		    has_word(buf, "pids") && has_word(buf, "memory") &&
		    has_word(buf, "cpu")) {
			cg_v2 = 1;
			return 0;
		}
		*why = "cgroup v2 lacks the pids, memory or cpu controller";
		return -1;
	}
	for (int i = 0; i < H_N; i++) {
		snprintf(path, sizeof(path), CG_ROOT "/%s", v1_name[i]);
		v1_have[i] = is_fs(path, CGROUP_SUPER_MAGIC);
	}
	if (!v1_have[H_PIDS] || !v1_have[H_MEMORY] || !v1_have[H_CPU]) {
		*why = "neither cgroup v2 with pids, memory and cpu nor the v1 "
			"pids, memory and cpu hierarchies are mounted";
		return -1;
	}
	cg_v2 = 0;
	return 0;
}

int cg_is_v2(void)
{
	return cg_v2 == 1;
}

/* <hierarchy>/corral[/id][/file]; id NULL for our own directory. */
static void cg_path(char *buf, size_t size, int h, const char *id,
		    const char *file)
{
	int n = cg_v2 ? snprintf(buf, size, CG_ROOT "/corral")
		      : snprintf(buf, size, CG_ROOT "/%s/corral", v1_name[h]);

	if (id)
		n += snprintf(buf + n, size - (size_t)n, "/%s", id);
	if (file)
		snprintf(buf + n, size - (size_t)n, "/%s", file);
}

/* The hierarchies in use: v2 has one, v1 one per available controller. */
static int cg_first(void) { return 0; }
static int cg_next(int h)
{
	if (cg_v2)
		return H_N;
	for (h++; h < H_N && !v1_have[h]; h++)
		;
	return h;
}
#define FOR_EACH_H(h) for (int h = cg_first(); h < H_N; h = cg_next(h))

static int write_limit(int h, const char *id, const char *file, uint64_t v)
{
	char path[256], val[64];

	cg_path(path, sizeof(path), h, id, file);
	snprintf(val, sizeof(val), "%" PRIu64, v);
	return write_str(path, val);
}

static int set_limits(const char *id, const struct crl_policy *p)
{
	uint64_t quota = (uint64_t)p->cpu_percent * 1000;  /* period 100 ms */

	if (cg_v2) {
		char val[64], path[256];

		cg_path(path, sizeof(path), 0, id, "cpu.max");
		snprintf(val, sizeof(val), "%" PRIu64 " 100000", quota);
		if (write_limit(0, id, "pids.max", p->pids_max) < 0 ||
		    write_limit(0, id, "memory.max", p->memory_max) < 0 ||
		    write_str(path, val) < 0)
			return -1;
		/* no swap: the memory bound is the bound */
		(void)write_limit(0, id, "memory.swap.max", 0);
		return 0;
	}
	if (write_limit(H_PIDS, id, "pids.max", p->pids_max) < 0 ||
	    write_limit(H_MEMORY, id, "memory.limit_in_bytes",
			p->memory_max) < 0 ||
	    write_limit(H_CPU, id, "cpu.cfs_period_us", 100000) < 0 ||
	    write_limit(H_CPU, id, "cpu.cfs_quota_us", quota) < 0)
		return -1;
	/* memory+swap too, where the kernel accounts swap */
	(void)write_limit(H_MEMORY, id, "memory.memsw.limit_in_bytes",
			  p->memory_max);
	return 0;
}

/* v2: the controllers must be enabled for our directory's children. */
static int v2_enable(void)
{
	const char *ctl = "+pids +memory +cpu";

	if (write_str(CG_ROOT "/cgroup.subtree_control", ctl) < 0)
		return -1;
	return write_str(CG_ROOT "/corral/cgroup.subtree_control", ctl);
}

/*
 * Our own directory in each hierarchy, made at start-up while the helper
 * still has its full capability set: the hierarchy roots are 0555 here,
 * and the helper keeps no CAP_DAC_OVERRIDE afterwards.  Only ever inside
 * it does the helper create, write or remove anything.
 */
int cg_prepare(void)
{
	char path[256];

	FOR_EACH_H(h) {
		cg_path(path, sizeof(path), h, NULL, NULL);
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -1;
	}
	return cg_v2 ? v2_enable() : 0;
}

int cg_create(const char *id, const struct crl_policy *p)
{
	char path[256];

	FOR_EACH_H(h) {
		cg_path(path, sizeof(path), h, id, NULL);
		if (mkdir(path, 0700) < 0 && errno != EEXIST)
			return -1;
	}
	return set_limits(id, p);
}

/*
 * Move the calling process (single-threaded) into the project's cgroups.
 * On v1 this writes "0" to "tasks": moving one thread that is the caller
 * spares the kernel the global threadgroup lock that a write to
 * cgroup.procs takes, which costs milliseconds (an RCU grace period).
 * The caller has no other thread, so the whole process moves.
 */
int cg_attach_self(const char *id)
{
	char path[256];

	FOR_EACH_H(h) {
		cg_path(path, sizeof(path), h, id, cg_v2 ? "cgroup.procs" : "tasks");
		if (write_str(path, "0") < 0)
			return -1;
	}
	return 0;
}

/* The project's processes (its pids hierarchy on v1): up to max of them
 * in out; returns how many there are, 0 when the cgroup does not exist,
 * -1 on error.  Read with read(2) into a buffer on the stack, not stdio:
 * request processes call this, and the allocation fopen makes would
 * touch (and so copy) heap pages a request process shares with the
 * launcher. */
int cg_procs(const char *id, pid_t *out, int max)
{
	char path[256], buf[4096];
	long v = 0;
	int fd, n = 0, digits = 0;

	cg_path(path, sizeof(path), H_PIDS, id, "cgroup.procs");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	for (;;) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			close(fd);
			return -1;
		}
		/* one decimal pid per line; a line may span two reads */
		for (ssize_t i = 0; i <= r; i++) {
			if (i < r && buf[i] >= '0' && buf[i] <= '9') {
				if (v < 0x7fffffff)
					v = v * 10 + (buf[i] - '0');
				digits++;
				continue;
			}
			if (i == r && r > 0)
				break;          /* the line goes on in the next read */
			if (digits && v > 0) {
				if (n < max && out)
					out[n] = (pid_t)v;
				n++;
			}
			v = 0;
			digits = 0;
		}
		if (r == 0)
			break;
	}
	close(fd);
	return n;
}

int cg_exists(const char *id)
{
	char path[256];
	struct stat st;

	cg_path(path, sizeof(path), H_PIDS, id, NULL);
	return stat(path, &st) == 0;
}

/*
 * The project's init: the one process of the cgroup that is pid 1 of its
 * own pid namespace ("NSpid: <host pid> 1", written by the kernel).
 */
pid_t cg_init_pid(const char *id)
{
	pid_t pids[64];
	int n = cg_procs(id, pids, 64);

	for (int i = 0; i < n && i < 64; i++) {
		char path[64], buf[2048], *l;

		snprintf(path, sizeof(path), "/proc/%d/status", (int)pids[i]);
		if (read_small(path, buf, sizeof(buf)) < 0)
			continue;
		l = strstr(buf, "\nNSpid:");
		if (!l)
			continue;
		l = strchr(l + 1, '\n');
		if (l && l[-1] == '1' && (l[-2] == '\t' || l[-2] == ' '))
			return pids[i];
	}
	return 0;
}

/* Whether pid is in the project's cgroup (its pids hierarchy on v1), as
 * /proc/<pid>/cgroup says from the host's cgroup namespace. */
static int cg_member(const char *id, pid_t pid)
{
	char path[64], buf[4096], want[80];

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	snprintf(want, sizeof(want), cg_v2 ? "::/corral/%s\n" :
		 ":pids:/corral/%s\n", id);
	return read_small(path, buf, sizeof(buf)) == 0 && strstr(buf, want);
}

/*
 * A pidfd for pid, only if pid is in the project's cgroup: the pidfd is
 * taken first, then the cgroup checked.  If the pid was reused by another
 * process before the pidfd, the check sees that process's cgroup and -1
 * is returned; if after, the pidfd still names ours.
 */
int cg_hold_member(const char *id, pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);

	if (fd >= 0 && !cg_member(id, pid)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* SIGKILL to pid, but only if it is still in the project's cgroup. */
static void kill_member(const char *id, pid_t pid)
{
	int fd = cg_hold_member(id, pid);

	if (fd < 0)
		return;
	syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
	close(fd);
}

/* SIGKILL every process of the cgroup until none is left (a process
 * forked between a read and the kills is found by the next read). */
int cg_kill_all(const char *id, int timeout_ms)
{
	pid_t pids[512];
	char path[256];
	int n;

	if (cg_v2) {
		cg_path(path, sizeof(path), 0, id, "cgroup.kill");
		(void)write_str(path, "1");
	}
	for (int waited = 0; ; waited += 10) {
		n = cg_procs(id, pids, 512);
		if (n <= 0)
			return n;
		if (waited >= timeout_ms) {
			errno = EBUSY;
			return -1;
		}
		for (int i = 0; i < n && i < 512; i++)
			kill_member(id, pids[i]);
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/* Remove the project's cgroups; a directory is removable once its last
 * process has been released, which may take a moment after the kill. */
int cg_remove(const char *id)
{
	char path[256];
	int ret = 0;

	FOR_EACH_H(h) {
		cg_path(path, sizeof(path), h, id, NULL);
		for (int i = 0; rmdir(path) < 0; i++) {
			struct timespec ts = { 0, 10 * 1000 * 1000 };

			if (errno == ENOENT)
				break;
			if (errno != EBUSY || i >= 300) {
				ret = -1;
				break;
			}
			nanosleep(&ts, NULL);
		}
	}
	return ret;
}

static uint64_t read_u64(int h, const char *id, const char *file)
{
	char path[256], buf[64];

	cg_path(path, sizeof(path), h, id, file);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return 0;
	return strtoull(buf, NULL, 10);
}

void cg_stats(const char *id, uint32_t *pids, uint64_t *mem, uint64_t *cpu)
{
	*pids = (uint32_t)read_u64(H_PIDS, id, "pids.current");
	if (cg_v2) {
		char path[256], buf[1024], *l;

		*mem = read_u64(0, id, "memory.current");
		*cpu = 0;
		cg_path(path, sizeof(path), 0, id, "cpu.stat");
		if (read_small(path, buf, sizeof(buf)) == 0 &&
		    (l = strstr(buf, "usage_usec ")) != NULL)
			*cpu = strtoull(l + 11, NULL, 10) * 1000;
		return;
	}
	*mem = read_u64(H_MEMORY, id, "memory.usage_in_bytes");
	*cpu = v1_have[H_CPUACCT] ? read_u64(H_CPUACCT, id, "cpuacct.usage") : 0;
}

/* Every project cgroup that exists, valid ids only. */
int cg_each(int (*fn)(void *arg, const char *id), void *arg)
{
	char path[256];
	struct dirent *d;
	DIR *dir;
	int r = 0;

	cg_path(path, sizeof(path), H_PIDS, NULL, NULL);
	dir = opendir(path);
	if (!dir)
		return errno == ENOENT ? 0 : -1;
	while (r == 0 && (d = readdir(dir)) != NULL)
		if (d->d_type == DT_DIR && crl_project_id_valid(d->d_name))
			r = fn(arg, d->d_name);
	closedir(dir);
	return r;
}
