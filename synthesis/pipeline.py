"""Synthesis: text → frontend → Tacotron2 → vocoder → waveform.

    from synthesis.pipeline import Synthesizer
    tts = Synthesizer("voices/mine")                  # or Synthesizer() for the shipped voice
    audio = tts("今天是2026年11月24日，天气很好。")    # float32 samples at tts.sample_rate

Long text is split into sentences (by the frontend), synthesized a batch of sentences at
a time and joined with short pauses; ``stream`` yields the audio sentence by sentence,
so memory does not grow with the length of the text.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import numpy as np
import torch

from frontend import Frontend

DEFAULT_VOICE = Path(__file__).resolve().parents[1] / "tts" / "voices" / "default"   # package data of tts
PAUSE_S = 0.2
PITCH_SHIFT_RANGE = (-12.0, 12.0)      # semitones
ENERGY_SCALE_RANGE = (0.0, 4.0)        # exclusive of 0
SIGMA_RANGE = (0.0, 2.0)


def check_controls(pitch_shift: float = 0.0, energy_scale: float = 1.0, sigma: float = 0.6) -> None:
    """Refuse controls outside what the models can render (ValueError naming the range)."""
    if not (math.isfinite(pitch_shift) and PITCH_SHIFT_RANGE[0] <= pitch_shift <= PITCH_SHIFT_RANGE[1]):
        raise ValueError(f"pitch shift {pitch_shift} is outside {PITCH_SHIFT_RANGE[0]:g}..{PITCH_SHIFT_RANGE[1]:g} "
                         "semitones")
    if not (math.isfinite(energy_scale) and ENERGY_SCALE_RANGE[0] < energy_scale <= ENERGY_SCALE_RANGE[1]):
        raise ValueError(f"energy scale {energy_scale} is outside (0, {ENERGY_SCALE_RANGE[1]:g}]")
    if not (math.isfinite(sigma) and SIGMA_RANGE[0] <= sigma <= SIGMA_RANGE[1]):
        raise ValueError(f"sigma {sigma} is outside [{SIGMA_RANGE[0]:g}, {SIGMA_RANGE[1]:g}]")


@dataclass
class SynthesisReport:
    """What happened: timings for the real-time factor, and per-sentence warnings."""

    audio_seconds: float = 0.0
    frontend_seconds: float = 0.0
    acoustic_seconds: float = 0.0
    vocoder_seconds: float = 0.0
    sentences: int = 0
    sentences_planned: int = 0           # sentences the frontend found so far (for progress)
    warnings: list[str] = field(default_factory=list)

    @property
    def rtf(self) -> float:
        total = self.frontend_seconds + self.acoustic_seconds + self.vocoder_seconds
        return total / self.audio_seconds if self.audio_seconds else 0.0


class Synthesizer:
    """``backend``: None (what the folder is), "torch" (a voice folder), or "torchscript" /
    "onnx" (a folder made by ``tts-export``, run on the CPU). ``quantize="int8"``: dynamic
    int8 quantization of the acoustic model after loading (PyTorch backend, CPU)."""

    def __init__(self, voice: str | Path | None = None, vocoder: str = "auto", device: str = "cpu",
                 sigma: float = 0.6, denoise: float = 0.01, batch_size: int = 8, user_dict=None,
                 backend: str | None = None, quantize: str | None = None):
        from synthesis.deploy.runtime import BACKENDS, is_export, load_export, read_manifest
        from synthesis.voice import VoiceError, load_voice
        from vocoder.griffin_lim import GriffinLim

        check_controls(sigma=sigma)
        if str(device).startswith("cuda") and not torch.cuda.is_available():
            raise ValueError(f"--device {device}: this machine has no CUDA device; use --device cpu")
        if vocoder not in ("auto", "waveglow", "griffin-lim"):
            raise ValueError(f"unknown vocoder {vocoder!r} (auto, waveglow, griffin-lim)")
        if backend not in (None, "torch", *BACKENDS):
            raise ValueError(f"unknown backend {backend!r} (torch, {', '.join(BACKENDS)})")
        if voice is None:
            if not (DEFAULT_VOICE / "card.json").exists():
                raise VoiceError("no voice is shipped with this install yet; pass a voice folder (--model DIR)")
            voice = DEFAULT_VOICE
        self.device = torch.device(device)
        if is_export(voice):
            exported = read_manifest(Path(voice))["backend"]
            if backend not in (None, exported):
                raise VoiceError(f"{voice} is an export for the {exported} backend, not {backend}")
            if self.device.type != "cpu":
                raise ValueError(f"exported models run on the CPU; --device {device} is for the torch backend")
            if quantize:
                raise ValueError("an export is quantized when it is made: tts-export --quantize int8")
            self.voice, self.backend = load_export(voice), exported
        else:
            if backend in BACKENDS:
                raise VoiceError(f"{voice} is a voice folder, not an export for the {backend} backend; make one "
                                 f"with tts-export --model {voice} --format {backend} --out DIR")
            self.voice, self.backend = load_voice(voice, self.device), "torch"
            if quantize:
                from synthesis.deploy.compress import QUANTIZE, quantize_int8

                if quantize not in QUANTIZE:
                    raise ValueError(f"unsupported quantization {quantize!r}; supported: {', '.join(QUANTIZE)}")
                if self.device.type != "cpu":
                    raise ValueError("int8 dynamic quantization runs on the CPU only")
                self.voice.acoustic = quantize_int8(self.voice.acoustic)
        self.frontend = Frontend(user_dict=user_dict)
        self.sigma, self.batch_size = sigma, batch_size
        self.report = SynthesisReport()
        self.last_alignments: list[np.ndarray] = []   # (decoder steps, symbols) per sentence of the last batch
        if vocoder == "auto":       # the voice's WaveGlow when it ships one
            vocoder = "waveglow" if self.voice.vocoder is not None else "griffin-lim"
        self.vocoder_name = vocoder
        if vocoder == "waveglow" and self.voice.vocoder is None:
            self.report.warnings.append(f"{voice} has no WaveGlow; using Griffin-Lim")
            self.vocoder_name = "griffin-lim"
        self.griffin_lim = GriffinLim(self.voice.features).to(self.device)
        self.denoiser = None
        if self.vocoder_name == "waveglow" and denoise > 0:
            from vocoder.denoiser import Denoiser

            self.denoiser, self.denoise = Denoiser(self.voice.vocoder).to(self.device), denoise

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
        """All of ``text`` as one waveform (float32, mono)."""
        return np.concatenate(list(self.stream(text, **controls)))

    def stream(self, text: str, speaker: str | int | None = None, pitch_shift: float = 0.0,
               energy_scale: float = 1.0) -> Iterator[np.ndarray]:
        """Audio of each sentence in order (with the pause that follows it)."""
        check_controls(pitch_shift, energy_scale)
        t0 = time.perf_counter()
        utterances = self.frontend(text)
        self.report.sentences_planned += len(utterances)
        self.report.frontend_seconds += time.perf_counter() - t0
        for utt in utterances:
            self.report.warnings.extend(utt.warnings)
        speaker_ids = self.speaker_id(speaker)
        pause = np.zeros(int(PAUSE_S * self.sample_rate), dtype=np.float32)
        for start in range(0, len(utterances), self.batch_size):
            chunk = utterances[start:start + self.batch_size]
            for i, audio in enumerate(self._synthesize([self.frontend.encode(u) for u in chunk], speaker_ids,
                                                       pitch_shift, energy_scale)):
                self.report.sentences += 1
                last = start + i == len(utterances) - 1
                self.report.audio_seconds += (len(audio) + (0 if last else len(pause))) / self.sample_rate
                yield audio if last else np.concatenate([audio, pause])

    @torch.no_grad()
    def _synthesize(self, ids: list[list[int]], speaker, pitch_shift, energy_scale) -> list[np.ndarray]:
        n = max(len(x) for x in ids)
        symbols = torch.zeros(len(ids), n, dtype=torch.long)
        for i, x in enumerate(ids):
            symbols[i, :len(x)] = torch.tensor(x)
        lengths = torch.tensor([len(x) for x in ids])
        speakers = speaker.expand(len(ids)) if speaker is not None else None
        t0 = time.perf_counter()
        out = self.voice.acoustic.infer(symbols.to(self.device), lengths.to(self.device), speakers,
                                        pitch_shift=pitch_shift, energy_scale=energy_scale)
        t1 = time.perf_counter()
        self.report.acoustic_seconds += t1 - t0
        audios = []
        r = self.voice.acoustic.config.reduction
        self.last_alignments = [out.alignment[i, :(int(out.lengths[i]) + r - 1) // r, :len(ids[i])].float().cpu().numpy()
                                for i in range(len(ids))]
        for i in range(len(ids)):
            if not bool(out.reached_end[i]) or not bool(out.stopped_by_gate[i]):
                why = "attention did not reach the end" if not bool(out.reached_end[i]) else "no stop token"
                self.report.warnings.append(f"sentence {self.report.sentences + i + 1}: {why}; "
                                            "the audio may be cut short or run on")
            mel = out.mel_post[i:i + 1, :, :int(out.lengths[i])]
            if self.vocoder_name == "waveglow":
                audio = self.voice.vocoder.infer(mel, self.sigma)
                if self.denoiser is not None:
                    audio = self.denoiser(audio, self.denoise).clamp(-1.0, 1.0)
            else:
                audio = self.griffin_lim(mel)
            audios.append(audio[0].float().cpu().numpy())
        self.report.vocoder_seconds += time.perf_counter() - t1
        return audios
