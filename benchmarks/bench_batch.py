"""Batch benchmark: prints figures and ratios; not a test (these machines are noisy).

    python benchmarks/bench_batch.py [--delay 0.5] [--rounds 10] [--memory-items 10000] [--cached-items 1000]

The model is a local OpenAI-compatible test server (tests/fake_server.py, in its own process)
that answers every request with a completion recorded from the embedded model's real server,
after a fixed delay. Strategy single-pass, no reasks: one request per article.
1. Throughput at concurrency 1, 8, 32, 64 as a ratio of the ideal (concurrency / delay), over
   ``--rounds`` articles per slot after an untimed warm-up of four articles.
2. Client CPU per article (this process's CPU time / articles) and RSS over many articles.
3. A cached rerun: model calls made (must be 0) and seconds.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = (ROOT / "examples" / "zelensky-chernihiv.txt").read_text(encoding="utf-8")


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_server(delay: float) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "tests.fake_server", str(delay)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def items(n: int, tag: str) -> Iterator[dict[str, str]]:
    for i in range(n):
        yield {"id": f"{tag}-{i}", "text": f"{SEED}\n\n(copy {tag} {i})"}


def run(base_url: str, n: int, concurrency: int, tag: str, cache: bool) -> tuple[float, int, int]:
    from summarise import Summariser

    client = Summariser("openai/local", base_url=base_url, strategy="single-pass", max_retries=0, cache=cache,
                        timeout=30.0)
    started = time.perf_counter()
    ok = failed = 0
    for result in client.batch(items(n, tag), concurrency=concurrency):
        ok += result.ok
        failed += not result.ok
    return time.perf_counter() - started, ok, failed


def count_calls() -> int:
    from summarise.storage.store import open_store

    return int(open_store()._db.execute("SELECT count(*) FROM calls").fetchone()[0])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=0.5)
    parser.add_argument("--memory-items", type=int, default=10_000)
    parser.add_argument("--cached-items", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=10, help="articles per concurrency slot")
    args = parser.parse_args()
    os.environ["SUMMARISE_HOME"] = tempfile.mkdtemp(prefix="summarise-bench-")

    proc, url = start_server(args.delay)
    try:
        print(f"server delay {args.delay} s; one request per article")
        run(url, 4, 4, "warm-up", cache=False)  # imports, client and store set up once, not timed
        for concurrency in (1, 8, 32, 64):
            n = max(20, concurrency * args.rounds)
            seconds, ok, failed = run(url, n, concurrency, f"c{concurrency}", cache=False)
            rate = n / seconds
            ideal = concurrency / args.delay
            print(f"concurrency {concurrency:>2}: {n} articles in {seconds:.2f} s = {rate:.1f}/s; "
                  f"ideal {ideal:.1f}/s; ratio {rate / ideal:.2f} ({failed} failed)")
    finally:
        proc.kill()

    proc, url = start_server(0.0)
    try:
        n = args.memory_items
        cpu0, rss0 = time.process_time(), rss_mb()
        from summarise import Summariser

        client = Summariser("openai/local", base_url=url, strategy="single-pass", max_retries=0, cache=False)
        started = time.perf_counter()
        marks = {}
        for done, _ in enumerate(client.batch(items(n, "mem"), concurrency=16), start=1):
            if done in (n // 10, n // 2, n):
                marks[done] = rss_mb()
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu0
        print(f"{n} articles (no delay, concurrency 16): {seconds:.1f} s, client CPU {cpu / n * 1000:.2f} ms/article")
        print(f"RSS MB: start {rss0:.0f}; " + "; ".join(f"after {k}: {v:.0f}" for k, v in marks.items())
              + f"; growth from {n // 10} to {n}: {marks[n] - marks[n // 10]:+.0f} MB")

        m = args.cached_items
        run(url, m, 16, "cache", cache=True)
        before = count_calls()
        seconds, ok, _ = run(url, m, 16, "cache", cache=True)
        print(f"cached rerun of {m}: {seconds:.2f} s, model calls {count_calls() - before}, {ok} ok")
    finally:
        proc.kill()


if __name__ == "__main__":
    main()
