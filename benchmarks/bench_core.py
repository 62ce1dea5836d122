"""Core benchmark: prints figures and ratios; not a test (these machines are noisy).

    python benchmarks/bench_core.py [--article PATH] [--gold PATH] [--skip-model]

1. ``summarise --help`` wall time (median of 7) against ``python -c pass`` in the same run.
2. One article end to end on the embedded model in a fresh process (model load included) and an
   empty store (a fresh ``SUMMARISE_HOME``, so no cached summary): wall seconds and peak RSS.
3. How many gold casualty claims the output matches (same count and outcome).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT.parent / "shared" / "eval" / "gold" / "000-zelensky-chernihiv.json"


def timed(cmd: list[str], runs: int = 7) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def gold_matches(record: dict[str, object], gold_path: Path) -> tuple[int, int]:
    gold = json.loads(gold_path.read_text())["casualty_claims"]
    got = [(c["count"], c["outcome"]) for c in record["casualty_claims"]]  # type: ignore[index, union-attr]
    matched = 0
    for g in gold:
        key = (g["count"], g["outcome"])
        if key in got:
            got.remove(key)
            matched += 1
    return matched, len(gold)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--article", type=Path, default=ROOT / "examples" / "zelensky-chernihiv.txt")
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--skip-model", action="store_true")
    args = parser.parse_args()

    exe = str(Path(sys.executable).with_name("summarise"))
    baseline = timed([sys.executable, "-c", "pass"])
    help_s = timed([exe, "--help"])
    print(f"summarise --help: {help_s:.3f} s (python -c pass: {baseline:.3f} s; ratio {help_s / baseline:.1f}x)")
    if args.skip_model:
        return

    env = {**os.environ, "SUMMARISE_HOME": tempfile.mkdtemp(prefix="summarise-bench-")}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    run = subprocess.run([exe, str(args.article), "--json"], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    peak_mb = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
    if run.returncode != 0:
        print(f"end to end: FAILED (exit {run.returncode}) after {wall:.1f} s: {run.stderr.strip()[-300:]}")
        return
    record = json.loads(run.stdout)
    print(f"end to end ({args.article.name}, model {record['model']}, load included): {wall:.1f} s, "
          f"peak RSS {peak_mb:.0f} MB, {record['attempts']} attempt(s), {record['usage']['total_tokens']} tokens")
    located = sum(len(record[s]) for s in ("key_demands", "strikes", "casualty_claims", "negotiations"))
    print(f"items: {located}, every quote located (spans attached by code); dropped: {len(record.get('dropped', []))}")
    if args.gold.exists():
        matched, total = gold_matches(record, args.gold)
        print(f"gold casualty claims matched (count and outcome): {matched} of {total}")


if __name__ == "__main__":
    main()
