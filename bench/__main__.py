"""Dispatch ``python -m bench NAME [args]`` to ``bench.NAME.main(args)``."""

import importlib
import sys

BENCHMARKS = ("sync", "media", "merge", "rankings")
USAGE = f"usage: python -m bench {{{','.join(BENCHMARKS)}}} [args...]"


def main(argv: list[str] | None = None) -> int:
    """Run the named benchmark with the remaining arguments; exit 2 on an unknown name."""
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] not in BENCHMARKS:
        if argv and argv[0] in ("-h", "--help"):
            print(USAGE)
            return 0
        problem = f"unknown benchmark {argv[0]!r}" if argv else "no benchmark named"
        print(f"{USAGE}\npython -m bench: error: {problem}", file=sys.stderr)
        return 2
    try:
        module = importlib.import_module(f"bench.{argv[0]}")  # lazily: each pulls its own deps
    except ModuleNotFoundError as exc:
        if exc.name != f"bench.{argv[0]}":
            raise  # a missing dependency, not a missing benchmark: show the traceback
        print(f"{USAGE}\npython -m bench: error: bench/{argv[0]}.py is missing", file=sys.stderr)
        return 2
    return module.main(argv[1:]) or 0


if __name__ == "__main__":
    sys.exit(main())
