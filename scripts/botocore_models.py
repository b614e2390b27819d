"""The layer's own botocore service models: only the operations the functions' roles may call.

    .venv/bin/python scripts/botocore_models.py          # write layers/.../fargate_ops/botocore_models/
    .venv/bin/python scripts/botocore_models.py --check  # exit 1 if they do not match the template

Why: botocore parses a service's whole model when a client is made. EC2's is 3.6 MB of JSON (about
60 ms of a cold start, for the four EC2 operations cleanup calls), DynamoDB's half a megabyte, and each
client's class gets a method per operation. A client made from a model with only the operations the
code calls costs a few milliseconds. botocore's loader looks in the `data_path` folders before its
own data (`botocore.loaders.create_loader`), so `fargate_ops/clients.py` puts this folder first and
every function's client, in Lambda, in the local runtime and in the tests, is made from these models.

What goes in is the template's to say: each function's execution role lists the actions it may call
(the `Policies:` of every `AWS::Serverless::Function`). A call the role does not grant would be
refused by IAM anyway; a call outside these models fails in every test that makes it
(`AttributeError: 'EC2' object has no attribute ...`), as it would in Lambda. `tests/packaging/
test_botocore_models.py` checks that the committed models hold exactly the granted operations.

Each service's folder is self-sufficient: the trimmed `service-2.json`, the endpoint rules and the
paginators of the kept operations, all from one botocore: the Lambda runtime's (the version of
`scripts/smoke_package.py`'s RUNTIME_REQUIREMENTS, fetched with pip into .cache/). Models are read by
botocore versions at least as new as the one that wrote them, never older: the dev venv's botocore
writes CloudWatch's model with the `smithy-rpc-v2-cbor` protocol, which the runtime's 1.35 cannot
speak (its clients would fail to build in Lambda), while the runtime's model says `query`, which every
newer botocore still reads. clients.py asks for each service's API version of this folder by name, so
a newer API version in the reading botocore's own data never takes the place of these models.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template.yaml"
MODELS = ROOT / "layers" / "fargate_ops" / "fargate_ops" / "botocore_models"

# IAM's service prefix -> botocore's service name, for the services the functions call.
SERVICES = {
    "application-autoscaling": "application-autoscaling",
    "cloudwatch": "cloudwatch",
    "dynamodb": "dynamodb",
    "ec2": "ec2",
    "ecr": "ecr",
    "ecs": "ecs",
    "elasticloadbalancing": "elbv2",
    "events": "events",
    "lambda": "lambda",
    "logs": "logs",
    "scheduler": "scheduler",
    "sns": "sns",
    "states": "stepfunctions",
    "tag": "resourcegroupstaggingapi",
}
# IAM actions that are not named as their API operation (Service Authorization Reference). DynamoDB
# has no action for a transaction: TransactWriteItems is authorised item by item (PutItem, UpdateItem,
# DeleteItem, ConditionCheckItem), and ConditionCheckItem exists only inside it, so granting that
# action is what says the code writes transactions.
OPERATION_OF_ACTION = {"lambda:InvokeFunction": "Invoke", "dynamodb:ConditionCheckItem": "TransactWriteItems"}
# SAM policy templates the functions use, and the actions they grant.
POLICY_TEMPLATES = {"SNSPublishMessagePolicy": ("sns:Publish",)}
KEPT_FILES = ("endpoint-rule-set-1",)


def granted_actions(template: dict[str, Any]) -> set[str]:
    """Every action an `AWS::Serverless::Function`'s `Policies:` grant (inline statements and the
    SAM policy templates above)."""
    actions: set[str] = set()
    for resource in template["Resources"].values():
        if resource.get("Type") != "AWS::Serverless::Function":
            continue
        for policy in resource.get("Properties", {}).get("Policies", []):
            if not isinstance(policy, dict):
                raise SystemExit(
                    f"a managed policy by name ({policy!r}) is not read here: add it to this script"
                )
            if "Statement" not in policy:
                (name,) = policy
                if name not in POLICY_TEMPLATES:
                    raise SystemExit(f"SAM policy template {name} is not known to this script: add it")
                actions.update(POLICY_TEMPLATES[name])
                continue
            for statement in policy["Statement"]:
                if statement.get("Effect", "Allow") != "Allow":
                    continue
                action = statement["Action"]
                actions.update([action] if isinstance(action, str) else action)
    return actions


def operations(actions: Iterable[str], all_operations: dict[str, list[str]]) -> dict[str, list[str]]:
    """botocore service -> the operations the actions name (wildcards matched against the service's
    operations, as IAM matches them)."""
    import fnmatch

    wanted: dict[str, set[str]] = defaultdict(set)
    for action in actions:
        prefix, _, name = action.partition(":")
        service = SERVICES.get(prefix)
        if service is None:
            continue
        name = OPERATION_OF_ACTION.get(action, name)
        matched = [op for op in all_operations[service] if fnmatch.fnmatchcase(op.lower(), name.lower())]
        if not matched and "*" not in name:
            raise SystemExit(f"{action}: no operation {name} in botocore's {service} model")
        wanted[service].update(matched)
    return {service: sorted(ops) for service, ops in sorted(wanted.items())}


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in ("documentation", "documentationUrl")}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def trim(model: dict[str, Any], keep: Iterable[str]) -> dict[str, Any]:
    """The model with only `keep`'s operations and the shapes they reach, documentation left out."""
    shapes = model["shapes"]
    reached: set[str] = set()

    def reach(name: str) -> None:
        if name in reached:
            return
        reached.add(name)
        shape = shapes[name]
        refs = [shape.get(k) for k in ("member", "key", "value")] + list(shape.get("members", {}).values())
        for ref in refs:
            if ref:
                reach(ref["shape"])

    kept_operations = {}
    for name in keep:
        operation = model["operations"][name]
        for part in ("input", "output"):
            if part in operation:
                reach(operation[part]["shape"])
        for error in operation.get("errors", []):
            reach(error["shape"])
        kept_operations[name] = _strip(operation)
    trimmed = {k: v for k, v in model.items() if k not in ("operations", "shapes", "documentation")}
    return {
        **_strip(trimmed),
        "operations": kept_operations,
        "shapes": {name: _strip(shapes[name]) for name in sorted(reached)},
    }


def runtime_botocore_version() -> str:
    """boto3 and botocore share their version numbers: the runtime's boto3==X runs on botocore X."""
    sys.path.insert(0, str(ROOT / "scripts"))
    import smoke_package

    (pin,) = [line for line in smoke_package.RUNTIME_REQUIREMENTS.splitlines() if line.startswith("boto3==")]
    return pin.removeprefix("boto3==")


def _runtime_data() -> Path:
    """The data folder of the Lambda runtime's botocore, downloaded once into .cache/."""
    import subprocess
    import zipfile

    version = runtime_botocore_version()
    target = ROOT / ".cache" / f"botocore-{version}"
    data = target / "botocore" / "data"
    if not data.is_dir():
        wheels = target / "wheel"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--quiet",
                f"botocore=={version}",
                "-d",
                str(wheels),
            ],
            check=True,
        )
        (wheel,) = wheels.glob("botocore-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(target, [n for n in archive.namelist() if n.startswith("botocore/data/")])
    return data


def _loader(data: Path | None = None) -> Any:
    """A loader over one botocore's data only (never a folder of a previous run of this script):
    `data`'s, or the installed botocore's when none is given."""
    import botocore.loaders

    if data is None:
        return botocore.loaders.Loader()
    return botocore.loaders.Loader(extra_search_paths=[str(data)], include_default_search_paths=False)


def _all_operations(loader: Any) -> dict[str, list[str]]:
    return {
        service: list(loader.load_service_model(service, "service-2")["operations"])
        for service in SERVICES.values()
    }


def wanted_operations() -> dict[str, list[str]]:
    from samtranslator.yaml_helper import yaml_parse

    return operations(granted_actions(yaml_parse(TEMPLATE.read_text())), _all_operations(_loader()))


def committed_operations(folder: Path = MODELS) -> dict[str, list[str]]:
    """botocore service -> the operations of the committed trimmed model."""
    found = {}
    for path in sorted(folder.glob("*/*/service-2.json")):
        found[path.parent.parent.name] = sorted(json.loads(path.read_text())["operations"])
    return found


def _dump(path: Path, document: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, separators=(",", ":"), sort_keys=True) + "\n")


def write(folder: Path = MODELS) -> dict[str, list[str]]:
    loader = _loader(_runtime_data())
    wanted = operations(granted_actions(_template()), _all_operations(loader))
    shutil.rmtree(folder, ignore_errors=True)
    for service, ops in wanted.items():
        version = loader.determine_latest_version(service, "service-2")
        base = folder / service / version
        _dump(base / "service-2.json", trim(loader.load_service_model(service, "service-2", version), ops))
        for kept in KEPT_FILES:
            _dump(base / f"{kept}.json", loader.load_service_model(service, kept, version))
        paginators = loader.load_service_model(service, "paginators-1", version)["pagination"]
        mine = {op: config for op, config in paginators.items() if op in ops}
        if mine:
            _dump(base / "paginators-1.json", {"pagination": mine})
    (folder / "README.md").write_text(
        "Generated by `scripts/botocore_models.py` from template.yaml's function policies and the\n"
        f"Lambda runtime's botocore {runtime_botocore_version()}: do not edit; why: its docstring.\n"
    )
    return wanted


def _template() -> dict[str, Any]:
    from samtranslator.yaml_helper import yaml_parse

    return dict(yaml_parse(TEMPLATE.read_text()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="compare with the committed models; write nothing"
    )
    args = parser.parse_args()
    if args.check:
        wanted, committed = wanted_operations(), committed_operations()
        if wanted != committed:
            print("botocore_models/ does not match the template's function policies:", file=sys.stderr)
            for service in sorted(set(wanted) | set(committed)):
                extra = sorted(set(committed.get(service, [])) - set(wanted.get(service, [])))
                missing = sorted(set(wanted.get(service, [])) - set(committed.get(service, [])))
                if extra or missing:
                    print(f"  {service}: missing {missing}, not granted {extra}", file=sys.stderr)
            print("run: .venv/bin/python scripts/botocore_models.py", file=sys.stderr)
            raise SystemExit(1)
        print(
            f"{sum(map(len, wanted.values()))} operations of {len(wanted)} services: as the template grants"
        )
        return
    written = write()
    size = sum(p.stat().st_size for p in MODELS.rglob("*.json"))
    print(f"{sum(map(len, written.values()))} operations of {len(written)} services, {size // 1024} KiB")


if __name__ == "__main__":
    main()
