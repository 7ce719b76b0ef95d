/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * start: build a project's sandbox and run its init (DESIGN §3).
 *
 * Runs in a launcher child ("R", root with the helper's capabilities).
 * R binds the socket of the init's exec requests (exec.c), then forks
 * the init ("I") into new mount, pid, ipc, uts and network namespaces
 * (clone), where I is pid 1.  I moves itself into the project's cgroups
 * before anything else, enters a new cgroup namespace (rooted at its
 * cgroup), builds the file system view, sets the hostname, brings
 * loopback up, lowers the rlimits, drops to the project's uid with no
 * capability in any set, sets no_new_privs, loads the project's seccomp
 * filter, listens on its exec socket, and forks the command.  Only then
 * does it tell R that the start worked (or why not), and R replies; the
 * init goes on in init.c.
 *
 * The file system, built in a staging tmpfs and then made the root:
 *   /            policy rootfs, bind (not recursive), ro, nosuid, nodev
 *   hidden paths and home_root: empty tmpfs, ro
 *   home_mount   the project's home, bind, rw, nosuid, nodev
 *   ro_bind      as asked, ro, nosuid, nodev
 *   /proc        new proc of the new pid namespace
 *   /dev         tmpfs (ro) with null zero full random urandom tty bound
 *                from the host, a new devpts instance at /dev/pts,
 *                /dev/ptmx -> pts/ptmx, /dev/shm tmpfs
 *   /tmp         tmpfs of tmp_size, mode 1777
 * The init is the helper's own code, not a separate binary: nothing is
 * executed before the uid switch and the seccomp filter (DESIGN §6), no
 * path inside the sandbox is trusted to hold the right program, and the
 * init runs with the project's uid, no capability and the same filter
 * as the project's processes.  Its uid change made it non-dumpable, so
 * the project can neither ptrace it nor read its memory or descriptors.
 *
 * Every path inside the new root is resolved with openat2(RESOLVE_IN_ROOT)
 * from the new root, so a symbolic link in the rootfs cannot send a mount
 * somewhere else, and mount points are only ever created on our own
 * tmpfs, never on the (read-only) rootfs.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helper/life.h"

#define STAGE "/tmp"
#define NEWROOT STAGE "/root"

int life_fail(struct life_err *e, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	e->err = err;
	return -1;
}

static int in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {
		.flags = (uint64_t)(O_PATH | O_CLOEXEC | flags),
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};

	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	return (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
}

static void fdpath(char *buf, size_t size, int fd)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

/* mount onto (and bind from) descriptors, never onto paths. */
static int mount_fd(const char *src, int srcfd, int dstfd, const char *type,
		    unsigned long flags, const char *data)
{
	char s[64], d[64];

	if (srcfd >= 0)
		fdpath(s, sizeof(s), srcfd);
	fdpath(d, sizeof(d), dstfd);
	return mount(srcfd >= 0 ? s : src, d, type, flags, data);
}

static int remount_fd(int fd, unsigned long flags)
{
	char d[64];

	fdpath(d, sizeof(d), fd);
	return mount(NULL, d, NULL, MS_REMOUNT | MS_BIND | flags, NULL);
}

/* path inside the new root, created (mkdir -p) as a directory if
 * missing, which only works on one of our tmpfs: the rootfs is already
 * read-only when this runs. */
static int target_dir(int rootfd, const char *path, struct life_err *e)
{
	char part[CRL_PATH_MAX + 1];
	size_t len = strlen(path);
	int fd = in_root(rootfd, path, O_DIRECTORY);

	if (fd >= 0 || errno != ENOENT || len >= sizeof(part)) {
		if (fd < 0)
			life_fail(e, errno, "%s: %s", path, strerror(errno));
		return fd;
	}
	for (size_t i = 1; i <= len; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		memcpy(part, path, i);
		part[i] = '\0';
		fd = in_root(rootfd, part, O_DIRECTORY);
		if (fd >= 0) {
			close(fd);
			continue;
		}
		if (errno != ENOENT)
			break;
		{
			char *slash = strrchr(part, '/');
			int pfd;

			*slash = '\0';
			pfd = in_root(rootfd, part[0] ? part : "/", O_DIRECTORY);
			if (pfd < 0)
				break;
			if (mkdirat(pfd, slash + 1, 0755) < 0 && errno != EEXIST) {
				int err = errno;

				close(pfd);
				errno = err;
				break;
			}
			close(pfd);
		}
	}
	fd = in_root(rootfd, path, O_DIRECTORY);
	if (fd < 0)
		life_fail(e, errno, "cannot make mount point %s (only possible "
			  "below a hidden path or /tmp): %s", path,
			  strerror(errno));
	return fd;
}

static int mount_tmpfs(int rootfd, const char *path, unsigned long flags,
		       const char *data, struct life_err *e)
{
	int fd = target_dir(rootfd, path, e);

	if (fd < 0)
		return -1;
	if (mount_fd("corral", -1, fd, "tmpfs", flags, data) < 0) {
		close(fd);
		return life_fail(e, errno, "tmpfs on %s: %s", path, strerror(errno));
	}
	close(fd);
	return 0;
}

/* Make the mount now at path read-only (its own flags kept). */
static int seal(int rootfd, const char *path, unsigned long flags,
		struct life_err *e)
{
	int fd = in_root(rootfd, path, O_DIRECTORY);
	int r;

	if (fd < 0)
		return life_fail(e, errno, "%s: %s", path, strerror(errno));
	r = remount_fd(fd, MS_RDONLY | flags);
	close(fd);
	if (r < 0)
		return life_fail(e, errno, "read-only %s: %s", path, strerror(errno));
	return 0;
}

/* path is dir or below it (both normalised, absolute). */
static int path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (strcmp(dir, "/") == 0)
		return 1;
	return strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Will a mount point be made below this hidden path (home_mount, a
 * ro_bind)?  Then its tmpfs stays writable until sealed, else it is
 * mounted read-only at once. */
static int hide_needs_rw(const struct crl_policy *p, const char *path)
{
	if (path_within(p->home_mount, path))
		return 1;
	for (unsigned int i = 0; i < p->n_ro_bind; i++)
		if (path_within(p->ro_bind[i], path))
			return 1;
	return 0;
}

/* A hidden path: an empty tmpfs over a directory, /dev/null over
 * anything else; a path missing in the rootfs needs nothing. */
static int hide(int rootfd, int nullfd, const char *path, unsigned long ro,
		struct life_err *e)
{
	struct stat st;
	int fd = in_root(rootfd, path, O_NOFOLLOW);
	int r;

	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0)
		return life_fail(e, errno, "hide %s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		r = mount_fd("corral", -1, fd, "tmpfs", MS_NOSUID | MS_NODEV |
			     MS_NOEXEC | ro, "mode=0755,size=64k,nr_inodes=64");
	else if (S_ISLNK(st.st_mode))
		r = 0;  /* resolves inside the new root, to what is hidden */
	else
		r = mount_fd(NULL, nullfd, fd, NULL, MS_BIND, NULL);
	close(fd);
	if (r < 0)
		return life_fail(e, errno, "hide %s: %s", path, strerror(errno));
	return 0;
}

static int is_dir_at(int rootfd, const char *path)
{
	struct stat st;
	int fd = in_root(rootfd, path, O_NOFOLLOW);
	int r = fd >= 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);

	if (fd >= 0)
		close(fd);
	return r;
}

/* A file to bind onto: the one in the rootfs, or an empty one made in
 * its directory (made as for target_dir(), on our tmpfs only). */
static int target_file(int rootfd, const char *path, struct life_err *e)
{
	char parent[CRL_PATH_MAX + 1], *slash;
	int fd = in_root(rootfd, path, O_NOFOLLOW), pfd;

	if (fd >= 0 || errno != ENOENT)
		goto out;
	snprintf(parent, sizeof(parent), "%s", path);
	slash = strrchr(parent, '/');
	if (!slash || slash == parent)
		return life_fail(e, EINVAL, "%s: no place for a mount point",
				 path), -1;
	*slash = '\0';
	pfd = target_dir(rootfd, parent, e);
	if (pfd < 0)
		return -1;
	fd = openat(pfd, slash + 1, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC |
		    O_NOFOLLOW, 0644);
	if (fd >= 0)
		close(fd);
	close(pfd);
	fd = in_root(rootfd, path, O_NOFOLLOW);
out:
	if (fd < 0)
		life_fail(e, errno, "mount point %s: %s", path, strerror(errno));
	return fd;
}

static int bind_at(int rootfd, int srcfd, const char *path, unsigned long fl,
		   struct life_err *e)
{
	struct stat st;
	int dir = fstat(srcfd, &st) == 0 && S_ISDIR(st.st_mode);
	int fd = dir ? target_dir(rootfd, path, e) : target_file(rootfd, path, e);

	if (fd < 0)
		return -1;
	if (mount_fd(NULL, srcfd, fd, NULL, MS_BIND, NULL) < 0) {
		close(fd);
		return life_fail(e, errno, "bind %s: %s", path, strerror(errno));
	}
	close(fd);
	/* the bind is on top now: reopen to reach it */
	fd = in_root(rootfd, path, dir ? O_DIRECTORY : O_NOFOLLOW);
	if (fd < 0 || remount_fd(fd, MS_NOSUID | MS_NODEV | fl) < 0) {
		life_fail(e, errno, "flags of %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static const char *const dev_nodes[] = {
	"null", "zero", "full", "random", "urandom", "tty",
};
#define N_DEV (sizeof(dev_nodes) / sizeof(*dev_nodes))

/* One device node of the host, bound onto an empty file of our /dev,
 * then made nosuid and noexec. */
static int bind_dev(int dfd, int devfd, const char *name, struct life_err *e)
{
	int fd = openat(dfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC |
			O_NOFOLLOW, 0600);

	if (fd >= 0)
		close(fd);
	fd = in_root(dfd, name, O_NOFOLLOW);
	if (fd < 0 || mount_fd(NULL, devfd, fd, NULL, MS_BIND, NULL) < 0)
		goto fail;
	close(fd);
	/* the bind is on top now: reopen to reach it */
	fd = in_root(dfd, name, O_NOFOLLOW);
	if (fd < 0 || remount_fd(fd, MS_NOSUID | MS_NOEXEC) < 0)
		goto fail;
	close(fd);
	return 0;
fail:
	life_fail(e, errno, "/dev/%s: %s", name, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static int make_dev(int rootfd, const int *devfd, const struct crl_policy *p,
		    struct life_err *e)
{
	char opt[64];
	int dfd, fd;

	if (mount_tmpfs(rootfd, "/dev", MS_NOSUID | MS_NOEXEC,
			"mode=0755,size=64k,nr_inodes=64", e) < 0)
		return -1;
	dfd = in_root(rootfd, "/dev", O_DIRECTORY);
	if (dfd < 0)
		return life_fail(e, errno, "/dev: %s", strerror(errno));
	for (size_t i = 0; i < N_DEV; i++)
		if (bind_dev(dfd, devfd[i], dev_nodes[i], e) < 0)
			goto fail_nofd;
	if (mkdirat(dfd, "pts", 0755) < 0 || mkdirat(dfd, "shm", 01777) < 0 ||
	    symlinkat("pts/ptmx", dfd, "ptmx") < 0 ||
	    symlinkat("/proc/self/fd", dfd, "fd") < 0 ||
	    symlinkat("/proc/self/fd/0", dfd, "stdin") < 0 ||
	    symlinkat("/proc/self/fd/1", dfd, "stdout") < 0 ||
	    symlinkat("/proc/self/fd/2", dfd, "stderr") < 0) {
		life_fail(e, errno, "/dev entries: %s", strerror(errno));
		goto fail_nofd;
	}
	fd = in_root(dfd, "pts", O_DIRECTORY);
	if (fd < 0 || mount_fd("devpts", -1, fd, "devpts", MS_NOSUID | MS_NOEXEC,
			       "newinstance,ptmxmode=0666,mode=0620") < 0) {
		life_fail(e, errno, "/dev/pts: %s", strerror(errno));
		goto fail;
	}
	close(fd);
	snprintf(opt, sizeof(opt), "mode=1777,size=%llu",
		 (unsigned long long)p->tmp_size);
	fd = in_root(dfd, "shm", O_DIRECTORY);
	if (fd < 0 || mount_fd("shm", -1, fd, "tmpfs", MS_NOSUID | MS_NODEV |
			       MS_NOEXEC, opt) < 0) {
		life_fail(e, errno, "/dev/shm: %s", strerror(errno));
		goto fail;
	}
	close(fd);
	close(dfd);
	return seal(rootfd, "/dev", MS_NOSUID | MS_NOEXEC, e);
fail:
	if (fd >= 0)
		close(fd);
fail_nofd:
	close(dfd);
	return -1;
}

/* Everything opened from the host before the staging tmpfs covers it. */
struct host_fds {
	int rootfs, home, null, dev[N_DEV];
	int ro[CRL_POLICY_LIST_MAX];
};

static void host_fds_close(struct host_fds *f)
{
	if (f->home >= 0) close(f->home);
	if (f->rootfs >= 0) close(f->rootfs);
	if (f->null >= 0) close(f->null);
	for (size_t i = 0; i < N_DEV; i++)
		if (f->dev[i] >= 0)
			close(f->dev[i]);
	for (size_t i = 0; i < CRL_POLICY_LIST_MAX; i++)
		if (f->ro[i] >= 0)
			close(f->ro[i]);
}

/*
 * Opened inside the new mount namespace (a bind mount's source must be a
 * mount of the caller's own namespace), by the policy's paths, which
 * the policy loader checked are root's all the way up.  The home is
 * found again from home_root and must be the very directory the
 * launcher checked (same device and inode), owned by the project.
 */
static int host_fds_open(const struct life_req *r, struct host_fds *f,
			 struct life_err *e)
{
	const struct crl_policy *p = r->h->policy;
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
	};
	struct stat want, got;
	char path[64];
	int rootfd;

	memset(f, -1, sizeof(*f));
	rootfd = (int)syscall(SYS_openat2, AT_FDCWD, p->home_root, &how,
			      sizeof(how));
	if (rootfd < 0)
		return life_fail(e, errno, "home_root: %s", strerror(errno));
	how.resolve |= RESOLVE_BENEATH;
	f->home = (int)syscall(SYS_openat2, rootfd, r->project, &how,
			       sizeof(how));
	close(rootfd);
	if (f->home < 0 || fstat(f->home, &got) < 0 ||
	    fstat(r->home_fd, &want) < 0 || got.st_dev != want.st_dev ||
	    got.st_ino != want.st_ino || got.st_uid != r->uid)
		return life_fail(e, EPERM, "the project home changed during start");
	f->rootfs = open(p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (f->rootfs < 0)
		return life_fail(e, errno, "rootfs %s: %s", p->rootfs,
				 strerror(errno));
	for (size_t i = 0; i < N_DEV; i++) {
		snprintf(path, sizeof(path), "/dev/%s", dev_nodes[i]);
		f->dev[i] = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (f->dev[i] < 0)
			return life_fail(e, errno, "%s: %s", path, strerror(errno));
	}
	f->null = fcntl(f->dev[0], F_DUPFD_CLOEXEC, 3);
	if (f->null < 0)
		return life_fail(e, errno, "dup: %s", strerror(errno));
	for (unsigned int i = 0; i < p->n_ro_bind; i++) {
		f->ro[i] = open(p->ro_bind[i], O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (f->ro[i] < 0)
			return life_fail(e, errno, "ro_bind %s: %s", p->ro_bind[i],
					 strerror(errno));
	}
	return 0;
}

static int build_root(const struct crl_policy *p, struct host_fds *f,
		      struct life_err *e)
{
	char opt[64];
	int rootfd = -1, fd;

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return life_fail(e, errno, "private mounts: %s", strerror(errno));
	if (mount("corral", STAGE, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0700,size=16k") < 0 || mkdir(NEWROOT, 0755) < 0)
		return life_fail(e, errno, "staging tmpfs: %s", strerror(errno));
	fd = open(NEWROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || mount_fd(NULL, f->rootfs, fd, NULL, MS_BIND, NULL) < 0)
		return life_fail(e, errno, "rootfs bind: %s", strerror(errno));
	close(fd);
	rootfd = open(NEWROOT, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 || remount_fd(rootfd, MS_RDONLY | MS_NOSUID | MS_NODEV) < 0)
		return life_fail(e, errno, "read-only rootfs: %s", strerror(errno));
	/* hidden paths first: mount points below them are made on tmpfs */
	for (unsigned int i = 0; i < p->n_hide; i++)
		if (hide(rootfd, f->null, p->hide[i], hide_needs_rw(p, p->hide[i]) ?
			 0 : MS_RDONLY, e) < 0)
			goto fail;
	if (hide(rootfd, f->null, p->home_root, MS_RDONLY, e) < 0)
		goto fail;
	if (bind_at(rootfd, f->home, p->home_mount, 0, e) < 0)
		goto fail;
	fd = in_root(rootfd, "/proc", O_DIRECTORY);
	if (fd < 0 || mount_fd("proc", -1, fd, "proc", MS_NOSUID | MS_NODEV |
			       MS_NOEXEC, NULL) < 0) {
		life_fail(e, errno, "/proc: %s", strerror(errno));
		goto fail;
	}
	close(fd);
	if (make_dev(rootfd, f->dev, p, e) < 0)
		goto fail;
	snprintf(opt, sizeof(opt), "mode=1777,size=%llu",
		 (unsigned long long)p->tmp_size);
	if (mount_tmpfs(rootfd, "/tmp", MS_NOSUID | MS_NODEV, opt, e) < 0)
		goto fail;
	/* after /tmp, so that a path below /tmp can be bound too */
	for (unsigned int i = 0; i < p->n_ro_bind; i++)
		if (bind_at(rootfd, f->ro[i], p->ro_bind[i], MS_RDONLY, e) < 0)
			goto fail;
	for (unsigned int i = 0; i < p->n_hide; i++)
		if (hide_needs_rw(p, p->hide[i]) && is_dir_at(rootfd, p->hide[i]) &&
		    seal(rootfd, p->hide[i], MS_NOSUID | MS_NODEV | MS_NOEXEC, e) < 0)
			goto fail;
	close(rootfd);
	/* the new root becomes "/", the old one (staging included) goes */
	if (chdir(NEWROOT) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return life_fail(e, errno, "pivot_root: %s", strerror(errno));
	return 0;
fail:
	if (rootfd >= 0)
		close(rootfd);
	return -1;
}

void sandbox_rlimits(const struct crl_policy *p)
{
	struct { int res; uint64_t v; } lim[] = {
		{ RLIMIT_NOFILE, p->nofile }, { RLIMIT_NPROC, p->nproc },
		{ RLIMIT_CORE, 0 },
	};

	/* no CAP_SYS_RESOURCE: a limit can only be lowered */
	for (size_t i = 0; i < sizeof(lim) / sizeof(*lim); i++) {
		struct rlimit rl;

		if (getrlimit(lim[i].res, &rl) < 0)
			continue;
		if (rl.rlim_max == RLIM_INFINITY || lim[i].v < rl.rlim_max)
			rl.rlim_max = (rlim_t)lim[i].v;
		if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > rl.rlim_max)
			rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(lim[i].res, &rl);
	}
}

/*
 * The project's identity: its uid and gid, no supplementary group, no
 * capability in any set (bounding and ambient included), no_new_privs,
 * then the seccomp filter.  Each step is read back.
 *
 * Raw system calls: they act on the calling thread alone, which is the
 * whole process here (the init is single-threaded).
 */
int sandbox_drop(uid_t uid, struct life_err *e)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0,
	};
	struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
	gid_t gid = (gid_t)uid, rg, eg, sg;
	uid_t ru, eu, su;
	int r;

	/* the bounding set, bit by bit up to the kernel's last capability:
	 * a bit that is set is dropped and read again.  A process can only
	 * ever lower its bounding set, so a bit seen clear stays clear: one
	 * pass checks the whole set (the helper keeps nine bits) */
	for (int c = 0; (r = prctl(PR_CAPBSET_READ, c, 0, 0, 0)) >= 0; c++) {
		if (r == 0)
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return life_fail(e, errno, "bounding set: %s", strerror(errno));
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) != 0)
			return life_fail(e, EPERM, "bounding set not empty");
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 ||
	    syscall(SYS_setgroups, 0, NULL) < 0 ||
	    syscall(SYS_setresgid, gid, gid, gid) < 0 ||
	    syscall(SYS_setresuid, uid, uid, uid) < 0)
		return life_fail(e, errno, "uid switch: %s", strerror(errno));
	memset(caps, 0, sizeof(caps));
	if (syscall(SYS_capset, &hdr, caps) < 0)
		return life_fail(e, errno, "capabilities: %s", strerror(errno));
	if (getresuid(&ru, &eu, &su) < 0 || getresgid(&rg, &eg, &sg) < 0 ||
	    ru != uid || eu != uid || su != uid || rg != gid || eg != gid ||
	    sg != gid || getgroups(0, NULL) != 0)
		return life_fail(e, EPERM, "the uid switch did not stick");
	memset(caps, 0xff, sizeof(caps));
	if (syscall(SYS_capget, &hdr, caps) < 0)
		return life_fail(e, errno, "capabilities: %s", strerror(errno));
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++)
		if (caps[i].effective || caps[i].permitted || caps[i].inheritable)
			return life_fail(e, EPERM, "capabilities not empty");
	/* the ambient set is a subset of permitted and inheritable, both
	 * empty now; the bounding set was checked bit by bit above */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return life_fail(e, errno, "no_new_privs: %s", strerror(errno));
	r = project_seccomp_load();
	if (r != 0)
		return life_fail(e, r < 0 ? -r : EINVAL, "seccomp filter: %s",
				 strerror(r < 0 ? -r : EINVAL));
	return 0;
}

static int env_allowed(const struct crl_policy *p, const char *kv)
{
	const char *eq = strchr(kv, '=');

	if (!eq || eq == kv)
		return 0;
	for (unsigned int i = 0; i < p->n_env_allow; i++)
		if (strlen(p->env_allow[i]) == (size_t)(eq - kv) &&
		    strncmp(p->env_allow[i], kv, (size_t)(eq - kv)) == 0)
			return 1;
	return 0;
}

static int env_put(char **envp, size_t *n, size_t max, const char *kv)
{
	const char *eq = strchr(kv, '=');

	for (size_t i = 0; i < *n; i++)
		if (strncmp(envp[i], kv, (size_t)(eq - kv) + 1) == 0) {
			envp[i] = (char *)kv;
			return 0;
		}
	if (*n + 1 >= max)
		return -1;
	envp[(*n)++] = (char *)kv;
	envp[*n] = NULL;
	return 0;
}

/* The command's environment: a few defaults, then the request's ENV
 * entries, each of which must name a variable of env_allow. */
int sandbox_env(const struct crl_policy *p, const struct crl_msg *m, int tty,
		char **envp, size_t max, char *store, size_t storelen,
		struct life_err *e)
{
	struct crl_list env;
	size_t n = 0, used = 0;
	const char *defs[] = { "PATH=/usr/local/bin:/usr/bin:/bin", NULL,
			       "USER=user", "LOGNAME=user", NULL };
	int len;

	len = snprintf(store, storelen, "HOME=%s", p->home_mount);
	if (len < 0 || (size_t)len >= storelen)
		return life_fail(e, ENAMETOOLONG, "home_mount too long");
	defs[1] = store;
	used = (size_t)len + 1;
	envp[0] = NULL;
	for (size_t i = 0; i < 4; i++)
		env_put(envp, &n, max, defs[i]);
	if (tty)
		env_put(envp, &n, max, "TERM=xterm");
	if (m && crl_msg_list(m, CRL_A_ENV, &env) > 0)
		for (unsigned int i = 0; i < env.count; i++) {
			if (!env_allowed(p, env.item[i]))
				return life_fail(e, EINVAL, "environment "
						 "variable not allowed by "
						 "env_allow: %.60s", env.item[i]);
			if (env_put(envp, &n, max, env.item[i]) < 0)
				return life_fail(e, E2BIG, "environment too large");
		}
	(void)used;
	return 0;
}

/* ------------------------------------------------------------ init */

/*
 * Every signal back to its default action, none blocked: ignored
 * dispositions survive execve, and the helper may have been started
 * with some (a shell ignores SIGINT and SIGQUIT for background jobs;
 * the launcher ignores SIGPIPE).  A project's processes start clean.
 */
void signals_default(void)
{
	/* a zeroed kernel sigaction is SIG_DFL, no flags, empty mask, on
	 * every layout; the raw call also reaches the two real-time signals
	 * glibc keeps for itself and refuses to change (32 and 33), which
	 * the helper may have inherited as ignored too */
	unsigned long ksa[4] = { 0, 0, 0, 0 };
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)syscall(SYS_rt_sigaction, sig, ksa, NULL,
				      (size_t)(NSIG - 1) / 8);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

static void report(int fd, const struct life_err *e)
{
	ssize_t n = write(fd, e, sizeof(*e));

	(void)n;
}

/* Descriptors 0, 1 and 2 on /dev/null: 0, or -1 with errno. */
static int stdio_to_null(void)
{
	int nul = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (nul < 0 || dup2(nul, 0) < 0 || dup2(nul, 1) < 0 ||
	    dup2(nul, 2) < 0)
		return -1;
	close(nul);
	return 0;
}

/* In the init, as root still: its cgroups, the root it will see, the
 * hostname, the network, the limits, then the project's uid without
 * capabilities.  0, or -1 with the reason in e. */
static int init_sandbox(struct life_req *r, int go, struct host_fds *f,
			struct life_err *e)
{
	const struct crl_policy *p = r->h->policy;
	char host[65];

	/* into the project's cgroups first, before anything else runs */
	if (cg_attach_self(r->project) < 0)
		return life_fail(e, errno, "cgroup: %s", strerror(errno));
	if (unshare(CLONE_NEWCGROUP) < 0)
		return life_fail(e, errno, "cgroup namespace: %s",
				 strerror(errno));
	if (host_fds_open(r, f, e) < 0)
		return -1;
	close(r->home_fd);
	if (build_root(p, f, e) < 0)
		return -1;
	host_fds_close(f);
	/* no descriptor of the helper's stays, its stdio included */
	if (stdio_to_null() < 0)
		return life_fail(e, errno, "/dev/null: %s", strerror(errno));
	if (crl_policy_hostname(p, r->project, host, sizeof(host)) < 0 ||
	    sethostname(host, strlen(host)) < 0)
		return life_fail(e, errno, "hostname: %s", strerror(errno));
	if (net_loopback_up(e) < 0)
		return -1;
	if (go >= 0) {
		char c = 0;

		/* the launcher's child has made the veth pair by now */
		if (read(go, &c, 1) != 1 || c != 'v')
			_exit(1);
		close(go);
		if (net_veth_inside(p, r->uid, e) < 0)
			return -1;
	}
	sandbox_rlimits(p);
	return sandbox_drop(r->uid, e);
}

/* The command the project was started with, forked by the init; xp[1]
 * reports why it could not be run.  Never returns. */
static __attribute__((noreturn)) void init_command(const char *dir, int xp,
						    char *const argv[],
						    char *const envp[])
{
	struct life_err e = { 0, "" };

	signals_default();
	setsid();
	if (stdio_to_null() < 0 || chdir(dir) < 0) {
		life_fail(&e, errno, "command set-up: %s", strerror(errno));
	} else {
		fds_close_except(&xp, 1);
		environ = (char **)envp;
		execvp(argv[0], argv);
		life_fail(&e, errno, "cannot execute %.100s: %s", argv[0],
			  strerror(errno));
	}
	report(xp, &e);
	_exit(127);
}

/* The init, from the launcher child's fork to the command's start;
 * then init.c's loop. */
static __attribute__((noreturn)) void init_main(struct life_req *r,
						int go, int ready, int lsock,
						char *const argv[],
						char *const envp[])
{
	static struct host_fds hf;
	const struct crl_policy *p = r->h->policy;
	struct life_err e = { 0, "" };
	int keep[4], nkeep = 0, xp[2], sfd;
	sigset_t set;
	pid_t cmd;

	keep[nkeep++] = ready;
	keep[nkeep++] = lsock;
	if (go >= 0)
		keep[nkeep++] = go;
	keep[nkeep++] = r->home_fd;
	/* the connection socket and the launcher's channel must not stay */
	fds_close_except(keep, (unsigned int)nkeep);
	prctl(PR_SET_NAME, "corral-init", 0, 0, 0);
	umask(022);
	/* SIGTERM, SIGINT, SIGHUP must reach the init to be passed on; a
	 * write to a pipe whose reader died (the launcher's child) ends it */
	signals_default();
	if (init_sandbox(r, go, &hf, &e) < 0)
		goto fail;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	/* listen() here, as the project: exec.c checks the listener's
	 * credentials, which are the caller's of listen() */
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0 || listen(lsock, 16) < 0 || pipe2(xp, O_CLOEXEC) < 0) {
		life_fail(&e, errno, "init: %s", strerror(errno));
		goto fail;
	}
	cmd = fork();
	if (cmd == 0)
		init_command(p->home_mount, xp[1], argv, envp);
	close(xp[1]);
	if (cmd < 0) {
		life_fail(&e, errno, "fork: %s", strerror(errno));
		goto fail;
	}
	if (read(xp[0], &e, sizeof(e)) == (ssize_t)sizeof(e))
		goto fail;              /* the command could not be run */
	close(xp[0]);
	e.err = 0;
	report(ready, &e);
	close(ready);
	init_serve(cmd, sfd, lsock, p);
fail:
	report(ready, &e);
	_exit(1);
}

/*
 * In the launcher child: namespaces, cgroup, init; *init_pid on success.
 * The caller then replies and waits for the init to end (launcher.c).
 */
int sandbox_start(struct life_req *r, char *const argv[], char *const envp[],
		  pid_t *init_pid, struct life_err *e)
{
	const struct crl_policy *p = r->h->policy;
	int ready[2], go[2] = { -1, -1 }, lsock;
	ssize_t n;
	pid_t pid;

	lsock = exec_sock_bind(r->h, r->project, e);
	if (lsock < 0)
		return -1;
	if (pipe2(ready, O_CLOEXEC) < 0) {
		close(lsock);
		return life_fail(e, errno, "pipe: %s", strerror(errno));
	}
	if (p->network == CRL_NET_VETH && pipe2(go, O_CLOEXEC) < 0) {
		close(lsock);
		close(ready[0]);
		close(ready[1]);
		return life_fail(e, errno, "pipe: %s", strerror(errno));
	}
	/* fork, but into new namespaces; this process stays in the host's
	 * (it holds no reference to the project's) and waits for the init */
	pid = (pid_t)syscall(SYS_clone, CLONE_NEWNS | CLONE_NEWPID |
			     CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET | SIGCHLD,
			     NULL, NULL, NULL, NULL);
	if (pid == 0) {
		close(ready[0]);
		if (go[1] >= 0)
			close(go[1]);
		init_main(r, go[0], ready[1], lsock, argv, envp);
	}
	close(lsock);
	close(ready[1]);
	if (go[0] >= 0)
		close(go[0]);
	if (pid < 0) {
		close(ready[0]);
		if (go[1] >= 0)
			close(go[1]);
		return life_fail(e, errno, "fork: %s", strerror(errno));
	}
	if (go[1] >= 0) {
		/* the pair, from the host's side; the init waits for it */
		int ok = net_veth_create(p, r->uid, pid, e) == 0;

		if (!ok || write(go[1], "v", 1) != 1) {
			close(go[1]);
			close(ready[0]);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			if (ok)
				life_fail(e, EIO, "cannot signal the init");
			return -1;
		}
		close(go[1]);
	}
	memset(e, 0, sizeof(*e));
	n = read(ready[0], e, sizeof(*e));
	close(ready[0]);
	if (n != (ssize_t)sizeof(*e) || e->err) {
		if (n != (ssize_t)sizeof(*e))
			life_fail(e, EIO, "the sandbox init died during set-up");
		waitpid(pid, NULL, 0);
		return -1;
	}
	*init_pid = pid;
	return 0;
}
