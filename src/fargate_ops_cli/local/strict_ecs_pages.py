"""ECS's ListTaskDefinitions in pages, as AWS answers it (installed by moto_hooks.installed).

moto 5.2.5 answers ListTaskDefinitions with every revision of the status in one page, whatever
``maxResults`` says, and never a ``nextToken``. AWS pages it: at most ``maxResults`` (1 to 100, 100 when
absent) per page, and a ``nextToken`` while more remain. Without this a run over 10,000 revisions makes
3 calls where AWS takes ~100, and the calls `make bench` counts would be fewer than AWS's.
"""

from __future__ import annotations

import base64
import functools
import importlib
import json
from collections.abc import Callable
from typing import Any

_RESPONSE = ("moto.ecs.responses", "EC2ContainerServiceResponse")
HOOKED: tuple[tuple[str, str | None, str], ...] = ((*_RESPONSE, "list_task_definitions"),)
MOST = 100  # ListTaskDefinitions: maxResults between 1 and 100


def _token(offset: int, status: str, family: str | None) -> str:
    return base64.urlsafe_b64encode(json.dumps([offset, status, family]).encode()).decode()


def _offset(token: str, status: str, family: str | None) -> int | None:
    try:
        offset, for_status, for_family = json.loads(base64.urlsafe_b64decode(token.encode()))
    except ValueError:
        return None
    return int(offset) if (for_status, for_family) == (status, family) and offset >= 0 else None


def _paged(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def list_task_definitions(self: Any) -> Any:
        from moto.core.responses import ActionResult
        from moto.ecs.exceptions import InvalidParameterException

        family = self._get_param("familyPrefix")
        status = self._get_param("status", "ACTIVE")
        most = self._get_param("maxResults")
        if most is None:
            most = MOST
        if not isinstance(most, int) or not 1 <= most <= MOST:
            raise InvalidParameterException("maxResults must be between 1 and 100.")
        token = self._get_param("nextToken")
        start = 0 if token is None else _offset(str(token), status, family)
        if start is None:
            raise InvalidParameterException("Invalid token")
        arns = self.ecs_backend.list_task_definitions(family, status)
        page: dict[str, Any] = {"taskDefinitionArns": arns[start : start + most]}
        if start + most < len(arns):
            page["nextToken"] = _token(start + most, status, family)
        return ActionResult(page)

    return list_task_definitions


def patches() -> list[tuple[Any, str, Any]]:
    """(object, attribute, replacement) for moto_hooks._patched."""
    response = getattr(importlib.import_module(_RESPONSE[0]), _RESPONSE[1])
    return [(response, "list_task_definitions", _paged(response.list_task_definitions))]
