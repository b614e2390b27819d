"""Which clusters the scaling reconciler looks at: every cluster whose name matches the pattern."""

from __future__ import annotations

import fnmatch

from fargate_ops.aws.ecs import EcsAdapter
from fargate_ops.domain.services import cluster_name


def clusters_in_scope(ecs: EcsAdapter, pattern: str) -> list[str]:
    names = [cluster_name(arn) for arn in ecs.list_clusters()]
    return sorted(name for name in names if fnmatch.fnmatchcase(name, pattern))
