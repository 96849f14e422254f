"""Benchmarks: ``python -m bench NAME`` with NAME one of sync, media, merge, rankings.

Each benchmark prints ``name: value unit`` lines on stdout (see ``bench.common.report``).
"""
