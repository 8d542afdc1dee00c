"""One reading of a registry or tarball URL, shared by the credential lookup and the request.

A URL that reaches the registry client comes from npm's configuration, from a registry's answer
or from a lockfile in a stranger's pull request. If the code that picks the credential and the HTTP
library that opens the connection read one string two ways, a URL such as
``http://HOST_B\\@HOST_A/`` gets HOST_A's token and is sent to HOST_B. So each URL is parsed once,
here, into a :class:`RegistryUrl`; the credential lookup reads its host, port and path, and the
request is sent to its canonical :attr:`RegistryUrl.url`, which the client checks the HTTP library
leaves unchanged. Anything this strict reading could be ambiguous about is refused, not guessed:
userinfo, backslashes, whitespace and control characters, non-ASCII text, percent-escapes or
numeric forms in the host, empty ports, dot segments in the path.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

MAX_URL_CHARS = 8192
DEFAULT_PORTS = {"http": 80, "https": 443}

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?")
_NUMERIC_LABEL = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)")
_DOTTED_QUAD_PART = re.compile(r"(?:0|[1-9][0-9]{0,2})")
_PORT = re.compile(r"[0-9]{1,5}")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
# RFC 3986 path and query characters (pchar, "/" and, in the query, "?"); "%" only as an escape.
_PATH_CHARS = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*")
_QUERY_CHARS = re.compile(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_LOOPBACK_NAMES = frozenset({"localhost"})


class UrlRefused(ValueError):
    """A URL depscan will not fetch; the message says why, without repeating the URL."""


@dataclass(frozen=True, slots=True)
class RegistryUrl:
    """An http(s) URL as depscan reads it, and exactly as it is sent."""

    scheme: str
    """``http`` or ``https``."""
    host: str
    """Lower case; an IPv6 address without its brackets."""
    port: int
    """The explicit port, else the scheme's default."""
    path: str
    """Starts with ``/``; percent-escapes normalised (unreserved characters decoded, hex digits
    in upper case), as the HTTP library would send it."""
    query: str = ""
    """Without the ``?``; empty when there is none. A fragment is never part of a request."""

    @property
    def authority(self) -> str:
        """``host[:port]``, the port left out when it is the scheme's default (as npm does)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    @property
    def origin(self) -> tuple[str, str, int]:
        return (self.scheme, self.host, self.port)

    @property
    def url(self) -> str:
        """The canonical text: what is handed to the HTTP library and used as a cache key."""
        query = f"?{self.query}" if self.query else ""
        return f"{self.scheme}://{self.authority}{self.path}{query}"

    @property
    def nerf_dart(self) -> str:
        """``//host[:port]/path``: the form npm keys credentials by (no scheme, no query)."""
        return f"//{self.authority}{self.path}"

    @property
    def is_loopback(self) -> bool:
        """The host is this machine by its literal name (``localhost``, 127.0.0.0/8, ``::1``).

        Decided from the text, never from DNS, so a name that merely resolves to 127.0.0.1 does
        not count.
        """
        if self.host in _LOOPBACK_NAMES:
            return True
        try:
            return ipaddress.ip_address(self.host).is_loopback
        except ValueError:
            return False

    def __str__(self) -> str:
        return self.url

    def resolve(self, reference: str) -> RegistryUrl:
        """The URL a ``Location`` header points at: absolute, or relative to this URL."""
        if _SCHEME.match(reference) or reference.startswith("//"):
            if reference.startswith("//"):
                reference = f"{self.scheme}:{reference}"
            return parse_url(reference)
        _check_characters(reference)
        if reference.startswith("/"):
            return parse_url(f"{self.scheme}://{self.authority}{reference}")
        if reference.startswith("?"):
            return parse_url(f"{self.scheme}://{self.authority}{self.path}{reference}")
        base = self.path.rsplit("/", 1)[0]
        return parse_url(f"{self.scheme}://{self.authority}{base}/{reference}")


def parse_url(text: str) -> RegistryUrl:
    """Read ``text`` as an http(s) URL, or raise :class:`UrlRefused` saying why."""
    if len(text) > MAX_URL_CHARS:
        raise UrlRefused(f"URL longer than {MAX_URL_CHARS} characters")
    _check_characters(text)
    scheme_match = _SCHEME.match(text)
    if scheme_match is None:
        raise UrlRefused("not an http(s) URL (no scheme)")
    scheme = scheme_match.group(1).lower()
    if scheme not in DEFAULT_PORTS:
        raise UrlRefused(f"not an http(s) URL (scheme {scheme!r})")
    rest = text[scheme_match.end() :]
    if not rest.startswith("//"):
        raise UrlRefused("no '//' after the scheme")
    rest = rest[2:]
    end = len(rest)
    for stop in "/?#":
        found = rest.find(stop)
        if found != -1:
            end = min(end, found)
    authority, rest = rest[:end], rest[end:]
    host, port = _parse_authority(authority, scheme)
    rest = rest.split("#", 1)[0]
    raw_path, _, raw_query = rest.partition("?")
    path = _normalise_path(raw_path or "/")
    if raw_query and not _QUERY_CHARS.fullmatch(raw_query):
        raise UrlRefused("characters a URL query may not hold unescaped")
    return RegistryUrl(scheme, host, port, path, _normalise_escapes(raw_query))


def normalise_nerf_dart(dart: str) -> str:
    """A configured ``//host[:port]/path`` key in the form :attr:`RegistryUrl.nerf_dart` takes.

    Host in lower case and percent-escapes normalised; anything that would not parse as a URL is
    returned unchanged, and so matches no URL.
    """
    if not dart.startswith("//"):
        return dart
    try:
        parsed = parse_url("https:" + dart)
    except UrlRefused:
        return dart
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host
    # The configured text decides whether a port is named; ``:443`` stays as written, as in npm.
    authority_text = dart[2:].split("/", 1)[0]
    if ":" in authority_text.rsplit("]", 1)[-1]:
        host = f"{host}:{parsed.port}"
    path = parsed.path if "/" in dart[2:] else ""
    return f"//{host}{path}"


def _check_characters(text: str) -> None:
    for char in text:
        code = ord(char)
        if code <= 0x20 or code == 0x7F:
            raise UrlRefused("whitespace or a control character in the URL")
        if code > 0x7E:
            raise UrlRefused("a non-ASCII character in the URL")
        if char == "\\":
            raise UrlRefused("a backslash in the URL (HTTP libraries disagree about where it ends "
                             "the host)")


def _parse_authority(authority: str, scheme: str) -> tuple[str, int]:
    if "@" in authority:
        raise UrlRefused("credentials (user:password@) in the URL's host part")
    if not authority:
        raise UrlRefused("no host")
    if authority.startswith("["):
        close = authority.find("]")
        if close == -1:
            raise UrlRefused("an IPv6 host without its closing ']'")
        literal, after = authority[1:close], authority[close + 1 :]
        if "%" in literal:
            raise UrlRefused("an IPv6 zone identifier in the host")
        try:
            host = str(ipaddress.IPv6Address(literal))
        except ValueError:
            raise UrlRefused("an invalid IPv6 address in the host") from None
        if after and not after.startswith(":"):
            raise UrlRefused("text after the IPv6 address in the host")
        port_text = after[1:] if after else None
    else:
        if "]" in authority or authority.count(":") > 1:
            raise UrlRefused("an IPv6 address must be in brackets")
        host, colon, port_text_raw = authority.partition(":")
        port_text = port_text_raw if colon else None
        host = _check_host(host.lower())
    port = DEFAULT_PORTS[scheme]
    if port_text is not None:
        if not _PORT.fullmatch(port_text) or not 0 < int(port_text) < 65536:
            raise UrlRefused("an empty or invalid port")
        port = int(port_text)
    return host, port


def _check_host(host: str) -> str:
    if "%" in host:
        raise UrlRefused("a percent-escape in the host")
    labels = host.split(".")
    if not host or not all(labels):
        raise UrlRefused("an empty label in the host (leading, trailing or doubled dot)")
    if not all(_HOST_LABEL.fullmatch(label) for label in labels):
        raise UrlRefused("characters a host name may not hold")
    if all(_NUMERIC_LABEL.fullmatch(label) for label in labels) or _NUMERIC_LABEL.fullmatch(
        labels[-1]
    ):
        # Resolvers read 0x7f.1, 2130706433 or 0177.0.0.1 as IPv4 addresses; only the plain
        # dotted-quad form says the same thing to everyone.
        if len(labels) != 4 or not all(_DOTTED_QUAD_PART.fullmatch(x) for x in labels):
            raise UrlRefused("a numeric host that is not a plain dotted-quad IPv4 address")
        if any(int(x) > 255 for x in labels):
            raise UrlRefused("an IPv4 address with a part over 255")
    return host


def _normalise_path(path: str) -> str:
    if not _PATH_CHARS.fullmatch(path):
        raise UrlRefused("characters a URL path may not hold unescaped")
    normalised = _normalise_escapes(path)
    if any(segment in (".", "..") for segment in normalised.split("/")):
        raise UrlRefused("a '.' or '..' segment in the path")
    return normalised


def _normalise_escapes(text: str) -> str:
    """Decode escapes of unreserved characters and upper-case the rest (RFC 3986, 6.2.2)."""
    if text.count("%") != len(_PERCENT.findall(text)):
        raise UrlRefused("a '%' that does not start a percent-escape")

    def normalise(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _PERCENT.sub(normalise, text)
