"""``prepare``: a dataset → cached features for training, resumable and multiprocess.

Output folder::

    features.json   the FeatureConfig used (a resumed run must use the same)
    symbols.json    the symbol table the ids refer to
    items/ID.npz    mel (n_mels, T), f0 (T,), voiced (T,), energy (T,), symbols (N,) int16
    index.json      one record per prepared utterance: id, speaker, split, frames, ...
    stats.json      mean/std of mel (per band), F0 (Hz and log, voiced frames), energy
                    over the training split
    durations.npz   frames per symbol of every utterance, from the HMM aligner (align.py)
    problems.txt    what could not be prepared, and why

Every file is written to a temporary name and renamed, so an interrupted run leaves no
half-written feature behind; running again computes only what is missing.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path

import numpy as np
from tqdm import tqdm

from core.audio import AudioError, load_audio
from core.data.align import DURATIONS_FILE, align_features
from core.data.datasets import Item, read_dataset
from core.data.items import load_item
from core.features import FeatureConfig, FeatureExtractor
from core.files import atomic_path, atomic_write_json
from core.workers import run_jobs

_worker: dict = {}
MAX_SECONDS = 30.0  # the default data.max_seconds: longer files are refused ("split it first")


def _init(config: dict) -> None:
    import torch

    from frontend import Frontend

    torch.set_num_threads(1)
    _worker["extractor"] = FeatureExtractor(FeatureConfig(**config))
    _worker["frontend"] = Frontend()


def symbol_ids(frontend, text: str) -> tuple[np.ndarray, list[str]]:
    """All sentences of ``text`` as one id sequence (each sentence ends with ``#4``), and
    their toned pinyin (the recognizer's targets; English words contribute none)."""
    utts = frontend(text)
    ids = np.array([i for utt in utts for i in frontend.encode(utt)], dtype=np.int16)
    return ids, [p for utt in utts for p in utt.pinyin]


def audio_seconds(path: str | Path) -> float | None:
    """The length of an audio file from its header (nothing decoded); None if unknown."""
    import soundfile as sf

    try:
        info = sf.info(str(path))
    except (RuntimeError, OSError, sf.LibsndfileError):
        return None
    return info.frames / info.samplerate if info.samplerate else None


def _check_length(path, seconds: float | None, max_seconds: float | None) -> None:
    if max_seconds and seconds is not None and seconds > max_seconds:
        raise AudioError(
            f"{path}: {seconds:.0f} s is longer than the limit ({max_seconds:g} s, data.max_seconds); "
            "split it first"
        )


def _prepare_one(job: tuple[Item, str, float | None]) -> dict:
    """Features of one utterance, written atomically; returns its index record or an error.
    A file longer than ``max_seconds`` (from its header) is refused before it is read."""
    from frontend import FrontendError

    item, out_dir, max_seconds = job
    extractor, frontend = _worker["extractor"], _worker["frontend"]
    try:
        _check_length(item.audio, audio_seconds(item.audio), max_seconds)  # from the header
        ids, pinyin = symbol_ids(frontend, item.text)
        raw = load_audio(item.audio, extractor.config.sample_rate)
        _check_length(item.audio, len(raw) / extractor.config.sample_rate, max_seconds)  # a header-less file
        audio = extractor.preprocess(raw)
        if float(np.abs(audio).max(initial=0.0)) < 1e-4:
            raise AudioError(f"{item.audio}: silent (no sample above -80 dBFS); left out")
        if len(audio) < extractor.config.win_length:
            raise AudioError(f"{item.audio}: too short after trimming silence ({len(audio)} samples)")
        feats = extractor(audio)
    except (AudioError, FrontendError) as err:
        return {"id": item.id, "error": str(err)}
    path = Path(out_dir) / f"{item.id}.npz"
    with atomic_path(path, ".npz") as tmp:
        np.savez(tmp, symbols=ids, **feats)
    return _record(item, feats["mel"].shape[1], len(ids), len(audio) / extractor.config.sample_rate, pinyin)


def _record(item: Item, frames: int, n_symbols: int, seconds: float, pinyin: list[str]) -> dict:
    return {
        "id": item.id,
        "speaker": item.speaker,
        "split": item.split,
        "frames": frames,
        "symbols": n_symbols,
        "seconds": round(seconds, 4),
        "text": item.text,
        "audio": str(Path(item.audio).resolve()),
        "pinyin": " ".join(pinyin),
    }


def prepare(
    data_dir: str | Path,
    out: str | Path,
    config: FeatureConfig | None = None,
    fmt: str = "auto",
    jobs: int | None = None,
    progress: bool = True,
    align: bool = True,
    max_seconds: float | None = MAX_SECONDS,
) -> dict:
    """Prepare every readable utterance of ``data_dir`` into ``out``; returns a summary.
    With ``align``, phone durations (``core.data.align``) are made for every utterance when
    they are missing or when utterances were added. Files longer than ``max_seconds`` are
    left out with a problem line (None: no limit): feature extraction and the aligner need
    memory in proportion to an utterance's length, and one hour-long file must not exhaust
    the machine."""
    from frontend import DEFAULT_TABLE

    config = config or FeatureConfig()
    out = Path(out)
    items, problems = read_dataset(data_dir, fmt)
    (out / "items").mkdir(parents=True, exist_ok=True)
    cfg_path = out / "features.json"
    if cfg_path.exists():
        old = json.loads(cfg_path.read_text(encoding="utf-8"))
        if old != asdict(config):
            changed = sorted(k for k in asdict(config) if old.get(k) != asdict(config)[k])
            raise ValueError(
                f"{out} holds features made with another config (differs in {', '.join(changed)}); "
                "use another --out"
            )
    _write_json(cfg_path, asdict(config))
    DEFAULT_TABLE.save(out / "symbols.json")

    index_path = out / "index.json"
    done = (
        {r["id"]: r for r in json.loads(index_path.read_text(encoding="utf-8"))}
        if index_path.exists()
        else {}
    )
    todo = [it for it in items if not (it.id in done and (out / "items" / f"{it.id}.npz").exists())]
    records = {it.id: done[it.id] for it in items if it.id in done and it not in todo}
    failures: list[str] = [str(p) for p in problems]
    if todo:
        workers = max(1, min(jobs or os.cpu_count() or 1, len(todo)))
        results = run_jobs(
            _prepare_one,
            [(it, str(out / "items"), max_seconds) for it in todo],
            workers,
            _init,
            (asdict(config),),
            describe=lambda job: str(job[0].audio),
        )
        try:
            for n, res in enumerate(
                tqdm(results, total=len(todo), desc="features", unit="utt", disable=not progress), 1
            ):
                if "error" in res:
                    failures.append(f"{res['id']}: {res['error']}")
                else:
                    records[res["id"]] = res
                if n % 200 == 0:  # progress survives an interruption
                    _write_index(index_path, items, records)
        finally:  # what was finished is kept, whatever ended the loop
            _write_index(index_path, items, records)
    _write_index(index_path, items, records)
    stats = compute_stats(
        out, [r for r in records.values() if r["split"] == "train"] or list(records.values())
    )
    _write_json(out / "stats.json", stats)
    computed = sum(1 for it in todo if it.id in records)
    aligned = None
    if align and records and (computed or not (out / DURATIONS_FILE).exists()):
        aligned = align_features(out, progress=progress)
        failures += [
            f"{i}: no alignment fits its symbols and frames (left out of training)" for i in aligned["failed"]
        ]
    (out / "problems.txt").write_text("".join(f + "\n" for f in failures), encoding="utf-8")
    return {
        "utterances": len(records),
        "computed": computed,
        "aligned": aligned and aligned["aligned"],
        "problems": failures,
        "hours": sum(r["seconds"] for r in records.values()) / 3600,
    }


def _write_index(path: Path, items: list[Item], records: dict) -> None:
    _write_json(path, [records[it.id] for it in items if it.id in records])


def compute_stats(out: Path, records: list[dict]) -> dict:
    """Mean and std of mel (per band), F0 (Hz and log Hz, voiced frames) and energy."""
    if not records:
        return {}
    mel_sum = mel_sq = None
    frames = 0
    f0_vals, energy_sum, energy_sq = [], 0.0, 0.0
    for r in records:
        d = load_item(out, r["id"])
        mel = d["mel"].astype(np.float64)
        mel_sum = mel.sum(1) if mel_sum is None else mel_sum + mel.sum(1)
        mel_sq = (mel**2).sum(1) if mel_sq is None else mel_sq + (mel**2).sum(1)
        frames += mel.shape[1]
        f0_vals.append(d["f0"][d["voiced"]])
        energy_sum += float(d["energy"].sum())
        energy_sq += float((d["energy"].astype(np.float64) ** 2).sum())
    f0 = np.concatenate(f0_vals).astype(np.float64)
    std = lambda s, sq, n: float(np.sqrt(max(sq / n - (s / n) ** 2, 1e-12)))
    mel_mean = mel_sum / frames
    return {
        "frames": frames,
        "mel_mean": mel_mean.tolist(),
        "mel_std": np.sqrt(np.maximum(mel_sq / frames - mel_mean**2, 1e-12)).tolist(),
        "f0_mean": float(f0.mean()) if f0.size else 0.0,
        "f0_std": float(f0.std()) if f0.size else 1.0,
        "log_f0_mean": float(np.log(f0).mean()) if f0.size else 0.0,
        "log_f0_std": float(np.log(f0).std()) if f0.size else 1.0,
        "voiced_frames": int(f0.size),
        "energy_mean": energy_sum / frames,
        "energy_std": std(energy_sum, energy_sq, frames),
    }


_write_json = atomic_write_json


def prepared_feature_settings(feats_dir: str | Path) -> dict:
    """The feature settings a prepared folder was made with (its features.json, as a dict of
    FeatureConfig fields); a one-line error when the folder holds none."""
    path = Path(feats_dir) / "features.json"
    if not path.is_file():
        raise ValueError(
            f"{feats_dir}: no prepared features (no features.json; run tts-prepare --out {feats_dir})"
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    return data.get("features", data)


def check_features(feats_dir: Path, features: FeatureConfig) -> dict:
    """The prepared features must be those the config describes; returns their stats."""
    from frontend import DEFAULT_TABLE

    made = prepared_feature_settings(feats_dir)
    if made != asdict(features):
        diff = sorted(k for k in made if made.get(k) != asdict(features).get(k))
        raise ValueError(
            f"{feats_dir} was prepared with other feature settings ({', '.join(diff)}) "
            "than the config's features: section"
        )
    symbols = json.loads((feats_dir / "symbols.json").read_text(encoding="utf-8"))
    if symbols.get("checksum") != DEFAULT_TABLE.checksum:
        raise ValueError(f"{feats_dir} was prepared with another symbol table; run tts-prepare again")
    return json.loads((feats_dir / "stats.json").read_text(encoding="utf-8"))
