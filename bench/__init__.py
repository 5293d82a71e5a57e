"""Benchmarks that print tables: `python -m bench --help` (see bench/__main__.py)."""
