"""Which local days are holidays for a schedule: country calendars and the schedule's own dates.

Country (and subdivision) calendars come from the maintained ``holidays`` package (Japanese public
holidays are ``country: JP``), with observed and substitute days as the package gives them. It is
imported only when a schedule names a country: it costs tens of milliseconds, and cold start matters.

The holiday's name is read in one language chosen here, never from the machine's locale (the
package would otherwise follow LANG): the calendar's ``language`` if given, else English where the
country's calendar has it, else the country's own language.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from holidays import HolidayBase

ENGLISH = "en_US"


class CountryCalendarLike(Protocol):
    @property
    def country(self) -> str: ...
    @property
    def subdivision(self) -> str | None: ...
    @property
    def language(self) -> str | None: ...
    @property
    def categories(self) -> tuple[str, ...] | None: ...


def _package() -> Any:
    import holidays  # lazy on purpose (see the module docstring)

    return holidays


def supported_subdivisions(country: str) -> list[str] | None:
    """The country's subdivision codes, or None if the package has no calendar for the country."""
    found: dict[str, list[str]] = _package().list_supported_countries()
    return found.get(country)


def calendar_facts(country: str, subdivision: str | None) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """(supported languages, supported categories, default language) of a country's calendar."""
    calendar = _package().country_holidays(country, subdiv=subdivision)
    return (
        tuple(calendar.supported_languages),
        tuple(calendar.supported_categories),
        str(calendar.default_language or ""),
    )


@lru_cache(maxsize=64)
def _calendar(
    country: str, subdivision: str | None, language: str | None, categories: tuple[str, ...] | None
) -> HolidayBase:
    package = _package()
    if language is None:
        plain = package.country_holidays(country, subdiv=subdivision)
        language = ENGLISH if ENGLISH in plain.supported_languages else plain.default_language
    calendar: HolidayBase = package.country_holidays(
        country, subdiv=subdivision, language=language, categories=categories
    )
    return calendar


def country_holiday(calendars: Iterable[CountryCalendarLike], day: date) -> str | None:
    """The name of the holiday on ``day`` in the first calendar that has one, with its country."""
    for spec in calendars:
        calendar = _calendar(spec.country, spec.subdivision, spec.language, spec.categories)
        names = calendar.get_list(day)
        if names:
            where = f"{spec.country}-{spec.subdivision}" if spec.subdivision else spec.country
            return f"{'; '.join(names)} ({where})"
    return None
