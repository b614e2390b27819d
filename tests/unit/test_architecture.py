"""The import structure: no cycles anywhere, and the layers point downwards (docs/architecture.md).

Read by grimp from the source; imports under ``if TYPE_CHECKING:`` count too (a cycle of type imports
still ties two modules together for a reader).
"""

from __future__ import annotations

import functools

import grimp
import pytest

PACKAGES = ("fargate_ops", "fargate_ops_cli")


@functools.cache
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(*PACKAGES, include_external_packages=True, cache_dir=None)


def cycles(g: grimp.ImportGraph) -> list[str]:
    """Every import that closes a cycle, with the way back round (one line per such import)."""
    found = []
    for module in sorted(m for m in g.modules if m.startswith(PACKAGES)):
        for imported in sorted(g.find_modules_directly_imported_by(module)):
            if imported.startswith(PACKAGES):
                back = g.find_shortest_chain(importer=imported, imported=module)
                if back:
                    found.append(" -> ".join((module, *back)))
    return found


def imports_from(g: grimp.ImportGraph, package: str, forbidden: tuple[str, ...]) -> list[tuple[str, str]]:
    modules = {package, *g.find_descendants(package)}
    return sorted(
        (module, imported)
        for module in modules
        for imported in g.find_modules_directly_imported_by(module)
        if imported.startswith(forbidden)
    )


def test_no_module_of_the_application_or_the_operator_side_is_part_of_an_import_cycle() -> None:
    assert cycles(graph()) == []


def test_the_cycle_check_names_a_cycle_when_one_is_made() -> None:
    g = grimp.build_graph("fargate_ops", cache_dir=None)  # its own graph: this one is changed
    g.add_import(importer="fargate_ops.domain.traffic", imported="fargate_ops.models.deploy")

    assert "fargate_ops.domain.traffic -> fargate_ops.models.deploy -> fargate_ops.domain.traffic" in cycles(
        g
    )


def test_the_application_never_imports_the_operator_side() -> None:
    assert imports_from(graph(), "fargate_ops", ("fargate_ops_cli",)) == []


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        # the pure domain: no AWS SDK, no adapters, no steps, no reactions (it may name a model's type)
        (
            "fargate_ops.domain",
            ("boto3", "botocore", "fargate_ops.aws", "fargate_ops.deploy", "fargate_ops.reactions"),
        ),
        # adapters know AWS and the domain, never what calls them
        ("fargate_ops.aws", ("fargate_ops.deploy", "fargate_ops.reactions", "fargate_ops.cleanup")),
        ("fargate_ops.models", ("boto3", "fargate_ops.aws", "fargate_ops.deploy", "fargate_ops.reactions")),
    ],
)
def test_each_layer_imports_only_the_layers_below_it(layer: str, forbidden: tuple[str, ...]) -> None:
    assert imports_from(graph(), layer, forbidden) == []
