"""Developer tooling: throwaway servers for tests and benchmarks."""
