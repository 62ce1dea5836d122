"""``summarise eval``: score strategies and baselines against gold."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click


@click.command("eval")
@click.option("--articles", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder of articles (NAME.txt).")
@click.option("--gold", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder of gold files (NAME.json) in the output contract.")
@click.option("--isaf", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="ISAF press releases (JSONL with gold_min_killed / gold_min_captured).")
@click.option("--fakes", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="FA-KES folder (articles plus annotations.csv).")
@click.option("--sample", type=int, help="ISAF: score a fixed random sample of this many items.")
@click.option("--seed", type=int, default=2024, show_default=True, help="ISAF: seed of the sample.")
@click.option("--split", type=click.Choice(("all", "tune", "report")), default="all", show_default=True,
              help="ISAF: a fixed half (by a hash of each item's idx): tune rules on 'tune', report 'report'.")
@click.option("--strategy", "strategies", default="anchored,single-pass,plain,regex", show_default=True,
              help="Comma-separated: anchored, single-pass (ours); baselines plain (plain Instructor), regex and "
              "langextract (LangExtract; needs the [eval] extra and --base-url of a server such as 'summarise "
              "serve'). plain and langextract run on --articles/--gold only.")
@click.option("-m", "--model", help="Model string, as for 'summarise run'.")
@click.option("--base-url", help="OpenAI-compatible server.")
@click.option("--max-retries", type=click.IntRange(0, 10), help="Validation reasks per call.")
@click.option("--no-cache", is_flag=True, help="Ask the model again even for cached summaries.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path), help="Write the JSON report here.")
@click.option("-v", "--verbose", count=True, help="Log progress to stderr.")
def eval_cmd(articles: Path | None, gold: Path | None, isaf: Path | None, fakes: Path | None, sample: int | None,
             seed: int, split: str, strategies: str, model: str | None, base_url: str | None, max_retries: int | None,
             no_cache: bool, report: Path | None, verbose: int) -> None:
    """Score strategies and baselines against gold; prints a Markdown table (summaries are cached)."""
    import json

    from summarise.cli import setup_logging
    from summarise.cli.status import Status
    from summarise.evaluation import runner
    from summarise.storage.files import write_atomic

    setup_logging(verbose)

    names = [s.strip() for s in strategies.split(",") if s.strip()]
    unknown = set(names) - set(runner.OURS) - set(runner.BASELINES)
    if unknown or not ((articles and gold) or isaf or fakes):
        raise click.UsageError(f"unknown strategies {sorted(unknown)}" if unknown else
                               "give --articles and --gold, --isaf FILE or --fakes DIR")
    options = runner.Options(model=model, base_url=base_url, max_retries=max_retries, cache=not no_cache)
    out: dict[str, Any] = {}
    with Status(enabled=sys.stderr.isatty() or verbose > 0) as status:
        if articles and gold:
            out["dev"] = runner.evaluate(runner.gold_pairs(articles, gold), names, options, status.update)
            click.echo(runner.markdown(out["dev"]), nl=False)
        if isaf:
            out["isaf"] = runner.evaluate_isaf(isaf, names, options, sample=sample, seed=seed, progress=status.update,
                                               split=split)
            click.echo(runner.isaf_markdown(out["isaf"]), nl=False)
        if fakes:
            out["fakes"] = runner.evaluate_fakes(fakes, names, options, status.update)
            click.echo(json.dumps(out["fakes"], indent=2))
    if report:
        write_atomic(report, json.dumps(out, indent=2) + "\n")
        click.echo(f"summarise: wrote {report}", err=True)


COMMANDS = [eval_cmd]
