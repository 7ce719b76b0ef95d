# bench/local.mk: benchmarks (built by 'make bench', run by bench/run-bench.sh)
