"""Recognizer models: features (B, F, T) → CTC log-probabilities (B, T', V).

- ``crnn``: two Conv2d blocks (3×3, BatchNorm, ReLU, 2×2 max pooling: 4× fewer frames,
  40 ms each), a BiLSTM stack, a linear layer to the tokens (the seed guide's CRNN, kept
  per-frame for CTC instead of pooled to one class).
- ``transformer``: a 2× time-subsampling convolution, sinusoidal positions, a Transformer
  encoder (pre-norm), a linear layer to the tokens.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from core.layers import BiLSTM, length_mask


@dataclass
class RecognizerConfig:
    kind: str = "crnn"  # crnn | transformer
    n_features: int = 64
    n_tokens: int = 0  # set from the token set
    conv_channels: int = 32
    hidden: int = 256  # LSTM units per direction, or Transformer width
    layers: int = 2
    heads: int = 4
    dropout: float = 0.2

    def __post_init__(self) -> None:
        if self.kind not in ("crnn", "transformer"):
            raise ValueError(f"unknown recognizer kind {self.kind!r} (crnn, transformer)")


class CRNN(nn.Module):
    def __init__(self, c: RecognizerConfig):
        super().__init__()
        ch = c.conv_channels
        self.block1 = nn.Sequential(nn.Conv2d(1, ch, 3, padding=1), nn.BatchNorm2d(ch), nn.ReLU())
        self.block2 = nn.Sequential(nn.Conv2d(ch, ch, 3, padding=1), nn.BatchNorm2d(ch), nn.ReLU())
        self.lstm = BiLSTM(ch * (c.n_features // 4), c.hidden, c.layers, c.dropout)
        self.dropout = nn.Dropout(c.dropout)
        self.out = nn.Linear(2 * c.hidden, c.n_tokens)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # padded frames are zeroed after every layer, so padding never reaches real frames
        mask = length_mask(lengths, x.shape[2])[:, None, None, :].to(x.dtype)
        x = self.block1(x[:, None] * mask) * mask  # (B, C, F, T)
        x = nn.functional.max_pool2d(x, (2, 2))  # (B, C, F/2, T/2)
        out_lengths = torch.div(lengths, 2, rounding_mode="floor").clamp(min=1, max=x.shape[3])
        mask = length_mask(out_lengths, x.shape[3])[:, None, None, :].to(x.dtype)
        x = self.block2(x * mask) * mask
        x = nn.functional.max_pool2d(x, (2, 2))  # (B, C, F/4, T/4)
        out_lengths = torch.div(out_lengths, 2, rounding_mode="floor").clamp(min=1, max=x.shape[3])
        b, ch, f, t = x.shape
        x = x.permute(0, 3, 1, 2).reshape(b, t, ch * f)
        x = self.lstm(x, out_lengths)
        return self.out(self.dropout(x)).log_softmax(-1), out_lengths


class TransformerRecognizer(nn.Module):
    def __init__(self, c: RecognizerConfig):
        super().__init__()
        self.subsample = nn.Conv1d(c.n_features, c.hidden, 3, stride=2, padding=1)
        layer = nn.TransformerEncoderLayer(
            c.hidden, c.heads, 4 * c.hidden, c.dropout, batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, c.layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(c.hidden)
        self.out = nn.Linear(c.hidden, c.n_tokens)
        self.hidden = c.hidden

    def positions(self, t: int, device) -> torch.Tensor:
        pos = torch.arange(t, device=device)[:, None]
        div = torch.exp(torch.arange(0, self.hidden, 2, device=device) * (-math.log(10000.0) / self.hidden))
        pe = torch.zeros(t, self.hidden, device=device)
        pe[:, 0::2], pe[:, 1::2] = torch.sin(pos * div), torch.cos(pos * div)
        return pe

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        x = torch.relu(self.subsample(x)).transpose(1, 2)  # (B, T/2, H)
        out_lengths = torch.div(lengths + 1, 2, rounding_mode="floor").clamp(min=1, max=x.shape[1])
        x = x + self.positions(x.shape[1], x.device)
        x = self.encoder(x, src_key_padding_mask=~length_mask(out_lengths, x.shape[1]))
        return self.out(self.norm(x)).log_softmax(-1), out_lengths


def build_recognizer(config: RecognizerConfig) -> nn.Module:
    """(B, n_features, T) features, (B,) lengths → (B, T', n_tokens) log-probs, (B,) lengths."""
    if config.n_tokens < 2:
        raise ValueError("n_tokens must count the blank and at least one syllable")
    return CRNN(config) if config.kind == "crnn" else TransformerRecognizer(config)
