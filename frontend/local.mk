# The unprivileged side: corralctl now, corrald later.
noinst_LIBRARIES += frontend/libcorralclient.a
frontend_libcorralclient_a_SOURCES = frontend/client.h frontend/client.c

bin_PROGRAMS += frontend/corralctl
frontend_corralctl_SOURCES = frontend/corralctl.c frontend/ctl.h \
	frontend/ctl_fs.c frontend/ctl_fs.h frontend/ctl_data.c \
	frontend/ctl_parse.c frontend/ctl_parse.h frontend/ctl_life.c
frontend_corralctl_LDADD = frontend/libcorralclient.a policy/libcorralpolicy.a \
	common/libcorralcommon.a
