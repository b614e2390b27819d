"""The local runtime's start-up: what it spends its time on, and what it no longer does twice."""

import tracemalloc

import botocore.loaders
import pytest

from fargate_ops_cli.local.runtime import LocalRuntime

from .test_moto_internals import TOY


def test_memory_is_traced_from_the_end_of_the_template_deploy_on() -> None:
    with LocalRuntime(TOY, measure_memory=True) as runtime:
        assert not tracemalloc.is_tracing(), "tracing the template's deploy triples the start-up"
        runtime.deploy_stack()
        assert tracemalloc.is_tracing(), "the functions' memory is measured from here on"
    assert not tracemalloc.is_tracing()


def test_a_second_runtime_reads_no_botocore_data_file_again(monkeypatch: pytest.MonkeyPatch) -> None:
    with LocalRuntime(TOY) as first:
        first.clients.client("stepfunctions")
    reads: list[str] = []
    original = botocore.loaders.JSONFileLoader.load_file
    monkeypatch.setattr(
        botocore.loaders.JSONFileLoader,
        "load_file",
        lambda self, path: reads.append(path) or original(self, path),
    )
    with LocalRuntime(TOY) as second:
        second.clients.client("stepfunctions").list_state_machines()
    assert reads == [], "endpoints and service models are read once per process"
