"""Phone durations from a left-to-right Gaussian HMM trained by Viterbi on the data itself.

No outside tool and no pretrained model: it works on any dataset the readers accept.
Each symbol is a chain of states (toned finals 3, initials and English phones 2, breaks,
moods and stress marks 1 state that may take no frame at all); an optional silence
state before the first symbol takes the leading silence (its frames count for the first
symbol). Every state has one diagonal Gaussian over cepstra of the log-mel (DCT of the
normalized log-mel, ``n_ceps``) and their deltas. Training starts from a uniform
segmentation and alternates Viterbi alignment (numba) and re-estimation.

The result, ``durations.npz`` in the feature folder, holds for each utterance id the
frames of each symbol, (N,) int32, summing to the utterance's mel frames.
"""

from __future__ import annotations

import json
from pathlib import Path

import numba
import numpy as np
from tqdm import tqdm

from core.data.items import load_item
from core.files import atomic_path
from frontend import DEFAULT_TABLE, SymbolTable
from frontend.symbols import BREAKS, ENGLISH_PREFIX, ENGLISH_STRESS, ERHUA, INITIALS, MOODS

DURATIONS_FILE = "durations.npz"
NEG = -1e30


def states_per_symbol(table: SymbolTable = DEFAULT_TABLE) -> tuple[np.ndarray, np.ndarray]:
    """(number of states (V,), skippable (V,) bool) for every symbol id."""
    n = np.zeros(len(table), dtype=np.int64)
    skip = np.zeros(len(table), dtype=bool)
    silent = set(BREAKS) | set(MOODS) | {ENGLISH_PREFIX + s for s in ENGLISH_STRESS} | {table.symbols[0]}
    for i, s in enumerate(table.symbols):
        if s in silent:
            n[i], skip[i] = 1, True
        elif s in INITIALS or s.startswith(ENGLISH_PREFIX) or s == ERHUA:
            n[i] = 2
        else:
            n[i] = 3
    return n, skip


def cepstra(mel: np.ndarray, n_ceps: int) -> np.ndarray:
    """(n_mels, T) normalized log-mel → (T, 2 * n_ceps) DCT-II cepstra and their deltas."""
    n_mels = mel.shape[0]
    k = np.arange(n_ceps)[:, None]
    basis = np.cos(np.pi / n_mels * (np.arange(n_mels)[None, :] + 0.5) * k)
    c = (basis @ mel).T.astype(np.float64)
    padded = np.pad(c, ((2, 2), (0, 0)), mode="edge")
    delta = (padded[3:-1] - padded[1:-3] + 2 * (padded[4:] - padded[:-4])) / 10.0
    return np.concatenate([c, delta], axis=1)


@numba.njit(cache=False)
def viterbi(loglik: np.ndarray, skip: np.ndarray) -> np.ndarray:
    """Best left-to-right path: loglik (T, S) per frame and state, skip (S,) states that may
    take no frame → state of each frame (T,) int64, or all -1 when no path exists."""
    t_len, s_len = loglik.shape
    delta = np.full((t_len, s_len), NEG)
    back = np.zeros((t_len, s_len), dtype=np.int64)
    # frame 0: any state reachable through skippable states only
    for s in range(s_len):
        delta[0, s] = loglik[0, s]
        if not skip[s]:
            break
    for t in range(1, t_len):
        entry, entry_from = NEG, -1  # best way into state s from an earlier state
        for s in range(s_len):
            if s > 0:
                prev = delta[t - 1, s - 1]
                if skip[s - 1]:
                    if prev >= entry:
                        entry, entry_from = prev, s - 1
                else:
                    entry, entry_from = prev, s - 1
            stay = delta[t - 1, s]
            if stay >= entry:
                best, src = stay, s
            else:
                best, src = entry, entry_from
            if best > NEG / 2:
                delta[t, s] = best + loglik[t, s]
                back[t, s] = src
    end, best = -1, NEG
    for s in range(s_len - 1, -1, -1):
        if delta[t_len - 1, s] > best:
            end, best = s, delta[t_len - 1, s]
        if not skip[s]:
            break
    path = np.full(t_len, -1, dtype=np.int64)
    if end < 0:
        return path
    s = end
    for t in range(t_len - 1, -1, -1):
        path[t] = s
        s = back[t, s]
    return path


class HmmAligner:
    """Gaussian HMM over symbols; ``fit`` on utterances, then ``durations`` for each."""

    def __init__(self, n_ceps: int = 20, var_floor: float = 0.01, table: SymbolTable = DEFAULT_TABLE):
        self.n_ceps, self.var_floor = n_ceps, var_floor
        self.n_states, self.skip = states_per_symbol(table)
        self.offset = np.concatenate([[0], np.cumsum(self.n_states)])
        self.silence = int(self.offset[-1])  # the extra leading-silence Gaussian
        dim = 2 * n_ceps
        self.mean = np.zeros((self.silence + 1, dim))
        self.var = np.ones((self.silence + 1, dim))

    def chain(self, symbols: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(Gaussian of each state (S,), skippable (S,), symbol position of each state (S,)),
        starting with the optional leading silence (position 0)."""
        gauss, skip, owner = [self.silence], [True], [0]
        for pos, sym in enumerate(symbols):
            for k in range(self.n_states[sym]):
                gauss.append(self.offset[sym] + k)
                skip.append(bool(self.skip[sym]))
                owner.append(pos)
        return np.array(gauss), np.array(skip), np.array(owner)

    def _loglik(self, feats: np.ndarray, gauss: np.ndarray) -> np.ndarray:
        mean, inv = self.mean[gauss], 1.0 / self.var[gauss]
        const = -0.5 * (np.log(self.var[gauss]).sum(1) + (mean**2 * inv).sum(1))
        return -0.5 * (feats**2) @ inv.T + feats @ (mean * inv).T + const[None, :]

    def _uniform(self, n_frames: int, skip: np.ndarray) -> np.ndarray:
        real = np.flatnonzero(~skip)
        cut = np.linspace(0, n_frames, len(real) + 1).astype(np.int64)
        path = np.empty(n_frames, dtype=np.int64)
        for i, s in enumerate(real):
            path[cut[i] : cut[i + 1]] = s
        return path

    def _init_silence(self, utterances: list[tuple[np.ndarray, np.ndarray]], edge: int = 3) -> None:
        """Start every state that may take no frame (breaks, moods, leading silence) from the
        first and last frames of each utterance: the silence left around it after trimming."""
        frames = np.concatenate([np.concatenate([f[:edge], f[-edge:]]) for _, f in utterances])
        silent = np.concatenate([self.offset[:-1][self.skip], [self.silence]])
        self.mean[silent] = frames.mean(0)
        self.var[silent] = np.maximum(frames.var(0), self.var_floor)

    def fit(
        self, utterances: list[tuple[np.ndarray, np.ndarray]], iterations: int = 8, progress: bool = True
    ) -> list[float]:
        """utterances: (symbols (N,), features (T, dim)); returns the mean log-likelihood per
        frame after each iteration (it should rise)."""
        history = []
        for it in tqdm(range(iterations + 1), desc="aligner", unit="iter", disable=not progress):
            dim = self.mean.shape[1]
            n = np.zeros(len(self.mean))
            s1, s2 = np.zeros((len(self.mean), dim)), np.zeros((len(self.mean), dim))
            total, frames = 0.0, 0
            for symbols, feats in utterances:
                gauss, skip, _ = self.chain(symbols)
                if it == 0:
                    path = self._uniform(len(feats), skip)
                else:
                    ll = self._loglik(feats, gauss)
                    path = viterbi(ll, skip)
                    if path[0] < 0:
                        continue
                    total += float(ll[np.arange(len(feats)), path].sum())
                    frames += len(feats)
                g = gauss[path]
                np.add.at(n, g, 1.0)
                np.add.at(s1, g, feats)
                np.add.at(s2, g, feats**2)
            seen = n > 0
            mean = s1[seen] / n[seen, None]
            self.mean[seen] = mean
            self.var[seen] = np.maximum(s2[seen] / n[seen, None] - mean**2, self.var_floor)
            if it == 0:
                self._init_silence(utterances)
            if it:
                history.append(total / max(frames, 1))
        return history

    def durations(self, symbols: np.ndarray, feats: np.ndarray) -> np.ndarray | None:
        """Frames per symbol (N,) int32 summing to len(feats), or None if no path fits."""
        gauss, skip, owner = self.chain(symbols)
        path = viterbi(self._loglik(feats, gauss), skip)
        if path[0] < 0:
            return None
        return np.bincount(owner[path], minlength=len(symbols)).astype(np.int32)


def align_features(
    feats_dir: str | Path, iterations: int = 8, n_ceps: int = 20, progress: bool = True
) -> dict:
    """Train the HMM on every prepared utterance of ``feats_dir`` and write ``durations.npz``
    (atomically). Returns a summary: utterances aligned, those that could not be, and the
    log-likelihood per iteration."""
    feats_dir = Path(feats_dir)
    records = json.loads((feats_dir / "index.json").read_text(encoding="utf-8"))
    stats = json.loads((feats_dir / "stats.json").read_text(encoding="utf-8"))
    mean = np.asarray(stats["mel_mean"])[:, None]
    std = np.asarray(stats["mel_std"])[:, None]
    data, ids = [], []
    for r in tqdm(records, desc="aligner features", unit="utt", disable=not progress):
        item = load_item(feats_dir, r["id"])
        data.append((item["symbols"].astype(np.int64), cepstra((item["mel"] - mean) / std, n_ceps)))
        ids.append(r["id"])
    aligner = HmmAligner(n_ceps)
    history = aligner.fit(data, iterations, progress)
    durations, failed = {}, []
    for utt_id, (symbols, feats) in zip(ids, data):
        d = aligner.durations(symbols, feats)
        if d is None:
            failed.append(utt_id)
        else:
            durations[utt_id] = d
    path = feats_dir / DURATIONS_FILE
    with atomic_path(path, ".npz") as tmp:
        np.savez(tmp, **durations)
    return {"aligned": len(durations), "failed": failed, "loglik_per_frame": history}


def load_durations(feats_dir: str | Path) -> dict[str, np.ndarray]:
    path = Path(feats_dir) / DURATIONS_FILE
    if not path.exists():
        raise ValueError(
            f"{feats_dir}: no phone durations ({DURATIONS_FILE}); run tts-prepare again, it aligns"
        )
    with np.load(path, allow_pickle=False) as data:
        return {k: data[k] for k in data.files}
