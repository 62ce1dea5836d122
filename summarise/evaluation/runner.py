"""``summarise eval``: run strategies and baselines over a gold set, score, report.

Summaries are cached in the store (baselines too), so re-scoring costs no model call.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarise.backends import get_backend
from summarise.client.summariser import cache_name, summarise
from summarise.contract.models import SCHEMA_VERSION
from summarise.contract.numbers import parse_count
from summarise.errors import SummariseError
from summarise.evaluation.baselines import plain_instructor, regex_claims
from summarise.evaluation.langextract_baseline import PROMPT_VERSION as LANGEXTRACT_PROMPT_VERSION
from summarise.evaluation.langextract_baseline import langextract_record, require_langextract
from summarise.evaluation.score import FIELDS, Scores
from summarise.inputs.article import Article, article_from_text, read_article
from summarise.lexicon import MONTH_PATTERN as MONTHS
from summarise.settings import resolve_settings
from summarise.storage.store import CacheKey, open_store
from summarise.strategies import NAMES, templates
from summarise.strategies.single_pass import token_budget

OURS = NAMES  # every strategy of ours, by the registry's one list
BASELINES = ("plain", "regex", "langextract")
# Scored on the dev set (--articles/--gold) only, not on --isaf / --fakes.
DEV_ONLY = ("plain", "langextract")
Progress = Callable[[str], None]


@dataclass
class Options:
    model: str | None = None
    base_url: str | None = None
    max_retries: int | None = None
    cache: bool = True


def record_for(strategy: str, article: Article, options: Options) -> dict[str, Any]:
    """One article's output record under ``strategy`` (ours or a baseline), from the cache when possible."""
    if strategy in OURS:
        try:
            result = summarise(article, model=options.model, base_url=options.base_url, strategy=strategy,
                               max_retries=options.max_retries, cache=options.cache)
        except SummariseError as exc:
            return {"error": f"{type(exc).__name__}: {exc}", "schema_valid": False, "casualty_claims": [],
                    "strikes": [], "key_demands": [], "negotiations": [], "seconds": 0.0,
                    "usage": getattr(exc, "usage", {}) or {}, "attempts": getattr(exc, "attempts", 0)}
        return {**result.model_dump(mode="json"), "schema_valid": True}
    if strategy == "regex":
        return regex_claims(article)
    if strategy == "langextract":
        return _langextract(article, options)
    settings = resolve_settings(model=options.model, base_url=options.base_url)
    backend = get_backend(settings)
    store = open_store()
    key = CacheKey(article.id, cache_name(backend), "plain-baseline-2", SCHEMA_VERSION, "plain")
    if options.cache and (cached := store.get(key)) is not None:
        return cached
    record = plain_instructor(article, backend, token_budget(article.text))
    store.put(key, record)
    return record


def _langextract_target(options: Options) -> tuple[str, str | None, str]:
    """(model string, base URL, model id sent to the server): 'llamacpp/local' asks for 'local'."""
    settings = resolve_settings(model=options.model, base_url=options.base_url)
    return settings.model, settings.base_url, settings.model.partition("/")[2] or settings.model


def _langextract(article: Article, options: Options) -> dict[str, Any]:
    model, base_url, model_id = _langextract_target(options)
    store = open_store()
    key = CacheKey(article.id, model, LANGEXTRACT_PROMPT_VERSION, SCHEMA_VERSION, "langextract")
    if options.cache and (cached := store.get(key)) is not None:
        return cached
    record = langextract_record(article, base_url=base_url, model_id=model_id)
    if not record.get("error"):  # a failed call (server down) is asked again next time
        store.put(key, record)
    return record


def check_strategies(strategies: Iterable[str], options: Options) -> None:
    """Fail before any model call when a strategy cannot run (the langextract baseline's needs)."""
    if "langextract" in strategies:
        require_langextract(_langextract_target(options)[1])


def _summary(values: list[float]) -> float:
    return round(statistics.median(values), 2) if values else 0.0


def evaluate(pairs: list[tuple[Path, Path]], strategies: Iterable[str], options: Options,
             progress: Progress | None = None) -> dict[str, Any]:
    """Score every strategy on every (article, gold) pair."""
    strategies = list(strategies)
    check_strategies(strategies, options)
    report: dict[str, Any] = {"articles": len(pairs), "prompt_version": templates.prompt_version(), "strategies": {}}
    for strategy in strategies:
        scores = Scores()
        seconds, tokens, calls, valid, per_article = [], [], [], 0, {}
        for number, (article_path, gold_path) in enumerate(pairs, start=1):
            if progress:
                progress(f"{strategy}: article {number} of {len(pairs)} ({article_path.name})")
            article = read_article(article_path)
            record = record_for(strategy, article, options)
            gold = json.loads(gold_path.read_text(encoding="utf-8"))
            per_article[article_path.name] = scores.add(record, gold, article.text)
            if record.get("error"):
                per_article[article_path.name]["error"] = record["error"]
            valid += int(bool(record.get("schema_valid", True)))
            seconds.append(float(record.get("seconds", 0.0)))
            tokens.append(float((record.get("usage") or {}).get("total_tokens", 0)))
            calls.append(float(record.get("attempts", 0)))
        report["strategies"][strategy] = {
            **scores.report(),
            "schema_valid_rate": round(valid / len(pairs), 3) if pairs else None,
            "seconds_per_article": _summary(seconds),
            "seconds_per_article_mean": round(statistics.mean(seconds), 2) if seconds else 0.0,
            "tokens_per_article": _summary(tokens),
            "calls_per_article": _summary(calls),
            "per_article": per_article,
        }
    return report


def gold_pairs(articles: Path, gold: Path) -> list[tuple[Path, Path]]:
    pairs = []
    for gold_path in sorted(gold.glob("*.json")):
        article_path = articles / f"{gold_path.stem}.txt"
        if article_path.exists():
            pairs.append((article_path, gold_path))
    return pairs


def markdown(report: dict[str, Any]) -> str:
    rows = ["| strategy | casualty F1 | P | R | strikes F1 | demands F1 | negotiations F1 | claimed_by | "
            "reported_via | grounding | fabricated numbers | valid | s/article (median) | tokens/article |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, s in report["strategies"].items():
        sec = s["sections"]
        attrs = s["claims"]["attributes"]
        rows.append(
            f"| {name} | {sec['casualty_claims']['f1']} | {sec['casualty_claims']['precision']} | "
            f"{sec['casualty_claims']['recall']} | {sec['strikes']['f1']} | {sec['key_demands']['f1']} | "
            f"{sec['negotiations']['f1']} | {attrs['claimed_by']} | {attrs['reported_via']} | "
            f"{s['grounding_rate']:.0%} | {s['fabricated_numbers']} | {s['schema_valid_rate']:.0%} | "
            f"{s['seconds_per_article']} | {s['tokens_per_article']:.0f} |")
    return "\n".join(rows) + "\n\n" + agreement_markdown(report)


def agreement_markdown(report: dict[str, Any]) -> str:
    """Field agreement on matched items (Dice of word stems >= 0.5; enums exact), beside each section's F1."""
    names = [("casualty_claims", a) for a in ("claimed_by", "side", "reported_via")]
    names += [(section, f) for section, fields in FIELDS.items() for f in fields]
    rows = ["| strategy | " + " | ".join(f"{s.split('_')[-1]}.{f}" for s, f in names) + " | claimed_by / side "
            "(old overlap rule) |", "|---" * (len(names) + 2) + "|"]
    for name, s in report["strategies"].items():
        cells = []
        for section, f in names:
            value = (s["claims"]["attributes"] if section == "casualty_claims" else
                     s["sections"][section].get("fields", {})).get(f)
            cells.append("–" if value is None else f"{value}")
        old = s["claims"].get("overlap_rule", {})
        rows.append(f"| {name} | " + " | ".join(cells) + f" | {old.get('claimed_by')} / {old.get('side')} |")
    return "\n".join(rows) + "\n"


# --- ISAF: minimum killed and captured per press release -------------------------------------------

# The annotator's readings of vague amounts (issue text / corpus notes); other vague amounts count 0.
VAGUE_AS = {"a couple": 2, "couple": 2, "several": 3, "a few": 3, "few": 3, "numerous": 4, "multiple": 3}


def claim_value(claim: dict[str, Any]) -> int:
    if isinstance(claim.get("count"), int):
        return int(claim["count"])
    text = str(claim.get("count_text", "")).lower()
    stated = parse_count(text)
    if stated is not None:
        return stated
    return next((v for k, v in VAGUE_AS.items() if k in text), 0)


_BACKGROUND = re.compile(r"\b(?:attacks?|bombings?|ambush(?:es)?|explosions?)\b[^.,;]{0,80}?\b(?:that|which)\s+"
                         r"(?:\w+\s+)?(?:killed|wounded|injured)|\bresponsible\s+for\b|\blinked\s+to\b", re.I)
_RUNNING_TOTAL = re.compile(
    rf"\bsince\s+(?:(?:early|late|mid-?)\s*)?(?:(?:{MONTHS})\b|(?:19|20)\d\d|the\s+(?:start|beginning))", re.I)


def isaf_minimums(record: dict[str, Any]) -> tuple[int, int]:
    """min killed = sum of killed claims; min captured = sum of captured and detained claims.

    One value per distinct (quote, count text): a repeated figure counts once. Definite figures win
    over vague summaries of killed ("numerous insurgents were killed ... killing two insurgents" is
    2; captured figures add up, as the annotator counted them), "more than 30" counts 31, and
    figures in clauses about earlier attacks ("an attack on a hotel which killed 12") or running
    totals ("since January") are background, not results of the operation.
    """
    seen: set[tuple[str, str]] = set()
    values: dict[str, list[tuple[int, bool]]] = {"killed": [], "captured": []}
    for claim in record.get("casualty_claims", []):
        quote = claim.get("quote", "")
        key = (quote, str(claim.get("count_text", "")))
        if key in seen or _BACKGROUND.search(quote) or _RUNNING_TOTAL.search(quote):
            continue
        seen.add(key)
        outcome = {"killed": "killed", "captured": "captured", "detained": "captured"}.get(claim.get("outcome", ""))
        if outcome:
            more = 1 if claim.get("qualifier") == "more_than" else 0  # "more than 30" is at least 31
            values[outcome].append((claim_value(claim) + more, isinstance(claim.get("count"), int)))
    definite = [v for v, exact in values["killed"] if exact]
    killed = sum(definite) if definite else sum(v for v, _ in values["killed"])
    return killed, sum(v for v, _ in values["captured"])


def _not_dev_only(strategies: Iterable[str]) -> list[str]:
    return [name for name in strategies if name not in DEV_ONLY]


ISAF_SPLITS = ("all", "tune", "report")


def isaf_half(idx: object) -> str:
    """A fixed half of the ISAF items by a hash of the item's ``idx``: counting rules are tuned on the
    ``tune`` half only, and the ``report`` half is the figure that was not looked at while tuning."""
    return "tune" if hashlib.sha256(str(idx).encode("utf-8")).digest()[0] % 2 == 0 else "report"


def evaluate_isaf(path: Path, strategies: Iterable[str], options: Options, *, sample: int | None, seed: int,
                  progress: Progress | None = None, split: str = "all") -> dict[str, Any]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line.strip()]
    if split != "all":
        rows = [row for row in rows if isaf_half(row["idx"]) == split]
    if sample and sample < len(rows):
        rows = random.Random(seed).sample(rows, sample)
    out: dict[str, Any] = {"items": len(rows), "seed": seed, "split": split, "strategies": {}}
    for strategy in _not_dev_only(strategies):
        hits_k = hits_c = 0
        misses = []
        for number, row in enumerate(rows, start=1):
            if progress:
                progress(f"isaf {strategy}: item {number} of {len(rows)}")
            record = record_for(strategy, article_from_text(row["text"], source=f"isaf:{row['idx']}"), options)
            killed, captured = isaf_minimums(record)
            hits_k += int(killed == row["gold_min_killed"])
            hits_c += int(captured == row["gold_min_captured"])
            if (killed, captured) != (row["gold_min_killed"], row["gold_min_captured"]):
                misses.append({"idx": row["idx"], "killed": killed, "gold_killed": row["gold_min_killed"],
                               "captured": captured, "gold_captured": row["gold_min_captured"]})
        out["strategies"][strategy] = {"min_killed_accuracy": round(hits_k / len(rows), 3),
                                       "min_captured_accuracy": round(hits_c / len(rows), 3), "misses": misses}
    return out


def isaf_markdown(report: dict[str, Any]) -> str:
    """The ISAF scores as a Markdown table (the misses, item by item, are in the JSON report)."""
    half = "" if report.get("split", "all") == "all" else f", {report['split']} half"
    lines = [f"ISAF: {report['items']} items (seed {report['seed']}{half})", "",
             "| strategy | min killed | min captured | items with a miss |", "|---|---|---|---|"]
    for name, scores in report["strategies"].items():
        lines.append(f"| {name} | {scores['min_killed_accuracy']:.3f} | {scores['min_captured_accuracy']:.3f} | "
                     f"{len(scores['misses'])} |")
    return "\n".join(lines) + "\n"


def evaluate_fakes(folder: Path, strategies: Iterable[str], options: Options,
                   progress: Progress | None = None) -> dict[str, Any]:
    """Agreement of our largest civilian death figure with FA-KES's crowd-coded ``nb_civilians``."""
    with (folder / "annotations.csv").open(encoding="utf-8") as fh:
        coded = {row["unit_id"]: int(row["nb_civilians"] or 0) for row in csv.DictReader(fh)}
    out: dict[str, Any] = {"articles": 0, "strategies": {}}
    files = sorted(p for p in folder.glob("*.txt") if p.name.split("-")[0] in coded)
    out["articles"] = len(files)
    for strategy in _not_dev_only(strategies):
        exact = close = 0
        for number, path in enumerate(files, start=1):
            if progress:
                progress(f"fakes {strategy}: article {number} of {len(files)}")
            record = record_for(strategy, read_article(path), options)
            figures = [claim_value(c) for c in record.get("casualty_claims", [])
                       if c.get("outcome") == "killed" and c.get("population") in ("civilians", "unspecified", None)]
            ours = max(figures, default=0)
            want = coded[path.name.split("-")[0]]
            exact += int(ours == want)
            close += int(abs(ours - want) <= max(1, 0.1 * want))
        out["strategies"][strategy] = {"exact_agreement": round(exact / len(files), 3) if files else None,
                                       "within_10_percent": round(close / len(files), 3) if files else None}
    return out
