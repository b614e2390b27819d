"""The project stands on its own: nothing run by the tests opens a file beside the repository.

A user's clone has nothing next to it, so a test that reads `../something` passes here and fails
there. An audit hook (PEP 578) sees every `open()` of this process: a path inside the repository's
parent folder but outside the repository is refused on the spot, naming the path, unless it lies in a
place every machine has (the interpreter, the temporary folder, caches in the home folder).
`tests/unit/test_self_contained.py` checks the hook and scans the tracked files for machine paths.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _allowed_prefixes() -> tuple[str, ...]:
    home = Path.home()
    places = {
        str(ROOT),
        tempfile.gettempdir(),
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        *(p for p in sysconfig.get_paths().values() if p),
        *(str(home / d) for d in (".cache", ".config", ".aws", ".local", ".pyenv", ".npm", ".hypothesis")),
        # what the system holds (time zones, certificates, mime types) when the clone sits right under /
        *("/etc", "/usr", "/proc", "/dev", "/sys", "/lib", "/lib64", "/run", "/var/lib", "/var/cache"),
    }
    return tuple(os.path.realpath(p) for p in places)


_OUTSIDE = os.path.realpath(ROOT.parent)
_ALLOWED = _allowed_prefixes()
_active = False


def _within(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip(os.sep) + os.sep)


def outside_repository(path: str) -> bool:
    """True for a path beside the repository (under its parent, outside it and every allowed place)."""
    real = os.path.realpath(path)
    return _within(real, _OUTSIDE) and not any(_within(real, p) for p in _ALLOWED)


def _audit(event: str, args: tuple[object, ...]) -> None:
    if not _active or event != "open" or not args:
        return
    path = args[0]
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if isinstance(path, str) and outside_repository(path):
        raise PermissionError(
            f"{path}: a test opened a file outside the repository ({ROOT}); a fresh clone has nothing "
            "beside it: copy what is needed into the project (see events/aws/README.md)"
        )


def install() -> None:
    """Refuse opens beside the repository from now on (an audit hook cannot be removed, only muted)."""
    global _active
    if not _active:
        sys.addaudithook(_audit)
        _active = True
