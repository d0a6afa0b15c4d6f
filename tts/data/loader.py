"""Acoustic training batches from prepared features: the dataset and padding (the
sampler, shared by every task, is ``core.sampler``)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import torch

from core.data.items import load_item


class FeatureDataset(torch.utils.data.Dataset):
    """Prepared utterances of one split. Items are dicts of tensors:

    symbols (N,) long · mel (n_mels, T) normalized per band · pitch (T,) normalized log-F0,
    0 where unvoiced · contour (T,) the same, interpolated through unvoiced frames ·
    voiced (T,) bool · energy (T,) normalized · speaker () long ·
    with ``durations`` (id → frames per symbol): durations (N,) long, and utterances
    without durations are left out
    """

    def __init__(
        self,
        feats_dir: str | Path,
        split: str | None,
        speakers: list[str] | None = None,
        max_frames: int | None = None,
        durations: dict[str, np.ndarray] | None = None,
    ):
        self.dir = Path(feats_dir)
        index_path = self.dir / "index.json"
        if not index_path.exists():
            raise ValueError(f"{self.dir}: no index.json; run tts-prepare first")
        records = json.loads(index_path.read_text(encoding="utf-8"))
        self.stats = json.loads((self.dir / "stats.json").read_text(encoding="utf-8"))
        all_speakers = sorted({r["speaker"] for r in records})
        self.speakers = list(speakers) if speakers is not None else all_speakers
        self.records = [
            r
            for r in records
            if (split is None or r["split"] == split)
            and (max_frames is None or r["frames"] <= max_frames)
            and r["speaker"] in self.speakers
            and (durations is None or r["id"] in durations)
        ]
        self.durations = durations
        self.speaker_id = {s: i for i, s in enumerate(self.speakers)}
        self.normalize_with(self.stats)

    def normalize_with(self, stats: dict) -> None:
        """Normalize mels, log-F0 and energy with these statistics (``stats.json`` keys), e.g.
        a model's own when it is fine-tuned on other data."""
        self.stats = {**self.stats, **stats}
        self.mel_mean = torch.tensor(self.stats["mel_mean"], dtype=torch.float32)[:, None]
        self.mel_std = torch.tensor(self.stats["mel_std"], dtype=torch.float32)[:, None]

    def __len__(self) -> int:
        return len(self.records)

    def lengths(self) -> list[int]:
        return [r["frames"] for r in self.records]

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        r = self.records[i]
        d = load_item(self.dir, r["id"])
        s = self.stats
        voiced = torch.from_numpy(d["voiced"])
        f0 = torch.from_numpy(d["f0"]).double()
        log_f0 = torch.where(
            voiced, (torch.log(f0.clamp_min(1.0)) - s["log_f0_mean"]) / s["log_f0_std"], torch.zeros_like(f0)
        )
        energy = (torch.from_numpy(d["energy"]).double() - s["energy_mean"]) / s["energy_std"]
        mel = (torch.from_numpy(d["mel"]) - self.mel_mean) / self.mel_std
        item = {
            "symbols": torch.from_numpy(d["symbols"].astype(np.int64)),
            "mel": mel,
            "pitch": log_f0.float(),
            "contour": torch.from_numpy(contour(log_f0.numpy(), d["voiced"])),
            "voiced": voiced,
            "energy": energy.float(),
            "speaker": torch.tensor(self.speaker_id[r["speaker"]]),
            "id": r["id"],
        }
        if self.durations is not None:
            item["durations"] = torch.from_numpy(self.durations[r["id"]].astype(np.int64))
        return item


def contour(values: np.ndarray, voiced: np.ndarray) -> np.ndarray:
    """(T,) values at voiced frames → (T,) float32, linearly interpolated through unvoiced
    frames and held flat before the first and after the last voiced frame (0 if none)."""
    if not voiced.any():
        return np.zeros(len(values), dtype=np.float32)
    where = np.flatnonzero(voiced)
    return np.interp(np.arange(len(values)), where, values[where]).astype(np.float32)


def collate(items: list[dict], reduction: int = 1) -> dict[str, torch.Tensor]:
    """Pad a list of dataset items. Mel frames are padded to a multiple of ``reduction``.

    Returns symbols (B, N), symbol_lengths (B,), mel (B, n_mels, T), mel_lengths (B,),
    pitch / contour / voiced / energy (B, T), speakers (B,), ids (list),
    durations (B, N) when the items have them (0 on padding).
    """
    b = len(items)
    n = max(len(it["symbols"]) for it in items)
    t = max(it["mel"].shape[1] for it in items)
    t = int(math.ceil(t / reduction) * reduction)
    n_mels = items[0]["mel"].shape[0]
    out = {
        "symbols": torch.zeros(b, n, dtype=torch.long),
        "symbol_lengths": torch.tensor([len(it["symbols"]) for it in items]),
        "mel": torch.zeros(b, n_mels, t),
        "mel_lengths": torch.tensor([it["mel"].shape[1] for it in items]),
        "pitch": torch.zeros(b, t),
        "contour": torch.zeros(b, t),
        "voiced": torch.zeros(b, t, dtype=torch.bool),
        "energy": torch.zeros(b, t),
        "speakers": torch.stack([it["speaker"] for it in items]),
        "ids": [it["id"] for it in items],
    }
    for i, it in enumerate(items):
        k, f = len(it["symbols"]), it["mel"].shape[1]
        out["symbols"][i, :k] = it["symbols"]
        out["mel"][i, :, :f] = it["mel"]
        out["pitch"][i, :f], out["voiced"][i, :f], out["energy"][i, :f] = (
            it["pitch"],
            it["voiced"],
            it["energy"],
        )
        out["contour"][i, :f] = it["contour"]
    if "durations" in items[0]:
        out["durations"] = torch.zeros(b, n, dtype=torch.long)
        for i, it in enumerate(items):
            out["durations"][i, : len(it["durations"])] = it["durations"]
    return out
