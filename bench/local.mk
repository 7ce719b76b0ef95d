# bench/local.mk: benchmarks.  Built with everything else (so they keep
# compiling under -Werror) but never run by 'make check'; 'make bench'
# runs them (needs root: a temporary helper world, see bench/README.md).
noinst_PROGRAMS += bench/bench-fsops
bench_bench_fsops_SOURCES = bench/bench-fsops.c \
	tests/helpers/fscall.c tests/helpers/fscall.h
bench_bench_fsops_LDADD = frontend/libcorralclient.a common/libcorralcommon.a

noinst_PROGRAMS += bench/bench-life
bench_bench_life_SOURCES = bench/bench-life.c
bench_bench_life_LDADD = frontend/libcorralclient.a common/libcorralcommon.a

EXTRA_DIST += bench/README.md bench/lib.sh bench/run-bench.sh \
	bench/run-bench-life.sh bench/bench-corrald.sh

.PHONY: bench bench-life
bench: all
	$(SHELL) $(top_srcdir)/bench/run-bench.sh $(abs_top_builddir)
	$(SHELL) $(top_srcdir)/bench/bench-corrald.sh $(abs_top_builddir) || test $$? = 77

# the lifecycle against bubblewrap only (needs root and bwrap)
bench-life: all
	$(SHELL) $(top_srcdir)/bench/run-bench-life.sh $(abs_top_builddir)
