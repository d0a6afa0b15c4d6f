"""What validation should measure: free-running synthesis of held-out sentences, vocoded
with Griffin-Lim and transcribed by the recognizer, as syllable error rates (toned, and
with tones ignored), and with ``texts`` by Whisper base too (trained on human speech:
toneless syllable and character errors). Mel L1 did not track intelligibility in this
project; this does."""

from __future__ import annotations

import sys

import numpy as np
import torch
from tqdm import tqdm

from recognizer.agreement import disagreement
from recognizer.metrics import error_rate, toneless_error_rate


class IntelligibilityProbe:
    """Scores an acoustic model on fixed sentences: ``items`` are dataset items (symbols,
    speaker), ``references`` their toned pinyin. The recognizer is loaded once."""

    def __init__(
        self,
        items: list[dict],
        references: list[list[str]],
        features,
        recognizer: str = "",
        batch_size: int = 8,
        texts: list[str] | None = None,
    ):
        from recognizer.api import DEFAULT_RECOGNIZER, Recognizer
        from vocoder.griffin_lim import GriffinLim

        self.items, self.references, self.batch_size = items, references, batch_size
        self.recognizer = Recognizer.load(recognizer or DEFAULT_RECOGNIZER)
        self.griffin_lim = GriffinLim(features)
        self.sample_rate = features.sample_rate
        self.texts, self.whisper = texts, None
        if texts is not None:
            from recognizer.whisper import WhisperJudge

            self.whisper = WhisperJudge.load(beam=1)  # greedy: the probe runs every validation

    @torch.no_grad()
    def synthesize(self, model, speakers: bool) -> list[np.ndarray]:
        device = next(model.parameters()).device
        audios = []
        for start in range(0, len(self.items), self.batch_size):
            chunk = self.items[start : start + self.batch_size]
            n = max(len(it["symbols"]) for it in chunk)
            symbols = torch.zeros(len(chunk), n, dtype=torch.long)
            for i, it in enumerate(chunk):
                symbols[i, : len(it["symbols"])] = it["symbols"]
            lengths = torch.tensor([len(it["symbols"]) for it in chunk])
            spk = torch.stack([it["speaker"] for it in chunk]).to(device) if speakers else None
            out = model.infer(symbols.to(device), lengths.to(device), spk)
            audios += self.vocode(out.mel_post, out.lengths)
        return audios

    def vocode(self, mels: torch.Tensor, lengths: torch.Tensor) -> list[np.ndarray]:
        """(B, n_mels, T) log-mels, (B,) frames of each → their Griffin-Lim audio."""
        return [self.griffin_lim(mels[i, :, : int(n)].float().cpu()).numpy() for i, n in enumerate(lengths)]

    def __call__(self, model, speakers: bool) -> dict[str, float]:
        """→ asr_error (toned syllables) and asr_error_toneless over all sentences (and
        whisper_error, whisper_cer with texts)."""
        return self.score_audio(self.synthesize(model, speakers))

    def score_audio(self, audios: list[np.ndarray]) -> dict[str, float]:
        """The sentences' audio, in order → asr_error and asr_error_toneless."""
        hyps = self.recognizer.transcribe_audio(audios, self.sample_rate)
        scores = {
            "asr_error": error_rate(self.references, hyps),
            "asr_error_toneless": toneless_error_rate(self.references, hyps),
        }
        if self.whisper is not None:
            w = self.whisper.score(audios, self.sample_rate, self.texts)
            scores.update(whisper_error=w["syllable_error_toneless"], whisper_cer=w["cer"])
            line = disagreement(
                "probe's sentences", scores["asr_error_toneless"], w["syllable_error_toneless"],
                self.recognizer.trained_on,
            )  # fmt: skip
            if line:
                tqdm.write(f"warning: {line}", file=sys.stderr)
        return scores
