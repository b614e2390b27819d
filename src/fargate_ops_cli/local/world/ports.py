"""What the world simulator needs from the runtime, as Protocols (tests pass tiny fakes).

The runtime's VirtualClock and EventBus satisfy these; nothing here imports them, so the simulator can
be driven by any clock that runs timers in (time, sequence) order on one thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class Clock(Protocol):
    """Virtual time. Timers run on one driver thread in (time, sequence) order; nothing sleeps."""

    def now(self) -> float:
        """Virtual epoch seconds."""
        ...

    def call_at(self, t: float, fn: Callable[[], None], label: str) -> Any: ...

    def call_later(self, dt: float, fn: Callable[[], None], label: str) -> Any: ...


class EventSink(Protocol):
    """The default event bus: the runtime wraps `detail` in an EventBridge envelope and delivers it."""

    def emit(self, source: str, detail_type: str, detail: dict[str, Any], resources: list[str]) -> Any: ...


ClientFactory = Callable[[str], Any]
"""`client("ecs")` -> a boto3 client bound to the mocked account and region."""
