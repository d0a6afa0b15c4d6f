"""What every synthesizer shares, without torch: the control ranges, the result types and
the sentence loop (text → frontend → batches of sentences → audio, one ``Sentence`` at a
time). ``synthesis.pipeline.Synthesizer`` (PyTorch, and exports through it) and
``synthesis.deploy.onnx_runtime.OnnxSynthesizer`` (onnxruntime and numpy only) implement
``_synthesize`` for one batch; the rest is here, so both split, pace and report the same.
"""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Iterator
from dataclasses import astuple, dataclass

import numpy as np

PAUSE_S = 0.2
# a text's first sentence is cut at its last pause within this many characters (about 4 s
# of speech), so the first audio of a stream waits for a short phrase only
FIRST_CHUNK_CHARS = 20
PITCH_SHIFT_RANGE = (-12.0, 12.0)  # semitones
ENERGY_SCALE_RANGE = (0.0, 4.0)  # exclusive of 0
SIGMA_RANGE = (0.0, 2.0)
PACE_RANGE = (0.25, 4.0)  # speaking rate: 2 is twice as fast
VOCODERS = ("auto", "waveglow", "griffin-lim")


def check_controls(
    pitch_shift: float = 0.0, energy_scale: float = 1.0, sigma: float = 0.6, pace: float = 1.0
) -> None:
    """Refuse controls outside what the models can render (ValueError naming the range)."""
    if not (math.isfinite(pace) and PACE_RANGE[0] <= pace <= PACE_RANGE[1]):
        raise ValueError(f"pace {pace} is outside {PACE_RANGE[0]:g}..{PACE_RANGE[1]:g}")
    if not (math.isfinite(pitch_shift) and PITCH_SHIFT_RANGE[0] <= pitch_shift <= PITCH_SHIFT_RANGE[1]):
        raise ValueError(
            f"pitch shift {pitch_shift} is outside {PITCH_SHIFT_RANGE[0]:g}..{PITCH_SHIFT_RANGE[1]:g} "
            "semitones"
        )
    if not (math.isfinite(energy_scale) and ENERGY_SCALE_RANGE[0] < energy_scale <= ENERGY_SCALE_RANGE[1]):
        raise ValueError(f"energy scale {energy_scale} is outside (0, {ENERGY_SCALE_RANGE[1]:g}]")
    if not (math.isfinite(sigma) and SIGMA_RANGE[0] <= sigma <= SIGMA_RANGE[1]):
        raise ValueError(f"sigma {sigma} is outside [{SIGMA_RANGE[0]:g}, {SIGMA_RANGE[1]:g}]")


def check_vocoder(vocoder: str) -> None:
    if vocoder not in VOCODERS:
        raise ValueError(f"unknown vocoder {vocoder!r} ({', '.join(VOCODERS)})")


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
    of: int  # sentences the text was cut into (those with nothing to say are skipped)
    text: str  # as the frontend normalized it
    audio: np.ndarray  # float32 samples, after the pause that parts it from the one before
    # (none before the first): joined in order, the sentences are the whole text's audio
    alignment: np.ndarray  # (decoder steps, symbols): which symbol each step read
    durations: np.ndarray | None  # (symbols,) frames per symbol (duration-informed voices)
    warnings: list[str]
    timings: Timings  # its share of the work


@dataclass
class SynthesisResult:
    """What ``synthesize`` made of one text."""

    audio: np.ndarray  # (samples,) float32 mono, the sentences joined
    sample_rate: int
    sentences: list[Sentence]
    warnings: list[str]  # every sentence's warnings, in order
    timings: Timings


@dataclass
class BatchItem:
    """One sentence of a batch, as a backend's ``_synthesize`` returns it."""

    audio: np.ndarray  # (samples,) float32
    alignment: np.ndarray  # (steps, symbols)
    durations: np.ndarray | None
    warnings: list[str]
    acoustic_seconds: float  # its share of the batch's acoustic model time
    vocoder_seconds: float


class SentenceSynthesizer:
    """The sentence loop over a backend. A subclass sets ``frontend``, ``speakers`` (names),
    ``n_speakers`` (the acoustic model's embedding count; ≤ 1: one voice), ``sample_rate``,
    ``batch_size``, ``has_waveglow``, ``sigma``, ``denoise``, and implements
    ``_synthesize(ids, speaker, pitch_shift, energy_scale, pace)`` (``speaker``: an index
    or None) → one ``BatchItem`` per sentence, and ``_make_vocoder(name)``."""

    frontend = None
    speakers: list[str] = []
    n_speakers = 0
    sample_rate = 22050
    batch_size = 8
    has_waveglow = False
    sigma, denoise = 0.6, 0.01
    vocoder = None
    vocoder_name = "griffin-lim"
    backend = "torch"
    card: dict = {}  # the voice's card.json
    has_pace = True  # takes ``pace`` (duration-informed voices)

    def _set_vocoder(self, vocoder: str, where) -> None:
        """``vocoder`` ("auto", "waveglow", "griffin-lim") resolved and made; a voice without
        WaveGlow falls back to Griffin-Lim with a warning in ``warnings``."""
        check_vocoder(vocoder)
        if vocoder == "auto":
            vocoder = "waveglow" if self.has_waveglow else "griffin-lim"
        if vocoder == "waveglow" and not self.has_waveglow:
            self.warnings.append(f"{where} has no WaveGlow; using Griffin-Lim")
            vocoder = "griffin-lim"
        self.vocoder_name, self.vocoder = vocoder, self._make_vocoder(vocoder)

    @property
    def vocoders(self) -> list[str]:
        """The vocoders this voice can speak through."""
        return ["griffin-lim", "waveglow"] if self.has_waveglow else ["griffin-lim"]

    def using(self, vocoder: str):
        """The same voice through another vocoder (the models are shared, not copied)."""
        if vocoder not in (*self.vocoders, "auto"):
            check_vocoder(vocoder)
            raise ValueError(f"this voice has no {vocoder}; it has {', '.join(self.vocoders)}")
        other = copy.copy(self)
        other.warnings = []
        other._set_vocoder(vocoder, "")
        return other

    def _make_vocoder(self, name: str):
        raise NotImplementedError

    def speaker_index(self, speaker: str | int | None) -> int | None:
        """A speaker name or number → its index (None for a one-speaker voice); ValueError
        naming the voice's speakers for one it does not have."""
        speakers = self.speakers
        if self.n_speakers <= 1:
            if speaker not in (None, 0, "0") and (not speakers or speaker != speakers[0]):
                raise ValueError(f"this voice has one speaker; speaker {speaker!r} is not it")
            return None
        if speaker is None:
            return 0
        if isinstance(speaker, str) and speaker in speakers:
            return speakers.index(speaker)
        if str(speaker).isdigit() and int(speaker) < len(speakers):
            return int(speaker)
        raise ValueError(f"unknown speaker {speaker!r}; this voice has {', '.join(speakers)}")

    def __call__(self, text: str, **controls) -> np.ndarray:
        """All of ``text`` as one waveform (float32, mono): ``synthesize(...).audio``."""
        return self.synthesize(text, **controls).audio

    def synthesize(
        self,
        text: str,
        speaker: str | int | None = None,
        pitch_shift: float = 0.0,
        energy_scale: float = 1.0,
        pace: float = 1.0,
    ) -> SynthesisResult:
        """``text`` → audio and what went into it. ``pitch_shift`` in semitones,
        ``energy_scale`` a factor, ``speaker`` a name or index of the voice's speakers,
        ``pace`` the speaking rate (duration-informed voices; 2: twice as fast)."""
        sentences = list(self.sentences(text, speaker, pitch_shift, energy_scale, pace))
        return SynthesisResult(
            np.concatenate([s.audio for s in sentences]),
            self.sample_rate,
            sentences,
            [w for s in sentences for w in s.warnings],
            sum((s.timings for s in sentences), Timings()),
        )

    def sentences(
        self,
        text: str,
        speaker: str | int | None = None,
        pitch_shift: float = 0.0,
        energy_scale: float = 1.0,
        pace: float = 1.0,
    ) -> Iterator[Sentence]:
        """Each sentence of ``text`` in order, as soon as it is synthesized.

        The frontend reads one sentence at a time, just ahead of synthesis, and sentences are
        synthesized in batches of 1, 2, 4, ... up to ``batch_size``: the first audio waits for
        the first sentence alone, and long texts still get the throughput of full batches.
        Memory does not grow with the text: each sentence is handed on as it is made."""
        check_controls(pitch_shift, energy_scale, pace=pace)
        speaker_index = self.speaker_index(speaker)
        pause = np.zeros(int(PAUSE_S * self.sample_rate), dtype=np.float32)
        n = 0
        for chunk, of, frontend_seconds in self._batches(text):
            ids = [self.frontend.encode(u) for u in chunk]
            frontend_share = frontend_seconds / len(chunk)
            for u, s in zip(chunk, self._synthesize(ids, speaker_index, pitch_shift, energy_scale, pace)):
                audio = s.audio if n == 0 else np.concatenate([pause, s.audio])
                timings = Timings(
                    frontend_share, s.acoustic_seconds, s.vocoder_seconds, len(audio) / self.sample_rate
                )
                warnings = [*u.warnings, *(f"sentence {n + 1}: {w}" for w in s.warnings)]
                yield Sentence(n, of, u.normalized, audio, s.alignment, s.durations, warnings, timings)
                n += 1

    def _batches(self, text: str) -> Iterator[tuple[list, int, float]]:
        """The utterances of ``text`` in batches of 1, 2, 4, ... ``batch_size``, each with the
        number of sentences the text was cut into and the frontend's seconds for the batch."""
        utterances = self.frontend.utterances(text)
        size, batch, of, seconds = 1, [], 0, 0.0
        while True:
            t0 = time.perf_counter()
            item = next(utterances, None)
            seconds += time.perf_counter() - t0
            if item is not None:
                batch.append(item[0])
                of = item[1]
            if batch and (item is None or len(batch) == size):
                yield batch, of, seconds
                batch, seconds, size = [], 0.0, min(2 * size, self.batch_size)
            if item is None:
                return

    def _synthesize(
        self, ids: list[list[int]], speaker: int | None, pitch_shift: float, energy_scale: float, pace: float
    ) -> list[BatchItem]:
        raise NotImplementedError


def padded_batch(ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Symbol id lists → (B, N) int64 ids padded with 0, (B,) int64 lengths."""
    lengths = np.array([len(x) for x in ids], dtype=np.int64)
    symbols = np.zeros((len(ids), int(lengths.max())), dtype=np.int64)
    for i, x in enumerate(ids):
        symbols[i, : len(x)] = x
    return symbols, lengths
