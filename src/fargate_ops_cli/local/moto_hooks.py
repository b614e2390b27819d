"""Every place the local runtime hooks into moto's internals, in one file.

moto is pinned exactly (pyproject.toml) because these are internals, not API. When a moto upgrade
moves one of them, `tests/runtime/test_moto_internals.py` fails and names which: fix it here.

What moto 5.2.5 lacks, and what we fill in:
- its ASL interpreter waits with real `threading.Event`/`time.sleep`: we give its modules clock-aware
  `Thread`, `Event` and `time` so Wait states, retries and task-token timeouts run on the virtual clock;
- JSONata has no evaluator (LocalStack uses a JVM bridge): we plug in jsonata-python, and fix the
  variable encoding, which puts strings between quotes without escaping them;
- Lambda runs no code without Docker: `_invoke_lambda` runs the real handler in-process;
- target health is always "healthy": the Fargate simulator answers instead;
- Step Functions, ELBv2, ECR and EC2 accept what AWS refuses: strict_sfn.py, strict_elb.py,
  strict_ecr.py and strict_ec2.py refuse it (their hooked internals are listed in their HOOKED and
  checked here too);
- DynamoDB is not thread-safe, never conflicts and always reads consistently: strict_dynamodb.py makes
  each request atomic and, with a scenario's concurrency, writes in flight conflict and reads lag;
- an execution's calls carry no identity: each execution thread acts as its state machine's role
  (`clients.as_principal`), so the local IAM check can authorise them.
"""

from __future__ import annotations

import importlib
import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from fargate_ops_cli.local import (
    fast_ecs,
    moto_parsing,
    sfn_events,
    strict_dynamodb,
    strict_ec2,
    strict_ecr,
    strict_ecs_pages,
    strict_elb,
    strict_sfn,
)
from fargate_ops_cli.local.clock import (
    ClockDatetimeModule,
    ClockEvent,
    ClockThreadingModule,
    ClockTimeModule,
    VirtualClock,
)
from fargate_ops_cli.local.concurrency import Concurrency

_ASL = "moto.stepfunctions.parser.asl"
_BACKEND = "moto.stepfunctions.parser.backend"


@dataclass(frozen=True)
class Hook:
    module: str
    attribute: str
    why: str


# (module, attribute) pairs the clock replaces; each module imports these names itself.
CLOCK_HOOKS: tuple[Hook, ...] = (
    Hook(f"{_ASL}.component.program.program", "threading", "the program's worker thread and its join"),
    Hook(f"{_ASL}.component.state.exec.execute_state", "threading", "Task timeouts: Event.wait(timeout)"),
    Hook(f"{_ASL}.component.state.exec.execute_state", "Thread", "every Task state runs in its own thread"),
    Hook(
        f"{_ASL}.component.state.exec.state_task.service.state_task_service_callback",
        "threading",
        "the waitForTaskToken thread",
    ),
    Hook(
        f"{_ASL}.component.state.exec.state_task.service.state_task_service_callback",
        "time",
        "the .sync polling sleep",
    ),
    Hook(f"{_ASL}.component.state.exec.state_parallel.branch_worker", "threading", "Parallel branches"),
    Hook(f"{_ASL}.component.state.exec.state_parallel.branches_decl", "threading", "Parallel termination"),
    Hook(
        f"{_ASL}.component.state.exec.state_map.iteration.inline_iteration_component",
        "threading",
        "Map iterations",
    ),
    Hook(f"{_ASL}.component.state.exec.state_map.iteration.job", "threading", "Map job termination"),
    Hook(
        f"{_ASL}.component.state.exec.state_map.iteration.itemprocessor.map_run_record",
        "threading",
        "Map run record updates",
    ),
    Hook(f"{_ASL}.eval.environment", "threading", "program_state_event: Wait states wait on it"),
    Hook(f"{_ASL}.eval.callback.callback", "Event", "task-token and heartbeat waits"),
    Hook(f"{_ASL}.eval.count_down_latch", "threading", "Parallel/Map wait for all branches"),
    Hook(f"{_ASL}.component.state.wait.wait_function.wait_function", "time", "Wait measures time.time()"),
    Hook(f"{_ASL}.component.common.retry.retrier_decl", "time", "Retry back-off sleeps"),
    Hook(
        f"{_ASL}.component.common.retry.jitter_strategy_decl",
        "random",
        "JitterStrategy FULL draws each delay: seeded, so a run replays",
    ),
    Hook(f"{_BACKEND}.execution_worker", "Thread", "each execution runs in its own thread"),
    Hook(f"{_ASL}.eval.event.event_manager", "datetime", "history event timestamps"),
    Hook(f"{_ASL}.component.state.state", "datetime", "$states.context.State.EnteredTime"),
    Hook(f"{_ASL}.component.state.wait.wait_function.timestamp", "datetime", "Wait until a Timestamp"),
    Hook(f"{_BACKEND}.execution", "datetime", "execution stop dates"),
    Hook("moto.stepfunctions.parser.models", "datetime", "execution start dates"),
    # the class, imported by name: an image's imagePushedAt (the cleanup keeps recently pushed images)
    Hook("moto.ecr.models", "datetime", "image push times"),
    # the function, imported by name: log groups' creation times and PutLogEvents' 14-day window (the
    # cleanup judges a log group without events by when it was created)
    Hook("moto.logs.models", "utcnow", "log group creation and ingestion times"),
)

JSONATA_MODULE = f"{_ASL}.jsonata.jsonata"
JSONATA_ENCODER_USERS = (f"{_ASL}.eval.states", f"{_ASL}.eval.variable_store")
LAMBDA_FUNCTION = ("moto.awslambda.models", "LambdaFunction", "_invoke_lambda")
TARGET_GROUP = ("moto.elbv2.models", "FakeTargetGroup", "health_for")
# moto's SendTaskFailure handler drops `cause` (only the error reaches the interpreter); the deploy
# engine's rollback reasons (an operator's abort reason, an alarm's name, a crash loop's stops) live in it.
SEND_TASK_FAILURE = ("moto.stepfunctions.responses", "StepFunctionResponse", "send_task_failure")
EXECUTION_WORKER = (f"{_BACKEND}.execution_worker", "ExecutionWorker", "_execution_logic")


def _replacement_for(
    hook: Hook, clock: VirtualClock, threading_module: ClockThreadingModule, original: Any = None
) -> Any:
    if hook.attribute == "threading":
        return threading_module
    if hook.attribute == "Thread":
        return threading_module.Thread
    if hook.attribute == "Event":
        return lambda: ClockEvent(clock)
    if hook.attribute == "time":
        return ClockTimeModule(clock)
    if hook.attribute == "datetime":
        virtual = ClockDatetimeModule(clock)
        return virtual.datetime if isinstance(original, type) else virtual
    if hook.attribute == "utcnow":
        return ClockDatetimeModule(clock).datetime.utcnow
    if hook.attribute == "random":
        return random.Random(0)  # a retry's jitter, seeded: the same run draws the same delays
    raise ValueError(hook.attribute)


class _ClockCondition:
    """threading.Condition for CountDownLatch, waiting on the clock (the latch waits without timeout)."""

    def __init__(self, clock: VirtualClock) -> None:
        self._clock = clock
        self._generation = 0

    def acquire(self) -> None:
        self._clock.condition.acquire()

    def release(self) -> None:
        self._clock.condition.release()

    def notify_all(self) -> None:
        self._generation += 1
        self._clock.condition.notify_all()

    def wait(self) -> None:
        # Called with the clock's lock held (acquire above); wait_for takes it again, so release first.
        seen = self._generation
        self._clock.condition.release()
        try:
            self._clock.wait_for(lambda: self._generation != seen)
        finally:
            self._clock.condition.acquire()


class _LatchThreading(ClockThreadingModule):
    def Condition(self) -> _ClockCondition:
        return _ClockCondition(self._clock)


@contextmanager
def _patched(targets: list[tuple[Any, str, Any]]) -> Iterator[None]:
    # A class's own attribute is saved as it is stored (a staticmethod stays one when restored).
    saved = [
        (obj, name, vars(obj)[name] if isinstance(obj, type) and name in vars(obj) else getattr(obj, name))
        for obj, name, _ in targets
    ]
    try:
        for obj, name, value in targets:
            setattr(obj, name, value)
        yield
    finally:
        for obj, name, value in reversed(saved):
            setattr(obj, name, value)


def _jsonata_evaluator() -> Callable[[str], Any]:
    import jsonata  # jsonata-python: a maintained pure-Python port of the reference implementation

    def evaluate(expression: str) -> Any:
        from moto.stepfunctions.parser.asl.jsonata.jsonata import JSONataException

        try:
            return jsonata.Jsonata(expression).evaluate(None)
        except Exception as error:  # the interpreter expects its own exception type
            raise JSONataException("States.QueryEvaluationError", str(error)) from error

    return evaluate


def _encode_variable_declarations(bindings: dict[str, Any]) -> str:
    # moto writes f'"{value}"' for strings: a task token or an error cause holding a quote breaks the
    # expression. JSON string literals are valid JSONata string literals, so encode everything as JSON.
    from moto.stepfunctions.parser.asl.utils.encoding import to_json_str  # dates as ISO strings

    return "".join(f"{ref}:={to_json_str(value, separators=(',', ':'))};" for ref, value in bindings.items())


@contextmanager
def installed(
    clock: VirtualClock,
    invoke_lambda: Callable[[Any, Any], tuple[str, bool, str]],
    target_health: Callable[[Any, dict[str, Any]], Any] | None,
    concurrency: Concurrency | None = None,
) -> Iterator[None]:
    """Install every hook for one run; undo them all afterwards (tests run many scenarios)."""
    threading_module = ClockThreadingModule(clock)
    targets: list[tuple[Any, str, Any]] = []
    for hook in CLOCK_HOOKS:
        module = importlib.import_module(hook.module)
        if hook.module.endswith("count_down_latch"):
            targets.append((module, hook.attribute, _LatchThreading(clock)))
        else:
            original = getattr(module, hook.attribute)
            replacement = _replacement_for(hook, clock, threading_module, original)
            targets.append((module, hook.attribute, replacement))

    jsonata_module = importlib.import_module(JSONATA_MODULE)
    targets.append((jsonata_module, "_eval_jsonata", _jsonata_evaluator()))
    targets.append((jsonata_module, "encode_jsonata_variable_declarations", _encode_variable_declarations))
    # Modules that imported the encoder by name need it too.
    for user in JSONATA_ENCODER_USERS:
        targets.append(
            (
                importlib.import_module(user),
                "encode_jsonata_variable_declarations",
                _encode_variable_declarations,
            )
        )

    module_name, class_name, method = LAMBDA_FUNCTION
    lambda_cls = getattr(importlib.import_module(module_name), class_name)
    targets.append((lambda_cls, method, lambda self, event=None: invoke_lambda(self, event)))

    if target_health is not None:
        module_name, class_name, method = TARGET_GROUP
        tg_cls = getattr(importlib.import_module(module_name), class_name)
        original = getattr(tg_cls, method)

        def health_for(self: Any, target: dict[str, Any], ec2_backend: Any) -> Any:
            answer = target_health(self, target)
            return answer if answer is not None else original(self, target, ec2_backend)

        targets.append((tg_cls, method, health_for))

    module_name, class_name, method = SEND_TASK_FAILURE
    targets.append((getattr(importlib.import_module(module_name), class_name), method, _send_task_failure))
    targets += strict_sfn.patches() + strict_elb.patches() + strict_ecr.patches() + strict_ec2.patches()
    targets += fast_ecs.patches() + moto_parsing.patches()
    targets += strict_ecs_pages.patches()
    targets += strict_dynamodb.patches(strict_dynamodb.StrictDynamoDb(concurrency or Concurrency(clock)))

    module_name, class_name, method = EXECUTION_WORKER
    worker_cls = getattr(importlib.import_module(module_name), class_name)
    targets.append((worker_cls, method, _acting_as_state_machine(getattr(worker_cls, method))))

    with _patched(targets):
        yield


def _send_task_failure(self: Any) -> Any:
    """StepFunctionResponse.send_task_failure, passing the cause on as AWS does."""
    from moto.core.responses import EmptyResult

    self.stepfunction_backend.send_task_failure(
        self._get_param("taskToken"), error=self._get_param("error"), cause=self._get_param("cause")
    )
    return EmptyResult()


def _acting_as_state_machine(execution_logic: Callable[[Any], None]) -> Callable[[Any], None]:
    def run(self: Any) -> None:
        from fargate_ops_cli.local.clients import as_principal

        details = self._evaluation_details
        # Step Functions assumes the state machine's role for its integrations; the session is named
        # by the service (here the execution's name, so messages say which execution was refused).
        with as_principal(details.aws_execution_details.role_arn, details.execution_details.name):
            execution_logic(self)

    return run


def state_machine_of_task_token(account_id: str, region: str, token: str) -> str | None:
    """The state machine whose execution issued this task token (None when no execution holds it)."""
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    backend = stepfunctions_parser_backends[account_id][region]
    for machine in backend.state_machines:
        for execution in machine.executions:
            worker = getattr(execution, "exec_worker", None)
            env = worker.env if worker is not None else None
            if env is not None and env.callback_pool_manager.get(token) is not None:
                return str(machine.arn)
    return None


def next_task_definition_revision(account_id: str, region: str, family: str) -> int:
    """The revision RegisterTaskDefinition will give (deregistered revisions still count)."""
    from moto.ecs.models import ecs_backends

    revisions = ecs_backends[account_id][region].task_definitions.get(family, {})
    return max(revisions, default=0) + 1


def history_since(account_id: str, region: str, execution_arn: str, index: int) -> list[dict[str, Any]]:
    """An execution's history events from `index` on, read from the interpreter's own list.

    GetExecutionHistory through the API serialises the whole history on every call; a narrator reading
    it every few virtual seconds spent most of a run doing that. Timestamps here are ISO strings.
    """
    from moto.stepfunctions.parser.models import stepfunctions_parser_backends

    execution = stepfunctions_parser_backends[account_id][region].describe_execution(
        execution_arn=execution_arn
    )
    worker = getattr(execution, "exec_worker", None)  # the parser backend's Execution has one
    env = worker.env if worker is not None else None
    if env is None:
        return []
    manager = env.event_manager
    with manager._mutex:
        return [dict(event) for event in manager._history_event_list[index:]]


WORLD_HOOKS = (
    ("moto.ecs.models", "EC2ContainerServiceBackend", "update_service"),
    ("moto.ecs.models", "EC2ContainerServiceBackend", "list_tasks"),
    ("moto.cloudwatch.models", "Dimension", "__lt__"),
    ("moto.ecs.responses", "EC2ContainerServiceResponse", "create_service"),
    ("moto.elbv2.models", "ELBv2Backend", "modify_listener"),
    ("moto.elbv2.models", "ELBv2Backend", "modify_rule"),
)


@contextmanager
def world_hooks(simulator: Any) -> Iterator[None]:
    """Hooks that make moto answer like the simulated world (installed by the scenario runner).

    - UpdateService tells the simulator at once: without it moto reports runningCount = desiredCount
      until the next reconcile tick.
    - ListTasks honours serviceName and defaults desiredStatus to RUNNING, as ECS does.
    - CloudWatch dimensions sort correctly, so GetMetricData matches whatever order a query lists them in.
    - CreateService keeps the circuit breaker, grace period and capacity provider strategy moto drops
      (the application's adopted twin copies them from the live service).
    - ModifyListener / ModifyRule tell the simulator at once, so the report sees every write of a
      listener or rule (a test listener's weights can go to green and back within one reconcile tick)
      and a minute's requests split at the instant the weights changed.
    """
    from fargate_ops_cli.local.world.moto_access import (
        create_service_keeping_settings,
        dimension_less_than,
        list_tasks_like_ecs,
    )

    ecs_hook, _, cw_hook, responses_hook, elb_hook, _ = WORLD_HOOKS
    (ecs_module, ecs_class, _), (cw_module, dim_class, _) = ecs_hook, cw_hook
    (resp_module, resp_class, _), (elb_module, elb_class, _) = responses_hook, elb_hook
    backend_cls = getattr(importlib.import_module(ecs_module), ecs_class)
    original_update = backend_cls.update_service

    def update_service(self: Any, *args: Any, **kwargs: Any) -> Any:
        service = original_update(self, *args, **kwargs)
        simulator.on_service_updated(service.cluster_name, service.name)
        return service

    elb_cls = getattr(importlib.import_module(elb_module), elb_class)

    def telling(original: Callable[..., Any]) -> Callable[..., Any]:
        def modified(self: Any, *args: Any, **kwargs: Any) -> Any:
            result = original(self, *args, **kwargs)
            simulator.on_routes_modified()
            return result

        return modified

    dimension_cls = getattr(importlib.import_module(cw_module), dim_class)
    responses_cls = getattr(importlib.import_module(resp_module), resp_class)
    with _patched(
        [
            (elb_cls, "modify_listener", telling(elb_cls.modify_listener)),
            (elb_cls, "modify_rule", telling(elb_cls.modify_rule)),
            (backend_cls, "update_service", update_service),
            (backend_cls, "list_tasks", list_tasks_like_ecs(backend_cls.list_tasks)),
            (dimension_cls, "__lt__", dimension_less_than),
            (responses_cls, "create_service", create_service_keeping_settings(responses_cls.create_service)),
            (elb_cls, "modify_listener", telling(elb_cls.modify_listener)),
            (elb_cls, "modify_rule", telling(elb_cls.modify_rule)),
        ]
    ):
        yield


def check_internals() -> list[str]:
    """Names every hooked internal that is missing; empty when moto still looks as expected."""
    problems: list[str] = []
    for hook in CLOCK_HOOKS:
        try:
            module = importlib.import_module(hook.module)
        except ImportError as error:
            problems.append(f"{hook.module}: cannot import ({error}); needed for {hook.why}")
            continue
        if not hasattr(module, hook.attribute):
            problems.append(f"{hook.module}.{hook.attribute} is gone; needed for {hook.why}")
    jsonata_module = importlib.import_module(JSONATA_MODULE)
    for name in ("_eval_jsonata", "encode_jsonata_variable_declarations", "JSONataException"):
        if not hasattr(jsonata_module, name):
            problems.append(f"{JSONATA_MODULE}.{name} is gone; needed for JSONata")
    from moto.stepfunctions.parser.asl.eval.event.event_manager import EventManager

    if not {"_mutex", "_history_event_list"} <= set(vars(EventManager(None))):
        problems.append("EventManager no longer keeps _history_event_list/_mutex (history_since reads them)")
    for user in JSONATA_ENCODER_USERS:
        if not hasattr(importlib.import_module(user), "encode_jsonata_variable_declarations"):
            problems.append(f"{user}.encode_jsonata_variable_declarations is gone")
    hooked = (LAMBDA_FUNCTION, TARGET_GROUP, SEND_TASK_FAILURE, EXECUTION_WORKER, *WORLD_HOOKS)
    for module_name, class_name, method in hooked:
        cls = getattr(importlib.import_module(module_name), class_name, None)
        if cls is None or not hasattr(cls, method):
            problems.append(f"{module_name}.{class_name}.{method} is gone")
    strict = strict_sfn.HOOKED + strict_elb.HOOKED + strict_ecr.HOOKED + strict_dynamodb.HOOKED
    strict += strict_ec2.HOOKED + strict_ecs_pages.HOOKED
    strict += sfn_events.HOOKED + fast_ecs.HOOKED + moto_parsing.HOOKED
    for module_name, owner, attribute in strict:
        found: Any = importlib.import_module(module_name)
        found = getattr(found, owner, None) if owner is not None else found
        if found is None or not hasattr(found, attribute):
            problems.append(f"{module_name}.{owner or ''}.{attribute} is gone (a hooked moto internal)")
    return problems
