#!/usr/bin/env python3
"""Packaging smoke test: import every Lambda handler the way Lambda will, with nothing else around.

Lays the code out as `sam build` does, in a temporary directory:

    <tmp>/layer/python/      layers/fargate_ops/requirements.txt pip-installed, plus the fargate_ops package
    <tmp>/functions/<name>/  a copy of functions/<name>/ (and its own requirements.txt, if it has one)
    <tmp>/runtime/           boto3, which the Lambda Python runtime ships

then, for every function, starts a fresh `python3.13 -I -S` whose sys.path is only
[function dir, layer/python, runtime] plus the standard library, checks that no development package
(moto, pytest, the CLI, ...) can be imported there, imports `app` and checks `lambda_handler` is
callable. It also imports every module of the layer's fargate_ops package on its own, so a module
no handler imports yet still has its dependencies in the layer, and every module those modules
import lazily (inside a function, for cold start), so a lazy dependency is in the layer too.

pip installs are cached under --cache-dir, keyed by a hash of what is installed and the interpreter,
so a second run only copies files. Prints one line per handler; exits 1 if any check fails, 2 if it
cannot run at all (no python3.13, no functions, ...).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

LAMBDA_PYTHON = "python3.13"
LAYER_PACKAGE = "fargate_ops"
# What the python3.13 runtime ships besides the standard library. The exact boto3 version of the
# runtime moves with AWS's releases; this one is of the runtime's launch era, so code that needs a
# newer boto3 than that must pin boto3 in the layer's requirements.txt (which then takes precedence,
# as it does in Lambda).
RUNTIME_REQUIREMENTS = "boto3==1.35.99\n"
# Installed in the dev venv, never shipped: importing any of them from a handler is a packaging bug.
DEV_ONLY_MODULES = (
    "moto",
    "pytest",
    "hypothesis",
    "fargate_ops_cli",
    "samtranslator",
    "samcli",
    "cfnlint",
    "checkov",
    "jsonata",
    "mypy",
    "mypy_boto3_ecs",
)
COPY_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache", ".mypy_cache", "tests")

# Runs inside the isolated interpreter. argv: mode ("handler" | "layer"), then the sys.path entries.
PROBE = r"""
import ast, importlib, importlib.util, json, pkgutil, sys, time, traceback


def lazy_imports(module):
    # Absolute imports inside the module's functions (deferred for cold start, run only when called).
    spec = getattr(module, "__spec__", None)
    if spec is None or not spec.origin or not spec.origin.endswith(".py"):
        return set()
    with open(spec.origin, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    found = set()
    for function in ast.walk(tree):
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(function):
                if isinstance(node, ast.Import):
                    found.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.add(node.module)
    return found


mode, entries, forbidden, package = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
stdlib = [p for p in sys.path if p and "site-packages" not in p]
sys.path[:] = entries + stdlib
result = {"ok": False}
try:
    leaked = [name for name in forbidden if importlib.util.find_spec(name) is not None]
    if leaked:
        raise AssertionError("development-only modules importable: " + ", ".join(leaked))
    start = time.perf_counter()
    if mode == "handler":
        module = importlib.import_module("app")
        if not str(module.__file__).startswith(entries[0]):
            raise AssertionError("imported app from %s, not from the function directory" % module.__file__)
        handler = getattr(module, "lambda_handler", None)
        if not callable(handler):
            raise AssertionError("app.lambda_handler is missing or not callable")
        result["modules"] = 1
    else:
        root = importlib.import_module(package)
        names = [root.__name__] + [
            info.name for info in pkgutil.walk_packages(root.__path__, package + ".")
        ]
        lazy = set()
        for name in names:
            lazy |= lazy_imports(importlib.import_module(name))
        for name in sorted(lazy):
            importlib.import_module(name)
        result["modules"] = len(names)
        result["lazy"] = len(lazy)
        # The layer's own botocore models (fargate_ops/botocore_models), read by the runtime's
        # botocore: one it cannot read (a protocol it does not speak, a missing shape) fails here
        # rather than on a function's first call in Lambda.
        clients = sys.modules.get(package + ".clients")
        versions = clients.model_versions() if hasattr(clients, "model_versions") else {}
        for service, version in sorted(versions.items()):
            model = clients.client(service).meta.service_model
            if model.api_version != version or not model.operation_names:
                raise AssertionError("%s: built from %s, not %s" % (service, model.api_version, version))
        result["clients"] = len(versions)
    result["import_ms"] = round((time.perf_counter() - start) * 1000)
    for name in ("boto3", package):
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        result[name] = next((e for e in entries if origin and origin.startswith(e)), origin)
    result["ok"] = True
except BaseException:
    result["error"] = traceback.format_exc(limit=8)
print("SMOKE-RESULT " + json.dumps(result))
"""


class SmokeError(Exception):
    """The smoke test cannot run (as opposed to: it ran and a handler failed)."""


@dataclass(frozen=True)
class Outcome:
    name: str
    ok: bool
    summary: str
    detail: str = ""


def find_lambda_python(command: str) -> str:
    """The interpreter for the Lambda runtime's Python version, or a clear error."""
    path = shutil.which(command)
    hint = (
        f"{command} is needed to import the handlers as the Lambda runtime does. With pyenv, make it "
        f"visible next to 3.11: PYENV_VERSION=3.11.7:3.13.0 (make smoke sets this); or install Python 3.13."
    )
    if path is None:
        raise SmokeError(f"{command} not found on PATH. {hint}")
    probe = subprocess.run(
        [path, "-c", "import sys; print('%d.%d' % sys.version_info[:2]); print(sys.executable)"],
        capture_output=True,
        text=True,
        check=False,
    )
    # A pyenv shim exists even when the version is not selected; it then fails here.
    lines = probe.stdout.split()
    if probe.returncode != 0 or not lines or lines[0] != command.removeprefix("python"):
        raise SmokeError(f"{command} does not run ({(probe.stderr or probe.stdout).strip()[:300]}). {hint}")
    # The real interpreter, not the shim: the probes run with a scrubbed environment.
    return lines[1]


def python_identity(python: str) -> str:
    out = subprocess.run(
        [
            python,
            "-c",
            "import platform, sys; print(sys.version, platform.machine(), sys.implementation.cache_tag)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


# How layers/fargate_ops/Makefile ships the layer's bytecode (tests/template ties the two).
COMPILE_LAYER = ("-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash")


def compile_bytecode(python: str, folder: Path) -> None:
    """Compile a layer folder's modules as the layer's build does, so imports here read bytecode too."""
    result = subprocess.run(
        [python, *COMPILE_LAYER, str(folder)], capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SmokeError(f"compileall failed in {folder}:\n{result.stdout}{result.stderr}")


def cached_install(
    python: str, requirements: str, cache_dir: Path, identity: str, *, compiled: bool = False
) -> Path | None:
    """pip-install requirements (text) into a cache directory keyed by their hash; None if empty.
    ``compiled``: with the bytecode the layer's build compiles (compiled once, in the cache)."""
    lines = [line.strip() for line in requirements.splitlines()]
    if not [line for line in lines if line and not line.startswith("#")]:
        return None
    key = hashlib.sha256(f"v1\n{identity}\n{compiled}\n{requirements}".encode()).hexdigest()[:24]
    target = cache_dir / key
    if (target / ".complete").is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=cache_dir))
    req_file = staging / ".requirements.txt"
    req_file.write_text(requirements)
    started = time.monotonic()
    result = subprocess.run(
        [
            python,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-input",
            "--no-compile",
            "--target",
            str(staging),
            "-r",
            str(req_file),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        raise SmokeError(f"pip install failed for:\n{requirements}\n{result.stdout}{result.stderr}")
    if compiled:
        compile_bytecode(python, staging)
    (staging / ".complete").write_text(f"installed in {time.monotonic() - started:.1f}s\n")
    try:
        staging.rename(target)
    except OSError:
        # Another run (pytest-xdist worker) finished the same install first: use theirs.
        shutil.rmtree(staging, ignore_errors=True)
        if not (target / ".complete").is_file():
            raise
    return target


def copy_tree_into(source: Path, destination: Path, *, keep_bytecode: bool = False) -> None:
    ignore = shutil.ignore_patterns(".pytest_cache", ".mypy_cache", "tests") if keep_bytecode else COPY_IGNORE
    shutil.copytree(source, destination, ignore=ignore, dirs_exist_ok=True)


def build(repo: Path, work: Path, python: str, cache_dir: Path) -> tuple[Path, Path, dict[str, Path]]:
    """Lay out layer, runtime and functions under work/, as `sam build` would."""
    identity = python_identity(python)
    layer_src = repo / "layers" / LAYER_PACKAGE
    requirements = layer_src / "requirements.txt"
    package = layer_src / LAYER_PACKAGE
    if not requirements.is_file():
        raise SmokeError(f"{requirements.relative_to(repo)} is missing: the layer's dependencies live there")
    if not (package / "__init__.py").is_file():
        raise SmokeError(f"{package.relative_to(repo)}/__init__.py is missing")
    sources = sorted(p for p in (repo / "functions").glob("*") if p.is_dir() and p.name != "__pycache__")
    if not sources:
        raise SmokeError("no function directories under functions/: nothing to check")

    layer = work / "layer" / "python"
    layer.mkdir(parents=True)
    installed = cached_install(python, requirements.read_text(), cache_dir, identity, compiled=True)
    if installed is not None:
        copy_tree_into(installed, layer, keep_bytecode=True)
    shutil.copytree(package, layer / LAYER_PACKAGE, ignore=COPY_IGNORE)
    compile_bytecode(python, layer / LAYER_PACKAGE)

    runtime = work / "runtime"
    runtime.mkdir()
    # Compiled, as the runtime's own boto3 is: an image's pip install compiles what it installs.
    installed = cached_install(python, RUNTIME_REQUIREMENTS, cache_dir, identity, compiled=True)
    if installed is not None:
        copy_tree_into(installed, runtime, keep_bytecode=True)

    functions: dict[str, Path] = {}
    for source in sources:
        target = work / "functions" / source.name
        shutil.copytree(source, target, ignore=COPY_IGNORE)
        own = source / "requirements.txt"
        if own.is_file():
            installed = cached_install(python, own.read_text(), cache_dir, identity)
            if installed is not None:
                copy_tree_into(installed, target)
        functions[source.name] = target
    return layer, runtime, functions


def lambda_environment(name: str, task_root: Path) -> dict[str, str]:
    """Roughly what Lambda sets; no credentials, and no instance metadata lookups."""
    return {
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
        "LAMBDA_TASK_ROOT": str(task_root),
        "AWS_EC2_METADATA_DISABLED": "true",
        "LANG": "C.UTF-8",
        "PATH": "/usr/bin:/bin",
        "HOME": str(task_root),
        "TZ": ":UTC",
    }


def probe(python: str, mode: str, name: str, entries: dict[str, Path], cwd: Path) -> Outcome:
    """Run PROBE in mode ("handler" or "layer") with sys.path = the entries' paths, in order."""
    paths = list(entries.values())
    result = subprocess.run(
        [
            python,
            "-I",
            "-S",
            "-c",
            PROBE,
            mode,
            json.dumps([str(p) for p in paths]),
            json.dumps(DEV_ONLY_MODULES),
            LAYER_PACKAGE,
        ],
        cwd=cwd,
        env=lambda_environment(name, paths[0]),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    marker = [line for line in result.stdout.splitlines() if line.startswith("SMOKE-RESULT ")]
    if not marker:
        return Outcome(
            name, False, f"probe crashed (exit {result.returncode})", result.stdout + result.stderr
        )
    data = json.loads(marker[-1].removeprefix("SMOKE-RESULT "))
    if not data["ok"]:
        error = str(data.get("error", "")).strip()
        return Outcome(name, False, error.splitlines()[-1] if error else "failed", error)

    def where(key: str) -> str:
        origin = str(data.get(key))
        return next((label for label, path in entries.items() if origin == str(path)), origin)

    what = (
        "app.lambda_handler"
        if mode == "handler"
        else f"{data['modules']} modules and {data['lazy']} they import lazily"
        + (f", {data['clients']} clients from the layer's models" if data.get("clients") else "")
    )
    summary = (
        f"{what}, import {data['import_ms']} ms, "
        f"boto3 from {where('boto3')}, {LAYER_PACKAGE} from {where(LAYER_PACKAGE)}"
    )
    return Outcome(name, True, summary)


def run(repo: Path, cache_dir: Path, python_command: str, keep: bool) -> int:
    python = find_lambda_python(python_command)
    work = Path(tempfile.mkdtemp(prefix="fargate-ops-smoke-"))
    try:
        started = time.monotonic()
        layer, runtime, functions = build(repo, work, python, cache_dir)
        print(
            f"smoke: laid out layer, runtime and {len(functions)} functions "
            f"in {time.monotonic() - started:.1f}s ({work})"
        )
        outcomes = [
            probe(python, "layer", f"layer:{LAYER_PACKAGE}", {"layer": layer, "runtime": runtime}, work)
        ]
        outcomes += [
            probe(python, "handler", name, {"function": path, "layer": layer, "runtime": runtime}, work)
            for name, path in functions.items()
        ]
        width = max(len(o.name) for o in outcomes)
        for outcome in outcomes:
            print(f"{'ok  ' if outcome.ok else 'FAIL'} {outcome.name:<{width}}  {outcome.summary}")
            if outcome.detail:
                print("     " + outcome.detail.strip().replace("\n", "\n     "))
        failed = [o.name for o in outcomes if not o.ok]
        if failed:
            print(f"smoke: {len(failed)} of {len(outcomes)} failed: {', '.join(failed)}", file=sys.stderr)
            return 1
        print(f"smoke: all {len(outcomes)} imports passed under {python_command} -I -S")
        return 0
    finally:
        if keep:
            print(f"smoke: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--repo", type=Path, default=Path(__file__).resolve().parents[1], help="repository root"
    )
    parser.add_argument(
        "--cache-dir", type=Path, default=None, help="pip install cache (default <repo>/.cache/smoke)"
    )
    parser.add_argument("--python", default=LAMBDA_PYTHON, help="interpreter of the Lambda runtime's version")
    parser.add_argument("--keep", action="store_true", help="keep the laid-out directory for a look")
    args = parser.parse_args(argv)
    repo = args.repo.resolve()
    cache_dir = (args.cache_dir or repo / ".cache" / "smoke").resolve()
    try:
        return run(repo, cache_dir, args.python, args.keep)
    except SmokeError as error:
        print(f"smoke: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
