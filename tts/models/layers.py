"""Small building blocks shared by the models: masked convolution stacks, LSTM over padded input."""
from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def length_mask(lengths: torch.Tensor, max_len: int | None = None) -> torch.Tensor:
    """(batch,) lengths → (batch, max_len) bool, True on real positions."""
    max_len = int(lengths.max()) if max_len is None else max_len
    return torch.arange(max_len, device=lengths.device)[None, :] < lengths[:, None]


class ConvNorm(nn.Sequential):
    """Conv1d ('same' padding) → BatchNorm1d, Xavier-initialized for the activation that follows."""

    def __init__(self, in_ch: int, out_ch: int, kernel: int, gain: str = "linear"):
        conv = nn.Conv1d(in_ch, out_ch, kernel, padding=kernel // 2)
        nn.init.xavier_uniform_(conv.weight, gain=nn.init.calculate_gain(gain))
        super().__init__(conv, nn.BatchNorm1d(out_ch))


class MaskedConvStack(nn.Module):
    """Conv → BN → activation → dropout, layer after layer, zeroing padded frames in between.

    Zeroing after every layer makes each item's output independent of how much padding
    the batch adds (a convolution near the end of an item would otherwise see it).
    Input and output: (batch, channels, time); ``mask``: (batch, time) bool.
    """

    def __init__(self, channels: list[int], kernel: int, activation: str, dropout: float,
                 last_activation: bool = True):
        super().__init__()
        self.layers = nn.ModuleList(
            ConvNorm(a, b, kernel, activation if (i < len(channels) - 2 or last_activation) else "linear")
            for i, (a, b) in enumerate(zip(channels, channels[1:])))
        self.act = {"relu": nn.ReLU(), "tanh": nn.Tanh()}[activation]
        self.last_activation = last_activation
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        m = mask[:, None, :].to(x.dtype)
        x = x * m
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1 or self.last_activation:
                x = self.act(x)
            x = self.dropout(x) * m
        return x


def run_lstm(lstm: nn.LSTM, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """A batch-first LSTM over padded input (padding never reaches real positions)."""
    packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    out, _ = lstm(packed)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    return out
