"""Reading deploy records from the fargate-ops table (the application writes them; we only read).

Through the application's own reader (``fargate_ops.aws.store_deploys``): one owner of the table's keys
and of how its items deserialise.
"""

from __future__ import annotations

from typing import Any

from fargate_ops.aws.store_deploys import DeployRecords
from fargate_ops_cli.operations.errors import OperatorError


def read_deploy(dynamodb: Any, table: str, deploy_id: str) -> dict[str, Any] | None:
    """The deploy record as the application wrote it (a strongly consistent read), or None."""
    return DeployRecords(dynamodb, table).get_deploy(deploy_id)


def require_deploy(dynamodb: Any, table: str, deploy_id: str) -> dict[str, Any]:
    record = read_deploy(dynamodb, table, deploy_id)
    if record is None:
        raise OperatorError(
            f"no deploy {deploy_id!r} in table {table}:"
            " check the id (`fargate-ops history` lists recent ones)"
        )
    return record
