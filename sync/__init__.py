"""The sync layer: exactly-once push, gap-free pull, kept conflicts, measured clocks; no HTTP."""
