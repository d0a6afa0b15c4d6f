"""How closely an exported acoustic model follows PyTorch through a whole utterance.

Free-running decoding feeds each frame back in, so differences of one rounding step
(1e-6, as between ONNX Runtime's and PyTorch's kernels, or between thread counts) can
grow over hundreds of steps in a model whose attention is not yet sharp. ``lockstep``
therefore runs both side by side: at every decoder step the exported graph gets the
PyTorch run's state and previous frame, and the largest difference of its outputs is kept.
That is the number an export is held to; the free-running difference is reported by
``benchmarks/deployment.py``.
"""

from __future__ import annotations

import torch

from synthesis.deploy.runtime import ExportedAcoustic, decoder_step
from tts.models.tacotron2 import Tacotron2, prenet_masks


def _diff(a, b) -> float:
    return float((a.float() - b.float()).abs().max())


@torch.no_grad()
def lockstep(
    model: Tacotron2,
    exported: ExportedAcoustic,
    symbols: torch.Tensor,
    lengths: torch.Tensor,
    speakers: torch.Tensor | None = None,
    steps: int = 200,
) -> dict[str, float]:
    """Largest absolute difference of each graph's outputs from PyTorch's along a real
    decoding of ``symbols`` (B, N) of ``steps`` decoder steps at most (stop tokens ignored)."""
    c = model.config
    enc = model.encode(symbols, lengths, speakers)
    feeds = {
        "symbols": symbols,
        "lengths": lengths,
        "pitch_shift": torch.tensor(0.0),
        "energy_scale": torch.tensor(1.0),
    }
    if speakers is not None:
        feeds["speakers"] = speakers
    got = dict(zip(exported.outputs["encoder"], exported.graphs["encoder"](**feeds)))
    worst = {"encoder": max(_diff(enc[k], v) for k, v in got.items())}
    state = model.decoder.initial_state(enc["memory"])
    frame = enc["memory"].new_zeros(symbols.shape[0], c.n_mels)
    frames, worst["decoder_step"] = [], 0.0
    for _ in range(steps):
        masks = prenet_masks(symbols.shape[0], c, frame)
        before = state.tensors()
        f, g, _ = model.decoder_step(frame, masks, state, enc["memory"], enc["processed"], enc["mask"])
        out = decoder_step(exported.graphs["decoder_step"], frame, masks, enc, before)
        expected = [f, g] + list(state.tensors())
        worst["decoder_step"] = max(worst["decoder_step"], max(_diff(a, b) for a, b in zip(expected, out)))
        frames.append(f)
        frame = f.view(-1, c.reduction, c.n_mels)[:, -1]
    mel = torch.stack(frames, 1).reshape(symbols.shape[0], -1, c.n_mels).transpose(1, 2)
    mel_lengths = torch.full((symbols.shape[0],), mel.shape[2])
    expected = model.postprocess(mel, mel_lengths)
    got = exported.graphs["postnet"](mel=mel, lengths=mel_lengths)
    worst["postnet"] = max(_diff(a, b) for a, b in zip(expected, got))
    return worst
