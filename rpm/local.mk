# rpm/local.mk: the packaging files travel in the release tarball, so that
# "rpmbuild -tb corral-VERSION.tar.xz" and dpkg-buildpackage work from it.
EXTRA_DIST += rpm/corral.spec rpm/macros.debian rpm/build-on-debian.sh \
	debian/changelog debian/control debian/copyright debian/rules \
	debian/source/format debian/corral.lintian-overrides debian/README.Debian \
	debian/corral.postrm tests/pkg/deb-install.sh
