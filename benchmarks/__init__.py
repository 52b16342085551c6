"""Benchmarks: ``python -m benchmarks.run [NAME ...]`` writes benchmarks/REPORT.md."""
