"""In Lambda, the collector is off until the first invocation ends, then what the cold start kept is
frozen (fargate_ops/observability.py: _defer_collection); elsewhere the collector is left alone."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from fargate_ops import observability


@pytest.fixture(autouse=True)
def collector() -> Iterator[None]:
    yield
    gc.unfreeze()
    gc.enable()


def collecting(event: Any, context: Any) -> bool:
    return gc.isenabled()


def test_in_lambda_the_first_invocation_runs_without_collections_then_the_heap_is_frozen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_EXECUTION_ENV", "AWS_Lambda_python3.13")
    gc.unfreeze()
    handler = observability.entry_point(collecting)

    assert not gc.isenabled()  # from the handler module's import on
    assert handler({}, None) is False
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0
    assert handler({}, None) is True  # the second invocation collects as usual


def test_a_failed_first_invocation_turns_the_collector_back_on_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_EXECUTION_ENV", "AWS_Lambda_python3.13")

    def fails(event: Any, context: Any) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        observability.entry_point(fails)({}, None)
    assert gc.isenabled()


def test_outside_lambda_the_collector_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_EXECUTION_ENV", raising=False)
    gc.unfreeze()
    handler = observability.entry_point(collecting)

    assert handler({}, None) is True
    assert gc.get_freeze_count() == 0
