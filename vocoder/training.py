"""The vocoder task: WaveGlow on ground-truth mels of a prepared corpus (``task: vocoder``).

Training items are random segments of the preprocessed audio (trimmed and loudness
normalized exactly as for the acoustic features) with the log-mel of each segment.
Validation reports the likelihood on fixed segments and the spectral distance of
copy-synthesis (ground-truth mel → WaveGlow → mel) next to Griffin-Lim's on the same mels.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch

from core.audio import load_audio
from core.data.prepare import check_features
from core.features import FeatureConfig, FeatureExtractor
from core.task import register_task
from core.trainer import TrainConfig
from vocoder.waveglow import WaveGlow, WaveGlowConfig, waveglow_loss


@dataclass
class VocoderDataConfig:
    features_dir: str = "data/feats"
    segment_length: int = 16000  # samples per training item (rounded to whole hops)
    copy_synthesis_items: int = 4  # validation utterances vocoded in full
    sigma: float = 0.6  # at validation and synthesis


@dataclass
class VocoderRunConfig:
    task: str = "vocoder"
    features: FeatureConfig = field(default_factory=FeatureConfig)
    data: VocoderDataConfig = field(default_factory=VocoderDataConfig)
    model: WaveGlowConfig = field(default_factory=WaveGlowConfig)
    train: TrainConfig = field(default_factory=TrainConfig)


class SegmentDataset(torch.utils.data.Dataset):
    """(mel (n_mels, frames), audio (samples,)) segments; random offsets draw on the
    global torch RNG (the Trainer saves and restores it, so resume stays exact)."""

    def __init__(self, feats_dir: Path, split: str, features: FeatureConfig, segment: int | None):
        records = json.loads((feats_dir / "index.json").read_text(encoding="utf-8"))
        self.records = [r for r in records if r["split"] == split]
        self.extractor = FeatureExtractor(features)
        hop = features.hop_length
        self.segment = None if segment is None else max(hop, segment // hop * hop)
        self.random = segment is not None and split == "train"

    def __len__(self) -> int:
        return len(self.records)

    def audio(self, i: int) -> np.ndarray:
        x = self.extractor
        return x.preprocess(load_audio(self.records[i]["audio"], x.config.sample_rate))

    def __getitem__(self, i: int) -> dict:
        audio = torch.from_numpy(self.audio(i))
        hop = self.extractor.config.hop_length
        if self.segment is None:
            audio = audio[: len(audio) // hop * hop]
        elif len(audio) >= self.segment:
            start = (
                int(torch.randint(0, len(audio) - self.segment + 1, ()))
                if self.random
                else (len(audio) - self.segment) // 2
            )
            audio = audio[start : start + self.segment]
        else:
            audio = torch.nn.functional.pad(audio, (0, self.segment - len(audio)))
        return {"mel": self.extractor.mel(audio), "audio": audio, "id": self.records[i]["id"]}


@register_task(VocoderRunConfig)
class VocoderTask:
    name = "vocoder"

    def __init__(self, config: VocoderRunConfig, state: dict | None = None):
        self.config = config
        self.dir = Path(config.data.features_dir)
        self.stats = check_features(self.dir, config.features)
        if (
            config.model.n_mels != config.features.n_mels
            or config.model.hop_length != config.features.hop_length
        ):
            raise ValueError("model.n_mels and model.hop_length must match the features: section")
        seg = config.data.segment_length
        self.train_set = SegmentDataset(self.dir, "train", config.features, seg)
        self.val_set = SegmentDataset(self.dir, "val", config.features, seg)
        torch.manual_seed(config.train.seed)
        self.model = WaveGlow(config.model)
        self.model.silence_level.fill_(float(np.log(config.features.log_floor)))
        self._griffin_lim_distance: float | None = None

    def datasets(self):
        return self.train_set, self.val_set

    def lengths(self, dataset) -> list[int]:
        return [1] * len(dataset)

    def collate(self, items: list[dict]) -> dict:
        return {
            "mel": torch.stack([it["mel"] for it in items]),
            "audio": torch.stack([it["audio"] for it in items]),
            "ids": [it["id"] for it in items],
        }

    def loss(self, model, batch: dict, step: int):
        z, log_s, log_det = model(batch["mel"], batch["audio"])
        loss = waveglow_loss(z, log_s, log_det, self.config.model.sigma)
        return loss, {"nll": float(loss.detach())}

    def validate(self, model, batches: list[dict]) -> dict[str, float]:
        nll = [float(self.loss(model, b, 0)[0]) for b in batches]
        metrics = {"loss": float(np.mean(nll))}
        metrics.update(self.copy_synthesis(model))
        return metrics

    def copy_synthesis(self, model) -> dict[str, float]:
        """Mean log-mel L1 between reference mels and the mels of their vocoded audio."""
        from vocoder.griffin_lim import GriffinLim

        full = SegmentDataset(self.dir, "val", self.config.features, None)
        n = min(self.config.data.copy_synthesis_items, len(full))
        if n == 0:
            return {}
        device = next(model.parameters()).device
        items = [full[i] for i in range(n)]
        ours = [
            spectral_distance(
                self.train_set.extractor,
                it["mel"],
                model.infer(it["mel"][None].to(device), self.config.data.sigma)[0].cpu(),
            )
            for it in items
        ]
        if self._griffin_lim_distance is None:
            gl = GriffinLim(self.config.features)
            self._griffin_lim_distance = float(
                np.mean(
                    [spectral_distance(self.train_set.extractor, it["mel"], gl(it["mel"])) for it in items]
                )
            )
        return {"copy_mel_l1": float(np.mean(ours)), "griffin_lim_mel_l1": self._griffin_lim_distance}

    def log_media(self, writer, model, batch: dict, step: int) -> None:
        audio = model.infer(batch["mel"][:1], self.config.data.sigma)[0].float().cpu()
        writer.add_audio(
            "val/copy_synthesis", audio[None], step, sample_rate=self.config.features.sample_rate
        )

    def start_from(self, weights: dict) -> None:
        self.model.load_state_dict(weights)

    def state(self) -> dict:
        return {
            "features": asdict(self.config.features),
            "model_config": asdict(self.config.model),
            "speakers": [],
        }


def spectral_distance(extractor: FeatureExtractor, reference_mel: torch.Tensor, audio: torch.Tensor) -> float:
    """Mean absolute log-mel difference (nats) between a reference mel and the audio's mel."""
    mel = extractor.mel(audio)
    frames = min(mel.shape[1], reference_mel.shape[1])
    return float((mel[:, :frames] - reference_mel[:, :frames]).abs().mean())
