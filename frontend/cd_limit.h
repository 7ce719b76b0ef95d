/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Bounded, thread-safe tables for corrald: token-bucket rate limits keyed
 * by a string (a token's jti hash, a client address) and the replay cache
 * of single-use token ids.  Both have a fixed number of slots decided at
 * start, so no request can make corrald grow them.
 */
#ifndef CORRAL_CD_LIMIT_H
#define CORRAL_CD_LIMIT_H

#include <stdint.h>
#include <time.h>

struct cd_rate;
struct cd_replay;

/* rate tokens a second, at most burst; slots entries. */
struct cd_rate *cd_rate_new(unsigned int rate, unsigned int burst,
			    unsigned int slots);
/* Take one token for key at now_ns (CLOCK_MONOTONIC).  0: allowed;
 * otherwise the whole seconds to wait (>= 1), for Retry-After.  When
 * every slot is busy with a recently seen key, the least recently seen
 * one is reused (its bucket starts full again): the table bounds memory,
 * the per-address limit still applies to a flood of fresh keys. */
unsigned int cd_rate_take(struct cd_rate *r, const char *key, uint64_t now_ns);
void cd_rate_free(struct cd_rate *r);

struct cd_replay *cd_replay_new(unsigned int slots);
/* Remember jti until expires (time_t).  0: first sighting; 1: seen
 * before and not expired; -1: table full of unexpired ids (fail closed). */
int cd_replay_add(struct cd_replay *r, const char *jti, int64_t expires,
		  time_t now);
void cd_replay_free(struct cd_replay *r);

#endif
