"""Local wall-clock times of a schedule's timezone as instants, with the DST rules of docs/scaling.md.

- A local time that does not exist (the clock springs forward over it: 02:30 in America/New_York on
  2026-03-08) is the first instant after the gap (03:00 EDT, the instant of the change).
- A local time that occurs twice (the clock falls back: 01:30 on 2026-11-01) is its first
  occurrence (01:30 EDT; fold=0).

Both rules hold for every local time a schedule names: period begins and ends, one-off windows, and
the midnights that bound a holiday. Resolution is monotonic (a later wall time never maps to an
earlier instant), so a window never ends before it begins; a window whose begin and end both fall
in one gap is empty.

Time zones come from the IANA database through zoneinfo. The Lambda layer ships the ``tzdata``
package, since the Amazon Linux 2023 based runtimes do not promise a system zone database; the
list of valid names is tzdata's own, so a name is valid or not the same way on every machine
(a case-insensitive file system would otherwise accept ``asia/tokyo``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from importlib import resources
from zoneinfo import ZoneInfo

MIDNIGHT = time(0, 0)
# Instants a schedule is evaluated at: far enough from datetime's limits that a day either side exists.
EARLIEST = datetime(1900, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 1, 1, tzinfo=UTC)


@lru_cache(maxsize=1)
def zone_names() -> frozenset[str]:
    """Every IANA zone name tzdata knows (one small file: cheaper than zoneinfo.available_timezones)."""
    import tzdata  # the package, not the system's database: the same names on every machine

    text = resources.files(tzdata).joinpath("zones").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def zone(name: str) -> ZoneInfo:
    """The zone named ``name``; ValueError if it is not an IANA zone name."""
    if name not in zone_names():
        raise ValueError(f"{name!r} is not an IANA time zone")
    return ZoneInfo(name)


def check_instant(at: datetime, what: str = "instant") -> datetime:
    """``at`` in UTC; ValueError for a naive datetime (a schedule never guesses a timezone)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError(f"{what} {at.isoformat()} has no timezone: give an aware datetime (UTC)")
    utc = at.astimezone(UTC)
    if not EARLIEST <= utc < LATEST:
        raise ValueError(f"{what} {at.isoformat()} is outside the years 1900..9998")
    return utc


def _wall(instant: datetime, tz: ZoneInfo) -> datetime:
    return instant.astimezone(tz).replace(tzinfo=None, fold=0)


def to_instant(local: datetime, tz: ZoneInfo) -> datetime:
    """The UTC instant of the naive local wall time ``local`` in ``tz`` (see the module's rules)."""
    first = local.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if _wall(first, tz) == local:
        return first  # it exists; fold=0 is the first occurrence when it occurs twice
    # In a gap, fold=0 reads the time with the offset before the change (an instant after the gap)
    # and fold=1 with the offset after it (an instant before the gap). The change is between them, at
    # a whole second (tzdata's transitions are whole seconds): find the first second whose wall
    # time is past ``local``.
    low = int(local.replace(tzinfo=tz, fold=1).astimezone(UTC).timestamp())
    high = int(first.timestamp()) + 1
    while low < high:
        middle = (low + high) // 2
        if _wall(datetime.fromtimestamp(middle, UTC), tz) > local:
            high = middle
        else:
            low = middle + 1
    return datetime.fromtimestamp(low, UTC)


def at_local(day: date, clock: time, tz: ZoneInfo) -> datetime:
    return to_instant(datetime.combine(day, clock), tz)


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The first instant of local day ``day`` (after the gap, where midnight does not exist)."""
    return at_local(day, MIDNIGHT, tz)


def local_day(instant: datetime, tz: ZoneInfo) -> date:
    """The local day ``instant`` belongs to: the day D with day_start(D) <= instant < day_start(D + 1).

    The same as the wall-clock date except in zones whose clocks fall back across midnight, where
    the wall clock shows the previous date again for a while: the day has begun all the same.
    """
    day = instant.astimezone(tz).date()
    if instant < day_start(day, tz):
        return day - timedelta(days=1)
    if day < date.max and instant >= day_start(day + timedelta(days=1), tz):
        return day + timedelta(days=1)
    return day
