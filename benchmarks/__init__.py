"""Peer comparisons for tether. Run ``python -m benchmarks [suite ...]``."""
