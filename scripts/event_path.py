"""The way one ECS task-stopped event takes through the code, file by file.

    .venv/bin/python scripts/event_path.py [--leaves]

Runs the real events handler (functions/ecs_events/app.py) on moto, with the table the template
declares: one crashed task of a service nobody deploys is handled first (every import warmed), then a
second crash of the same service is handled under `sys.setprofile`. Each call that enters a file of the
project from another file is a *stop*; a stop in a file the event already stopped in is a *re-entry*.
Leaf utilities (the clock, the table's keys, the models, the outcome types, error translation) are
left out unless `--leaves` is given: every file calls them, and they hand nothing on.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LAYER = ROOT / "layers" / "fargate_ops"
FUNCTION = ROOT / "functions" / "ecs_events"
EVENT = ROOT / "events" / "aws" / "ecs-task-state-change-stopped-essential-container-exited.json"
LEAVES = (
    "fargate_ops/clock.py",
    "fargate_ops/aws/keys.py",
    "fargate_ops/aws/_errors.py",
    "fargate_ops/aws/conflicts.py",
    "fargate_ops/aws/dynamo.py",
    "fargate_ops/models/",
    "fargate_ops/reactions/outcome.py",
    "fargate_ops/observability.py",
    "fargate_ops/errors.py",
)


def _project_file(path: str) -> str | None:
    for base in (LAYER, FUNCTION.parent):
        if path.startswith(str(base) + os.sep):
            return str(Path(path).relative_to(base))
    return None


def trace(handler: Any, event: dict[str, Any], with_leaves: bool) -> list[str]:
    """The files entered, in order, while `handler` serves `event`."""
    entered: list[str] = []
    stack: list[str | None] = []

    def profile(frame: Any, kind: str, _arg: Any) -> None:
        if kind == "call":
            name = _project_file(frame.f_code.co_filename)
            if name is not None and not with_leaves and any(leaf in name for leaf in LEAVES):
                name = None
            current = next((f for f in reversed(stack) if f is not None), None)
            if name is not None and name != current:
                entered.append(name)
            stack.append(name)
        elif kind == "return" and stack:
            stack.pop()

    sys.setprofile(profile)
    try:
        handler(event, _Context())
    finally:
        sys.setprofile(None)
    return entered


class _Context:
    function_name = "fargate-ops-ecs-events"
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:fargate-ops-ecs-events"
    aws_request_id = "00000000-0000-0000-0000-000000000001"


def _crash(n: int) -> dict[str, Any]:
    event = json.loads(EVENT.read_text())
    event["id"] = f"path-{n}"
    event["detail"]["taskArn"] = event["detail"]["taskArn"].rsplit("/", 1)[0] + f"/path{n:028d}"
    return copy.deepcopy(event)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leaves", action="store_true", help="count the leaf utilities too")
    args = parser.parse_args()
    sys.path[:0] = [str(FUNCTION), str(LAYER), str(ROOT / "src")]
    os.environ.update(
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        TABLE_NAME="fargate-ops",
        TOPIC_ARN="arn:aws:sns:us-east-1:123456789012:fargate-ops",
        POWERTOOLS_LOG_LEVEL="ERROR",
        POWERTOOLS_METRICS_NAMESPACE="FargateOps",
    )
    import boto3
    from moto import mock_aws

    from fargate_ops_cli.local.stack import create_ops_table

    with mock_aws():
        create_ops_table(boto3.client("dynamodb"), "fargate-ops")
        import app  # type: ignore[import-not-found]  # functions/ecs_events, put on the path above

        app.lambda_handler(_crash(1), _Context())  # imports and clients warmed
        entered = trace(app.lambda_handler, _crash(2), args.leaves)
    seen: set[str] = set()
    re_entries = 0
    for name in entered:
        re_entries += name in seen
        seen.add(name)
    print(f"{len(entered)} stops over {len(seen)} files, {re_entries} re-entries")
    print(" -> ".join(entered))


if __name__ == "__main__":
    main()
