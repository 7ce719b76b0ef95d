# The unprivileged side: corralctl and corrald.
noinst_LIBRARIES += frontend/libcorralclient.a
frontend_libcorralclient_a_SOURCES = frontend/client.h frontend/client.c

bin_PROGRAMS += frontend/corralctl
frontend_corralctl_SOURCES = frontend/corralctl.c frontend/ctl.h \
	frontend/ctl_fs.c frontend/ctl_fs.h frontend/ctl_data.c \
	frontend/ctl_parse.c frontend/ctl_parse.h frontend/ctl_token.c \
	frontend/ctl_http.c frontend/ctl_life.c
frontend_corralctl_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(SODIUM_CFLAGS)
frontend_corralctl_LDADD = frontend/libcorrald.a frontend/libcorralclient.a \
	policy/libcorralpolicy.a common/libcorralcommon.a $(JANSSON_LIBS) $(SODIUM_LIBS)

# corrald: the network-facing daemon (cd_*.c, one concern a file).
noinst_LIBRARIES += frontend/libcorrald.a
frontend_libcorrald_a_SOURCES = \
	frontend/cd_conf.c frontend/cd_conf.h \
	frontend/cd_jwt.c frontend/cd_jwt.h \
	frontend/cd_limit.c frontend/cd_limit.h \
	frontend/cd_mint.c frontend/cd_mint.h
frontend_libcorrald_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS) $(SODIUM_CFLAGS) $(MHD_CFLAGS)

check_PROGRAMS += tests/unit/check_jwt tests/unit/check_cdconf
TESTS += tests/unit/check_jwt tests/unit/check_cdconf
tests_unit_check_jwt_SOURCES = tests/unit/check_jwt.c
tests_unit_check_jwt_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SODIUM_CFLAGS)
tests_unit_check_jwt_LDADD = frontend/libcorrald.a $(JANSSON_LIBS) \
	$(SODIUM_LIBS) $(CHECK_LIBS) -lpthread
tests_unit_check_cdconf_SOURCES = tests/unit/check_cdconf.c
tests_unit_check_cdconf_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(SODIUM_CFLAGS)
tests_unit_check_cdconf_LDADD = frontend/libcorrald.a $(JANSSON_LIBS) \
	$(SODIUM_LIBS) $(CHECK_LIBS) -lpthread

sbin_PROGRAMS += frontend/corrald
frontend_corrald_SOURCES = frontend/corrald.c frontend/corrald.h \
	frontend/cd_http.c frontend/cd_api.c frontend/cd_xfer.c \
	frontend/cd_helper.c frontend/cd_audit.c frontend/cd_metrics.c
frontend_corrald_CFLAGS = $(AM_CFLAGS) $(MHD_CFLAGS) $(JANSSON_CFLAGS) $(SODIUM_CFLAGS)
frontend_corrald_LDADD = frontend/libcorrald.a frontend/libcorralclient.a \
	common/libcorralcommon.a $(MHD_LIBS) $(JANSSON_LIBS) $(SODIUM_LIBS) -lpthread
dist_corralconf_DATA += frontend/corrald.conf
