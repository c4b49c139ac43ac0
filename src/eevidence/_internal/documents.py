"""Reading JSON, YAML and TOML documents from outside: bounded, strict, one clear error.

:func:`load_document` reads a request file (JSON, or YAML by extension), :func:`decode_json`
decodes JSON bytes already in memory (requests, profiles, provider answers), and
:func:`decode_toml` decodes a TOML file's bytes (credentials). Every reader:

* refuses input over a size limit (:data:`MAX_DOCUMENT_BYTES`, :data:`MAX_YAML_BYTES`) and
  nesting deeper than :data:`MAX_DEPTH` arrays/objects, checked *before* the nested value
  is built, so ``[[[[...]]]]`` 100,000 deep is an :class:`~eevidence.errors.InputError`,
  never a ``RecursionError``;
* refuses an object (mapping) that gives the same key twice, naming the key and its JSON
  path (RFC 8259 section 4 leaves the meaning of such a document to the reader: here it has
  none);
* accepts, and drops, a leading UTF-8 byte order mark (what Windows editors write);
* for YAML, refuses aliases (``*name``, hence merge keys), which is what makes a
  339-byte document expand to gigabytes, caps the number of nodes at
  :data:`MAX_YAML_NODES`, and accepts only JSON values (no floats, dates, binaries, sets).

Each error is one line that names the limit broken; ``source`` names the file.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Callable, Iterator
from itertools import accumulate
from pathlib import Path
from typing import Any, Final

import yaml

from eevidence._internal.fs import read_regular
from eevidence._internal.validation import json_path
from eevidence.errors import InputError

__all__ = [
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "MAX_INTEGER_DIGITS",
    "MAX_YAML_BYTES",
    "MAX_YAML_NODES",
    "decode_json",
    "decode_toml",
    "load_document",
    "read_limited",
]

MAX_DOCUMENT_BYTES: Final = 4 * 1024 * 1024
"""Largest JSON document read, in bytes: a request or a profile is a few KiB; the value
built from 4 MiB of JSON stays under 150 MiB whatever its shape."""
MAX_YAML_BYTES: Final = 1024 * 1024
"""Largest YAML document read, in bytes: the pure-Python YAML reader keeps every node of the
document in memory (about 1 KiB each), so its input is kept smaller than JSON's."""
MAX_YAML_NODES: Final = 100_000
"""Most nodes (scalars, sequences, mappings) in a YAML document (a request has a few hundred)."""
MAX_INTEGER_DIGITS: Final = 64
"""Most digits in an integer read (a request's largest number has a few; Python refuses to
convert integers of thousands of digits, and converting them costs quadratic time)."""
MAX_DEPTH: Final = 64
"""Deepest nesting of arrays and objects read (the example requests go 3 levels deep, the
shipped profiles 5)."""

_BOM: Final = "\ufeff"
# A JSON string, or an unterminated one running to the end: possessive, so never quadratic.
_JSON_STRING: Final = re.compile(r'"(?:[^"\\]++|\\[\s\S]?)*+(?:"|\Z)')
_NOT_BRACKET: Final = re.compile(r"[^\[\]{}]++")
_STEP: Final = {"[": 1, "{": 1, "]": -1, "}": -1}


def read_limited(path: str | os.PathLike[str], limit: int, what: str = "file") -> bytes:
    """The bytes of ``path``, reading at most ``limit + 1`` of them.

    The file is opened without blocking and must be a regular file: a FIFO, a device
    (``/dev/zero``) or a directory is refused at once
    (:func:`~eevidence._internal.fs.read_regular`).

    Raises:
        InputError: the file cannot be read, is not a regular file, or is larger than
            ``limit`` bytes (the message names the limit).
    """
    return read_regular(path, limit, what)


def _text(data: bytes | str, source: str, limit: int, what: str) -> str:
    if isinstance(data, bytes):
        if len(data) > limit:
            raise InputError(f"{what} is larger than {limit} bytes (the limit)", source=source)
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(f"not UTF-8 text (byte {exc.start})", source=source) from None
    elif len(data) > limit:  # characters: at least as many bytes
        raise InputError(f"{what} is larger than {limit} bytes (the limit)", source=source)
    return data.removeprefix(_BOM)


def _json_depth(text: str, limit: int) -> int:
    """The deepest nesting of ``[``/``{`` outside strings (an upper bound on broken input);
    a text with no more than ``limit`` openers in all is not scanned (it cannot be deeper)."""
    openers = text.count("[") + text.count("{")
    if openers <= limit:
        return openers
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(accumulate(map(_STEP.__getitem__, brackets)), default=0)


class _Duplicated(dict[str, Any]):
    """An object that gave a key twice; ``key`` is the first key repeated."""

    key: str


def _object_hook(seen: list[bool]) -> Callable[[list[tuple[str, Any]]], dict[str, Any]]:
    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) == len(pairs):
            return obj
        out = _Duplicated(obj)
        keys: set[str] = set()
        for key, _ in pairs:
            if key in keys:
                out.key = key
                break
            keys.add(key)
        seen.append(True)
        return out

    return hook


def _nodes(value: Any) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """(path, value) of ``value`` and every value inside it, depth first, iteratively."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), value)]
    while stack:
        path, node = stack.pop()
        yield path, node
        if isinstance(node, dict):
            stack.extend(((*path, k), v) for k, v in reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(node))))


def decode_json(
    data: bytes | str,
    source: str,
    *,
    max_bytes: int = MAX_DOCUMENT_BYTES,
    max_depth: int = MAX_DEPTH,
    integers_only: bool = True,
) -> Any:
    """Decode JSON text (UTF-8 bytes or str, RFC 8259) into a JSON value.

    A leading UTF-8 byte order mark is dropped (RFC 8259 section 8.1 lets a parser ignore
    it). Nesting is measured on the text before anything is built.

    Args:
        data: The document.
        source: Where it came from (a file name, a URL), named in errors.
        max_bytes: Largest document accepted, in bytes (default :data:`MAX_DOCUMENT_BYTES`).
        max_depth: Deepest nesting of arrays/objects accepted (default :data:`MAX_DEPTH`).
        integers_only: Refuse numbers with a fraction or exponent (request documents and
            profiles use integers only; provider answers may not).

    Returns:
        The value: dicts, lists, strings, ints (floats when ``integers_only`` is false),
        booleans and None.

    Raises:
        InputError: larger than ``max_bytes``, not UTF-8, not JSON, nested deeper than
            ``max_depth``, an object giving a key twice (the key and its path named), a
            ``NaN``/``Infinity`` constant, an integer of more than
            :data:`MAX_INTEGER_DIGITS` digits, or (``integers_only``) a non-integer number.
    """
    text = _text(data, source, max_bytes, "document")
    depth = _json_depth(text, max_depth)
    if depth > max_depth:
        raise InputError(
            f"not readable JSON: arrays/objects nested deeper than {max_depth} levels (the limit)",
            source=source,
        )
    seen: list[bool] = []
    try:
        value = json.loads(
            text,
            object_pairs_hook=_object_hook(seen),
            parse_float=_reject_float if integers_only else _bounded_float,
            parse_int=_bounded_int,
            parse_constant=_reject_constant,
        )
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", source=source
        ) from None
    except ValueError as exc:
        raise InputError(f"not valid JSON: {exc}", source=source) from None
    except RecursionError:  # not reached: depth is checked first; kept for other runtimes
        raise InputError(
            f"not readable JSON: nested deeper than {max_depth} levels (the limit)",
            source=source,
        ) from None
    if seen:
        for path, node in _nodes(value):
            if isinstance(node, _Duplicated):
                raise InputError(
                    f"duplicate key {node.key!r} in the object at {json_path(path)} "
                    "(each key may appear once)",
                    source=source,
                )
    return value


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("+-"))
    if digits > MAX_INTEGER_DIGITS:
        raise ValueError(
            f"an integer of {digits} digits (the limit is {MAX_INTEGER_DIGITS} digits)"
        )
    return int(text, 10)


def _bounded_float(text: str) -> float:
    if len(text) > MAX_INTEGER_DIGITS * 2:
        raise ValueError(
            f"a number written with {len(text)} characters (the limit is {MAX_INTEGER_DIGITS * 2})"
        )
    return float(text)


def _reject_float(text: str) -> Any:
    raise ValueError(f"non-integer number {text[:40]} (this format uses integers only)")


def _reject_constant(text: str) -> Any:
    raise ValueError(f"{text} is not allowed")


# --------------------------------------------------------------------------- YAML


class _Refused(yaml.YAMLError):
    """A limit of :class:`_BoundedLoader` was hit; the message is the whole reason."""


class _BoundedLoader(yaml.SafeLoader):
    """A safe YAML loader with limits: no aliases, at most ``max_nodes`` nodes and
    ``max_depth`` nested collections, no duplicate keys; timestamps stay strings."""

    def __init__(self, stream: str, max_depth: int, max_nodes: int) -> None:
        super().__init__(stream)
        self.max_depth = max_depth
        self.max_nodes = max_nodes
        self.depth = 0
        self.nodes = 0
        self.path: list[str | int | None] = []

    def _where(self) -> str:
        return json_path([p for p in self.path if p is not None])

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(
                f"YAML aliases are not accepted (*{event.anchor} at line {line}): "
                "write the value out"
            )
        self.nodes += 1
        if self.nodes > self.max_nodes:
            raise _Refused(f"more than {self.max_nodes} YAML nodes (the limit)")
        nested = isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent)
        if nested and self.depth >= self.max_depth:
            raise _Refused(
                f"sequences/mappings nested deeper than {self.max_depth} levels (the limit) "
                f"at line {line}"
            )
        if isinstance(index, int):
            segment: str | int | None = index
        elif isinstance(index, yaml.ScalarNode):
            segment = str(index.value)
        else:
            segment = None
        self.path.append(segment)
        self.depth += nested
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= nested
            self.path.pop()

    def compose_mapping_node(self, anchor: Any) -> yaml.MappingNode:
        node = super().compose_mapping_node(anchor)
        keys: set[tuple[str, str]] = set()
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                ident = (key.tag, key.value)
                if ident in keys:
                    raise _Refused(
                        f"duplicate key {key.value!r} in the mapping at {self._where()} "
                        f"(line {key.start_mark.line + 1}; each key may appear once)"
                    )
                keys.add(ident)
        return node


# Plain scalars are resolved as YAML 1.2's core schema does (section 10.3.2), not as YAML
# 1.1's: yes/no/on/off, 1:30 (sexagesimal), 1_000, 0x5A, 0o17, 010 (octal) and dates stay
# texts; only true/false, null/~/empty, decimal integers and plain decimal floats are values.
_BoundedLoader.yaml_implicit_resolvers = {}
for _tag, _pattern, _first in (
    ("bool", r"true|True|TRUE|false|False|FALSE", "tTfF"),
    ("null", r"~|null|Null|NULL|", "~nN"),
    ("int", r"[-+]?[0-9]+", "-+0123456789"),
    ("float", r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?", "-+.0123456789"),
):
    _BoundedLoader.add_implicit_resolver(
        f"tag:yaml.org,2002:{_tag}",
        re.compile(f"^(?:{_pattern})$"),
        [*_first, ""] if _tag == "null" else list(_first),
    )
_CORE_INT: Final = re.compile(r"[-+]?[0-9]+")
_CORE_FLOAT: Final = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_CORE_BOOL: Final = {"true": True, "True": True, "TRUE": True}
_CORE_BOOL.update({"false": False, "False": False, "FALSE": False})


def _scalar(loader: _BoundedLoader, node: yaml.Node) -> str:
    value = loader.construct_scalar(node)  # type: ignore[arg-type]
    return str(value)


def _construct_int(loader: _BoundedLoader, node: yaml.Node) -> int:
    text = _scalar(loader, node)
    line = node.start_mark.line + 1
    if _CORE_INT.fullmatch(text) is None:
        raise _Refused(f"{text[:40]!r} at line {line} is not a decimal integer")
    try:
        return _bounded_int(text)
    except ValueError as exc:
        raise _Refused(f"{exc} at line {line}") from None


def _construct_float(loader: _BoundedLoader, node: yaml.Node) -> float:
    text = _scalar(loader, node)
    if _CORE_FLOAT.fullmatch(text) is None or len(text) > MAX_INTEGER_DIGITS * 2:
        raise _Refused(f"{text[:40]!r} at line {node.start_mark.line + 1} is not a number")
    return float(text)


def _construct_bool(loader: _BoundedLoader, node: yaml.Node) -> bool:
    text = _scalar(loader, node)
    if text not in _CORE_BOOL:
        raise _Refused(f"{text[:40]!r} at line {node.start_mark.line + 1} is not true or false")
    return _CORE_BOOL[text]


_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_BoundedLoader.add_constructor("tag:yaml.org,2002:float", _construct_float)
_BoundedLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)

_JSON_SCALARS: Final = (str, int, bool, type(None))


def decode_yaml(
    data: bytes | str,
    source: str,
    *,
    max_bytes: int = MAX_YAML_BYTES,
    max_depth: int = MAX_DEPTH,
    max_nodes: int = MAX_YAML_NODES,
) -> Any:
    """Decode one YAML document holding JSON values only (integers, no floats).

    Plain scalars are resolved as in YAML 1.2's core schema: ``yes``, ``on``, ``1:30``,
    ``1_000``, ``0x5A`` and ``010`` are texts, not booleans or numbers (a model then refuses
    a text where it wants a number); integers have at most :data:`MAX_INTEGER_DIGITS` digits.

    Raises:
        InputError: larger than ``max_bytes``, not UTF-8, not YAML, an alias (``*name``),
            more than ``max_nodes`` nodes, nesting deeper than ``max_depth``, a mapping
            giving a key twice (named with its path), a key that is not a text, an integer
            of more than :data:`MAX_INTEGER_DIGITS` digits, or a value that is not a JSON
            integer, string, boolean, null, array or object.
    """
    text = _text(data, source, max_bytes, "document")
    loader: _BoundedLoader | None = None
    try:
        loader = _BoundedLoader(text, max_depth, max_nodes)  # reads the first characters
        document = loader.get_single_data()
    except _Refused as exc:
        raise InputError(f"not readable YAML: {exc}", source=source) from None
    except yaml.YAMLError as exc:
        raise InputError(f"not valid YAML: {_one_line(str(exc))}", source=source) from None
    except RecursionError:  # not reached: depth is checked while composing
        raise InputError(
            f"not readable YAML: nested deeper than {max_depth} levels (the limit)",
            source=source,
        ) from None
    finally:
        if loader is not None:
            loader.dispose()
    for path, node in _nodes(document):
        if isinstance(node, dict):
            bad = next((k for k in node if not isinstance(k, str)), None)
            if bad is not None:
                raise InputError(
                    f"not a request document: the key {bad!r} at {json_path(path)} is not a text",
                    source=source,
                )
        elif isinstance(node, float):
            raise InputError(
                f"non-integer number at {json_path(path)} (this format uses integers only)",
                source=source,
            )
        elif not isinstance(node, (list, *_JSON_SCALARS)):
            raise InputError(
                f"a YAML {type(node).__name__} at {json_path(path)} is not a JSON value "
                "(use a text, integer, boolean, null, list or mapping)",
                source=source,
            )
    return document


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in {".yaml", ".yml"}


def load_document(path: str | os.PathLike[str]) -> Any:
    """Read a JSON (or, by extension ``.yaml``/``.yml``, YAML) file into a JSON value.

    JSON files are read by :func:`decode_json` (at most :data:`MAX_DOCUMENT_BYTES`), YAML
    files by :func:`decode_yaml` (at most :data:`MAX_YAML_BYTES`, no aliases, at most
    :data:`MAX_YAML_NODES` nodes); both at most :data:`MAX_DEPTH` levels deep.

    Raises:
        InputError: the file cannot be read, is larger than its limit, is nested too
            deeply, gives a key twice, or is not valid JSON/YAML of integers, strings,
            booleans, null, arrays and objects (the message names the limit broken).
    """
    p = Path(path)
    source = str(p)
    if _is_yaml(p):
        return decode_yaml(read_limited(p, MAX_YAML_BYTES, "document"), source)
    return decode_json(read_limited(p, MAX_DOCUMENT_BYTES, "document"), source)


# --------------------------------------------------------------------------- TOML

MAX_TOML_BYTES: Final = 64 * 1024
"""Largest TOML file read (credentials: a few tokens and mail settings)."""


def decode_toml(
    data: bytes, source: str, *, max_bytes: int = MAX_TOML_BYTES, max_depth: int = 16
) -> dict[str, Any]:
    """Decode a TOML 1.0 document (a leading UTF-8 byte order mark is dropped).

    TOML refuses a key defined twice itself. Error messages give positions only, never the
    document's contents (it may hold secrets).

    Raises:
        InputError: larger than ``max_bytes``, not UTF-8, not TOML, or with arrays/tables
            nested deeper than ``max_depth``.
    """
    text = _text(data, source, max_bytes, "file")
    too_deep = f"arrays/tables nested deeper than {max_depth} levels (the limit)"
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", source=source) from None
    except RecursionError:  # the TOML reader recurses once per level
        raise InputError(f"not readable TOML: {too_deep}", source=source) from None
    for path, _ in _nodes(doc):
        if len(path) > max_depth:
            raise InputError(f"not readable TOML: {too_deep}", source=source)
    return doc
