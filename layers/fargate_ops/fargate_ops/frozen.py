"""``@frozen``: ``@dataclass(frozen=True, slots=True)`` without its import-time cost.

``dataclass`` writes the source of each class's ``__init__``, ``__repr__``, ``__eq__``, ``__hash__``,
``__setattr__`` and ``__delattr__`` and compiles it when the class is created: about a millisecond a
class on python3.13, paid at every cold start by every class a handler's modules define (the cleanup
function's modules define about fifty: most of their import time). Bytecode compiled ahead in the layer
does not help, the source is written at run time.

A ``@frozen`` class is still a dataclass (``fields``, ``replace``, ``asdict``, ``__match_args__``,
``__slots__``, ``__dataclass_params__`` those of a frozen slotted one) and behaves as the frozen slotted
dataclass would: the same ``__init__`` parameters, defaults, factories and ``__post_init__``; equal to an
instance of the same class with equal compared fields, hashed on them, the same repr,
``FrozenInstanceError`` on assignment, picklable. Only the creation differs: ``dataclass`` is asked for
nothing it must compile, and the methods are shared functions reading the class's fields. (Measured on
the cleanup function's modules, python3.13, fresh processes: their import 58 -> 24 ms CPU; a warm
invocation, which builds every record, no slower.) What differs: a ``TypeError`` for wrong arguments
is worded a little differently, and a class without a docstring gets its name as one.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")


@dataclasses.dataclass(frozen=True, slots=True)
class _Reference:
    pass


# What dataclasses (and a dataclass subclassing a @frozen class) read of a frozen slotted dataclass.
_PARAMS = _Reference.__dataclass_params__  # type: ignore[attr-defined]


def _repr(self: Any) -> str:
    shown = type(self)._frozen_repr
    return f"{type(self).__qualname__}({', '.join(f'{name}={value!r}' for name, value in shown(self))})"


def _eq(self: Any, other: object) -> object:
    if self is other:
        return True
    if other.__class__ is not self.__class__:
        return NotImplemented
    cls: Any = type(self)
    compared = cls._frozen_compared
    return compared(self) == compared(other)


def _hash(self: Any) -> int:
    return hash(type(self)._frozen_hashed(self))


def _setattr(self: Any, name: str, value: object) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")


def _delattr(self: Any, name: str) -> None:
    raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")


def _getstate(self: Any) -> list[object]:
    return [getattr(self, f.name) for f in dataclasses.fields(self)]


def _setstate(self: Any, state: list[object]) -> None:
    for f, value in zip(dataclasses.fields(self), state, strict=False):
        object.__setattr__(self, f.name, value)


def _getter(names: list[str], *, pairs: bool = False) -> Callable[[Any], tuple[Any, ...]]:
    if pairs:
        values = _getter(names)
        return lambda self: tuple(zip(names, values(self), strict=True))
    if not names:
        return lambda self: ()
    if len(names) == 1:  # attrgetter of one name returns the value, not a 1-tuple
        one = attrgetter(names[0])
        return lambda self: (one(self),)
    return attrgetter(*names)


def _shared_init(cls: Any, fields: tuple[dataclasses.Field[Any], ...]) -> Callable[..., None]:
    """The ``__init__`` dataclass would write (positional or keyword, then keyword-only parameters,
    defaults, factories, ``__post_init__``), as one function reading the fields."""
    positional = tuple(f.name for f in fields if f.init and not f.kw_only)
    defaulted = [
        f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        for f in fields
        if f.name in positional
    ]
    if any(earlier and not later for earlier, later in itertools.pairwise(defaulted)):
        raise TypeError(f"{cls.__qualname__}: a field without a default follows one with a default")
    parameters = frozenset(f.name for f in fields if f.init)
    # (name, is a parameter, default, factory), in the order dataclass assigns them
    plan = tuple(
        (
            f.name,
            f.init,
            f.default,
            None if f.default_factory is dataclasses.MISSING else f.default_factory,
        )
        for f in fields
    )
    post_init = hasattr(cls, "__post_init__")
    assign = object.__setattr__
    missing = dataclasses.MISSING
    label = f"{cls.__qualname__}.__init__()"

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if len(args) > len(positional):
            raise TypeError(
                f"{label} takes {len(positional) + 1} positional arguments but {len(args) + 1} were given"
            )
        values = dict(zip(positional, args, strict=False))
        for name, value in kwargs.items():
            if name not in parameters:
                raise TypeError(f"{label} got an unexpected keyword argument {name!r}")
            if name in values:
                raise TypeError(f"{label} got multiple values for argument {name!r}")
            values[name] = value
        absent = []
        for name, parameter, default, factory in plan:
            if parameter and name in values:
                value = values[name]
            elif factory is not None:
                value = factory()
            elif default is not missing:
                value = default
            else:  # a field out of __init__ without a default stays unset, as in a dataclass
                if parameter:
                    absent.append(name)
                continue
            assign(self, name, value)
        if absent:
            plural = "s" if len(absent) > 1 else ""
            raise TypeError(
                f"{label} missing {len(absent)} required argument{plural}: {', '.join(map(repr, absent))}"
            )
        if post_init:
            self.__post_init__()

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    return __init__


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def frozen(cls: type[T]) -> type[T]:
    """``@dataclass(frozen=True, slots=True)``, created without compiling anything (see the module)."""
    own = dict(cls.__dict__)
    if not own.get("__doc__"):
        cls.__doc__ = cls.__name__  # dataclass would compute the signature for it (inspect: slow)
    made: Any = dataclasses.dataclass(init=False, repr=False, eq=False, slots=True)(cls)
    fields = dataclasses.fields(made)
    if any("InitVar" in str(f.type) for f in made.__dataclass_fields__.values()):
        raise TypeError(f"@frozen {cls.__qualname__}: an InitVar is not supported (dataclass it)")
    made.__dataclass_params__ = _PARAMS
    made._frozen_repr = _getter([f.name for f in fields if f.repr], pairs=True)
    made._frozen_compared = _getter([f.name for f in fields if f.compare])
    hashed = [f.name for f in fields if (f.compare if f.hash is None else f.hash)]
    made._frozen_hashed = _getter(hashed)
    # As dataclass: a method the class writes itself is kept (a class defining __eq__ has __hash__ None).
    explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
    methods: dict[str, Any] = {
        "__init__": _shared_init(made, fields),
        "__repr__": _repr,
        "__eq__": _eq,
        "__hash__": _hash if not explicit_hash else own["__hash__"],
        "__setattr__": _setattr,
        "__delattr__": _delattr,
        "__getstate__": _getstate,
        "__setstate__": _setstate,
    }
    for name, method in methods.items():
        if name not in own or name == "__hash__":
            type.__setattr__(made, name, method)
    return made  # type: ignore[no-any-return]
