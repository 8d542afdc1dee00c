"""Which packages may run install scripts, read from the allowlists projects already keep.

Sources, all next to the lockfile:

- npm ``allowScripts`` in package.json: ``{"name": true, "name@range": false}``;
- LavaMoat ``lavamoat.allowScripts`` in package.json: keys are dependency paths ``a>b>c`` and the
  last segment is the package the entry is about;
- pnpm ``onlyBuiltDependencies`` (allowed) and ``neverBuiltDependencies`` (denied), in package.json
  under ``pnpm`` or at the top level of pnpm-workspace.yaml;
- depscan's own ``install-scripts.allow`` setting: a list of names.

An entry that denies a package wins over one that allows it, whatever the source.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from scanner.errors import PolicyError
from scanner.untrusted import MAX_MANIFEST_BYTES, loads, read_text
from scanner.untrusted_yaml import load_document


@dataclass(frozen=True, slots=True)
class ScriptRule:
    """One allowlist entry: ``name`` (and a semver ``spec`` when the entry pins versions)."""

    name: str
    spec: str | None
    allowed: bool
    source: str
    """Where the entry was read, e.g. ``package.json allowScripts``."""

    def matches(self, name: str, version: str) -> bool:
        if name != self.name:
            return False
        if self.spec is None or self.spec in ("*", ""):
            return True
        if self.spec == version:
            return True
        import nodesemver  # only for name@range entries; most allowlists name packages alone

        return bool(nodesemver.satisfies(version, self.spec, loose=True, include_prerelease=True))


@dataclass(frozen=True, slots=True)
class ScriptAllowlist:
    rules: tuple[ScriptRule, ...] = ()

    def decision(self, name: str, version: str) -> ScriptRule | None:
        """The deciding entry for ``name@version``: a denying one first, else an allowing one."""
        matching = [r for r in self.rules if r.matches(name, version)]
        denied = [r for r in matching if not r.allowed]
        if denied:
            return denied[0]
        return matching[0] if matching else None

    def allows(self, name: str, version: str) -> bool:
        rule = self.decision(name, version)
        return rule is not None and rule.allowed


def split_package_spec(key: str) -> tuple[str, str | None]:
    """``"@scope/name@^1"`` -> ``("@scope/name", "^1")``; ``"name"`` -> ``("name", None)``."""
    key = key.strip()
    at = key.find("@", 1)  # a leading "@" belongs to the scope
    if at == -1:
        return key, None
    return key[:at], key[at + 1 :].strip() or None


def _bool_entries(table: object, what: str, subject: str) -> list[tuple[str, bool]]:
    if not isinstance(table, Mapping):
        raise PolicyError(f"{what} must be an object of package -> true/false", subject=subject)
    entries: list[tuple[str, bool]] = []
    for key, value in table.items():
        if not isinstance(value, bool):
            message = f"{what}[{key!r}] must be true or false, got {value!r}"
            raise PolicyError(message, subject=subject)
        entries.append((str(key), value))
    return entries


def _name_list(value: object, what: str, subject: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PolicyError(f"{what} must be a list of package names", subject=subject)
    return [v for v in value if v.strip()]


def rules_from_names(
    names: Iterable[str], source: str, *, allowed: bool = True
) -> list[ScriptRule]:
    rules = []
    for entry in names:
        name, spec = split_package_spec(entry)
        rules.append(ScriptRule(name, spec, allowed, source))
    return rules


def rules_from_package_json(manifest: Mapping[str, object], subject: str) -> list[ScriptRule]:
    """Entries of every allowlist a package.json can hold; ``subject`` names the file in errors."""
    rules: list[ScriptRule] = []
    if "allowScripts" in manifest:
        source = "package.json allowScripts"
        for key, allowed in _bool_entries(manifest["allowScripts"], "allowScripts", subject):
            name, spec = split_package_spec(key)
            rules.append(ScriptRule(name, spec, allowed, source))
    lavamoat = manifest.get("lavamoat")
    if isinstance(lavamoat, Mapping) and "allowScripts" in lavamoat:
        source = "package.json lavamoat.allowScripts"
        table = lavamoat["allowScripts"]
        for key, allowed in _bool_entries(table, "lavamoat.allowScripts", subject):
            # LavaMoat keys are dependency paths; the entry is about the package at the end
            name, spec = split_package_spec(key.split(">")[-1])
            rules.append(ScriptRule(name, spec, allowed, source))
    pnpm = manifest.get("pnpm")
    if isinstance(pnpm, Mapping):
        rules += _pnpm_rules(pnpm, "package.json pnpm", subject)
    return rules


def rules_from_pnpm_workspace(document: object, subject: str) -> list[ScriptRule]:
    if document is None:
        return []
    if not isinstance(document, Mapping):
        raise PolicyError("expected a mapping at the top level", subject=subject)
    return _pnpm_rules(document, "pnpm-workspace.yaml", subject)


def _pnpm_rules(table: Mapping[str, object], source: str, subject: str) -> list[ScriptRule]:
    rules: list[ScriptRule] = []
    for key, allowed in (("onlyBuiltDependencies", True), ("neverBuiltDependencies", False)):
        if key in table:
            names = _name_list(table[key], key, subject)
            rules += rules_from_names(names, f"{source} {key}", allowed=allowed)
    return rules


def _read_text(path: Path) -> str | None:
    """The file's text, or None when there is none; anything else is a PolicyError naming it."""
    if not path.exists():
        return None
    return read_text(path, max_bytes=MAX_MANIFEST_BYTES, error=PolicyError)


def load_script_allowlist(project_dir: Path, configured: Iterable[str] = ()) -> ScriptAllowlist:
    """Every allowlist kept in ``project_dir`` plus depscan's own ``configured`` names."""
    rules = rules_from_names(configured, "depscan install-scripts.allow")
    manifest_path = project_dir / "package.json"
    text = _read_text(manifest_path)
    if text is not None:
        manifest = loads(text, subject=str(manifest_path), error=PolicyError)
        if isinstance(manifest, Mapping):
            rules += rules_from_package_json(manifest, str(manifest_path))
    workspace_path = project_dir / "pnpm-workspace.yaml"
    text = _read_text(workspace_path)
    if text is not None:
        document = load_document(text, subject=str(workspace_path), error=PolicyError)
        rules += rules_from_pnpm_workspace(document, str(workspace_path))
    return ScriptAllowlist(tuple(rules))
