"""Step Functions' "Execution Status Change" events, which moto never sends to EventBridge.

In AWS every Standard workflow execution that changes status puts an event on the default bus
(the Step Functions developer guide, "EventBridge (CloudWatch Events) for Step Functions execution
status changes"; delivery is best effort). The runtime emits one when an execution ends (SUCCEEDED,
FAILED, TIMED_OUT, ABORTED), in AWS's shape (events/aws/stepfunctions-execution-status-change-failed.json),
so the template's rules on it (the deploy reconciler) run as they would. RUNNING events are not emitted:
no rule of the application reads them.

StopExecution too, as AWS does it: the execution ends ABORTED at once, with the error and cause given
(moto drops both, and a Task waiting for a task token kept waiting until its timeout, then failed).
"""

from __future__ import annotations

import contextvars
import importlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

SOURCE = "aws.states"
DETAIL_TYPE = "Step Functions Execution Status Change"
# (module, class, attribute): checked by moto_hooks.check_internals
HOOKED: tuple[tuple[str, str | None, str], ...] = (
    ("moto.stepfunctions.parser.backend.execution", "BaseExecutionWorkerCommunication", "terminated"),
    ("moto.stepfunctions.parser.backend.execution", "Execution", "stop"),
    ("moto.stepfunctions.responses", "StepFunctionResponse", "stop_execution"),
)
# EventBridge's entry limit: beyond it Step Functions leaves the input and output out (inputDetails).
MAX_DATA_BYTES = 248 * 1024

Emit = Callable[[str, str, dict[str, Any], list[str]], Any]


def _millis(value: datetime | None) -> int | None:
    return int(value.timestamp() * 1000) if value is not None else None


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, separators=(",", ":"))


def detail(execution: Any) -> dict[str, Any]:
    """The event's detail for a moto execution, as Step Functions writes it."""
    status = execution.exec_status.value
    given = _json_text(execution.input_data)
    output = _json_text(execution.output) if status == "SUCCEEDED" else None
    input_included = (
        given is not None and len(given.encode()) + len((output or "").encode()) <= MAX_DATA_BYTES
    )
    output_included = output is not None and len(output.encode()) <= MAX_DATA_BYTES
    return {
        "executionArn": execution.exec_arn,
        "stateMachineArn": execution.state_machine_arn,
        "name": execution.name,
        "status": status,
        "startDate": _millis(execution.start_date),
        "stopDate": _millis(execution.stop_date),
        "input": given if input_included else None,
        "output": output if output_included else None,
        "inputDetails": {"included": input_included},
        "outputDetails": {"included": output_included} if output is not None else None,
        "error": execution.error,
        "cause": execution.cause,
    }


def _class(index: int) -> Any:
    module_name, class_name, _ = HOOKED[index]
    assert class_name is not None
    return getattr(importlib.import_module(module_name), class_name)


@contextmanager
def installed(emit: Emit) -> Iterator[None]:
    """Emit an event whenever an execution ends, for as long as the runtime runs."""
    communication, execution, responses = _class(0), _class(1), _class(2)
    originals = [
        (communication, "terminated", communication.terminated),
        (execution, "stop", execution.stop),
        (responses, "stop_execution", responses.stop_execution),
    ]
    end, stop, stop_call = (original for _, _, original in originals)
    given: contextvars.ContextVar[tuple[str | None, str | None]] = contextvars.ContextVar(
        "stop_given", default=(None, None)
    )

    def terminated(self: Any) -> None:
        end(self)
        emit(SOURCE, DETAIL_TYPE, detail(self.execution), [self.execution.exec_arn])

    def stopped(self: Any, stop_date: Any, error: str | None, cause: str | None) -> None:
        error, cause = given.get()  # moto's backend passes "" for both
        self.error, self.cause = error or None, cause or None
        stop(self, stop_date=stop_date, error=error, cause=cause)
        env = getattr(self.exec_worker, "env", None)
        if env is not None and not env.is_running():
            # Stopped: what the interrupted task reports on its way out (a timeout) is not the end.
            env.set_error = env.set_timed_out = lambda *_args, **_kwargs: None
            for endpoint in list(env.callback_pool_manager._pool.values()):
                endpoint.interrupt_all()  # a task waiting for a token stops waiting now

    def stop_execution(self: Any) -> Any:  # StepFunctionResponse: the request's error and cause
        token = given.set((self._get_param("error"), self._get_param("cause")))
        try:
            return stop_call(self)
        finally:
            given.reset(token)

    communication.terminated = terminated
    execution.stop = stopped
    responses.stop_execution = stop_execution
    try:
        yield
    finally:
        for owner, name, original in originals:
            setattr(owner, name, original)
