"""The recognizer task: CTC on toned pinyin from a prepared corpus (``task: recognizer``).

Audio is read from the corpus (16 kHz, silence trimmed, loudness normalized), features
come from ``recognizer.features`` with per-utterance mean/variance normalization, and
the targets are the frontend's toned syllables of each transcript. SpecAugment, speed
perturbation (±10%; pitch moves with it), vocal-tract-length warping (``vtlp``) and
multi-condition audio (``recognizer.conditions``: Griffin-Lim
copies, reverberation, band-limiting, noise) are options for training. ``extra_features_dirs``
adds the training splits of more prepared corpora (validation stays on ``features_dir``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import torch

from core.audio import load_audio, normalize_loudness, trim_silence
from core.task import register_task
from core.trainer import TrainConfig
from recognizer.augment import SpecAugment, speed_perturb
from recognizer.conditions import ConditionConfig, GriffinLimCopies, degrade
from recognizer.decode import greedy_decode
from recognizer.features import AsrFeatureConfig, AsrFeatures
from recognizer.metrics import error_rate
from recognizer.model import RecognizerConfig, build_recognizer
from recognizer.tokens import TokenSet


@dataclass
class RecognizerDataConfig:
    features_dir: str = "data/feats"  # a prepared corpus: its index lists audio and text
    extra_features_dirs: list[str] = field(default_factory=list)  # more training corpora
    spec_augment: bool = True
    speed_perturb: float = 0.1  # ± this share (tempo and pitch, by resampling); 0 switches it off
    vtlp: float = 0.0  # formant warping by up to ± this share (vocal-tract length); 0: off
    trim_top_db: float = 40.0
    loudness_dbfs: float = -20.0
    conditions: ConditionConfig = field(default_factory=ConditionConfig)

    def __post_init__(self) -> None:
        for name in ("speed_perturb", "vtlp"):
            if not 0.0 <= getattr(self, name) < 0.5:
                raise ValueError(f"data.{name}: a share from 0 up to 0.5, got {getattr(self, name)}")


@dataclass
class RecognizerRunConfig:
    task: str = "recognizer"
    asr_features: AsrFeatureConfig = field(default_factory=AsrFeatureConfig)
    data: RecognizerDataConfig = field(default_factory=RecognizerDataConfig)
    model: RecognizerConfig = field(default_factory=RecognizerConfig)
    train: TrainConfig = field(default_factory=TrainConfig)


def load_speech(path: str | Path, data: RecognizerDataConfig, sample_rate: int) -> torch.Tensor:
    return speech(load_audio(path, sample_rate), data)


def speech(audio, data: RecognizerDataConfig) -> torch.Tensor:
    """Samples (float32, at the recognizer's rate) trimmed and loudness-normalized as in training."""
    return torch.from_numpy(normalize_loudness(trim_silence(audio, data.trim_top_db), data.loudness_dbfs))


def normalize_features(x: torch.Tensor) -> torch.Tensor:
    """Per-utterance mean and variance normalization of (F, T) features."""
    return (x - x.mean(-1, keepdim=True)) / x.std(-1, keepdim=True).clamp_min(1e-3)


class SpeechDataset(torch.utils.data.Dataset):
    def __init__(
        self,
        records: list[dict],
        tokens: TokenSet,
        targets: dict[str, list[str]],
        config: RecognizerRunConfig,
        train: bool,
        copies: dict[str, Path] | None = None,
    ):
        self.records, self.tokens, self.targets = records, tokens, targets
        self.config, self.train = config, train
        self.features = AsrFeatures(config.asr_features)
        self.augment = SpecAugment() if train and config.data.spec_augment else None
        self.copies = copies or {}  # id → its Griffin-Lim copy (multi-condition training)

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, i: int) -> dict:
        r = self.records[i]
        sr = self.config.asr_features.sample_rate
        conditions = self.config.data.conditions
        source = r["audio"]
        if self.train and r["id"] in self.copies and torch.rand(()) < conditions.vocoded:
            source = self.copies[r["id"]]
        audio = load_audio(source, sr)
        if self.train and conditions.any:  # as recorded: before trimming and level
            audio = degrade(torch.from_numpy(audio), sr, conditions).numpy()
        audio = speech(audio, self.config.data)
        spread = self.config.data.speed_perturb
        if self.train and spread > 0:
            audio = speed_perturb(audio, sr, float(torch.empty(()).uniform_(1 - spread, 1 + spread)))
        warp = 1.0
        if self.train and self.config.data.vtlp > 0:
            warp = float(torch.empty(()).uniform_(1 - self.config.data.vtlp, 1 + self.config.data.vtlp))
        with torch.no_grad():
            feats = normalize_features(self.features(audio, warp))
            if self.augment is not None:
                feats = self.augment(feats)
        return {
            "features": feats,
            "targets": torch.tensor(self.tokens.encode(self.targets[r["id"]])),
            "id": r["id"],
        }


def collate_speech(items: list[dict]) -> dict:
    b, f = len(items), items[0]["features"].shape[0]
    t = max(it["features"].shape[1] for it in items)
    feats = torch.zeros(b, f, t)
    for i, it in enumerate(items):
        feats[i, :, : it["features"].shape[1]] = it["features"]
    return {
        "features": feats,
        "lengths": torch.tensor([it["features"].shape[1] for it in items]),
        "targets": torch.cat([it["targets"] for it in items]),
        "target_lengths": torch.tensor([len(it["targets"]) for it in items]),
        "ids": [it["id"] for it in items],
    }


def transcripts(records: list[dict]) -> dict[str, list[str]]:
    """Toned pinyin of each record: the prepared index's own, or the frontend's for an
    index written before prepare recorded it."""
    if all("pinyin" in r for r in records):
        return {r["id"]: r["pinyin"].split() for r in records}
    from frontend import Frontend

    fe = Frontend()
    return {r["id"]: [p for u in fe(r["text"]) for p in u.pinyin] for r in records}


def _key(corpus: int, record: dict) -> str:
    """A record's id among several corpora (those of ``extra_features_dirs`` get a prefix)."""
    return record["id"] if corpus == 0 else f"{corpus}:{record['id']}"


def _index(features_dir: str) -> list[dict]:
    index = Path(features_dir) / "index.json"
    if not index.exists():
        raise ValueError(f"{features_dir}: no index.json; run tts-prepare on the corpus first")
    return json.loads(index.read_text(encoding="utf-8"))


@register_task(RecognizerRunConfig)
class RecognizerTask:
    name = "recognizer"

    def __init__(self, config: RecognizerRunConfig, state: dict | None = None):
        self.config = config
        tokens = state["tokens"] if state else None
        records, copies = [], {}
        for n, folder in enumerate([config.data.features_dir, *config.data.extra_features_dirs]):
            corpus = _index(folder)
            if config.data.conditions.vocoded > 0:
                made = GriffinLimCopies(folder)
                chosen = made.chosen(
                    [r for r in corpus if r["split"] == "train"], config.data.conditions.vocoded_items
                )
                made.make(chosen, progress=config.train.progress)
                copies.update({_key(n, r): made.path(r) for r in chosen})
            if n == 0:  # the first corpus gives every split; the others add their training split
                records += corpus
            else:
                records += [{**r, "id": _key(n, r)} for r in corpus if r["split"] == "train"]
        train = [r for r in records if r["split"] == "train"]
        self.targets = transcripts(records)
        self.tokens = (
            TokenSet(tuple(tokens))
            if tokens
            else TokenSet.from_transcripts([self.targets[r["id"]] for r in train])
        )
        self.train_set = SpeechDataset(train, self.tokens, self.targets, config, True, copies)
        self.val_set = SpeechDataset(
            [r for r in records if r["split"] == "val"], self.tokens, self.targets, config, False
        )
        self.model_config = replace(
            config.model, n_tokens=len(self.tokens), n_features=config.asr_features.dim
        )
        torch.manual_seed(config.train.seed)
        self.model = build_recognizer(self.model_config)
        self.ctc = torch.nn.CTCLoss(blank=0, zero_infinity=True)

    def datasets(self):
        return self.train_set, self.val_set

    def lengths(self, dataset) -> list[int]:
        return [r["frames"] for r in dataset.records]

    def collate(self, items):
        return collate_speech(items)

    def loss(self, model, batch: dict, step: int):
        log_probs, lengths = model(batch["features"], batch["lengths"])
        loss = self.ctc(log_probs.float().transpose(0, 1), batch["targets"], lengths, batch["target_lengths"])
        return loss, {"ctc": float(loss.detach())}

    def validate(self, model, batches: list[dict]) -> dict[str, float]:
        losses, refs, hyps = [], [], []
        for batch in batches:
            losses.append(float(self.loss(model, batch, 0)[0]))
            log_probs, lengths = model(batch["features"], batch["lengths"])
            hyps += [self.tokens.decode(h) for h in greedy_decode(log_probs, lengths)]
            refs += [self.targets[i] for i in batch["ids"]]
        cer = error_rate(refs, hyps)
        return {"loss": sum(losses) / len(losses), "cer": cer, "select": cer}  # best.pt: lowest error

    def log_media(self, writer, model, batch: dict, step: int) -> None:
        log_probs, lengths = model(batch["features"][:1], batch["lengths"][:1])
        hyp = " ".join(self.tokens.decode(greedy_decode(log_probs, lengths)[0]))
        writer.add_text("val/recognized", f"{' '.join(self.targets[batch['ids'][0]])}  \n→ {hyp}", step)

    def start_from(self, weights: dict) -> None:
        self.model.load_state_dict(weights)

    def state(self) -> dict:
        return {
            "tokens": self.tokens.to_list(),
            "model_config": asdict(self.model_config),
            "asr_features": asdict(self.config.asr_features),
            "speakers": [],
        }
