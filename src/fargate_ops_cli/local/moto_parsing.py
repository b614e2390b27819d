"""Parsing moto repeats on every call, done once (installed by moto_hooks.installed).

Two parsers were most of the local runtime's start-up and a large part of every deploy:
- moto's CloudFormation reads every template body with PyYAML's pure-Python loader, JSON included
  (JSON is YAML), although the runtime always sends JSON: `json.loads` gives the same mapping in a
  fraction of the time. A body that is not JSON still goes to moto's own reader.
- moto's Step Functions parses the definition with ANTLR at CreateStateMachine (to validate it) and
  again at every StartExecution. The parse tree depends only on the definition's text, so it is kept
  per text; the evaluation components are still built afresh from it for each caller (some carry
  per-execution state, such as a Parallel state's count of running branches, so they must never be
  shared between executions). Syntax
  errors are never cached: a bad definition is refused every time, as AWS refuses it.
"""

from __future__ import annotations

import importlib
import json
import threading
from typing import Any

_STACK = ("moto.cloudformation.models", "Stack", "parse_template")
_ASL = ("moto.stepfunctions.parser.asl.parse.asl_parser", "AmazonStateLanguageParser", "parse")
HOOKED: tuple[tuple[str, str | None, str], ...] = (_STACK, _ASL)

_trees: dict[str, Any] = {}
_trees_lock = threading.Lock()


def patches() -> list[tuple[Any, str, Any]]:
    """(object, attribute, replacement) for moto_hooks._patched."""
    stack_cls = getattr(importlib.import_module(_STACK[0]), _STACK[1])
    yaml_reader = stack_cls.parse_template
    asl_module = importlib.import_module(_ASL[0])
    parser_cls = getattr(asl_module, _ASL[1])
    antlr_parse = parser_cls.parse

    def parse_template(template: str) -> Any:
        if template.lstrip().startswith("{"):
            try:
                return json.loads(template)
            except ValueError:
                pass  # not JSON after all: moto's reader says what is wrong with it
        return yaml_reader(template)

    def parse(definition: str) -> tuple[Any, Any]:
        tree = _trees.get(definition)
        if tree is None:
            program, tree = antlr_parse(definition)  # raises on a syntax error: nothing kept
            with _trees_lock:
                _trees[definition] = tree
            return program, tree
        from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

        return Preprocessor().visit(tree), tree

    return [
        (stack_cls, _STACK[2], staticmethod(parse_template)),
        (parser_cls, _ASL[2], staticmethod(parse)),
    ]
