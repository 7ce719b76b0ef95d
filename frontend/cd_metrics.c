/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Metrics in the Prometheus text format (version 0.0.4).  Counters are
 * plain arrays updated with relaxed atomic adds: no lock on the request
 * path, and a scrape may see one request counted in one series and not
 * yet in another, which Prometheus tolerates.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "frontend/corrald.h"

static const unsigned int codes[] = {
	200, 201, 204, 400, 401, 403, 404, 405, 409, 411, 413, 415, 429, 431,
	500, 501, 502, 503, 504, 507,
};
#define NCODES (sizeof(codes) / sizeof(codes[0]))
#define CODE_OTHER NCODES

/* upper bounds in seconds */
static const double buckets[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10,
};
#define NBUCKETS (sizeof(buckets) / sizeof(buckets[0]))

static const char *const route_names[CD_R_MAX_] = {
	[CD_R_NONE] = "none", [CD_R_HEALTHZ] = "healthz",
	[CD_R_METRICS] = "metrics", [CD_R_CREATE] = "create",
	[CD_R_STATUS] = "status", [CD_R_START] = "start", [CD_R_STOP] = "stop",
	[CD_R_EXEC] = "exec", [CD_R_FS] = "fs", [CD_R_DOWNLOAD] = "download",
	[CD_R_UPLOAD] = "upload",
};

static const char *const auth_reasons[] = {
	"missing", "oversized", "malformed", "duplicate_key", "bad_alg",
	"bad_signature", "wrong_audience", "expired", "not_yet_valid",
	"lifetime_too_long", "replayed", "replay_cache_full", "wrong_project",
	"missing_permission", "rate_limited_token", "rate_limited_address",
};
#define NREASONS (sizeof(auth_reasons) / sizeof(auth_reasons[0]))

static struct {
	uint64_t requests[CD_R_MAX_][NCODES + 1];
	uint64_t latency[NBUCKETS + 1];    /* last: +Inf only */
	uint64_t latency_ns_sum, latency_count;
	uint64_t auth[NREASONS];
	uint64_t helper_calls, helper_failures, helper_ns_sum;
} m;

#define ADD(x, v) __atomic_add_fetch(&(x), (v), __ATOMIC_RELAXED)
#define GET(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

const char *cd_route_name(enum cd_route r)
{
	return (unsigned int)r < CD_R_MAX_ ? route_names[r] : "none";
}

void cd_metrics_request(enum cd_route r, unsigned int status, uint64_t ns)
{
	size_t i, b;

	for (i = 0; i < NCODES && codes[i] != status; i++)
		;
	if ((unsigned int)r >= CD_R_MAX_)
		r = CD_R_NONE;
	ADD(m.requests[r][i], 1);
	for (b = 0; b < NBUCKETS && (double)ns / 1e9 > buckets[b]; b++)
		;
	ADD(m.latency[b], 1);
	ADD(m.latency_ns_sum, ns);
	ADD(m.latency_count, 1);
}

void cd_metrics_auth_failure(const char *reason)
{
	for (size_t i = 0; i < NREASONS; i++)
		if (strcmp(reason, auth_reasons[i]) == 0) {
			ADD(m.auth[i], 1);
			return;
		}
}

void cd_metrics_helper(uint64_t ns, int failed)
{
	ADD(m.helper_calls, 1);
	ADD(m.helper_ns_sum, ns);
	if (failed)
		ADD(m.helper_failures, 1);
}

struct out {
	char *buf;
	size_t len, cap;
};

static void outf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!o->buf)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->buf + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			free(o->buf);
			o->buf = NULL;
			return;
		}
		if ((size_t)n < o->cap - o->len) {
			o->len += (size_t)n;
			return;
		}
		char *nb = realloc(o->buf, o->cap * 2);
		if (!nb) {
			free(o->buf);
			o->buf = NULL;
			return;
		}
		o->buf = nb;
		o->cap *= 2;
	}
}

char *cd_metrics_render(long running)
{
	struct out o = { malloc(8192), 0, 8192 };
	uint64_t cum = 0;

	outf(&o, "# HELP corrald_requests_total HTTP requests by endpoint and status.\n"
		 "# TYPE corrald_requests_total counter\n");
	for (int r = 0; r < CD_R_MAX_; r++)
		for (size_t i = 0; i <= NCODES; i++) {
			uint64_t v = GET(m.requests[r][i]);
			if (!v)
				continue;
			if (i < NCODES)
				outf(&o, "corrald_requests_total{endpoint=\"%s\",status=\"%u\"} %llu\n",
				     route_names[r], codes[i], (unsigned long long)v);
			else
				outf(&o, "corrald_requests_total{endpoint=\"%s\",status=\"other\"} %llu\n",
				     route_names[r], (unsigned long long)v);
		}
	outf(&o, "# HELP corrald_request_duration_seconds Time from request headers to response completion.\n"
		 "# TYPE corrald_request_duration_seconds histogram\n");
	for (size_t b = 0; b < NBUCKETS; b++) {
		cum += GET(m.latency[b]);
		outf(&o, "corrald_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
		     buckets[b], (unsigned long long)cum);
	}
	cum += GET(m.latency[NBUCKETS]);
	outf(&o, "corrald_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n"
		 "corrald_request_duration_seconds_sum %.6f\n"
		 "corrald_request_duration_seconds_count %llu\n",
	     (unsigned long long)cum, (double)GET(m.latency_ns_sum) / 1e9,
	     (unsigned long long)GET(m.latency_count));
	outf(&o, "# HELP corrald_auth_failures_total Refused requests by reason.\n"
		 "# TYPE corrald_auth_failures_total counter\n");
	for (size_t i = 0; i < NREASONS; i++)
		outf(&o, "corrald_auth_failures_total{reason=\"%s\"} %llu\n",
		     auth_reasons[i], (unsigned long long)GET(m.auth[i]));
	outf(&o, "# HELP corrald_helper_requests_total Round trips to corral-helper.\n"
		 "# TYPE corrald_helper_requests_total counter\n"
		 "corrald_helper_requests_total %llu\n"
		 "# HELP corrald_helper_failures_total Round trips that failed on the connection (not error replies).\n"
		 "# TYPE corrald_helper_failures_total counter\n"
		 "corrald_helper_failures_total %llu\n"
		 "# HELP corrald_helper_seconds_total Time spent waiting for corral-helper.\n"
		 "# TYPE corrald_helper_seconds_total counter\n"
		 "corrald_helper_seconds_total %.6f\n",
	     (unsigned long long)GET(m.helper_calls),
	     (unsigned long long)GET(m.helper_failures),
	     (double)GET(m.helper_ns_sum) / 1e9);
	if (running >= 0)
		outf(&o, "# HELP corrald_running_projects Projects running now (helper list).\n"
			 "# TYPE corrald_running_projects gauge\n"
			 "corrald_running_projects %ld\n", running);
	return o.buf;
}
