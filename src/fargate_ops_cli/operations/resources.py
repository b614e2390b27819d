"""Where a deployed fargate-ops lives: read from its CloudFormation stack's outputs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fargate_ops_cli.operations.errors import AwsEnvironmentError, OperatorError

DEFAULT_STACK = "fargate-ops"


@dataclass(frozen=True)
class Resources:
    state_machine_arn: str
    table_name: str
    topic_arn: str | None = None
    scaling_function_arn: str | None = None  # run at once after `scaling override`
    cleanup_function: str | None = None

    @classmethod
    def from_outputs(cls, outputs: dict[str, str], stack: str = DEFAULT_STACK) -> Resources:
        try:
            return cls(
                outputs["DeployStateMachineArn"],
                outputs["OpsTableName"],
                outputs.get("NotificationTopicArn"),
                outputs.get("ScalingFunctionArn"),
                outputs.get("CleanupFunctionName"),
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
            details = error.response.get("Error", {})
            # CloudFormation answers a missing stack with a generic ValidationError:
            # "Stack with id fargate-ops does not exist". Other errors (denied, expired) are the
            # environment's, translated where every verb's errors are.
            if details.get("Code") == "ValidationError" and "does not exist" in str(details.get("Message")):
                raise AwsEnvironmentError("no-stack", _no_stack(stack, cloudformation.meta)) from None
            raise
        outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
        return cls.from_outputs(outputs, stack)


def _no_stack(stack: str, meta: Any) -> str:
    where = f"region {meta.region_name}"
    if not meta.endpoint_url.endswith(".amazonaws.com"):
        where += f" at {meta.endpoint_url}"
    return (
        f"no stack {stack!r} in {where}: pass --stack NAME or --region REGION,"
        " or deploy fargate-ops there first (sam deploy)"
    )
