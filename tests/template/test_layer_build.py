"""The layer ships compiled bytecode: `sam build` runs layers/fargate_ops/Makefile, not SAM's python
builder (which unzips wheels and compiles nothing, so every cold start compiled pydantic, Powertools
and fargate_ops again on Lambda's read-only /opt). The smoke test compiles its layer the same way."""

from __future__ import annotations

import ast
import re

from tests.template.conftest import REPO_ROOT, Template

MAKEFILE = REPO_ROOT / "layers" / "fargate_ops" / "Makefile"
PLATFORMS = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}


def _variable(name: str) -> str:
    found = re.search(rf"^{name} \?= (\S+)$", MAKEFILE.read_text(), re.MULTILINE)
    assert found, f"{MAKEFILE.name} sets no {name}"
    return found[1]


def test_the_layer_is_built_by_its_makefile_for_the_functions_platform_and_python(template: Template) -> None:
    layer = template["Resources"]["FargateOpsLayer"]
    runtime = template["Globals"]["Function"]["Runtime"]
    (architecture,) = template["Globals"]["Function"]["Architectures"]

    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert layer["Metadata"]["BuildArchitecture"] == architecture
    assert "build-FargateOpsLayer:" in MAKEFILE.read_text()
    assert _variable("PLATFORM") == PLATFORMS[architecture]
    assert f"python{_variable('LAMBDA_PYTHON_VERSION')}" == runtime == f"python{_variable('PYTHON')[6:]}"


def test_the_makefile_compiles_the_layer_as_the_smoke_test_does() -> None:
    smoke = ast.parse((REPO_ROOT / "scripts" / "smoke_package.py").read_text())
    compile_layer = next(  # the script's constant, read without running the script
        ast.literal_eval(node.value)
        for node in smoke.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "COMPILE_LAYER"
    )
    compile_line = next(line for line in MAKEFILE.read_text().splitlines() if "compileall" in line)

    assert " ".join(compile_layer) in compile_line
    assert "unchecked-hash" in compile_layer  # mtimes do not survive the zip: checked pycs would be ignored
