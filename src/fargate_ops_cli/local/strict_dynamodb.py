"""DynamoDB as it behaves under concurrency, where moto 5.2.5 is kinder (installed by moto_hooks.installed).

- Each request is atomic: moto's backend is plain Python dictionaries, not thread-safe, so requests
  run one at a time (a lock per run). A conditional write whose condition no longer holds fails with
  `ConditionalCheckFailedException`, whatever the interleaving.
- Writes take time. With parallel deliveries (`concurrency.py`), a PutItem/UpdateItem/DeleteItem stays
  in flight for a few virtual milliseconds before it applies, a TransactWriteItems longer. As in AWS
  ("Transaction conflict handling in DynamoDB"):
  - a PutItem, UpdateItem or DeleteItem on an item that a TransactWriteItems in flight holds fails
    with `TransactionConflictException`;
  - a TransactWriteItems one of whose items is held by another transaction in flight, or is being
    written by a PutItem/UpdateItem/DeleteItem in flight, fails with `TransactionCanceledException`,
    its `CancellationReasons` in the order of the request: `TransactionConflict` for each such item,
    `None` for the others (conditions are not evaluated). The reason's message and the single
    write's are ours: AWS documents the codes, not the text.
- Eventually consistent reads lag. With `read_lag_seconds`, a GetItem, Query, Scan or BatchGetItem
  without ConsistentRead sees each item as it was a seeded random time ago, up to that lag: an item
  written since is answered from before that write, "not there yet" for one just created, and one just
  deleted is still there. ConsistentRead=true (and TransactGetItems) sees every completed write. Only
  the application's reads lag; the runtime's own (`as_world()`: reports, invariants) never do.

- BatchWriteItem under throttling. AWS may write only some of a batch's requests and hand back the
  rest as `UnprocessedItems` (the caller must send them again); moto never does. With
  `BATCH_WRITES.items_per_call` set (a scenario's `faults.unprocessed`, or a test), each application
  BatchWriteItem writes only its first that many requests and answers the others as unprocessed.

Not modelled (the application does not use them): conflicts of BatchWriteItem and TransactGetItems
with transactions in flight; they are atomic and their writes lag like the others.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import importlib
import itertools
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from fargate_ops_cli.local.clients import acting_for_world
from fargate_ops_cli.local.concurrency import Concurrency

_HANDLER = ("moto.dynamodb.responses", "DynamoHandler")
WRITES = ("put_item", "update_item", "delete_item")
READS = ("get_item", "query", "scan", "batch_get_item")
ATOMIC = ("batch_write_item", "transact_get_items")
TRANSACTION = "transact_write_items"

# (module, class, attribute) of every internal replaced here; moto_hooks.check_internals checks them.
HOOKED: tuple[tuple[str, str | None, str], ...] = tuple(
    (*_HANDLER, name) for name in (*WRITES, *READS, *ATOMIC, TRANSACTION, "call_action", "dynamodb_backend")
)

ERROR_PREFIX = "com.amazonaws.dynamodb.v20120810#"
TRANSACTION_CONFLICT = "TransactionConflict"
CONFLICT_MESSAGE = "Transaction is ongoing for the item"

# (table name, hash key, range key) of one item; the keys are moto's DynamoType (hashable).
ItemKey = tuple[str, Any, Any]


@dataclass
class BatchWriteCapacity:
    """How many requests of an application BatchWriteItem are written (None: all, as moto does)."""

    items_per_call: int | None = None


BATCH_WRITES = BatchWriteCapacity()  # the runtime resets it when it closes


def _transaction_conflict() -> Exception:
    from moto.dynamodb.exceptions import DynamodbException

    return DynamodbException(ERROR_PREFIX + "TransactionConflictException", CONFLICT_MESSAGE)


def _transaction_cancelled(conflicting: Sequence[bool]) -> Exception:
    from moto.dynamodb.exceptions import TransactionCanceledException

    return TransactionCanceledException(
        [(TRANSACTION_CONFLICT, CONFLICT_MESSAGE, None) if c else (None, None, None) for c in conflicting]
    )


class StrictDynamoDb:
    """The run's DynamoDB: one request at a time, writes in flight, and each item's recent past."""

    def __init__(self, concurrency: Concurrency) -> None:
        self.concurrency = concurrency
        self.lock = threading.RLock()
        self._transactions = itertools.count(1)
        self._held: dict[ItemKey, int] = {}  # item -> the transaction in flight that holds it
        self._writing: Counter[ItemKey] = Counter()  # item -> single writes in flight
        # item -> [(virtual time of a write, the item before it or None)], oldest first
        self._past: dict[ItemKey, list[tuple[float, Any]]] = {}

    # -- keys --------------------------------------------------------------------------------------------
    @staticmethod
    def _key(backend: Any, table_name: str, attrs: dict[str, Any]) -> ItemKey:
        from moto.dynamodb.models.dynamo_type import DynamoType

        table = backend.get_table(table_name)
        hash_key = DynamoType(attrs[table.hash_key_attr])
        range_key = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
        return (table.name, hash_key, range_key)

    def _request_key(self, backend: Any, operation: str, body: dict[str, Any]) -> ItemKey:
        attrs = body["Item"] if operation in ("put_item", "Put") else body["Key"]
        return self._key(backend, body["TableName"], attrs)

    # -- the past of items, for reads that lag -------------------------------------------------------------
    @staticmethod
    def _current(backend: Any, key: ItemKey) -> Any:
        table = backend.get_table(key[0])
        found = table.items.get(key[1])
        if key[2] is None:
            return found
        return found.get(key[2]) if found is not None else None

    @staticmethod
    def _place(backend: Any, key: ItemKey, item: Any) -> None:
        table = backend.get_table(key[0])
        if key[2] is None:
            if item is None:
                table.items.pop(key[1], None)
            else:
                table.items[key[1]] = item
        elif item is None:
            table.items.get(key[1], {}).pop(key[2], None)
        else:
            table.items[key[1]][key[2]] = item

    def _remember(self, before: dict[ItemKey, Any]) -> None:
        """The items as they were before a write that has just applied (kept only while a read may lag)."""
        if self.concurrency.spec.read_lag_seconds <= 0:
            return
        now = self.concurrency.clock.now()
        oldest_needed = now - self.concurrency.spec.read_lag_seconds
        for key, item in before.items():
            past = self._past.setdefault(key, [])
            past.append((now, item))
            while past and past[0][0] < oldest_needed:
                past.pop(0)

    @contextlib.contextmanager
    def _as_of(self, backend: Any, tables: set[str], at: float) -> Iterator[bool]:
        """moto's tables as they were at virtual time `at` for the block; True if anything differed."""
        restore: list[tuple[ItemKey, Any]] = []
        for key, past in self._past.items():
            if key[0] not in tables:
                continue
            # The item at `at` is the one the first later write replaced (none later: it is current).
            then = next((item for written, item in past if written > at), _CURRENT)
            if then is _CURRENT:
                continue
            restore.append((key, self._current(backend, key)))
            self._place(backend, key, then)
        try:
            yield bool(restore)
        finally:
            for key, item in reversed(restore):
                self._place(backend, key, item)

    # -- the hooks -----------------------------------------------------------------------------------------
    def read(self, original: Callable[[Any], Any], handler: Any, operation: str) -> Any:
        body = handler.body
        if operation == "batch_get_item":
            lagging = {t for t, request in body["RequestItems"].items() if not request.get("ConsistentRead")}
        else:
            lagging = set() if body.get("ConsistentRead") else {body["TableName"]}
        self.concurrency.travel()
        with self.lock:
            lag = self.concurrency.read_lag() if lagging and not acting_for_world() else 0.0
            if lag <= 0:
                return original(handler)
            backend = handler.dynamodb_backend
            tables = {backend.get_table(t).name for t in lagging}
            with self._as_of(backend, tables, self.concurrency.clock.now() - lag) as stale:
                if stale:
                    self.concurrency.stats.stale_reads += 1
                return original(handler)

    def write(self, original: Callable[[Any], Any], handler: Any, operation: str) -> Any:
        backend = handler.dynamodb_backend
        with self.lock:
            key = self._request_key(backend, operation, handler.body)
            if key in self._held:
                self.concurrency.stats.transaction_conflicts += 1
                raise _transaction_conflict()
            self._writing[key] += 1
        try:
            self._fly(transaction=False)
            with self.lock:
                return self._apply(original, handler, [key])
        finally:
            with self.lock:
                self._writing[key] -= 1
                if not self._writing[key]:
                    del self._writing[key]

    def transact(self, original: Callable[[Any], Any], handler: Any) -> Any:
        backend = handler.dynamodb_backend
        with self.lock:
            involved = [
                self._request_key(backend, *next(iter(entry.items())))
                for entry in handler.body["TransactItems"]
            ]
            conflicting = [key in self._held or key in self._writing for key in involved]
            if any(conflicting):
                self.concurrency.stats.transaction_conflicts += 1
                raise _transaction_cancelled(conflicting)
            me = next(self._transactions)
            for key in involved:
                self._held[key] = me
        try:
            self._fly(transaction=True)
            with self.lock:
                written = [
                    key
                    for key, entry in zip(involved, handler.body["TransactItems"], strict=True)
                    if "ConditionCheck" not in entry
                ]
                return self._apply(original, handler, written)
        finally:
            with self.lock:
                for key in involved:
                    if self._held.get(key) == me:
                        del self._held[key]

    def atomic(self, original: Callable[[Any], Any], handler: Any) -> Any:
        with self.lock:
            return original(handler)

    def batch_write(self, original: Callable[[Any], Any], handler: Any) -> Any:
        backend = handler.dynamodb_backend
        unprocessed = _cut(handler.body) if not acting_for_world() else {}
        with self.lock:
            keys = [
                self._key(
                    backend,
                    table,
                    request.get("PutRequest", {}).get("Item") or request["DeleteRequest"]["Key"],
                )
                for table, requests in handler.body["RequestItems"].items()
                for request in requests
            ]
            result = self._apply(original, handler, keys)
        if unprocessed:
            result.result["UnprocessedItems"] = unprocessed
        return result

    def _fly(self, transaction: bool) -> None:
        pause = self.concurrency.in_flight(transaction)
        if pause > 0:
            self.concurrency.clock.sleep(pause)

    def _apply(self, original: Callable[[Any], Any], handler: Any, keys: list[ItemKey]) -> Any:
        """Run moto's own request (the lock held); remember what it replaced if it succeeded."""
        from moto.dynamodb.exceptions import ConditionalCheckFailed, TransactionCanceledException

        backend = handler.dynamodb_backend
        before = {key: copy.deepcopy(self._current(backend, key)) for key in keys}
        try:
            result = original(handler)
        except (ConditionalCheckFailed, TransactionCanceledException):
            self.concurrency.stats.condition_failures += 1
            raise
        self._remember(before)
        return result


_CURRENT = object()  # an item with no write after the moment asked for


def _cut(body: dict[str, Any]) -> dict[str, list[Any]]:
    """Keep the first ``BATCH_WRITES.items_per_call`` requests in ``body``; the others, per table, in
    the order asked: what the answer's UnprocessedItems hands back."""
    limit = BATCH_WRITES.items_per_call
    if limit is None:
        return {}
    kept: dict[str, list[Any]] = {}
    rest: dict[str, list[Any]] = {}
    left = limit
    for table, requests in body["RequestItems"].items():
        for request in requests:
            (kept if left > 0 else rest).setdefault(table, []).append(request)
            left -= 1
    body["RequestItems"] = kept
    return rest


def patches(strict: StrictDynamoDb) -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for moto_hooks._patched."""
    handler_cls = getattr(importlib.import_module(_HANDLER[0]), _HANDLER[1])
    targets: list[tuple[Any, str, Any]] = []

    def hook(name: str, wrap: Callable[..., Any], *extra: Any) -> None:
        original = getattr(handler_cls, name)

        @functools.wraps(original)
        def method(self: Any) -> Any:
            return wrap(original, self, *extra)

        targets.append((handler_cls, name, method))

    for name in WRITES:
        hook(name, strict.write, name)
    for name in READS:
        hook(name, strict.read, name)
    hook(TRANSACTION, strict.transact)
    hook("transact_get_items", strict.atomic)
    hook("batch_write_item", strict.batch_write)

    own = {*WRITES, *READS, *ATOMIC, TRANSACTION}
    call_action = handler_cls.call_action

    def every_other_action(self: Any) -> Any:
        # Actions hooked above take the lock themselves (a write lets go of it while in flight).
        from moto.core.utils import camelcase_to_underscores

        if camelcase_to_underscores(self._get_action()) in own:
            return call_action(self)
        with strict.lock:
            return call_action(self)

    targets.append((handler_cls, "call_action", every_other_action))
    return targets
