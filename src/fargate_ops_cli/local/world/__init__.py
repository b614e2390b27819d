"""The Fargate world simulator: ECS tasks, ALB target health and metrics, CloudWatch alarms, on virtual time.

Names are imported lazily so that `world.spec` (the scenario models) stays importable without moto.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "FargateSimulator": "simulator",
    "ImageBehaviour": "spec",
    "WorldSpec": "spec",
    "ProvisionedService": "provision",
    "ProvisionedWorld": "provision",
    "provision": "provision",
    "WorldSnapshot": "snapshot",
    "check": "invariants",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
