"""Registry signatures: the registry signed ``name@version:integrity`` for the integrity we lock.

npm registries sign each version's ``dist.integrity`` with an ECDSA P-256 key published at
``<registry>-/npm/v1/keys``. Verifying the signature over the sha512 integrity *recorded in the
lockfile* proves the locked tarball hash is the one the registry holds, so a lockfile or mirror that
substitutes a tarball is caught even when its integrity is self-consistent.

Outcomes per locked version:
- a signature by a known key that does not verify (or is not a readable signature): critical;
- signatures only by key ids the registry does not publish: high;
- a valid signature only by keys that had expired before the version was published: high;
- no signatures at all: not a finding but one aggregated NotChecked. Registries and mirrors that do
  not sign are common (private registries, older mirrors), so a finding per package would drown the
  report; the NotChecked keeps them from reading as verified.
Packages from scopes or registries listed in ``signatures.skip-scopes`` /
``signatures.skip-registries`` (hosts or URLs, matched against ``resolved``) are skipped, and the
skip is reported as a NotChecked too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import TYPE_CHECKING, ClassVar

from scanner.checks.base import ScanContext
from scanner.checks.hygiene.urls import normalize_host_entry, parse_resolved
from scanner.checks.locked_versions import (
    LockedVersion,
    gaps_as_not_checked,
    locked_registry_versions,
    version_finding,
)
from scanner.errors import PolicyError
from scanner.model import CheckResult, Finding, Lockfile, NotChecked, Severity
from scanner.registry.packument import Packument, Unavailable, VersionInfo
from scanner.timestamps import parse_time

if TYPE_CHECKING:
    from scanner.signing import RegistryKey, UnusableKey, Verdict

CHECK_ID = "registry-signature"
SKIP_SCOPES_KEY = "signatures.skip-scopes"
SKIP_REGISTRIES_KEY = "signatures.skip-registries"


def _string_list(settings: Mapping[str, object], key: str) -> list[str]:
    value = settings.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise PolicyError("expected a list of strings", subject=key)
    return [v.strip() for v in value if v.strip()]


def _skip_rules(settings: Mapping[str, object]) -> tuple[frozenset[str], frozenset[str]]:
    scopes = frozenset(
        s if s.startswith("@") else f"@{s}" for s in _string_list(settings, SKIP_SCOPES_KEY)
    )
    hosts: set[str] = set()
    for entry in _string_list(settings, SKIP_REGISTRIES_KEY):
        host = normalize_host_entry(entry)
        if host is None:
            raise PolicyError(f"not a registry URL or host: {entry!r}", subject=SKIP_REGISTRIES_KEY)
        hosts.add(host)
    return scopes, frozenset(hosts)


def _skipped(locked: LockedVersion, scopes: frozenset[str], hosts: frozenset[str]) -> bool:
    if locked.name.startswith("@") and locked.name.split("/", 1)[0] in scopes:
        return True
    for node in locked.nodes:
        url = parse_resolved(node.resolved) if node.resolved else None
        if url is not None and url.host in hosts:
            return True
    return False


def _sha512(integrity: str | None) -> str | None:
    """The sha512 token of an SRI string: the form the registry signs."""
    for token in (integrity or "").split():
        if token.startswith("sha512-"):
            return token.split("?", 1)[0]
    return None


def _lockfile_sha512s(locked: LockedVersion) -> list[str]:
    """Each distinct sha512 the lockfile records for the version, in lockfile order.

    Entries of one version normally agree; when they do not, each value is verified, so the one
    that is not the registry's tarball is the one reported.
    """
    return list(dict.fromkeys(v for n in locked.nodes if (v := _sha512(n.integrity)) is not None))


class RegistrySignatureCheck:
    """Verify the registry's ECDSA signatures over each locked version's integrity."""

    id: ClassVar[str] = CHECK_ID
    title: ClassVar[str] = "Registry signatures"
    needs_registry: ClassVar[bool] = True

    def run(self, context: ScanContext) -> CheckResult:
        scopes, hosts = _skip_rules(context.settings)
        client = context.registry
        if client is None:
            return CheckResult(not_checked=(NotChecked(CHECK_ID, "no registry client"),))
        lockfile = context.lockfile
        versions = locked_registry_versions(lockfile)
        skipped = [v.spec_id for v in versions if _skipped(v, scopes, hosts)]
        versions = [v for v in versions if not _skipped(v, scopes, hosts)]
        gaps: dict[str, list[str]] = defaultdict(list)
        if skipped:
            gaps[f"skipped by {SKIP_SCOPES_KEY} / {SKIP_REGISTRIES_KEY}"] = skipped
        if not versions:
            return CheckResult(not_checked=gaps_as_not_checked(CHECK_ID, gaps))

        raw_keys = client.signing_keys()
        if isinstance(raw_keys, Unavailable):
            gaps[f"registry signing keys unavailable: {raw_keys.reason}"] = [
                v.spec_id for v in versions
            ]
            return CheckResult(not_checked=gaps_as_not_checked(CHECK_ID, gaps))

        from scanner.signing import (
            parse_keys,  # cryptography loads only when signatures are checked
        )

        keys, unusable = parse_keys(raw_keys)
        if not keys:
            problems = "; ".join(
                f"{u.keyid}: {u.reason}" if u.keyid else u.reason for u in unusable
            ) or "the registry publishes no keys"
            gaps[f"no usable registry signing key ({problems})"] = [v.spec_id for v in versions]
            return CheckResult(not_checked=gaps_as_not_checked(CHECK_ID, gaps))
        documents = client.packuments(sorted({v.name for v in versions}))
        findings: list[Finding] = []
        for locked in versions:
            document = documents.get(locked.name)
            if document is None or isinstance(document, Unavailable):
                reason = document.reason if document is not None else "not fetched"
                gaps[f"registry document unavailable: {reason}"].append(locked.spec_id)
                continue
            outcome = _check_version(lockfile, locked, document, keys, unusable)
            if isinstance(outcome, str):
                gaps[outcome].append(locked.spec_id)
            elif outcome is not None:
                findings.append(outcome)
        return CheckResult(tuple(findings), gaps_as_not_checked(CHECK_ID, gaps))


def _check_version(
    lockfile: Lockfile,
    locked: LockedVersion,
    document: Packument,
    keys: Mapping[str, RegistryKey],
    unusable: list[UnusableKey],
) -> Finding | str | None:
    """A finding, a NotChecked reason, or ``None`` when a valid signature covers the version."""
    from scanner.signing import Verdict, signed_message, verify

    info: VersionInfo | None = document.versions.get(locked.version)
    if info is None:
        return "version not in the registry document"
    if not info.signatures:
        return "no registry signature (the registry or mirror does not sign, or dropped it)"
    integrities = _lockfile_sha512s(locked)
    if not integrities:
        return "no sha512 integrity in the lockfile to verify the signature over"

    known = [(sig, keys[sig.keyid]) for sig in info.signatures if sig.keyid in keys]
    if not known:
        unreadable = {u.keyid: u.reason for u in unusable if u.keyid is not None}
        for sig in info.signatures:
            if sig.keyid in unreadable:
                return f"signed with registry key {sig.keyid}, which is unusable: " + unreadable[
                    sig.keyid
                ]
        key_ids = sorted({sig.keyid for sig in info.signatures})
        registry_key_ids = ", ".join(sorted(keys)) or "none"
        return version_finding(
            CHECK_ID, lockfile, locked, Severity.HIGH,
            f"{locked.spec_id} is signed only with key ids the registry does not publish "
            f"({', '.join(key_ids)}; registry keys: {registry_key_ids})",
            rule="unknown-key", keyids=key_ids,
        )

    valid_keys: list[RegistryKey] = []
    for integrity in integrities:
        message = signed_message(locked.name, locked.version, integrity)
        verdicts = [(key, verify(key, message, sig.sig)) for sig, key in known]
        valid = [key for key, verdict in verdicts if verdict is Verdict.VALID]
        if not valid:
            return _invalid_signature(lockfile, locked, info, integrity, verdicts)
        valid_keys = valid

    if all(key.expires is None for key in valid_keys):
        return None
    published = parse_time(document.time.get(locked.version))
    if published is None:
        return "publish time unknown: the signing key's expiry was not checked"
    if any(key.expires is None or key.expires > published for key in valid_keys):
        return None
    expired = min(valid_keys, key=lambda k: k.keyid)
    return version_finding(
        CHECK_ID, lockfile, locked, Severity.HIGH,
        f"{locked.spec_id} was published {published.isoformat()} but is signed with registry key "
        f"{expired.keyid}, which expired {expired.expires.isoformat() if expired.expires else ''}",
        rule="expired-key", keyid=expired.keyid,
    )


def _invalid_signature(
    lockfile: Lockfile,
    locked: LockedVersion,
    info: VersionInfo,
    integrity: str,
    verdicts: list[tuple[RegistryKey, Verdict]],
) -> Finding:
    from scanner.signing import Verdict

    registry_integrity = _sha512(info.integrity)
    if registry_integrity is not None and registry_integrity != integrity:
        text = (
            f"{locked.spec_id}: the lockfile's integrity {integrity} is not the one the "
            f"registry signed ({registry_integrity}): the locked tarball is not the registry's"
        )
    elif any(verdict is Verdict.MALFORMED for _, verdict in verdicts):
        text = f"{locked.spec_id}: the registry signature is not a readable ECDSA signature"
    else:
        text = f"{locked.spec_id}: the registry signature over its integrity does not verify"
    where = [n.location for n in locked.nodes if _sha512(n.integrity) == integrity]
    return version_finding(
        CHECK_ID, lockfile, locked, Severity.CRITICAL, text,
        rule="invalid-signature", integrity=integrity, registry_integrity=info.integrity,
        keyids=[key.keyid for key, _ in verdicts], integrity_locations=where,
    )
