"""Build a listening test folder from folders of WAVs (one folder per system).

Layout of a test folder::

    test.json        the items (id, system, utterance, audio file, kind, expected range)
    test_data.js     the same, as a script the page loads (so it also opens from file://)
    index.html, app.js, style.css   the rating page
    audio/ITEM.wav   every stimulus, loudness-normalized (ITU-R BS.1770, pyloudnorm)
    ratings.sqlite   written by ``tts-mos serve``

Item ids are opaque (hash of system and utterance), so a rater cannot tell the systems
apart by file name. Attention checks, when a reference system is named: the reference
itself (expected 4–5) and a deliberately degraded anchor of it (expected 1–2).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import shutil
import time
from pathlib import Path

import numpy as np
import soundfile as sf

from core.files import first_line

TARGET_LUFS = -23.0
STATIC = Path(__file__).parent / "static"
SCALE = {5: ("Excellent", "优"), 4: ("Good", "良"), 3: ("Fair", "中"), 2: ("Poor", "差"), 1: ("Bad", "劣")}


def _item_id(secret: str, *parts: str) -> str:
    """An opaque id: keyed by the test's own random secret (kept in test.json, which is
    never served), so knowing the system names does not reveal which item is whose."""
    return hmac.new(secret.encode(), "\x00".join(parts).encode("utf-8"), hashlib.sha256).hexdigest()[:16]


def normalize_loudness(audio: np.ndarray, rate: int, target: float = TARGET_LUFS) -> np.ndarray:
    """Integrated loudness to ``target`` LUFS (ITU-R BS.1770), peaks kept under 0.99."""
    import pyloudnorm

    meter = pyloudnorm.Meter(rate, block_size=min(0.4, len(audio) / rate))
    loudness = meter.integrated_loudness(audio)
    if not np.isfinite(loudness):
        raise ValueError("silent audio")
    out = audio * 10 ** ((target - loudness) / 20)
    peak = float(np.abs(out).max())
    return (out * (0.99 / peak) if peak > 0.99 else out).astype(np.float32)


def degrade(audio: np.ndarray, rate: int, seed: int = 0) -> np.ndarray:
    """The low anchor: band-limited to 1 kHz, 8-bit-like quantization and noise at 5 dB SNR."""
    spectrum = np.fft.rfft(audio)
    spectrum[int(len(spectrum) * 1000 / (rate / 2)) :] = 0
    x = np.fft.irfft(spectrum, len(audio))
    x = np.round(x * 16) / 16
    noise = np.random.default_rng(seed).normal(size=len(x))
    noise *= np.sqrt(np.mean(x**2) / np.mean(noise**2) / 10**0.5)
    return (x + noise).astype(np.float32)


def _read(path: Path) -> tuple[np.ndarray, int]:
    try:
        audio, rate = sf.read(path, dtype="float32", always_2d=True)
    except Exception as err:  # corrupt or not audio
        raise ValueError(f"{path}: cannot read audio ({first_line(err, 100)})") from None
    audio = audio.mean(axis=1)
    if len(audio) < rate // 10:
        raise ValueError(f"{path}: shorter than 0.1 s")
    return audio, rate


def build_test(
    systems: dict[str, Path],
    out: Path,
    reference: str | None = None,
    title: str = "MOS test",
    attention_checks: bool = True,
    max_utterances: int | None = None,
    seed: int = 0,
) -> dict:
    """Make a test folder; returns its description (also written to test.json)."""
    if len(systems) < 1:
        raise ValueError("give at least one --system NAME=DIR")
    for name, folder in systems.items():
        if not name or not name.replace("_", "").replace("-", "").isalnum():
            raise ValueError(f"system name {name!r}: use letters, digits, - and _")
        if not Path(folder).is_dir():
            raise ValueError(f"{folder}: not a folder (system {name})")
    if reference is not None and reference not in systems:
        raise ValueError(f"--reference {reference} is not one of the systems ({', '.join(systems)})")
    names = [{p.stem for p in Path(d).glob("*.wav")} for d in systems.values()]
    common = sorted(set.intersection(*names))
    if not common:
        raise ValueError("no utterance (WAV file name) is in every system folder")
    if max_utterances:
        common = sorted(
            np.random.default_rng(seed).choice(common, min(max_utterances, len(common)), replace=False)
        )
    out = Path(out)
    if (out / "ratings.sqlite").exists():
        raise ValueError(f"{out} already holds ratings; build the test into another folder")
    secret = _secret_of_same_test(out, list(systems), reference, title)

    (out / "audio").mkdir(parents=True, exist_ok=True)
    items = []

    def add(system: str, utt: str, audio: np.ndarray, rate: int, kind: str, expect=None):
        item_id = _item_id(secret, system, utt, kind)
        sf.write(out / "audio" / f"{item_id}.wav", normalize_loudness(audio, rate), rate, subtype="PCM_16")
        items.append(
            {
                "id": item_id,
                "system": system,
                "utterance": utt,
                "audio": f"audio/{item_id}.wav",
                "kind": kind,
                "expect": expect,
            }
        )

    for system, folder in systems.items():
        for utt in common:
            audio, rate = _read(Path(folder) / f"{utt}.wav")
            add(system, utt, audio, rate, "rating")
    if reference is not None and attention_checks:
        utt = common[0]
        audio, rate = _read(Path(systems[reference]) / f"{utt}.wav")
        add("check_reference", utt, audio, rate, "check", [4, 5])
        add("check_anchor", utt, degrade(audio, rate, seed), rate, "check", [1, 2])
    test = {
        "format": "mandarin-tts-mos",
        "version": 1,
        "title": title,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "scale": {str(k): {"en": en, "zh": zh} for k, (en, zh) in SCALE.items()},
        "systems": list(systems),
        "reference": reference,
        "utterances": common,
        "items": items,
        "loudness_lufs": TARGET_LUFS,
        "secret": secret,
    }
    _write(out / "test.json", json.dumps(test, ensure_ascii=False, indent=1))
    # the page sees no system names: only opaque ids, audio files and which items are checks
    page = {
        "title": title,
        "scale": test["scale"],
        "items": [{"id": it["id"], "audio": it["audio"]} for it in items],
    }
    _write(out / "test_data.js", "window.MOS_TEST = " + json.dumps(page, ensure_ascii=False) + ";\n")
    for f in STATIC.iterdir():
        shutil.copy(f, out / f.name)
    return test


def _secret_of_same_test(out: Path, systems: list[str], reference: str | None, title: str) -> str:
    """A new random secret for an empty or new folder; the folder's own for a rebuild of the
    same test (same systems, reference and title); otherwise a refusal: two tests must never
    mix in one folder."""
    if not out.exists() or (out.is_dir() and not any(out.iterdir())):
        return secrets.token_hex(16)
    try:
        old = json.loads((out / "test.json").read_text(encoding="utf-8"))
        same = (old["systems"], old["reference"], old["title"]) == (systems, reference, title) and old[
            "secret"
        ]
    except (OSError, ValueError, KeyError, TypeError):
        same = False
    if not same:
        raise ValueError(f"{out} is not empty and holds no build of this same test; choose an empty --out")
    return old["secret"]


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
