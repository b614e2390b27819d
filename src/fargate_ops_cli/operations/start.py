"""Starting a deploy: validate the input here first, then StartExecution named by the deploy id."""

from __future__ import annotations

import json
import uuid
from typing import Any

from fargate_ops_cli.operations.errors import OperatorError
from fargate_ops_cli.operations.resources import Resources


def validate(deploy_input: dict[str, Any]) -> dict[str, Any]:
    """The application's own input model, run before anything is sent: a bad field fails here, with
    its name, and no AWS call is made."""
    from fargate_ops.errors import DeployInputError
    from fargate_ops.models.deploy import parse_input

    deploy_input = dict(deploy_input)
    deploy_input.setdefault("deploy_id", f"deploy-{uuid.uuid4().hex[:12]}")
    try:
        parse_input(deploy_input)
    except DeployInputError as error:
        raise OperatorError(f"invalid deploy input: {error}") from None
    return deploy_input


def execution_arn_for(state_machine_arn: str, deploy_id: str) -> str:
    return state_machine_arn.replace(":stateMachine:", ":execution:") + f":{deploy_id}"


def start(sfn: Any, resources: Resources, deploy_input: dict[str, Any]) -> tuple[str, bool]:
    """(execution ARN, started now). The same id with the same input attaches to the running deploy;
    the same id with another input is refused (Step Functions compares the input)."""
    deploy_input = validate(deploy_input)
    deploy_id = deploy_input["deploy_id"]
    payload = json.dumps(deploy_input, sort_keys=True)
    try:
        arn: str = sfn.start_execution(
            stateMachineArn=resources.state_machine_arn, name=deploy_id, input=payload
        )["executionArn"]
        return arn, True
    except sfn.exceptions.ExecutionAlreadyExists:
        existing = execution_arn_for(resources.state_machine_arn, deploy_id)
        described = sfn.describe_execution(executionArn=existing)
        if json.loads(described.get("input", "{}")) == json.loads(payload):
            return existing, False
        raise OperatorError(
            f"deploy id {deploy_id!r} was already used with a different input: choose a new --id"
        ) from None
