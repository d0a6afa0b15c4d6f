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

import time
from pathlib import Path

import torch

from frontend import Frontend
from synthesis.sentences import (
    FIRST_CHUNK_CHARS,
    BatchItem,
    SentenceSynthesizer,
    check_controls,
    padded_batch,
)


class Synthesizer(SentenceSynthesizer):
    """A voice ready to speak: ``voice`` a folder or an export (None: the shipped voice),
    ``backend`` and ``quantize`` as ``synthesis.loader.open_voice``; ``vocoder`` "auto" (the
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
        from synthesis.loader import open_voice

        check_controls(sigma=sigma)
        if str(device).startswith("cuda") and not torch.cuda.is_available():
            raise ValueError(f"--device {device}: this machine has no CUDA device; use --device cpu")
        self.device = torch.device(device)
        # Synthesizer() is the shipped voice on PyTorch (open_synthesizer() picks its export)
        backend = "torch" if voice is None and backend is None else backend
        self.voice, self.backend = open_voice(voice, backend, self.device, quantize)
        self.frontend = Frontend(user_dict=user_dict, first_sentence_chars=FIRST_CHUNK_CHARS)
        self.batch_size = batch_size
        self.warnings: list[str] = list(getattr(self.voice, "notes", []))
        self.sigma, self.denoise = sigma, denoise
        self._set_vocoder(vocoder, self.voice.path)

    @property
    def card(self) -> dict:
        return self.voice.card

    @property
    def has_pace(self) -> bool:
        return self.voice.acoustic.takes_pace

    @property
    def has_waveglow(self) -> bool:
        return self.voice.vocoder is not None

    def _make_vocoder(self, name: str):
        from vocoder.griffin_lim import GriffinLim
        from vocoder.waveglow import WaveGlowVocoder

        if name == "waveglow":
            return WaveGlowVocoder(self.voice.vocoder, self.sample_rate, self.sigma, self.denoise).to(
                self.device
            )
        return GriffinLim(self.voice.features).to(self.device)

    @property
    def sample_rate(self) -> int:
        return self.voice.sample_rate

    @property
    def speakers(self) -> list[str]:
        return self.voice.speakers

    @property
    def n_speakers(self) -> int:
        return self.voice.acoustic.config.n_speakers

    @torch.no_grad()
    def _synthesize(self, ids: list[list[int]], speaker, pitch_shift, energy_scale, pace) -> list[BatchItem]:
        """A batch of symbol id lists → one ``BatchItem`` per sentence."""
        symbols, lengths = (torch.from_numpy(a).to(self.device) for a in padded_batch(ids))
        speakers = None if speaker is None else torch.full((len(ids),), speaker, device=self.device)
        t0 = time.perf_counter()
        controls = {"pitch_shift": pitch_shift, "energy_scale": energy_scale}
        if pace != 1.0:
            if not self.has_pace:
                raise ValueError("pace (speed) needs a duration-informed voice; this one uses attention")
            controls["pace"] = pace
        out = self.voice.acoustic.infer(symbols, lengths, speakers, **controls)
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
            steps = (int(out.lengths[i]) + r - 1) // r
            results.append(
                BatchItem(
                    audio,
                    out.alignment[i, :steps, : len(ids[i])].float().cpu().numpy(),
                    None if durations is None else durations[i, : len(ids[i])].cpu().numpy(),
                    warnings,
                    acoustic_share,
                    time.perf_counter() - t1,
                )
            )
        return results
