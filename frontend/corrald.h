/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * corrald internals shared by its files:
 *   corrald.c     options, listen sockets, privilege drop, daemons
 *   cd_http.c     libmicrohttpd glue: routing, auth, limits, bodies
 *   cd_api.c      project and file-operation endpoints (JSON)
 *   cd_xfer.c     streamed download and atomic streamed upload
 *   cd_helper.c   connections to the helper
 *   cd_audit.c    audit lines (syslog LOG_AUTHPRIV, key=value)
 *   cd_metrics.c  counters and the Prometheus text
 *   cd_conf.c cd_jwt.c cd_limit.c cd_mint.c  (see their headers)
 *
 * Threads: every libmicrohttpd daemon runs a small pool of epoll threads
 * (limits.threads); all callbacks of one connection run on one thread.
 * State shared between threads is the read-only configuration, the rate
 * and replay tables (mutex inside) and the metrics (atomic counters).
 */
#ifndef CORRAL_CORRALD_H
#define CORRAL_CORRALD_H

#include <stdint.h>

#include <jansson.h>
#include <microhttpd.h>

#include "frontend/cd_conf.h"
#include "frontend/cd_jwt.h"
#include "frontend/cd_limit.h"
#include "frontend/client.h"

/* Body bytes read and dropped after a body went over its limit, so that
 * the client can be told 413 (libmicrohttpd cannot answer in the middle
 * of a body); a client that sends even more is disconnected. */
#define CD_DISCARD_MAX (16u << 20)

#if MHD_VERSION >= 0x00097002
typedef enum MHD_Result cd_mhd_ret;
#else
typedef int cd_mhd_ret;
#endif

enum cd_route {
	CD_R_NONE = 0,              /* unknown path: 404 */
	CD_R_HEALTHZ, CD_R_METRICS,
	CD_R_CREATE, CD_R_STATUS, CD_R_START, CD_R_STOP, CD_R_EXEC,
	CD_R_FS, CD_R_DOWNLOAD, CD_R_UPLOAD,
	CD_R_MAX_
};

struct cd_server {
	struct cd_conf conf;
	struct cd_jwt_conf jwt;
	struct cd_rate *rate_token, *rate_addr;
	struct cd_replay *replay;
	int log_stderr;
};

/* One HTTP request (libmicrohttpd's per-request pointer). */
struct cd_req {
	enum cd_route route;
	const char *method;
	char remote[64];
	uint64_t t0_ns;
	unsigned int status;        /* of the response queued, 0: none yet */
	int responded;              /* a response is queued: drop the body */
	int too_big;                /* body over its limit: drop it, then 413 */
	/* after auth */
	int authed;
	struct cd_token tok;
	char project[CD_PRJ_MAX + 1];
	char *path;                 /* decoded file path (download, upload) */
	char fsop[16];              /* fs/OP */
	/* JSON body */
	char *body;
	size_t blen;
	/* upload */
	struct crl_client *up;
	uint32_t up_token;
	int up_fd;
	uint64_t up_bytes;
	int up_err;                 /* errno of a failed write, 0 */
	unsigned int up_mode;
	int up_has_mode;
	/* exec, run on a thread of its own while the connection is
	 * suspended; exec_result is set just before the resume */
	int exec_busy;
	json_t *exec_result;
	unsigned int exec_status;
};

/* ---- cd_http.c */
cd_mhd_ret cd_http_access(void *cls, struct MHD_Connection *conn,
			  const char *url, const char *method,
			  const char *version, const char *upload_data,
			  size_t *upload_data_size, void **con_cls);
void cd_http_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
		       enum MHD_RequestTerminationCode toe);
size_t cd_http_unescape(void *cls, struct MHD_Connection *c, char *uri);
/* Queue a response; records the status for metrics.  Takes r (destroys
 * it).  Returns MHD's answer. */
cd_mhd_ret cd_respond(struct MHD_Connection *conn, struct cd_req *q,
		      unsigned int status, struct MHD_Response *r);
/* {"error": code, "message": text} */
cd_mhd_ret cd_respond_error(struct MHD_Connection *conn, struct cd_req *q,
			    unsigned int status, const char *code,
			    const char *message);
/* Serialize j (stolen) as the body. */
cd_mhd_ret cd_respond_json(struct MHD_Connection *conn, struct cd_req *q,
			   unsigned int status, json_t *j);
/* {"error", "message"} as an object (for answers built off the MHD
 * thread), and the one for a failed helper call with its status. */
json_t *cd_error_json(const char *code, const char *message);
json_t *cd_helper_error_json(const struct crl_client *c, unsigned int *status);
/* The error reply for a failed helper call (errno -> status). */
cd_mhd_ret cd_respond_helper_error(struct MHD_Connection *conn,
				   struct cd_req *q, const struct crl_client *c,
				   int rc);
uint64_t cd_now_ns(void);

/* ---- cd_api.c: the request is authenticated and the body complete */
cd_mhd_ret cd_api_run(struct cd_server *s, struct MHD_Connection *conn,
		      struct cd_req *q);
/* Permission an fs OP needs (0: unknown op). */
unsigned int cd_api_fs_perm(const char *op);

/* ---- cd_xfer.c */
cd_mhd_ret cd_xfer_download(struct cd_server *s, struct MHD_Connection *conn,
			    struct cd_req *q);
/* Before the body: start the atomic replace.  0 ready, or the response
 * already queued (returns 1, *ret set). */
int cd_xfer_upload_begin(struct cd_server *s, struct MHD_Connection *conn,
			 struct cd_req *q, cd_mhd_ret *ret);
/* A chunk of the body: written to the temporary file. */
void cd_xfer_upload_data(struct cd_server *s, struct cd_req *q,
			 const char *data, size_t len);
cd_mhd_ret cd_xfer_upload_end(struct cd_server *s, struct MHD_Connection *conn,
			      struct cd_req *q);
/* The client went away or the request failed: discard the upload. */
void cd_xfer_upload_abort(struct cd_req *q);

/* ---- cd_helper.c */
/* This thread's persistent helper connection (connected on first use),
 * or NULL with why in err. */
struct crl_client *cd_helper_get(const struct cd_server *s, char *err,
				 size_t errlen);
/* After a call failed on this side (connection broken): the next
 * cd_helper_get() on this thread makes a new connection.  c stays valid
 * until then.  cd_helper_call*() do this by themselves. */
void cd_helper_broken(struct crl_client *c);
/* A connection of its own, for long or stateful requests (exec,
 * upload); cd_helper_close() when done. */
struct crl_client *cd_helper_open(const struct cd_server *s, char *err,
				  size_t errlen);
void cd_helper_close(struct crl_client *c);
/* One round trip, counted in the metrics. */
int cd_helper_call(struct crl_client *c, struct crl_enc *e, struct crl_msg *m);
int cd_helper_call_fds(struct crl_client *c, struct crl_enc *e,
		       struct crl_msg *m, int *fds, unsigned int max,
		       unsigned int *n);

/* ---- cd_audit.c */
void cd_audit_open(int log_stderr);
void cd_audit_auth_deny(const struct cd_req *q, const char *reason);
void cd_audit_request(const struct cd_req *q, const char *op,
		      const char *path, const char *path2, int err);
void cd_log(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- cd_metrics.c */
void cd_metrics_request(enum cd_route r, unsigned int status, uint64_t ns);
void cd_metrics_auth_failure(const char *reason);
void cd_metrics_helper(uint64_t ns, int failed);
/* The Prometheus text (malloc'd); running < 0: unknown. */
char *cd_metrics_render(long running);
const char *cd_route_name(enum cd_route r);

#endif
