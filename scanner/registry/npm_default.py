"""npm's built-in default registry, asked of npm itself (``npm config get registry``).

Only asked when no configuration layer names a registry. Its answer then depends on nothing but
the npm installation, while starting node costs a few hundred milliseconds on every scan, so the
answer is cached keyed by the npm executable's real path and mtime.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from scanner.errors import RegistryError

NPM_CONFIG_TIMEOUT_SECONDS = 15.0
_HINT = "pass --registry or set `registry=` in an .npmrc"


def npm_default_registry(
    project_dir: Path | None,
    env: Mapping[str, str],
    cache_file: Path | None,
    validate: Callable[[str], str],
) -> str:
    """The registry npm reports, checked by ``validate`` before it is cached or returned.

    ``project_dir`` is where npm runs; ``None`` runs it in an empty folder, so that npm does not
    read a project ``.npmrc`` depscan was told not to trust.
    """
    search_path = env.get("PATH")
    npm = shutil.which("npm", path=search_path) if search_path else None
    key = None
    if npm is not None and cache_file is not None:
        real = os.path.realpath(npm)
        with contextlib.suppress(OSError):
            key = f"{real}:{os.stat(real).st_mtime_ns}"
    if key is not None and cache_file is not None:
        with contextlib.suppress(OSError, ValueError, RecursionError):
            cached = json.loads(cache_file.read_text(encoding="utf-8"))
            if isinstance(cached, dict) and isinstance(cached.get(key), str):
                return validate(str(cached[key]))
    if project_dir is None:
        with tempfile.TemporaryDirectory(prefix="depscan-npm-") as neutral:
            value = validate(_npm_config_get_registry(npm, Path(neutral), env))
    else:
        value = validate(_npm_config_get_registry(npm, project_dir, env))
    if key is not None and cache_file is not None:
        with contextlib.suppress(OSError):
            cache_file.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_text(json.dumps({key: value}), encoding="utf-8")
            os.replace(tmp, cache_file)
    return value


def _npm_config_get_registry(npm: str | None, cwd: Path, env: Mapping[str, str]) -> str:
    """Ask npm for its registry: the last resort, which also knows npm's built-in default."""
    if npm is None:
        raise RegistryError(
            f"could not determine the npm registry: npm is not on PATH; {_HINT}",
            subject="registry",
        )
    try:
        completed = subprocess.run(
            [npm, "config", "get", "registry"],
            cwd=cwd,
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=NPM_CONFIG_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise RegistryError(
            f"could not determine the npm registry: `npm config get registry` timed out; {_HINT}",
            subject="registry",
        ) from None
    except OSError as exc:
        raise RegistryError(
            f"could not determine the npm registry: cannot run npm ({exc.strerror}); {_HINT}",
            subject="registry",
        ) from None
    value = completed.stdout.strip().splitlines()[-1].strip() if completed.stdout.strip() else ""
    if completed.returncode != 0 or not value or value in ("undefined", "null"):
        raise RegistryError(
            f"could not determine the npm registry: `npm config get registry` failed "
            f"(exit {completed.returncode}); {_HINT}",
            subject="registry",
        )
    return value
