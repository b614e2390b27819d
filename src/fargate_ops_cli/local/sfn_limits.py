"""Step Functions' hard limits, in one place: the strict runtime enforces them, the report measures
against them and the scenario gate keeps every run well under them.

- 256 KiB (262,144 bytes of UTF-8) for a state's input or output, a task's result, a task token's
  output and an execution's input ("Quotas related to state machine executions");
- 25,000 events in one execution's history (a hard quota: event 25,000 must be ExecutionSucceeded,
  anything else fails the execution, "Avoid reaching the history quota").
"""

from __future__ import annotations

import json
from typing import Any, Final

PAYLOAD_LIMIT_BYTES: Final = 262_144
HISTORY_EVENT_LIMIT: Final = 25_000

# A scenario that uses more than this share of either limit fails its run: an input that grows with
# the number of steps, or one more retry loop, must not be what stands between a green run and AWS.
HEADROOM_SHARE: Final = 0.5
PAYLOAD_GATE_BYTES: Final = int(PAYLOAD_LIMIT_BYTES * HEADROOM_SHARE)
HISTORY_GATE_EVENTS: Final = int(HISTORY_EVENT_LIMIT * HEADROOM_SHARE)


def _default(value: Any) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def payload_bytes(value: Any) -> int:
    """The size Step Functions counts: the value as compact JSON, in UTF-8 (not \\u-escaped)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=_default)
    return len(text.encode("utf-8", "surrogatepass"))


def text_bytes(text: str) -> int:
    """The size of a payload that arrives as text (an API parameter such as StartExecution's input)."""
    return len(text.encode("utf-8", "surrogatepass"))


_PAYLOAD_FIELDS = ("input", "output", "parameters")


def largest_payload(history: list[dict[str, Any]]) -> int:
    """The largest payload an execution's history shows (state inputs and outputs, task parameters and
    results, the execution's input and output), measured as payload_bytes measures it."""
    largest = 0
    for event in history:
        for key, details in event.items():
            if not (key.endswith("EventDetails") and isinstance(details, dict)):
                continue
            for name in _PAYLOAD_FIELDS:
                text = details.get(name)
                if isinstance(text, str):
                    largest = max(largest, _recorded_bytes(text))
    return largest


def _recorded_bytes(text: str) -> int:
    # moto records some payloads with spaces and \u escapes: measure the value, not moto's spelling.
    try:
        return payload_bytes(json.loads(text))
    except ValueError:
        return text_bytes(text)
