"""IAM policy statements as the evaluator reads them, and what a request to authorise looks like."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ContextValue = str | tuple[str, ...]


class PolicyDocumentError(ValueError):
    """A policy document the evaluator cannot read (a shape IAM would refuse, or one it does not model)."""


@dataclass(frozen=True)
class StatementRef:
    """Where a statement comes from: the role's logical id, the policy's name, its index there, its Sid."""

    role: str
    policy: str
    index: int
    sid: str = ""

    @property
    def key(self) -> str:
        return f"{self.role}/{self.policy}#{self.index}"

    def __str__(self) -> str:
        return self.key + (f" ({self.sid})" if self.sid else "")


@dataclass(frozen=True)
class Condition:
    operator: str  # as written, e.g. "ForAnyValue:StringLikeIfExists"
    key: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class Statement:
    ref: StatementRef
    effect: str  # "Allow" or "Deny"
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] | None = None
    resources: tuple[str, ...] = ()
    not_resources: tuple[str, ...] | None = None
    conditions: tuple[Condition, ...] = ()

    @property
    def condition_keys(self) -> frozenset[str]:
        return frozenset(c.key.lower() for c in self.conditions)


@dataclass(frozen=True)
class AuthRequest:
    """One authorisation AWS makes for a call: the action, the resource ARN (or "*"), the context keys."""

    action: str
    resource: str
    context: tuple[tuple[str, ContextValue], ...] = field(default=())

    @staticmethod
    def of(action: str, resource: str, context: dict[str, ContextValue] | None = None) -> AuthRequest:
        # Condition key names are case-insensitive in IAM: keep them lower-cased, sorted (a cache key).
        items = tuple(sorted((k.lower(), v) for k, v in (context or {}).items()))
        return AuthRequest(action, resource, items)

    def context_dict(self) -> dict[str, ContextValue]:
        return dict(self.context)

    def with_context(self, extra: dict[str, ContextValue]) -> AuthRequest:
        return AuthRequest.of(self.action, self.resource, {**self.context_dict(), **extra})


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str | bool | int) for v in value):
        return tuple(str(v).lower() if isinstance(v, bool) else str(v) for v in value)
    if isinstance(value, bool):
        return (str(value).lower(),)
    if isinstance(value, int):
        return (str(value),)
    raise PolicyDocumentError(f"{where}: expected a string or a list of strings, got {value!r}")


def parse_statements(document: dict[str, Any], role: str, policy: str) -> list[Statement]:
    raw = document.get("Statement", [])
    raw_list = [raw] if isinstance(raw, dict) else list(raw)
    statements = []
    for index, item in enumerate(raw_list):
        ref = StatementRef(role, policy, index, str(item.get("Sid", "")))
        effect = item.get("Effect")
        if effect not in ("Allow", "Deny"):
            raise PolicyDocumentError(f"{ref}: Effect must be Allow or Deny, got {effect!r}")
        if ("Action" in item) == ("NotAction" in item):
            raise PolicyDocumentError(f"{ref}: exactly one of Action and NotAction")
        if ("Resource" in item) == ("NotResource" in item):
            raise PolicyDocumentError(f"{ref}: exactly one of Resource and NotResource")
        conditions = []
        for operator, keys in (item.get("Condition") or {}).items():
            if not isinstance(keys, dict):
                raise PolicyDocumentError(f"{ref}: Condition {operator} must map keys to values")
            for key, values in keys.items():
                conditions.append(Condition(operator, key, _strings(values, f"{ref} {operator} {key}")))
        statements.append(
            Statement(
                ref=ref,
                effect=effect,
                actions=_strings(item["Action"], f"{ref} Action") if "Action" in item else (),
                not_actions=_strings(item["NotAction"], f"{ref} NotAction") if "NotAction" in item else None,
                resources=_strings(item["Resource"], f"{ref} Resource") if "Resource" in item else (),
                not_resources=(
                    _strings(item["NotResource"], f"{ref} NotResource") if "NotResource" in item else None
                ),
                conditions=tuple(conditions),
            )
        )
    return statements
