"""WaveGlow as an exportable graph: the reverse pass with z as an input.

    vocoder  mel (B, n_mels, F), z (B, n_group, F·hop / n_group) → audio (B, F·hop)

The 1x1 convolutions' inverses are computed once (ONNX has no matrix inverse), and z comes
in as an input, so any backend given the same draw gives the same audio.
"""

from __future__ import annotations

import torch
from torch import nn

from core.graph_spec import GraphSpec

from .waveglow import WaveGlow


class VocoderGraphs(nn.Module):
    def __init__(self, model: WaveGlow):
        super().__init__()
        self.model = model
        for k, conv in enumerate(model.convinv):
            self.register_buffer(f"inverse{k}", torch.linalg.inv(conv.weight.detach().float()))

    def vocoder(self, mel, z):
        inverses = [getattr(self, f"inverse{k}") for k in range(len(self.model.convinv))]
        return self.model.reverse(mel, z, inverses).clamp(-1.0, 1.0)


def vocoder_graph(model: WaveGlow, batch: int = 2, frames: int = 12) -> GraphSpec:
    c = model.config
    mel = torch.randn(batch, c.n_mels, frames) - 5.0
    z = torch.randn(batch, c.n_group, frames * c.hop_length // c.n_group) * 0.6
    return GraphSpec(
        "vocoder",
        VocoderGraphs(model).eval(),
        {"mel": mel, "z": z},
        ["audio"],
        {
            "mel": {0: "batch", 2: "frames"},
            "z": {0: "batch", 2: "steps"},
            "audio": {0: "batch", 1: "samples"},
        },
    )
