"""``summarise doctor``: what a run would use, and whether it is there. Loads no model; without a base URL it
uses no network at all.

The report: the resolved model, strategy and base URL, the config file, whether an API key is present
(a fingerprint at most, never the key), the key file, the store, the embedded model's file and its
checksum (a stamp from an earlier hash counts; otherwise the file is hashed now and the time is
reported), and, with a base URL, whether the server answers and which structured-output mode it takes.

Exit code (``Report.exit_code``): 3 when the settings cannot be resolved or the model the settings name
cannot be built (missing key, local extra not installed); 4 when what the model needs is unavailable
(the base URL's server does not answer, the model file has a wrong checksum); 0 otherwise.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarise.errors import BackendUnavailable, ConfigError
from summarise.settings import Settings, config_path, key_fingerprint, key_path, resolve_settings


@dataclass
class Report:
    lines: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[str, int]] = field(default_factory=list)  # (message, exit code), in the order found
    data: dict[str, Any] = field(default_factory=dict)  # the same, for --json

    def add(self, label: str, text: str, **data: Any) -> None:
        self.lines.append((label, text))
        self.data[label.lower().replace(" ", "_").replace("-", "_")] = data or text

    def problem(self, message: str, code: int) -> None:
        self.problems.append((message, code))

    @property
    def exit_code(self) -> int:
        return self.problems[0][1] if self.problems else 0


def _exists(path: Path) -> str:
    return "exists" if path.exists() else "not there yet"


def _strategy(settings: Settings, report: Report) -> None:
    if settings.strategy != "auto":
        report.add("strategy", settings.strategy)
        return
    provider = settings.model.partition("/")[0]
    if provider == "local":  # the local backend would load the model: its default is read, not built
        from summarise.backends.local import DEFAULT_STRATEGY

        report.add("strategy", f"{DEFAULT_STRATEGY} (auto)")
        return
    from summarise.backends import make_backend

    try:
        backend = make_backend(settings)  # no request is made: a client object only
    except (ConfigError, BackendUnavailable) as exc:
        report.add("strategy", "unknown: the model cannot be set up")
        report.problem(str(exc), exc.exit_code)
        return
    report.add("strategy", f"{backend.default_strategy} (auto)")
    backend.close()


def _key(settings: Settings, report: Report) -> None:
    key = settings.api_key
    origin = "OPENAI_API_KEY" if os.environ.get("OPENAI_API_KEY") else "a key file"
    text = f"present (from {origin}; fingerprint {key_fingerprint(key)})" if key else "none"
    report.add("API key", text, present=bool(key), fingerprint=key_fingerprint(key) or None)
    path = key_path()
    report.add("key file", f"{path} ({_exists(path)})", path=str(path), exists=path.exists())


def _model_file(settings: Settings, report: Report, rehash: bool) -> None:
    from summarise.backends.model_file import MODEL_SHA256, PART_COUNT, check_file, embedded_model_file, packaged_parts

    needed = settings.model.partition("/")[0] == "local"
    if settings.local_model:
        expected = os.environ.get("SUMMARISE_LOCAL_MODEL_SHA256")
        check = check_file(Path(settings.local_model).expanduser(), expected.lower() if expected else None,
                           rehash=rehash)
    else:
        check = check_file(embedded_model_file(), MODEL_SHA256, rehash=rehash)
    if not check.exists:
        state = "not unpacked yet"
        if not settings.local_model:
            try:
                packaged_parts()
                state += f" (its {PART_COUNT} chunk packages are installed: it is unpacked on first use)"
            except ConfigError as exc:
                state += f"; {exc}"
                if needed:
                    report.problem(str(exc), exc.exit_code)
        elif needed:
            report.problem(f"SUMMARISE_LOCAL_MODEL points at {check.path}, which is not a file", 4)
    else:
        took = f" in {check.seconds:.1f} s" if check.seconds is not None else ""
        earlier = check.checksum == "verified earlier"
        stamp = " (a stamp from an earlier hash matches its size and time)" if earlier else ""
        state = f"{check.size:,} bytes; checksum {check.checksum}{took}{stamp}"
        if check.checksum == "wrong" and needed:
            report.problem(f"model file {check.path} has a wrong checksum; delete it to rebuild it", 4)
    report.add("model file", f"{check.path}: {state}", path=str(check.path), exists=check.exists, size=check.size,
               checksum=check.checksum, hash_seconds=check.seconds)
    llama = importlib.util.find_spec("llama_cpp") is not None
    report.add("llama-cpp-python", "installed" if llama else "not installed (pip install 'summarise[local]')")
    if llama and check.exists:
        from summarise.backends.amx_probe import describe
        from summarise.backends.local import threads

        report.add("llama.cpp", f"{threads()} thread(s); extra CPU buffers {describe(str(check.path))}")
    if needed and not llama:
        report.problem("the embedded model needs llama-cpp-python: pip install 'summarise[local]'", 3)


def _server(settings: Settings, report: Report, timeout: float) -> None:
    from summarise.backends.probe import probe_server

    assert settings.base_url is not None
    model = settings.model.partition("/")[2] or settings.model
    probe = probe_server(settings.base_url, model=model, api_key=settings.api_key, timeout=timeout)
    models = f"; models: {', '.join(probe.models)}" if probe.models else ""
    report.add("server", f"{settings.base_url}: {'answers' if probe.answers else probe.detail}"
               + (f" ({probe.detail}{models})" if probe.answers else ""),
               base_url=settings.base_url, answers=probe.answers, detail=probe.detail, models=probe.models)
    if not probe.answers:
        report.problem(f"the server at {settings.base_url} is not answering", 4)
        return
    tried = "; ".join(f"{m.mode}: {m.detail}" for m in probe.modes)
    chosen = probe.structured_output
    report.add("structured output", f"{chosen or 'none of json_schema, json_object, tools worked'} ({tried})",
               mode=chosen, tried={m.mode: m.detail for m in probe.modes})


def diagnose(*, model: str | None = None, base_url: str | None = None, strategy: str | None = None,
             rehash: bool = False, timeout: float = 5.0) -> Report:
    """The doctor's report for these flags (each None: environment, config file, default)."""
    from summarise.storage.store import db_path

    report = Report()
    config = config_path()
    report.add("config file", f"{config} ({'found' if config.is_file() else 'none'})", path=str(config),
               exists=config.is_file())
    settings: Settings | None = None
    try:
        settings = resolve_settings(model=model, base_url=base_url, strategy=strategy)
    except ConfigError as exc:
        report.add("settings", f"cannot be resolved: {exc}")
        report.problem(str(exc), exc.exit_code)
    if settings is not None:
        report.add("model", settings.model)
        _strategy(settings, report)
        report.add("base URL", settings.base_url or "none (no network is used here)")
        _key(settings, report)
    store = db_path()
    report.add("store", f"{store} ({_exists(store)})", path=str(store), exists=store.exists())
    if settings is not None:
        _model_file(settings, report, rehash)
        if settings.base_url:
            _server(settings, report, timeout)
    return report
