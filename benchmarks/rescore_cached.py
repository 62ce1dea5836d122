"""Score the summaries a store has cached with today's scorer, without asking the model again.

    python benchmarks/rescore_cached.py --store DIR/summarise.db --strategy anchored@8 \
        --articles ../shared/eval/articles --gold ../shared/eval/gold

Useful when the scorer changes (compare rules on the same answers) or to score an older strategy
version's answers beside a newer one's. Prints the same Markdown tables as ``summarise eval``.

``--revalidate`` first puts the stored answers through today's code-side rules: the anchored merge
of items that tell the same attack, demand or talks, and ``Run.validate`` (names, times, statuses,
campaigns, drops). It measures a change to those rules without asking the model again; what code
offers the model (candidate figures and sentences) and the prompts are not replayed.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path
from typing import Any, cast

from summarise.backends.attempt import Model
from summarise.contract.models import SECTIONS
from summarise.contract.text import is_null_text
from summarise.evaluation.runner import agreement_markdown, gold_pairs, markdown
from summarise.evaluation.score import Scores
from summarise.inputs.article import Article, read_article
from summarise.strategies.loop import Run
from summarise.strategies.merge import merge_same


def revalidate(record: dict[str, Any], article: Article) -> dict[str, Any]:
    """The stored answer as today's merge and validation would leave it (no model is asked)."""
    data: dict[str, Any] = {"headline": record["headline"], "summary": record["summary"]}
    for section in SECTIONS:
        items = [{k: (None if isinstance(v, str) and is_null_text(v) and k != "claimed_by" else v)
                  for k, v in item.items() if k != "quote_span"} for item in record.get(section) or []]
        data[section] = items if section == "casualty_claims" else merge_same(section, items)
    checked = Run(article=article, model=cast(Model, None)).validate(data).model_dump(mode="json")
    return {**record, **{section: checked[section] for section in SECTIONS}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--strategy", required=True, help="as the cache key has it, e.g. anchored@8")
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--revalidate", action="store_true", help="apply today's merge and validation first")
    args = parser.parse_args()
    db = sqlite3.connect(args.store)
    scores, missing = Scores(), []
    for article_path, gold_path in gold_pairs(args.articles, args.gold):
        article = read_article(article_path)
        row = db.execute("SELECT record FROM summaries WHERE article_id = ? AND strategy = ? ORDER BY created DESC",
                         (article.id, args.strategy)).fetchone()
        if row is None:
            missing.append(article_path.name)
            continue
        record = json.loads(row[0])
        if args.revalidate:
            record = revalidate(record, article)
        scores.add(record, json.loads(gold_path.read_text(encoding="utf-8")), article.text)
    report = {"strategies": {args.strategy: {**scores.report(), "schema_valid_rate": 1.0, "seconds_per_article": 0,
                                             "tokens_per_article": 0}}}
    print(markdown(report).split("\n\n")[0] + "\n")
    print(agreement_markdown(report))
    if missing:
        print(f"not in the store ({len(missing)}): {', '.join(missing)}")


if __name__ == "__main__":
    main()
