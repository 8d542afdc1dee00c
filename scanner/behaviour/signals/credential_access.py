"""Credential stores named in code: the files a token stealer reads.

Detects string literals (or the pieces of a ``path.join``) naming: npm's ``.npmrc``; SSH keys
(``.ssh``, ``id_rsa``, ``id_ed25519``, ...); cloud CLIs (``.aws``, ``.azure``, ``.kube``,
``.config/gcloud``, ``.docker/config.json``); ``.git-credentials``; browser profile stores
(``Login Data``, ``Local Storage/leveldb``, ``key4.db``, ``logins.json``, ``cookies.sqlite``,
a ``User Data`` path of Chrome, Brave or Edge; the weaker names ``Cookies``, ``Web Data``,
``Local State``, ``Local Storage``, ``leveldb`` count when two of them are in the same file);
Discord's token stores (``discord/Local Storage``, ``discordcanary``, ``discordptb``) and
Discord token regexes; wallets (``wallet.dat``, ``Exodus``, ``Electrum``, ``Ethereum/keystore``,
``solana/id.json``, browser-wallet extension ids such as MetaMask's
``nkbihfbeogaeaoehlefnkodbefgpgknn``; unknown ids, 32 letters a-p, when two or more are listed);
macOS keychains (``login.keychain``, ``find-generic-password``). ``detail``: ``npmrc``, ``ssh``,
``aws``, ``azure``, ``kube``, ``gcloud``, ``docker``, ``git-credentials``, ``browser``,
``discord``, ``discord-token``, ``wallet``, ``wallet-extension:<name>``, ``extension-ids``,
``keychain``, ``system-credentials``.

Why: these files hold the tokens and keys that stealer packages take (the 2024-2025 BeaverTail
and InvisibleFerret npm campaigns read browser stores and wallet extensions; Discord token
grabbers are the most common npm malware in OSV).

Ignores: comments; environment variable names (the environment signal reports those); the
words in prose-like strings (a match must be the whole path piece or a path segment).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from scanner.behaviour.context import StringLiteral
from scanner.behaviour.model import Capability
from scanner.behaviour.signals.base import (
    Detector,
    FallbackPattern,
    Outcome,
    SignalSpec,
    Trigger,
    words,
)
from scanner.behaviour.triggers import extension_id

if TYPE_CHECKING:
    from tree_sitter import Node

# Browser-wallet extension ids, from public write-ups of wallet-stealing npm campaigns and the
# extensions' own store pages.
WALLET_EXTENSIONS = {
    "nkbihfbeogaeaoehlefnkodbefgpgknn": "metamask",
    "ejbalbakoplchlghecdalmeeeajnimhm": "metamask-edge",
    "bfnaelmomeimhlpmgjnjophhpkkoljpa": "phantom",
    "hnfanknocfeofbddgcijnmhnfnkdnaad": "coinbase",
    "ibnejdfjmmkpcnlpebklmnkoeoihofec": "tronlink",
    "fhbohimaelbohpjbbldcngcnapndodjp": "binance",
    "egjidjbpglichdcondbcbdnbeeppgdph": "trust-wallet",
    "aholpfdialjgjfhomihkjbmgjidlcdno": "exodus",
}
_EXTENSION_ID = re.compile(r"^[a-p]{32}$")
_SEGMENT = r"(?:^|/)"
_END = r"(?:/|$)"
# (detail, pattern over the literal with backslashes turned into slashes)
_STRONG: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (detail, re.compile(pattern))
    for detail, pattern in (
        ("npmrc", _SEGMENT + r"\.npmrc" + _END),
        ("ssh", _SEGMENT + r"(?:\.ssh" + _END + r"|id_(?:rsa|dsa|ecdsa|ed25519)(?:\.pub)?$)"),
        ("aws", _SEGMENT + r"\.aws" + _END),
        ("azure", _SEGMENT + r"\.azure" + _END),
        ("kube", _SEGMENT + r"\.kube" + _END),
        ("gcloud", r"\.config/gcloud|application_default_credentials\.json"),
        ("docker", r"\.docker/config\.json|" + _SEGMENT + r"\.docker$"),
        ("git-credentials", _SEGMENT + r"\.git-credentials" + _END),
        (
            "browser",
            r"Login Data(?: For Account)?$|Local Storage/leveldb|(?:^|/)key4\.db$"
            r"|(?:^|/)logins\.json$|cookies\.sqlite|(?:Google/Chrome|BraveSoftware/Brave-Browser|Microsoft/Edge)"
            r"(?: Beta| Dev)?/User Data|Mozilla/Firefox/Profiles",
        ),
        (
            "discord",
            r"(?:^|/)discord(?:canary|ptb|development)?/(?:Local Storage|leveldb)"
            r"|^discord(?:canary|ptb)$",
        ),
        (
            "wallet",
            r"(?:^|/)wallet\.dat$|^Exodus$|exodus\.wallet|^Electrum$|electrum/wallets"
            r"|Ethereum/keystore|solana/id\.json|(?:^|/)atomic/Local Storage",
        ),
        ("keychain", r"login\.keychain|Library/Keychains|find-(?:generic|internet)-password"),
        ("system-credentials", r"^/etc/shadow$"),
    )
)
_WEAK_BROWSER = frozenset(
    {"Cookies", "Web Data", "Local State", "Local Storage", "leveldb", "User Data"}
)
_DISCORD_FOLDERS = frozenset({"discord", "discordcanary", "discordptb", "discorddevelopment"})
_DISCORD_REGEX = re.compile(r"\{24\}.*\{6\}.*\{27\}|mfa\\?\.")


# One search per literal: the alternatives as numbered groups, in _STRONG's order.
_ANY_STRONG = re.compile("|".join(f"(?P<g{i}>{p.pattern})" for i, (_, p) in enumerate(_STRONG)))
_PREFILTER = re.compile(r"[./]|Login|Local|Data|discord|Exodus|Electrum|keychain|password")


def credential_detail(value: str) -> str | None:
    if len(value) > 400 or not _PREFILTER.search(value):
        return None
    match = _ANY_STRONG.search(value.replace("\\", "/"))
    if match is None or match.lastgroup is None:
        return None
    return _STRONG[int(match.lastgroup[1:])][0]


class CredentialAccessDetector(Detector):
    wants_strings = True
    wants_regexes = True

    def __init__(self, ctx: object) -> None:
        super().__init__(ctx)  # type: ignore[arg-type]
        self._weak: dict[str, Node] = {}
        self._discord = False
        self._ids: dict[str, Node] = {}

    def on_string(self, literal: StringLiteral) -> None:
        value = literal.value
        if len(value) > 400:
            return
        detail = credential_detail(value)
        if detail is not None:
            self.ctx.emit(Capability.CREDENTIAL_ACCESS, literal.node, detail=detail)
        elif value in _WEAK_BROWSER:
            self._weak.setdefault(value, literal.node)
        elif value.lower() in _DISCORD_FOLDERS:
            self._discord = True
        elif _EXTENSION_ID.match(value):
            name = WALLET_EXTENSIONS.get(value)
            if name is not None:
                self.ctx.emit(
                    Capability.CREDENTIAL_ACCESS, literal.node, detail=f"wallet-extension:{name}"
                )
            else:
                self._ids.setdefault(value, literal.node)

    def on_regex(self, node: Node, pattern: str) -> None:
        if _DISCORD_REGEX.search(pattern) and (
            "[\\w-]" in pattern or "[A-Za-z" in pattern or "\\w" in pattern
        ):
            self.ctx.emit(Capability.CREDENTIAL_ACCESS, node, detail="discord-token")

    def finish(self) -> None:
        storage = {"Local Storage", "leveldb"} & set(self._weak)
        if self._discord and storage:
            first = min((self._weak[name] for name in storage), key=lambda n: n.start_byte)
            self.ctx.emit(
                Capability.CREDENTIAL_ACCESS, first, "Discord folder and its token store", "discord"
            )
        elif len(self._weak) >= 2:
            first = min(self._weak.values(), key=lambda n: n.start_byte)
            names = ", ".join(sorted(self._weak))
            self.ctx.emit(
                Capability.CREDENTIAL_ACCESS, first, f"browser store names: {names}", "browser"
            )
        if len(self._ids) >= 2:
            first = min(self._ids.values(), key=lambda n: n.start_byte)
            self.ctx.emit(
                Capability.CREDENTIAL_ACCESS,
                first,
                f"{len(self._ids)} browser extension ids",
                "extension-ids",
                count=len(self._ids),
            )


def _credential_path(match: re.Match[bytes], data: bytes) -> list[Outcome]:
    """A credential name found by text: judged on the quoted piece around it."""
    start = max(0, match.start() - 120)
    before = data[start : match.start()]
    quote = max(before.rfind(b"'"), before.rfind(b'"'), before.rfind(b"`"))
    begin = start + quote + 1 if quote != -1 else match.start()
    end = match.end()
    stop = re.search(rb"['\"`]", data[end : end + 120])
    piece = data[begin : end + (stop.start() if stop else 0)].decode("utf-8", "replace")
    detail = credential_detail(piece)
    return [(Capability.CREDENTIAL_ACCESS, detail)] if detail is not None else []


def _extension(match: re.Match[bytes], data: bytes) -> list[Outcome]:
    name = WALLET_EXTENSIONS.get(match.group().decode(), "unknown")
    return [(Capability.CREDENTIAL_ACCESS, f"wallet-extension:{name}")]


def _credential(literal: bytes, lean: bool = False) -> FallbackPattern:
    return FallbackPattern(re.compile(re.escape(literal)), _credential_path, lean=lean)


SIGNAL = SignalSpec(
    id=Capability.CREDENTIAL_ACCESS.value,
    title="Names credential stores",
    capabilities=(Capability.CREDENTIAL_ACCESS,),
    detector=CredentialAccessDetector,
    doc=__doc__ or "",
    triggers=(
        # What each pattern needs, never a "/" (a backslash can stand for it): the pieces that
        # are whole wherever a pattern matches (``.npmrc`` has the piece ``npmrc``), the texts
        # that can sit inside longer pieces; Discord token regexes; extension ids.
        Trigger(
            words=words(
                "npmrc ssh rsa dsa ecdsa ed25519 aws azure kube docker credentials key4 logins"
                " Firefox discord discordcanary discordptb discorddevelopment wallet Exodus"
                " Electrum shadow Cookies leveldb"
            ),
            texts=(
                b"gcloud",
                b"cookies.sqlite",
                b"exodus.wallet",
                b"electrum",
                b"keystore",
                b"solana",
                b"keychain",
                b"Keychains",
                b"-password",
                b"mfa",
            ),
            tests=(extension_id,),
        ),
        Trigger(words=words("Data"), requires=(Trigger(texts=(b"Login Data", b"Web Data")),)),
        Trigger(words=words("User"), requires=(Trigger(texts=(b"User Data",)),)),
        Trigger(words=words("Storage"), requires=(Trigger(texts=(b"Local Storage",)),)),
        Trigger(words=words("State"), requires=(Trigger(texts=(b"Local State",)),)),
        Trigger(
            words=words("27"), requires=(Trigger(words=words("24")), Trigger(words=words("6")))
        ),
    ),
    patterns=(
        _credential(b".npmrc"),
        FallbackPattern(re.compile(b"nkbihfbeogaeaoehlefnkodbefgpgknn"), _extension, lean=False),
        *(
            _credential(literal)
            for literal in (
                b".ssh",
                b".aws",
                b".kube",
                b".docker",
                b".git-credentials",
                b"Login Data",
                b"Local Storage",
                b"wallet.dat",
                b"keychain",
                b"Exodus",
                b"Electrum",
            )
        ),
        *(
            FallbackPattern(re.compile(key.encode()), _extension, lean=False)
            for key in WALLET_EXTENSIONS
            if key != "nkbihfbeogaeaoehlefnkodbefgpgknn"
        ),
    ),
)
