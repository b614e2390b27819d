"""Faults a scenario injects on purpose (`faults:`): throttled AWS calls and failing deploy steps.

    faults:
      throttle: {service: ecs, rate: 0.3, seed: 1}    # 3 of every 10 ECS calls: ThrottlingException
      # or: {service: stepfunctions, operation: SendTaskFailure, times: 1}   # the first such call only
      fail_step: {step: shift_traffic, times: 1}      # the step Lambda fails once (or "always")
      fail_step: {step: rollback, times: always, error: TransientError}   # named as Step Functions sees it
      unprocessed: {items_per_call: 10}   # each BatchWriteItem writes 10, hands back the rest

Both are deterministic, so a scenario with faults still gives the same report every run. Throttling
short-circuits the request in botocore's before-call hook (clients.COUNTER), so botocore's own retries
do not absorb it: the adapters see ThrottlingException and the state machine's Retry must cope.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from fargate_ops_cli.local import strict_dynamodb
from fargate_ops_cli.local.clients import COUNTER

if TYPE_CHECKING:
    from fargate_ops_cli.local.runtime import LocalRuntime
    from fargate_ops_cli.local.scenario import FailStepFault, Faults, ThrottleFault

DECADE = 10


class InjectedFaultError(RuntimeError):
    """A failure a scenario asked for (the Lambda's error name, as Step Functions sees it)."""


def throttler(fault: ThrottleFault) -> Any:
    """callable(service, operation) -> bool: of every ten calls to the service, the first rate*10; or
    the first `times` calls (of the operation, if the fault names one)."""
    calls: Counter[str] = Counter()
    if fault.times is not None:
        return _first_calls(fault.service, fault.operation, fault.times)
    assert fault.rate is not None
    throttled_per_decade = max(1, min(DECADE - 1, round(fault.rate * DECADE)))

    def throttle(service: str, operation: str) -> bool:
        if service != fault.service or fault.operation not in (None, operation):
            return False
        index = calls[service] + fault.seed
        calls[service] += 1
        return index % DECADE < throttled_per_decade

    return throttle


def _first_calls(service: str, operation: str | None, times: int) -> Any:
    left = [times]

    def throttle(called_service: str, called_operation: str) -> bool:
        if called_service != service or operation not in (None, called_operation) or left[0] == 0:
            return False
        left[0] -= 1
        return True

    return throttle


def step_failer(fault: FailStepFault) -> Any:
    """callable(function, event): raises before the deploy step Lambda runs ``fault.step``."""
    always = fault.times == "always"
    left = [0 if isinstance(fault.times, str) else fault.times]
    # Lambda reports the raised class's name as the errorType that ErrorEquals matches: a class of
    # that name stands for the package's error (a TransientError from an adapter, say).
    error = (
        InjectedFaultError
        if fault.error == InjectedFaultError.__name__
        else type(fault.error, (InjectedFaultError,), {})
    )

    def before(function: str, event: Any) -> None:
        if not isinstance(event, dict) or event.get("step") != fault.step:
            return
        if always or left[0] > 0:
            left[0] -= 1
            raise error(f"injected fault: the {fault.step} step failed (scenario faults.fail_step)")

    return before


def install(faults: Faults | None, runtime: LocalRuntime) -> None:
    """Arm the scenario's faults for this run (the runtime disarms the throttle when it closes)."""
    if faults is None:
        return
    if faults.throttle is not None:
        COUNTER.throttle = throttler(faults.throttle)
    if faults.fail_step is not None:
        runtime.lambdas.before_handler = step_failer(faults.fail_step)
    if faults.unprocessed is not None:
        strict_dynamodb.BATCH_WRITES.items_per_call = faults.unprocessed.items_per_call
