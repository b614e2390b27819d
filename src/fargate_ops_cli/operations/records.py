"""Reading deploy records from the fargate-ops table (the application writes them; we only read)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fargate_ops_cli.operations.errors import OperatorError


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == int(value) else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | set | tuple):
        return [_plain(v) for v in value]
    return value


def read_deploy(dynamodb: Any, table: str, deploy_id: str) -> dict[str, Any] | None:
    from boto3.dynamodb.types import TypeDeserializer

    item = dynamodb.get_item(
        TableName=table, Key={"pk": {"S": f"DEPLOY#{deploy_id}"}, "sk": {"S": "META"}}, ConsistentRead=True
    ).get("Item")
    if not item:
        return None
    deserializer = TypeDeserializer()
    record: dict[str, Any] = _plain({k: deserializer.deserialize(v) for k, v in item.items()})
    return record


def require_deploy(dynamodb: Any, table: str, deploy_id: str) -> dict[str, Any]:
    record = read_deploy(dynamodb, table, deploy_id)
    if record is None:
        raise OperatorError(
            f"no deploy {deploy_id!r} in table {table}:"
            " check the id (`fargate-ops history` lists recent ones)"
        )
    return record
