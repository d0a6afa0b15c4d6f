"""WaveGlow (Prenger et al., 2019): a flow from audio to Gaussian noise, conditioned on mels.

Shapes for B utterances of S samples and F mel frames (S = F * hop)::

    audio (B, S) → groups of n_group samples → (B, n_group, S / n_group)
    mel (B, n_mels, F) → transposed-conv upsampling to S → (B, n_mels * n_group, S / n_group)
    n_flows × [early output every n_early_every flows (n_early_size channels leave),
               invertible 1x1 convolution, affine coupling with a WaveNet-like (WN) net]
    → z (B, n_group, S / n_group): early outputs first, the last flow's channels after

Training minimizes the negative log-likelihood of z ~ N(0, sigma²);
``infer(mel, sigma)`` draws z and runs the flows backwards. ``reverse`` with the ``z``
that ``forward`` returned gives the input audio back (invertibility, tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils import parametrizations, parametrize

from .denoiser import Denoiser


@dataclass
class WaveGlowConfig:
    """Defaults are NVIDIA's published WaveGlow."""

    n_mels: int = 80
    hop_length: int = 256
    upsample_kernel: int = 1024  # of the transposed convolution that upsamples mels
    cond_channels: int = 0  # 0: every WN reads the grouped mel (n_mels * n_group
    # channels), as NVIDIA's; >0: one shared 1x1 projection
    # to this many channels first (much cheaper on a CPU)
    n_flows: int = 12
    n_group: int = 8
    n_early_every: int = 4
    n_early_size: int = 2
    wn_layers: int = 8
    wn_channels: int = 256
    wn_kernel: int = 3
    sigma: float = 1.0  # of the training prior

    def __post_init__(self) -> None:
        if self.n_group % 2 or self.wn_kernel % 2 == 0:
            raise ValueError("n_group must be even and wn_kernel odd")
        remaining = self.n_group - self.n_early_size * ((self.n_flows - 1) // self.n_early_every)
        if remaining < 2:
            raise ValueError("too many early outputs for n_group")


class Invertible1x1Conv(nn.Module):
    """z → W z with W orthogonal at start (det +1); log|det W| per group-time step."""

    def __init__(self, channels: int):
        super().__init__()
        w = torch.linalg.qr(torch.randn(channels, channels))[0]
        if torch.det(w) < 0:
            w[:, 0] = -w[:, 0]
        self.weight = nn.Parameter(w)

    def forward(self, z: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """z (B, C, T) → (W z, log|det W| · B · T): W acts on every group-time step of every
        item, so the batch's log-determinant counts it B · T times (as NVIDIA's)."""
        log_det = torch.slogdet(self.weight.float())[1] * (z.shape[0] * z.shape[2])
        return torch.einsum("ij,bjt->bit", self.weight, z), log_det

    def reverse(self, z: torch.Tensor, inverse: torch.Tensor | None = None) -> torch.Tensor:
        """z (B, C, T) → W⁻¹ z; ``inverse`` is W⁻¹ when the caller has it already."""
        inverse = torch.linalg.inv(self.weight.float()) if inverse is None else inverse
        return torch.einsum("ij,bjt->bit", inverse.to(z.dtype), z)


class WN(nn.Module):
    """WaveNet-like net: (B, C_in, T) audio half + (B, C_mel, T) condition → (B, 2 C_in, T)
    log-scale and shift. Dilated convolutions with gated tanh·sigmoid units, residual and
    skip paths; the last layer starts at zero so each coupling starts as the identity."""

    def __init__(self, in_channels: int, cond_channels: int, layers: int, channels: int, kernel: int):
        super().__init__()
        wn = parametrizations.weight_norm
        self.layers, self.channels = layers, channels
        self.start = wn(nn.Conv1d(in_channels, channels, 1))
        self.end = nn.Conv1d(channels, 2 * in_channels, 1)
        self.end.weight.data.zero_()
        self.end.bias.data.zero_()
        self.cond = wn(nn.Conv1d(cond_channels, 2 * channels * layers, 1))
        self.in_layers = nn.ModuleList(
            wn(nn.Conv1d(channels, 2 * channels, kernel, dilation=2**i, padding=(kernel - 1) * 2**i // 2))
            for i in range(layers)
        )
        self.res_skip = nn.ModuleList(
            wn(nn.Conv1d(channels, 2 * channels if i < layers - 1 else channels, 1)) for i in range(layers)
        )

    def forward(self, audio: torch.Tensor, cond: torch.Tensor) -> torch.Tensor:
        x = self.start(audio)
        cond = self.cond(cond)
        out = torch.zeros_like(x)
        c2 = 2 * self.channels
        for i in range(self.layers):
            acts = self.in_layers[i](x) + cond[:, i * c2 : (i + 1) * c2]
            acts = torch.tanh(acts[:, : self.channels]) * torch.sigmoid(acts[:, self.channels :])
            rs = self.res_skip[i](acts)
            if i < self.layers - 1:
                x = x + rs[:, : self.channels]
                out = out + rs[:, self.channels :]
            else:
                out = out + rs
        return self.end(out)


class WaveGlow(nn.Module):
    def __init__(self, config: WaveGlowConfig | None = None):
        super().__init__()
        self.config = c = config or WaveGlowConfig()
        self.upsample = nn.ConvTranspose1d(c.n_mels, c.n_mels, c.upsample_kernel, stride=c.hop_length)
        grouped = c.n_mels * c.n_group
        self.cond_proj = nn.Conv1d(grouped, c.cond_channels, 1) if c.cond_channels else None
        cond_dim = c.cond_channels or grouped
        self.convinv = nn.ModuleList()
        self.wn = nn.ModuleList()
        channels = c.n_group
        self.channels: list[int] = []  # channels entering each flow
        for k in range(c.n_flows):
            if k % c.n_early_every == 0 and k > 0:
                channels -= c.n_early_size
            self.channels.append(channels)
            self.convinv.append(Invertible1x1Conv(channels))
            self.wn.append(WN(channels // 2, cond_dim, c.wn_layers, c.wn_channels, c.wn_kernel))
        # the log-mel of silence, used by the denoiser (set from the training data)
        self.register_buffer("silence_level", torch.tensor(-11.5))

    def condition(self, mel: torch.Tensor, samples: int) -> torch.Tensor:
        """(B, n_mels, F) → (B, cond_dim, samples / n_group) conditioning for every flow."""
        c = self.config
        up = self.upsample(mel)
        if up.shape[2] < samples:
            up = F.pad(up, (0, samples - up.shape[2]))
        up = up[:, :, :samples]
        b = up.shape[0]
        up = up.reshape(b, c.n_mels, samples // c.n_group, c.n_group).permute(
            0, 2, 1, 3
        )  # (B, S/g, n_mels, g)
        up = up.reshape(b, samples // c.n_group, -1).transpose(1, 2)  # (B, n_mels*g, S/g)
        return self.cond_proj(up) if self.cond_proj is not None else up

    def forward(self, mel: torch.Tensor, audio: torch.Tensor):
        """mel (B, n_mels, F), audio (B, S) with S a multiple of n_group and ≤ F * hop →
        z (B, n_group, S / n_group), [log_s per flow], [log|det W| per flow]."""
        c = self.config
        cond = self.condition(mel, audio.shape[1])
        x = audio.reshape(audio.shape[0], -1, c.n_group).transpose(1, 2)  # (B, g, S/g)
        outputs, log_s_all, log_det_all = [], [], []
        for k in range(c.n_flows):
            if k % c.n_early_every == 0 and k > 0:
                outputs.append(x[:, : c.n_early_size])
                x = x[:, c.n_early_size :]
            x, log_det = self.convinv[k](x)
            half = x.shape[1] // 2
            xa, xb = x[:, :half], x[:, half:]
            out = self.wn[k](xa, cond)
            log_s, t = out[:, half:], out[:, :half]
            xb = torch.exp(log_s) * xb + t
            x = torch.cat([xa, xb], 1)
            log_s_all.append(log_s)
            log_det_all.append(log_det)
        outputs.append(x)
        return torch.cat(outputs, 1), log_s_all, log_det_all

    def reverse(
        self, mel: torch.Tensor, z: torch.Tensor, inverses: list[torch.Tensor] | None = None
    ) -> torch.Tensor:
        """z (B, n_group, S / n_group) → audio (B, S): the exact inverse of ``forward``.
        ``inverses``: the 1x1 convolutions' inverse matrices, when computed once beforehand."""
        c = self.config
        samples = z.shape[2] * c.n_group
        cond = self.condition(mel, samples)
        x = z[:, -self.channels[-1] :]
        taken = z.shape[1] - self.channels[-1]  # early outputs still to put back
        for k in reversed(range(c.n_flows)):
            half = x.shape[1] // 2
            xa, xb = x[:, :half], x[:, half:]
            out = self.wn[k](xa, cond)
            log_s, t = out[:, half:], out[:, :half]
            xb = (xb - t) / torch.exp(log_s)
            x = self.convinv[k].reverse(torch.cat([xa, xb], 1), None if inverses is None else inverses[k])
            if k % c.n_early_every == 0 and k > 0:
                x = torch.cat([z[:, taken - c.n_early_size : taken], x], 1)
                taken -= c.n_early_size
        return x.transpose(1, 2).reshape(x.shape[0], samples)

    @torch.no_grad()
    def infer(self, mel: torch.Tensor, sigma: float = 0.6) -> torch.Tensor:
        """(B, n_mels, F) log-mel → (B, F * hop) audio, drawing z ~ N(0, sigma²)."""
        c = self.config
        samples = mel.shape[2] * c.hop_length
        z = (
            torch.randn(mel.shape[0], c.n_group, samples // c.n_group, device=mel.device, dtype=mel.dtype)
            * sigma
        )
        return self.reverse(mel, z).clamp(-1.0, 1.0)

    def remove_weight_norm(self) -> WaveGlow:
        """Fold the weight-norm parametrizations into plain weights (faster inference)."""
        for module in self.modules():
            if parametrize.is_parametrized(module, "weight"):
                parametrize.remove_parametrizations(module, "weight", leave_parametrized=True)
        return self


def deepen(model: WaveGlow, layers: int) -> WaveGlow:
    """A copy of ``model`` whose coupling nets have ``layers`` WN layers instead of fewer,
    computing the same function: the added layers (dilations continuing the doubling) and
    the residual half that the old last layer gains start with zero output weights
    (weight-norm gains of 0), so training grows the receptive field from where ``model``
    stopped instead of from scratch. ``model`` must still hold its weight norm."""
    from dataclasses import replace

    old = model.config.wn_layers
    if layers <= old:
        raise ValueError(f"deepen to more than the model's {old} WN layers, not {layers}")
    with torch.random.fork_rng():
        torch.manual_seed(0)  # the added layers' fresh weights: the same grown model every time
        grown = WaveGlow(replace(model.config, wn_layers=layers))
    source, target = model.state_dict(), grown.state_dict()
    c = model.config.wn_channels
    with torch.no_grad():
        for name, value in source.items():
            dest = target[name]
            if dest.shape == value.shape:
                dest.copy_(value)
            elif ".cond." in name:  # each layer's condition rows; new layers' rows stay fresh
                dest[: value.shape[0]] = value
            else:  # the old last res_skip, skip rows only → residual rows + the same skip rows
                dest[c:] = value
                if not name.endswith("original1"):  # gain and bias 0: the residual adds nothing
                    dest[:c] = 0
        for flow in range(len(grown.wn)):
            for i in range(old, layers):
                target[f"wn.{flow}.res_skip.{i}.parametrizations.weight.original0"].zero_()
                target[f"wn.{flow}.res_skip.{i}.bias"].zero_()
    grown.load_state_dict(target)
    return grown


def waveglow_loss(
    z: torch.Tensor, log_s: list[torch.Tensor], log_det: list[torch.Tensor], sigma: float = 1.0
) -> torch.Tensor:
    """Negative log-likelihood per audio sample (NVIDIA's normalization)."""
    total = (z.float() ** 2).sum() / (2 * sigma**2) - sum(s.float().sum() for s in log_s) - sum(log_det)
    return total / z.numel()


def waveglow_from_checkpoint(state: dict) -> WaveGlow:
    """The trained WaveGlow of a ``tts-train`` vocoder checkpoint (as ``load_checkpoint``
    returns it), weight norm folded in, in eval mode; ValueError for another task's."""
    if state.get("task") != "vocoder":
        raise ValueError(f"a {state.get('task')} checkpoint, not a vocoder")
    model = WaveGlow(WaveGlowConfig(**state["task_state"]["model_config"]))
    model.load_state_dict(state["model"])
    return model.remove_weight_norm().eval()


class WaveGlowVocoder:
    """The vocoder interface over a WaveGlow, or anything with its ``infer(mel, sigma)``
    (an exported graph): samples z at ``sigma``, then removes the model's bias spectrum at
    ``denoise`` strength (0: no denoiser)."""

    def __init__(self, model, sample_rate: int, sigma: float = 0.6, denoise: float = 0.01):
        self.model, self.sample_rate, self.sigma, self.denoise = model, sample_rate, sigma, denoise
        self.denoiser = None
        if denoise > 0:
            self.denoiser = Denoiser(model)

    def to(self, device) -> WaveGlowVocoder:
        if isinstance(self.model, nn.Module):
            self.model = self.model.to(device)
        if self.denoiser is not None:
            self.denoiser = self.denoiser.to(device)
        return self

    @torch.no_grad()
    def __call__(self, mel: torch.Tensor) -> torch.Tensor:
        """(B, n_mels, T) or (n_mels, T) log-mel → (B, T · hop) or (T · hop,) in [-1, 1]."""
        audio = self.model.infer(mel if mel.dim() == 3 else mel[None], self.sigma)
        if self.denoiser is not None:
            audio = self.denoiser(audio, self.denoise).clamp(-1.0, 1.0)
        return audio if mel.dim() == 3 else audio[0]
