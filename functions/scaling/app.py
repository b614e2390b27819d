"""ScalingFunction: one reconcile run (docs/scaling.md).

Invoked by the periodic EventBridge Scheduler schedule (``{"source": "tick"}``) and by the one-time
schedule it keeps at the next window edge (``{"source": "edge"}``); both do the same run. Returns what
it did: the actions, the deferred services, the errors and the next edge.
"""

from __future__ import annotations

from typing import Any

from fargate_ops.observability import bind, entry_point
from fargate_ops.settings import Settings


@entry_point
def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    from fargate_ops import clients
    from fargate_ops.aws.ecs import EcsAdapter
    from fargate_ops.aws.scaling import ScalingAdapter
    from fargate_ops.aws.scaling_images import ImageChecker
    from fargate_ops.aws.scaling_traffic import TrafficReader
    from fargate_ops.aws.sns import SnsAdapter
    from fargate_ops.aws.store import Store
    from fargate_ops.aws.store_scaling import ScalingStore
    from fargate_ops.scaling.image_gate import ImageGate
    from fargate_ops.scaling.reconciler import Reconciler, ReconcileSettings
    from fargate_ops.scaling.scope import clusters_in_scope

    settings = Settings.from_env()
    source = event.get("source") if isinstance(event, dict) else None
    bind(source=source or "tick")
    dynamodb = clients.client("dynamodb")
    aws = ScalingAdapter(
        clients.client("ecs"),
        clients.client("application-autoscaling"),
        clients.client("events"),
        clients.client("scheduler"),
        clients.client("resourcegroupstaggingapi"),
    )
    scaling = ScalingStore(dynamodb, settings.table_name)
    gate = ImageGate(
        ImageChecker(clients.client("ecs"), clients.client("ecr")),
        SnsAdapter(clients.client("sns"), settings.topic_arn),
        scaling,
        settings.timeline_retention_days,
    )
    reconciler = Reconciler(
        aws,
        scaling,
        Store(dynamodb, settings.table_name),
        ReconcileSettings(
            tag_key=settings.scaling_tag_key,
            edge_schedule_name=settings.edge_schedule_name,
            scheduler_role_arn=settings.scheduler_role_arn,
            timeline_retention_days=settings.timeline_retention_days,
        ),
        function_arn=getattr(context, "invoked_function_arn", None) if settings.edge_schedule_name else None,
        gate=gate,
        traffic=lambda: TrafficReader(clients.client("elbv2")),
    )
    ecs = EcsAdapter(clients.client("ecs"))
    return reconciler.run(lambda: clusters_in_scope(ecs, settings.cluster_name_pattern)).as_dict()
