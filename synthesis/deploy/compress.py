"""Smaller acoustic models: dynamic int8 quantization and structured pruning.

Both return a changed copy of a trained acoustic model and leave the original as it is.

- ``quantize_int8``: PyTorch dynamic quantization of the LSTM, LSTMCell and Linear layers
  (int8 weights, activations quantized on the fly per batch). Convolutions stay float32.
  (``torch.ao.quantization`` is deprecated after torch 2.9, which this project pins; its
  successor, torchao, quantizes Linear layers but not LSTMs.)
  For ONNX exports the same is done by onnxruntime's ``quantize_dynamic`` on the graphs.
- ``prune``: L2-norm structured pruning (``torch.nn.utils.prune.ln_structured``) of whole
  output rows / channels of every Linear, Conv1d and LSTM weight, except the layers that
  produce the model's outputs (mel frames, stop logit, attention energies, pitch and
  energy values). The zeroed rows are folded into the weights: dense kernels do the same
  work, so the gain is in compressed size, and quality is what the benchmark measures.
"""

from __future__ import annotations

import copy
import warnings

import torch
from torch import nn
from torch.nn.utils import prune as torch_prune

from tts.models.base import AcousticModel

QUANTIZE = ("int8",)

# layers whose rows are outputs of the model: pruning them would drop mel bands or the stop token
PROTECTED = (
    "decoder.projection",
    "decoder.gate",
    "decoder.attention.v",
    "pitch_predictor.out",
    "energy_predictor.out",
)


def quantize_int8(model: AcousticModel) -> AcousticModel:
    """A dynamically quantized copy (qint8 LSTM / LSTMCell / Linear weights) for CPU inference."""
    if "x86" in torch.backends.quantized.supported_engines:
        torch.backends.quantized.engine = "x86"
    with warnings.catch_warnings():  # torch.ao.quantization is deprecated after 2.9 (pinned here)
        warnings.simplefilter("ignore", DeprecationWarning)
        return torch.ao.quantization.quantize_dynamic(
            copy.deepcopy(model).eval(), {nn.LSTM, nn.LSTMCell, nn.Linear}, dtype=torch.qint8
        )


def prune(model: AcousticModel, amount: float) -> AcousticModel:
    """A copy with ``amount`` (0-1) of the rows of each prunable weight set to zero, by L2 norm."""
    if not 0.0 < amount < 1.0:
        raise ValueError(f"prune amount must be between 0 and 1 (exclusive), not {amount}")
    model = copy.deepcopy(model).eval()
    last_postnet = f"postnet.layers.{len(model.postnet.layers) - 1}.0"
    for name, module in model.named_modules():
        if name in PROTECTED or name == last_postnet:
            continue
        if isinstance(module, (nn.Linear, nn.Conv1d)):
            weights = ["weight"]
        elif isinstance(module, (nn.LSTM, nn.LSTMCell)):
            weights = [n for n, _ in module.named_parameters(recurse=False) if n.startswith("weight_")]
        else:
            continue
        for w in weights:
            torch_prune.ln_structured(module, w, amount=amount, n=2, dim=0)
            torch_prune.remove(module, w)
        if isinstance(module, nn.LSTM):
            module.flatten_parameters()
    return model


def sparsity(model: nn.Module) -> float:
    """Fraction of zero weights over all floating-point parameters."""
    zeros = total = 0
    for p in model.parameters():
        zeros += int((p == 0).sum())
        total += p.numel()
    return zeros / max(total, 1)
