"""Starting a deploy: validate the input here first, then StartExecution named by the deploy id."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Started:
    execution_arn: str
    started: bool  # False: this id and input had started it before (it may be running or over)
    status: str  # the execution's status now


def start(sfn: Any, resources: Resources, deploy_input: dict[str, Any]) -> Started:
    """Start the deploy, or attach to the one this id and input already started.

    Step Functions keeps an execution name for 90 days: the same name and input as a *running*
    execution answers with that execution (success, so the answer alone does not tell whether this
    call started it); a closed one, or another input, is ExecutionAlreadyExists. So the existing
    execution is looked up first: the same input attaches to it, running or over (a retried CI job
    follows the deploy it already started); another input is refused.
    """
    deploy_input = validate(deploy_input)
    deploy_id = deploy_input["deploy_id"]
    payload = json.dumps(deploy_input, sort_keys=True)
    arn = execution_arn_for(resources.state_machine_arn, deploy_id)
    try:
        return _attach(sfn.describe_execution(executionArn=arn), payload, deploy_id)
    except sfn.exceptions.ExecutionDoesNotExist:
        pass
    try:
        started = sfn.start_execution(
            stateMachineArn=resources.state_machine_arn, name=deploy_id, input=payload
        )
    except sfn.exceptions.ExecutionAlreadyExists:  # started by someone else since the look-up
        return _attach(sfn.describe_execution(executionArn=arn), payload, deploy_id)
    return Started(str(started["executionArn"]), True, "RUNNING")


def _attach(described: dict[str, Any], payload: str, deploy_id: str) -> Started:
    if json.loads(described.get("input") or "{}") != json.loads(payload):
        raise OperatorError(
            f"deploy id {deploy_id!r} was already used with a different input: choose a new --id"
        )
    return Started(str(described["executionArn"]), False, str(described["status"]))
