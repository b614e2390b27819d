"""Validation-hook Lambda functions a scenario brings as Python files next to itself.

    world:
      hooks:
        - {name: fargate-ops-hook-smoke, file: hooks/smoke.py, handler: handler}

Each becomes a real Lambda function in moto (python3.13, its code a zip of that one file, as
`sam build` would make it), so the deploy state machine's ValidationHook state invokes it by ARN like
any function; the runtime's Lambda host runs the code from the function's zip. The template lets the
state machine invoke only functions matching `ValidationHookFunctionPattern` (`fargate-ops-hook-*`).
Nothing here imports moto or boto3: the spec stays importable without them.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

HOOK_ROLE = "fargate-ops-world-hook-role"
_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ],
}


class HookFileError(ValueError):
    """A hook whose file cannot be read: the scenario is refused before anything runs."""


class HookSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[A-Za-z0-9_-]{1,64}$", description="the Lambda function's name")
    file: str = Field(description="a Python file, relative to the scenario file")
    handler: str = Field("handler", pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
    timeout_seconds: int = Field(60, ge=1, le=900)
    environment: dict[str, str] = Field(default_factory=dict)

    @field_validator("file")
    @classmethod
    def _python_file(cls, file: str) -> str:
        stem = Path(file).name.removesuffix(".py")
        if not file.endswith(".py") or not stem.isidentifier():
            raise ValueError("a hook is one Python file whose name is a module name, e.g. hooks/smoke.py")
        return file

    @property
    def module(self) -> str:
        return Path(self.file).name.removesuffix(".py")


def package(hooks: list[HookSpec], base_dir: Path) -> dict[str, bytes]:
    """Hook name -> the zip Lambda runs (the file at the archive's root)."""
    packages: dict[str, bytes] = {}
    for hook in hooks:
        path = base_dir / hook.file
        try:
            source = path.read_bytes()
        except OSError as error:
            raise HookFileError(f"hook {hook.name}: cannot read {path}: {error.strerror}") from error
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            info = zipfile.ZipInfo(f"{hook.module}.py", date_time=(2026, 1, 1, 0, 0, 0))  # same zip every run
            archive.writestr(info, source)
        packages[hook.name] = buffer.getvalue()
    return packages


def create(client: Any, hooks: list[HookSpec], packages: Mapping[str, bytes]) -> dict[str, str]:
    """Creates each hook's function (and the role they share); returns name -> function ARN."""
    if not hooks:
        return {}
    missing = [h.name for h in hooks if h.name not in packages]
    if missing:
        raise HookFileError(f"hook {missing[0]}: its code was not packaged (see hooks.package)")
    role_arn = client("iam").create_role(
        RoleName=HOOK_ROLE, AssumeRolePolicyDocument=json.dumps(_TRUST), Path="/"
    )["Role"]["Arn"]
    arns: dict[str, str] = {}
    for hook in hooks:
        created = client("lambda").create_function(
            FunctionName=hook.name,
            Runtime="python3.13",
            Architectures=["arm64"],
            Role=role_arn,
            Handler=f"{hook.module}.{hook.handler}",
            Code={"ZipFile": packages[hook.name]},
            Timeout=hook.timeout_seconds,
            Environment={"Variables": dict(hook.environment)},
        )
        arns[hook.name] = created["FunctionArn"]
    return arns
