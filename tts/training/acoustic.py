"""The acoustic task: Tacotron2 on prepared features (``task: acoustic`` in a config).

Phone-level pitch and energy targets come from the frame-level features through the
model's own attention: each step first runs the model without gradients (predicted
pitch and energy in the memory) to get an alignment, averages log-F0 (voiced frames) and
energy over the frames each symbol is aligned to, then trains with those targets fed in
(ground truth in training, predictions at synthesis).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import torch

from core.data.align import load_durations
from core.data.prepare import check_features
from core.features import FeatureConfig
from core.layers import length_mask
from core.task import register_task
from core.trainer import TrainConfig
from frontend import DEFAULT_TABLE
from tts.data.loader import FeatureDataset, collate
from tts.models.alignment import alignment_metrics
from tts.models.base import AcousticConfig
from tts.models.losses import LossWeights, duration_model_loss, tacotron2_loss
from tts.models.registry import build_acoustic, model_class
from tts.models.tacotron2 import Tacotron2Config
from tts.models.variance import phone_averages
from tts.training.crops import crop_to_symbol_spans


@dataclass
class AcousticDataConfig:
    features_dir: str = "data/feats"
    max_frames: int = 1000  # longer utterances are left out of training
    max_seconds: float = 30.0  # tts-prepare leaves longer files out ("split it first")
    # duration models: train the frame-level layers on a random run of whole symbols of at
    # most this many frames per utterance (tts.training.crops); 0: whole utterances
    crop_frames: int = 0

    def __post_init__(self) -> None:
        if self.crop_frames < 0:
            raise ValueError("crop_frames: 0 (whole utterances) or a number of frames")


@dataclass
class ValidationConfig:
    sentences: int = 20  # validation sentences synthesized and recognized (0: off)
    recognizer: str = ""  # a recognizer checkpoint or folder ("": the shipped one)
    whisper: bool = False  # also Whisper base (trained on human speech): whisper_error, whisper_cer
    select: str = "asr_error"  # what picks best.pt: asr_error, asr_error_toneless, whisper_error, loss

    def __post_init__(self) -> None:
        selects = ("asr_error", "asr_error_toneless", "whisper_error", "loss")
        if self.select not in selects:
            raise ValueError(f"unknown select {self.select!r} ({', '.join(selects)})")
        if self.select == "whisper_error" and not self.whisper:
            raise ValueError("select: whisper_error needs whisper: true")
        if self.sentences < 0:
            raise ValueError("sentences must not be negative")


@dataclass
class AcousticRunConfig:
    task: str = "acoustic"
    features: FeatureConfig = field(default_factory=FeatureConfig)
    data: AcousticDataConfig = field(default_factory=AcousticDataConfig)
    model: AcousticConfig = field(default_factory=Tacotron2Config)  # any registered model, by kind
    loss: LossWeights = field(default_factory=LossWeights)
    train: TrainConfig = field(default_factory=TrainConfig)
    validation: ValidationConfig = field(default_factory=ValidationConfig)


@register_task(AcousticRunConfig)
class AcousticTask:
    name = "acoustic"

    def __init__(self, config: AcousticRunConfig, state: dict | None = None):
        self.config = config
        speakers = state["speakers"] if state else None
        if speakers is not None and len(speakers) <= 1:
            speakers = None  # a one-speaker model speaks whoever it is trained on
        self.dir = Path(config.data.features_dir)
        self.stats = check_features(self.dir, config.features)
        self.durational = model_class(config.model.kind).trains_on_durations
        if config.data.crop_frames and not self.durational:
            raise ValueError(
                f"data.crop_frames needs a model that trains on durations, not {config.model.kind}"
            )
        durations = load_durations(self.dir) if self.durational else None
        self.train_set = FeatureDataset(self.dir, "train", speakers, config.data.max_frames, durations)
        if speakers is not None and len(self.train_set) == 0:
            raise ValueError(
                f"{self.dir} has none of the model's speakers ({', '.join(speakers)}) in its training split"
            )
        self.speakers = self.train_set.speakers
        self.val_set = FeatureDataset(self.dir, "val", self.speakers, config.data.max_frames, durations)
        n_speakers = config.model.n_speakers or len(self.speakers)
        if n_speakers > 1 and n_speakers < len(self.speakers):
            raise ValueError(
                f"model.n_speakers is {n_speakers} but the data has {len(self.speakers)} speakers"
            )
        self.model_config = replace(
            config.model, n_speakers=n_speakers, n_mels=config.features.n_mels, n_symbols=len(DEFAULT_TABLE)
        )
        torch.manual_seed(config.train.seed)  # initial weights depend on the seed alone
        self.model = build_acoustic(self.model_config)
        self.model.set_stats(self.stats)
        self._probe = None

    def start_from(self, weights: dict) -> None:
        """Fine-tuning: start from these weights and keep the model's normalization (its
        statistics buffers), so that its data is scaled as the model learned it and a pitch
        shift in semitones means what it did (the new data's own statistics are ignored).
        Modules the config adds (the model's ``FRESH_MODULES``) start as initialized."""
        missing, unexpected = self.model.load_state_dict(weights, strict=False)
        fresh = getattr(self.model, "FRESH_MODULES", ())
        missing = [k for k in missing if k.split(".")[0] not in fresh]
        if missing or unexpected:
            raise RuntimeError(f"missing keys {missing[:4]}, unexpected keys {unexpected[:4]}")
        self.stats = {**self.stats, **self.model.stats()}
        for dataset in (self.train_set, self.val_set):
            dataset.normalize_with(self.stats)
        self._probe = None

    def datasets(self):
        return self.train_set, self.val_set

    def lengths(self, dataset) -> list[int]:
        return dataset.lengths()

    def collate(self, items: list[dict]) -> dict:
        return collate(items, self.model_config.reduction)

    def _inputs(self, batch: dict) -> tuple:
        """What every training pass of the model takes first: symbols, their lengths, the
        normalized mels, their lengths, speakers (None for one speaker)."""
        return (
            batch["symbols"],
            batch["symbol_lengths"],
            batch["mel"],
            batch["mel_lengths"],
            self._speakers(batch),
        )

    def _speakers(self, batch):
        return batch["speakers"] if self.model_config.n_speakers > 1 else None

    @torch.no_grad()
    def variance_targets(self, batch: dict) -> tuple[torch.Tensor, torch.Tensor]:
        """Phone-level (pitch, energy) targets through the model's current alignment."""
        model = self.model
        was_training = model.training
        model.eval()
        out = model(*self._inputs(batch))
        model.train(was_training)
        frame_mask = length_mask(batch["mel_lengths"], batch["mel"].shape[2])
        r = self.model_config.reduction
        pitch = phone_averages(out.alignment.float(), batch["pitch"], batch["voiced"].float(), r)
        energy = phone_averages(out.alignment.float(), batch["energy"], frame_mask.float(), r)
        return pitch, energy

    def _forward(self, model, batch: dict, step: int):
        if self.durational:
            if model.training and self.config.data.crop_frames:
                batch = crop_to_symbol_spans(batch, self.config.data.crop_frames)
            out = model(*self._inputs(batch), batch["contour"], batch["energy"], batch["durations"])
            loss, terms = duration_model_loss(out, batch, self.config.loss)
            return out, loss, terms
        pitch = energy = None
        if self.model_config.variance:
            pitch, energy = self.variance_targets(batch)
        out = model(*self._inputs(batch), pitch, energy)
        loss, terms = tacotron2_loss(
            out,
            batch["mel"],
            batch["mel_lengths"],
            batch["symbol_lengths"],
            self.model_config.reduction,
            self.config.loss,
            pitch,
            energy,
            step,
        )
        return out, loss, terms

    def loss(self, model, batch: dict, step: int):
        _, loss, terms = self._forward(model, batch, step)
        return loss, terms

    def validate(self, model, batches: list[dict]) -> dict[str, float]:
        sums: dict[str, float] = {}
        count = 0
        for batch in batches:
            out, loss, terms = self._forward(model, batch, 0)
            r = self.model_config.reduction
            for i in range(len(batch["ids"]) if not self.durational else 0):
                steps = int((batch["mel_lengths"][i] + r - 1) // r)
                m = alignment_metrics(out.alignment[i, :steps, : int(batch["symbol_lengths"][i])])
                for k, v in m.items():
                    sums[f"align_{k}"] = sums.get(f"align_{k}", 0.0) + v
            count += len(batch["ids"])
            for k, v in {**terms, "loss": float(loss)}.items():
                sums[k] = sums.get(k, 0.0) + v * len(batch["ids"])
        metrics = {k: v / max(count, 1) for k, v in sums.items()}
        v = self.config.validation
        if v.sentences > 0 and len(self.val_set):
            metrics.update(self.probe()(model, self.model_config.n_speakers > 1))
        if v.select != "loss" and v.select in metrics:
            metrics["select"] = metrics[v.select]
        return metrics

    def probe(self):
        """The intelligibility probe over the first ``validation.sentences`` validation items."""
        if self._probe is None:
            from .intelligibility import IntelligibilityProbe

            n = min(self.config.validation.sentences, len(self.val_set))
            items = [self.val_set[i] for i in range(n)]
            refs = [self.val_set.records[i].get("pinyin", "").split() for i in range(n)]
            texts = [self.val_set.records[i].get("text", "") for i in range(n)]
            v = self.config.validation
            self._probe = IntelligibilityProbe(
                items, refs, self.config.features, v.recognizer, texts=texts if v.whisper else None
            )
        return self._probe

    def log_media(self, writer, model, batch: dict, step: int) -> None:
        from vocoder.griffin_lim import GriffinLim

        n = int(batch["symbol_lengths"][0])
        speakers = batch["speakers"][:1] if self.model_config.n_speakers > 1 else None
        out = model.infer(batch["symbols"][:1, :n], speakers=speakers)
        frames = int(out.lengths[0])
        mel = out.mel_post[0, :, :frames].float().cpu()
        target = model.denormalize(batch["mel"][:1, :, : int(batch["mel_lengths"][0])])[0].float().cpu()
        writer.add_image("val/mel_target", _image(target), step)
        writer.add_image("val/mel_synthesized", _image(mel), step)
        writer.add_image("val/alignment", _image(out.alignment[0, :, :n].float().cpu().T), step)
        wave = GriffinLim(self.config.features)(mel)
        writer.add_audio("val/griffin_lim", wave[None], step, sample_rate=self.config.features.sample_rate)
        writer.add_scalar("val/synthesis_reached_end", float(out.reached_end[0]), step)

    def state(self) -> dict:
        return {
            "symbols": DEFAULT_TABLE.to_dict(),
            "speakers": self.speakers,
            "stats": self.stats,
            "model_config": asdict(self.model_config),
        }


def _image(x: torch.Tensor) -> np.ndarray:
    """(H, W) tensor → (1, H, W) array in [0, 1], low frequencies at the bottom."""
    x = x.flip(0)
    x = (x - x.min()) / (x.max() - x.min()).clamp_min(1e-6)
    return x[None].numpy()
