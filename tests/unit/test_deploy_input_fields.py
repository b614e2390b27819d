"""Every field of the deploy input is read by some step: a field nobody reads is an option that silently
does nothing (as ``ignore_alarms`` once did in the bake's alarm check).

Static, on purpose: the steps' code (``fargate_ops/deploy/``) and the model's own methods are walked for
a read of each field, as an attribute (``doc.ignore_alarms``) or by name (``raw.get("notification_topic")``,
on the raw document the notify step reads), and the state machine for the fields its own states read
(``$states.input.validation_hook``). A behavioural table (one run per field, asserting what it
changes) would prove more, but costs a deploy per field and a table to keep by hand; what it would add
is covered where the behaviour lives (the scenario per option in scenarios/deploy/). This one costs
milliseconds and fails the moment a field is added to the model and wired to nothing.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from fargate_ops.models.deploy import DeployInput
from fargate_ops.models.structs import field_names

PACKAGE = Path(__file__).resolve().parents[2] / "layers" / "fargate_ops" / "fargate_ops"
STEP_CODE = [*sorted((PACKAGE / "deploy").glob("*.py")), PACKAGE / "models" / "deploy.py"]
STATE_MACHINE = PACKAGE.parents[2] / "statemachines" / "deploy.asl.json"


def reads(path: Path) -> set[str]:
    """Attribute names loaded, and string constants used as a key (``x["f"]``, ``x.get("f")``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load):
            found.add(node.attr)
        elif isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            found.add(str(node.slice.value))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            found.add(str(node.args[0].value))
    return found


def state_machine_reads() -> set[str]:
    """Fields the state machine's own states read (``$states.input.validation_hook``: its hook state)."""
    return set(re.findall(r"\$states\.input\.([a-z_]+)", STATE_MACHINE.read_text()))


def test_every_field_of_the_deploy_input_is_read_by_a_step() -> None:
    read = set().union(*(reads(path) for path in STEP_CODE), state_machine_reads())

    unread = sorted(set(field_names(DeployInput)) - read)

    assert unread == [], f"deploy input fields no step reads: {unread}"


def test_the_walk_sees_a_field_read_only_by_the_bake_check() -> None:
    assert "ignore_alarms" in reads(PACKAGE / "deploy" / "alarms.py")
