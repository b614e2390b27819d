"""`make bench`: the figures the issues ask for, measured in one run. Benchmarks, not timed tests.

1. Cold start, two ways. Import only: each handler module's import time, as a ratio to a bare
   `import boto3`, the median of several fresh processes laid out like Lambda (function folder + layer
   on path); it hides the lazy imports. As Lambda pays it (bench_cold_start.py): a fresh process
   imports the handler and serves its first event of a typical kind, AWS answered locally and its
   time taken off, against a fresh process importing boto3 and making one client (goal <= 1.3).
2. Memory: each handler's peak during the demo = the RSS of a fresh process that imported it and
   everything it imports lazily (boto3, the whole fargate_ops library), plus the peak Python allocation
   seen during its invocations (tracemalloc: clients, responses, models), against the template's
   MemorySize (goal: at least 2x headroom).
3. The local runtime's start-up: deploying the template into moto, in seconds.
4. The deploy engine's cost, from the runtime's execution history and call counts: state transitions
   of one canary deploy for bakes of 1, 10 and 60 minutes (goal: the same for all three, <= 40), and
   its control-plane calls (ECS, Elastic Load Balancing, CloudWatch) as a ratio to a lower bound of 10
   (goal <= 1.5): describe the live service, the listener and the task definition, register, scale
   green up, shift to 10%, read the metrics, shift to 100%, scale the old slot down, tag.
5. The scenario suite: every scenario in scenarios/, run one after the other in this process, each
   from a fresh runtime; its wall time, and the mean per deploy scenario (today's: 6-8 s, goal within
   1.5x of that).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LAYER = ROOT / "layers" / "fargate_ops"
RUNS = 7

_IMPORT_PROBE = """
import sys, time, resource
sys.path[:0] = {paths!r}
started = time.perf_counter()
import {module}
elapsed = time.perf_counter() - started
if {everything}:
    # What the handler imports lazily on its first call: boto3 and the whole library.
    import boto3, pkgutil, importlib, fargate_ops
    for info in pkgutil.walk_packages(fargate_ops.__path__, "fargate_ops."):
        importlib.import_module(info.name)
print(elapsed, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


def _probe(module: str, paths: list[str]) -> tuple[float, int]:
    code = _IMPORT_PROBE.format(paths=paths, module=module, everything=module == "app")
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd="/"
    ).stdout
    elapsed, rss = out.split()
    return float(elapsed), int(rss)


def _median_import(module: str, paths: list[str]) -> tuple[float, int]:
    samples = [_probe(module, paths) for _ in range(RUNS)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


def handler_dirs() -> list[Path]:
    return sorted(p for p in (ROOT / "functions").iterdir() if (p / "app.py").exists())


def template_memory() -> dict[str, int]:
    from samtranslator.yaml_helper import yaml_parse

    template = yaml_parse((ROOT / "template.yaml").read_text())
    default = int(template.get("Globals", {}).get("Function", {}).get("MemorySize", 128))
    sizes = {}
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            code = str(resource["Properties"].get("CodeUri", "")).rstrip("/").rsplit("/", 1)[-1]
            sizes[code] = int(resource["Properties"].get("MemorySize", default))
    return sizes


def cold_start() -> dict[str, dict[str, float]]:
    boto3_seconds, _boto3_rss = _median_import("boto3", [])
    print(
        "\n## Cold start: import time vs a bare `import boto3`"
        f" ({boto3_seconds * 1000:.0f} ms, median of {RUNS})"
    )
    results = {}
    for directory in handler_dirs():
        seconds, rss = _median_import("app", [str(directory), str(LAYER)])
        ratio = seconds / boto3_seconds
        results[directory.name] = {"import_ms": seconds * 1000, "ratio": ratio, "import_rss": rss}
        verdict = "ok" if ratio <= 1.5 else "OVER GOAL"
        print(
            f"  {directory.name:<14} {seconds * 1000:7.0f} ms   ratio {ratio:4.2f}   (goal <= 1.5: {verdict})"
        )
    return results


def demo_run() -> tuple[dict[str, int], float, dict[str, int], int]:
    from fargate_ops_cli.local.runner import ScenarioRunner
    from fargate_ops_cli.local.scenario import loads

    scenario = loads((ROOT / "src/fargate_ops_cli/scenarios/demo.yaml").read_text(), "demo.yaml")
    report = ScenarioRunner(scenario, measure_memory=True).run()
    peaks = {}
    for name, stats in report.lambda_invocations.items():
        peaks[name] = int(stats["peak_bytes"])
    transitions = sum(report.state_transitions.values())
    return peaks, report.runtime["startup_seconds"], report.api_calls, transitions


CONTROL_PLANE = ("ecs:", "elbv2:", "cloudwatch:")
CANARY_LOWER_BOUND = 10


def canary_costs() -> dict[int, tuple[int, dict[str, int]]]:
    import yaml

    from fargate_ops_cli.local.runner import ScenarioRunner
    from fargate_ops_cli.local.scenario import Scenario

    base = yaml.safe_load((ROOT / "scenarios/deploy/canary.yaml").read_text())
    results = {}
    for minutes in (1, 10, 60):
        document = dict(base, name=f"canary-{minutes}m", run_for=f"{minutes + 8}m")
        document.pop("expect")
        document["timeline"][0]["deploy"]["strategy"]["bake"] = f"{minutes}m"
        report = ScenarioRunner(Scenario.model_validate(document)).run()
        deploy = report.deploys[0]
        assert deploy["status"] == "SUCCEEDED", deploy
        results[minutes] = (int(deploy["state_transitions"]), report.api_calls)
    return results


def print_canary(results: dict[int, tuple[int, dict[str, int]]]) -> None:
    print("\n## Canary deploy (10%, bake, 100%): state transitions by bake length")
    for minutes, (transitions, _) in results.items():
        print(f"  bake {minutes:>2} min: {transitions} state transitions")
    same = len({t for t, _ in results.values()}) == 1
    print(f"  same for all three: {same}; goal <= 40: {max(t for t, _ in results.values()) <= 40}")
    _, calls = results[10]
    control = {k: v for k, v in calls.items() if k.startswith(CONTROL_PLANE)}
    total = sum(control.values())
    print(
        f"  control-plane calls per canary deploy: {total} = {total / CANARY_LOWER_BOUND:.1f}x"
        f" the lower bound of {CANARY_LOWER_BOUND} (goal <= 1.5)"
    )
    print(f"    {control}")
    print(f"  all application calls: {sum(calls.values())} {calls}")


# seconds: the local runtime's start-up when issue 7 was filed (commit f36e53a), measured as the demo
# reports it now, with memory traced only from the end of the template's deploy (median of three runs
# here: 2.49 s). The 4.7 s traced every allocation of the deploy as well (the demo measures the
# functions' memory), which tripled the figure and is no part of the start-up a user waits for.
STARTUP_BASELINE = 2.5
DEPLOY_SCENARIO_BASELINE = 8.0  # seconds, the top of "about 6-8 s per deploy scenario" then


def scenario_suite() -> None:
    """Every scenario file, run as `fargate-ops local run` runs it; wall time each and in all."""
    import fault_matrix

    from fargate_ops_cli.local.runner import ScenarioRunner
    from fargate_ops_cli.local.scenario import load

    print("\n## The scenario suite: every scenario in scenarios/, one after the other, wall time")
    times: dict[str, float] = {}
    matrix: list[str] = []
    started = time.perf_counter()
    for path in sorted((ROOT / "scenarios").rglob("*.yaml")):
        began = time.perf_counter()
        report = ScenarioRunner(load(path), base_dir=path.parent).run()
        times[str(path.relative_to(ROOT / "scenarios"))] = time.perf_counter() - began
        if path.parent == fault_matrix.DEPLOY_SCENARIOS:
            matrix.extend(fault_matrix.rows(path.stem, report))
    total = time.perf_counter() - started
    deploys = [t for name, t in times.items() if name.startswith("deploy/")]
    for name, seconds in times.items():
        print(f"  {name:<48} {seconds:5.1f} s")
    mean = statistics.mean(deploys)
    goal = 1.5 * DEPLOY_SCENARIO_BASELINE
    print(
        f"  all {len(times)} scenarios: {total:.0f} s; per deploy scenario: mean {mean:.1f} s,"
        f" max {max(deploys):.1f} s (baseline 6-8 s; goal mean <= {goal:.0f} s:"
        f" {'ok' if mean <= goal else 'OVER GOAL'})"
    )
    print("\n## The deploy fault matrix (scripts/fault_matrix.py): how each deploy of each scenario ended")
    print(fault_matrix.HEADER)
    print("\n".join(matrix))


def main() -> None:
    from bench_cold_start import measure, report

    imports = cold_start()
    report(measure(RUNS))
    peaks, startup, calls, transitions = demo_run()
    sizes = template_memory()
    print("\n## Memory during the demo: RSS with all imports + peak allocation in invocations, vs MemorySize")
    for function_name, peak in sorted(peaks.items()):
        code = next(
            (c for c in imports if c.replace("_", "").lower() in function_name.replace("-", "").lower()), None
        )
        if code is None:
            continue
        total = imports[code]["import_rss"] + peak
        size = sizes.get(code, 128) * 1024 * 1024
        print(
            f"  {code:<14} import RSS {imports[code]['import_rss'] / 2**20:5.1f} MiB"
            f" + peak {peak / 2**20:5.2f} MiB = {total / 2**20:5.1f} MiB of {size / 2**20:.0f} MiB"
            f"   headroom {size / total:4.1f}x (goal >= 2x)"
        )
    goal = 1.5 * STARTUP_BASELINE
    print(
        f"\n## Local runtime start-up (template deployed into moto): {startup:.2f} s"
        f" (baseline {STARTUP_BASELINE} s; goal <= {goal:.2f} s: {'ok' if startup <= goal else 'OVER GOAL'})"
    )
    print(f"   demo: {transitions} state transitions, {sum(calls.values())} application API calls")
    print(json.dumps({"api_calls": calls}, indent=None))
    print_canary(canary_costs())
    scenario_suite()


if __name__ == "__main__":
    main()
