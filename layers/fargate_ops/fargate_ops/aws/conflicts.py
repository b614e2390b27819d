"""DynamoDB writes that meet a transaction in flight on one of their items: retried, with back-off.

DynamoDB refuses a PutItem, UpdateItem or DeleteItem on an item that a TransactWriteItems in flight
holds (``TransactionConflictException``), and cancels a TransactWriteItems one of whose items another
transaction or write in flight holds (``TransactionCanceledException`` with a ``TransactionConflict``
cancellation reason). botocore retries neither (its standard mode knows TransactionInProgressException
only). EventBridge hands one service's events to concurrent invocations, so these happen: a crash
loop's stops are counted in one WAIT item by several invocations at once, and a deploy parks its next
wait while the events function is still retiring the last one.

A conflict is a refusal: the refused write changed nothing, and its conditions are evaluated afresh
when it is sent again, so every write (a list append, an ADD, a transaction) is safe to resend. Waits
are exponential with full jitter ("Exponential Backoff And Jitter", AWS Architecture Blog), on
``fargate_ops.clock.sleep``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from botocore.exceptions import ClientError

from fargate_ops import clock
from fargate_ops.aws._errors import error_code

TRANSACTION_CONFLICT = "TransactionConflictException"
TRANSACTION_CANCELED = "TransactionCanceledException"
CONFLICT_REASON = "TransactionConflict"

ATTEMPTS = 8
BASE_DELAY_SECONDS = 0.02
MAX_DELAY_SECONDS = 1.0


def is_conflict(err: ClientError) -> bool:
    """A write refused because another transaction (or a write beside one) holds one of its items."""
    code = error_code(err)
    if code == TRANSACTION_CONFLICT:
        return True
    if code != TRANSACTION_CANCELED:
        return False
    reasons = err.response.get("CancellationReasons", [])
    return any(str(r.get("Code")) == CONFLICT_REASON for r in reasons)


def backoff(attempt: int) -> float:
    """How long to wait before attempt ``attempt + 1`` (full jitter under a doubling cap)."""
    return clock.jitter() * min(MAX_DELAY_SECONDS, BASE_DELAY_SECONDS * 2.0**attempt)


class ConflictRetrying:
    """A DynamoDB client whose writes are resent while they meet a transaction conflict.

    Reads pass straight through: a read never conflicts (it sees the last committed item).
    """

    def __init__(self, client: Any, sleep: Callable[[float], None] | None = None) -> None:
        self._client = client
        self._sleep = sleep

    def put_item(self, **kwargs: Any) -> Any:
        return self._write(self._client.put_item, kwargs)

    def update_item(self, **kwargs: Any) -> Any:
        return self._write(self._client.update_item, kwargs)

    def delete_item(self, **kwargs: Any) -> Any:
        return self._write(self._client.delete_item, kwargs)

    def transact_write_items(self, **kwargs: Any) -> Any:
        return self._write(self._client.transact_write_items, kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def _write(self, call: Callable[..., Any], kwargs: Mapping[str, Any]) -> Any:
        for attempt in range(ATTEMPTS):
            try:
                return call(**kwargs)
            except ClientError as err:
                if attempt == ATTEMPTS - 1 or not is_conflict(err):
                    raise
                (self._sleep or clock.sleep)(backoff(attempt))
        raise AssertionError("unreachable: the last attempt returns or raises")
