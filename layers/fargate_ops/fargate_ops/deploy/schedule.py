"""A deploy of an application whose live slot follows a scaling schedule (docs/scaling.md).

The reconciler leaves an application alone while a deploy holds its lease, so a window edge that falls
inside a deploy is not acted on by the schedule. Two things make the deploy end at the capacity the
schedule wants anyway:

- **green is sized from the schedule**: ScaleUpGreen and every shift read what the live slot's
  schedule wants now (override included) and size green from it instead of the live count (a
  ``desired``, or the live count clamped into ``min``..``max``), so a window that opens during the
  deploy sizes green too; outside every window without a default (the schedule leaves the service as
  it was), from the live count as always. ScaleUpGreen notes the schedule in the document (its opt-in
  tag, read with the live slot's DescribeServices); a deploy without one reads nothing more;
- **the deploy's end hands the schedule over**: ReleaseLease invokes the reconciler at once
  (asynchronously: the deploy never waits for it or fails by it), which finds the lease gone and the
  new live slot live, and brings it to what the schedule wants now. Without that the next periodic run
  would, up to ScalingIntervalMinutes later.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from fargate_ops import clock
from fargate_ops.errors import FargateOpsError
from fargate_ops.observability import logger

if TYPE_CHECKING:
    from fargate_ops.deploy.context import StepContext
    from fargate_ops.models.deploy import DeployDocument


def schedule_of(ctx: StepContext, service: Mapping[str, Any]) -> str | None:
    """The schedule a service (a DescribeServices entry with its tags) opts in to, if any."""
    tags = {t.get("key"): t.get("value") for t in service.get("tags", [])}
    return tags.get(ctx.settings.scaling_tag_key) or None


def scheduled_count(ctx: StepContext, cluster: str, schedule_name: str, service: str, live_count: int) -> int:
    """The count green is sized from: what the live slot's schedule wants now, else ``live_count``."""
    # Imported here: the schedule models and their evaluator are only for services that opt in to a
    # schedule, and every deploy step's cold start would import them otherwise.
    from fargate_ops.aws.store_scaling import ScalingStore
    from fargate_ops.domain.schedule import capacity_at

    store = ScalingStore(ctx.client_factory("dynamodb"), ctx.settings.table_name)
    try:
        schedule = store.get_schedule(schedule_name)
        override = store.get_override(cluster, service)
    except FargateOpsError as err:  # a schedule that cannot be read sizes nothing: the live count
        logger.warning("the live slot's schedule could not be read", extra={"error": str(err)})
        return live_count
    if schedule is None:
        return live_count
    wanted = capacity_at(
        schedule, datetime.fromtimestamp(clock.now_epoch(), UTC), [override] if override else []
    )
    if wanted.reason.kind == "saved":  # outside every window, no default: the service as it is
        return live_count
    if wanted.desired is not None:
        return wanted.desired
    low = wanted.min if wanted.min is not None else live_count
    high = wanted.max if wanted.max is not None else live_count
    return max(low, min(high, live_count))


def hand_over(doc: DeployDocument, ctx: StepContext) -> None:
    """Run the reconciler now (the lease is released): the schedule reaches the slot that is live now."""
    function = ctx.settings.scaling_function_name
    if doc.schedule is None or not function:
        return
    payload = {"source": "deploy-end", "deploy_id": doc.deploy_id, "application": doc.application}
    try:
        ctx.client_factory("lambda").invoke(
            FunctionName=function, InvocationType="Event", Payload=json.dumps(payload).encode()
        )
    except ClientError as err:  # the next periodic run hands it over instead
        logger.warning("the scaling reconciler could not be invoked", extra={"error": str(err)})
        doc.notes.append("scaling reconciler not invoked at the deploy's end: the next periodic run acts")
        return
    doc.notes.append(f"schedule {doc.schedule} handed to the live slot")
