"""The registries yarn is configured to install from, read from yarn's own files.

yarn never reads every npm setting, and npm never reads yarn's, so a yarn lockfile is judged
against both: npm's configuration (:mod:`scanner.registry.npmrc`) and yarn's, read here.

- yarn classic (``yarn.lock`` v1) reads ``.yarnrc`` in the project folder and each folder above
  it, then ``~/.yarnrc``: ``registry "<url>"`` and ``"@scope:registry" "<url>"`` lines, in the
  lockfile syntax (``key value``, ``#`` comments). It reads ``.npmrc`` too.
- yarn berry (``yarn.lock`` with ``__metadata``) reads ``.yarnrc.yml`` (or the name in
  ``$YARN_RC_FILENAME``) in the project folder and each folder above it, then in the home folder,
  the nearest file winning: ``npmRegistryServer`` and ``npmScopes.<scope>.npmRegistryServer``,
  with ``${NAME}`` / ``${NAME:-fallback}`` expanded from the environment.
  ``$YARN_NPM_REGISTRY_SERVER`` overrides the files.

In pull-request mode the scanned repository is the change author's, and a ``.yarnrc`` it adds
could allow its own host. There the files inside the repository are read from the base revision
(a :class:`RevisionFiles`), the version the maintainers merged; files outside it (above the work
tree, the home folder) and the environment are the machine's and are read as usual.

Neither default registry is written here: yarn's built-in default is whatever the installed yarn
says, and depscan names no registry host. A lockfile whose every package comes from a host no
configuration names is reported once, as a configuration question (see the hygiene host rule).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import urlsplit

from scanner.errors import DepscanError, RegistryError
from scanner.untrusted import decode_text, read_text

CLASSIC_FILE = ".yarnrc"
BERRY_FILE = ".yarnrc.yml"
MAX_CONFIG_BYTES = 1024 * 1024
"""A yarn configuration file is a few hundred bytes; anything past 1 MB is not one."""

_CLASSIC_LINE = re.compile(r'^\s*("(?:[^"\\]|\\.)*"|[^\s"#]+)\s+("(?:[^"\\]|\\.)*"|[^\s#]+)')
_CLASSIC_SCOPE_KEY = re.compile(r"^(@[^:/\s]+):registry$")
_BERRY_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?-)([^}]*))?\}")


@runtime_checkable
class RevisionFiles(Protocol):
    """The repository's files as a trusted revision holds them
    (:class:`scanner.base_revision.BaseRevision`)."""

    def relative(self, path: Path) -> str | None: ...

    def label(self, inside: str) -> str: ...

    def read(
        self, inside: str, *, max_bytes: int, error: type[DepscanError], what: str
    ) -> bytes | None: ...


@dataclass(frozen=True, slots=True)
class ConfigFile:
    label: str
    """The path, or ``<ref>:<path>`` for a file read from the base revision."""
    text: str


@dataclass(frozen=True, slots=True)
class YarnRegistries:
    """Registry URLs yarn's configuration names (each ending in ``/``), and where from."""

    default: str | None = None
    scoped: dict[str, str] = field(default_factory=dict)
    """``@scope`` -> registry URL."""
    sources: tuple[str, ...] = ()
    """The files (or variables) that set them, nearest first."""

    @property
    def urls(self) -> tuple[str, ...]:
        urls = [self.default] if self.default else []
        return tuple(dict.fromkeys([*urls, *self.scoped.values()]))


def yarn_registries(
    lockfile_format: str,
    project_dir: Path,
    env: Mapping[str, str],
    revision: RevisionFiles | None = None,
) -> YarnRegistries:
    """yarn's registries for a project whose lockfile has ``lockfile_format`` (``yarn-v1`` or
    ``yarn-berry``); nothing for other formats. A configuration file yarn itself would refuse
    (unreadable, not YAML) is a :class:`RegistryError` naming it. With ``revision``, files
    inside the repository are read as that revision has them, not from the working tree."""
    if lockfile_format == "yarn-v1":
        return _classic(project_dir, env, revision)
    if lockfile_format == "yarn-berry":
        return _berry(project_dir, env, revision)
    return YarnRegistries()


def config_files(
    name: str,
    project_dir: Path,
    env: Mapping[str, str],
    revision: RevisionFiles | None = None,
) -> list[ConfigFile]:
    """``name`` in the project folder and each folder above it, then in the home folder: nearest
    first, each file once. With ``revision``, a file inside the repository is the revision's
    (absent there: left out, whatever the working tree holds)."""
    folder = project_dir.absolute()
    candidates = [folder / name, *(parent / name for parent in folder.parents)]
    home = env.get("HOME") or env.get("USERPROFILE")
    if home:
        candidates.append(Path(home) / name)
    found: list[ConfigFile] = []
    for path in dict.fromkeys(candidates):
        inside = revision.relative(path) if revision is not None else None
        if revision is not None and inside is not None:
            data = revision.read(
                inside, max_bytes=MAX_CONFIG_BYTES, error=RegistryError,
                what="yarn configuration",
            )
            if data is not None:
                label = revision.label(inside)
                found.append(ConfigFile(label, decode_text(data, subject=label,
                                                           error=RegistryError)))
        elif path.is_file():
            found.append(ConfigFile(str(path), _read(path)))
    return found


# -- yarn classic ----------------------------------------------------------------------------------


def parse_classic(text: str) -> dict[str, str]:
    """``key value`` settings of a yarn classic ``.yarnrc`` (quoted strings are JSON strings)."""
    settings: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _CLASSIC_LINE.match(line)
        if match is None:
            continue
        settings[_unquote(match.group(1))] = _unquote(match.group(2))
    return settings


def _classic(
    project_dir: Path, env: Mapping[str, str], revision: RevisionFiles | None
) -> YarnRegistries:
    default: str | None = None
    scoped: dict[str, str] = {}
    sources: list[str] = []
    # Nearest first: a setting already taken from a nearer file wins.
    for config in config_files(CLASSIC_FILE, project_dir, env, revision):
        settings = parse_classic(config.text)
        used = False
        registry = _registry_url(settings.get("registry"))
        if registry and default is None:
            default, used = registry, True
        for key, value in settings.items():
            scope = _CLASSIC_SCOPE_KEY.match(key)
            url = _registry_url(value) if scope else None
            if scope and url and scope.group(1) not in scoped:
                scoped[scope.group(1)] = url
                used = True
        if used:
            sources.append(config.label)
    return YarnRegistries(default, scoped, tuple(sources))


# -- yarn berry ------------------------------------------------------------------------------------


def _berry(
    project_dir: Path, env: Mapping[str, str], revision: RevisionFiles | None
) -> YarnRegistries:
    name = env.get("YARN_RC_FILENAME") or BERRY_FILE
    default: str | None = None
    scoped: dict[str, str] = {}
    sources: list[str] = []
    override = _registry_url(_expand(env.get("YARN_NPM_REGISTRY_SERVER", ""), env))
    if override:
        default = override
        sources.append("$YARN_NPM_REGISTRY_SERVER")
    for config in config_files(name, project_dir, env, revision):
        document = _load_yaml(config)
        used = False
        registry = _registry_url(_expand(_string(document.get("npmRegistryServer")), env))
        if registry and default is None:
            default, used = registry, True
        for scope, server in _scope_servers(document.get("npmScopes")):
            url = _registry_url(_expand(server, env))
            if url and scope not in scoped:
                scoped[scope] = url
                used = True
        if used:
            sources.append(config.label)
    return YarnRegistries(default, scoped, tuple(sources))


def _scope_servers(scopes: object) -> Iterator[tuple[str, str]]:
    if not isinstance(scopes, dict):
        return
    for name, settings in scopes.items():
        if isinstance(name, str) and isinstance(settings, dict):
            server = _string(settings.get("npmRegistryServer"))
            if server:
                yield "@" + name.lstrip("@"), server


def _load_yaml(config: ConfigFile) -> dict[str, object]:
    import yaml  # only for yarn berry projects: PyYAML costs start-up time

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        document = yaml.load(config.text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        raise RegistryError(f"is not valid YAML{where}", subject=config.label) from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise RegistryError("is not a YAML mapping of settings", subject=config.label)
    return document


def _expand(text: str, env: Mapping[str, str]) -> str:
    """``${NAME}``, ``${NAME:-fallback}`` (also when empty) and ``${NAME-fallback}`` as yarn
    expands them; an unset variable without a fallback leaves the text unusable (empty)."""
    unusable = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unusable
        name, operator, fallback = match.group(1), match.group(2), match.group(3)
        value = env.get(name)
        if operator == ":-" and not value:
            return fallback or ""
        if operator == "-" and value is None:
            return fallback or ""
        if value is None:
            unusable = True
            return ""
        return value

    expanded = _BERRY_ENV.sub(replace, text)
    return "" if unusable else expanded


# -- shared ----------------------------------------------------------------------------------------


def _read(path: Path) -> str:
    try:
        return read_text(path, max_bytes=MAX_CONFIG_BYTES, error=RegistryError)
    except RegistryError as exc:
        raise RegistryError(f"cannot read yarn configuration: {exc.message}",
                            subject=str(path)) from None


def _registry_url(value: str | None) -> str | None:
    """An http(s) registry URL ending in ``/``; ``None`` for anything else (yarn would fail on
    it, and it names no host to allow)."""
    if not value:
        return None
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return text if text.endswith("/") else text + "/"


def _string(value: object) -> str:
    return value if isinstance(value, str) else ""


def _unquote(token: str) -> str:
    if len(token) >= 2 and token[0] == token[-1] == '"':
        try:
            decoded = json.loads(token)
        except ValueError:
            return token[1:-1]
        return decoded if isinstance(decoded, str) else token[1:-1]
    return token
