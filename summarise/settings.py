"""Settings, read at call time in one order: argument/flag, environment, config file, default.

Also the one TOML loader (pydantic models give the unknown-key errors) and the one duration parser.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import tomllib
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from summarise.errors import ConfigError

DEFAULT_OPENAI_MODEL = "openai/gpt-4o-mini"
DEFAULT_TIMEOUT = 300.0
DEFAULT_MAX_RETRIES = 2


def _home(var: str, fallback: str) -> Path:
    return Path(os.environ.get(var) or Path.home() / fallback)


def config_path() -> Path:
    return Path(os.environ.get("SUMMARISE_CONFIG") or _home("XDG_CONFIG_HOME", ".config") / "summarise" / "config.toml")


def key_path(provider: str = "openai") -> Path:
    """The key file ``summarise keys set PROVIDER`` writes (mode 0600, beside the config file); read by
    default when no key is given and ``OPENAI_API_KEY`` is unset."""
    return config_path().parent / f"{provider}.key"


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
        """Identifies a backend instance: two keys or two servers never share one; holds no secret."""
        return (self.model, self.base_url, self.local_model, self.timeout, key_fingerprint(self.api_key))


def key_fingerprint(api_key: str | None) -> str:
    """A short one-way hash of an API key: tells keys apart in cache keys without holding the key."""
    return hashlib.sha256(api_key.encode("utf-8")).hexdigest()[:12] if api_key else ""


class ConfigFile(BaseModel):
    """``config.toml``: the same names as the settings, plus ``api_key_file`` (never the key itself)."""

    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    base_url: str | None = None
    timeout: float | None = None
    max_retries: int | None = None
    max_tokens: int | None = None
    local_model: str | None = None
    strategy: str | None = None
    api_key_file: str | None = None


M = TypeVar("M", bound=BaseModel)


def load_toml(path: Path, model: type[M], *, what: str = "config file") -> M:
    """Read a TOML file into ``model``; unknown keys and wrong types become one ``ConfigError``."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such {what}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{what} {path} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{what} {path} is not valid TOML: {exc}") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        unknown = [".".join(map(str, e["loc"])) for e in exc.errors() if e["type"] == "extra_forbidden"]
        known = ", ".join(sorted(model.model_fields))
        if unknown:
            raise ConfigError(f"{what} {path}: unknown keys {sorted(unknown)}; known: {known}") from None
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'file'}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{what} {path}: {problems}") from None


def _file_config() -> dict[str, Any]:
    path = config_path()
    if not path.is_file():
        return {}
    return load_toml(path, ConfigFile).model_dump(exclude_none=True)


_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([smhd])")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(value: str) -> timedelta:
    """``30s``, ``30m``, ``24h``, ``7d`` (a number and a unit); ValueError otherwise."""
    match = _DURATION.fullmatch(value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a duration; use e.g. 30m, 24h or 7d")
    return timedelta(seconds=float(match.group(1)) * _SECONDS[match.group(2)])


def _read_key_file(path: Path) -> str:
    try:
        mode = path.stat().st_mode
    except OSError:
        raise ConfigError(f"API key file {path} does not exist") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"API key file {path} is readable by others; run: chmod 600 {path}")
    return path.read_text(encoding="utf-8").strip()


def save_key(key: str, provider: str = "openai") -> Path:
    """Write ``key`` to ``key_path(provider)`` atomically, readable by its owner only (0600); returns the path.

    The message of a bad key never contains the key.
    """
    key = key.strip()
    if not key:
        raise ConfigError("no key given: paste the key at the prompt or pipe it on standard input")
    if any(c.isspace() or not c.isprintable() for c in key):
        raise ConfigError("the key has spaces, line breaks or control characters inside it; give one key on one line")
    path = key_path(provider)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # 0600 from the start, whatever the umask
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            os.fchmod(fh.fileno(), 0o600)
            fh.write(key + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def resolve_settings(**flags: Any) -> Settings:
    """Merge explicit arguments (None means unset) with environment, config file and defaults.

    The key: the ``api_key`` argument, else ``OPENAI_API_KEY``, else the config's ``api_key_file``, else the
    file ``summarise keys set openai`` wrote (``key_path()``). ``api_key=""`` means no key at all: none of
    them is read.
    """
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

    # an explicit "" means "send no key": a server a third party named must not get the user's key
    given = flags.get("api_key")
    api_key = given if given is not None else env.get("OPENAI_API_KEY")
    if api_key is None and file_cfg.get("api_key_file"):
        api_key = _read_key_file(Path(str(file_cfg["api_key_file"])).expanduser())
    if api_key is None and key_path().exists():  # the key 'summarise keys set openai' saved
        api_key = _read_key_file(key_path())
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
