"""``@frozen`` behaves as ``@dataclass(frozen=True, slots=True)`` (fargate_ops/frozen.py): the same class
written both ways must give the same answers."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest

from fargate_ops.frozen import frozen


@frozen
class Record:
    """A record with every kind of field the package uses."""

    arn: str
    family: str
    revision: int = 0
    tags: Mapping[str, str] = field(default_factory=dict)
    seen: float | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.revision < 0:
            raise ValueError("negative revision")

    @property
    def name(self) -> str:
        return f"{self.family}:{self.revision}"


@dataclass(frozen=True, slots=True)
class Reference:
    """The same record, as dataclass makes it."""

    arn: str
    family: str
    revision: int = 0
    tags: Mapping[str, str] = field(default_factory=dict)
    seen: float | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.revision < 0:
            raise ValueError("negative revision")

    @property
    def name(self) -> str:
        return f"{self.family}:{self.revision}"


@frozen
class Empty:
    pass


@frozen
class One:
    value: int


@frozen
class Written:
    value: int

    def __repr__(self) -> str:
        return "written"

    def __hash__(self) -> int:
        return 7


def answers(cls: Any) -> list[object]:
    r = cls("a", "f", 2, {"k": "v"})
    match r:
        case cls(arn, family, revision):
            matched = (arn, family, revision)
    state = pickle.loads(pickle.dumps(r))
    return [
        repr(r).removeprefix(cls.__name__),
        r == cls("a", "f", 2, {"k": "v"}, seen=5.0),
        r == cls("a", "f", 3, {"k": "v"}),
        r != cls("a", "f", 2, {"k": "v"}),
        r == ("a", "f", 2, {"k": "v"}),
        hash(cls("a", "f", 1, ())) == hash(cls("a", "f", 1, (), seen=3.0)),
        hash(cls("a", "f", 1, ())) == hash(("a", "f", 1, ())),
        cls.__match_args__,
        cls.__slots__,
        dataclasses.is_dataclass(r),
        cls.__dataclass_params__.frozen,
        [(f.name, f.repr, f.compare) for f in dataclasses.fields(r)],
        dataclasses.asdict(dataclasses.replace(r, revision=9)),
        state == r,
        copy.deepcopy(r) == r,
        copy.copy(r) == r,
        r.name,
        cls("a", family="f").tags,
        cls("a", "f").tags is not cls("a", "f").tags,
        matched,
    ]


def test_it_answers_as_a_frozen_slotted_dataclass() -> None:
    assert answers(Record) == answers(Reference)


def test_it_refuses_what_a_frozen_slotted_dataclass_refuses() -> None:
    record = Record("a", "f")
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'arn'"):
        record.arn = "b"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'arn'"):
        del record.arn
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.other = 1  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="negative revision"):
        Record("a", "f", -1)
    with pytest.raises(TypeError, match="missing 1 required argument: 'family'"):
        Record("a")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="takes 6 positional arguments but 7 were given"):
        Record("a", "f", 1, {}, 1.0, 2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'nope'"):
        Record("a", "f", nope=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values for argument 'arn'"):
        Record("a", "f", arn="b")  # type: ignore[misc]
    assert not hasattr(record, "__dict__")


def test_fieldless_and_one_field_classes_and_methods_a_class_writes() -> None:
    assert (repr(Empty()), Empty() == Empty(), hash(Empty()) == hash(())) == ("Empty()", True, True)
    assert (repr(One(1)), One(1) == One(1), hash(One(1)) == hash((1,))) == ("One(value=1)", True, True)
    assert (repr(Written(1)), hash(Written(1)), Written(1) == Written(1)) == ("written", 7, True)


def test_a_default_before_a_field_without_one_is_refused_when_the_class_is_made() -> None:
    with pytest.raises(TypeError, match="without a default follows one with a default"):

        @frozen
        class Misordered:
            first: int = 0
            second: int  # type: ignore[misc]
