"""Settings, read at call time in one order: argument/flag, environment, config file, default."""

from __future__ import annotations

import os
import stat
import tomllib
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigError

DEFAULT_OPENAI_MODEL = "openai/gpt-4o-mini"
DEFAULT_TIMEOUT = 300.0
DEFAULT_MAX_RETRIES = 2


def _home(var: str, fallback: str) -> Path:
    return Path(os.environ.get(var) or Path.home() / fallback)


def config_path() -> Path:
    return Path(os.environ.get("SUMMARISE_CONFIG") or _home("XDG_CONFIG_HOME", ".config") / "summarise" / "config.toml")


def model_dir() -> Path:
    return Path(os.environ.get("SUMMARISE_MODEL_DIR") or _home("XDG_CACHE_HOME", ".cache") / "summarise" / "models")


@dataclass(frozen=True)
class Settings:
    model: str = "local"
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    max_tokens: int | None = None
    local_model: str | None = None
    strategy: str = "auto"

    def cache_key(self) -> tuple[Any, ...]:
        """Identifies a backend instance; holds no secret."""
        return (self.model, self.base_url, self.local_model, self.timeout, bool(self.api_key))


def _file_config() -> dict[str, Any]:
    path = config_path()
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    known = {f.name for f in fields(Settings)} - {"api_key"}
    unknown = set(data) - known - {"api_key_file"}
    if unknown:
        raise ConfigError(f"config file {path}: unknown keys {sorted(unknown)}; known: {sorted(known)}")
    return data


def _read_key_file(path: Path) -> str:
    try:
        mode = path.stat().st_mode
    except OSError:
        raise ConfigError(f"API key file {path} does not exist") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"API key file {path} is readable by others; run: chmod 600 {path}")
    return path.read_text(encoding="utf-8").strip()


def resolve_settings(**flags: Any) -> Settings:
    """Merge explicit arguments (None means unset) with environment, config file and defaults."""
    file_cfg = _file_config()
    env = os.environ

    def pick(name: str, env_name: str | None, default: Any) -> Any:
        if flags.get(name) is not None:
            return flags[name]
        if env_name and env.get(env_name):
            return env[env_name]
        if name in file_cfg:
            return file_cfg[name]
        return default

    api_key = flags.get("api_key") or env.get("OPENAI_API_KEY")
    if not api_key and file_cfg.get("api_key_file"):
        api_key = _read_key_file(Path(str(file_cfg["api_key_file"])).expanduser())
    base_url = pick("base_url", "OPENAI_BASE_URL", None)
    default_model = DEFAULT_OPENAI_MODEL if (api_key and not base_url) else "local"
    if base_url and not flags.get("model") and not env.get("SUMMARISE_MODEL") and "model" not in file_cfg:
        default_model = "openai/default"
    try:
        return Settings(
            model=str(pick("model", "SUMMARISE_MODEL", default_model)),
            base_url=base_url,
            api_key=api_key or None,
            timeout=float(pick("timeout", "SUMMARISE_TIMEOUT", DEFAULT_TIMEOUT)),
            max_retries=int(pick("max_retries", "SUMMARISE_MAX_RETRIES", DEFAULT_MAX_RETRIES)),
            max_tokens=(int(v) if (v := pick("max_tokens", "SUMMARISE_MAX_TOKENS", None)) else None),
            local_model=pick("local_model", "SUMMARISE_LOCAL_MODEL", None),
            strategy=str(pick("strategy", "SUMMARISE_STRATEGY", "auto")),
        )
    except ValueError as exc:
        raise ConfigError(f"bad setting: {exc}") from None
