"""Planning the deregistration of stale task definition revisions.

Safety first: a revision referenced by any service (any slot, any deployment, primary or draining)
is never planned for deregistration, whatever its age; the newest ``keep`` revisions of each family
stay too, so a rollback to a recent revision is always possible.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field

from fargate_ops.domain.services import task_definition_family, task_definition_revision

KEPT_RECENT = "among the newest {keep}"
KEPT_REFERENCED = "referenced by a service"


@dataclass(frozen=True, slots=True)
class FamilyPlan:
    family: str
    keep: dict[str, list[str]] = field(default_factory=dict)  # revision ARN -> reasons
    deregister: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "keep": [{"arn": arn, "reasons": reasons} for arn, reasons in self.keep.items()],
            "deregister": list(self.deregister),
        }


def _newest_first(revisions: Iterable[str]) -> list[str]:
    return sorted(set(revisions), key=task_definition_revision, reverse=True)


def plan_family(family: str, revisions: Iterable[str], referenced: Collection[str], keep: int) -> FamilyPlan:
    if keep < 1:
        raise ValueError("keep must be at least 1")
    plan = FamilyPlan(family)
    for position, arn in enumerate(_newest_first(revisions)):
        reasons = []
        if position < keep:
            reasons.append(KEPT_RECENT.format(keep=keep))
        if arn in referenced:
            reasons.append(KEPT_REFERENCED)
        if reasons:
            plan.keep[arn] = reasons
        else:
            plan.deregister.append(arn)
    return plan


def plan_cleanup(
    revisions_by_family: Mapping[str, Iterable[str]], referenced: Collection[str], keep: int
) -> dict[str, FamilyPlan]:
    return {
        family: plan_family(family, revisions, referenced, keep)
        for family, revisions in sorted(revisions_by_family.items())
    }


def families_of(task_definitions: Iterable[str]) -> set[str]:
    return {task_definition_family(arn) for arn in task_definitions if arn}
