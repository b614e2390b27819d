"""The local runtime behind an HTTP endpoint, so every `fargate-ops` verb can talk to it.

    with LocalEndpoint(port=5050, speed=60) as endpoint, open_local_world(spec) as local_world:
        endpoint.serve(local_world, stop)        # then: fargate-ops status ID --endpoint-url http://127.0.0.1:5050

moto's own server pieces (its WSGI dispatcher and request handler, what `ThreadedMotoServer` runs)
serve the in-process backends that the runtime deployed the template into and the simulator drives.
Three things differ from a plain moto server:

- **Time.** A scenario run jumps the virtual clock ahead whenever every actor waits. Here requests
  arrive from outside the clock's world (a person, a CI job), so the clock follows real time instead,
  `speed` virtual seconds per real second. A discrete-event jump would race the user's requests.
- **One thing at a time.** The simulator's timers run on the driver thread and change moto's
  backends, which are not thread-safe. A request waits for the driver between two of its steps, and
  for the interpreter threads to block (`settle`): it sees the world as the driver does, and a
  `status` right after a `promote` already sees the state machine at its next wait.
- **The Date header** of every answer is the virtual clock's, as AWS's is AWS's clock: the CLI counts
  a wait's "s left" on it.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable
from email.utils import formatdate
from types import TracebackType
from typing import Any

from fargate_ops_cli.local.clock import VirtualClock
from fargate_ops_cli.local.world_session import LocalWorld

# Real seconds between two steps of the driver: a 60x clock moves in 3-second strides, and an idle
# world costs next to nothing.
TICK_REAL_SECONDS = 0.05

# The moto server pieces used here (moto.moto_server.werkzeug_app, as ThreadedMotoServer uses them);
# tests/local/test_local_endpoint.py fails loudly if a moto upgrade moves them.
MOTO_SERVER_MODULE = "moto.moto_server.werkzeug_app"
MOTO_SERVER_PIECES = ("DomainDispatcherApplication", "create_backend_app", "MotoRequestHandler")


class PacedClock:
    """Drives the virtual clock at `speed` virtual seconds per real second, from now on."""

    def __init__(self, clock: VirtualClock, speed: float, real: Callable[[], float] = time.monotonic) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self._clock = clock
        self._speed = speed
        self._real = real
        self._real_start = real()
        self._virtual_start = clock.now()

    def target(self) -> float:
        return self._virtual_start + self._speed * (self._real() - self._real_start)

    def step(self) -> None:
        """Run the world up to where real time says it should be. When the driver falls behind (a
        loaded machine, a slow handler) virtual time simply runs late, then catches up: each step is
        a discrete-event run, so nothing due in between is skipped."""
        self._clock.run_until(max(self._clock.now(), self.target()))


class LocalEndpoint:
    """Binds on entry (a taken port fails before the world spends seconds starting); serves once
    `serve` is given the world. Calls that arrive meanwhile wait in the listen queue."""

    def __init__(self, host: str = "127.0.0.1", port: int = 5050, speed: float = 1.0) -> None:
        self.host = host
        self.port = port
        self.speed = speed
        self.requests = 0
        self._world_lock = threading.Lock()
        self._world: LocalWorld | None = None
        self._server: Any = None
        self._socket: socket.socket | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> LocalEndpoint:
        import importlib

        from werkzeug.serving import make_server

        moto_server = importlib.import_module(MOTO_SERVER_MODULE)
        app = moto_server.DomainDispatcherApplication(moto_server.create_backend_app)
        # Bound here, not by werkzeug: on a taken port werkzeug prints and calls sys.exit(1), where
        # the CLI wants an OSError to explain.
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        self._socket = socket.create_server((self.host, self.port), family=family)
        self._server = make_server(
            self.host,
            self.port,
            self._one_at_a_time(app),
            threaded=True,
            request_handler=self._dated_by_the_clock(moto_server.MotoRequestHandler),
            fd=self._socket.fileno(),
        )
        self.port = int(self._server.server_address[1])  # the one the OS chose, for port 0
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=10)
        if self._server is not None:
            self._server.server_close()
        if self._socket is not None:
            self._socket.close()

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def serve(
        self, world: LocalWorld, stop: threading.Event, on_ready: Callable[[], None] = lambda: None
    ) -> None:
        """Answer calls and drive `world` on real time until `stop` is set (this thread drives)."""
        self._world = world
        paced = PacedClock(world.runtime.clock, self.speed)
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-endpoint", daemon=True)
        self._thread.start()
        on_ready()
        while not stop.is_set():
            with self._world_lock:
                paced.step()
            stop.wait(TICK_REAL_SECONDS)

    def _one_at_a_time(self, app: Any) -> Callable[..., Iterable[bytes]]:
        def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            world = self._world
            assert world is not None, "serve() starts answering only once the world is up"
            with self._world_lock:
                world.runtime.clock.settle()
                self.requests += 1
                return list(app(environ, start_response))  # the body too, before the driver goes on

        return application

    def _dated_by_the_clock(self, handler: type[Any]) -> type[Any]:
        endpoint = self

        class DatedByTheClock(handler):  # type: ignore[misc]
            def date_time_string(self, timestamp: float | None = None) -> str:
                # http.server's hook for the Date header of every answer.
                world = endpoint._world
                now = world.runtime.clock.now() if world is not None else time.time()
                return formatdate(now if timestamp is None else timestamp, usegmt=True)

        return DatedByTheClock
