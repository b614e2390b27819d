"""Cleanup in scenarios: a timeline's `cleanup` runs (the real CleanupFunction), `third_party_call`s that
put in the account what others use (rules, schedules, services elsewhere, images), and `expect.cleanups`.

Each cleanup run is kept (when, dry run or apply, the function's result, and the application's write
calls it made, counted by the runtime: "changed nothing" is measured, not taken from the result).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from fargate_ops_cli.local.clients import as_world
from fargate_ops_cli.local.narrative import describe_cleanup

if TYPE_CHECKING:
    from fargate_ops_cli.local.runtime import LocalRuntime
    from fargate_ops_cli.local.scenario import CleanupAction, ExpectedCleanup, ThirdPartyCallAction
    from fargate_ops_cli.local.world.provision import ProvisionedWorld

_READS = re.compile(r":(Describe|List|Get|Scan|Query|BatchGet)")


def _writes(runtime: LocalRuntime) -> dict[str, int]:
    return {call: n for call, n in runtime.api_calls().items() if not _READS.search(call)}


def _changes(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """The write calls made between two counts, but the invocation itself and its SNS report."""
    return {
        call: n - before.get(call, 0)
        for call, n in after.items()
        if n > before.get(call, 0) and call not in ("sns:Publish", "lambda:Invoke")
    }


def invoke_cleanup(runtime: LocalRuntime, payload: dict[str, Any]) -> dict[str, Any]:
    """Invoke the CleanupFunction as its schedule does (from a clock thread, where its token bucket's
    waits pass on the virtual clock); raises RuntimeError with the function's error."""
    import json

    from moto.awslambda.models import lambda_backends

    assert runtime.stack is not None
    name = runtime.stack.function_arn("CleanupFunction").split(":function:", 1)[1]
    with as_world():
        fn = lambda_backends[runtime.clients.account_id][runtime.clients.region].get_function(name)
    (output, errored, _), _invocation = runtime.lambdas.invoke_function(fn, payload)
    body: dict[str, Any] = json.loads(output or "null") or {}
    if errored:
        raise RuntimeError(f"CleanupFunction failed: {body.get('errorType')}: {body.get('errorMessage')}")
    return body


def run_cleanup(
    runtime: LocalRuntime, world: ProvisionedWorld, action: CleanupAction, runs: list[dict[str, Any]]
) -> str:
    mode = "apply" if action.apply else "dry run"
    clusters = action.clusters if action.clusters is not None else [world.cluster_name]
    payload: dict[str, Any] = {"apply": action.apply}
    if clusters:  # an empty list: no cluster scope (revisions of families no cluster uses too)
        payload["clusters"] = clusters
    if action.keep_revisions is not None:
        payload["keep_revisions"] = action.keep_revisions
    if action.kinds is not None:
        payload["kinds"] = action.kinds
    if action.resume and runs and runs[-1]["result"].get("continue_token") is not None:
        payload["continue"] = runs[-1]["result"]["continue_token"]
    before = _writes(runtime)
    try:
        result = invoke_cleanup(runtime, payload)
    except RuntimeError as failed:  # the function's error (an IAM denial, say): the run goes on
        runs.append({"at": runtime.clock.now(), "mode": mode, "result": {"error": str(failed)}, "writes": {}})
        return f"cleanup ({mode}) FAILED: {failed}"
    writes = _changes(before, _writes(runtime))
    runs.append({"at": runtime.clock.now(), "mode": mode, "result": result, "writes": writes})
    return f"cleanup ({mode}): {describe_cleanup(result)}"


def third_party_call(runtime: LocalRuntime, call: ThirdPartyCallAction) -> str:
    with as_world():
        client = runtime.clients.client(call.service)
        for _ in range(call.times):
            getattr(client, call.operation)(**call.params)
    times = f" ({call.times} times)" if call.times > 1 else ""
    return f"calls {call.service}.{call.operation}{times}"


def _short(resource: str) -> str:
    """web-blue:1 for a revision, web-blue for a service, its name for a target group (whose ARN ends
    in an id ELB draws at random), repository@digest for an image."""
    if ":targetgroup/" in resource:
        return resource.split(":targetgroup/", 1)[1].split("/")[0]
    return resource.rsplit("/", 1)[-1]


def _everywhere(plan: dict[str, Any]) -> set[str]:
    """Every resource a plan names: acted on, waiting, kept or left alone."""
    sections = ("actions", "waiting", "kept", "left_alone")
    return {_short(item["resource"]) for section in sections for item in plan.get(section, [])}


def _names(actions: list[dict[str, Any]], action: str) -> list[str]:
    return sorted(_short(a["resource"]) for a in actions if a["action"] == action)


def _result(what: str, ok: bool, detail: str) -> dict[str, Any]:
    return {"what": what, "ok": ok, "detail": detail}


def check_cleanups(wanted: list[ExpectedCleanup], runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    results = []
    for expected in wanted:
        what = f"cleanup run {expected.run}"
        if expected.run > len(runs):
            results.append(_result(what, False, f"only {len(runs)} cleanup runs"))
            continue
        run = runs[expected.run - 1]
        result = run["result"]
        plan = result.get("plan") or {}
        actions = plan.get("actions", [])
        done = (result.get("applied") or {}).get("done") or {}
        kept = {_short(k["resource"]): " ".join(k["reasons"]) for k in plan.get("kept", [])}

        if expected.marked is not None:
            got = _names(actions, "mark")
            results.append(_result(f"{what} marked", got == sorted(expected.marked), f"{got}"))
        if expected.deleted is not None:
            got = _names(actions, "delete")
            applied = not expected.deleted or any(k.startswith("delete ") for k in done)
            ok = got == sorted(expected.deleted) and applied
            results.append(_result(f"{what} deleted", ok, f"{got}, done {done}"))
        for name in expected.kept:
            results.append(_result(f"{what} kept {name}", name in kept, kept.get(name, "not kept")))
        for name, because in expected.kept_because.items():
            ok = because in kept.get(name, "")
            results.append(_result(f"{what} kept {name} because {because!r}", ok, kept.get(name, "not kept")))
        named = _everywhere(plan)
        for name in expected.absent:
            results.append(
                _result(
                    f"{what} no longer finds {name}",
                    name not in named,
                    "gone" if name not in named else "still found",
                )
            )
        if expected.refused_contains is not None:
            refused = plan.get("refused") or ""
            results.append(
                _result(f"{what} refused", expected.refused_contains in refused, refused or "not refused")
            )
        if expected.complete is not None:
            got_complete = bool(result.get("complete"))
            results.append(_result(f"{what} complete", got_complete == expected.complete, f"{got_complete}"))
        if expected.changed is not None:
            made = sum(run["writes"].values())
            results.append(_result(f"{what} writes", made == expected.changed, f"{made}: {run['writes']}"))
    return results
