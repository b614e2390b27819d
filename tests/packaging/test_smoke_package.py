"""scripts/smoke_package.py catches what breaks a handler in Lambda but not in the dev venv."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = REPO_ROOT / "scripts" / "smoke_package.py"
# Shared with `make smoke`, so the runtime's boto3 is installed once.
CACHE_DIR = REPO_ROOT / ".cache" / "smoke"


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))


def fake_repo(root: Path, layer_modules: dict[str, str], functions: dict[str, str]) -> Path:
    """A repository with the real layout: layers/fargate_ops/{requirements.txt,fargate_ops/}, functions/."""
    write(root / "layers" / "fargate_ops" / "requirements.txt", "# nothing beyond the runtime\n")
    write(root / "layers" / "fargate_ops" / "fargate_ops" / "__init__.py", '"""fake layer"""\n')
    for name, text in layer_modules.items():
        write(root / "layers" / "fargate_ops" / "fargate_ops" / f"{name}.py", text)
    for name, text in functions.items():
        write(root / "functions" / name / "app.py", text)
    return root


def smoke(repo: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    # As `make smoke` does: on this machine pyenv puts python3.13 on PATH next to 3.11.
    env.setdefault("PYENV_VERSION", "3.11.7:3.13.0")
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--repo", str(repo), "--cache-dir", str(CACHE_DIR), *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def line_for(output: str, name: str) -> str:
    return next(line for line in output.splitlines() if line[5:].startswith(name + " "))


@pytest.fixture(scope="module")
def mixed_run(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    repo = fake_repo(
        tmp_path_factory.mktemp("repo"),
        layer_modules={"greeting": "import json\n\ndef greet() -> str:\n    return json.dumps('hi')\n"},
        functions={
            "good": """
                import boto3
                from fargate_ops.greeting import greet

                def lambda_handler(event, context):
                    return greet()
            """,
            "leaky": """
                import pytest

                def lambda_handler(event, context):
                    return None
            """,
            "cli_user": """
                from fargate_ops_cli import main

                def lambda_handler(event, context):
                    return None
            """,
            "no_handler": "HANDLER = None\n",
        },
    )
    return smoke(repo)


def test_handler_with_its_imports_in_layer_and_runtime_passes(
    mixed_run: subprocess.CompletedProcess[str],
) -> None:
    line = line_for(mixed_run.stdout, "good")

    assert line.startswith("ok ")
    assert "boto3 from runtime" in line
    assert "fargate_ops from layer" in line


@pytest.mark.parametrize(
    ("function", "error"),
    [
        ("leaky", "No module named 'pytest'"),
        ("cli_user", "No module named 'fargate_ops_cli'"),
        ("no_handler", "lambda_handler is missing or not callable"),
    ],
)
def test_handler_that_would_break_in_lambda_fails(
    mixed_run: subprocess.CompletedProcess[str], function: str, error: str
) -> None:
    line = line_for(mixed_run.stdout, function)

    assert line.startswith("FAIL")
    assert error in line
    assert mixed_run.returncode == 1


def test_layer_module_with_undeclared_dependency_fails(tmp_path: Path) -> None:
    repo = fake_repo(
        tmp_path,
        layer_modules={"models": "import pydantic\n"},
        functions={"ok": "def lambda_handler(event, context):\n    return None\n"},
    )

    result = smoke(repo)

    assert result.returncode == 1
    assert "No module named 'pydantic'" in line_for(result.stdout, "layer:fargate_ops")


def test_layer_module_with_an_undeclared_lazy_dependency_fails(tmp_path: Path) -> None:
    # Imported inside a function (for cold start): importing the module alone would not see it.
    repo = fake_repo(
        tmp_path,
        layer_modules={"calendars": "def load():\n    import holidays\n    return holidays\n"},
        functions={"ok": "def lambda_handler(event, context):\n    return None\n"},
    )

    result = smoke(repo)

    assert result.returncode == 1
    assert "No module named 'holidays'" in line_for(result.stdout, "layer:fargate_ops")


def test_repository_without_functions_is_an_error(tmp_path: Path) -> None:
    repo = fake_repo(tmp_path, layer_modules={}, functions={})

    result = smoke(repo)

    assert result.returncode == 2
    assert "no function directories" in result.stderr


def test_missing_lambda_python_is_a_clear_error(tmp_path: Path) -> None:
    repo = fake_repo(
        tmp_path, layer_modules={}, functions={"ok": "def lambda_handler(e, c):\n    return None\n"}
    )

    result = smoke(repo, "--python", "python3.99")

    assert result.returncode == 2
    assert "python3.99 not found on PATH" in result.stderr
