/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * File contents, streamed both ways without holding them in memory.
 *
 * Download: the helper's open_read gives a read-only descriptor of the
 * file, opened as the project; libmicrohttpd sends from it (sendfile on
 * plain TCP) and closes it when done.
 *
 * Upload: the helper's fs-replace gives the descriptor of a temporary file
 * beside the target and a token; each chunk of the body is written to it
 * as it arrives; fs-commit renames it over the target once the whole body
 * is in.  Any failure, a body over the limit, or a client that goes away
 * before the end: fs-abort, and the old file stays as it was.  The upload
 * has a helper connection of its own, so even if corrald dies mid-upload
 * the helper discards the temporary file when that connection ends.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frontend/corrald.h"

cd_mhd_ret cd_xfer_download(struct cd_server *s, struct MHD_Connection *conn,
			    struct cd_req *q)
{
	struct MHD_Response *r;
	struct crl_client *c;
	struct crl_enc e;
	struct crl_msg m;
	char why[256];
	unsigned int n = 0;
	int fd = -1, rc;

	c = cd_helper_get(s, why, sizeof(why));
	if (!c)
		return cd_respond_error(conn, q, 503, "helper_unavailable", why);
	crl_client_begin(c, &e, CRL_MSG_FS_OPEN_READ);
	crl_put_str(&e, CRL_A_PROJECT, q->project);
	crl_put_str(&e, CRL_A_PATH, q->path);
	rc = cd_helper_call_fds(c, &e, &m, &fd, 1, &n);
	if (rc == 0 && n != 1) {
		c->remote_errno = 0;
		snprintf(c->err, sizeof(c->err), "open_read reply without a descriptor");
		rc = -EPROTO;
	}
	cd_audit_request(q, "download", q->path, NULL,
			 rc < 0 ? (c->remote_errno ? c->remote_errno : EPROTO) : 0);
	if (rc < 0) {
		cd_mhd_ret ret = cd_respond_helper_error(conn, q, c, rc);
		if (!c->remote_errno)
			cd_helper_broken(c);
		return ret;
	}
	/* the size the helper saw when it opened the file: a file that
	 * grows meanwhile is sent as it was, one that shrinks ends early
	 * and libmicrohttpd closes the connection */
	r = MHD_create_response_from_fd64(crl_msg_u64(&m, CRL_A_SIZE), fd);
	if (!r) {
		close(fd);
		return cd_respond_error(conn, q, 500, "internal", "cannot send the file");
	}
	MHD_add_response_header(r, "Content-Type", "application/octet-stream");
	return cd_respond(conn, q, 200, r);
}

int cd_xfer_upload_begin(struct cd_server *s, struct MHD_Connection *conn,
			 struct cd_req *q, cd_mhd_ret *ret)
{
	const char *mode = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "mode");
	struct crl_client *c;
	struct crl_enc e;
	struct crl_msg m;
	char why[256];
	unsigned int n = 0;
	int rc;

	if (mode) {
		char *end;
		unsigned long v = strtoul(mode, &end, 8);
		if (!*mode || *end || v > 0777 || strspn(mode, "01234567") != strlen(mode)) {
			*ret = cd_respond_error(conn, q, 400, "bad_request",
						"mode must be octal, at most 777");
			return 1;
		}
		q->up_mode = (unsigned int)v;
		q->up_has_mode = 1;
	}
	c = cd_helper_open(s, why, sizeof(why));
	if (!c) {
		*ret = cd_respond_error(conn, q, 503, "helper_unavailable", why);
		return 1;
	}
	crl_client_begin(c, &e, CRL_MSG_FS_REPLACE);
	crl_put_str(&e, CRL_A_PROJECT, q->project);
	crl_put_str(&e, CRL_A_PATH, q->path);
	if (q->up_has_mode)
		crl_put_u32(&e, CRL_A_MODE, q->up_mode);
	rc = cd_helper_call_fds(c, &e, &m, &q->up_fd, 1, &n);
	if (rc == 0 && (n != 1 || !crl_msg_has(&m, CRL_A_TOKEN))) {
		if (n == 1)
			close(q->up_fd);
		q->up_fd = -1;
		c->remote_errno = 0;
		snprintf(c->err, sizeof(c->err), "replace reply without descriptor and token");
		rc = -EPROTO;
	}
	if (rc < 0) {
		cd_audit_request(q, "upload", q->path, NULL,
				 c->remote_errno ? c->remote_errno : EPROTO);
		*ret = cd_respond_helper_error(conn, q, c, rc);
		cd_helper_close(c);
		return 1;
	}
	q->up = c;
	q->up_token = crl_msg_u32(&m, CRL_A_TOKEN);
	return 0;
}

void cd_xfer_upload_data(struct cd_server *s, struct cd_req *q,
			 const char *data, size_t len)
{
	q->up_bytes += len;
	if (q->up_err || q->up_fd < 0 || q->up_bytes > s->conf.max_body)
		return;
	while (len) {
		ssize_t w = write(q->up_fd, data, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			q->up_err = errno;
			return;
		}
		data += w;
		len -= (size_t)w;
	}
}

void cd_xfer_upload_abort(struct cd_req *q)
{
	struct crl_enc e;
	struct crl_msg m;

	if (q->up_fd >= 0) {
		close(q->up_fd);
		q->up_fd = -1;
	}
	if (!q->up)
		return;
	crl_client_begin(q->up, &e, CRL_MSG_FS_ABORT);
	crl_put_u32(&e, CRL_A_TOKEN, q->up_token);
	/* if this fails, closing the connection discards the file anyway */
	(void)cd_helper_call(q->up, &e, &m);
	cd_audit_request(q, "upload-abort", q->path, NULL, 0);
	cd_helper_close(q->up);
	q->up = NULL;
}

cd_mhd_ret cd_xfer_upload_end(struct cd_server *s, struct MHD_Connection *conn,
			      struct cd_req *q)
{
	struct crl_enc e;
	struct crl_msg m;
	cd_mhd_ret ret;
	int rc;

	(void)s;
	if (q->up_err) {
		char msg[128];
		int err = q->up_err;

		cd_xfer_upload_abort(q);
		snprintf(msg, sizeof(msg), "writing the file: %s", strerror(err));
		return cd_respond_error(conn, q, err == ENOSPC || err == EDQUOT ? 507 : 500,
					err == ENOSPC || err == EDQUOT ?
					"insufficient_storage" : "internal", msg);
	}
	/* the data is in the file; the helper renames it into place */
	close(q->up_fd);
	q->up_fd = -1;
	crl_client_begin(q->up, &e, CRL_MSG_FS_COMMIT);
	crl_put_u32(&e, CRL_A_TOKEN, q->up_token);
	rc = cd_helper_call(q->up, &e, &m);
	cd_audit_request(q, "upload", q->path, NULL,
			 rc < 0 ? (q->up->remote_errno ? q->up->remote_errno : EPROTO) : 0);
	if (rc < 0)
		ret = cd_respond_helper_error(conn, q, q->up, rc);
	else
		ret = cd_respond_json(conn, q, 200, json_pack("{s:b, s:I}", "ok", 1,
			"size", (json_int_t)q->up_bytes));
	cd_helper_close(q->up);
	q->up = NULL;
	return ret;
}
