"""The one time seam of the application.

Every timestamp, lease expiry and record time reads this module, never ``time`` or ``datetime.now``
directly, and every back-off sleeps through it: the local runtime replaces the source (and the sleep)
with its virtual clock so a scenario runs the same way every time.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

TimeSource = Callable[[], float]
Sleep = Callable[[float], None]
Jitter = Callable[[], float]

_time_source: TimeSource = time.time
_sleep: Sleep = time.sleep
_jitter: Jitter = random.random


def set_time_source(source: TimeSource | None) -> None:
    """Replace the time source (epoch seconds); ``None`` restores the real clock."""
    global _time_source
    _time_source = source if source is not None else time.time


def set_sleep(sleep_for: Sleep | None) -> None:
    """Replace how the application waits (a retry's back-off); ``None`` restores ``time.sleep``."""
    global _sleep
    _sleep = sleep_for if sleep_for is not None else time.sleep


def sleep(seconds: float) -> None:
    """Wait ``seconds`` (on the current sleep: real time in Lambda)."""
    _sleep(seconds)


def set_jitter(source: Jitter | None) -> None:
    """Replace where a back-off's randomness comes from; ``None`` restores ``random.random``."""
    global _jitter
    _jitter = source if source is not None else random.random


def jitter() -> float:
    """A random fraction in [0, 1) for a back-off (the local runtime seeds it, to replay a run)."""
    return _jitter()


def now_epoch() -> float:
    """Seconds since the epoch, from the current time source."""
    return _time_source()


def utcnow() -> datetime:
    """An aware UTC datetime, from the current time source."""
    return datetime.fromtimestamp(now_epoch(), tz=UTC)


def iso(epoch: float | None = None) -> str:
    """ISO 8601 UTC text (millisecond precision) for ``epoch``, or for now."""
    moment = datetime.fromtimestamp(now_epoch() if epoch is None else epoch, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str | None) -> float | None:
    """Epoch seconds of an ISO 8601 time (Step Functions' ``2019-03-26T20:14:13.192Z``), None if not one."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
