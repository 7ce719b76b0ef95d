/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Start-up self-check of the files the helper trusts (selfcheck.c). */
#ifndef CORRAL_HELPER_SELFCHECK_H
#define CORRAL_HELPER_SELFCHECK_H

#include <stddef.h>

#include "helper/helper.h"

/* 0 if the helper's binary and (service mode) its socket's directory are
 * root's alone; -1 with the reason in why. */
int selfcheck(const struct helper *h, char *why, size_t whylen);

#endif
