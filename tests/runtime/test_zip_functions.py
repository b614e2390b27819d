"""A function created with its code as a zip (a scenario's validation hook) runs that code in-process,
through Lambda Invoke like any function, and fails as Lambda does when its module is not in the zip."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fargate_ops_cli.local.clients import as_world
from fargate_ops_cli.local.runtime import LocalRuntime
from fargate_ops_cli.local.world import hooks
from fargate_ops_cli.local.world.hooks import HookSpec

TOY = Path(__file__).parent / "fixtures" / "toy"
DOUBLING = """\
import os

def check(event, context):
    return {"twice": event["n"] * 2, "region": os.environ["AWS_REGION"], "name": context.function_name}
"""


def invoke(runtime: LocalRuntime, name: str, event: dict[str, Any]) -> dict[str, Any]:
    response = runtime.clients.client("lambda").invoke(FunctionName=name, Payload=json.dumps(event).encode())
    return {"error": response.get("FunctionError"), "body": json.loads(response["Payload"].read())}


def test_a_hook_runs_the_code_of_its_own_zip(tmp_path: Path) -> None:
    (tmp_path / "doubling.py").write_text(DOUBLING)
    spec = HookSpec(name="fargate-ops-hook-double", file="doubling.py", handler="check")

    with LocalRuntime(TOY) as runtime, as_world():
        arns = hooks.create(runtime.clients.client, [spec], hooks.package([spec], tmp_path))
        result = invoke(runtime, arns["fargate-ops-hook-double"], {"n": 21})

    assert result == {
        "error": None,
        "body": {"twice": 42, "region": "us-east-1", "name": "fargate-ops-hook-double"},
    }


def test_a_hook_whose_zip_lacks_its_handler_module_fails_to_import(tmp_path: Path) -> None:
    (tmp_path / "doubling.py").write_text(DOUBLING)
    spec = HookSpec(name="fargate-ops-hook-double", file="doubling.py")
    packages = hooks.package([spec], tmp_path)
    renamed = spec.model_copy(update={"file": "other.py"})  # Handler other.handler, the zip holds doubling.py

    with LocalRuntime(TOY) as runtime, as_world():
        hooks.create(runtime.clients.client, [renamed], {renamed.name: packages[spec.name]})
        result = invoke(runtime, "fargate-ops-hook-double", {"n": 1})

    assert result["error"] is not None  # the invocation failed (moto says "Handled")
    assert result["body"]["errorType"] == "ImportError"
    assert "Unable to import module 'other'" in result["body"]["errorMessage"]
