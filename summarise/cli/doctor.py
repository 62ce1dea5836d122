"""``summarise doctor``: the resolved settings and whether what they need is there (no model is loaded)."""

from __future__ import annotations

import json
import sys

import click

STRATEGIES = ("auto", "single-pass", "anchored", "anchored-casualties")  # summarise.strategies.CHOICES


@click.command("doctor")
@click.option("-m", "--model", help="As for 'summarise run' (default: SUMMARISE_MODEL, the config, a key, 'local').")
@click.option("--base-url", help="Also ask this OpenAI-compatible server whether it answers (GET /models) and "
              "which structured output it accepts (json_schema, json_object or tools). Env: OPENAI_BASE_URL.")
@click.option("--strategy", type=click.Choice(STRATEGIES), help="As for 'summarise run'.")
@click.option("--rehash", is_flag=True, help="Hash the model file again even when an earlier hash's stamp matches.")
@click.option("--timeout", type=click.FloatRange(0.1), default=5.0, show_default=True,
              help="Seconds for each request to the --base-url server.")
@click.option("--json", "as_json", is_flag=True, help="The report as one JSON object.")
def doctor_cmd(model: str | None, base_url: str | None, strategy: str | None, rehash: bool, timeout: float,
               as_json: bool) -> None:
    """Show the resolved model, strategy, store, config and key (never the key itself), check the embedded
    model's file and checksum, and ask a --base-url server what it accepts.

    Without a base URL no network is used. Exit 0 when all is well, 3 for a configuration problem,
    4 when the server does not answer or the model file has a wrong checksum.
    """
    from summarise.client.doctor import diagnose

    report = diagnose(model=model, base_url=base_url, strategy=strategy, rehash=rehash, timeout=timeout)
    if as_json:
        click.echo(json.dumps({**report.data, "problems": [m for m, _ in report.problems]}, indent=2))
    else:
        width = max(len(label) for label, _ in report.lines)
        for label, text in report.lines:
            click.echo(f"{label + ':':<{width + 1}} {text}")
    for message, _ in report.problems:
        click.echo(f"summarise: problem: {message}", err=True)
    sys.exit(report.exit_code)


COMMANDS = [doctor_cmd]
