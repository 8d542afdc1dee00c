"""The benchmark's own on-disk cache: trimmed package documents and verified tarballs.

It lives outside the repository (``$DEPSCAN_DETECTION_CACHE``, default
``~/.cache/depscan-detection``) so that re-runs are offline and fast. Tarballs are stored under
the hex of their sha512 and checked again on every read; documents are the trimmed form depscan's
registry client keeps (:func:`scanner.registry.trim.packument_to_document`), read back with
:func:`scanner.registry.trim.trim_packument`. Unlike the scanner's size-capped cache, nothing here
is ever evicted, so a complete cache stays complete.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from urllib.parse import quote

from scanner.errors import TarballError
from scanner.registry.packument import Packument
from scanner.registry.tarball_hash import expected_digest
from scanner.registry.trim import NotAPackument, packument_to_document, trim_packument

ENV_VARIABLE = "DEPSCAN_DETECTION_CACHE"


def default_root() -> Path:
    configured = os.environ.get(ENV_VARIABLE)
    return Path(configured) if configured else Path.home() / ".cache" / "depscan-detection"


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)


class Store:
    def __init__(self, root: Path | None = None) -> None:
        self.root = root or default_root()

    # -- package documents -----------------------------------------------------------------

    def _document_path(self, name: str) -> Path:
        return self.root / "packuments" / f"{quote(name, safe='@')}.json"

    def packument(self, name: str) -> Packument | None:
        path = self._document_path(name)
        try:
            return trim_packument(json.loads(path.read_text(encoding="utf-8")), name)
        except (OSError, ValueError, NotAPackument):
            return None

    def has_packument(self, name: str) -> bool:
        return self._document_path(name).is_file()

    def put_packument(self, packument: Packument) -> None:
        text = json.dumps(packument_to_document(packument), separators=(",", ":"))
        _write_atomic(self._document_path(packument.name), text.encode("utf-8"))

    # -- tarballs --------------------------------------------------------------------------

    def _tarball_path(self, integrity: str | None, shasum: str | None) -> Path | None:
        expected = expected_digest(integrity, shasum)
        if expected is None:
            return None
        return self.root / "tarballs" / f"{expected.algorithm}-{expected.digests[0].hex()}.tgz"

    def tarball(self, integrity: str | None, shasum: str | None, subject: str) -> bytes | None:
        """The stored tarball, verified against its hash again; None when it is not stored."""
        path = self._tarball_path(integrity, shasum)
        if path is None or not path.is_file():
            return None
        data = path.read_bytes()
        expected = expected_digest(integrity, shasum)
        if expected is None or not expected.matches(data):
            path.unlink(missing_ok=True)
            raise TarballError("cached tarball no longer matches its hash (removed)", subject)
        return data

    def has_tarball(self, integrity: str | None, shasum: str | None) -> bool:
        path = self._tarball_path(integrity, shasum)
        return path is not None and path.is_file()

    def put_tarball(self, integrity: str | None, shasum: str | None, data: bytes) -> None:
        path = self._tarball_path(integrity, shasum)
        if path is not None:
            _write_atomic(path, data)

    # -- upgrade pull requests -------------------------------------------------------------

    def pr_folder(self, key: str) -> Path:
        return self.root / "prs" / re.sub(r"[^\w.-]+", "_", key)
