"""Core benchmark: prints figures and ratios; not a test (these machines are noisy).

    python benchmarks/bench_core.py [--article PATH] [--gold PATH] [--strategy anchored,single-pass]
                                    [--runs 2] [--skip-model]

1. ``summarise --help`` wall time (median of 7) against ``python -c pass`` in the same run.
2. The article end to end on the embedded model, each strategy in a fresh process (model load
   included) with an empty store (a fresh ``SUMMARISE_HOME``: no cached summary), best of ``--runs``:
   wall seconds and peak RSS, and where the time went, from the run's own call log: load and start-up
   (wall minus the calls), prefill (prompt tokens processed past the cached prefix), decode (output
   tokens), other (grammar, sampling, validation); the calls by why they were made.
3. The ratio of the first strategy to the last (default/single-pass), and of each to the physical
   floor: the article's prompt prefilled once plus the gold record's items as compact JSON (the least
   output the schema needs) decoded once, at the token rates this run measured.
4. How many gold casualty claims the output matches (same count and outcome).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
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


@dataclass
class Run:
    strategy: str
    wall: float
    record: dict[str, object]
    calls: list[dict[str, object]] = field(default_factory=list)

    def total(self, column: str) -> float:
        return float(sum(int(c.get(column) or 0) for c in self.calls))  # type: ignore[call-overload]

    @property
    def in_calls(self) -> float:
        return self.total("latency_ms") / 1000

    @property
    def prefill(self) -> float:
        return self.total("prefill_ms") / 1000

    @property
    def decode(self) -> float:
        return self.total("decode_ms") / 1000


def one_run(exe: str, article: Path, strategy: str) -> Run | str:
    home = tempfile.mkdtemp(prefix="summarise-bench-")
    env = {**os.environ, "SUMMARISE_HOME": home}
    start = time.perf_counter()
    done = subprocess.run([exe, str(article), "--json", "--strategy", strategy], capture_output=True, text=True,
                          env=env)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        return f"FAILED (exit {done.returncode}) after {wall:.1f} s: {done.stderr.strip()[-300:]}"
    with sqlite3.connect(Path(home) / "summarise.db") as db:
        db.row_factory = sqlite3.Row
        calls = [dict(r) for r in db.execute("SELECT * FROM calls ORDER BY id")]
    return Run(strategy, wall, json.loads(done.stdout), calls)


def output_floor_tokens(gold_path: Path) -> int | None:
    """Tokens of the gold record's headline, summary and items as compact JSON, by the model's tokenizer."""
    try:
        import llama_cpp

        from summarise.backends.local import model_path
    except ImportError:
        return None
    gold = json.loads(gold_path.read_text())
    keep = {k: gold.get(k) for k in ("headline", "summary", "key_demands", "strikes", "casualty_claims",
                                     "negotiations")}
    vocab = llama_cpp.Llama(model_path=model_path(None), vocab_only=True, verbose=False)
    return len(vocab.tokenize(json.dumps(keep, separators=(",", ":")).encode("utf-8"), add_bos=False))


def report(run: Run, floor_tokens: int | None) -> float | None:
    """Print one run's split; return its physical floor in seconds where it can be computed."""
    load = run.wall - run.in_calls
    other = run.in_calls - run.prefill - run.decode
    processed, output = run.total("prefill_tokens"), run.total("completion_tokens")
    print(f"  {run.strategy}: {run.wall:.1f} s wall = load/start-up {load:.1f} + prefill {run.prefill:.1f} "
          f"({processed:.0f} tokens processed of {run.total('prompt_tokens'):.0f}) + decode {run.decode:.1f} "
          f"({output:.0f} tokens) + other {other:.1f}; {len(run.calls)} calls "
          f"{dict(Counter(str(c.get('why')) for c in run.calls))}")
    if not (run.prefill and run.decode and floor_tokens and run.calls):
        return None
    prefill_rate, decode_rate = processed / run.prefill, output / run.decode
    first_prompt = int(run.calls[0].get("prompt_tokens") or 0)  # type: ignore[call-overload]
    floor = first_prompt / prefill_rate + floor_tokens / decode_rate
    print(f"    rates: prefill {prefill_rate:.0f} tok/s, decode {decode_rate:.1f} tok/s; physical floor "
          f"{floor:.1f} s ({first_prompt} prompt + {floor_tokens} output tokens); ratio to floor "
          f"{run.wall / floor:.2f}x (in calls {run.in_calls / floor:.2f}x)")
    return floor


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--article", type=Path, default=ROOT / "examples" / "zelensky-chernihiv.txt")
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--strategy", default="anchored,single-pass")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--skip-model", action="store_true")
    args = parser.parse_args()

    exe = str(Path(sys.executable).with_name("summarise"))
    baseline = timed([sys.executable, "-c", "pass"])
    help_s = timed([exe, "--help"])
    print(f"summarise --help: {help_s:.3f} s (python -c pass: {baseline:.3f} s; ratio {help_s / baseline:.1f}x)")
    if args.skip_model:
        return

    floor_tokens = output_floor_tokens(args.gold) if args.gold.exists() else None
    best: dict[str, Run] = {}
    for attempt in range(args.runs):
        for strategy in [s.strip() for s in args.strategy.split(",") if s.strip()]:
            outcome = one_run(exe, args.article, strategy)
            if isinstance(outcome, str):
                print(f"{strategy} run {attempt + 1}: {outcome}")
                continue
            print(f"{strategy} run {attempt + 1}: {outcome.wall:.1f} s")
            if strategy not in best or outcome.wall < best[strategy].wall:
                best[strategy] = outcome
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"best of {args.runs} ({args.article.name}, warm model file, empty store each run); peak RSS of any "
          f"run {peak_mb:.0f} MB")
    for run in best.values():
        report(run, floor_tokens)
        record = run.record
        items = sum(len(record[s]) for s in ("key_demands", "strikes", "casualty_claims",  # type: ignore[arg-type]
                                            "negotiations"))
        line = f"    items: {items}; dropped: {len(record.get('dropped', []))}"  # type: ignore[arg-type]
        if args.gold.exists():
            matched, total = gold_matches(record, args.gold)
            line += f"; gold casualty claims matched (count and outcome): {matched} of {total}"
        print(line)
    names = list(best)
    if len(names) >= 2:
        first, last = best[names[0]], best[names[-1]]
        print(f"ratio {first.strategy}/{last.strategy}: {first.wall / last.wall:.2f}x "
              f"({first.wall:.1f} s / {last.wall:.1f} s)")


if __name__ == "__main__":
    main()
