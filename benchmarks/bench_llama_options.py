"""llama.cpp options for the embedded model, measured on one article: prints figures, not a test.

    python benchmarks/bench_llama_options.py [--article PATH] [--strategy anchored] [--variants NAME,...]

Each variant runs in a fresh process (model load excluded from the figure) with an empty store:
the same article through the same strategy, with ``summarise.backends.local.LLAMA_OPTIONS`` set to
the variant's options. Printed per variant: seconds in model calls, prefill and decode seconds and
token rates from llama.cpp's own counters (the call log), the number of calls, and the casualty
claims found (a variant that changes what the model answers shows it here).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VARIANTS: dict[str, dict[str, object]] = {
    "default": {},
    "flash-attn": {"flash_attn": True},
    "batch-256": {"n_batch": 256, "n_ubatch": 256},
    "batch-1024": {"n_batch": 1024, "n_ubatch": 1024},
    "kv-q8": {"flash_attn": True, "type_k": 8, "type_v": 8},  # GGML_TYPE_Q8_0 = 8 (V quantised needs flash attn)
    "threads-1": {},  # the loader sets n_threads itself, from SUMMARISE_THREADS (ENV)
}
ENV: dict[str, dict[str, str]] = {"threads-1": {"SUMMARISE_THREADS": "1"}}  # a variant's environment
CHILD = """
import json, os, sqlite3, sys, time
from pathlib import Path
from summarise.backends import local
local.LLAMA_OPTIONS.update(json.loads(sys.argv[1]))
from summarise import Summariser
client = Summariser(strategy=sys.argv[3])
client.backend()  # load the model before the clock starts
start = time.perf_counter()
result = client.summarise(Path(sys.argv[2]))
wall = time.perf_counter() - start
db = sqlite3.connect(Path(os.environ["SUMMARISE_HOME"]) / "summarise.db")
rows = db.execute("SELECT latency_ms, prefill_tokens, prefill_ms, completion_tokens, decode_ms FROM calls").fetchall()
print(json.dumps({"wall": wall, "calls": len(rows), "claims": sorted(c.count_text for c in result.casualty_claims),
                  "latency_ms": sum(r[0] for r in rows), "prefill_tokens": sum(r[1] or 0 for r in rows),
                  "prefill_ms": sum(r[2] or 0 for r in rows), "output_tokens": sum(r[3] or 0 for r in rows),
                  "decode_ms": sum(r[4] or 0 for r in rows)}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--article", type=Path, default=ROOT / "examples" / "zelensky-chernihiv.txt")
    parser.add_argument("--strategy", default="anchored")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    args = parser.parse_args()
    for name in args.variants.split(","):
        env_home = tempfile.mkdtemp(prefix="summarise-llama-")
        done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(VARIANTS[name]), str(args.article),
                               args.strategy], capture_output=True, text=True,
                              env={**os.environ, "SUMMARISE_HOME": env_home, **ENV.get(name, {})})
        if done.returncode != 0:
            print(f"{name}: FAILED (exit {done.returncode}): {done.stderr.strip()[-300:]}")
            continue
        f = json.loads(done.stdout.strip().splitlines()[-1])
        prefill_rate = f["prefill_tokens"] / max(f["prefill_ms"], 1) * 1000
        decode_rate = f["output_tokens"] / max(f["decode_ms"], 1) * 1000
        print(f"{name:12} {f['wall']:6.1f} s ({f['calls']} calls, {f['latency_ms'] / 1000:.1f} s in calls): prefill "
              f"{f['prefill_ms'] / 1000:.1f} s ({f['prefill_tokens']} tok, {prefill_rate:.0f} tok/s), decode "
              f"{f['decode_ms'] / 1000:.1f} s ({f['output_tokens']} tok, {decode_rate:.1f} tok/s); "
              f"{len(f['claims'])} claims {f['claims']}")


if __name__ == "__main__":
    main()
