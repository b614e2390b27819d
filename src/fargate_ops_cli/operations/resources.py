"""Where a deployed fargate-ops lives: read from its CloudFormation stack's outputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fargate_ops_cli.operations.errors import OperatorError

DEFAULT_STACK = "fargate-ops"


@dataclass(frozen=True)
class Resources:
    state_machine_arn: str
    table_name: str
    topic_arn: str | None = None

    @classmethod
    def from_outputs(cls, outputs: dict[str, str], stack: str = DEFAULT_STACK) -> Resources:
        try:
            return cls(
                outputs["DeployStateMachineArn"], outputs["OpsTableName"], outputs.get("NotificationTopicArn")
            )
        except KeyError as missing:
            raise OperatorError(
                f"stack {stack!r} has no output {missing}: is it a fargate-ops stack?"
                " (deploy it with `sam deploy`)"
            ) from None

    @classmethod
    def from_stack(cls, cloudformation: Any, stack: str = DEFAULT_STACK) -> Resources:
        from botocore.exceptions import ClientError

        try:
            described = cloudformation.describe_stacks(StackName=stack)["Stacks"][0]
        except ClientError as error:
            raise OperatorError(
                f"cannot read stack {stack!r}: {error.response['Error']['Message']}"
                " (pass --stack NAME, and check the region and credentials)"
            ) from None
        outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
        return cls.from_outputs(outputs, stack)
