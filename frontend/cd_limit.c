/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rate limits and the replay cache.  Keys are hashed with a keyed hash
 * (BLAKE2b, crypto_generichash, random key per process) so that a client cannot
 * choose keys that collide; each key looks at a short window of slots
 * after its hash position (PROBE), which bounds the work per request.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "frontend/cd_limit.h"

#define PROBE 16

struct slot_id {
	uint8_t h[16];              /* generic hash of the key */
};

static void key_hash(const uint8_t hk[crypto_generichash_KEYBYTES],
		     const char *key, struct slot_id *id)
{
	crypto_generichash(id->h, sizeof(id->h), (const unsigned char *)key,
			   strlen(key), hk, crypto_generichash_KEYBYTES);
}

static size_t slot_index(const struct slot_id *id, unsigned int slots)
{
	uint64_t v;

	memcpy(&v, id->h, sizeof(v));
	return (size_t)(v % slots);
}

/* ------------------------------------------------------------ rate */

struct rate_slot {
	struct slot_id id;
	uint64_t last_ns;           /* 0: free */
	double tokens;
};

struct cd_rate {
	pthread_mutex_t lock;
	double rate, burst;
	unsigned int slots;
	uint8_t hk[crypto_generichash_KEYBYTES];
	struct rate_slot *s;
};

struct cd_rate *cd_rate_new(unsigned int rate, unsigned int burst,
			    unsigned int slots)
{
	struct cd_rate *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->s = calloc(slots, sizeof(*r->s));
	if (!r->s) {
		free(r);
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	r->rate = rate;
	r->burst = burst;
	r->slots = slots;
	randombytes_buf(r->hk, sizeof(r->hk));
	return r;
}

unsigned int cd_rate_take(struct cd_rate *r, const char *key, uint64_t now_ns)
{
	struct slot_id id;
	struct rate_slot *hit = NULL, *old = NULL;
	unsigned int wait = 0;
	size_t base;

	if (now_ns == 0)
		now_ns = 1;
	key_hash(r->hk, key, &id);
	base = slot_index(&id, r->slots);
	pthread_mutex_lock(&r->lock);
	for (unsigned int i = 0; i < PROBE && i < r->slots; i++) {
		struct rate_slot *s = &r->s[(base + i) % r->slots];

		if (s->last_ns && memcmp(&s->id, &id, sizeof(id)) == 0) {
			hit = s;
			break;
		}
		if (!old || s->last_ns < old->last_ns)
			old = s;
	}
	if (!hit) {
		hit = old;
		hit->id = id;
		hit->tokens = r->burst;
		hit->last_ns = now_ns;
	}
	if (now_ns > hit->last_ns) {
		hit->tokens += (double)(now_ns - hit->last_ns) / 1e9 * r->rate;
		if (hit->tokens > r->burst)
			hit->tokens = r->burst;
	}
	hit->last_ns = now_ns;
	if (hit->tokens >= 1.0) {
		hit->tokens -= 1.0;
	} else {
		double secs = (1.0 - hit->tokens) / r->rate;
		wait = (unsigned int)secs + 1;
	}
	pthread_mutex_unlock(&r->lock);
	return wait;
}

void cd_rate_free(struct cd_rate *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r->s);
	free(r);
}

/* ------------------------------------------------------------ replay */

struct replay_slot {
	struct slot_id id;
	int64_t expires;            /* 0: free */
};

struct cd_replay {
	pthread_mutex_t lock;
	unsigned int slots;
	uint8_t hk[crypto_generichash_KEYBYTES];
	struct replay_slot *s;
};

struct cd_replay *cd_replay_new(unsigned int slots)
{
	struct cd_replay *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->s = calloc(slots, sizeof(*r->s));
	if (!r->s) {
		free(r);
		return NULL;
	}
	pthread_mutex_init(&r->lock, NULL);
	r->slots = slots;
	randombytes_buf(r->hk, sizeof(r->hk));
	return r;
}

int cd_replay_add(struct cd_replay *r, const char *jti, int64_t expires,
		  time_t now)
{
	struct slot_id id;
	struct replay_slot *free_slot = NULL;
	size_t base;
	int rc = -1;

	key_hash(r->hk, jti, &id);
	base = slot_index(&id, r->slots);
	pthread_mutex_lock(&r->lock);
	/* look through the whole window first: the id may sit after a
	 * slot that has expired since */
	for (unsigned int i = 0; i < PROBE * 2 && i < r->slots; i++) {
		struct replay_slot *s = &r->s[(base + i) % r->slots];
		int live = s->expires > (int64_t)now;

		if (live && memcmp(&s->id, &id, sizeof(id)) == 0) {
			rc = 1;
			goto out;
		}
		if (!live && !free_slot)
			free_slot = s;
	}
	if (free_slot) {
		free_slot->id = id;
		free_slot->expires = expires > (int64_t)now ? expires : (int64_t)now + 1;
		rc = 0;
	}
out:
	pthread_mutex_unlock(&r->lock);
	return rc;
}

void cd_replay_free(struct cd_replay *r)
{
	if (!r)
		return;
	pthread_mutex_destroy(&r->lock);
	free(r->s);
	free(r);
}
