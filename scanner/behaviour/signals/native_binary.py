"""Native binaries: executables and shared libraries shipped in the package.

Detects files whose first bytes are an ELF, Mach-O (thin or universal) or PE header, and
``.node`` addons; ``detail``: the format (``ELF``, ``Mach-O``, ``PE``, ``node-addon``). Found
from bytes, not by parsing (``Method.BYTES``); listed in ``PackageProfile.binaries`` too.

Why: a binary is opaque to every code signal; a package that never had one and now ships one
deserves a human look. Platform packages (``os``/``cpu`` in package.json, like
``@esbuild/linux-x64``) exist to ship one, which the verdict reads from ManifestFacts.

Ignores: WebAssembly (it runs inside the JavaScript sandbox), images, fonts and other data;
a PE header (``MZ``) in a file that is otherwise text.
"""

from __future__ import annotations

from scanner.behaviour.model import Capability
from scanner.behaviour.signals.base import SignalSpec

_MAGIC = (
    (b"\x7fELF", "ELF"),
    (b"\xcf\xfa\xed\xfe", "Mach-O"),
    (b"\xce\xfa\xed\xfe", "Mach-O"),
    (b"\xfe\xed\xfa\xcf", "Mach-O"),
    (b"\xfe\xed\xfa\xce", "Mach-O"),
    (b"\xca\xfe\xba\xbe", "Mach-O"),
    (b"MZ", "PE"),
)


def native_kind(path: str, data: bytes) -> str | None:
    for magic, label in _MAGIC:
        if data.startswith(magic):
            if label == "PE" and b"\0" not in data[:1024]:
                continue  # a text file that happens to start with "MZ"
            # Java class files share the universal magic; their next word is a class-file
            # version (45 and up), a fat binary's is an architecture count below 32.
            if magic == b"\xca\xfe\xba\xbe" and int.from_bytes(data[4:8], "big") >= 32:
                continue
            return label
    if path.endswith(".node"):
        return "node-addon"
    return None


SIGNAL = SignalSpec(
    id=Capability.NATIVE_BINARY.value,
    title="Ships a native binary",
    capabilities=(Capability.NATIVE_BINARY,),
    detector=None,
    doc=__doc__ or "",
)
