"""What the msgspec models share: reading a document into a struct with the field at fault named, and
dumping a struct to plain JSON values (``exclude_none`` as pydantic's ``model_dump`` had it)."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Collection
from typing import Any, TypeVar

import msgspec

T = TypeVar("T")

# msgspec's message ends with where it failed: " - at `$.change.images[...]`", " - at `key` in `$.env`".
_AT = re.compile(r"^(?P<message>.*?)(?: - at (?:`(?P<key>key)` in )?`\$(?P<path>[^`]*)`)?$", re.S)
_PART = re.compile(r"\.([^.\[]+)|\[(\d+|\.\.\.)\]")
_UNKNOWN = re.compile(r"^Object contains unknown field `(.*)`$", re.S)  # a key may hold a newline
_MISSING = re.compile(r"^Object missing required field `(.*)`$", re.S)
_PATTERN = re.compile(r"^Expected `str` matching regex ('.*')$", re.S)
_ENUM = re.compile(r"^Invalid enum value (.*)$", re.S)


class FieldError(ValueError):
    """A rule a struct checks in ``__post_init__``, about one of its fields (``field`` is dotted, from
    the struct: ``images.app``; empty for the struct as a whole). msgspec wraps it in a ValidationError
    whose path is the struct's; ``located`` joins the two."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


def located(error: msgspec.ValidationError, model: type | None = None) -> tuple[str, str]:
    """``(field, problem)`` of a validation error: the dotted path of the field (``slots.0``,
    ``change.images.app``; ``""`` for the document itself) and what is wrong with it. With the
    ``model`` read, a value outside a ``Literal`` is told the values allowed."""
    match = _AT.match(str(error))
    if match is None:  # not reached: the pattern matches any text
        return "", str(error)
    message, path = match["message"], match["path"] or ""
    parts = [name or index for name, index in _PART.findall(path)]
    if match["key"]:
        message = f"a key: {message}"
    cause = error.__cause__
    if isinstance(cause, FieldError):
        parts += [cause.field] if cause.field else []
        message = cause.message
    elif unknown := _UNKNOWN.match(message):
        parts, message = [*parts, unknown[1]], "unknown field"
    elif missing := _MISSING.match(message):
        parts, message = [*parts, missing[1]], "required"
    elif pattern := _PATTERN.match(message):  # msgspec quotes the pattern's repr: "\\Z", not "\Z"
        message = f"does not match the pattern {ast.literal_eval(pattern[1])}"
    elif (enum := _ENUM.match(message)) and model is not None and (allowed := _literal_values(model, parts)):
        message = f"{enum[1]} is not one of {', '.join(map(repr, allowed))}"
    return ".".join(p for p in parts if p != "..."), message


def _literal_values(model: type, parts: list[str]) -> tuple[Any, ...]:
    """The values a ``Literal`` field at this path allows (empty if it is not one)."""
    import msgspec.inspect as mi  # only on this error path: inspecting costs, reading does not need it

    def unwrapped(kind: mi.Type) -> mi.Type:
        members = kind.types if isinstance(kind, mi.UnionType) else (kind,)
        return next((m for m in members if not isinstance(m, mi.NoneType)), kind)

    kind = unwrapped(mi.type_info(model))
    for part in parts:
        if isinstance(kind, mi.StructType):
            found = [f.type for f in kind.fields if f.encode_name == part]
            if not found:
                return ()
            kind = unwrapped(found[0])
        elif isinstance(kind, (mi.ListType, mi.DictType)):
            kind = unwrapped(kind.item_type if isinstance(kind, mi.ListType) else kind.value_type)
        else:
            return ()
    return kind.values if isinstance(kind, mi.LiteralType) else ()


def convert(raw: Any, model: type[T], error: Callable[[str, str], Exception]) -> T:
    """``raw`` read into ``model``, or ``error(field, problem)`` raised for the first problem found.

    Not strict: numbers and booleans written as strings ("600", "true") are read, as pydantic's lax mode
    did (not "yes"/"on", nor a boolean for a number)."""
    try:
        return msgspec.convert(raw, model, strict=False)
    except msgspec.ValidationError as err:
        raise error(*located(err, model)) from None


def dump(value: Any, *, exclude_none: bool = True, include: Collection[str] | None = None) -> Any:
    """Plain JSON values of a struct, its fields under their encoded names (``Failure.error`` is
    ``Error``). ``exclude_none`` leaves out fields that are None, but not None values of a dict (a
    ``null`` environment variable means "remove it"); ``include`` keeps only these top-level fields."""
    if isinstance(value, msgspec.Struct):
        # The names as encoded (msgspec.field(name=...)): a runtime attribute msgspec's stubs leave out.
        encoded_names = value.__struct_encode_fields__  # type: ignore[attr-defined]
        names = zip(value.__struct_fields__, encoded_names, strict=True)
        return {
            encoded: dump(field, exclude_none=exclude_none)
            for name, encoded in names
            if (include is None or name in include)
            and ((field := getattr(value, name)) is not None or not exclude_none)
        }
    if isinstance(value, dict):
        return {key: dump(item, exclude_none=exclude_none) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [dump(item, exclude_none=exclude_none) for item in value]
    if value is None or isinstance(value, (str, int, float)):
        return value
    return msgspec.to_builtins(value)


def field_names(model: type[msgspec.Struct]) -> tuple[str, ...]:
    return model.__struct_fields__
