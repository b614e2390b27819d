"""`make bench`: the figures the issues ask for, measured in one run. Benchmarks, not timed tests.

1. Cold start: each handler module's import time, as a ratio to a bare `import boto3` (goal <= 1.5).
   Each is the median of several fresh processes laid out like Lambda (function folder + layer on path).
2. Memory: each handler's peak during the demo = the RSS of a fresh process that imported it and
   everything it imports lazily (boto3, the whole fargate_ops library), plus the peak Python allocation
   seen during its invocations (tracemalloc: clients, responses, models), against the template's
   MemorySize (goal: at least 2x headroom).
3. The local runtime's start-up: deploying the template into moto, in seconds.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
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


def main() -> None:
    imports = cold_start()
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
    print(f"\n## Local runtime start-up (template deployed into moto): {startup:.2f} s")
    print(f"   demo: {transitions} state transitions, {sum(calls.values())} application API calls")
    print(json.dumps({"api_calls": calls}, indent=None))


if __name__ == "__main__":
    main()
