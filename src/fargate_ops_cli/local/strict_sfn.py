"""Step Functions as strict as AWS, where moto 5.2.5 is kinder (installed by moto_hooks.installed).

- Task tokens answer once. moto accepts SendTaskSuccess/Failure/Heartbeat on a token whose task
  already got its answer or timed out (a later answer silently replaces the first); AWS answers
  `TaskTimedOut` ("Provided task does not exist anymore") for a token that is over, and `InvalidToken`
  for one it never issued. SendTaskSuccess's output is JSON (`InvalidOutput`); it (≤ 262,144 bytes),
  SendTaskFailure's error (≤ 256) and cause (≤ 32,768) are the API's length constraints
  (`ValidationException`).
- Payloads: 256 KiB of UTF-8 JSON for a state's input after Parameters/Arguments, its output, a
  task's result (moto measures `\\u`-escaped JSON with spaces, and refuses exactly 262,144 bytes).
  `States.DataLimitExceeded` is a terminal error: `States.ALL` does not match it, in a Retry or a
  Catch; only an ErrorEquals that names it does. (LocalStack's recordings against AWS show a
  `States.ALL` Catch taking a too-large Lambda result; we keep to the documented, stricter rule.)
- StartExecution: a name is 1-80 characters without whitespace, brackets, wildcards, `"#%\\^|~`$&,;:/`
  or control characters (moto checks these for state machines, not executions); an unnamed execution
  gets a UUID (moto names them all "None", so the second unnamed start returns the first); the input
  is at most 262,144 bytes. The same name and input as a running execution returns that execution
  (moto does this already); a closed one or another input is `ExecutionAlreadyExists`.
- History: 25,000 events. Event 25,000 must be ExecutionSucceeded; anything else fails the execution
  there ("Avoid reaching the history quota"; the error and cause wording here are ours).
"""

from __future__ import annotations

import functools
import importlib
import json
import threading
from collections.abc import Callable
from typing import Any

from fargate_ops_cli.local.sfn_limits import (
    HISTORY_EVENT_LIMIT,
    PAYLOAD_LIMIT_BYTES,
    payload_bytes,
    text_bytes,
)

_ASL = "moto.stepfunctions.parser.asl"
_PARSER_BACKEND = ("moto.stepfunctions.parser.models", "StepFunctionsParserBackend")
_ERROR_EQUALS = (f"{_ASL}.component.common.error_name.error_equals_decl", "ErrorEqualsDecl")
_EXECUTION_STATE = (f"{_ASL}.component.state.exec.execute_state", "ExecutionState")
_SERVICE_TASK = (f"{_ASL}.component.state.exec.state_task.service.state_task_service", "StateTaskService")
_CALLBACK_TASK = (
    f"{_ASL}.component.state.exec.state_task.service.state_task_service_callback",
    "StateTaskServiceCallback",
)
_WORKER = ("moto.stepfunctions.parser.backend.execution_worker", "ExecutionWorker")
# Modules that imported moto's size check by name (from moto.stepfunctions.parser.quotas).
SIZE_CHECK_USERS = (
    f"{_ASL}.component.state.state",
    f"{_ASL}.component.state.exec.state_task.state_task_lambda",
    f"{_ASL}.component.state.exec.state_task.service.state_task_service",
)

# (module, class, attribute) of every internal replaced here; moto_hooks.check_internals checks them.
HOOKED: tuple[tuple[str, str | None, str], ...] = (
    (*_PARSER_BACKEND, "start_execution"),
    (*_PARSER_BACKEND, "send_task_success"),
    (*_PARSER_BACKEND, "send_task_failure"),
    (*_PARSER_BACKEND, "send_task_heartbeat"),
    (*_ERROR_EQUALS, "_eval_body"),
    (*_EXECUTION_STATE, "_evaluate_with_timeout"),
    (*_SERVICE_TASK, "_before_eval_execution"),
    (*_CALLBACK_TASK, "_eval_integration_pattern"),
    (*_WORKER, "_get_evaluation_environment"),
    *((module, None, "is_within_size_quota") for module in SIZE_CHECK_USERS),
)

DATA_LIMIT_EXCEEDED = "States.DataLimitExceeded"
TOKEN_OVER = "Task Timed Out: 'Provided task does not exist anymore'"
HISTORY_LIMIT_ERROR = "States.Runtime"
HISTORY_LIMIT_CAUSE = f"The execution reached the maximum history size of {HISTORY_EVENT_LIMIT} events."
MAX_FAILURE_ERROR_CHARS = 256
MAX_FAILURE_CAUSE_CHARS = 32_768


@functools.cache
def _error_class(code: str) -> type[Exception]:
    # moto's TaskTimedOut and InvalidOutput (parser.api) carry no error code: they cannot be raised.
    from moto.core.exceptions import AWSError

    return type(f"{code}Error", (AWSError,), {"TYPE": code, "STATUS": 400})


def _task_timed_out() -> Exception:
    return _error_class("TaskTimedOut")(TOKEN_OVER)


def _too_long(member: str, limit: int) -> Exception:
    # AWS's wording for a length constraint; a sensitive member's value is left out of the message.
    from moto.stepfunctions.exceptions import ValidationException

    return ValidationException(
        f"1 validation error detected: Value at '{member}' failed to satisfy constraint: "
        f"Member must have length less than or equal to {limit}"
    )


def _token_of(env: Any) -> str | None:
    task = env.states.context_object.context_object_data.get("Task")
    return task.get("Token") if isinstance(task, dict) else None


class TaskTokens:
    """Which task tokens are over: answered once, or their wait ended (timed out, interrupted)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._waiting: set[str] = set()
        self._over: set[str] = set()

    def wait_began(self, token: str) -> None:
        with self.lock:
            self._waiting.add(token)

    def wait_ended(self, token: str) -> None:
        with self.lock:
            if token in self._waiting:
                self._over.add(token)

    def answered(self, token: str) -> None:
        with self.lock:
            self._over.add(token)

    def is_open(self, token: str, endpoint: Any, execution: Any) -> bool:
        return token not in self._over and endpoint.get_outcome() is None and execution.status == "RUNNING"


def _find_endpoint(backend: Any, token: str) -> tuple[Any, Any] | None:
    """The callback endpoint of a token, in whichever execution (running or not) issued it."""
    for execution in backend._get_executions():
        worker = getattr(execution, "exec_worker", None)
        env = worker.env if worker is not None else None
        endpoint = env.callback_pool_manager.get(token) if env is not None else None
        if endpoint is not None:
            return endpoint, execution
    return None


def _answer(tokens: TaskTokens, backend: Any, token: str, deliver: Callable[[Any], None]) -> None:
    from moto.stepfunctions.exceptions import InvalidToken

    found = _find_endpoint(backend, token)
    if found is None:
        raise InvalidToken("'Invalid token'")
    endpoint, execution = found
    with tokens.lock:
        if not tokens.is_open(token, endpoint, execution):
            raise _task_timed_out()
        tokens.answered(token)
    deliver(endpoint)


def _token_calls(tokens: TaskTokens, original_heartbeat: Callable[..., Any]) -> dict[str, Any]:
    from moto.stepfunctions.parser.asl.eval.callback.callback import (
        CallbackOutcomeFailure,
        CallbackOutcomeSuccess,
    )

    def send_task_success(self: Any, task_token: str, outcome: str) -> None:
        if text_bytes(outcome or "") > PAYLOAD_LIMIT_BYTES:
            raise _too_long("output", PAYLOAD_LIMIT_BYTES)
        try:
            json.loads(outcome)
        except (TypeError, ValueError):  # moto would take it, then fail the task with States.Runtime
            raise _error_class("InvalidOutput")(
                "Invalid Output: 'The provided JSON output is not valid'"
            ) from None
        result = CallbackOutcomeSuccess(callback_id=task_token, output=outcome)
        _answer(tokens, self, task_token, lambda endpoint: endpoint.notify(result))

    def send_task_failure(self: Any, task_token: str, error: Any = None, cause: Any = None) -> None:
        if len(error or "") > MAX_FAILURE_ERROR_CHARS:
            raise _too_long("error", MAX_FAILURE_ERROR_CHARS)
        if len(cause or "") > MAX_FAILURE_CAUSE_CHARS:
            raise _too_long("cause", MAX_FAILURE_CAUSE_CHARS)
        result = CallbackOutcomeFailure(callback_id=task_token, error=error, cause=cause)
        _answer(tokens, self, task_token, lambda endpoint: endpoint.notify(result))

    def send_task_heartbeat(self: Any, task_token: str) -> None:
        from moto.stepfunctions.exceptions import InvalidToken

        found = _find_endpoint(self, task_token)
        if found is None:
            raise InvalidToken("'Invalid token'")
        if not tokens.is_open(task_token, *found):
            raise _task_timed_out()
        original_heartbeat(self, task_token)

    return {
        "send_task_success": send_task_success,
        "send_task_failure": send_task_failure,
        "send_task_heartbeat": send_task_heartbeat,
    }


def _start_execution(original: Callable[..., Any]) -> Callable[..., Any]:
    def start_execution(
        self: Any,
        state_machine_arn: str,
        name: str | None = None,
        execution_input: str | None = None,
        trace_header: Any = None,
    ) -> Any:
        from moto.moto_api._internal import mock_random
        from moto.stepfunctions.exceptions import InvalidExecutionInput

        if name is None:
            name = str(mock_random.uuid4())  # moto's seeded generator: the same run, the same names
        else:
            self._validate_name(name)  # InvalidName for characters, ValidationException past 80
        if execution_input is not None and text_bytes(execution_input) > PAYLOAD_LIMIT_BYTES:
            raise InvalidExecutionInput(
                f"Invalid State Machine Execution Input: 'the input is {text_bytes(execution_input)} "
                f"bytes (UTF-8); the limit is {PAYLOAD_LIMIT_BYTES}'"
            )
        return original(self, state_machine_arn, name, execution_input, trace_header)

    return start_execution


def _data_limit_exceeded(env: Any, cause: str) -> Exception:
    from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
    from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import (
        FailureEvent,
        FailureEventException,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name import (
        StatesErrorName,
    )
    from moto.stepfunctions.parser.asl.component.common.error_name.states_error_name_type import (
        StatesErrorNameType,
    )
    from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

    details: Any = EventDetails  # a TypedDict that moto fills one key of, as here
    return FailureEventException(
        failure_event=FailureEvent(
            env=env,
            error_name=StatesErrorName(typ=StatesErrorNameType.StatesStatesDataLimitExceeded),
            event_type=HistoryEventType.TaskFailed,
            event_details=details(
                taskFailedEventDetails=TaskFailedEventDetails(error=DATA_LIMIT_EXCEEDED, cause=cause)
            ),
        )
    )


def _interpreter_patches(tokens: TaskTokens, cls: Callable[[tuple[str, str]], Any]) -> list[Any]:
    error_equals, execution_state = cls(_ERROR_EQUALS), cls(_EXECUTION_STATE)
    service_task, callback_task, worker = cls(_SERVICE_TASK), cls(_CALLBACK_TASK), cls(_WORKER)
    original_error_equals = error_equals._eval_body
    original_attempt = execution_state._evaluate_with_timeout
    original_before = service_task._before_eval_execution
    original_wait = callback_task._eval_integration_pattern
    original_environment = worker._get_evaluation_environment

    def error_equals_eval_body(self: Any, env: Any) -> None:
        error_name = env.stack[-1]
        if getattr(error_name, "error_name", None) != DATA_LIMIT_EXCEEDED:
            original_error_equals(self, env)
            return
        env.stack.pop()  # a terminal error: only an ErrorEquals that names it matches, not States.ALL
        env.stack.append(any(name == error_name for name in self.error_names))

    def evaluate_with_timeout(self: Any, env: Any) -> None:
        token = _token_of(env)
        try:
            original_attempt(self, env)
        finally:  # the attempt is over (its result, its timeout or its failure): so is its wait
            if token is not None:
                tokens.wait_ended(token)

    def before_eval_execution(self: Any, env: Any, *args: Any, **kwargs: Any) -> None:
        parameters = kwargs.get("raw_parameters", args[1] if len(args) > 1 else None)
        if payload_bytes(parameters) > PAYLOAD_LIMIT_BYTES:
            raise _data_limit_exceeded(
                env,
                f"The state/task '{self._get_sfn_resource_type()}' has an input (after its Parameters or "
                "Arguments) with a size exceeding the maximum number of bytes service limit.",
            )
        original_before(self, env, *args, **kwargs)

    def eval_integration_pattern(self: Any, env: Any, *args: Any, **kwargs: Any) -> None:
        token = _token_of(env)
        if token is not None:  # from here on, the task waits for this token's answer
            tokens.wait_began(token)
        try:
            original_wait(self, env, *args, **kwargs)
        finally:
            if token is not None:
                tokens.wait_ended(token)

    def get_evaluation_environment(self: Any) -> Any:
        env = original_environment(self)
        env.event_manager = _history_limited_event_manager()(env)
        return env

    return [
        (error_equals, "_eval_body", error_equals_eval_body),
        (execution_state, "_evaluate_with_timeout", evaluate_with_timeout),
        (service_task, "_before_eval_execution", before_eval_execution),
        (callback_task, "_eval_integration_pattern", eval_integration_pattern),
        (worker, "_get_evaluation_environment", get_evaluation_environment),
    ]


def _within_size_limit(value: Any) -> bool:
    return payload_bytes(value) <= PAYLOAD_LIMIT_BYTES


def _class(where: tuple[str, str]) -> Any:
    return getattr(importlib.import_module(where[0]), where[1])


def patches() -> list[tuple[Any, str, Any]]:
    """(object, attribute, replacement) for moto_hooks._patched; one TaskTokens book per run."""
    tokens = TaskTokens()
    backend = _class(_PARSER_BACKEND)
    targets: list[tuple[Any, str, Any]] = [
        (backend, "start_execution", _start_execution(backend.start_execution)),
        *((backend, name, call) for name, call in _token_calls(tokens, backend.send_task_heartbeat).items()),
        *_interpreter_patches(tokens, _class),
        *((importlib.import_module(m), "is_within_size_quota", _within_size_limit) for m in SIZE_CHECK_USERS),
    ]
    return targets


@functools.cache
def _history_limited_event_manager() -> type:
    from moto.stepfunctions.parser.api import ExecutionFailedEventDetails
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager

    closing = {"ExecutionSucceeded", "ExecutionFailed", "ExecutionAborted", "ExecutionTimedOut"}
    failure = ExecutionFailedEventDetails(error=HISTORY_LIMIT_ERROR, cause=HISTORY_LIMIT_CAUSE)

    class HistoryLimitedEventManager(EventManager):
        """Writes at most HISTORY_EVENT_LIMIT events; the last one closes the execution.

        When event 25,000 would not close it, the execution fails instead: its program is put in
        error (every frame with it, and waits for task tokens are interrupted) and what its threads
        still report on their way out is not written. Nothing is raised into them: moto's handlers
        (a Map iteration's, for one) report their own errors through this same method.
        """

        def __init__(self, env: Any) -> None:
            super().__init__(cloud_watch_logging_session=env.cloud_watch_logging_session)
            self._env = env
            self._limit_lock = threading.Lock()
            self._full = False

        def add_event(self, context: Any, event_type: Any, *args: Any, **kwargs: Any) -> int:
            kind = str(getattr(event_type, "value", event_type))
            with self._limit_lock:
                written = len(self._history_event_list)
                limit = HISTORY_EVENT_LIMIT
                if self._full and not (kind == "ExecutionFailed" and written < limit):
                    return int(context.last_published_event_id)
                if written == limit - 1 and kind not in closing:
                    self._fail_execution()
                    return int(context.last_published_event_id)
                event_id: int = super().add_event(context, event_type, *args, **kwargs)
                self._full = self._full or len(self._history_event_list) >= limit
                return event_id

        def _fail_execution(self) -> None:
            self._full = True
            env = self._env
            set_error = env.set_error
            set_error(failure)
            # The states it interrupts end in errors of their own; the execution's stays this one.
            env.set_error = lambda *_args, **_kwargs: set_error(failure)
            for endpoint in list(env.callback_pool_manager._pool.values()):
                endpoint.interrupt_all()  # a task waiting for a token stops waiting now

    return HistoryLimitedEventManager
