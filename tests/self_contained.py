"""The project stands on its own: nothing run by the tests opens a file beside the repository.

A user's clone has nothing next to it, so a test that reads `../something` passes here and fails
there. An audit hook (PEP 578) sees every `open()` of this process: a path inside the repository's
parent folder but outside the repository is refused on the spot, naming the path, unless it lies in a
place every machine has (the interpreter, the temporary folder, caches in the home folder).

When the clone itself sits in the temporary folder (`git clone ... /tmp/x`), allowing that whole
folder would allow every sibling of the repository too. Then only what the tests make there is
allowed: pytest's own folders, and every folder or file this process created (the audit events for
mkdir, rename and an open that creates).
`tests/unit/test_self_contained.py` checks the hook and scans the tracked files for machine paths.
"""

from __future__ import annotations

import getpass
import os
import sys
import sysconfig
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


_TEMP = os.path.realpath(tempfile.gettempdir())


def _within(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix.rstrip(os.sep) + os.sep)


# True when the repository's parent is inside the temporary folder, as for a clone made in /tmp.
_CLONE_IN_TEMP = _within(os.path.realpath(ROOT.parent), _TEMP)


def _allowed_prefixes() -> tuple[str, ...]:
    home = Path.home()
    places = {
        str(ROOT),
        *((os.path.join(_TEMP, f"pytest-of-{_user()}"),) if _CLONE_IN_TEMP else (_TEMP,)),
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        *(p for p in sysconfig.get_paths().values() if p),
        *(str(home / d) for d in (".cache", ".config", ".aws", ".local", ".pyenv", ".npm", ".hypothesis")),
        # what the system holds (time zones, certificates, mime types) when the clone sits right under /
        *("/etc", "/usr", "/proc", "/dev", "/sys", "/lib", "/lib64", "/run", "/var/lib", "/var/cache"),
    }
    return tuple(os.path.realpath(p) for p in places)


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name (a container's bare uid): pytest falls back the same way
        return "unknown"


_OUTSIDE = os.path.realpath(ROOT.parent)
_ALLOWED = _allowed_prefixes()
_created: set[str] = set()
_active = False


def outside_repository(path: str) -> bool:
    """True for a path beside the repository (under its parent, outside it and every allowed place)."""
    real = os.path.realpath(path)
    if not _within(real, _OUTSIDE) or any(_within(real, p) for p in _ALLOWED):
        return False
    return not any(_within(real, p) for p in _created)


def _text(path: object) -> str | None:
    if isinstance(path, bytes):
        return os.fsdecode(path)
    if isinstance(path, (str, os.PathLike)):
        return os.fspath(path)
    return None


def _creates(args: tuple[object, ...]) -> bool:
    """An open that makes the file: a write, exclusive or append mode, or O_CREAT in its flags."""
    mode = args[1] if len(args) > 1 else None
    flags = args[2] if len(args) > 2 else 0
    return (isinstance(mode, str) and any(c in mode for c in "wxa")) or (
        isinstance(flags, int) and bool(flags & os.O_CREAT)
    )


def _remember(path: str | None) -> None:
    """Allows a path this process is about to make; one that exists already stays as it was."""
    if _CLONE_IN_TEMP and path is not None and not os.path.lexists(path):
        _created.add(os.path.realpath(path))


def _audit(event: str, args: tuple[object, ...]) -> None:
    if not _active or not args:
        return
    if event == "os.mkdir":
        _remember(_text(args[0]))
        return
    if event == "os.rename" and len(args) > 1:
        _remember(_text(args[1]))
        return
    if event != "open":
        return
    path = _text(args[0])
    if path is None:
        return
    if _creates(args) and not os.path.lexists(path):
        _remember(path)
        return
    if outside_repository(path):
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
