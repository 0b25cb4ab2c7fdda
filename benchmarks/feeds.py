"""Feed benchmarks in one run: building every feed, then serving cached feeds over loopback.

    python benchmarks/feeds.py            # both parts with their defaults
    python benchmarks/feeds_build.py -h   # the build part alone, and its options
    python benchmarks/feeds_serve.py -h   # the serve part alone, and its options

Each part runs in its own process so one cannot warm the other's caches.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    status = 0
    for script, args in (
        ("feeds_build.py", ["--people", "1000", "--weeks", "12"]),
        ("feeds_serve.py", ["--workers", "1", "--duration", "10"]),
    ):
        print(f"== {script} {' '.join(args)}", flush=True)
        status |= subprocess.call([sys.executable, str(HERE / script), *args])
    return status


if __name__ == "__main__":
    sys.exit(main())
