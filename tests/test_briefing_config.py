"""What a briefing config can reach: files inside its folder (or absolute paths on purpose), and an
API key for its base_url only from the variable it names."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from summarise.backends import Progress, register_provider
from summarise.backends.base import Backend
from summarise.errors import ConfigError
from summarise.outputs.briefing.build import load_config
from summarise.outputs.briefing.run import run_once
from summarise.settings import Settings
from tests.fakes import FakeChat, fake_backend
from tests.helpers import TEXT, answer, claim

SOURCE = '[[sources]]\npath = "{path}"\n'


def write_config(folder: Path, *, top: str = "", output: str = "out/brief.json", path: str = "a.txt") -> Path:
    config = folder / "brief.toml"
    config.write_text(f'{top}strategy = "single-pass"\nwindow = "all"\n[output]\njson = "{output}"\n'
                      + SOURCE.format(path=path))
    return config


@pytest.mark.parametrize(("output", "path"), [
    ("../brief.json", "a.txt"),
    ("out/../../brief.json", "a.txt"),
    ("out/brief.json", "../a.txt"),
    ("out/brief.json", "../*.txt"),
    ("out/brief.json", "news/../../secret/*.txt"),
])
def test_relative_paths_stay_inside_the_config_folder(tmp_path: Path, output: str, path: str) -> None:
    folder = tmp_path / "configs"
    folder.mkdir()
    config = write_config(folder, output=output, path=path)
    with pytest.raises(ConfigError, match=r"leads outside the config's folder.*absolute path") as error:
        load_config(config)
    assert str(config) in str(error.value)


def test_inside_paths_and_absolute_paths_are_allowed(tmp_path: Path) -> None:
    folder = tmp_path / "configs"
    folder.mkdir()
    config = write_config(folder, output=str(tmp_path / "elsewhere" / "brief.json"), path="news/./../a.txt")
    assert load_config(config).outputs == {"json": tmp_path / "elsewhere" / "brief.json"}


@pytest.fixture
def chat(fake_provider: FakeChat) -> FakeChat:
    fake_provider.responder = lambda messages: answer(claim())
    return fake_provider


def test_an_absolute_glob_reads_the_files_it_matches(tmp_path: Path, chat: FakeChat) -> None:
    news = tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text(TEXT)
    (news / "b.txt").write_text(TEXT.replace("22", "23").replace("two schools", "a school"))
    folder = tmp_path / "configs"
    folder.mkdir()
    report = run_once(write_config(folder, path=f"{news}/*.txt"))
    assert report.articles == 2
    sources = {a["source"] for a in json.loads((folder / "out" / "brief.json").read_text())["articles"]}
    assert sources == {str(news / "a.txt"), str(news / "b.txt")}


@pytest.fixture
def keys(monkeypatch: pytest.MonkeyPatch, chat: FakeChat) -> Iterator[list[str | None]]:
    """The API key each backend was made with (a provider that records its settings)."""
    seen: list[str | None] = []

    def factory(settings: Settings, name: str, progress: Progress | None) -> Backend:
        seen.append(settings.api_key)
        return fake_backend(chat)

    monkeypatch.setenv("OPENAI_API_KEY", "sk-users-own-key")
    monkeypatch.setenv("OTHER_SERVER_KEY", "sk-other-server")
    unregister = register_provider("spy", factory)
    yield seen
    unregister()


@pytest.mark.parametrize(("top", "key"), [
    ('base_url = "http://127.0.0.1:9/v1"\n', None),  # a server the config names gets no key
    ('base_url = "http://127.0.0.1:9/v1"\napi_key_env = "OTHER_SERVER_KEY"\n', "sk-other-server"),
    ('base_url = "http://127.0.0.1:9/v1"\napi_key_env = "OPENAI_API_KEY"\n', "sk-users-own-key"),
    ("", "sk-users-own-key"),  # no base_url in the config: the user's own settings, key included
])
def test_a_config_base_url_gets_only_the_key_it_names(tmp_path: Path, keys: list[str | None], top: str,
                                                     key: str | None) -> None:
    (tmp_path / "a.txt").write_text(TEXT)
    report = run_once(write_config(tmp_path, top=f'model = "spy/x"\n{top}'))
    assert report.articles == 1 and report.errors == 0
    assert keys == [key]


def test_a_key_variable_that_is_not_set_is_a_config_error(tmp_path: Path, keys: list[str | None]) -> None:
    (tmp_path / "a.txt").write_text(TEXT)
    config = write_config(tmp_path, top='model = "spy/x"\napi_key_env = "MISSING_KEY"\n')
    with pytest.raises(ConfigError, match="MISSING_KEY is not set"):
        run_once(config)
    assert keys == []


def test_allow_private_network_is_a_config_key(tmp_path: Path) -> None:
    assert not load_config(write_config(tmp_path)).allow_private_network
    assert load_config(write_config(tmp_path, top="allow_private_network = true\n")).allow_private_network
