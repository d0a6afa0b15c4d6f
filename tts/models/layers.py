"""Layers both acoustic model families use: the Tacotron2 text encoder and the prenet."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from core.layers import BiLSTM, MaskedConvStack, length_mask

from .base import AcousticConfig


class Encoder(nn.Module):
    """(B, N) symbols → (B, N, encoder_dim): embedding, convolutions, a BiLSTM."""

    def __init__(self, c: AcousticConfig):
        super().__init__()
        if c.n_symbols < 1:
            raise ValueError("model.n_symbols must be the symbol table's size (len(frontend.DEFAULT_TABLE))")
        self.embedding = nn.Embedding(c.n_symbols, c.symbol_dim, padding_idx=0)
        std = math.sqrt(2.0 / (c.n_symbols + c.symbol_dim))
        nn.init.uniform_(self.embedding.weight, -math.sqrt(3.0) * std, math.sqrt(3.0) * std)
        self.convs = MaskedConvStack(
            [c.symbol_dim] + [c.encoder_dim] * c.encoder_convs, c.encoder_kernel, "relu", c.encoder_dropout
        )
        self.lstm = BiLSTM(c.encoder_dim, c.encoder_dim // 2)

    def forward(self, symbols: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        mask = length_mask(lengths, symbols.shape[1])
        x = self.convs(self.embedding(symbols).transpose(1, 2), mask)
        return self.lstm(x.transpose(1, 2), lengths)


class Prenet(nn.Module):
    """Two ReLU layers with dropout, (B, in_dim) → (B, dim), also at inference by default.

    At inference the dropout masks can be given (``masks``: two (B, dim) tensors of 0 and
    1 / (1 - p)), so that every backend (PyTorch, TorchScript, ONNX) draws them the same way.
    """

    def __init__(self, in_dim: int, dim: int, dropout: float, dropout_at_inference: bool):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(in_dim, dim, bias=False), nn.Linear(dim, dim, bias=False)])
        self.dropout, self.always = dropout, dropout_at_inference

    def forward(
        self, x: torch.Tensor, masks: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> torch.Tensor:
        for i, layer in enumerate(self.layers):
            x = F.relu(layer(x))
            x = (
                x * masks[i]
                if masks is not None
                else F.dropout(x, self.dropout, self.training or self.always)
            )
        return x


def prenet_masks(batch: int, config: AcousticConfig, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The prenet's two dropout masks for one inference step, (B, prenet_dim) each, drawn
    from torch's global generator (all ones when dropout is off at inference)."""
    shape = (batch, config.prenet_dim)
    if not (config.prenet_dropout_at_inference and config.prenet_dropout > 0):
        ones = like.new_ones(shape)
        return ones, ones
    keep = 1.0 - config.prenet_dropout
    return tuple((torch.rand(shape, device=like.device) < keep).to(like.dtype) / keep for _ in range(2))


def speaker_layers(c: AcousticConfig) -> tuple[nn.Embedding | None, nn.Linear | None]:
    """A speaker embedding and its projection onto the encoder's outputs (None for one speaker)."""
    if c.n_speakers <= 1:
        return None, None
    return nn.Embedding(c.n_speakers, c.speaker_dim), nn.Linear(c.speaker_dim, c.encoder_dim)


def postnet(c: AcousticConfig) -> MaskedConvStack:
    """Tacotron2's postnet: convolutions that add a residual to the mel."""
    return MaskedConvStack(
        [c.n_mels] + [c.postnet_dim] * (c.postnet_convs - 1) + [c.n_mels],
        c.postnet_kernel,
        "tanh",
        c.postnet_dropout,
        last_activation=False,
    )
