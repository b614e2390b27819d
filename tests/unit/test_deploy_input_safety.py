"""A bad deploy input is refused with the field it is about, before any AWS call (none, mutating or not)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fargate_ops.deploy import run_step
from fargate_ops.deploy.context import StepContext
from fargate_ops.errors import DeployInputError
from fargate_ops.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
GOOD: dict[str, Any] = json.loads((ROOT / "events" / "deploy-input.json").read_text())


class RecordingClients:
    """A client factory whose clients record every call (and answer nothing)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, service: str) -> Any:
        recorder = self

        class Client:
            def __getattr__(self, name: str) -> Any:
                def call(*args: Any, **kwargs: Any) -> Any:
                    recorder.calls.append(f"{service}:{name}")
                    raise AssertionError(f"no AWS call expected, got {service}:{name}")

                return call

        return Client()


def _plan(raw: Any) -> tuple[RecordingClients, DeployInputError]:
    clients = RecordingClients()
    ctx = StepContext(
        Settings(table_name="t", topic_arn="arn:aws:sns:us-east-1:123456789012:t"), client_factory=clients
    )
    with pytest.raises(DeployInputError) as caught:
        run_step({"step": "plan", "deploy": raw, "execution": "x"}, ctx)
    return clients, caught.value


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**6), max_value=10**6),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)

# (path into the input, a bad value for it)
BREAKAGES = st.one_of(
    st.tuples(st.just(("deploy_id",)), st.sampled_from(["", "has space", "x" * 81, 7])),
    st.tuples(st.just(("cluster",)), st.sampled_from(["", "bad/name", None])),
    st.tuples(st.just(("slots",)), st.sampled_from([[], ["a", "a"], ["a", "b", "c"], "web"])),
    st.tuples(
        st.just(("listener_arn",)),
        st.sampled_from(["listener", "arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/x"]),
    ),
    st.tuples(
        st.just(("change",)),
        st.sampled_from([{}, {"images": {}}, {"images": {"app": "x"}, "task_definition": "t"}]),
    ),
    st.tuples(
        st.just(("strategy",)),
        st.sampled_from(
            [
                "rainbow",
                {"type": "canary", "percent": 0, "bake": 60},
                {"type": "canary", "percent": 10},
                {"type": "linear", "step_percent": 100, "interval": 60},
                {"type": "steps", "steps": []},
                {"type": "steps", "steps": [{"percent": 50, "bake": 60}]},
                {"type": "steps", "steps": [{"percent": 100, "bake": 60}]},
                {"type": "canary", "percent": 10, "bake": "forever"},
            ]
        ),
    ),
    st.tuples(st.just(("readiness_timeout_seconds",)), st.sampled_from([0, 29, 86_401, "soon"])),
    st.tuples(st.just(("rollback_window_seconds",)), st.sampled_from([-1, 86_401])),
    st.tuples(st.just(("alarms",)), st.sampled_from([["a", "a"], "alarm", [""], ["x"] * 101])),
    st.tuples(
        st.just(("analysis",)),
        st.sampled_from([{}, {"max_5xx_rate_delta": -0.1}, {"max_latency_ratio": 0.5}]),
    ),
    st.tuples(st.just(("approval",)), st.sampled_from(["always", True])),
    st.tuples(
        st.just(("validation_hook",)), st.sampled_from(["hook", "arn:aws:lambda:us-east-1:1:function:x"])
    ),
    st.tuples(st.just(("notification_topic",)), st.sampled_from(["topic"])),
    st.tuples(st.text(min_size=1, max_size=12).filter(lambda k: k not in GOOD).map(lambda k: (k,)), junk),
)


@settings(max_examples=150, deadline=None)
@given(BREAKAGES)
def test_any_bad_field_is_named_and_nothing_is_called(breakage: tuple[tuple[str, ...], Any]) -> None:
    path, value = breakage
    raw = copy.deepcopy(GOOD)
    raw[path[0]] = value

    clients, error = _plan(raw)

    assert error.field == path[0] or error.field.startswith(f"{path[0]}."), str(error)
    assert clients.calls == []


@settings(max_examples=50, deadline=None)
@given(junk)
def test_an_input_that_is_not_even_a_mapping_is_refused_without_calls(raw: Any) -> None:
    clients, error = _plan(raw)

    assert error.field
    assert clients.calls == []
