"""Small in-memory lockfiles for the hygiene rule tests."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from scanner.checks.base import ScanContext
from scanner.checks.hygiene import LockfileHygieneCheck
from scanner.model import (
    CheckResult,
    DeclaredDependency,
    DependencyKind,
    Lockfile,
    PackageNode,
    SourceKind,
)

REGISTRY = "https://registry.example.test/"
SHA512_A = "sha512-" + "A" * 86 + "=="
SHA512_B = "sha512-" + "B" * 85 + "A=="  # canonical base64: the unused low bits are zero
SHA1 = "sha1-2Klr13/Wjfd5OnMDajug1UBdR3s="


def tarball(name: str, version: str, registry: str = REGISTRY) -> str:
    base = name.rsplit("/", 1)[-1]
    return f"{registry}{name}/-/{base}-{version}.tgz"


def registry_node(
    name: str,
    version: str,
    *,
    location: str | None = None,
    line: int | None = 10,
    **fields: object,
) -> PackageNode:
    values: dict[str, object] = {
        "resolved": tarball(name, version),
        "integrity": SHA512_A,
    }
    values.update(fields)
    node: PackageNode = PackageNode(
        location=location or f"node_modules/{name}",
        name=name,
        version=version,
        source=SourceKind.REGISTRY,
        line=line,
        **values,  # type: ignore[arg-type]
    )
    return node


def make_lockfile(
    nodes: Iterable[PackageNode],
    root_deps: Iterable[tuple[str, str]] = (),
    extra_roots: Iterable[PackageNode] = (),
) -> Lockfile:
    """A lockfile whose root declares ``root_deps`` (name, spec) resolved by install name."""
    packages = list(nodes)
    by_install_name = {n.install_name: n.location for n in packages}
    root = PackageNode(
        location="",
        name="app",
        version="1.0.0",
        source=SourceKind.ROOT,
        line=1,
        dependencies=tuple(
            DeclaredDependency(name, spec, DependencyKind.PROD, by_install_name.get(name))
            for name, spec in root_deps
        ),
    )
    extra = list(extra_roots)
    all_nodes = {n.location: n for n in [root, *extra, *packages]}
    return Lockfile(
        path=Path("package-lock.json"),
        format="npm-package-lock",
        format_version="3",
        nodes=all_nodes,
        roots=("", *(n.location for n in extra)),
    )


def run_hygiene(
    lockfile: Lockfile,
    settings: dict[str, object] | None = None,
    registry_url: str | None = REGISTRY,
) -> CheckResult:
    values: dict[str, object] = {} if registry_url is None else {"registry-url": registry_url}
    values.update(settings or {})
    return LockfileHygieneCheck().run(ScanContext(lockfile=lockfile, settings=values))


def rule_hits(result: CheckResult, rule: str) -> list[str]:
    """``name@version`` of the packages a rule reported, in order."""
    return [
        f.package.name + "@" + f.package.version
        for f in result.findings
        if f.details["rule"] == rule and f.package is not None
    ]
