# systemd/local.mk: units, sysusers.d and tmpfiles.d entries.
#
# The units name installed paths (@sbindir@, @sysconfdir@, the socket), so
# they are made from *.in at build time, when those are fully expanded.
# Nothing here changes owners or modes beyond the plain install: the
# corral user is made by systemd-sysusers (or the package), /run/corral by
# systemd-tmpfiles or by the helper itself.
corral_units = systemd/corral-helper.socket systemd/corral-helper.service \
	systemd/corrald.service
EXTRA_DIST += $(corral_units:=.in)
CLEANFILES += $(corral_units)

if HAVE_SYSTEMDSYSTEMUNITDIR
systemdsystemunit_DATA = $(corral_units)
else
noinst_DATA = $(corral_units)
endif
if HAVE_SYSUSERSDIR
dist_sysusers_DATA = systemd/sysusers.d/corral.conf
else
EXTRA_DIST += systemd/sysusers.d/corral.conf
endif
if HAVE_TMPFILESDIR
dist_tmpfiles_DATA = systemd/tmpfiles.d/corral.conf
else
EXTRA_DIST += systemd/tmpfiles.d/corral.conf
endif

corral_unit_gen = $(MKDIR_P) $(@D) && rm -f $@ $@.tmp && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' \
	    -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
	    -e 's|@CORRAL_HELPER_SOCKET[@]|$(CORRAL_HELPER_SOCKET)|g' \
	    $(srcdir)/$@.in > $@.tmp && \
	if grep -n '@[A-Za-z_]*@' $@.tmp; then \
		echo "$@: unexpanded variable" >&2; rm -f $@.tmp; exit 1; fi && \
	mv $@.tmp $@

systemd/corral-helper.socket: systemd/corral-helper.socket.in Makefile
	$(AM_V_GEN)$(corral_unit_gen)
systemd/corral-helper.service: systemd/corral-helper.service.in Makefile
	$(AM_V_GEN)$(corral_unit_gen)
systemd/corrald.service: systemd/corrald.service.in Makefile
	$(AM_V_GEN)$(corral_unit_gen)
