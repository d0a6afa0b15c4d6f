"""YAML configs → typed dataclasses, with ``key=value`` overrides and clear errors.

Each model or stage has one dataclass config with working defaults; a YAML file holds
one section per dataclass (``features:``, ``model:``, ...). A section typed with a family
of configs (a class with ``resolve(values) → class``) is read as the member it names.
Unknown keys and wrong types are errors that name the key, never silently ignored.
"""

from __future__ import annotations

import dataclasses
import typing
from pathlib import Path
from typing import Any, TypeVar

import yaml

from core.files import first_line

T = TypeVar("T")


class ConfigError(ValueError):
    """A config file or override that cannot be used; the message names the key."""


def load_yaml(path: str | Path) -> dict:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ConfigError(f"cannot read config {path}: {err.strerror or err}") from None
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({first_line(err, 200)})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of sections at the top level")
    return data


def apply_overrides(data: dict, overrides: list[str]) -> dict:
    """``["features.n_mels=64"]`` → sets ``data["features"]["n_mels"] = 64`` (value parsed as YAML)."""
    for item in overrides:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"override {item!r} must look like section.key=value")
        node = data
        *parents, leaf = key.strip().split(".")
        for p in parents:
            node = node.setdefault(p, {})
            if not isinstance(node, dict):
                raise ConfigError(f"override {item!r}: {p} is not a section")
        node[leaf] = yaml.safe_load(raw)
    return data


def from_dict(cls: type[T], data: dict | None, where: str = "") -> T:
    """Build dataclass ``cls`` from ``data``, checking keys and types (ints widen to floats)."""
    data = dict(data or {})
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(f"unknown key {where + unknown[0]!r} (known: {', '.join(sorted(names))})")
    values: dict[str, Any] = {}
    for name, value in data.items():
        hint = hints[name]
        key = where + name
        if dataclasses.is_dataclass(hint):
            if value is not None and not isinstance(value, dict):
                raise ConfigError(f"{key}: is a section of settings (key: value lines), not {value!r}")
            if hasattr(hint, "resolve"):  # a family of configs: the section names its member
                try:
                    hint = hint.resolve(value or {})
                except ValueError as err:
                    raise ConfigError(f"{key}: {err}") from None
            values[name] = from_dict(hint, value, key + ".")
        else:
            values[name] = _check(value, hint, key)
    try:
        return cls(**values)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"{where.rstrip('.') or cls.__name__}: {err}") from None


def _check(value: Any, hint: Any, key: str) -> Any:
    origin = typing.get_origin(hint)
    if origin is typing.Union or str(origin) == "<class 'types.UnionType'>":
        for option in typing.get_args(hint):
            try:
                return _check(value, option, key)
            except ConfigError:
                continue
        raise ConfigError(f"{key}: {value!r} is not a {hint}")
    if hint is type(None):
        if value is None:
            return None
        raise ConfigError(f"{key}: expected nothing, got {value!r}")
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{key}: expected a list, got {value!r}")
        (inner, *_) = typing.get_args(hint) or (Any,)
        return origin(_check(v, inner, key) for v in value)
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is float and isinstance(value, str):
        try:  # PyYAML reads 6e-4 (no dot: YAML 1.1) as a string
            return float(value)
        except ValueError:
            pass
    if hint is Any or (
        isinstance(hint, type) and isinstance(value, hint) and not (hint is int and isinstance(value, bool))
    ):
        return value
    raise ConfigError(f"{key}: expected {getattr(hint, '__name__', hint)}, got {value!r}")


def to_dict(config: Any) -> dict:
    return dataclasses.asdict(config)
