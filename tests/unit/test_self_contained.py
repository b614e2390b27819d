"""A fresh clone in an empty folder passes `make test`: nothing reads beside the repository."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests import self_contained

ROOT = self_contained.ROOT
# Paths of a development machine, or of the folder beside the repository the project once read.
MACHINE_PATH = re.compile(
    r"(\.\./)+shared/|/work/(main|shared)|/home/[a-z]\w*/|/Users/\w+/|aws-samples/events"
)
TEXT_SUFFIXES = {".py", ".yaml", ".yml", ".json", ".md", ".toml", ".cfg", ".txt", ".sh", ""}


def _tracked_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    files = [ROOT / name for name in listed]
    return [path for path in files if path.suffix in TEXT_SUFFIXES and path.is_file()]


def test_a_test_opening_a_file_beside_the_repository_fails_naming_it() -> None:
    beside = ROOT.parent / "shared-probe-that-does-not-exist.json"

    with pytest.raises(PermissionError, match="outside the repository"):
        beside.read_text()


def test_files_inside_the_repository_and_the_temporary_folder_open_as_usual(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_text("x")

    assert (tmp_path / "x.txt").read_text() == "x"
    assert (ROOT / "events" / "aws" / "README.md").read_text().startswith("# Real AWS sample events")


def test_no_tracked_file_names_a_path_of_a_development_machine() -> None:
    offenders = []
    for path in _tracked_files():
        if path == Path(__file__):
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if MACHINE_PATH.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")

    assert offenders == []


def test_every_event_file_a_scenario_sends_is_inside_the_repository() -> None:
    scenarios = [*ROOT.glob("scenarios/**/*.yaml"), *ROOT.glob("src/fargate_ops_cli/scenarios/*.yaml")]
    sent = []
    for scenario in scenarios:
        for step in yaml.safe_load(scenario.read_text()).get("timeline", []):
            file = (step.get("send_event") or {}).get("file")
            if file:
                sent.append((scenario, (scenario.parent / file).resolve()))

    assert sent, "no scenario sends an event file: the check would prove nothing"
    for scenario, path in sent:
        assert path.is_relative_to(ROOT), f"{scenario.relative_to(ROOT)} sends {path}, outside the repository"
        assert path.is_file(), f"{scenario.relative_to(ROOT)} sends {path}, which does not exist"


def test_the_real_aws_samples_are_in_the_project_with_their_sources() -> None:
    readme = (ROOT / "events" / "aws" / "README.md").read_text()
    samples = sorted((ROOT / "events" / "aws").glob("*.json"))

    assert len(samples) >= 13
    for sample in samples:
        assert sample.name in readme, f"{sample.name} has no source line in events/aws/README.md"


def test_a_clone_in_the_temporary_folder_allows_only_what_the_tests_make_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if the repository were tmp_path/"repo": its siblings are in the temporary folder.
    sibling = tmp_path / "shared" / "design.md"
    sibling.parent.mkdir()
    sibling.write_text("not the project's")
    monkeypatch.setattr(self_contained, "_OUTSIDE", str(tmp_path))
    monkeypatch.setattr(self_contained, "_ALLOWED", (str(tmp_path / "repo"),))
    monkeypatch.setattr(self_contained, "_CLONE_IN_TEMP", True)
    monkeypatch.setattr(self_contained, "_created", set())

    self_contained._audit("os.mkdir", (str(sibling.parent),))  # exists already: stays refused
    self_contained._audit("os.mkdir", (str(tmp_path / "made"),))
    self_contained._audit("open", (str(tmp_path / "new.json"), "w", 0))

    assert self_contained.outside_repository(str(sibling))
    assert not self_contained.outside_repository(str(tmp_path / "made" / "x.txt"))
    assert not self_contained.outside_repository(str(tmp_path / "new.json"))
    assert not self_contained.outside_repository(str(tmp_path / "repo" / "README.md"))
