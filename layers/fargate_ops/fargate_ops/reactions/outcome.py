"""What a reaction did with an event: acted, ignored (and why), or a duplicate of one already handled.

The handler's result, its log line and its metric (EventActed, EventIgnored, EventDuplicate) come from
this one type; ``str(outcome)`` is the text people and scenario reports read ("ignored: normal stop",
"crash loop: wait failed", "duplicate"), and ``Outcome.parse`` reads such a text back.
"""

from __future__ import annotations

from enum import StrEnum

from fargate_ops.frozen import frozen

IGNORED_PREFIX = "ignored"


class OutcomeKind(StrEnum):
    ACTED = "acted"
    IGNORED = "ignored"
    DUPLICATE = "duplicate"


@frozen
class Outcome:
    kind: OutcomeKind
    text: str  # what was done, or why nothing was

    @classmethod
    def acted(cls, text: str) -> Outcome:
        return cls(OutcomeKind.ACTED, text)

    @classmethod
    def ignored(cls, why: str = "") -> Outcome:
        return cls(OutcomeKind.IGNORED, why)

    @classmethod
    def duplicate(cls, text: str = "duplicate") -> Outcome:
        """An event handled before (a redelivery, or an older version of a task's state)."""
        return cls(OutcomeKind.DUPLICATE, text)

    @property
    def acted_on(self) -> bool:
        return self.kind is OutcomeKind.ACTED

    def __str__(self) -> str:
        if self.kind is OutcomeKind.IGNORED:
            return f"{IGNORED_PREFIX}: {self.text}" if self.text else IGNORED_PREFIX
        return self.text

    @classmethod
    def parse(cls, text: str) -> Outcome:
        """The outcome a handler result's text stands for (the scenario runner and the bench read them)."""
        if text == IGNORED_PREFIX or text.startswith(f"{IGNORED_PREFIX}: "):
            why = text.removeprefix(IGNORED_PREFIX).removeprefix(": ")
            if why in DUPLICATE_REASONS:
                return cls.duplicate(text)
            return cls.ignored(why)
        if text == "duplicate":
            return cls.duplicate()
        return cls.acted(text)


# The watch side says "ignored: duplicate event" / "ignored: stale event" for what it had seen already.
DUPLICATE_REASONS = frozenset({"duplicate event", "stale event"})
