# systemd/local.mk: units, sysusers.d and tmpfiles.d entries.
#
# The units name installed paths (@sbindir@, @sysconfdir@, the socket), so
# they are made from *.in at build time, when those are fully expanded.
# corrald.service is installed even before corrald is built: it is only a
# file, and the packages list /usr/sbin/corrald only once it exists.
# Nothing here changes owners or modes beyond the plain install: the
# corral user is made by systemd-sysusers (or the package), /run/corral by
# systemd-tmpfiles or by the helper itself.
#
# When corrald lands (frontend/), packaging needs exactly:
#  - frontend/local.mk: sbin_PROGRAMS += frontend/corrald,
#    dist_corralconf_DATA += frontend/corrald.conf (installed in
#    $(sysconfdir)/corral, a conffile in the .deb by itself),
#    dist_man_MANS += man/corrald.8;
#  - rpm/corral.spec: "%bcond_with corrald" becomes "%bcond_without
#    corrald" (its %files lines are there already);
#  - debian/: nothing (one binary package: dh takes every installed file);
#    if corrald.conf holds secrets, a postinst line making it 0640
#    root:corral;
#  - tests/pkg/deb-install.sh: start corrald at the CORRALD mark; the
#    units phase verifies corrald.service strictly once /usr/sbin/corrald
#    exists.
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
