"""The Ray Data engine on a real local Ray runtime (2 CPUs), against the local OpenAI-compatible test
double (tests/fake_server.py, answering with a completion recorded from the embedded model's server).

One runtime serves the module: Ray takes several seconds to start on 2 cores.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import ray
from click.testing import CliRunner, Result

from summarise.cli import main
from summarise.ray import TokenBucket, rate_limiter, summarise_dataset
from summarise.storage import parquet
from tests.fake_server import ServerState, fake_openai_server
from tests.helpers import SEED

# Ray Data warns about its own settings as it builds them (a Ray matter, not ours): only Ray's are let through.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:ray\\.")
SINGLE_PASS = ["--model", "openai/local", "--strategy", "single-pass", "--max-retries", "0"]


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """A local Ray runtime whose workers see a scratch home and no keys (they inherit this environment)."""
    home = tmp_path_factory.mktemp("ray-home")
    env = {"SUMMARISE_HOME": str(home / "home"), "SUMMARISE_CONFIG": str(home / "no-config.toml"),
           "XDG_CACHE_HOME": str(home / "cache"), "XDG_CONFIG_HOME": str(home / "config")}
    with pytest.MonkeyPatch.context() as mp:
        for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "SUMMARISE_MODEL", "SUMMARISE_STRATEGY", "RAY_ADDRESS"):
            mp.delenv(var, raising=False)
        for var, value in env.items():
            mp.setenv(var, value)
        ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING,
                 runtime_env={"env_vars": env})
        ray.data.DataContext.get_current().enable_progress_bars = False
        try:
            yield
        finally:
            ray.shutdown()


@pytest.fixture
def server(runtime: None) -> Iterator[tuple[str, ServerState]]:
    with fake_openai_server() as served:
        yield served


def article(tag: str) -> str:
    """The seed article made unique per test, so no test meets another's cached summary."""
    return f"{SEED.read_text(encoding='utf-8')}\n\n(copy {tag})"


def inputs(folder: Path, tag: str) -> list[str]:
    """Every kind of input: JSONL records (two bad), a Parquet file, a text file and a binary file."""
    folder.mkdir()
    (folder / "in.jsonl").write_text("".join(json.dumps(r) + "\n" for r in [
        *({"id": f"{tag}-{i}", "text": article(f"{tag} {i}"), "title": "A title", "outlet": "Outlet"}
          for i in range(4)),
        {"id": "empty", "text": "   "}, {"id": "no-text", "url": "https://example.org/x"}]), encoding="utf-8")
    pq.write_table(pa.table({"id": [f"{tag}-pq"], "text": [article(f"{tag} pq")], "url": ["https://example.org/a"]}),
                   folder / "more.parquet")
    (folder / "one.txt").write_bytes(article(f"{tag} txt").encode() + b" \xff")  # read with a warning
    (folder / "binary.txt").write_bytes(b"\x00\x01\x02 not text")
    return [str(folder / "in.jsonl"), str(folder / "more.parquet"), str(folder / "one.txt"),
            str(folder / "binary.txt")]


def batch(args: list[str], url: str) -> Result:
    return CliRunner().invoke(main, ["batch", *args, *SINGLE_PASS, "--base-url", url])


def records(path: Path) -> dict[str, dict[str, Any]]:
    """Each line parsed, by id, minus the one field that measures time; a duplicate id fails the test."""
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for line in lines:
        line.get("summary", {}).pop("seconds", None)
    by_id = {line["id"]: line for line in lines}
    assert len(by_id) == len(lines), "an id was written twice"
    return by_id


def test_records_are_the_thread_pools_and_a_rerun_adds_nothing(tmp_path: Path,
                                                               server: tuple[str, ServerState]) -> None:
    url, state = server
    given = inputs(tmp_path / "in", "same")
    by_ray = batch([*given, "--out", str(tmp_path / "ray.jsonl"), "--engine", "ray", "--concurrency", "2",
                    "--per-actor", "2"], url)
    assert by_ray.exit_code == 1, by_ray.output  # the bad inputs failed; the job completed
    by_threads = batch([*given, "--out", str(tmp_path / "threads.jsonl"), "--concurrency", "2"], url)
    assert by_threads.exit_code == 1, by_threads.output
    ray_records, thread_records = records(tmp_path / "ray.jsonl"), records(tmp_path / "threads.jsonl")
    assert ray_records == thread_records
    assert sorted(ray_records) == sorted([*(f"same-{i}" for i in range(4)), "same-pq", given[2], given[3], "empty",
                                          "no-text"])
    assert sorted(i for i, r in ray_records.items() if not r["ok"]) == sorted(["empty", "no-text", given[3]])
    assert ray_records["empty"]["error"]["class"] == "InputError"
    assert ray_records["same-0"]["summary"]["source"]["outlet"] == "Outlet"
    assert ray_records["same-pq"]["summary"]["source"]["url"] == "https://example.org/a"
    assert any("invalid UTF-8" in w for w in ray_records[given[2]]["summary"]["warnings"])
    asked = state.requests
    rerun = batch([*given, "--out", str(tmp_path / "ray.jsonl"), "--engine", "ray", "--skip-failed"], url)
    assert rerun.exit_code == 0, rerun.output
    assert "0 done" in rerun.output and "9 already in" in rerun.output
    assert records(tmp_path / "ray.jsonl") == ray_records and state.requests == asked  # nothing added or asked


def test_resume_runs_only_what_is_missing(tmp_path: Path, server: tuple[str, ServerState]) -> None:
    url, state = server
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": f"r{i}", "text": article(f"resume {i}")}) + "\n" for i in range(6)))
    out = tmp_path / "out.jsonl"
    first = batch([str(source), "--out", str(out), "--engine", "ray"], url)
    assert first.exit_code == 0, first.output
    kept = out.read_text(encoding="utf-8").splitlines(keepends=True)[:2]
    out.write_text("".join(kept) + kept[0][:40], encoding="utf-8")  # two records and a torn one, as a crash leaves
    asked = state.requests
    resumed = batch([str(source), "--out", str(out), "--engine", "ray", "--concurrency", "2", "--no-cache"], url)
    assert resumed.exit_code == 0, resumed.output
    assert sorted(records(out)) == [f"r{i}" for i in range(6)]  # none lost, none twice
    assert state.requests - asked == 4 and "4 done" in resumed.output and "2 already in" in resumed.output


def test_parquet_output_resumes_from_its_own_parts(tmp_path: Path, server: tuple[str, ServerState]) -> None:
    url, state = server
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": f"p{i}", "text": article(f"parquet {i}")}) + "\n" for i in range(3)))
    out = tmp_path / "out.parquet"
    assert batch([str(source), "--out", str(out), "--engine", "ray", "--format", "parquet"], url).exit_code == 0
    table = pq.read_table(out)
    assert sorted(table.column("id").to_pylist()) == ["p0", "p1", "p2"] and all(table.column("ok").to_pylist())
    record = json.loads(table.column("record")[0].as_py())
    assert record["ok"] and record["id"] in {"p0", "p1", "p2"} and "summary" in record  # the JSONL line's record
    asked = state.requests
    again = batch([str(source), "--out", str(out), "--engine", "ray", "--format", "parquet"], url)
    assert again.exit_code == 0 and state.requests == asked and "3 already in" in again.output
    assert parquet.read_results(out).ok == {"p0", "p1", "p2"} and len(pq.read_table(out)) == 3


def test_ray_options_need_the_ray_engine(tmp_path: Path) -> None:
    run = CliRunner().invoke(main, ["batch", str(SEED), "--out", str(tmp_path / "o"), "--format", "parquet"])
    assert run.exit_code == 2 and "need --engine ray" in run.output and not (tmp_path / "o").exists()


def test_a_bad_row_in_a_dataset_is_an_error_row(server: tuple[str, ServerState]) -> None:
    url, _ = server
    ds = ray.data.from_items([{"id": "good", "text": article("dataset")}, {"id": "blank", "text": ""},
                              {"id": "binary", "text": "\x00\x01\x02\x03" * 50}])
    rows = {r["id"]: r for r in summarise_dataset(ds, model="openai/local", base_url=url, strategy="single-pass",
                                                  max_retries=0, concurrency=1).iter_rows()}
    assert rows["good"]["ok"] and json.loads(rows["good"]["record"])["summary"]["article_id"]
    assert not rows["blank"]["ok"] and json.loads(rows["blank"]["record"])["error"]["class"] == "InputError"
    assert not rows["binary"]["ok"] and set(rows) == {"good", "blank", "binary"}


def test_a_list_of_servers_is_spread_over_the_actors(tmp_path: Path, runtime: None) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps({"id": f"u{i}", "text": article(f"urls {i}")}) + "\n" for i in range(8)))
    with fake_openai_server(delay=0.3) as (first, one), fake_openai_server(delay=0.3) as (second, two):
        run = batch([str(source), "--out", str(tmp_path / "out.jsonl"), "--engine", "ray", "--concurrency", "2"],
                    f"{first},{second}")
    assert run.exit_code == 0, run.output
    assert one.requests > 0 and two.requests > 0 and one.requests + two.requests == 8


def test_the_bucket_admits_a_minutes_burst_then_one_slot_at_a_time() -> None:
    now = [0.0]
    bucket = TokenBucket(3, clock=lambda: now[0])
    assert [bucket.reserve() for _ in range(5)] == [0.0, 0.0, 0.0, 20.0, 40.0]
    now[0] = 100.0  # long idle: the bucket is empty again
    assert bucket.reserve() == 0.0


def test_one_limiter_per_endpoint_is_shared_across_the_cluster(runtime: None) -> None:
    limiter = rate_limiter("http://shared.example/v1", 6)  # a burst of 6, then one every 10 s

    @ray.remote(num_cpus=0)
    def reserve(n: int) -> list[float]:
        return [float(ray.get(limiter.reserve.remote())) for _ in range(n)]

    waits = sorted(w for part in ray.get([reserve.remote(4), reserve.remote(4)]) for w in part)
    assert waits[:6] == [0.0] * 6 and 9.0 < waits[6] <= 10.0 and 19.0 < waits[7] <= 20.0
    again = rate_limiter("http://shared.example/v1", 6)  # the same actor found again, not a second one
    assert float(ray.get(again.reserve.remote())) > 29.0


def test_the_rate_limit_bounds_the_requests_the_server_sees(server: tuple[str, ServerState]) -> None:
    url, state = server
    arrivals: list[float] = []
    done = threading.Event()

    def watch() -> None:  # when the server saw each request
        while not done.wait(0.02):
            arrivals.extend([time.monotonic()] * (state.requests - len(arrivals)))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    ds = ray.data.from_items([{"id": f"l{i}", "text": article(f"limit {i}")} for i in range(7)])
    rows = list(summarise_dataset(ds, model="openai/local", base_url=url, strategy="single-pass", max_retries=0,
                                  concurrency=2, per_actor=4, rate_limit=6).iter_rows())
    done.set()
    watcher.join()
    assert len(rows) == 7 and all(r["ok"] for r in rows) and len(arrivals) == 7
    # a burst of 6, then one slot every 10 s: the seventh request came about 10 s after the first
    assert arrivals[6] - arrivals[0] >= 9.0
