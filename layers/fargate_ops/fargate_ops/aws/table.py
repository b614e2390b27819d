"""The single table's low level: one item read and one transaction, with errors translated.

Every write goes through ``ConflictRetrying``: one that meets a transaction in flight is resent.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from botocore.exceptions import ClientError

from fargate_ops.aws._errors import error_code, translate
from fargate_ops.aws.conflicts import ConflictRetrying
from fargate_ops.aws.dynamo import deserialize
from fargate_ops.aws.keys import key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

CONDITION_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CANCELED = "TransactionCanceledException"


class Table:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._ddb = cast("DynamoDBClient", ConflictRetrying(client))  # the client's API, writes resent
        self._table = table_name

    def _get(self, pk: str, sk: str, *, consistent: bool = True) -> dict[str, Any] | None:
        try:
            response = self._ddb.get_item(TableName=self._table, Key=key(pk, sk), ConsistentRead=consistent)
        except ClientError as err:
            raise translate(err, "dynamodb:GetItem") from err
        item = response.get("Item")
        return deserialize(item) if item else None

    def _transact(self, items: Sequence[TransactWriteItemTypeDef], operation: str) -> list[str] | None:
        """Run a transaction; ``None`` on success, else the per-item cancellation codes."""
        reasons = self._transact_reasons(items, operation)
        return None if reasons is None else [str(r.get("Code", "None")) for r in reasons]

    def _transact_reasons(
        self, items: Sequence[TransactWriteItemTypeDef], operation: str
    ) -> list[dict[str, Any]] | None:
        """Run a transaction; ``None`` on success, else its ``CancellationReasons`` (one per item, in
        order: ``Code``, and ``Item`` where the item asked for ``ReturnValuesOnConditionCheckFailure``)."""
        try:
            self._ddb.transact_write_items(TransactItems=list(items))
        except ClientError as err:
            if error_code(err) != TRANSACTION_CANCELED:
                raise translate(err, operation) from err
            reasons = [dict(r) for r in err.response.get("CancellationReasons", [])]
            if not any(str(r.get("Code")) == "ConditionalCheckFailed" for r in reasons):
                raise translate(err, operation) from err
            return reasons
        return None
