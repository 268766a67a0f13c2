"""Benchmarks that print figures (never timed asserts); see bench/README.md."""
