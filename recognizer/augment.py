"""Training-time augmentation: SpecAugment on features, speed perturbation on audio."""

from __future__ import annotations

import torch
import torchaudio


class SpecAugment(torch.nn.Module):
    """Mask ``freq_masks`` bands of up to ``freq_width`` bins and ``time_masks`` stretches of
    up to ``time_width`` frames in (…, F, T) features (torchaudio's masking, iid per item)."""

    def __init__(self, freq_masks: int = 2, freq_width: int = 15, time_masks: int = 2, time_width: int = 40):
        super().__init__()
        self.freq = torchaudio.transforms.FrequencyMasking(freq_width, iid_masks=True)
        self.time = torchaudio.transforms.TimeMasking(time_width, iid_masks=True)
        self.freq_masks, self.time_masks = freq_masks, time_masks

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        x = features.unsqueeze(1) if features.dim() == 3 else features[None, None]
        fill = float(features.mean())
        for _ in range(self.freq_masks):
            x = self.freq(x, mask_value=fill)
        for _ in range(self.time_masks):
            x = self.time(x, mask_value=fill)
        return x.reshape(features.shape)


def speed_perturb(audio: torch.Tensor, sample_rate: int, factor: float) -> torch.Tensor:
    """Play ``audio`` ``factor`` times faster (pitch moves with it, as in Kaldi's recipe):
    resample from ``sample_rate * factor`` to ``sample_rate``."""
    if factor == 1.0:
        return audio
    source = int(round(sample_rate * factor / 100)) * 100
    return torchaudio.functional.resample(audio, source, sample_rate)
