"""A trained recognizer ready to use: load it, transcribe WAVs, score them against text.

from recognizer.api import Recognizer
asr = Recognizer.load("runs/recognizer/checkpoints/best.pt")   # or a recognizer folder
asr.transcribe(["a.wav"])          # [["jin1", "tian1", ...]]
asr.error_rate(["a.wav"], ["今天天气很好。"])   # syllable error rate against the frontend
"""

from __future__ import annotations

from pathlib import Path

import torch

from core.audio import AudioError
from core.files import first_line
from recognizer.features import AsrFeatureConfig, AsrFeatures

from .decode import beam_search, greedy_decode
from .metrics import error_rate
from .model import RecognizerConfig, build_recognizer
from .tokens import TokenSet

# The default judge hears natural-sounding speech of many speakers (recognizer/pretrained/CARD.md);
# crnn_builtin.pt, trained on espeak-ng alone, stays shipped for espeak-ng corpora.
DEFAULT_RECOGNIZER = Path(__file__).resolve().parent / "pretrained" / "crnn_speakers.pt"


def shipped_card(path: Path) -> dict:
    """The entry of ``recognizer/pretrained/cards.json`` for a shipped recognizer; {} for others."""
    import json

    path = Path(path).resolve()
    cards = DEFAULT_RECOGNIZER.parent / "cards.json"
    if path.parent != DEFAULT_RECOGNIZER.parent or not cards.exists():
        return {}
    return json.loads(cards.read_text(encoding="utf-8")).get(path.name, {})


class Recognizer:
    def __init__(
        self,
        model: torch.nn.Module,
        tokens: TokenSet,
        features: AsrFeatureConfig,
        data: dict,
        trained_on: str = "",
    ):
        from core.config import from_dict
        from recognizer.training import RecognizerDataConfig

        self.model, self.tokens = model.eval(), tokens
        self.features = AsrFeatures(features)
        self.feature_config = features
        self.data = from_dict(RecognizerDataConfig, data)
        corpora = [self.data.features_dir, *self.data.extra_features_dirs]
        self.trained_on = trained_on or "the corpora " + ", ".join(corpora)  # for the judges' messages

    @classmethod
    def load(cls, path: str | Path) -> Recognizer:
        """From a tts-train checkpoint (task recognizer) or a folder holding ``recognizer.pt``."""
        from core.checkpoint import load_checkpoint

        path = Path(path)
        if path.is_dir():
            path = path / "recognizer.pt"
        state = load_checkpoint(path)
        if state.get("task") != "recognizer":
            raise ValueError(f"{path} is a {state.get('task')} checkpoint, not a recognizer")
        ts = state["task_state"]
        model = build_recognizer(RecognizerConfig(**ts["model_config"]))
        try:
            model.load_state_dict(state["model"])
        except RuntimeError as err:
            raise ValueError(f"{path}: weights do not fit the recognizer ({first_line(err, 200)})") from None
        return cls(
            model,
            TokenSet(tuple(ts["tokens"])),
            AsrFeatureConfig(**ts["asr_features"]),
            state["config"]["data"],
            shipped_card(path).get("trained_on", ""),
        )

    @torch.no_grad()
    def log_probs(self, path: str | Path) -> torch.Tensor:
        """(T', V) log-probabilities of one file; raises AudioError for unusable audio."""
        from recognizer.training import load_speech

        return self._log_probs(load_speech(path, self.data, self.feature_config.sample_rate), path)

    def _log_probs(self, audio: torch.Tensor, path) -> torch.Tensor:
        from recognizer.training import normalize_features

        if len(audio) < self.feature_config.win_length:
            raise AudioError(f"{path}: too short to recognize ({len(audio)} samples)")
        if float(audio.abs().max()) < 1e-4:
            raise AudioError(f"{path}: silent")
        feats = normalize_features(self.features(audio))
        log_probs, lengths = self.model(feats[None], torch.tensor([feats.shape[1]]))
        return log_probs[0, : int(lengths[0])]

    def transcribe(self, paths: list[str | Path], beam: int = 0) -> list[list[str]]:
        """Toned syllables of each file (greedy CTC, or prefix beam search of width ``beam``)."""
        out = []
        for p in paths:
            lp = self.log_probs(p)
            ids = beam_search(lp, beam) if beam > 1 else greedy_decode(lp[None])[0]
            out.append(self.tokens.decode(ids))
        return out

    @torch.no_grad()
    def transcribe_audio(self, audios: list, sample_rate: int) -> list[list[str]]:
        """Toned syllables (greedy CTC) of waveforms (float32 arrays at ``sample_rate``)."""
        from core.audio import resample
        from recognizer.training import speech

        out = []
        for i, audio in enumerate(audios):
            if sample_rate != self.feature_config.sample_rate:
                audio = resample(audio, sample_rate, self.feature_config.sample_rate)
            try:
                lp = self._log_probs(speech(audio, self.data), f"waveform {i}")
            except AudioError:
                out.append([])
                continue
            out.append(self.tokens.decode(greedy_decode(lp[None])[0]))
        return out

    def error_rate(self, paths: list[str | Path], texts: list[str], beam: int = 0) -> float:
        """Syllable error rate of the files against the frontend's reading of ``texts``."""
        from frontend import Frontend

        fe = Frontend()
        refs = [[p for u in fe(t) for p in u.pinyin] for t in texts]
        return error_rate(refs, self.transcribe(paths, beam))
