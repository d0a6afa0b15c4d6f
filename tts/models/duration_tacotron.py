"""Duration-informed Tacotron2 (as Non-Attentive Tacotron and DurIAN): explicit durations
instead of attention, so the mel can only come from the text.

Shapes for a batch of B utterances of up to N symbols and T mel frames::

    symbols (B, N) ─ Tacotron2 encoder ─► (B, N, E) (+ gain · speaker projection)
        ─► duration predictor ─► log(1 + frames) per symbol (B, N)
    length regulation by durations (ground truth in training, predicted at synthesis)
        ─► (B, T, E) + projection of [position within the symbol, log duration]
        ─► frame-level pitch and energy predictors (B, T) each
        + gain · projections of pitch and energy (ground truth in training)
    decoder: ``parallel`` (residual convolutions, no previous frame) or ``autoregressive``
        (prenet of the previous frame + 2 LSTMs, fused over the whole sequence in training)
        ─► (B, n_mels, T) ─ postnet (5 convs) adds a residual ─► mel

Pitch is per frame (log-F0 interpolated through unvoiced frames, normalized), because
Mandarin tones are contours within a syllable that one value per symbol cannot carry.
The pitch, energy and speaker projections start at zero (``zero_init_variance``): the
memory is text alone at first, and what pitch, energy and speaker add grows as the model
learns to use them (a zero-initialized linear map gets the regression gradient at once,
where a zero scalar gain in front of a random projection learned too slowly). Like
Tacotron2, ``forward`` takes and returns normalized mels and ``infer`` returns log-mels.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn

from core.layers import length_mask

from .base import AcousticConfig, AcousticOutput
from .durational import DurationalModel
from .layers import Encoder, Prenet, postnet, speaker_layers
from .migrate import fold_variance_gains
from .variance import HarmonicComb, VarianceEmbedding, VariancePredictor

DECODERS = ("parallel", "autoregressive")


@dataclass
class DurationConfig(AcousticConfig):
    """The duration-informed model's sizes (the shared ones in ``AcousticConfig``)."""

    kind: str = "duration"
    decoder: str = "parallel"  # parallel: residual convolutions; autoregressive: prenet + 2 LSTMs
    parallel_dim: int = 256  # parallel decoder: residual conv blocks
    parallel_layers: int = 4
    parallel_kernel: int = 5
    zero_init_variance: bool = True  # pitch/energy/speaker projections start at zero
    # predict each utterance's pitch level (its mean) apart from the contour, from the
    # memory without letting the level's error train the encoder
    pitch_level: bool = False
    # besides the linear pitch projection, one learned vector per pitch bin (FastSpeech2's
    # quantized pitch embedding; 0: none), bins evenly spaced over ±pitch_bin_range
    # normalized log-F0 units, so the decoder can place harmonics per pitch
    pitch_bins: int = 0
    pitch_bin_range: float = 6.0
    # also give the decoder the log-mel of a harmonic comb at each frame's F0
    # (tts.models.variance.HarmonicComb), through a projection that starts at zero
    pitch_harmonics: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.decoder not in DECODERS:
            raise ValueError(f"unknown decoder {self.decoder!r} ({', '.join(DECODERS)})")
        if self.reduction != 1:
            raise ValueError(f"the {self.decoder} decoder predicts every frame: reduction must be 1")


def regulate_length(memory: torch.Tensor, durations: torch.Tensor, frames: int | None = None) -> dict:
    """Repeat each symbol's vector for its frames.

    memory (B, N, E), durations (B, N) int → dict of upsampled (B, T, E), index (B, T) the
    symbol of each frame, position (B, T, 2): (frame within the symbol + 0.5) / duration
    and log(1 + duration), lengths (B,) = durations.sum(1), mask (B, T). T is ``frames``
    or the longest item. Written with comparisons and gathers only, so that it exports
    (TorchScript, ONNX) with dynamic lengths.
    """
    durations = durations.long()
    ends = durations.cumsum(1)  # (B, N)
    lengths = ends[:, -1]
    t = lengths.max().clamp_min(1) if frames is None else torch.tensor(frames)
    grid = torch.arange(t, device=memory.device)[None, :]  # (1, T)
    index = (grid[:, :, None] >= ends[:, None, :]).sum(-1).clamp(max=memory.shape[1] - 1)  # (B, T)
    starts = ends - durations
    dur = durations.gather(1, index).clamp_min(1).to(memory.dtype)
    within = (grid - starts.gather(1, index)).to(memory.dtype)
    position = torch.stack([(within + 0.5) / dur, torch.log1p(dur) / 4.0], -1)
    mask = grid < lengths[:, None]
    upsampled = memory.gather(1, index[:, :, None].expand(-1, -1, memory.shape[2])) * mask[:, :, None]
    return {
        "upsampled": upsampled,
        "index": index,
        "position": position * mask[:, :, None],
        "lengths": lengths,
        "mask": mask,
    }


class ParallelDecoder(nn.Module):
    """(B, T, E) upsampled memory → (B, n_mels, T): residual Conv-ReLU-LayerNorm blocks."""

    def __init__(self, c: DurationConfig):
        super().__init__()
        d = c.parallel_dim
        self.inp = nn.Linear(c.encoder_dim, d)
        self.convs = nn.ModuleList(
            nn.Conv1d(d, d, c.parallel_kernel, padding=c.parallel_kernel // 2)
            for _ in range(c.parallel_layers)
        )
        self.norms = nn.ModuleList(nn.LayerNorm(d) for _ in range(c.parallel_layers))
        self.dropout = nn.Dropout(c.decoder_dropout)
        self.out = nn.Linear(d, c.n_mels)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, mels: torch.Tensor | None = None) -> torch.Tensor:
        m = mask[:, :, None].to(x.dtype)
        h = self.inp(x) * m
        for conv, norm in zip(self.convs, self.norms):
            y = torch.relu(conv(h.transpose(1, 2))).transpose(1, 2)
            h = norm(h + self.dropout(y)) * m
        return self.out(h).transpose(1, 2)


class AutoregressiveDecoder(nn.Module):
    """Prenet(previous frame) ⊕ upsampled memory → 2 LSTMs → frame. In training the LSTMs run
    once over the whole teacher-forced sequence (fused ``nn.LSTM``); ``step`` runs one frame."""

    def __init__(self, c: DurationConfig):
        super().__init__()
        self.c = c
        self.prenet = Prenet(c.n_mels, c.prenet_dim, c.prenet_dropout, c.prenet_dropout_at_inference)
        self.lstm = nn.LSTM(
            c.prenet_dim + c.encoder_dim,
            c.decoder_rnn_dim,
            num_layers=2,
            batch_first=True,
            dropout=c.decoder_dropout,
        )
        self.out = nn.Linear(c.decoder_rnn_dim + c.encoder_dim, c.n_mels)

    def forward(self, x: torch.Tensor, mask: torch.Tensor, mels: torch.Tensor | None = None) -> torch.Tensor:
        if mels is None:
            return self.free_run(x, mask)
        previous = torch.cat([mels.new_zeros(mels.shape[0], mels.shape[1], 1), mels[:, :, :-1]], 2)
        h, _ = self.lstm(torch.cat([self.prenet(previous.transpose(1, 2)), x], -1))
        return self.out(torch.cat([h, x], -1)).transpose(1, 2) * mask[:, None, :].to(x.dtype)

    def free_run(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t, _ = x.shape
        frame, state, frames = x.new_zeros(b, self.c.n_mels), None, []
        for i in range(t):
            h, state = self.lstm(torch.cat([self.prenet(frame), x[:, i]], -1)[:, None], state)
            frame = self.out(torch.cat([h[:, 0], x[:, i]], -1))
            frames.append(frame)
        return torch.stack(frames, 2) * mask[:, None, :].to(x.dtype)


class DurationTacotron2(DurationalModel):
    """The duration-informed acoustic model: ``forward`` trains with ground-truth durations,
    pitch and energy; ``infer`` synthesizes from text alone, with pitch, energy and pace
    control, through ``tts.models.duration_steps`` (the steps every backend runs)."""

    config_class = DurationConfig
    FRESH_MODULES = ("pitch_level", "pitch_bins", "harmonics")

    def __init__(self, config: DurationConfig):
        super().__init__()
        self.config = c = config
        e = c.encoder_dim
        self.encoder = Encoder(c)
        self.speaker_embedding, self.speaker_proj = speaker_layers(c)
        self.duration_predictor = VariancePredictor(
            e, c.variance_filters, c.variance_kernel, c.variance_dropout
        )
        self.position = nn.Linear(2, e)
        self.pitch_predictor = VariancePredictor(e, c.variance_filters, c.variance_kernel, c.variance_dropout)
        self.energy_predictor = VariancePredictor(
            e, c.variance_filters, c.variance_kernel, c.variance_dropout
        )
        self.pitch_bins = nn.Embedding(c.pitch_bins, e) if c.pitch_bins > 0 else None
        if self.pitch_bins is not None:  # adds nothing until it learns
            nn.init.zeros_(self.pitch_bins.weight)
        self.harmonics = HarmonicComb(c.n_mels, e) if c.pitch_harmonics else None
        self.pitch_level = nn.Linear(e, 1) if c.pitch_level else None
        if self.pitch_level is not None:  # starts at the dataset's mean level
            nn.init.zeros_(self.pitch_level.weight)
            nn.init.zeros_(self.pitch_level.bias)
        self.pitch_embedding = VarianceEmbedding(e)
        self.energy_embedding = VarianceEmbedding(e)
        if c.zero_init_variance:  # what is added to the text starts at exactly zero
            for layer in (self.pitch_embedding.proj, self.energy_embedding.proj, self.speaker_proj):
                if layer is not None:
                    nn.init.zeros_(layer.weight)
                    nn.init.zeros_(layer.bias)
        self.decoder = ParallelDecoder(c) if c.decoder == "parallel" else AutoregressiveDecoder(c)
        self.postnet = postnet(c)
        self.register_stats(c.n_mels)

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        fold_variance_gains(state_dict, prefix)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def _text(self, symbols, symbol_lengths, speakers) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """→ memory (B, N, E), symbol mask (B, N), predicted log(1 + durations) (B, N)."""
        mask = length_mask(symbol_lengths, symbols.shape[1])
        memory = self.encoder(symbols, symbol_lengths)
        if self.speaker_embedding is not None:
            if speakers is None:
                raise ValueError("this model has several speakers: pass speaker ids")
            memory = memory + self.speaker_proj(self.speaker_embedding(speakers))[:, None, :]
        log_durations = self.duration_predictor(memory.transpose(1, 2), mask)
        return memory, mask, log_durations

    def _frames(
        self, memory, durations, pitch=None, energy=None, pitch_shift=0.0, energy_scale=1.0, frames=None
    ) -> dict:
        """Length regulation and frame-level variance: → dict of x (B, T, E) the decoder's
        input, mask (B, T), lengths (B,), index (B, T), pitch/energy used and predicted (B, T)."""
        r = regulate_length(memory, durations, frames)
        mask = r["mask"]
        fmask = mask.to(memory.dtype)
        x = r["upsampled"] + self.position(r["position"]) * fmask[:, :, None]
        xt = x.transpose(1, 2)
        pitch_pred = self.pitch_predictor(xt, mask)
        if self.pitch_level is not None:
            pitch_pred = self._level_and_contour(x, pitch_pred, fmask)
        energy_pred = self.energy_predictor(xt, mask)
        if pitch is None:
            pitch = pitch_pred + pitch_shift
        if energy is None:
            _, _, e_mean, e_std = self.variance_stats
            energy = ((energy_pred * e_std + e_mean) * energy_scale - e_mean) / e_std
        pitch, energy = pitch * fmask, energy * fmask
        x = xt + self.pitch_embedding(pitch, fmask) + self.energy_embedding(energy, fmask)
        if self.pitch_bins is not None:
            x = x + self._pitch_bin_vectors(pitch, fmask)
        x = x.transpose(1, 2)
        if self.harmonics is not None:
            f0_mean, f0_std = self.variance_stats[0], self.variance_stats[1]
            x = x + self.harmonics(torch.exp(pitch * f0_std + f0_mean), fmask)
        return {
            "x": x,
            "mask": mask,
            "lengths": r["lengths"],
            "index": r["index"],
            "pitch": pitch,
            "energy": energy,
            "pitch_pred": pitch_pred,
            "energy_pred": energy_pred,
        }

    def _pitch_bin_vectors(self, pitch: torch.Tensor, fmask: torch.Tensor) -> torch.Tensor:
        """(B, T) normalized pitch → (B, E, T): the learned vector of each frame's pitch bin
        (nearest of ``pitch_bins`` evenly spaced over ±``pitch_bin_range``), 0 on padding.
        Rounding and clamping only, so that it exports."""
        c = self.config
        position = (pitch + c.pitch_bin_range) / (2 * c.pitch_bin_range) * (c.pitch_bins - 1)
        index = position.round().clamp(0, c.pitch_bins - 1).long()
        return (self.pitch_bins(index) * fmask[:, :, None]).transpose(1, 2)

    def _level_and_contour(self, x, pitch_pred, fmask) -> torch.Tensor:
        """(B, T, E) frame memory, (B, T) predicted pitch, (B, T) frame mask → the predicted
        contour made zero-mean per utterance plus a level from the mean-pooled memory. The
        MSE against the target contour splits exactly into the contour's error and the
        level's; the level is read from detached memory, so the part of an utterance's pitch
        that the text cannot tell (a speaker's or recording's level) trains only this head."""
        frames = fmask.sum(1, keepdim=True).clamp_min(1.0)  # (B, 1)
        contour = pitch_pred - (pitch_pred * fmask).sum(1, keepdim=True) / frames
        pooled = (x.detach() * fmask[:, :, None]).sum(1) / frames  # (B, E)
        return (contour + self.pitch_level(pooled)) * fmask

    def _mels(self, x, mask, mels=None) -> tuple[torch.Tensor, torch.Tensor]:
        fm = mask[:, None, :].to(x.dtype)
        mel = self.decoder(x, mask, mels) * fm
        return mel, mel + self.postnet(mel, mask)

    def forward(
        self,
        symbols: torch.Tensor,
        symbol_lengths: torch.Tensor,
        mels: torch.Tensor,
        mel_lengths: torch.Tensor,
        speakers: torch.Tensor | None = None,
        pitch: torch.Tensor | None = None,
        energy: torch.Tensor | None = None,
        durations: torch.Tensor | None = None,
    ) -> AcousticOutput:
        """Training pass. mels (B, n_mels, T) normalized; durations (B, N) frames per symbol
        summing to each mel length; pitch, energy (B, T) frame-level normalized targets.
        ``extra["log_durations"]`` holds the duration predictor's output (B, N)."""
        if durations is None:
            raise ValueError("the duration-informed model trains on durations (run the aligner)")
        memory, _, log_dur = self._text(symbols, symbol_lengths, speakers)
        f = self._frames(memory, durations, pitch, energy, frames=mels.shape[2])
        mel, post = self._mels(f["x"], f["mask"], mels)
        return AcousticOutput(
            mel,
            post,
            mel.new_zeros(mel.shape[0], 0),
            mel.new_zeros(mel.shape[0], 0, 0),
            f["pitch"],
            f["energy"],
            f["pitch_pred"],
            f["energy_pred"],
            extra={"log_durations": log_dur},
        )

    def encode_text(
        self, symbols: torch.Tensor, symbol_lengths: torch.Tensor, speakers: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Synthesis, part 1: → memory (B, N, E), predicted log(1 + frames) (B, N)."""
        memory, _, log_dur = self._text(symbols, symbol_lengths, speakers)
        return memory, log_dur

    def frames(
        self,
        memory: torch.Tensor,
        durations: torch.Tensor,
        pitch_shift: torch.Tensor,
        energy_scale: torch.Tensor,
    ) -> tuple:
        """Synthesis, part 2: memory (B, N, E), durations (B, N), pitch shift (normalized log-F0
        units) and energy scale (0-dim tensors) → log-mels before and after the postnet
        (B, n_mels, T), lengths (B,), symbol of each frame (B, T), pitch, energy used and
        predicted (B, T)."""
        f = self._frames(memory, durations, None, None, pitch_shift, energy_scale)
        mel, post = self._mels(f["x"], f["mask"])
        m = f["mask"][:, None, :].to(mel.dtype)
        return (
            self.denormalize(mel) * m,
            self.denormalize(post) * m,
            f["lengths"],
            f["index"],
            f["pitch"],
            f["energy"],
            f["pitch_pred"],
            f["energy_pred"],
        )

    @classmethod
    def exportable(cls, config: DurationConfig) -> str | None:
        if config.decoder != "parallel":
            return f"the {config.decoder} decoder cannot be exported yet (its frame loop): parallel can"
        return None
