"""Multi-condition training audio: what a judge of synthesized speech must hear through.

Each training item independently gets, with its configured probability, and in the order a
recording chain applies them: a **Griffin-Lim copy** of itself (the TTS log-mel of the
recording through the shipped Griffin-Lim, what a voice's output sounds like), simple
**reverberation** (an exponentially decaying noise impulse response), **band-limiting** (a
low-pass of random cut-off) and additive **noise** of random colour at a random SNR.

All functions take and return (S,) float32 tensors at the recognizer's sample rate and draw
their randomness from ``torch``'s generator, so a seeded run is reproducible.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torchaudio

from core.audio import AudioError, load_audio
from core.files import atomic_write


@dataclass
class ConditionConfig:
    vocoded: float = 0.0  # share of the items that have a Griffin-Lim copy replaced by it
    vocoded_items: int = 0  # copies of at most this many training utterances per corpus (0: all)
    reverb: float = 0.0  # share reverberated
    rt60_min_s: float = 0.15
    rt60_max_s: float = 0.6
    band_limit: float = 0.0  # share low-passed
    cutoff_min_hz: float = 2500.0
    cutoff_max_hz: float = 6000.0
    noise: float = 0.0  # share with additive noise
    snr_min_db: float = 10.0
    snr_max_db: float = 30.0

    def __post_init__(self) -> None:
        for name in ("vocoded", "reverb", "band_limit", "noise"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"conditions.{name}: a share between 0 and 1, got {getattr(self, name)}")
        for low, high in (
            ("rt60_min_s", "rt60_max_s"),
            ("cutoff_min_hz", "cutoff_max_hz"),
            ("snr_min_db", "snr_max_db"),
        ):
            if getattr(self, low) > getattr(self, high):
                raise ValueError(f"conditions.{low} is above conditions.{high}")

        if self.vocoded_items < 0:
            raise ValueError("conditions.vocoded_items: 0 (all) or more")

    @property
    def any(self) -> bool:
        return any((self.vocoded, self.reverb, self.band_limit, self.noise))


def _uniform(low: float, high: float) -> float:
    return float(torch.empty(()).uniform_(low, high))


def add_noise(audio: torch.Tensor, snr_db: float, colour: float = 0.0) -> torch.Tensor:
    """``audio`` plus Gaussian noise shaped to a 1/f^``colour`` power spectrum (0 white, 1
    pink, 2 brown) at ``snr_db`` below the audio's mean power."""
    noise = torch.randn(audio.shape[-1])
    if colour:
        spectrum = torch.fft.rfft(noise)
        f = torch.arange(spectrum.shape[-1], dtype=torch.float32).clamp_min(1.0)
        noise = torch.fft.irfft(spectrum * f.pow(-colour / 2), n=audio.shape[-1])
    power = audio.pow(2).mean().clamp_min(1e-10)
    noise = noise * torch.sqrt(power / noise.pow(2).mean().clamp_min(1e-12) / 10 ** (snr_db / 10))
    return audio + noise


def reverberate(audio: torch.Tensor, sample_rate: int, rt60_s: float) -> torch.Tensor:
    """Convolve with an impulse response: a direct path, then noise decaying by 60 dB in
    ``rt60_s`` seconds (a simple room); the result keeps the input's length and RMS."""
    n = max(2, int(rt60_s * sample_rate))
    t = torch.arange(n, dtype=torch.float32) / sample_rate
    response = torch.randn(n) * torch.exp(-3 * math.log(10) * t / rt60_s) * 0.3
    response[0] = 1.0
    wet = torchaudio.functional.fftconvolve(audio, response)[: audio.shape[-1]]
    return wet * (audio.pow(2).mean().sqrt() / wet.pow(2).mean().sqrt().clamp_min(1e-8))


def band_limit(audio: torch.Tensor, sample_rate: int, cutoff_hz: float) -> torch.Tensor:
    """Low-pass at ``cutoff_hz`` (two biquads, 24 dB per octave), as a narrow-band channel."""
    for _ in range(2):
        audio = torchaudio.functional.lowpass_biquad(audio, sample_rate, cutoff_hz)
    return audio


def degrade(audio: torch.Tensor, sample_rate: int, c: ConditionConfig) -> torch.Tensor:
    """Reverberation, band-limiting and noise, each with its share's probability."""
    if c.reverb and torch.rand(()) < c.reverb:
        audio = reverberate(audio, sample_rate, _uniform(c.rt60_min_s, c.rt60_max_s))
    if c.band_limit and torch.rand(()) < c.band_limit:
        audio = band_limit(audio, sample_rate, _uniform(c.cutoff_min_hz, c.cutoff_max_hz))
    if c.noise and torch.rand(()) < c.noise:
        audio = add_noise(audio, _uniform(c.snr_min_db, c.snr_max_db), _uniform(0.0, 2.0))
    return audio.clamp(-1.0, 1.0)


class GriffinLimCopies:
    """Griffin-Lim copies of a prepared corpus's recordings, written once as WAVs under
    ``<features_dir>/copies/griffin-lim-<settings hash>/ID.wav`` and read from there.

    The copy is what ``tts-eval --copy-synthesis griffin-lim`` makes: the recording's log-mel
    in the corpus's own feature settings, through the shipped Griffin-Lim. A change of those
    settings (or of Griffin-Lim's) gives another folder, never a stale copy."""

    def __init__(self, features_dir: str | Path):
        from core.data.prepare import prepared_feature_settings
        from core.features import FeatureConfig
        from vocoder.griffin_lim_numpy import MOMENTUM, N_ITER, PHASE_POWER, POWER

        self.features = FeatureConfig(**prepared_feature_settings(features_dir))
        self.settings = {
            "features": asdict(self.features),
            "griffin_lim": [N_ITER, POWER, MOMENTUM, PHASE_POWER, "spsi"],
        }
        digest = hashlib.sha256(json.dumps(self.settings, sort_keys=True).encode()).hexdigest()[:10]
        self.folder = Path(features_dir) / "copies" / f"griffin-lim-{digest}"

    @staticmethod
    def chosen(records: list[dict], limit: int) -> list[dict]:
        """The ``limit`` records (all for 0) whose copies are made: a fixed pseudo-random
        choice by a hash of the id, the same on every run and machine."""
        if not limit or limit >= len(records):
            return list(records)
        return sorted(records, key=lambda r: hashlib.sha256(r["id"].encode()).hexdigest())[:limit]

    def path(self, record: dict) -> Path:
        return self.folder / f"{record['id']}.wav"

    def missing(self, records: list[dict]) -> list[dict]:
        return [r for r in records if not self.path(r).is_file()]

    def make(self, records: list[dict], progress: bool = True) -> int:
        """Write the copies not yet on disk (atomically: an interrupted run resumes); returns
        how many were written."""
        import soundfile as sf
        from tqdm import tqdm

        from core.features import FeatureExtractor
        from vocoder.griffin_lim import GriffinLim

        todo = self.missing(records)
        if not todo:
            return 0
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "settings.json").write_text(json.dumps(self.settings, indent=1), encoding="utf-8")
        extractor, vocoder = FeatureExtractor(self.features), GriffinLim(self.features)
        sr = self.features.sample_rate
        for r in tqdm(todo, desc="Griffin-Lim copies", unit="utt", disable=not progress):
            try:
                mel = extractor.mel(extractor.preprocess(load_audio(r["audio"], sr)))
            except AudioError as err:
                raise ValueError(f"{r['id']}: {err}") from None
            with torch.no_grad():
                audio = vocoder(mel).float().numpy()
            atomic_write(self.path(r), lambda f, a=audio: sf.write(f, a, sr, format="WAV", subtype="PCM_16"))
        return len(todo)
