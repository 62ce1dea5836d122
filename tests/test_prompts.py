from __future__ import annotations

import pytest

from summarise.resources import data_dir
from summarise.strategies import templates as prompts


def test_every_template_renders() -> None:
    assert "JSON" in prompts.render("system")
    assert "<article>\nText of the article.\n</article>" in prompts.render("user", article="Text of the article.")
    reask = prompts.render("reask", errors=["quote 'x' is not in the article"])
    assert "- quote 'x' is not in the article" in reask


def test_every_template_file_is_known() -> None:
    on_disk = {p.stem for p in data_dir("prompts").glob("*.j2")}
    assert on_disk == set(prompts.TEMPLATES)


def test_unknown_and_missing_variables_fail_loudly() -> None:
    with pytest.raises(ValueError, match="unknown variables"):
        prompts.render("system", article="x")
    with pytest.raises(ValueError, match="missing"):
        prompts.render("user")


def test_prompt_version_is_a_content_hash() -> None:
    version = prompts.prompt_version()
    assert version.startswith("p1-") and len(version) == 11
