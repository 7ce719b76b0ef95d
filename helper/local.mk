# corral-helper: the privileged half.  Installed in sbindir (service mode,
# started by systemd or root); spawn mode uses the same binary.
sbin_PROGRAMS += helper/corral-helper
helper_corral_helper_SOURCES = \
	helper/helper.h \
	helper/main.c \
	helper/startup.c \
	helper/homeroot.c \
	helper/priv.c \
	helper/listen.c \
	helper/serve.c \
	helper/ops.c \
	helper/audit.c
helper_corral_helper_CFLAGS = $(AM_CFLAGS) $(LIBCAP_CFLAGS) $(LIBSECCOMP_CFLAGS)
helper_corral_helper_LDADD = policy/libcorralpolicy.a common/libcorralcommon.a \
	$(LIBCAP_LIBS) $(LIBSECCOMP_LIBS)
