"""boto3 clients for the local runtime's own work, and the count of the application's API calls.

The report's `api_calls` must count what the application does (handlers and state machines), not
what the runtime and the simulator do to stand in for AWS. A context variable says who is calling:
threads that moto starts (the ASL interpreter) and handler invocations count as the application;
the runtime wraps its own work in `as_world()`. An application call also carries its principal (the
execution role of the function or state machine making it, `as_principal()`), which the local IAM
check authorises it as; an application call with no principal is an operator's (the CLI, a scenario's
timeline): counted, never checked.
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
import botocore.loaders
import botocore.session

DEFAULT_ACCOUNT = "123456789012"  # moto's default account

_actor: contextvars.ContextVar[str] = contextvars.ContextVar("fargate_ops_actor", default="app")


@dataclass(frozen=True)
class Principal:
    """Who makes an application call: an execution role, in a session (the function or execution)."""

    role_arn: str
    session: str


_principal: contextvars.ContextVar[Principal | None] = contextvars.ContextVar(
    "fargate_ops_principal", default=None
)
PARAMS_KEY = "fargate_ops.params"  # where the API parameters wait in botocore's request context


@contextlib.contextmanager
def as_principal(role_arn: str, session: str) -> Iterator[None]:
    """The application acting as this role (threads started meanwhile inherit it: see clock.py)."""
    actor, principal = _actor.set("app"), _principal.set(Principal(role_arn, session))
    try:
        yield
    finally:
        _principal.reset(principal)
        _actor.reset(actor)


@contextlib.contextmanager
def as_world() -> Iterator[None]:
    token = _actor.set("world")
    try:
        yield
    finally:
        _actor.reset(token)


def acting_for_world() -> bool:
    """Whether the current call is the runtime's own work (`as_world()`), not the application's."""
    return _actor.get() == "world"


@contextlib.contextmanager
def as_app() -> Iterator[None]:
    """An operator's calls (the CLI, a scenario's timeline): counted as the application's, not checked."""
    token, principal = _actor.set("app"), _principal.set(None)
    try:
        yield
    finally:
        _principal.reset(principal)
        _actor.reset(token)


class ApiCallCounter:
    """Counts calls per `service:Operation` while a run is active; throttles on request (fault injection)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.active = False
        self._lock = threading.Lock()
        self.throttle: Any = None  # callable(service, operation) -> bool, set by a scenario
        # callable(principal or None, model, API params) -> an error response, or None to let it through
        self.authorize: Any = None

    def __call__(self, model: Any, context: Any = None, **_: Any) -> Any:
        if not self.active or _actor.get() != "app":
            return None
        key = f"{model.service_model.service_name}:{model.name}"
        with self._lock:
            self.counts[key] += 1
        if self.authorize is not None:
            params = (context or {}).get(PARAMS_KEY, {})
            denied = self.authorize(_principal.get(), model, params)
            if denied is not None:
                return _Refused(denied["ResponseMetadata"]["HTTPStatusCode"]), denied
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


class _Refused(_Throttled):
    def __init__(self, status_code: int) -> None:
        self.status_code = status_code


def _keep_params(params: Any, context: Any = None, **_: Any) -> None:
    """before-call sees the serialised request; the IAM check needs the API parameters."""
    if context is not None and _actor.get() == "app":
        context[PARAMS_KEY] = params


COUNTER = ApiCallCounter()
# Registered once for every botocore session created from now on (moto registers its stubber the same way).
botocore.handlers.BUILTIN_HANDLERS.append(("before-parameter-build", _keep_params))
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
                self._session = _session(self.region)
            self._cache[service_name] = self._session.client(service_name, region_name=self.region)
        return self._cache[service_name]


_loader: botocore.loaders.Loader | None = None


def _session(region: str) -> boto3.session.Session:
    """A new session (each runtime's own credentials and handlers) over one loader for the process.

    A botocore session reads endpoints.json and each service's model from disk the first time it
    needs them, a third of the runtime's start-up; the files never change, so every runtime after
    the first reuses what the first read."""
    global _loader
    core = botocore.session.Session()
    if _loader is None:
        _loader = core.get_component("data_loader")
    else:
        core.register_component("data_loader", _loader)
    session = boto3.session.Session(botocore_session=core, region_name=region)
    # boto3 appends its own data folder to the loader's search paths at every session: keep one copy.
    _loader.search_paths[:] = list(dict.fromkeys(_loader.search_paths))
    return session
