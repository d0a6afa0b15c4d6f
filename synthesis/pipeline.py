"""Synthesis: text → frontend → Tacotron2 → vocoder → waveform.

    from synthesis.pipeline import Synthesizer
    tts = Synthesizer("voices/mine")                  # or Synthesizer() for the shipped voice
    audio = tts("今天是2026年11月24日，天气很好。")    # float32 samples at tts.sample_rate
    result = tts.synthesize("……")   # audio, sample rate, each sentence's alignment,
                                     # durations and warnings, timings

Long text is split into sentences (by the frontend), synthesized a batch of sentences at
a time and joined with short pauses; ``sentences`` yields them one by one, so memory does
not grow with the length of the text. A ``Synthesizer`` keeps no state between calls:
everything a call did comes back in its result.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from dataclasses import astuple, dataclass
from pathlib import Path

import numpy as np
import torch

from frontend import Frontend

DEFAULT_VOICE = Path(__file__).resolve().parents[1] / "tts" / "voices" / "default"  # package data of tts
PAUSE_S = 0.2
PITCH_SHIFT_RANGE = (-12.0, 12.0)  # semitones
ENERGY_SCALE_RANGE = (0.0, 4.0)  # exclusive of 0
SIGMA_RANGE = (0.0, 2.0)


def check_controls(pitch_shift: float = 0.0, energy_scale: float = 1.0, sigma: float = 0.6) -> None:
    """Refuse controls outside what the models can render (ValueError naming the range)."""
    if not (math.isfinite(pitch_shift) and PITCH_SHIFT_RANGE[0] <= pitch_shift <= PITCH_SHIFT_RANGE[1]):
        raise ValueError(
            f"pitch shift {pitch_shift} is outside {PITCH_SHIFT_RANGE[0]:g}..{PITCH_SHIFT_RANGE[1]:g} "
            "semitones"
        )
    if not (math.isfinite(energy_scale) and ENERGY_SCALE_RANGE[0] < energy_scale <= ENERGY_SCALE_RANGE[1]):
        raise ValueError(f"energy scale {energy_scale} is outside (0, {ENERGY_SCALE_RANGE[1]:g}]")
    if not (math.isfinite(sigma) and SIGMA_RANGE[0] <= sigma <= SIGMA_RANGE[1]):
        raise ValueError(f"sigma {sigma} is outside [{SIGMA_RANGE[0]:g}, {SIGMA_RANGE[1]:g}]")


@dataclass
class Timings:
    """Seconds spent per stage, and the seconds of audio they made."""

    frontend_seconds: float = 0.0
    acoustic_seconds: float = 0.0
    vocoder_seconds: float = 0.0
    audio_seconds: float = 0.0

    @property
    def rtf(self) -> float:
        """Real-time factor: seconds of computing per second of audio."""
        total = self.frontend_seconds + self.acoustic_seconds + self.vocoder_seconds
        return total / self.audio_seconds if self.audio_seconds else 0.0

    def __add__(self, other: Timings) -> Timings:
        return Timings(*(a + b for a, b in zip(astuple(self), astuple(other))))


@dataclass
class Sentence:
    """One synthesized sentence of a text."""

    index: int  # 0-based, in the text
    of: int  # sentences in the text
    text: str  # as the frontend normalized it
    audio: np.ndarray  # float32 samples, with the pause after it (none after the last)
    alignment: np.ndarray  # (decoder steps, symbols): which symbol each step read
    durations: np.ndarray | None  # (symbols,) frames per symbol (duration-informed voices)
    warnings: list[str]
    timings: Timings  # its share of the work


@dataclass
class SynthesisResult:
    """What ``Synthesizer.synthesize`` made of one text."""

    audio: np.ndarray  # (samples,) float32 mono, the sentences joined
    sample_rate: int
    sentences: list[Sentence]
    warnings: list[str]  # every sentence's warnings, in order
    timings: Timings


class Synthesizer:
    """A voice ready to speak: ``voice`` a folder or an export (None: the shipped voice),
    ``backend`` and ``quantize`` as ``synthesis.voice.open_voice``; ``vocoder`` "auto" (the
    voice's WaveGlow if it has one, else Griffin-Lim), "waveglow" or "griffin-lim".
    ``warnings`` holds what loading had to say (e.g. no WaveGlow: Griffin-Lim instead)."""

    def __init__(
        self,
        voice: str | Path | None = None,
        vocoder: str = "auto",
        device: str = "cpu",
        sigma: float = 0.6,
        denoise: float = 0.01,
        batch_size: int = 8,
        user_dict=None,
        backend: str | None = None,
        quantize: str | None = None,
    ):
        from synthesis.voice import VoiceError, open_voice
        from vocoder.griffin_lim import GriffinLim
        from vocoder.waveglow import WaveGlowVocoder

        check_controls(sigma=sigma)
        if str(device).startswith("cuda") and not torch.cuda.is_available():
            raise ValueError(f"--device {device}: this machine has no CUDA device; use --device cpu")
        if vocoder not in ("auto", "waveglow", "griffin-lim"):
            raise ValueError(f"unknown vocoder {vocoder!r} (auto, waveglow, griffin-lim)")
        if voice is None:
            if not (DEFAULT_VOICE / "card.json").exists():
                raise VoiceError(
                    "no voice is shipped with this install yet; pass a voice folder (--model DIR)"
                )
            voice = DEFAULT_VOICE
        self.device = torch.device(device)
        self.voice, self.backend = open_voice(voice, backend, self.device, quantize)
        self.frontend = Frontend(user_dict=user_dict)
        self.batch_size = batch_size
        self.warnings: list[str] = []
        if vocoder == "auto":
            vocoder = "waveglow" if self.voice.vocoder is not None else "griffin-lim"
        if vocoder == "waveglow" and self.voice.vocoder is None:
            self.warnings.append(f"{voice} has no WaveGlow; using Griffin-Lim")
            vocoder = "griffin-lim"
        self.vocoder_name = vocoder
        if vocoder == "waveglow":
            self.vocoder = WaveGlowVocoder(self.voice.vocoder, self.sample_rate, sigma, denoise).to(
                self.device
            )
        else:
            self.vocoder = GriffinLim(self.voice.features).to(self.device)

    @property
    def sample_rate(self) -> int:
        return self.voice.sample_rate

    def speaker_id(self, speaker: str | int | None) -> torch.Tensor | None:
        speakers = self.voice.speakers
        if self.voice.acoustic.config.n_speakers <= 1:
            if speaker not in (None, 0, "0") and (not speakers or speaker != speakers[0]):
                raise ValueError(f"this voice has one speaker; --speaker {speaker} is not it")
            return None
        if speaker is None:
            return torch.tensor([0], device=self.device)
        if isinstance(speaker, str) and speaker in speakers:
            return torch.tensor([speakers.index(speaker)], device=self.device)
        if str(speaker).isdigit() and int(speaker) < len(speakers):
            return torch.tensor([int(speaker)], device=self.device)
        raise ValueError(f"unknown speaker {speaker!r}; this voice has {', '.join(speakers)}")

    def __call__(self, text: str, **controls) -> np.ndarray:
        """All of ``text`` as one waveform (float32, mono): ``synthesize(...).audio``."""
        return self.synthesize(text, **controls).audio

    def synthesize(
        self, text: str, speaker: str | int | None = None, pitch_shift: float = 0.0, energy_scale: float = 1.0
    ) -> SynthesisResult:
        """``text`` → audio and what went into it. ``pitch_shift`` in semitones,
        ``energy_scale`` a factor, ``speaker`` a name or index of the voice's speakers."""
        sentences = list(self.sentences(text, speaker, pitch_shift, energy_scale))
        return SynthesisResult(
            np.concatenate([s.audio for s in sentences]),
            self.sample_rate,
            sentences,
            [w for s in sentences for w in s.warnings],
            sum((s.timings for s in sentences), Timings()),
        )

    def sentences(
        self, text: str, speaker: str | int | None = None, pitch_shift: float = 0.0, energy_scale: float = 1.0
    ) -> Iterator[Sentence]:
        """Each sentence of ``text`` in order, as soon as its batch is synthesized."""
        check_controls(pitch_shift, energy_scale)
        t0 = time.perf_counter()
        utterances = self.frontend(text)
        frontend_share = (time.perf_counter() - t0) / max(len(utterances), 1)
        speaker_ids = self.speaker_id(speaker)
        pause = np.zeros(int(PAUSE_S * self.sample_rate), dtype=np.float32)
        for start in range(0, len(utterances), self.batch_size):
            chunk = utterances[start : start + self.batch_size]
            for i, s in enumerate(
                self._synthesize(
                    [self.frontend.encode(u) for u in chunk], speaker_ids, pitch_shift, energy_scale
                )
            ):
                n = start + i
                last = n == len(utterances) - 1
                audio = s["audio"] if last else np.concatenate([s["audio"], pause])
                timings = Timings(
                    frontend_share, s["acoustic_seconds"], s["vocoder_seconds"], len(audio) / self.sample_rate
                )
                yield Sentence(
                    n,
                    len(utterances),
                    chunk[i].normalized,
                    audio,
                    s["alignment"],
                    s["durations"],
                    [*chunk[i].warnings, *(f"sentence {n + 1}: {w}" for w in s["warnings"])],
                    timings,
                )

    @torch.no_grad()
    def _synthesize(self, ids: list[list[int]], speaker, pitch_shift, energy_scale) -> list[dict]:
        """A batch of symbol id lists → per sentence: audio, alignment, durations, warnings,
        and its share of the acoustic model's time and its vocoder time."""
        n = max(len(x) for x in ids)
        symbols = torch.zeros(len(ids), n, dtype=torch.long)
        for i, x in enumerate(ids):
            symbols[i, : len(x)] = torch.tensor(x)
        lengths = torch.tensor([len(x) for x in ids])
        speakers = speaker.expand(len(ids)) if speaker is not None else None
        t0 = time.perf_counter()
        out = self.voice.acoustic.infer(
            symbols.to(self.device),
            lengths.to(self.device),
            speakers,
            pitch_shift=pitch_shift,
            energy_scale=energy_scale,
        )
        acoustic_share = (time.perf_counter() - t0) / len(ids)
        r = self.voice.acoustic.config.reduction
        durations = out.extra.get("durations") if out.extra else None
        results = []
        for i in range(len(ids)):
            warnings = []
            if not bool(out.reached_end[i]) or not bool(out.stopped_by_gate[i]):
                why = "attention did not reach the end" if not bool(out.reached_end[i]) else "no stop token"
                warnings.append(f"{why}; the audio may be cut short or run on")
            t1 = time.perf_counter()
            audio = self.vocoder(out.mel_post[i : i + 1, :, : int(out.lengths[i])])[0].float().cpu().numpy()
            results.append(
                {
                    "audio": audio,
                    "warnings": warnings,
                    "acoustic_seconds": acoustic_share,
                    "vocoder_seconds": time.perf_counter() - t1,
                    "alignment": out.alignment[i, : (int(out.lengths[i]) + r - 1) // r, : len(ids[i])]
                    .float()
                    .cpu()
                    .numpy(),
                    "durations": None if durations is None else durations[i, : len(ids[i])].cpu().numpy(),
                }
            )
        return results
