"""Logger and Metrics, created once for the whole package.

No Powertools Tracer: the template's ``Tracing: Active`` gives each invocation its X-Ray segment from
the Lambda service itself, and the Tracer (aws-xray-sdk, patching botocore) would cost cold start for
subsegments nobody reads.

Keys bound per invocation are thread-local, and each invocation gathers its metrics in its own
``EphemeralMetrics`` (Powertools' ``Metrics`` instances share one class-level metric set): in Lambda an
invocation has its process to itself, but the local runtime runs several handlers in one process, on
several threads at once, and one invocation's ``deploy_id`` or metrics must not leak into another's.
"""

from __future__ import annotations

import contextvars
import functools
import gc
import logging
import os
from collections.abc import Callable
from typing import Any, TypeVar

from aws_lambda_powertools.logging import Logger
from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from fargate_ops.domain.redaction import redacted

SERVICE_NAME = os.environ.get("POWERTOOLS_SERVICE_NAME", "fargate-ops")
NAMESPACE = os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "FargateOps")

logger = Logger(service=SERVICE_NAME)
# Outside an invocation (tests calling the library directly) metrics gather here and are never flushed.
_outside = EphemeralMetrics(namespace=NAMESPACE, service=SERVICE_NAME)
_metrics: contextvars.ContextVar[EphemeralMetrics] = contextvars.ContextVar("fargate_ops_metrics")

Handler = TypeVar("Handler", bound=Callable[[Any, Any], Any])


def bind(**keys: object) -> None:
    """Add structured keys to every following log line of this invocation (this thread)."""
    logger.thread_safe_append_keys(**{k: v for k, v in keys.items() if v is not None})


def count(name: str, value: float = 1) -> None:
    """One metric per outcome (this invocation's)."""
    _metrics.get(_outside).add_metric(name=name, unit=MetricUnit.Count, value=value)


# CPython's collector runs every 2,000 net allocations (gc.get_threshold()). A cold start (boto3,
# botocore's models and clients, these modules) allocates a few hundred thousand objects and keeps
# nearly all: measured in scripts/bench_cold_start.py's layout, cleanup's first event ran 35
# collections for 57-64 ms CPU that found ~900 unreachable objects (ecs_events 31 for 32-38 ms, ~640).
# So in Lambda the collector is off until the first invocation ends; then gc.freeze() moves what the
# cold start kept into the permanent generation, which later collections never walk again, and it is
# back on. The price: the few hundred cyclic garbage objects of the cold start are never freed.
# A larger threshold alone was no cheaper: a young collection costs what it walks, so it only batched
# the same work.


def _defer_collection() -> Callable[[], None] | None:
    """In Lambda only (the local runtime and tests run many handlers in one long process): stop the
    collector, and return what freezes the cold start's objects and starts it again."""
    if not os.environ.get("AWS_EXECUTION_ENV", "").startswith("AWS_Lambda_"):
        return None
    gc.disable()

    def restore() -> None:
        gc.freeze()
        gc.enable()

    return restore


def entry_point(handler: Handler) -> Handler:
    """Wrap a Lambda handler: fresh per-invocation log keys, event at DEBUG (redacted: no environment
    value, no task token), metrics flushed at the end; in Lambda, no garbage collection until the first
    invocation ends (_defer_collection).

    Tolerates a ``None`` or minimal context (local runtime, tests).
    """
    restore = _defer_collection()

    @functools.wraps(handler)
    def wrapper(event: Any, context: Any) -> Any:
        nonlocal restore
        logger.thread_safe_clear_keys()
        bind(
            function_name=getattr(context, "function_name", None),
            request_id=getattr(context, "aws_request_id", None),
        )
        if logger.log_level <= logging.DEBUG:  # redacted: environment values hashed, no task token
            logger.debug("event", extra={"event": redacted(event)})
        metrics = EphemeralMetrics(namespace=NAMESPACE, service=SERVICE_NAME)
        token = _metrics.set(metrics)
        try:
            return handler(event, context)
        finally:
            _metrics.reset(token)
            if metrics.metric_set:
                metrics.flush_metrics()
            logger.thread_safe_clear_keys()
            if restore is not None:
                restore()
                restore = None

    return wrapper  # type: ignore[return-value]
