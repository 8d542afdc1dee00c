"""Which registry to ask for a package, and with which credentials, as npm itself would decide.

depscan never names a registry host: the default registry, scoped registries and per-registry
auth come from npm's own configuration layers, highest precedence first: ``--registry``, the
``npm_config_*`` environment, the project ``.npmrc``, the user ``.npmrc``, the global ``npmrc``,
and finally ``npm config get registry`` (which knows npm's built-in default).
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from scanner.errors import RegistryError

NPM_CONFIG_TIMEOUT_SECONDS = 15.0

_ENV_PREFIX = "npm_config_"
# `${NAME}` (left as written when NAME is unset) and `${NAME?}` (empty when unset); a backslash
# escapes the expression, and pairs of backslashes collapse, as in npm's config loader.
_ENV_EXPR = re.compile(r"(?<!\\)(\\*)\$\{([^${}?]+)(\?)?\}")
_SCOPED_REGISTRY_KEY = re.compile(r"^(@[^:/]+):registry$")
_AUTH_FIELDS = ("_authToken", "_auth", "username", "_password")
# npm refuses these at top level since v9: credentials must name the registry they are for.
_UNSCOPED_AUTH_KEYS = ("_authToken", "_auth", "username", "_password", "_authtoken")


@dataclass(frozen=True)
class AuthEntry:
    """Credentials for one nerf-dart (``//host[:port]/path/``). Secrets never appear in repr."""

    token: str | None = field(default=None, repr=False)
    basic: str | None = field(default=None, repr=False)
    """base64 of ``username:password``, the value of a Basic Authorization header."""

    def header(self) -> str | None:
        if self.token:
            return f"Bearer {self.token}"
        if self.basic:
            return f"Basic {self.basic}"
        return None


@dataclass(frozen=True)
class NpmConfig:
    registry: str
    """The default registry URL, always ending in ``/``."""
    scoped: dict[str, str] = field(default_factory=dict)
    """``@scope`` -> registry URL (ending in ``/``)."""
    auth: dict[str, AuthEntry] = field(default_factory=dict)
    """``//host[:port]/path/`` -> credentials, after ``${ENV}`` expansion."""

    def registry_for(self, package_name: str) -> str:
        if package_name.startswith("@") and "/" in package_name:
            scope = package_name.split("/", 1)[0]
            return self.scoped.get(scope, self.registry)
        return self.registry

    def auth_header_for(self, url: str) -> str | None:
        """The Authorization header for ``url``: credentials of the longest nerf-dart matching it.

        Like npm, the URL's host and path are shortened one segment at a time, so a registry's
        token also covers tarballs under it, and never a different host.
        """
        key = _url_key(url)
        if key is None:
            return None
        while len(key) > 2:
            entry = self.auth.get(key)
            if entry is not None and (header := entry.header()) is not None:
                return header
            key = re.sub(r"([^/]+|/)$", "", key)
        return None


def resolve_npm_config(
    project_dir: Path,
    cli_registry: str | None,
    env: Mapping[str, str],
    *,
    default_cache: Path | None = None,
) -> NpmConfig:
    """Resolve the registry configuration for a project the way npm would.

    Raises :class:`RegistryError` for a configured registry that is not an http(s) URL, for
    credentials not scoped to a registry (npm refuses them too), and when no layer sets a registry
    and ``npm config get registry`` cannot tell.
    """
    home = env.get("HOME") or env.get("USERPROFILE") or str(Path.home())
    env_layer = {key: expand_env(value, env) for key, value in _env_layer(env).items()}
    project_file = project_dir / ".npmrc"
    project_layer = _read_npmrc(project_file, env)

    user_file = _config_path(
        _first_str("userconfig", env_layer, project_layer) or "~/.npmrc", home, project_dir
    )
    user_layer = {} if user_file == project_file else _read_npmrc(user_file, env)

    global_file = _global_config_file(env, env_layer, project_layer, user_layer, home, project_dir)
    global_layer = _read_npmrc(global_file, env) if global_file is not None else {}

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
        registry = _normalize_registry(
            _npm_default_registry(project_dir, env, default_cache), "npm config"
        )

    merged: dict[str, str] = {}
    for _, layer in reversed(layers):
        merged.update(layer)
    scoped: dict[str, str] = {}
    for key, value in merged.items():
        match = _SCOPED_REGISTRY_KEY.match(key)
        if match and value:
            scoped[match.group(1)] = _normalize_registry(value, _source_of(key, layers))
    return NpmConfig(registry=registry, scoped=scoped, auth=_auth_entries(merged, layers))


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
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError(f"cannot read npm configuration: {exc}", subject=str(path)) from None
    return parse_npmrc(text, env)


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
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise RegistryError(f"registry {value!r} is not an http(s) URL", subject=source)
    url = value.strip()
    return url if url.endswith("/") else url + "/"


def _source_of(key: str, layers: list[tuple[str, dict[str, str]]]) -> str:
    for source, layer in layers:
        if key in layer:
            return source
    return "npm config"


def _auth_entries(
    merged: Mapping[str, str], layers: list[tuple[str, dict[str, str]]]
) -> dict[str, AuthEntry]:
    fields_by_dart: dict[str, dict[str, str]] = {}
    for key, value in merged.items():
        if not key.startswith("//") or ":" not in key:
            continue
        dart, _, name = key.rpartition(":")
        if name in _AUTH_FIELDS and value:
            fields_by_dart.setdefault(_normalize_dart(dart), {})[name] = value

    entries: dict[str, AuthEntry] = {}
    for dart, fields in fields_by_dart.items():
        # Same order as npm: a token wins, then username + password, then _auth.
        if "_authToken" in fields:
            entries[dart] = AuthEntry(token=fields["_authToken"])
        elif "username" in fields and "_password" in fields:
            password = _decode_password(fields["_password"], dart + ":_password", layers)
            pair = f"{fields['username']}:{password}".encode()
            entries[dart] = AuthEntry(basic=base64.b64encode(pair).decode("ascii"))
        elif "_auth" in fields:
            entries[dart] = AuthEntry(basic=fields["_auth"])
    return entries


def _decode_password(encoded: str, key: str, layers: list[tuple[str, dict[str, str]]]) -> str:
    try:
        return base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise RegistryError(
            f"`{key}` is not base64 (npm stores `_password` base64-encoded)",
            subject=_source_of(key, layers),
        ) from None


def _normalize_dart(dart: str) -> str:
    host, slash, path = dart[2:].partition("/")
    return "//" + host.lower() + slash + path


def _url_key(url: str) -> str | None:
    """``//host[:port]/path`` of a URL, with the default port dropped as URL parsers do."""
    parts = urlsplit(url)
    if not parts.hostname:
        return None
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        return None
    default_port = {"http": 80, "https": 443}.get(parts.scheme)
    if port is not None and port != default_port:
        host = f"{host}:{port}"
    return f"//{host}{parts.path or '/'}"


def _npm_default_registry(
    project_dir: Path, env: Mapping[str, str], cache_file: Path | None
) -> str:
    """npm's built-in default registry, remembered per npm installation.

    Only asked for when no configuration layer sets a registry, and then npm's answer depends on
    nothing but the npm installation itself, while starting node costs a few hundred milliseconds
    on every scan. The answer is cached keyed by the npm executable's real path and mtime.
    """
    search_path = env.get("PATH")
    npm = shutil.which("npm", path=search_path) if search_path else None
    key = None
    if npm is not None and cache_file is not None:
        real = os.path.realpath(npm)
        with contextlib.suppress(OSError):
            key = f"{real}:{os.stat(real).st_mtime_ns}"
    if key is not None and cache_file is not None:
        with contextlib.suppress(OSError, ValueError):
            cached = json.loads(cache_file.read_text(encoding="utf-8"))
            if isinstance(cached, dict) and isinstance(cached.get(key), str):
                return str(cached[key])
    value = _npm_config_get_registry(project_dir, env)
    if key is not None and cache_file is not None:
        with contextlib.suppress(OSError):
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({key: value}), encoding="utf-8")
            os.replace(tmp, cache_file)
    return value


def _npm_config_get_registry(project_dir: Path, env: Mapping[str, str]) -> str:
    """Ask npm for its registry: the last resort, which also knows npm's built-in default."""
    hint = "pass --registry or set `registry=` in an .npmrc"
    search_path = env.get("PATH")
    npm = shutil.which("npm", path=search_path) if search_path else None
    if npm is None:
        raise RegistryError(
            f"could not determine the npm registry: npm is not on PATH; {hint}", subject="registry"
        )
    try:
        completed = subprocess.run(
            [npm, "config", "get", "registry"],
            cwd=project_dir,
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=NPM_CONFIG_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RegistryError(
            f"could not determine the npm registry: `npm config get registry` timed out; {hint}",
            subject="registry",
        ) from None
    except OSError as exc:
        raise RegistryError(
            f"could not determine the npm registry: cannot run npm ({exc.strerror}); {hint}",
            subject="registry",
        ) from None
    value = completed.stdout.strip().splitlines()[-1].strip() if completed.stdout.strip() else ""
    if completed.returncode != 0 or not value or value in ("undefined", "null"):
        raise RegistryError(
            f"could not determine the npm registry: `npm config get registry` failed "
            f"(exit {completed.returncode}); {hint}",
            subject="registry",
        )
    return value
