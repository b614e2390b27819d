"""`os.environ` for a process whose Lambda invocations run on several threads at once.

In Lambda each invocation has a process of its own, with its function's environment variables. Here
the handlers of several functions share one process, and with parallel deliveries they run at the
same time: swapping `os.environ` would let one read another's settings. `ThreadEnviron` stands in for
`os.environ` during a run: a thread running an invocation sees its function's variables over the
process's own (and writes only to its own); every other thread sees the process's environment.
Python's `os.getenv` reads `os.environ`, so it follows too; code that kept a reference to the original
mapping (`from os import environ`) does not, and nothing the application imports does that.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator, Mapping, MutableMapping
from typing import Any


class ThreadEnviron(MutableMapping[str, str]):
    def __init__(self, base: MutableMapping[str, str]) -> None:
        self.base = base
        self._local = threading.local()

    def _overlay(self) -> dict[str, str | None] | None:
        return getattr(self._local, "overlay", None)

    @contextlib.contextmanager
    def function_environment(self, env: Mapping[str, str]) -> Iterator[None]:
        """This thread sees `env` over the process's variables until the block ends (nests)."""
        previous = self._overlay()
        self._local.overlay = dict(env)
        try:
            yield
        finally:
            self._local.overlay = previous

    def __getitem__(self, key: str) -> str:
        overlay = self._overlay()
        if overlay is not None and key in overlay:
            value = overlay[key]
            if value is None:  # the invocation deleted it
                raise KeyError(key)
            return value
        return self.base[key]

    def __setitem__(self, key: str, value: str) -> None:
        overlay = self._overlay()
        if overlay is not None:
            overlay[key] = str(value)
        else:
            self.base[key] = value

    def __delitem__(self, key: str) -> None:
        overlay = self._overlay()
        if overlay is None:
            del self.base[key]
            return
        if key not in self:
            raise KeyError(key)
        overlay[key] = None

    def __iter__(self) -> Iterator[str]:
        overlay = self._overlay()
        if overlay is None:
            yield from self.base
            return
        for key in self.base:
            if key not in overlay:
                yield key
        for key, value in overlay.items():
            if value is not None:
                yield key

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def copy(self) -> dict[str, str]:
        return dict(self)

    def __repr__(self) -> str:
        return f"ThreadEnviron({dict(self)!r})"


@contextlib.contextmanager
def installed() -> Iterator[ThreadEnviron]:
    """`os.environ` is a ThreadEnviron over the real one for the block (the real one comes back)."""
    original: Any = os.environ
    if isinstance(original, ThreadEnviron):  # a runtime inside a runtime (tests): share it
        yield original
        return
    environ = ThreadEnviron(original)
    os.environ = environ  # type: ignore[assignment]  # noqa: B003 - on purpose: the real one stays beneath
    try:
        yield environ
    finally:
        os.environ = original  # noqa: B003
