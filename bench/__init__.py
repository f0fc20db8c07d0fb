"""Benchmarks: scripts that print figures. Not tests; CI does not run them."""
