"""Exportable graphs: a method of a module with example inputs, and the runner that calls
a PyTorch or TorchScript method with the interface of ``core.onnx_graph.OnnxGraph``
(numpy arrays in, outputs by name out), so one inference path runs on every backend."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn


@dataclass
class GraphSpec:
    """What one exported graph takes and gives, in order, with its dynamic axes."""

    name: str
    owner: nn.Module  # the module whose method ``name`` this graph is
    example: dict[str, torch.Tensor]
    outputs: list[str]
    dynamic_axes: dict[str, dict[int, str]]

    @property
    def inputs(self) -> list[str]:
        return list(self.example)

    @property
    def module(self) -> nn.Module:
        return Method(self.owner, self.name).eval()


class Method(nn.Module):
    """A module whose ``forward`` is one method of another (what the ONNX exporter takes)."""

    def __init__(self, owner: nn.Module, name: str):
        super().__init__()
        self.owner, self.method = owner, name

    def forward(self, *args):
        return getattr(self.owner, self.method)(*args)


class TorchGraph:
    """``function`` (a PyTorch method or a TorchScript one) as a graph: ``graph(**arrays)``
    with numpy arrays or tensors → its outputs by name as numpy arrays. Inputs are passed in
    the order of ``inputs`` (those not given are left out: optional trailing arguments)."""

    def __init__(self, function, inputs: list[str], outputs: list[str], device: torch.device | str = "cpu"):
        self.function, self.inputs, self.outputs = function, list(inputs), list(outputs)
        self.device = torch.device(device)

    def __call__(self, **feeds) -> dict[str, np.ndarray]:
        args = [torch.as_tensor(feeds[k]).to(self.device) for k in self.inputs if feeds.get(k) is not None]
        with torch.no_grad():
            out = self.function(*args)
        out = out if isinstance(out, (tuple, list)) else (out,)
        return {name: t.detach().cpu().numpy() for name, t in zip(self.outputs, out)}
