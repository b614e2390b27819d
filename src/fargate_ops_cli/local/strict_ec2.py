"""EC2's DeleteNetworkInterface as strict as AWS (installed by moto_hooks.installed).

moto 5.2.5 deletes a network interface whatever its status. AWS refuses one that is attached
(`in-use`, or on its way in or out) with `InvalidNetworkInterface.InUse`: only an `available` ENI can
be deleted. The world detaches a task's ENI before it deletes it, as ECS does (world/stopping.py), and
the cleanup must never delete an ENI a task uses.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable
from typing import Any

_BACKEND = ("moto.ec2.models.elastic_network_interfaces", "NetworkInterfaceBackend")
HOOKED: tuple[tuple[str, str | None, str], ...] = ((*_BACKEND, "delete_network_interface"),)
IN_USE = "InvalidNetworkInterface.InUse"


def _in_use_error(eni_id: str, status: str) -> Exception:
    from moto.ec2.exceptions import EC2ClientError

    return EC2ClientError(IN_USE, f"The network interface '{eni_id}' is currently in use ({status}).")


def _guarded(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def delete_network_interface(self: Any, eni_id: str) -> Any:
        eni = self.enis.get(eni_id)
        if eni is not None and eni.status != "available":
            raise _in_use_error(eni_id, eni.status)
        return original(self, eni_id)

    return delete_network_interface


def patches() -> list[tuple[Any, str, Any]]:
    """(object, attribute, replacement) for moto_hooks._patched."""
    backend = getattr(importlib.import_module(_BACKEND[0]), _BACKEND[1])
    return [(backend, "delete_network_interface", _guarded(backend.delete_network_interface))]
