"""How long a big manifest file holds the gevent hub: the old parse against `sources.parsing`.

A ticker greenlet sleeps 10 ms at a time and records how late it wakes: the hub's stall, which
every stream and REST request of the worker shares. Each case parses the same generated file
(a list of small mappings, the shape of many Ingresses, inside every cap) three times:
- `pure-Python on the hub`: `yaml.safe_load_all`, as the file source did before issue 12;
- `LibYAML on the hub`: the C loader, still on the hub;
- `LibYAML in the thread pool`: `parsing.load_off_loop` as the file source does now (caps
  checked as events first, the collector paused while it runs);
- `... collector not paused`: the same, to show what the pause is for.
It prints the wall time and the worst and 99th-percentile lateness of the ticker for each.

    python bench/parse_bench.py --items 45000
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import yaml  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from startpunkt.config import LimitSettings  # noqa: E402
from startpunkt.sources import parsing  # noqa: E402

LIMITS = LimitSettings()


def ticker(lateness: list[float]) -> None:
    while True:
        started = time.monotonic()
        gevent.sleep(0.01)
        lateness.append(time.monotonic() - started - 0.01)


def measure(parse: Callable[[], object]) -> tuple[float, float, float]:
    """Wall seconds, worst and p99 lateness of the ticker while `parse` runs."""
    lateness: list[float] = []
    tick = gevent.spawn(ticker, lateness)
    gevent.sleep(0.05)
    lateness.clear()
    started = time.monotonic()
    parse()
    took = time.monotonic() - started
    gevent.sleep(0.02)
    tick.kill()
    lateness.sort()
    return took, lateness[-1], lateness[int(len(lateness) * 0.99)]


def unpaused(text: str) -> object:
    """`load_off_loop` without the collector pause."""
    return gevent.get_hub().threadpool.apply(parsing.load, (text, LIMITS))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=45_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    text = "".join(f"- {{name: item{i}, value: {i}}}\n" for i in range(args.items))
    cases = {
        "pure-Python on the hub": lambda: list(yaml.load_all(text, Loader=yaml.SafeLoader)),
        "LibYAML on the hub": lambda: parsing.load(text, LIMITS),
        "LibYAML in the thread pool": lambda: parsing.load_off_loop(text, LIMITS),
        "... collector not paused": lambda: unpaused(text),
    }
    print(f"file: {len(text) / 1e6:.2f} MB, {args.items * 5:,} YAML nodes; {args.runs} runs each")
    print(f"machine: nproc {os.cpu_count()}, Python {platform.python_version()}")
    print(f"load average: {os.getloadavg()[0]:.2f}")
    print("| case | wall (median) | hub stall, worst | hub stall, p99 |")
    print("|---|---:|---:|---:|")
    for name, parse in cases.items():
        runs = [measure(parse) for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in runs)
        worst = max(r[1] for r in runs)
        p99 = statistics.median(r[2] for r in runs)
        print(f"| {name} | {wall:.2f} s | {worst * 1000:.0f} ms | {p99 * 1000:.0f} ms |")
    print(f"command: python bench/parse_bench.py --items {args.items} --runs {args.runs}")


if __name__ == "__main__":
    main()
