"""`fargate-ops local serve` as a user starts it, and the verbs as a user runs them against it.

The server runs in its own process (the installed console script); the verbs run through click's
CliRunner with `--endpoint-url`, in an environment with no AWS configuration at all: no credentials,
no region, no config file. Nothing is monkeypatched.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from fargate_ops_cli.main import cli

# Generous: a loaded 2-core CI machine may take many times the usual ~5 s to start the runtime.
READY_WITHIN_SECONDS = 240.0
SCRIPT = Path(sys.executable).with_name("fargate-ops")


def bare_environment(**extra: str) -> dict[str, str]:
    """This process's environment without anything AWS: what a laptop without an account has."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        # botocore would otherwise spend a second asking for an instance role that is not there.
        AWS_EC2_METADATA_DISABLED="true",
    )
    env.update(extra)
    return env


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    ready: dict[str, Any]
    log: Path

    @property
    def url(self) -> str:
        return str(self.ready["endpoint"])

    def told(self) -> list[dict[str, Any]]:
        """What the server has printed since it was ready: one JSON timeline entry a line."""
        lines = self.log.read_text().splitlines()[1:]
        return [json.loads(line) for line in lines if line.startswith("{")]


@contextlib.contextmanager
def local_serve(workdir: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    log = workdir / "serve.out"
    errors = workdir / "serve.err"
    with log.open("wb") as out, errors.open("wb") as err:
        process = subprocess.Popen(
            [str(SCRIPT), "local", "serve", *args, "--port", "0", "--output", "json"],
            stdout=out,
            stderr=err,
            env=env or bare_environment(),
        )
    try:
        ready = _wait_for_ready(process, log, errors)
        yield Served(process, ready, log)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for_ready(process: subprocess.Popen[bytes], log: Path, errors: Path) -> dict[str, Any]:
    deadline = time.monotonic() + READY_WITHIN_SECONDS
    while time.monotonic() < deadline:
        first = log.read_text().splitlines()[:1]
        if first:
            ready: dict[str, Any] = json.loads(first[0])
            assert ready.get("ready"), first[0]
            return ready
        if process.poll() is not None:
            raise AssertionError(f"local serve exited {process.returncode}: {errors.read_text()[-3000:]}")
        time.sleep(0.2)
    raise AssertionError(
        f"local serve not ready after {READY_WITHIN_SECONDS:.0f} s: {errors.read_text()[-3000:]}"
    )


def fargate_ops(endpoint: str, *args: str, output: str = "json") -> tuple[Result, Any]:
    """One verb with --endpoint-url, in a bare environment; (result, the JSON document or None)."""
    env: dict[str, str | None] = {k: None for k in os.environ if k.startswith("AWS_")}
    env.update({k: v for k, v in bare_environment().items() if k.startswith("AWS_")})
    result = CliRunner().invoke(cli, [*args, "--endpoint-url", endpoint, "--output", output], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    document = json.loads(result.stdout) if output == "json" and result.stdout.strip() else None
    return result, document
