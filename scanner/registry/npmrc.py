"""Which registry to ask for a package, and with which credentials, as npm itself would decide.

depscan never names a registry host: the default registry, scoped registries and per-registry
auth come from npm's own configuration layers, highest precedence first: ``--registry``, the
``npm_config_*`` environment, the project ``.npmrc``, the user ``.npmrc``, the global ``npmrc``,
and finally ``npm config get registry`` (which knows npm's built-in default).

The project ``.npmrc`` is part of the scanned repository. When that repository is not the user's
own (pull-request mode, the Action), it is not read at all unless the caller trusts it: it would
otherwise decide where requests, and the credentials the user's own configuration holds, go, and
its ``${ENV}`` expressions would copy the CI job's secrets into them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from scanner.errors import RegistryError
from scanner.registry.credentials import (
    AuthEntry,
    auth_entries,
    configured_entry,
    may_carry_credentials,
)
from scanner.registry.npm_default import npm_default_registry
from scanner.registry.url import RegistryUrl, UrlRefused, parse_url
from scanner.untrusted import read_text

__all__ = ["AuthEntry", "NpmConfig", "expand_env", "parse_npmrc", "resolve_npm_config"]

MAX_NPMRC_BYTES = 1024 * 1024
MAX_FETCH_RETRIES = 10
_ENV_PREFIX = "npm_config_"
# `${NAME}` (left as written when NAME is unset) and `${NAME?}` (empty when unset); a backslash
# escapes the expression, and pairs of backslashes collapse, as in npm's config loader.
_ENV_EXPR = re.compile(r"(?<!\\)(\\*)\$\{([^${}?]+)(\?)?\}")
_SCOPED_REGISTRY_KEY = re.compile(r"^(@[^:/]+):registry$")
# npm refuses these at top level since v9: credentials must name the registry they are for.
_UNSCOPED_AUTH_KEYS = ("_authToken", "_auth", "username", "_password", "_authtoken")
_USERINFO = re.compile(r"//[^/?#]*@")


@dataclass(frozen=True)
class NpmConfig:
    registry: str
    """The default registry URL, always ending in ``/``."""
    scoped: dict[str, str] = field(default_factory=dict)
    """``@scope`` -> registry URL (ending in ``/``)."""
    auth: dict[str, AuthEntry] = field(default_factory=dict)
    """``//host[:port]/path/`` -> credentials, after ``${ENV}`` expansion."""
    fetch_timeout: float | None = None
    """npm's ``fetch-timeout`` in seconds (0: no limit per request); None when not configured."""
    fetch_retries: int | None = None
    """npm's ``fetch-retries``; None when not configured."""
    untrusted_npmrc: str | None = None
    """The scanned project's ``.npmrc``, when it exists and was not read because it is not
    trusted."""

    def registry_for(self, package_name: str) -> str:
        if package_name.startswith("@") and "/" in package_name:
            scope = package_name.split("/", 1)[0]
            return self.scoped.get(scope, self.registry)
        return self.registry

    def auth_header_for(self, target: RegistryUrl) -> str | None:
        """The Authorization header for a request to ``target``, or None.

        The credentials of the longest nerf-dart matching the URL (see
        :mod:`scanner.registry.credentials`), and only over https or to this machine.
        """
        entry = configured_entry(self.auth, target)
        if entry is None or not may_carry_credentials(target):
            return None
        return entry.header()

    def withheld_reason(self, target: RegistryUrl) -> str | None:
        """Why configured credentials were not sent to ``target``; None when none were withheld."""
        if configured_entry(self.auth, target) is None or may_carry_credentials(target):
            return None
        return (
            f"credentials are configured for {target.authority}, but depscan sends them only "
            "over https (or to localhost)"
        )


def resolve_npm_config(
    project_dir: Path,
    cli_registry: str | None,
    env: Mapping[str, str],
    *,
    default_cache: Path | None = None,
    trust_project_npmrc: bool = True,
) -> NpmConfig:
    """Resolve the registry configuration for a project the way npm would.

    With ``trust_project_npmrc`` false the project's ``.npmrc`` is not read, and npm (when it has
    to be asked) runs outside the project, so it does not read that file either.

    Raises :class:`RegistryError` for a configured registry that is not a usable http(s) URL, for
    credentials not scoped to a registry (npm refuses them too), for configuration files that
    cannot be read, and when no layer sets a registry and ``npm config get registry`` cannot tell.
    """
    home = env.get("HOME") or env.get("USERPROFILE") or str(Path.home())
    env_layer = {key: expand_env(value, env) for key, value in _env_layer(env).items()}
    project_file = project_dir / ".npmrc"
    untrusted: str | None = None
    if trust_project_npmrc:
        project_layer = _read_npmrc(project_file, env)
    else:
        project_layer = {}
        untrusted = str(project_file) if _is_file(project_file) else None

    user_file = _config_path(
        _first_str("userconfig", env_layer, project_layer) or "~/.npmrc", home, project_dir
    )
    # A user config that is the project's own file is the project's file, trusted or not.
    user_layer = {} if _same_file(user_file, project_file) else _read_npmrc(user_file, env)

    global_file = _global_config_file(env, env_layer, project_layer, user_layer, home, project_dir)
    global_layer: dict[str, str] = {}
    if global_file is not None and not _same_file(global_file, project_file):
        global_layer = _read_npmrc(global_file, env)

    for file, file_layer in ((project_file, project_layer), (user_file, user_layer)):
        _reject_unscoped_auth(file_layer, file)
    if global_file is not None:
        _reject_unscoped_auth(global_layer, global_file)

    cli_layer: dict[str, str] = {"registry": cli_registry} if cli_registry else {}
    layers: list[tuple[str, dict[str, str]]] = [
        ("--registry", cli_layer),
        ("environment", env_layer),
        (str(project_file), project_layer),
        (str(user_file), user_layer),
        (str(global_file), global_layer),
    ]

    registry: str | None = None
    for source, layer in layers:
        if layer.get("registry"):
            registry = _normalize_registry(layer["registry"], source)
            break
    if registry is None:
        registry = npm_default_registry(
            project_dir if trust_project_npmrc else None,
            env,
            default_cache,
            lambda value: _normalize_registry(value, "npm config"),
        )

    merged: dict[str, str] = {}
    for _, layer in reversed(layers):
        merged.update(layer)
    scoped: dict[str, str] = {}
    for key, value in merged.items():
        match = _SCOPED_REGISTRY_KEY.match(key)
        if match and value:
            scoped[match.group(1)] = _normalize_registry(value, _source_of(key, layers))
    return NpmConfig(
        registry=registry,
        scoped=scoped,
        auth=auth_entries(merged, lambda key: _source_of(key, layers)),
        fetch_timeout=_fetch_timeout(merged, layers),
        fetch_retries=_fetch_retries(merged, layers),
        untrusted_npmrc=untrusted,
    )


def expand_env(text: str, env: Mapping[str, str]) -> str:
    """Expand ``${NAME}`` and ``${NAME?}`` in an npmrc key or value as npm does."""

    def replace(match: re.Match[str]) -> str:
        escapes, name, optional = match.group(1), match.group(2), match.group(3)
        if len(escapes) % 2:
            return match.group(0)[(len(escapes) + 1) // 2 :]
        fallback = "" if optional else "${" + name + "}"
        value = env.get(name)
        return escapes[len(escapes) // 2 :] + (value if value is not None else fallback)

    return _ENV_EXPR.sub(replace, text)


def parse_npmrc(text: str, env: Mapping[str, str]) -> dict[str, str]:
    """Top-level ``key = value`` settings of an npmrc file, env-expanded.

    Follows npm's ini reader: ``;``/``#`` comments (also trailing, unless escaped or quoted),
    quoted values, and ``[section]`` blocks whose keys are not top-level settings. Keys given
    without a value, and ``key[]`` lists, are not string settings and are skipped.
    """
    settings: dict[str, str] = {}
    in_section = False
    for line in re.split(r"[\r\n]+", text):
        if not line.strip() or re.match(r"^\s*[;#]", line):
            continue
        if re.match(r"^\[([^\]]*)\]\s*$", line):
            in_section = True
            continue
        if in_section or "=" not in line:
            continue
        raw_key, raw_value = line.split("=", 1)
        key = _unquote(raw_key)
        if not key or key.endswith("[]") or key == "__proto__":
            continue
        value = _unquote(raw_value)
        settings[expand_env(key, env)] = expand_env(value.strip(), env)
    return settings


def _unquote(raw: str) -> str:
    text = raw.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        inner = text[1:-1] if text[0] == "'" else text
        if not inner.startswith('"'):
            # Only a JSON string is a string setting; anything else (an array, a number of
            # thousands of digits, nesting deep enough to exhaust the stack) stays as written.
            return inner
        try:
            decoded = json.loads(inner)
        except ValueError:
            return inner
        return decoded if isinstance(decoded, str) else inner
    out: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            out.append(char if char in "\\;#" else "\\" + char)
            escaped = False
        elif char in ";#":
            break
        elif char == "\\":
            escaped = True
        else:
            out.append(char)
    if escaped:
        out.append("\\")
    return "".join(out).strip()


def _read_npmrc(path: Path, env: Mapping[str, str]) -> dict[str, str]:
    """The settings of one npmrc file; a missing file (or a folder in its place) has none.

    Read with the bounded reader: a FIFO, a device or a huge file given as a config path is a
    one-line error naming it, never a hang.
    """
    if not _exists(path) or path.is_dir():
        return {}
    text = read_text(path, max_bytes=MAX_NPMRC_BYTES, error=RegistryError)
    return parse_npmrc(text, env)


def _exists(path: Path) -> bool:
    """Whether there is something at ``path`` (a dangling symlink counts as nothing, as in npm)."""
    try:
        path.stat()
    except (OSError, ValueError):
        return False
    return True


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a == b or (a.exists() and b.exists() and a.samefile(b))
    except (OSError, ValueError):
        return a == b


def _env_layer(env: Mapping[str, str]) -> dict[str, str]:
    """``npm_config_*`` variables (any case) as settings, named the way npm names them."""
    layer: dict[str, str] = {}
    for name, value in env.items():
        if not name.lower().startswith(_ENV_PREFIX) or value == "":
            continue
        key = name[len(_ENV_PREFIX) :]
        if not key.startswith("//"):
            key = key[:1] + key[1:].replace("_", "-")
            key = key.lower()
        layer[key] = value
    return layer


def _first_str(key: str, *layers: Mapping[str, str]) -> str | None:
    for layer in layers:
        if layer.get(key):
            return layer[key]
    return None


def _config_path(value: str, home: str, project_dir: Path) -> Path:
    if value == "~" or value.startswith(("~/", "~\\")):
        return Path(home) / value[2:]
    path = Path(value)
    return path if path.is_absolute() else project_dir / path


def _global_config_file(
    env: Mapping[str, str],
    env_layer: Mapping[str, str],
    project_layer: Mapping[str, str],
    user_layer: Mapping[str, str],
    home: str,
    project_dir: Path,
) -> Path | None:
    explicit = _first_str("globalconfig", env_layer, project_layer, user_layer)
    if explicit:
        return _config_path(explicit, home, project_dir)
    prefix = _first_str("prefix", env_layer, user_layer) or _default_global_prefix(env)
    if prefix is None:
        return None
    return _config_path(prefix, home, project_dir) / "etc" / "npmrc"


def _default_global_prefix(env: Mapping[str, str]) -> str | None:
    """npm's default prefix: ``$PREFIX``, else the directory above the ``node`` executable's."""
    if env.get("PREFIX"):
        return env["PREFIX"]
    search_path = env.get("PATH")
    node = shutil.which("node", path=search_path) if search_path else None
    if node is None:
        return None
    node_path = Path(node).resolve()
    return str(node_path.parent if os.name == "nt" else node_path.parent.parent)


def _reject_unscoped_auth(layer: Mapping[str, str], source: Path) -> None:
    for key in _UNSCOPED_AUTH_KEYS:
        if layer.get(key):
            raise RegistryError(
                f"`{key}` must be scoped to a registry (e.g. `//<registry-host>/:{key}`), "
                "as npm requires; run `npm config fix`",
                subject=str(source),
            )


def _normalize_registry(value: str, source: str) -> str:
    """The canonical registry URL, ending in ``/``; one line naming ``source`` when unusable."""
    text = value.strip()
    try:
        parsed = parse_url(text)
    except UrlRefused as exc:
        raise RegistryError(
            f"registry {_shown(text)} is not usable: {exc}", subject=source
        ) from None
    if parsed.query or "#" in text:
        raise RegistryError(
            f"registry {_shown(text)} is not usable: a registry URL has no query or fragment",
            subject=source,
        )
    url = parsed.url
    return url if url.endswith("/") else url + "/"


def _shown(text: str) -> str:
    """A configured URL as an error message may show it: credentials in it blanked out."""
    return repr(_USERINFO.sub("//***@", text[:200]))


def _source_of(key: str, layers: list[tuple[str, dict[str, str]]]) -> str:
    for source, layer in layers:
        if key in layer:
            return source
    return "npm config"


def _fetch_timeout(
    merged: Mapping[str, str], layers: list[tuple[str, dict[str, str]]]
) -> float | None:
    """npm's ``fetch-timeout`` (milliseconds) in seconds."""
    value = merged.get("fetch-timeout")
    if not value:
        return None
    if not re.fullmatch(r"[0-9]{1,12}", value.strip()):
        raise RegistryError(
            f"`fetch-timeout` must be a whole number of milliseconds, not {value[:40]!r}",
            subject=_source_of("fetch-timeout", layers),
        )
    return int(value) / 1000


def _fetch_retries(
    merged: Mapping[str, str], layers: list[tuple[str, dict[str, str]]]
) -> int | None:
    value = merged.get("fetch-retries")
    if not value:
        return None
    if not re.fullmatch(r"[0-9]{1,6}", value.strip()):
        raise RegistryError(
            f"`fetch-retries` must be a whole number, not {value[:40]!r}",
            subject=_source_of("fetch-retries", layers),
        )
    return min(int(value), MAX_FETCH_RETRIES)
