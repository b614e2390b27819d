"""Fixtures for the template meta-tests: the real template.yaml and a compliant fixture to mutate."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from cfnlint.decode import cfn_yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = REPO_ROOT / "template.yaml"
FIXTURES = Path(__file__).parent / "fixtures"

Template = dict[str, Any]


def load_template(path: Path) -> Template:
    """Parse a (SAM) template the way cfn-lint does: !Ref, !Sub, !GetAtt become their long forms."""
    loaded = cfn_yaml.load(str(path))
    # cfn-lint's nodes carry line marks; plain dicts are easier to copy and mutate in tests.
    plain: Template = json.loads(json.dumps(loaded))
    return plain


@pytest.fixture(scope="session")
def template() -> Template:
    """The application's template.yaml. Missing or unparsable is a failure, never a skip."""
    assert TEMPLATE.is_file(), f"{TEMPLATE} is missing: the application template is required"
    return load_template(TEMPLATE)


@pytest.fixture
def compliant() -> Template:
    """A fresh copy of the compliant fixture, for a test to break one rule in."""
    return load_template(FIXTURES / "compliant.yaml")


@pytest.fixture
def fixture_dir(tmp_path: Path) -> Path:
    """A copy of the fixture's directory (its statemachines/), for tests that edit ASL files."""
    shutil.copytree(FIXTURES / "statemachines", tmp_path / "statemachines")
    return tmp_path
