"""The ISAF split: a fixed half to tune counting rules on, the other half reported untouched."""

from __future__ import annotations

import json
from pathlib import Path

from summarise.evaluation import runner


def test_the_halves_are_fixed_disjoint_and_cover_every_item(tmp_path: Path) -> None:
    rows = [{"idx": i, "text": f"ISAF forces killed {i % 5 + 1} insurgents in Kandahar province.",
             "gold_min_killed": i % 5 + 1, "gold_min_captured": 0} for i in range(200)]
    path = tmp_path / "isaf.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in reversed(rows)) + "\n", encoding="utf-8")
    halves = {i: runner.isaf_half(i) for i in range(200)}
    assert halves == {i: runner.isaf_half(i) for i in range(200)}  # by the item, not by file order
    assert 70 < sum(h == "tune" for h in halves.values()) < 130
    options = runner.Options(model=None, base_url=None, max_retries=None, cache=False)
    sizes = {split: runner.evaluate_isaf(path, ["regex"], options, sample=None, seed=1, split=split)["items"]
             for split in runner.ISAF_SPLITS}
    assert sizes["tune"] + sizes["report"] == sizes["all"] == 200
    report = runner.evaluate_isaf(path, ["regex"], options, sample=None, seed=1, split="report")
    assert report["split"] == "report" and "report half" in runner.isaf_markdown(report)
