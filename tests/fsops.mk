# tests/fsops.mk: integration tests of file operations through corralctl
