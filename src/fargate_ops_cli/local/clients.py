"""boto3 clients for the local runtime's own work, and the count of the application's API calls.

The report's `api_calls` must count what the application does (handlers and state machines), not
what the runtime and the simulator do to stand in for AWS. A context variable says who is calling:
threads that moto starts (the ASL interpreter) and handler invocations count as the application;
the runtime wraps its own work in `as_world()`.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.handlers

DEFAULT_ACCOUNT = "123456789012"  # moto's default account

_actor: contextvars.ContextVar[str] = contextvars.ContextVar("fargate_ops_actor", default="app")


@contextlib.contextmanager
def as_world() -> Iterator[None]:
    token = _actor.set("world")
    try:
        yield
    finally:
        _actor.reset(token)


@contextlib.contextmanager
def as_app() -> Iterator[None]:
    token = _actor.set("app")
    try:
        yield
    finally:
        _actor.reset(token)


class ApiCallCounter:
    """Counts calls per `service:Operation` while a run is active; throttles on request (fault injection)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.active = False
        self._lock = threading.Lock()
        self.throttle: Any = None  # callable(service, operation) -> bool, set by a scenario

    def __call__(self, model: Any, **_: Any) -> Any:
        if not self.active or _actor.get() != "app":
            return None
        key = f"{model.service_model.service_name}:{model.name}"
        with self._lock:
            self.counts[key] += 1
        if self.throttle is not None and self.throttle(model.service_model.service_name, model.name):
            # Returning a response from before-call short-circuits the request, as real throttling would.
            return (
                _Throttled(),
                {
                    "Error": {"Code": "ThrottlingException", "Message": "Rate exceeded (injected)"},
                    "ResponseMetadata": {"HTTPStatusCode": 400},
                },
            )
        return None

    def reset(self) -> None:
        with self._lock:
            self.counts.clear()


class _Throttled:
    status_code = 400
    headers: dict[str, str] = {}  # noqa: RUF012 - mimics botocore's AWSResponse
    content = b""


COUNTER = ApiCallCounter()
# Registered once for every botocore session created from now on (moto registers its stubber the same way).
botocore.handlers.BUILTIN_HANDLERS.append(("before-call", COUNTER))


@dataclass
class ClientFactory:
    region: str
    account_id: str = DEFAULT_ACCOUNT
    _session: Any = field(default=None, init=False)
    _cache: dict[str, Any] = field(default_factory=dict, init=False)

    def client(self, service_name: str) -> Any:
        if service_name not in self._cache:
            if self._session is None:
                self._session = boto3.session.Session(region_name=self.region)
            self._cache[service_name] = self._session.client(service_name, region_name=self.region)
        return self._cache[service_name]
