"""The state machine's JSONata and the deploy document are one contract: every field the ASL reads from
a step's document exists on ``DeployDocument`` (and, inside a nested model, on that model)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import msgspec

from fargate_ops.models.deploy import DeployDocument

ASL = Path(__file__).resolve().parents[2] / "statemachines" / "deploy.asl.json"
# $states.input is the deploy document every step returns (the Task states' Output is the Payload).
READS = re.compile(r"\$states\.input((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")


def expressions(node: Any) -> list[str]:
    if isinstance(node, str):
        return re.findall(r"\{%(.*?)%\}", node, flags=re.S)
    if isinstance(node, dict):
        return [e for v in node.values() for e in expressions(v)]
    if isinstance(node, list):
        return [e for v in node for e in expressions(v)]
    return []


ERROR_OUTPUT = "{% $states.errorOutput %}"


def error_output_states(states: dict[str, Any]) -> set[str]:
    """States entered only from Catches that hand over the error itself ({Error, Cause}), not a document."""
    plain, from_error = set(), set()
    for state in states.values():
        plain.update(state[k] for k in ("Next", "Default") if k in state)
        plain.update(c["Next"] for c in state.get("Choices", []))
        for catcher in state.get("Catch", []):
            (from_error if catcher.get("Output") == ERROR_OUTPUT else plain).add(catcher["Next"])
    return from_error - plain


def document_paths() -> set[tuple[str, ...]]:
    states = json.loads(ASL.read_text())["States"]
    skipped = error_output_states(states)
    return {
        tuple(m.split(".")[1:])
        for name, state in states.items()
        if name not in skipped
        for e in expressions(state)
        for m in READS.findall(e)
    }


def exists(model: type[msgspec.Struct], path: tuple[str, ...]) -> bool:
    """The path names a field (by name or encoded name) of the model, and of each nested model on the way."""
    head, *rest = path
    field = next((f for f in msgspec.structs.fields(model) if head in (f.name, f.encode_name)), None)
    if field is None:
        return False
    nested = field.type
    for candidate in getattr(nested, "__args__", (nested,)):
        if isinstance(candidate, type) and issubclass(candidate, msgspec.Struct):
            return not rest or exists(candidate, tuple(rest))
    return True  # a plain value or a free-form dict: nothing further to check


def test_the_state_machine_reads_document_fields() -> None:
    assert len(document_paths()) >= 10  # the extraction sees the JSONata (or this test proves nothing)
    assert "DeployBlocked" in error_output_states(json.loads(ASL.read_text())["States"])


def test_every_field_the_state_machine_reads_exists_on_the_deploy_document() -> None:
    missing = sorted(".".join(p) for p in document_paths() if not exists(DeployDocument, p))

    assert missing == []


def test_a_field_missing_from_the_document_is_caught() -> None:
    assert not exists(DeployDocument, ("no_such_field",))
    assert not exists(DeployDocument, ("failure", "NoSuchKey"))
    assert exists(DeployDocument, ("failure", "Cause"))
