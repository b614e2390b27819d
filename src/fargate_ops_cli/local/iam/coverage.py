"""Which template statements the scenarios exercise, and the template with one statement dropped.

A statement is *used* by a scenario when some call in it was allowed by that statement alone: dropping
it must then turn that call into a denial (the mutation test, tests/iam/test_mutation.py, checks this
for every used statement, running the cheapest scenario that uses it). A statement that only ever
allowed calls another statement allowed too is *redundant* for the scenarios; one that allowed nothing
is *unexercised*. `scripts/iam_usage.py` records all this from normal runs of every scenario.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from fargate_ops_cli.local.iam.loader import PolicyStore


@dataclass(frozen=True)
class TemplateStatement:
    key: str  # Role/Policy#index, as the enforcer names it
    sid: str
    actions: tuple[str, ...]
    # Where the statement comes from in template.yaml: the function or state machine whose Policies
    # hold it, the entry's index, and the statement's index in an inline entry (None: the whole
    # entry, a SAM policy template). No resource: SAM generated it (dead-letter queue, schedule role)
    # or it is an AWS managed policy; those are not dropped.
    resource: str | None
    policy_index: int | None
    statement_index: int | None

    @property
    def mutable(self) -> bool:
        return self.resource is not None


def _policies(resource: dict[str, Any]) -> list[Any]:
    policies = resource.get("Properties", {}).get("Policies", [])
    return policies if isinstance(policies, list) else [policies]


def template_statements(store: PolicyStore, sam_template: dict[str, Any]) -> list[TemplateStatement]:
    sam_resources = sam_template.get("Resources", {})
    found = []
    for role in store.roles.values():
        owner = role.logical_id.removesuffix("Role")
        for statement in role.statements:
            ref = statement.ref
            resource = policy_index = statement_index = None
            prefix = f"{role.logical_id}Policy"
            if (
                owner in sam_resources
                and ref.policy.startswith(prefix)
                and ref.policy[len(prefix) :].isdigit()
            ):
                index = int(ref.policy[len(prefix) :])
                policies = _policies(sam_resources[owner])
                if index < len(policies):
                    resource, policy_index = owner, index
                    entry = policies[index]
                    statement_index = ref.index if isinstance(entry, dict) and "Statement" in entry else None
            found.append(
                TemplateStatement(
                    ref.key, ref.sid, statement.actions, resource, policy_index, statement_index
                )
            )
    return sorted(found, key=lambda s: s.key)


def drop(sam_template: dict[str, Any], statement: TemplateStatement) -> dict[str, Any]:
    """A copy of the SAM template without this statement (without its entry, if nothing else is left)."""
    if statement.resource is None or statement.policy_index is None:
        raise ValueError(f"{statement.key} is not in template.yaml's Policies: it cannot be dropped")
    mutated = copy.deepcopy(sam_template)
    props = mutated["Resources"][statement.resource]["Properties"]
    policies = _policies(mutated["Resources"][statement.resource])
    entry = policies[statement.policy_index]
    if statement.statement_index is not None:
        statements = entry["Statement"] if isinstance(entry["Statement"], list) else [entry["Statement"]]
        del statements[statement.statement_index]
        entry["Statement"] = statements
        if statements:
            props["Policies"] = policies
            return mutated
    del policies[statement.policy_index]
    props["Policies"] = policies
    return mutated


def alone(iam_section: dict[str, Any]) -> dict[str, list[str]]:
    """From a report's `iam` section: statement key -> the actions it alone allowed."""
    return {u["key"]: u["alone"] for u in iam_section.get("statements_used", []) if u["alone"]}


def unexercised_text(record: dict[str, Any]) -> str:
    """The statements of a usage record that no scenario exercises alone, in two lists."""
    lines = []
    for redundant, title in (
        (False, "statements no scenario exercises"),
        (True, "statements that only allow what another statement allows too (in every scenario)"),
    ):
        chosen = [
            f"  {key}{_sid(entry['sid'])}: {', '.join(entry['actions'])}"
            for key, entry in record["statements"].items()
            if not entry["used_by"] and entry["redundant"] == redundant
        ]
        lines += [f"{title} ({len(chosen)}):", *chosen]
    return "\n".join(lines)


def _sid(sid: str) -> str:
    return f" ({sid})" if sid else ""
