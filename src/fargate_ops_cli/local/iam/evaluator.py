"""A narrow evaluator of identity-based IAM policies, offline.

Why our own: no maintained Python library evaluates a request against policies with conditions offline.
moto's access control checks actions only (no resources, no conditions); policyuniverse matches actions
and ARNs but evaluates no condition; principalmapper's local simulation has not been released since
2022; the maintained simulator (@cloud-copilot/iam-simulate) is a Node library, and the local runtime is
a Python product feature. So this module implements the documented evaluation logic for what one role's
identity policies can express, and nothing more (no resource policies, boundaries, SCPs or sessions):

- an explicit Deny in any statement that applies wins; otherwise some Allow must apply (implicit deny);
- actions match case-insensitively with `*` and `?`; NotAction / NotResource invert the match;
- resources are ARNs compared segment by segment (partition, service, region, account, resource); a
  wildcard stays inside its segment, except a `*` that ends a segment, which may run past colons
  (`function:name*` covers `function:name:alias`); an action with no resource type authorises on `*`,
  which only a `*` in the policy matches;
- a statement's conditions all hold (AND across operators and keys, OR across a key's values); a key
  missing from the request makes a condition false, except for the negated operators (StringNotEquals,
  ArnNotLike...), `...IfExists`, `Null`, and `ForAllValues:` (vacuously true);
- operators: String(Not)Equals(IgnoreCase), String(Not)Like, Arn(Not)Equals, Arn(Not)Like, Bool,
  Null, Numeric*; with ForAnyValue: / ForAllValues: and the IfExists suffix. Any other operator is
  refused (PolicyDocumentError) rather than guessed.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fargate_ops_cli.local.iam.policy import (
    AuthRequest,
    Condition,
    ContextValue,
    PolicyDocumentError,
    Statement,
    StatementRef,
)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    explicit_deny: bool
    statements: tuple[StatementRef, ...]  # the Allows that apply (allowed) or the Denies that did


def evaluate(statements: Sequence[Statement], request: AuthRequest) -> Decision:
    allows: list[StatementRef] = []
    denies: list[StatementRef] = []
    context = request.context_dict()
    for statement in statements:
        if applies(statement, request.action, request.resource, context):
            (denies if statement.effect == "Deny" else allows).append(statement.ref)
    if denies:
        return Decision(False, True, tuple(denies))
    return Decision(bool(allows), False, tuple(allows))


def applies(statement: Statement, action: str, resource: str, context: dict[str, ContextValue]) -> bool:
    if statement.not_actions is not None:
        if any(action_matches(p, action) for p in statement.not_actions):
            return False
    elif not any(action_matches(p, action) for p in statement.actions):
        return False
    if statement.not_resources is not None:
        if any(arn_matches(p, resource) for p in statement.not_resources):
            return False
    elif not any(arn_matches(p, resource) for p in statement.resources):
        return False
    return all(condition_holds(c, context) for c in statement.conditions)


# -- wildcards ---------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=4096)
def _wildcard(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def string_like(pattern: str, value: str, ignore_case: bool = False) -> bool:
    return _wildcard(pattern, ignore_case).fullmatch(value) is not None


def action_matches(pattern: str, action: str) -> bool:
    return string_like(pattern, action, ignore_case=True)


@functools.lru_cache(maxsize=4096)
def _resource_wildcard(pattern: str) -> re.Pattern[str]:
    parts = []
    for i, ch in enumerate(pattern):
        if ch == "*":
            ends_segment = i + 1 == len(pattern) or pattern[i + 1] == ":"
            parts.append(".*" if ends_segment else "[^:]*")
        elif ch == "?":
            parts.append("[^:]")
        else:
            parts.append(re.escape(ch))
    return re.compile("".join(parts), re.DOTALL)


def arn_matches(pattern: str, arn: str) -> bool:
    """IAM's Resource and Arn* matching; case-sensitive, as ARNs are."""
    if pattern == "*":
        return True
    pattern_parts = pattern.split(":", 5)
    arn_parts = arn.split(":", 5)
    if len(pattern_parts) != 6 or len(arn_parts) != 6:
        return False
    for i, (want, got) in enumerate(zip(pattern_parts, arn_parts, strict=True)):
        if i < 5:
            if not string_like(want, got):
                return False
        elif _resource_wildcard(want).fullmatch(got) is None:
            return False
    return True


# -- conditions --------------------------------------------------------------------------------------

_Compare = Callable[[str, str], bool]


def _numeric(test: Callable[[float, float], bool]) -> _Compare:
    def compare(policy: str, value: str) -> bool:
        try:
            return test(float(value), float(policy))
        except ValueError:
            return False

    return compare


# operator -> (compare(policy value, request value), negated)
_OPERATORS: dict[str, tuple[_Compare, bool]] = {
    "StringEquals": (lambda p, v: p == v, False),
    "StringNotEquals": (lambda p, v: p == v, True),
    "StringEqualsIgnoreCase": (lambda p, v: p.lower() == v.lower(), False),
    "StringNotEqualsIgnoreCase": (lambda p, v: p.lower() == v.lower(), True),
    "StringLike": (lambda p, v: string_like(p, v), False),
    "StringNotLike": (lambda p, v: string_like(p, v), True),
    "ArnEquals": (arn_matches, False),
    "ArnLike": (arn_matches, False),
    "ArnNotEquals": (arn_matches, True),
    "ArnNotLike": (arn_matches, True),
    "Bool": (lambda p, v: p.lower() == v.lower(), False),
    "NumericEquals": (_numeric(lambda v, p: v == p), False),
    "NumericNotEquals": (_numeric(lambda v, p: v == p), True),
    "NumericLessThan": (_numeric(lambda v, p: v < p), False),
    "NumericLessThanEquals": (_numeric(lambda v, p: v <= p), False),
    "NumericGreaterThan": (_numeric(lambda v, p: v > p), False),
    "NumericGreaterThanEquals": (_numeric(lambda v, p: v >= p), False),
}


def condition_holds(condition: Condition, context: dict[str, ContextValue]) -> bool:
    operator = condition.operator
    qualifier = ""
    if ":" in operator:
        qualifier, operator = operator.split(":", 1)
        if qualifier not in ("ForAnyValue", "ForAllValues"):
            raise PolicyDocumentError(f"unknown condition set operator {condition.operator}")
    present = condition.key.lower() in context
    raw = context.get(condition.key.lower())
    values: tuple[str, ...] = () if raw is None else (raw,) if isinstance(raw, str) else raw

    if operator == "Null":
        if qualifier:
            raise PolicyDocumentError(f"{condition.operator}: Null takes no set operator")
        wants_missing = {v.lower() for v in condition.values} == {"true"}
        return (not present) == wants_missing

    if_exists = operator.endswith("IfExists")
    operator = operator.removesuffix("IfExists")
    if operator not in _OPERATORS:
        raise PolicyDocumentError(f"condition operator {condition.operator} is not modelled")
    compare, negated = _OPERATORS[operator]

    def one(value: str) -> bool:
        matched = any(compare(p, value) for p in condition.values)
        return not matched if negated else matched

    if not present:
        if qualifier == "ForAllValues":
            return True
        return if_exists or (negated and not qualifier)
    if qualifier == "ForAllValues":
        return all(one(v) for v in values)
    if qualifier == "ForAnyValue":
        return any(one(v) for v in values)
    # A single-valued operator on a multivalued key: every value must pass for a negated operator
    # (none may match), any value for a positive one.
    return all(one(v) for v in values) if negated else any(one(v) for v in values)
