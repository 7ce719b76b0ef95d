/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What race-attacker and race-driver share: the layout of the tree in the
 * attacked home, and a small file both map MAP_SHARED (made by the test,
 * owned by the project so that the attacker, which runs as the project,
 * can write it).
 *
 * The attacker's processes (one per tree) add to the counters atomically.
 * The driver trusts nothing in the shared file for its verdict except the
 * attacker's counters, which it only prints and uses as evidence of
 * concurrency; whether the helper stayed inside the home is decided from
 * the canary snapshot and from the descriptors the helper returned.
 */
#ifndef CORRAL_TESTS_RACE_H
#define CORRAL_TESTS_RACE_H

#include <stdint.h>

#define RACE_MAGIC      0x52414345u  /* "RACE" */
#define RACE_TREES_MAX  4
#define RACE_DEPTH      3            /* wK, wK/d1, wK/d1/d2 */

struct race_shm {
	uint32_t magic;
	uint32_t ready;         /* attacker: tree made, swapping */
	uint32_t stop;          /* driver: done, the attacker may go */
	uint32_t trees;         /* how many wK trees the attacker set up */
	uint64_t swaps;         /* successful RENAME_EXCHANGEs */
	uint64_t plants;        /* symlink moved onto a name the driver freed */
	uint64_t relinks;       /* symlink made anew (the driver took one) */
	uint64_t rotations;     /* symlink replaced by one with another target */
	uint64_t errors;        /* attacker syscalls failing unexpectedly */
	uint64_t parked;        /* driver's objects moved off a symlink's name */
	/* driver worker K: the slots of tree K its request in flight uses
	 * (RACE_SLOT_* bits); the attacker flips those far more often */
	uint32_t aim[RACE_TREES_MAX];
};

/* Relaxed is enough: the counters are statistics and flags are polled. */
#define RACE_LOAD(p)     __atomic_load_n((p), __ATOMIC_RELAXED)
#define RACE_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#define RACE_ADD(p, v)   __atomic_fetch_add((p), (v), __ATOMIC_RELAXED)

/*
 * The tree, per driver worker K (both sides build names from these):
 *   wK/  wK/d1/  wK/d1/d2/            the three bases, every one swapped
 *   BASE/{n,p,p/q,f,c,g,h}            leaves the operations use, swapped
 * Every swapped NAME has a sibling NAME.x the attacker keeps as a symlink
 * out of the home and exchanges with NAME.
 */
#define RACE_EVIL_SUFFIX ".x"

/*
 * Slots of one tree, in the attacker's order: the three directories, then
 * for each base (depth 0-2) its seven leaves.  An aim is a mask of these.
 */
#define RACE_LEAVES     7
#define RACE_TREE_SLOTS (RACE_DEPTH + RACE_DEPTH * RACE_LEAVES)
enum race_leaf {
	RACE_N = 1 << 0, RACE_P = 1 << 1, RACE_F = 1 << 2, RACE_C = 1 << 3,
	RACE_G = 1 << 4, RACE_H = 1 << 5, RACE_Q = 1 << 6, /* p/q */
};

/* The aim of a request on base depth d using these leaves: the
 * directories down to the base, and the leaves under it. */
static inline uint32_t race_aim(unsigned int d, uint32_t leaves)
{
	return ((2u << d) - 1) | leaves << (RACE_DEPTH + d * RACE_LEAVES);
}

#endif
