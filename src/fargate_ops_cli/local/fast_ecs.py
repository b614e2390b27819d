"""moto's ECS, without its linear searches (installed by moto_hooks.installed): the local runtime's own
cost, not AWS's.

moto 5.2.5 finds a service by walking every service of every cluster and building each one's ARN (an
environment read per ARN): every UpdateService, TagResource (and each ARN of a tag:TagResources), and
ListTagsForResource of a service costs one walk, so a run that changes 1,000 services did 1,000,000 ARN
builds. moto keeps its services under ``<cluster>:<name>``; these hooks look there first and fall back
to moto's own walk when the key does not answer, so what is found (or refused) is what moto finds.
"""

from __future__ import annotations

import importlib
from typing import Any

_BACKEND = ("moto.ecs.models", "EC2ContainerServiceBackend")
HOOKED: tuple[tuple[str, str | None, str], ...] = tuple(
    (*_BACKEND, name) for name in ("_get_service", "_get_resource", "_get_cluster")
)


def _by_key(backend: Any, cluster: str, service: str) -> Any:
    """The service moto keeps under ``cluster:name`` if ``service`` (a name or ARN) is that one."""
    name = service.rsplit("/", 1)[-1] if service.startswith("arn:") else service
    found = backend.services.get(f"{cluster}:{name}")
    if found is None or (service.startswith("arn:") and found.arn != service):
        return None
    return found


def patches() -> list[tuple[Any, str, Any]]:
    """(owner, attribute, replacement) for moto_hooks._patched."""
    backend_cls = getattr(importlib.import_module(_BACKEND[0]), _BACKEND[1])
    get_service = backend_cls._get_service
    get_resource = backend_cls._get_resource

    def _get_service(self: Any, cluster_str: str, service_str: str) -> Any:
        cluster = self._get_cluster(cluster_str)
        found = _by_key(self, cluster.name, service_str)
        return found if found is not None else get_service(self, cluster_str, service_str)

    def _get_resource(self: Any, resource_arn: str, parsed_arn: dict[str, str]) -> Any:
        if parsed_arn.get("service") == "service" and parsed_arn.get("cluster_id"):
            found = _by_key(self, parsed_arn["cluster_id"], resource_arn)
            if found is not None:
                return found
        return get_resource(self, resource_arn, parsed_arn)

    return [(backend_cls, "_get_service", _get_service), (backend_cls, "_get_resource", _get_resource)]
