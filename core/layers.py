"""Small building blocks shared by the models: masked convolution stacks, LSTM over padded input."""

from __future__ import annotations

import torch
from torch import nn


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

    def __init__(
        self, channels: list[int], kernel: int, activation: str, dropout: float, last_activation: bool = True
    ):
        super().__init__()
        self.layers = nn.ModuleList(
            ConvNorm(a, b, kernel, activation if (i < len(channels) - 2 or last_activation) else "linear")
            for i, (a, b) in enumerate(zip(channels, channels[1:]))
        )
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


def reverse_padded(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse each (B, T, C) sequence within its length; padding stays at the end."""
    t = torch.arange(x.shape[1], device=x.device)[None, :]
    idx = torch.where(t < lengths[:, None], lengths[:, None] - 1 - t, t)
    return x.gather(1, idx[:, :, None].expand_as(x))


class BiLSTM(nn.Module):
    """A batch-first bidirectional LSTM over padded input, exact for every item.

    The backward direction runs forward over each item reversed within its length, so
    padding never reaches real positions in either direction. Unlike packed sequences,
    this uses PyTorch's fused LSTM kernel; on a CPU the packed path's backward pass costs
    time quadratic in the sequence length.
    (B, T, input_size) → (B, T, 2 * hidden_size)
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, dropout: float = 0.0):
        super().__init__()
        sizes = [input_size] + [2 * hidden_size] * (num_layers - 1)
        self.forward_lstms = nn.ModuleList(nn.LSTM(n, hidden_size, batch_first=True) for n in sizes)
        self.backward_lstms = nn.ModuleList(nn.LSTM(n, hidden_size, batch_first=True) for n in sizes)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        mask = length_mask(lengths, x.shape[1])[:, :, None].to(x.dtype)
        for i, (fwd, bwd) in enumerate(zip(self.forward_lstms, self.backward_lstms)):
            if i:
                x = self.dropout(x)
            ahead, _ = fwd(x)
            behind, _ = bwd(reverse_padded(x, lengths))
            x = torch.cat([ahead, reverse_padded(behind, lengths)], dim=-1) * mask
        return x
