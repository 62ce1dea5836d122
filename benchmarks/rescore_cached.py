"""Score the summaries a store has cached with today's scorer, without asking the model again.

    python benchmarks/rescore_cached.py --store DIR/summarise.db --strategy anchored@8 \
        --articles ../shared/eval/articles --gold ../shared/eval/gold

Useful when the scorer changes (compare rules on the same answers) or to score an older strategy
version's answers beside a newer one's. Prints the same Markdown tables as ``summarise eval``.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
from pathlib import Path

from summarise.evaluation.runner import agreement_markdown, gold_pairs, markdown
from summarise.evaluation.score import Scores
from summarise.inputs.article import read_article


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--strategy", required=True, help="as the cache key has it, e.g. anchored@8")
    parser.add_argument("--articles", type=Path, required=True)
    parser.add_argument("--gold", type=Path, required=True)
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
        scores.add(json.loads(row[0]), json.loads(gold_path.read_text(encoding="utf-8")), article.text)
    report = {"strategies": {args.strategy: {**scores.report(), "schema_valid_rate": 1.0, "seconds_per_article": 0,
                                             "tokens_per_article": 0}}}
    print(markdown(report).split("\n\n")[0] + "\n")
    print(agreement_markdown(report))
    if missing:
        print(f"not in the store ({len(missing)}): {', '.join(missing)}")


if __name__ == "__main__":
    main()
