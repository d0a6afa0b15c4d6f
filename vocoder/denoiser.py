"""WaveGlow's bias removal (as NVIDIA's denoiser): subtract, in the STFT magnitude, a
scaled copy of what the vocoder outputs for silence, keep the phase."""

from __future__ import annotations

import torch


class Denoiser(torch.nn.Module):
    """``waveglow``: a WaveGlow or anything with its ``config``, ``silence_level`` and
    ``infer(mel, sigma)`` (an exported graph)."""

    def __init__(self, waveglow, n_fft: int = 1024, hop_length: int = 256, frames: int = 88):
        super().__init__()
        self.n_fft, self.hop = n_fft, hop_length
        self.register_buffer("window", torch.hann_window(n_fft))
        c = waveglow.config
        silence = torch.full(
            (1, c.n_mels, frames), float(waveglow.silence_level), device=waveglow.silence_level.device
        )
        bias_audio = waveglow.infer(silence, sigma=0.0)
        self.register_buffer("bias", self._stft(bias_audio).abs()[:, :, :1])  # (1, bins, 1)

    def _stft(self, audio: torch.Tensor) -> torch.Tensor:
        return torch.stft(audio.float(), self.n_fft, self.hop, window=self.window, return_complex=True)

    @torch.no_grad()
    def forward(self, audio: torch.Tensor, strength: float = 0.01) -> torch.Tensor:
        """(B, S) → (B, S) with the bias spectrum times ``strength`` removed."""
        spec = self._stft(audio)
        magnitude = (spec.abs() - self.bias * strength).clamp_min(0.0)
        clean = torch.polar(magnitude, spec.angle())
        return torch.istft(clean, self.n_fft, self.hop, window=self.window, length=audio.shape[-1])
