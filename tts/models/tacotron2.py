"""Tacotron2 (Shen et al., 2018) with pitch and energy control and optional speakers.

Data flow, shapes for a batch of B utterances of up to N symbols and T mel frames
(T padded to a multiple of the reduction factor r, S = T / r decoder steps)::

    symbols (B, N) ─ embedding ─ 3 convs ─ BiLSTM ─► encoder out (B, N, E)
        (+ speaker embedding) ─► pitch / energy predictors ─► (B, N) each
        encoder out + projections of pitch and energy ─► memory (B, N, E)
    decoder, one step per r frames: prenet(previous frame) → attention LSTM →
        location-sensitive attention over memory → decoder LSTM → r frames + stop logit
    postnet (5 convs) adds a residual ─► mel (B, n_mels, T)

As NVIDIA's implementation: the prenet keeps its dropout at inference (configurable),
the stop token is a logit per decoder step, and the decoder starts from a zero frame.
Unlike it, the model works on mels normalized per band (dataset mean and std, kept in
buffers): ``forward`` takes and returns normalized mels, ``infer`` returns log-mels.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import nn
from torch.nn import functional as F

from core.layers import length_mask
from core.pitch import semitones_to_pitch_shift

from .base import AcousticConfig, AcousticModel, AcousticOutput
from .decoder_loop import DecoderState, free_run
from .layers import Encoder, Prenet, postnet, speaker_layers
from .variance import VarianceEmbedding, VariancePredictor


@dataclass
class Tacotron2Config(AcousticConfig):
    """Tacotron2's sizes. Defaults are NVIDIA's published Tacotron2 (full size)."""

    kind: str = "tacotron2"
    attention_rnn_dim: int = 1024
    attention_dim: int = 128
    location_filters: int = 32
    location_kernel: int = 31
    attention_dropout: float = 0.1
    gate_threshold: float = 0.5
    max_decoder_steps: int = 1000
    max_frames_per_symbol: float = 12.0  # inference stops by this many frames per symbol

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 1 <= self.reduction <= 4:
            raise ValueError("reduction must be between 1 and 4")


class LocationSensitiveAttention(nn.Module):
    """Additive attention with location features (cumulative and previous weights)."""

    def __init__(self, query_dim: int, memory_dim: int, attention_dim: int, n_filters: int, kernel: int):
        super().__init__()
        self.query = nn.Linear(query_dim, attention_dim, bias=False)
        self.memory = nn.Linear(memory_dim, attention_dim, bias=False)
        self.location_conv = nn.Conv1d(2, n_filters, kernel, padding=kernel // 2, bias=False)
        self.location = nn.Linear(n_filters, attention_dim, bias=False)
        self.v = nn.Linear(attention_dim, 1, bias=True)
        for layer, gain in (
            (self.query, "tanh"),
            (self.memory, "tanh"),
            (self.location, "tanh"),
            (self.v, "linear"),
        ):
            nn.init.xavier_uniform_(layer.weight, gain=nn.init.calculate_gain(gain))

    def forward(
        self,
        query: torch.Tensor,
        memory: torch.Tensor,
        processed_memory: torch.Tensor,
        weights_cat: torch.Tensor,
        mask: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """query (B, Q), memory (B, N, E), processed_memory (B, N, A), weights_cat (B, 2, N),
        mask (B, N) → context (B, E), weights (B, N)."""
        location = self.location(self.location_conv(weights_cat).transpose(1, 2))
        energies = self.v(torch.tanh(self.query(query)[:, None, :] + processed_memory + location)).squeeze(-1)
        energies = energies.masked_fill(~mask, torch.finfo(energies.dtype).min)
        weights = torch.softmax(energies, dim=1)
        return torch.bmm(weights[:, None, :], memory).squeeze(1), weights


class Decoder(nn.Module):
    """Autoregressive decoder: r frames and one stop logit per step."""

    def __init__(self, c: Tacotron2Config):
        super().__init__()
        self.c = c
        frame_dim, e = c.n_mels, c.encoder_dim
        self.prenet = Prenet(frame_dim, c.prenet_dim, c.prenet_dropout, c.prenet_dropout_at_inference)
        self.attention_rnn = nn.LSTMCell(c.prenet_dim + e, c.attention_rnn_dim)
        self.attention = LocationSensitiveAttention(
            c.attention_rnn_dim, e, c.attention_dim, c.location_filters, c.location_kernel
        )
        self.decoder_rnn = nn.LSTMCell(c.attention_rnn_dim + e, c.decoder_rnn_dim)
        self.projection = nn.Linear(c.decoder_rnn_dim + e, c.n_mels * c.reduction)
        self.gate = nn.Linear(c.decoder_rnn_dim + e, 1)
        nn.init.xavier_uniform_(self.gate.weight, gain=nn.init.calculate_gain("sigmoid"))

    def initial_state(self, memory: torch.Tensor) -> DecoderState:
        """memory (B, N, E) → zeros."""
        return DecoderState.zeros(self.c, *memory.shape[:2], like=memory)

    def step(
        self,
        prenet_out: torch.Tensor,
        state: DecoderState,
        memory: torch.Tensor,
        processed: torch.Tensor,
        mask: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One decoder step; updates ``state`` → frames (B, n_mels * r), gate logit (B,),
        weights (B, N)."""
        c, s = self.c, state
        ah, ac = self.attention_rnn(
            torch.cat([prenet_out, s.context], -1), (s.attention_hidden, s.attention_cell)
        )
        ah = F.dropout(ah, c.attention_dropout, self.training)
        weights_cat = torch.stack([s.weights, s.cumulative_weights], dim=1)
        context, weights = self.attention(ah, memory, processed, weights_cat, mask)
        dh, dc = self.decoder_rnn(torch.cat([ah, context], -1), (s.decoder_hidden, s.decoder_cell))
        dh = F.dropout(dh, c.decoder_dropout, self.training)
        out = torch.cat([dh, context], -1)
        s.attention_hidden, s.attention_cell, s.decoder_hidden, s.decoder_cell = ah, ac, dh, dc
        s.weights, s.cumulative_weights, s.context = weights, s.cumulative_weights + weights, context
        return self.projection(out), self.gate(out).squeeze(-1), weights

    def forward(self, memory: torch.Tensor, mask: torch.Tensor, mels: torch.Tensor) -> tuple:
        """Teacher forcing. mels (B, n_mels, T) with T a multiple of r →
        frames (B, n_mels, T), gate (B, S), alignment (B, S, N)."""
        b, n_mels, t = mels.shape
        r = self.c.reduction
        steps = t // r
        previous = mels.transpose(1, 2).reshape(b, steps, r, n_mels)[:, :, -1, :]  # last frame of each step
        inputs = torch.cat([mels.new_zeros(b, 1, n_mels), previous[:, :-1]], dim=1)
        prenet_out = self.prenet(inputs)
        processed = self.attention.memory(memory)
        state = self.initial_state(memory)
        frames, gates, weights = [], [], []
        for i in range(steps):
            f, g, w = self.step(prenet_out[:, i], state, memory, processed, mask)
            frames.append(f)
            gates.append(g)
            weights.append(w)
        frames = torch.stack(frames, 1).reshape(b, steps * r, n_mels).transpose(1, 2)
        return frames, torch.stack(gates, 1), torch.stack(weights, 1)


class Tacotron2(AcousticModel):
    """The acoustic model. ``forward`` trains (teacher forcing); ``infer`` synthesizes.

    Normalization statistics for pitch and energy live in buffers (set from the
    dataset with ``set_variance_stats``), so pitch shifts in semitones and energy scales
    are converted inside the model and a saved model needs nothing else.
    """

    config_class = Tacotron2Config

    def __init__(self, config: Tacotron2Config):
        super().__init__()
        self.config = c = config
        self.encoder = Encoder(c)
        self.speaker_embedding, self.speaker_proj = speaker_layers(c)
        if c.variance:
            self.pitch_predictor = VariancePredictor(
                c.encoder_dim, c.variance_filters, c.variance_kernel, c.variance_dropout
            )
            self.energy_predictor = VariancePredictor(
                c.encoder_dim, c.variance_filters, c.variance_kernel, c.variance_dropout
            )
            self.pitch_embedding = VarianceEmbedding(c.encoder_dim)
            self.energy_embedding = VarianceEmbedding(c.encoder_dim)
        self.decoder = Decoder(c)
        self.postnet = postnet(c)
        self.register_stats(c.n_mels)

    # -- shared front part ----------------------------------------------------------------
    def _memory(self, symbols, symbol_lengths, speakers, pitch, energy, pitch_shift=0.0, energy_scale=1.0):
        mask = length_mask(symbol_lengths, symbols.shape[1])
        enc = self.encoder(symbols, symbol_lengths)  # (B, N, E)
        if self.speaker_embedding is not None:
            if speakers is None:
                raise ValueError("this model has several speakers: pass speaker ids")
            enc = enc + self.speaker_proj(self.speaker_embedding(speakers))[:, None, :]
        out = {"mask": mask, "pitch": None, "energy": None, "pitch_pred": None, "energy_pred": None}
        if not self.config.variance:
            return enc, out
        x = enc.transpose(1, 2)
        fmask = mask.to(enc.dtype)
        out["pitch_pred"] = self.pitch_predictor(x, mask)
        out["energy_pred"] = self.energy_predictor(x, mask)
        pitch = out["pitch_pred"] + pitch_shift if pitch is None else pitch
        if energy is None:
            _, _, e_mean, e_std = self.variance_stats
            energy = ((out["energy_pred"] * e_std + e_mean) * energy_scale - e_mean) / e_std
        out["pitch"], out["energy"] = pitch * fmask, energy * fmask
        memory = x + self.pitch_embedding(out["pitch"], fmask) + self.energy_embedding(out["energy"], fmask)
        return memory.transpose(1, 2), out

    # -- training ------------------------------------------------------------------------------
    def forward(
        self,
        symbols: torch.Tensor,
        symbol_lengths: torch.Tensor,
        mels: torch.Tensor,
        mel_lengths: torch.Tensor,
        speakers: torch.Tensor | None = None,
        pitch: torch.Tensor | None = None,
        energy: torch.Tensor | None = None,
    ) -> AcousticOutput:
        """Teacher-forced pass. symbols (B, N) int, mels (B, n_mels, T) with T a multiple of
        r; pitch/energy (B, N) phone-level targets, or None to use the predictors' values."""
        memory, v = self._memory(symbols, symbol_lengths, speakers, pitch, energy)
        frames, gate, alignment = self.decoder(memory, v["mask"], mels)
        fmask = length_mask(mel_lengths, frames.shape[2])[:, None, :].to(frames.dtype)
        frames = frames * fmask
        post = frames + self.postnet(frames, fmask[:, 0].bool())
        return AcousticOutput(
            frames, post, gate, alignment, v["pitch"], v["energy"], v["pitch_pred"], v["energy_pred"]
        )

    # -- synthesis -----------------------------------------------------------------------------
    def encode(
        self,
        symbols: torch.Tensor,
        symbol_lengths: torch.Tensor,
        speakers: torch.Tensor | None = None,
        pitch_shift: float | torch.Tensor = 0.0,
        energy_scale: float | torch.Tensor = 1.0,
    ) -> dict:
        """The part of synthesis before the decoder loop. ``pitch_shift`` in normalized
        log-F0 units (see ``semitones_to_pitch_shift``) → dict of memory (B, N, E),
        processed memory (B, N, attention_dim), mask (B, N) and pitch, energy,
        pitch_pred, energy_pred (B, N) (None without variance)."""
        memory, v = self._memory(symbols, symbol_lengths, speakers, None, None, pitch_shift, energy_scale)
        return {**v, "memory": memory, "processed": self.decoder.attention.memory(memory)}

    def decoder_step(
        self,
        frame: torch.Tensor,
        masks: tuple,
        state: DecoderState,
        memory: torch.Tensor,
        processed: torch.Tensor,
        mask: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """One free-running step from the previous frame (B, n_mels) (normalized); updates
        ``state`` → frames (B, n_mels * r), stop logit (B,), attention weights (B, N)."""
        return self.decoder.step(self.decoder.prenet(frame, masks), state, memory, processed, mask)

    def postprocess(self, mel: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Decoder frames (B, n_mels, T) normalized, lengths (B,) → log-mels (before,
        after the postnet), each (B, n_mels, T), zero beyond each length."""
        fmask = length_mask(lengths, mel.shape[2])
        m = fmask[:, None, :].to(mel.dtype)
        mel = mel * m
        post = mel + self.postnet(mel, fmask)
        return self.denormalize(mel) * m, self.denormalize(post) * m

    @torch.no_grad()
    def infer(
        self,
        symbols: torch.Tensor,
        symbol_lengths: torch.Tensor | None = None,
        speakers: torch.Tensor | None = None,
        pitch_shift: float = 0.0,
        energy_scale: float = 1.0,
        max_steps: int | None = None,
    ) -> AcousticOutput:
        """Free-running synthesis until each item's stop token fires.

        ``pitch_shift`` is in semitones, ``energy_scale`` multiplies the predicted energy.
        An item stops when its stop probability passes ``gate_threshold``, or at its
        length guard (``max_frames_per_symbol`` frames per symbol, and
        ``max_decoder_steps``); ``stopped_by_gate`` and ``reached_end`` (attention got to
        the last symbols) tell a clean stop from a runaway.
        """
        if symbol_lengths is None:
            symbol_lengths = torch.full((symbols.shape[0],), symbols.shape[1], device=symbols.device)
        shift = semitones_to_pitch_shift(pitch_shift, self.log_f0_std) if pitch_shift else 0.0
        enc = self.encode(symbols, symbol_lengths, speakers, shift, energy_scale)
        state = self.decoder.initial_state(enc["memory"])
        step = lambda frame, masks: self.decoder_step(
            frame, masks, state, enc["memory"], enc["processed"], enc["mask"]
        )
        return free_run(step, self.postprocess, enc, symbol_lengths, self.config, max_steps)

    def graph_specs(self, batch: int = 2, n: int = 11, frames: int = 24) -> list:
        from .tacotron2_export import graph_specs

        return graph_specs(self, batch, n, frames)

    @classmethod
    def exported(cls, graphs: dict, config: Tacotron2Config, log_f0_std: float):
        from .tacotron2_export import ExportedTacotron2

        return ExportedTacotron2(graphs, config, log_f0_std)
