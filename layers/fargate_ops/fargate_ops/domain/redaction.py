"""What may leave the deploy engine: environment variable names and a short hash, never their values;
never a task token.

A deploy's ``change.environment`` can carry secrets (people put passwords in plain environment
variables, whatever the docs say). The values go where they must, green's task definition; everything
people and logs read (the SNS notification, the deploy record, log lines) gets ``sha256:<12 hex>`` in
their place: enough to tell whether two deploys set the same value, not to read it. A short unsalted
hash of a guessable value (``on``, ``1``) can be guessed back: the hash is for comparing, not hiding.
A removal (``null``) stays ``null``.

Task tokens answer a waiting execution (anyone holding one can fail or resume a deploy): they stay in
the table, where the operator controls read them, and out of every log line.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

FINGERPRINT_HEX_DIGITS = 12
REDACTED = "(redacted)"
TOKEN_KEYS = frozenset({"task_token", "taskToken", "token"})
ENVIRONMENT_KEY = "environment"


def fingerprint(value: str) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:FINGERPRINT_HEX_DIGITS]
    return f"sha256:{digest}"


def _environment(value: Any) -> Any:
    """A deploy's ``{container: {NAME: value}}`` or ECS's ``[{name, value}]``, values hashed."""
    if isinstance(value, Mapping):
        return {
            k: _environment(v) if isinstance(v, Mapping) else (None if v is None else fingerprint(str(v)))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [
            {**v, "value": fingerprint(str(v["value"]))} if isinstance(v, Mapping) and "value" in v else v
            for v in value
        ]
    return value


def redacted_change(change: Mapping[str, Any]) -> dict[str, Any]:
    """A deploy's ``change`` as people may read it: images and task definition as given, env hashed."""
    shown = dict(change)
    if shown.get(ENVIRONMENT_KEY) is not None:
        shown[ENVIRONMENT_KEY] = _environment(shown[ENVIRONMENT_KEY])
    return shown


def redacted(payload: Any) -> Any:
    """Any payload (an event, a deploy document) fit for a log line: environments hashed, tokens gone."""
    if isinstance(payload, Mapping):
        return {
            k: REDACTED
            if k in TOKEN_KEYS and v is not None
            else _environment(v)
            if k == ENVIRONMENT_KEY
            else redacted(v)
            for k, v in payload.items()
        }
    if isinstance(payload, list):
        return [redacted(v) for v in payload]
    return payload
