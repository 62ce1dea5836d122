"""Shell completion as the README documents it (Click's ``_SUMMARISE_COMPLETE``)."""

from __future__ import annotations

from click.testing import CliRunner

from summarise.cli import main


def complete(words: str, cword: int) -> list[str]:
    env = {"_SUMMARISE_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    result = CliRunner().invoke(main, [], env=env, prog_name="summarise")
    assert result.exit_code == 0, result.output
    return result.output.split()


def test_bash_source_prints_the_completion_function() -> None:
    result = CliRunner().invoke(main, [], env={"_SUMMARISE_COMPLETE": "bash_source"}, prog_name="summarise")
    assert result.exit_code == 0 and "complete -o nosort -F _summarise_completion summarise" in result.output


def test_commands_subcommands_and_choices_complete() -> None:
    assert complete("summarise ex", 1) == ["plain,export"]
    assert complete("summarise logs pa", 2) == ["plain,path"]
    assert complete("summarise export r.jsonl --table e", 4) == ["plain,events"]
