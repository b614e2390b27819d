"""Runs the real Lambda handlers in-process, as moto's `_invoke_lambda` would in Docker.

Each invocation sees its own function's environment variables (`environ.ThreadEnviron`: several
functions share this process and moto calls them from many threads) and has its own log capture.
Handlers run one at a time (`handler_slot.HandlerSlot`, on the virtual clock), which keeps runs
deterministic, unless the scenario asks for parallel deliveries (`parallel`): then invocations on
different threads run at once, as concurrent invocations do in Lambda, and the host counts how many
run together.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import itertools
import json
import logging
import os
import sys
import threading
import time
import traceback
import tracemalloc
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from fargate_ops_cli.local.clients import as_principal, as_world
from fargate_ops_cli.local.clock import VirtualClock
from fargate_ops_cli.local.environ import ThreadEnviron
from fargate_ops_cli.local.handler_slot import HandlerSlot


@dataclass
class LambdaContext:
    """The attributes of the real context object that handlers and Powertools read."""

    function_name: str
    function_version: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    aws_request_id: str
    log_group_name: str
    log_stream_name: str
    _deadline: float
    _clock: VirtualClock

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - self._clock.now()) * 1000))


@dataclass
class Invocation:
    function: str
    at: float
    event: Any
    ok: bool
    error: str | None
    real_seconds: float
    peak_bytes: int | None


@dataclass
class FunctionStats:
    invocations: int = 0
    errors: int = 0
    peak_bytes: int = 0
    real_seconds: float = 0.0


class _RoutedStream(io.TextIOBase):
    """stdout that sends a handler's output (Powertools' JSON logs, EMF metrics) to the run's log.

    Per thread: only the thread running a handler is captured; anything else (the CLI, the narrative)
    goes on to the terminal, i.e. whatever stdout was when the handler started.
    """

    def __init__(self, terminal: Any) -> None:
        self.terminal = terminal
        self._local = threading.local()

    @property
    def capture(self) -> list[str] | None:
        return getattr(self._local, "capture", None)

    @capture.setter
    def capture(self, value: list[str] | None) -> None:
        self._local.capture = value

    def write(self, text: str) -> int:
        capture = self.capture
        if capture is not None:
            capture.append(text)
            return len(text)
        return int(self.terminal.write(text))

    def flush(self) -> None:
        self.terminal.flush()


def _apply_log_level(env: dict[str, str]) -> None:
    """The function's POWERTOOLS_LOG_LEVEL, on the library's logger, for this invocation.

    Powertools reads the level once, when the Logger is created at import. In Lambda each function
    has its own process, so that is the function's level; here every function shares one process and
    the first import would decide for all of them (and for every later run in this process).
    """
    level = env.get("POWERTOOLS_LOG_LEVEL")
    service = env.get("POWERTOOLS_SERVICE_NAME")
    if level and service and isinstance(logging.getLevelName(level.upper()), int):
        logging.getLogger(service).setLevel(level.upper())


@dataclass
class LambdaHost:
    repo_root: Path
    clock: VirtualClock
    measure_memory: bool = False
    log: list[str] = field(default_factory=list)
    invocations: list[Invocation] = field(default_factory=list)
    stats: dict[str, FunctionStats] = field(default_factory=dict)
    keep_events: bool = True
    on_result: Any = None  # callable(function name, event, result) after each successful invocation
    # callable(function name, event) run just before the handler; what it raises is the invocation's
    # error, as if the handler had raised it (a scenario's injected faults)
    before_handler: Any = None
    parallel: bool = False  # invocations on different threads run at once (a scenario's concurrency)
    peak_running: int = 0  # the most invocations that ran at once

    def __post_init__(self) -> None:
        self._slot = HandlerSlot(self.clock)  # one handler at a time, unless parallel
        self._book = threading.Lock()  # the host's own records
        self._loading = threading.RLock()  # importing a handler module
        self._modules: dict[str, ModuleType] = {}
        self._stream = _RoutedStream(sys.stdout)
        self._request_ids = itertools.count(1)
        self._running = 0
        self._swapped = 0  # invocations under a stdout swap (see _captured)
        self._saved_stdout: tuple[Any, Any] = (None, None)

    @property
    def running(self) -> int:
        """Invocations running now (the clock also counts their threads as running)."""
        return self._running

    # moto calls this in place of LambdaFunction._invoke_lambda(self, event)
    def invoke_moto_function(self, fn: Any, event: Any) -> tuple[str, bool, str]:
        return self.invoke_function(fn, event)[0]

    def invoke_function(self, fn: Any, event: Any) -> tuple[tuple[str, bool, str], Invocation]:
        """moto's (output, errored, logs) and this invocation's record."""
        handler_name = fn.handler.rsplit(".", 1)[1]
        env = {
            "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_REGION": fn.region,
            "AWS_DEFAULT_REGION": fn.region,
            **{k: str(v) for k, v in (fn.environment_vars or {}).items()},
        }
        context = LambdaContext(
            function_name=fn.function_name,
            function_version="$LATEST",
            invoked_function_arn=fn.function_arn,
            memory_limit_in_mb=int(fn.memory_size),
            aws_request_id=str(uuid.UUID(int=next(self._request_ids))),
            log_group_name=f"/aws/lambda/{fn.function_name}",
            log_stream_name="local",
            _deadline=self.clock.now() + float(fn.timeout),
            _clock=self.clock,
        )
        payload = event if not isinstance(event, str | bytes) else json.loads(event or "{}")
        # A stack function's calls act as its execution role (Lambda's session is its name). A function
        # the world made (a scenario's validation hook) is the account owner's code, not fargate-ops':
        # its calls are the world's, neither checked against the template nor counted.
        acting = as_principal(fn.role, fn.function_name) if _stack_function(fn) else as_world()
        with acting:
            # Imported under the capture: Powertools' Logger keeps the stdout it sees when it is created.
            return self._call(
                fn.function_name,
                lambda: getattr(self._function_module(fn), handler_name),
                payload,
                context,
                env,
            )

    def _call(
        self, name: str, handler: Any, event: Any, context: LambdaContext, env: dict[str, str]
    ) -> tuple[tuple[str, bool, str], Invocation]:
        serial = self._slot.held() if not self.parallel else contextlib.nullcontext()
        with serial, self._counted(), self._environment(env), self._captured() as captured:
            started = time.perf_counter()
            if self.measure_memory:
                tracemalloc.reset_peak()
                base = tracemalloc.get_traced_memory()[0]
            error: str | None = None
            try:
                if self.before_handler is not None:
                    self.before_handler(name, event)
                loaded = handler()
                _apply_log_level(env)
                result = loaded(event, context)
                output, ok = json.dumps(result, default=str), True
            except Exception as exc:  # the handler's failure is the invocation's result, as in Lambda
                error = f"{type(exc).__name__}: {exc}"
                output = json.dumps(
                    {
                        "errorType": type(exc).__name__,
                        "errorMessage": str(exc),
                        "stackTrace": traceback.format_tb(exc.__traceback__),
                    }
                )
                ok = False
            peak = tracemalloc.get_traced_memory()[1] - base if self.measure_memory else None
            elapsed = time.perf_counter() - started
        logs = "".join(captured)
        invocation = self._record(name, event, ok, error, elapsed, peak, logs)
        if ok and self.on_result is not None:  # outside the capture: it may print to the terminal
            self.on_result(name, event, result)
        return (output, not ok, logs), invocation

    def _record(
        self,
        name: str,
        event: Any,
        ok: bool,
        error: str | None,
        elapsed: float,
        peak: int | None,
        logs: str,
    ) -> Invocation:
        invocation = Invocation(
            name, self.clock.now(), event if self.keep_events else None, ok, error, elapsed, peak
        )
        with self._book:
            self.log.append(logs)
            stats = self.stats.setdefault(name, FunctionStats())
            stats.invocations += 1
            stats.errors += 0 if ok else 1
            stats.real_seconds += elapsed
            if peak is not None:
                stats.peak_bytes = max(stats.peak_bytes, peak)
            self.invocations.append(invocation)
        return invocation

    @contextlib.contextmanager
    def _counted(self) -> Iterator[None]:
        with self._book:
            self._running += 1
            self.peak_running = max(self.peak_running, self._running)
        try:
            yield
        finally:
            with self._book:
                self._running -= 1

    @contextlib.contextmanager
    def _environment(self, env: dict[str, str]) -> Iterator[None]:
        environ: Any = os.environ
        if isinstance(environ, ThreadEnviron):  # the runtime's: this thread's own, nothing swapped
            with environ.function_environment(env):
                yield
            return
        saved = {k: os.environ.get(k) for k in env}
        os.environ.update(env)
        try:
            yield
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value

    @contextlib.contextmanager
    def _captured(self) -> Iterator[list[str]]:
        captured: list[str] = []
        previous = self._stream.capture  # per thread: each invocation captures its own output
        self._stream.capture = captured
        with self._book:
            # Someone (click's CliRunner, say) swapped stdout since the run began: route it again while
            # any invocation runs; the last one to end puts the swapped stdout back.
            if self._swapped == 0 and sys.stdout is not self._stream:
                self._saved_stdout = sys.stdout, self._stream.terminal
                self._stream.terminal = sys.stdout
                sys.stdout = self._stream
                self._swapped = 1
            elif self._swapped:
                self._swapped += 1
            swapped = bool(self._swapped)
        try:
            yield captured
        finally:
            self._stream.capture = previous
            if swapped:
                with self._book:
                    self._swapped -= 1
                    if self._swapped == 0:
                        sys.stdout, self._stream.terminal = self._saved_stdout

    @contextlib.contextmanager
    def routing_stdout(self) -> Iterator[None]:
        """Route handler output for the whole run; Powertools keeps the stream it saw at Logger()."""
        self._stream.terminal = sys.stdout
        previous = sys.stdout
        sys.stdout = self._stream
        try:
            yield
        finally:
            sys.stdout = previous

    def _function_module(self, fn: Any) -> ModuleType:
        key = str(fn.code.get("S3Key", ""))
        if not _stack_function(fn):  # not one of the stack's functions: run the code it was given
            return self._zip_module(fn)
        # stack.py uploads each function's CodeUri under its repository path (functions/<name>/...).
        return self._module(self.repo_root / key.removeprefix("code/").removesuffix(".zip"), fn.handler)

    def _zip_module(self, fn: Any) -> ModuleType:
        """The handler module of a function created with its code as a zip (a scenario's validation
        hook): one file at the zip's root, as `Handler: module.function` names it."""
        module_name = fn.handler.rsplit(".", 1)[0]
        key = f"zip:{fn.function_name}:{fn.code_sha_256}"
        if key not in self._modules:
            try:
                with zipfile.ZipFile(io.BytesIO(fn.code_bytes)) as archive:
                    source = archive.read(f"{module_name.replace('.', '/')}.py")
            except (KeyError, zipfile.BadZipFile) as error:
                # Lambda's Runtime.ImportModuleError: the handler's module is not in the package.
                raise ImportError(f"Unable to import module '{module_name}': {error}") from None
            name = f"fargate_ops_zip_{fn.function_name.replace('-', '_')}"
            module = ModuleType(name)
            module.__file__ = f"/var/task/{module_name}.py"
            sys.modules[name] = module  # dataclasses, pickling and tracebacks look modules up by name
            exec(compile(source, module.__file__, "exec"), module.__dict__)
            self._modules[key] = module
        return self._modules[key]

    def _module(self, code_dir: Path, handler: str) -> ModuleType:
        module_file = code_dir / (handler.rsplit(".", 1)[0].replace(".", "/") + ".py")
        key = str(module_file)
        with self._loading:  # concurrent first invocations import the module once
            return self._import(key, code_dir, module_file)

    def _import(self, key: str, code_dir: Path, module_file: Path) -> ModuleType:
        if key not in self._modules:
            spec = importlib.util.spec_from_file_location(f"fargate_ops_fn_{code_dir.name}", module_file)
            if spec is None or spec.loader is None:
                raise FileNotFoundError(f"no handler module at {module_file}")
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module
            spec.loader.exec_module(module)
            self._reroute_logging()
            self._modules[key] = module
        return self._modules[key]

    def _reroute_logging(self) -> None:
        from aws_lambda_powertools.logging.formatter import BasePowertoolsFormatter

        # A Logger created before routing_stdout() (e.g. by an earlier test) holds the real stdout,
        # the routed stream of an earlier run in this process (tests, bench), or whatever stdout was
        # then (a CLI test's captured one): a Powertools handler is the functions' own, whatever it holds.
        for logger in [logging.getLogger(), *logging.Logger.manager.loggerDict.values()]:
            for handler in getattr(logger, "handlers", []):
                if isinstance(handler, logging.StreamHandler) and (
                    isinstance(handler.formatter, BasePowertoolsFormatter)
                    or isinstance(handler.stream, _RoutedStream)
                    or handler.stream in (sys.__stdout__, self._stream.terminal, sys.stdout)
                ):
                    handler.setStream(self._stream)


def _stack_function(fn: Any) -> bool:
    """One of the stack's own functions: stack.py uploads their code under ``code/<repository path>``."""
    return str(fn.code.get("S3Key", "")).startswith("code/")
