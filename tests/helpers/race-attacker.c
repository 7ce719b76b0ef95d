/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * race-attacker: a hostile project process for the symlink-swap race test.
 *
 *   race-attacker --shm FILE --home DIR --canary DIR --other DIR
 *                 [--trees N] [--no-focus]
 *
 * Runs AS THE PROJECT (it refuses to run as root): exactly what a
 * project's own code could do to the helper.  It builds the tree of
 * race.h in its home, then, until the driver sets stop, swaps every path
 * component the driver's operations use (the three directories of each
 * tree and the leaves under each of them) with a sibling symlink pointing
 * out of the home, with renameat2(RENAME_EXCHANGE), back and forth, as
 * fast as it can.  Where the driver has left a leaf's name free, the
 * symlink is moved in and out instead, so that the driver meets the
 * symlink when it creates a name as well as when it uses one.  The
 * symlinks point at the canary (absolute, relative, through
 * /proc/self/root), at another project's home, and at "../../..";
 * their targets rotate so that every component meets every kind.
 * The components of the requests in flight, which the driver names in
 * the shared file, are flipped between any two others, by several
 * processes at once (see run()).
 *
 * The attacker itself never resolves a path of more than one component:
 * it works from descriptors of the real directories, so its own work can
 * never land outside the home (the canary is world-writable on purpose,
 * so that a helper that escapes can do visible damage).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/helpers/race.h"

#define NTARGETS 5
#define TARGET_MAX 512
#define ROTATE_EVERY 8      /* passes between target rotations */
#define FOCUS_ROUNDS 4      /* aimed flips between two slots of the sweep */

static const char *const leaf_names[] = { "n", "p", "f", "c", "g", "h" };
#define NLEAVES (sizeof(leaf_names) / sizeof(leaf_names[0]))
/* the order of enum race_leaf, p/q last */
_Static_assert(NLEAVES + 1 == RACE_LEAVES, "leaves of race.h");
#define SLOTS_MAX (RACE_TREES_MAX * RACE_TREE_SLOTS)

struct slot {
	int dirfd;                  /* the real directory holding name, or -1 */
	int basefd;                 /* nested slot: dirfd holding sub */
	const char *sub;            /* nested slot: the directory to open */
	char name[8];
	char evil[8];
	char tmp[16];
	char target[NTARGETS][TARGET_MAX];
	unsigned int next;          /* target for the next symlink made */
	int leaf;                   /* the driver makes and removes it */
};

struct attacker {
	struct race_shm *shm;
	int home;
	const char *home_path, *canary, *other;
	struct slot slot[SLOTS_MAX];
	unsigned int nslots;
	int no_focus;               /* ignore the driver's aim */
};

static void die(const char *what)
{
	fprintf(stderr, "race-attacker: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* One component under dirfd, never following a symlink. */
static int open_dir_beneath(int dirfd, const char *name)
{
	struct open_how how = {
		.flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
			   RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};

	return (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));
}

static int mkdir_open(int dirfd, const char *name)
{
	int fd;

	if (mkdirat(dirfd, name, 0755) < 0 && errno != EEXIST)
		die(name);
	fd = open_dir_beneath(dirfd, name);
	if (fd < 0)
		die(name);
	return fd;
}

/* How many components the home's absolute path has. */
static unsigned int path_depth(const char *p)
{
	unsigned int n = 0;

	for (; *p; p++)
		if (*p == '/' && p[1] && p[1] != '/')
			n++;
	return n;
}

/*
 * The five ways out of the home, for a symlink that lives depth
 * directories below it: files point at a file, directories at a
 * directory, so that following them would let every operation act.
 */
static void set_targets(const struct attacker *a, struct slot *s,
			unsigned int depth, int is_file)
{
	const char *leaf = is_file ? "/file" : "/dir";
	unsigned int ups = depth + path_depth(a->home_path);
	char *rel = s->target[1];
	size_t off = 0;

	snprintf(s->target[0], TARGET_MAX, "%s%s", a->canary, leaf);
	for (unsigned int i = 0; i < ups && off + 4 < TARGET_MAX; i++)
		off += (size_t)snprintf(rel + off, TARGET_MAX - off, "../");
	snprintf(rel + off, TARGET_MAX - off, "%s%s", a->canary + 1, leaf);
	snprintf(s->target[2], TARGET_MAX, "%s%s", a->other,
		 is_file ? "/file" : "");
	snprintf(s->target[3], TARGET_MAX, "/proc/self/root%s%s", a->canary,
		 leaf);
	snprintf(s->target[4], TARGET_MAX, "../../..");
}

static struct slot *add_slot(struct attacker *a, int dirfd, const char *name,
			     unsigned int depth, int is_file)
{
	struct slot *s = &a->slot[a->nslots];

	s->dirfd = dirfd;
	s->basefd = -1;
	snprintf(s->name, sizeof(s->name), "%s", name);
	snprintf(s->evil, sizeof(s->evil), "%s%s", name, RACE_EVIL_SUFFIX);
	snprintf(s->tmp, sizeof(s->tmp), "%s.tmp", name);
	set_targets(a, s, depth, is_file);
	s->next = a->nslots % NTARGETS;
	a->nslots++;
	return s;
}

/* The leaves of one base directory, depth levels below the home. */
static void add_leaves(struct attacker *a, int base, unsigned int depth)
{
	struct slot *s;

	for (size_t i = 0; i < NLEAVES; i++) {
		const char *n = leaf_names[i];

		s = add_slot(a, base, n, depth, n[0] != 'n' && n[0] != 'p');
		s->leaf = 1;
	}
	/* p/q: p comes and goes, so it is opened anew at each swap */
	s = add_slot(a, -1, "q", depth + 1, 0);
	s->leaf = 1;
	s->basefd = base;
	s->sub = "p";
}

/* Tree K: wK/d1/d2, each directory a slot, each one a base. */
static void build_tree(struct attacker *a, unsigned int k)
{
	char w[16];
	int fd_w, fd_d1, fd_d2;

	snprintf(w, sizeof(w), "w%u", k);
	fd_w = mkdir_open(a->home, w);
	fd_d1 = mkdir_open(fd_w, "d1");
	fd_d2 = mkdir_open(fd_d1, "d2");
	add_slot(a, a->home, w, 0, 0);
	add_slot(a, fd_w, "d1", 1, 0);
	add_slot(a, fd_d1, "d2", 2, 0);
	add_leaves(a, fd_w, 1);
	add_leaves(a, fd_d1, 2);
	add_leaves(a, fd_d2, 3);
}

/* The directory holding the slot's name right now, or -1 (p is missing
 * or is itself swapped out). */
static int slot_dir(const struct slot *s)
{
	if (s->dirfd >= 0)
		return s->dirfd;
	return open_dir_beneath(s->basefd, s->sub);
}

/* A failure the races themselves do not explain: counted, the first few
 * shown.  ENOENT and EEXIST are explained: the driver or another attacker
 * process moved a name between our look and our move. */
static void oops(struct attacker *a, const struct slot *s, const char *what)
{
	if (errno == ENOENT || errno == EEXIST)
		return;
	if (RACE_ADD(&a->shm->errors, 1) < 5)
		fprintf(stderr, "race-attacker: %s %s: %s\n", what, s->name,
			strerror(errno));
}

static int make_link(struct attacker *a, struct slot *s, int dfd,
		     const char *name)
{
	const char *t = s->target[s->next];

	s->next = (s->next + 1) % NTARGETS;
	if (symlinkat(t, dfd, name) == 0)
		return 0;
	oops(a, s, "symlink");
	return -1;
}

/* What a name holds right now, not following it. */
enum hold { MISSING, LINK, REAL };

static enum hold holds(int dfd, const char *name)
{
	struct stat st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return MISSING;
	return S_ISLNK(st.st_mode) ? LINK : REAL;
}

static void swapped(struct attacker *a)
{
	/* published at once: the driver reads it around each request */
	RACE_ADD(&a->shm->swaps, 1);
}

/* A real object (the driver's) parked under evil, where a symlink should
 * be: move it out of the way under a fresh name. */
static void park(struct attacker *a, struct slot *s, int dfd)
{
	char junk[32];

	snprintf(junk, sizeof(junk), "%s.j%lu", s->name,
		 (unsigned long)RACE_ADD(&a->shm->parked, 1));
	if (renameat2(dfd, s->evil, dfd, junk, RENAME_NOREPLACE) < 0)
		oops(a, s, "park");
}

/* Put a symlink under name: exchange with the driver's object, or move
 * the symlink in when the driver left the name free ("plant"). */
static void link_in(struct attacker *a, struct slot *s, int dfd,
		    enum hold nm, enum hold ev)
{
	if (ev == MISSING) {
		if (make_link(a, s, dfd, s->evil) == 0)
			RACE_ADD(&a->shm->relinks, 1);
	} else if (ev == REAL) {
		park(a, s, dfd);
	} else if (nm == REAL) {
		if (renameat2(dfd, s->name, dfd, s->evil, RENAME_EXCHANGE) == 0)
			swapped(a);
	} else if (renameat2(dfd, s->evil, dfd, s->name, RENAME_NOREPLACE) == 0) {
		RACE_ADD(&a->shm->plants, 1);
		swapped(a);
	}
}

/* Give the name back: the driver's object, or nothing. */
static void link_out(struct attacker *a, struct slot *s, int dfd,
		     enum hold ev)
{
	if (ev == REAL) {
		if (renameat2(dfd, s->name, dfd, s->evil, RENAME_EXCHANGE) == 0)
			swapped(a);
	} else if (ev == MISSING) {
		if (renameat2(dfd, s->name, dfd, s->evil, RENAME_NOREPLACE) == 0)
			swapped(a);
	} else {
		/* a symlink on both sides (the driver moved one here) */
		if (unlinkat(dfd, s->name, 0) == 0)
			swapped(a);
	}
}

/*
 * One visit to a leaf: flip it between "name is a symlink out" and "name
 * is whatever the driver made, or free", deciding from what is there now,
 * since the driver keeps creating, renaming and removing these names.
 * Intermediate directories never change hands and take the fast path.
 */
static void flip_leaf(struct attacker *a, struct slot *s, int dfd)
{
	enum hold nm = holds(dfd, s->name), ev = holds(dfd, s->evil);

	if (nm != LINK)
		link_in(a, s, dfd, nm, ev);
	else
		link_out(a, s, dfd, ev);
}

/* Give the spare symlink another target, atomically (rename over it). */
static void rotate(struct attacker *a, struct slot *s, int dfd)
{
	if (holds(dfd, s->evil) != LINK)
		return;
	unlinkat(dfd, s->tmp, 0);
	if (make_link(a, s, dfd, s->tmp) < 0)
		return;
	if (renameat(dfd, s->tmp, dfd, s->evil) == 0)
		RACE_ADD(&a->shm->rotations, 1);
	else
		unlinkat(dfd, s->tmp, 0);
}

static void attack(struct attacker *a, struct slot *s, int rotate_now)
{
	int dfd = slot_dir(s);

	if (dfd < 0)
		return;
	if (rotate_now)
		rotate(a, s, dfd);
	if (!s->leaf) {
		if (renameat2(dfd, s->name, dfd, s->evil, RENAME_EXCHANGE) == 0)
			swapped(a);
		else
			oops(a, s, "exchange");
	} else {
		flip_leaf(a, s, dfd);
	}
	if (dfd != s->dirfd)
		close(dfd);
}

/*
 * Flip the slots the driver's requests in flight use, each once.  A
 * window may be a few system calls wide (between an unlinkat() failing
 * with EISDIR and the open of the directory, say): only a component that
 * changes many times during one request lands in it with any regularity.
 */
static void focus(struct attacker *a, unsigned int k)
{
	uint32_t aim = RACE_LOAD(&a->shm->aim[k]);

	if (a->no_focus)
		return;
	for (unsigned int b = 0; aim && b < RACE_TREE_SLOTS; b++, aim >>= 1)
		if (aim & 1)
			attack(a, &a->slot[k * RACE_TREE_SLOTS + b], 0);
}

/* Tree k's slots in turn, with the aimed ones flipped FOCUS_ROUNDS
 * times between any two: with fewer, a rm -r that opened its directories
 * following symlinks (a window of two system calls) went unseen in one
 * run out of six. */
static void run_tree(struct attacker *a, unsigned int k)
{
	struct slot *first = &a->slot[k * RACE_TREE_SLOTS];
	unsigned long pass;

	for (pass = 1; !RACE_LOAD(&a->shm->stop); pass++) {
		for (unsigned int i = 0; i < RACE_TREE_SLOTS; i++) {
			attack(a, &first[i], pass % ROTATE_EVERY == 0);
			for (int r = 0; r < FOCUS_ROUNDS; r++)
				focus(a, k);
		}
	}
}

/*
 * trees + 2 processes, every tree served by two or more, all on the CPU
 * the test gives the attacker.  When one sleeps on a directory lock the helper holds,
 * another runs, so that CPU never goes idle (waking an idle CPU costs tens
 * of microseconds in a VM, far longer than most windows).  Processes that
 * share a tree trip over each other now and then; that is harmless.
 */
static void run(struct attacker *a, unsigned int trees)
{
	unsigned int nproc = trees + 2, j;
	pid_t pid[RACE_TREES_MAX + 2], parent = getpid();
	int st;

	for (unsigned int i = 0; i < a->nslots; i++)
		if (a->slot[i].dirfd >= 0)
			make_link(a, &a->slot[i], a->slot[i].dirfd,
				  a->slot[i].evil);
	RACE_STORE(&a->shm->ready, 1);
	for (j = 1; j < nproc; j++) {
		pid[j] = fork();
		if (pid[j] < 0)
			die("fork");
		if (pid[j] == 0) {
			/* the test kills the first process only: follow it */
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
			    getppid() != parent)
				_exit(0);
			run_tree(a, j % trees);
			_exit(0);
		}
	}
	run_tree(a, 0);
	for (j = 1; j < nproc; j++)
		waitpid(pid[j], &st, 0);
}

static struct race_shm *map_shm(const char *path)
{
	int fd = open(path, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
	struct race_shm *shm;

	if (fd < 0)
		die(path);
	shm = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE, MAP_SHARED,
		   fd, 0);
	if (shm == MAP_FAILED)
		die("mmap");
	close(fd);
	return shm;
}

/* Only as the project: root would prove nothing about the helper. */
static void check_identity(int home)
{
	struct stat st;

	if (getuid() == 0 || geteuid() == 0 || getgid() == 0) {
		fprintf(stderr, "race-attacker: refusing to run as root\n");
		exit(2);
	}
	if (fstat(home, &st) < 0)
		die("home");
	if (st.st_uid != geteuid()) {
		fprintf(stderr, "race-attacker: the home is not mine\n");
		exit(2);
	}
}

/* Options into a; returns the shared file's path, or exits. */
static const char *parse(struct attacker *a, unsigned int *trees, int argc,
			 char **argv)
{
	static const struct option opts[] = {
		{ "shm", required_argument, NULL, 's' },
		{ "home", required_argument, NULL, 'H' },
		{ "canary", required_argument, NULL, 'c' },
		{ "other", required_argument, NULL, 'o' },
		{ "trees", required_argument, NULL, 't' },
		{ "no-focus", no_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	const char *shm_path = NULL;
	int opt;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 's': shm_path = optarg; break;
		case 'H': a->home_path = optarg; break;
		case 'c': a->canary = optarg; break;
		case 'o': a->other = optarg; break;
		case 't': *trees = (unsigned int)strtoul(optarg, NULL, 10); break;
		case 'F': a->no_focus = 1; break;
		default: exit(2);
		}
	}
	if (!shm_path || !a->home_path || !a->canary || !a->other ||
	    a->canary[0] != '/' || a->other[0] != '/' ||
	    a->home_path[0] != '/' || *trees < 1 || *trees > RACE_TREES_MAX) {
		fprintf(stderr, "usage: race-attacker --shm FILE --home DIR "
			"--canary DIR --other DIR [--trees 1-%d] "
			"[--no-focus]\n", RACE_TREES_MAX);
		exit(2);
	}
	return shm_path;
}

int main(int argc, char **argv)
{
	static struct attacker a;
	unsigned int trees = 1;
	const char *shm_path = parse(&a, &trees, argc, argv);

	a.home = open(a.home_path, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (a.home < 0)
		die(a.home_path);
	check_identity(a.home);
	a.shm = map_shm(shm_path);
	for (unsigned int k = 0; k < trees; k++)
		build_tree(&a, k);
	if (a.nslots != trees * RACE_TREE_SLOTS) {  /* aims index slots */
		fprintf(stderr, "race-attacker: slots out of step with race.h\n");
		exit(2);
	}
	RACE_STORE(&a.shm->trees, trees);
	run(&a, trees);
	printf("attacker: %lu swaps, %lu plants, %lu relinks, %lu rotations, "
	       "%lu parked, %lu errors\n",
	       (unsigned long)RACE_LOAD(&a.shm->swaps),
	       (unsigned long)RACE_LOAD(&a.shm->plants),
	       (unsigned long)RACE_LOAD(&a.shm->relinks),
	       (unsigned long)RACE_LOAD(&a.shm->rotations),
	       (unsigned long)RACE_LOAD(&a.shm->parked),
	       (unsigned long)RACE_LOAD(&a.shm->errors));
	return 0;
}
