"""convtutor's tests. What tests and benchmarks share is in :mod:`tests.support`."""
