/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "config.h"

#include <unistd.h>

#include "tests/helpers/fscall.h"

int fsc_open(struct crl_client *c, const char *sock, const char *name)
{
	int r = crl_client_connect(c, sock);

	if (r < 0)
		return r;
	r = crl_client_hello(c, name);
	if (r < 0)
		crl_client_close(c);
	return r;
}

void fsc_begin(struct crl_client *c, struct crl_enc *e, uint16_t type,
	       const char *project, const char *path)
{
	crl_client_begin(c, e, type);
	crl_put_str(e, CRL_A_PROJECT, project);
	if (path)
		crl_put_str(e, CRL_A_PATH, path);
}

int fsc_call(struct crl_client *c, struct crl_enc *e, struct crl_msg *reply,
	     int *fd, int *broken)
{
	int fds[CRL_FDS_MAX];
	unsigned int nfds = 0, i;
	int r = crl_client_call_fds(c, e, reply, fds, CRL_FDS_MAX, &nfds);

	if (fd)
		*fd = -1;
	if (r < 0) {
		/* no errno from the helper: the connection or a frame failed */
		if (c->remote_errno == 0 && broken)
			*broken = 1;
		return r;
	}
	/* keep one descriptor if the caller wants it; never leak the rest */
	for (i = 0; i < nfds; i++) {
		if (i == 0 && fd)
			*fd = fds[0];
		else
			close(fds[i]);
	}
	return 0;
}

int fsc_create(struct crl_client *c, const char *project)
{
	struct crl_enc e;
	struct crl_msg m;

	fsc_begin(c, &e, CRL_MSG_CREATE, project, NULL);
	return fsc_call(c, &e, &m, NULL, NULL);
}
