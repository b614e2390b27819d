"""Cold start is a product feature: handler modules import almost nothing at import time."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = ["deploy_step", "ecs_events", "cleanup"]
# Powertools' package __init__ imports botocore's (empty) top package and its tracing module; the X-Ray
# SDK, botocore's client machinery, boto3 and pydantic are what cost.
HEAVY = ["boto3", "botocore.client", "pydantic", "aws_lambda_powertools.utilities.parser", "aws_xray_sdk"]


def _run(code: str, cwd: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code], cwd=cwd, capture_output=True, text=True, check=True
    )
    return done.stdout + done.stderr


def _cumulative_us(output: str, module: str) -> int:
    match = re.search(rf"\|\s*(\d+)\s*\|\s*{re.escape(module)}\s*$", output, re.MULTILINE)
    assert match, f"{module} not in -X importtime output"
    return int(match.group(1))


@pytest.mark.parametrize("name", HANDLERS)
def test_importing_a_handler_loads_no_aws_sdk_and_no_pydantic(name: str) -> None:
    code = f"import sys, app; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"

    output = _run(code, ROOT / "functions" / name)

    assert "[]" in output.splitlines()


@pytest.mark.parametrize("name", HANDLERS)
def test_a_handler_imports_faster_than_one_and_a_half_bare_boto3_imports(name: str) -> None:
    boto3_us = min(_cumulative_us(_run("import boto3", ROOT), "boto3") for _ in range(3))
    handler_us = min(_cumulative_us(_run("import app", ROOT / "functions" / name), "app") for _ in range(3))

    assert handler_us < 1.5 * boto3_us
