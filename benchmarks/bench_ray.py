"""Ray engine benchmark beside the thread pool: prints figures and ratios; not a test (noisy machines).

    python benchmarks/bench_ray.py [--delay 0.5] [--rounds 10] [--memory-items 10000]

The model is the local OpenAI-compatible test server (tests/fake_server.py, in its own process),
answering every request with a completion recorded from the embedded model's real server after a
fixed delay. Strategy single-pass, no reasks, no cache: one request per article.
1. Throughput at 8 and 32 concurrent requests as a ratio of the ideal (concurrency / delay), over
   ``--rounds`` articles per slot: ``summarise batch --engine ray`` (in this process, on a local
   Ray runtime; concurrency = actors x --per-actor) and the thread pool (``summarise_batch``).
   Each is given twice: the whole run (for Ray, starting the actors included), and the steady
   rate: requests the server answered per second between a quarter and three quarters of the run.
2. The driver's RSS while the Ray engine writes ``--memory-items`` articles (no delay): at 1k and at the end.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_batch import items, rss_mb  # noqa: E402
from summarise.inputs import DEFAULT_MAX_CHARS  # noqa: E402

OPTIONS = {"model": "openai/local", "strategy": "single-pass", "max_retries": 0, "timeout": 30.0,
           "max_tokens": None, "max_chars": DEFAULT_MAX_CHARS, "strict": False}


def _serve(delay: float, urls: Any, count: Any) -> None:
    from tests.fake_server import fake_openai_server

    with fake_openai_server(delay=delay) as (url, state):
        urls.put(url)
        while True:
            count.value = state.requests
            time.sleep(0.02)


class Server:
    """The test server in its own process, with its request count readable from here."""

    def __init__(self, delay: float) -> None:
        self.count, urls = multiprocessing.Value("i", 0), multiprocessing.Queue()
        self.proc = multiprocessing.Process(target=_serve, args=(delay, urls, self.count), daemon=True)
        self.proc.start()
        self.url = urls.get(timeout=30)
        self.samples: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def watch(self) -> None:
        self.samples, self.stop = [], threading.Event()
        base = self.count.value

        def run() -> None:
            while not self.stop.wait(0.02):
                self.samples.append((time.perf_counter(), self.count.value - base))

        threading.Thread(target=run, daemon=True).start()

    def steady_rate(self, n: int) -> float:
        """Requests per second between the quarter and three-quarter marks of ``n``."""
        self.stop.set()
        start = next(s for s in self.samples if s[1] >= n // 4)
        end = next(s for s in self.samples if s[1] >= 3 * n // 4)
        return (end[1] - start[1]) / (end[0] - start[0])

    def close(self) -> None:
        self.proc.kill()


def write_inputs(folder: Path, n: int, tag: str) -> Path:
    path = folder / f"{tag}.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for item in items(n, tag):
            fh.write(json.dumps(item) + "\n")
    return path


class Watch:
    """Samples the results file's line count (and this process's RSS) every 50 ms on a thread."""

    def __init__(self, out: Path) -> None:
        self.out, self.stop = out, threading.Event()
        self.samples: list[tuple[float, int, float]] = []
        self.offset = self.count = 0
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def lines(self) -> int:
        if self.out.exists():
            with self.out.open("rb") as fh:
                fh.seek(self.offset)
                new = fh.read()
            self.offset += len(new)
            self.count += new.count(b"\n")
        return self.count

    def run(self) -> None:
        while not self.stop.wait(0.05):
            self.samples.append((time.perf_counter(), self.lines(), rss_mb()))

    def close(self) -> list[tuple[float, int, float]]:
        self.stop.set()
        self.thread.join()
        self.samples.append((time.perf_counter(), self.lines(), rss_mb()))
        return self.samples


def ray_run(folder: Path, url: str, n: int, actors: int, per_actor: int, tag: str) -> float:
    """Seconds for ``summarise batch --engine ray`` over ``n`` articles, as the command runs it."""
    from summarise.cli.batch_ray import RayRun, run_batch_ray

    source, out = write_inputs(folder, n, tag), folder / f"{tag}.out.jsonl"
    started = time.perf_counter()
    code = run_batch_ray([str(source)], out, RayRun(None, per_actor, None, "jsonl"), concurrency=actors, rpm=None,
                         cache=False, options={**OPTIONS, "base_url": url})
    assert code == 0 and out.read_bytes().count(b"\n") == n
    return time.perf_counter() - started


def thread_run(url: str, n: int, concurrency: int, tag: str) -> float:
    from summarise import Summariser

    client = Summariser(cache=False, **{**OPTIONS, "base_url": url})
    started = time.perf_counter()
    assert sum(r.ok for r in client.batch(items(n, tag), concurrency=concurrency)) == n
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--delay", type=float, default=0.5)
    parser.add_argument("--rounds", type=int, default=10, help="articles per concurrency slot")
    parser.add_argument("--memory-items", type=int, default=10_000)
    args = parser.parse_args()
    os.environ["SUMMARISE_HOME"] = tempfile.mkdtemp(prefix="summarise-bench-")
    folder = Path(tempfile.mkdtemp(prefix="summarise-bench-ray-"))
    import ray

    ray.init(num_cpus=os.cpu_count(), include_dashboard=False, logging_level=logging.WARNING)
    ray.data.DataContext.get_current().enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    print(f"{os.cpu_count()} CPUs; server delay {args.delay} s; one request per article", flush=True)
    server = Server(args.delay)
    try:
        thread_run(server.url, 4, 4, "warm-up")
        for concurrency, actors in ((8, 2), (32, 4)):
            per_actor = concurrency // actors
            n = concurrency * args.rounds
            ideal = concurrency / args.delay
            server.watch()
            ray_whole = ray_run(folder, server.url, n, actors, per_actor, f"ray{concurrency}")
            ray_steady = server.steady_rate(n)
            server.watch()
            threads_whole = thread_run(server.url, n, concurrency, f"threads{concurrency}")
            threads_steady = server.steady_rate(n)
            print(f"concurrency {concurrency} ({n} articles, ideal {ideal:.0f}/s) as a ratio of ideal, whole run / "
                  f"steady: ray ({actors} actors x {per_actor}) {n / ray_whole / ideal:.2f} / "
                  f"{ray_steady / ideal:.2f} ({ray_whole:.1f} s); thread pool {n / threads_whole / ideal:.2f} / "
                  f"{threads_steady / ideal:.2f} ({threads_whole:.1f} s)", flush=True)
    finally:
        server.close()

    server = Server(0.0)
    try:
        n = args.memory_items
        rss0 = rss_mb()
        source, out = write_inputs(folder, n, "memory"), folder / "memory.out.jsonl"
        watch = Watch(out)
        from summarise.cli.batch_ray import RayRun, run_batch_ray

        started = time.perf_counter()
        run_batch_ray([str(source)], out, RayRun(None, 8, None, "jsonl"), concurrency=2, rpm=None, cache=False,
                      options={**OPTIONS, "base_url": server.url})
        seconds = time.perf_counter() - started
        samples = watch.close()
        at_1k = next(r for _, k, r in samples if k >= 1000)
        print(f"{n} articles (no delay, 2 actors x 8): {seconds:.0f} s; driver RSS MB: start {rss0:.0f}, "
              f"after 1k {at_1k:.0f}, after {n} {samples[-1][2]:.0f} ({samples[-1][2] - at_1k:+.0f} MB), "
              f"peak {max(r for _, _, r in samples):.0f}", flush=True)
    finally:
        server.close()
        ray.shutdown()


if __name__ == "__main__":
    main()
