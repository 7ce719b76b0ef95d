# tests/race.mk: the symlink-swap race test
