"""The layer's trimmed botocore models (scripts/botocore_models.py) against the template and botocore."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from fargate_ops import clients

REPO_ROOT = Path(__file__).resolve().parents[2]


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "botocore_models", REPO_ROOT / "scripts" / "botocore_models.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("botocore_models", module)
    spec.loader.exec_module(module)
    return module


SCRIPT = _script()


def _models() -> dict[str, dict[str, Any]]:
    return {
        path.parent.parent.name: json.loads(path.read_text())
        for path in sorted(clients.MODELS_DIR.glob("*/*/service-2.json"))
    }


def test_models_hold_exactly_the_operations_the_function_roles_grant() -> None:
    # As `scripts/botocore_models.py --check` compares: regenerate after a policy change.
    assert SCRIPT.committed_operations() == SCRIPT.wanted_operations()


def test_a_transaction_is_kept_because_its_item_actions_are_granted() -> None:
    # DynamoDB has no TransactWriteItems action; the reactions and the lease write transactions.
    assert "TransactWriteItems" in SCRIPT.committed_operations()["dynamodb"]


@pytest.mark.parametrize("service", sorted(_models()))
def test_every_shape_a_kept_operation_reaches_is_in_the_model(service: str) -> None:
    model = _models()[service]
    shapes = model["shapes"]
    missing = set()
    for name, operation in model["operations"].items():
        refs = [operation[part]["shape"] for part in ("input", "output") if part in operation]
        refs += [error["shape"] for error in operation.get("errors", [])]
        missing |= {f"{name}: {ref}" for ref in refs if ref not in shapes}
    for name, shape in shapes.items():
        refs = [shape[k]["shape"] for k in ("member", "key", "value") if k in shape]
        refs += [member["shape"] for member in shape.get("members", {}).values()]
        missing |= {f"{name}: {ref}" for ref in refs if ref not in shapes}
    assert not missing


def test_models_come_from_the_lambda_runtimes_botocore() -> None:
    """Written by a newer botocore, CloudWatch's model speaks smithy-rpc-v2-cbor, which the runtime's
    botocore cannot (the smoke step builds every client there to prove it)."""
    version = SCRIPT.runtime_botocore_version()
    assert f"botocore {version}" in (clients.MODELS_DIR / "README.md").read_text()
    assert {model["metadata"]["protocol"] for model in _models().values()} <= {
        "json",
        "rest-json",
        "query",
        "ec2",
    }


@pytest.mark.parametrize("service", sorted(_models()))
def test_the_layers_clients_are_built_from_the_trimmed_models(
    service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    clients.clear_cache()
    try:
        made = clients.client(service).meta.service_model
        assert sorted(made.operation_names) == sorted(_models()[service]["operations"])
    finally:
        clients.clear_cache()


def test_a_trimmed_client_and_its_paginators_load_without_listing_botocores_services(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The walk over botocore's ~400 data folders is skipped for trimmed models (clients.py says why);
    a service without one, such as sts, still loads through botocore's own path."""
    from botocore.loaders import Loader

    listed: list[str] = []
    original = Loader.list_available_services

    def listing(self: Loader, kind: str) -> list[str]:
        listed.append(kind)
        return original(self, kind)

    monkeypatch.setattr(Loader, "list_available_services", listing)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    clients.clear_cache()
    try:
        ec2 = clients.client("ec2")
        ec2.get_paginator("describe_network_interfaces")
        assert listed == []
        assert clients.client("sts").meta.service_model.api_version
        assert "service-2" in listed
    finally:
        clients.clear_cache()


@pytest.mark.parametrize("service", sorted(_models()))
def test_the_trimmed_loader_loads_what_botocores_own_loader_loads(service: str) -> None:
    """Extras included: EC2's paginators carry sdk extras in botocore's own data."""
    from botocore.loaders import Loader

    version = clients.model_versions()[service]
    trimmed = clients._trimmed_models_loader()
    stock = Loader(extra_search_paths=[str(clients.MODELS_DIR)])
    for kind in sorted(p.stem for p in (clients.MODELS_DIR / service / version).glob("*.json")):
        assert trimmed.load_service_model(service, kind, version) == stock.load_service_model(
            service, kind, version
        )
