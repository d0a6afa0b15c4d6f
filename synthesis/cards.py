"""The JSON cards of voice folders and exports, read and checked without torch: what a
folder is (``card.json``, ``export.json``), its symbol table against the frontend's, and the
SHA-256 of its files. ``synthesis.voice`` (PyTorch weights), ``synthesis.deploy.runtime``
and the torch-free ``synthesis.deploy.onnx_runtime`` all check folders here."""

from __future__ import annotations

import json
from pathlib import Path

from core.files import file_sha256 as sha256
from frontend import DEFAULT_TABLE, SymbolTable

FORMAT = "mandarin-tts-voice"
VERSION = 1
EXPORT_FORMAT = "mandarin-tts-export"
EXPORT_VERSION = 1
BACKENDS = ("torchscript", "onnx")


class VoiceError(ValueError):
    """A voice folder that cannot be used; the message says why."""


def read_card(path: Path, fmt: str = FORMAT, version: int = VERSION, file: str = "card.json") -> dict:
    """A folder's JSON card, checked for format and version; VoiceError otherwise."""
    if not path.is_dir():
        raise VoiceError(f"voice folder not found: {path}")
    try:
        card = json.loads((path / file).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise VoiceError(
            f"{path} is not a {'voice' if fmt == FORMAT else 'export'} folder ({file}: {err})"
        ) from None
    if not isinstance(card, dict) or card.get("format") != fmt:
        raise VoiceError(f"{path}/{file} is not a {fmt} card")
    if not isinstance(card.get("version"), int) or isinstance(card.get("version"), bool):
        raise VoiceError(f"{path}/{file}: version must be a whole number, not {card.get('version')!r}")
    if card["version"] > version:
        raise VoiceError(f"{path} is a version {card['version']} {fmt}; this toolkit reads up to {version}")
    symbols = card.get("symbols")
    if fmt == FORMAT and not (isinstance(symbols, dict) and isinstance(symbols.get("checksum"), str)):
        raise VoiceError(f'{path}/{file}: no symbol table checksum ("symbols": {{"checksum": ...}})')
    return card


def check_symbols(path: Path, checksum: str) -> None:
    """The folder's symbol table must be the one its card names and the frontend makes."""
    try:
        table = SymbolTable.load(path / "symbols.json")
    except (OSError, ValueError, KeyError) as err:
        raise VoiceError(f"{path}/symbols.json: {err}") from None
    if table.checksum != checksum or table.checksum != DEFAULT_TABLE.checksum:
        raise VoiceError(
            f"{path} was trained with symbol table {table.checksum} (v{table.version}); this toolkit's "
            f"frontend makes {DEFAULT_TABLE.checksum} (v{DEFAULT_TABLE.version})"
        )


def read_manifest(path: Path) -> dict:
    """An export folder's ``export.json``, checked for format and version."""
    return read_card(path, EXPORT_FORMAT, EXPORT_VERSION, "export.json")


def is_export(path: str | Path) -> bool:
    return (Path(path) / "export.json").is_file()


WEIGHT_FILES = ("acoustic.pt", "vocoder.pt", "symbols.json")
UNVERIFIED = (
    "{path}/card.json records no SHA-256 of its files (a voice built before they were recorded): "
    "its weights are not verified"
)


def file_hashes(path: Path) -> dict[str, str]:
    """SHA-256 of the voice folder's weight files and symbol table that exist, for its card."""
    return {n: sha256(path / n) for n in WEIGHT_FILES if (path / n).is_file()}


def check_files(path: Path, card: dict) -> str | None:
    """Every file the card lists must match its SHA-256; VoiceError naming the first that does
    not. → a note for a card that lists none (a voice from before hashes were recorded)."""
    files = card.get("files")
    if files is None:
        return UNVERIFIED.format(path=path)
    if not isinstance(files, dict):
        raise VoiceError(f'{path}/card.json: "files" must map file names to SHA-256')
    for name, expected in files.items():
        file = path / name
        if not file.is_file():
            raise VoiceError(f"{file} is missing")
        if sha256(file) != expected:
            raise VoiceError(f"{file} does not match its SHA-256 in card.json (damaged or replaced)")
    return None


def check_export(path: Path) -> dict:
    """An export folder checked (manifest, card, symbol table, every graph file against its
    SHA-256) → the manifest; VoiceError naming what is wrong."""
    manifest = read_manifest(path)
    card = read_card(path)
    check_symbols(path, card["symbols"]["checksum"])
    for g in manifest["graphs"].values():
        file = path / g["file"]
        if not file.is_file():
            raise VoiceError(f"{file} is missing")
        if sha256(file) != g["sha256"]:
            raise VoiceError(f"{file} does not match its SHA-256 in export.json (damaged or replaced)")
    manifest["card"] = card
    return manifest
