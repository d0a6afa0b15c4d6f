"""Synthetic speakers from one voice: WORLD resynthesis with the spectral envelope warped
along frequency (vocal-tract length) and F0 scaled on its own.

A recognizer that has heard one natural speaker learns that speaker. Speech from a corpus
is analysed by WORLD (DIO + StoneMask F0, CheapTrick envelope, D4C aperiodicity), the
envelope and aperiodicity are resampled along frequency by a warp factor ``alpha``
(``alpha`` < 1 lowers the formants, as a longer vocal tract does: a female voice at 0.82
and half its F0 sits in a male range; ``alpha`` > 1 raises them), F0 is multiplied by its own
ratio, and the frames are synthesized again. Timing is kept, so the transcript still holds.

A converted corpus has the layout of ``corpus.build`` (metadata.csv, wavs/, corpus.json)
and carries its source's licence. Speakers are either drawn per utterance from ranges
(training: a new speaker for every sentence) or fixed by name (held-out speakers, whose warp
lies in a range never trained on).
"""

from __future__ import annotations

import csv
import json
import math
import random
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from tqdm import tqdm

from core.files import atomic_write, atomic_write_json
from core.workers import run_jobs
from corpus.build import write_metadata

FRAME_PERIOD_MS = 5.0


@dataclass(frozen=True)
class Speaker:
    """One synthetic speaker: formant warp ``alpha`` and F0 ratio ``f0_ratio``."""

    name: str
    alpha: float
    f0_ratio: float


def warp_frequency_axis(frames: np.ndarray, alpha: float) -> np.ndarray:
    """(T, K) spectra with bin k moved to k·alpha: out[:, k] = in[:, k / alpha], linearly
    interpolated; bins beyond the source's top take its last bin."""
    k = np.arange(frames.shape[1], dtype=np.float64)
    source = np.clip(k / alpha, 0, frames.shape[1] - 1)
    lo = np.floor(source).astype(int)
    hi = np.minimum(lo + 1, frames.shape[1] - 1)
    w = source - lo
    return frames[:, lo] * (1 - w) + frames[:, hi] * w


def convert(audio: np.ndarray, sample_rate: int, alpha: float, f0_ratio: float) -> np.ndarray:
    """(N,) float audio → (N,) float32: the same words by the speaker (``alpha``, ``f0_ratio``)."""
    import pyworld

    x = np.ascontiguousarray(audio, dtype=np.float64)
    f0, t = pyworld.dio(x, sample_rate, f0_floor=60.0, f0_ceil=700.0, frame_period=FRAME_PERIOD_MS)
    f0 = pyworld.stonemask(x, f0, t, sample_rate)
    envelope = pyworld.cheaptrick(x, f0, t, sample_rate)
    aperiodicity = pyworld.d4c(x, f0, t, sample_rate)
    if alpha != 1.0:
        envelope = np.ascontiguousarray(warp_frequency_axis(envelope, alpha))
        aperiodicity = np.ascontiguousarray(np.clip(warp_frequency_axis(aperiodicity, alpha), 0.0, 1.0))
    y = pyworld.synthesize(f0 * f0_ratio, envelope, aperiodicity, sample_rate, FRAME_PERIOD_MS)
    y = y[: len(x)].astype(np.float32)
    peak = float(np.abs(y).max()) if len(y) else 0.0
    return y * (0.95 / peak) if peak > 0.95 else y


def parse_ranges(text: str) -> list[tuple[float, float]]:
    """``"0.78-0.86,0.94-1.06"`` → [(0.78, 0.86), (0.94, 1.06)]; ValueError otherwise."""
    ranges = []
    for part in text.split(","):
        try:
            lo, hi = (float(v) for v in part.split("-"))
        except ValueError:
            raise ValueError(f"a range is LOW-HIGH, e.g. 0.8-0.9; got {part!r}") from None
        if not 0.5 <= lo <= hi <= 2.0:
            raise ValueError(f"a range must lie within 0.5-2.0 with LOW <= HIGH; got {part!r}")
        ranges.append((lo, hi))
    return ranges


def parse_speakers(text: str) -> list[Speaker]:
    """``"m1=0.9:0.58,h1=1.1:1.25"`` → fixed speakers NAME=ALPHA:F0_RATIO; ValueError otherwise."""
    speakers = []
    for part in text.split(","):
        try:
            name, values = part.split("=")
            alpha, ratio = (float(v) for v in values.split(":"))
        except ValueError:
            raise ValueError(f"a speaker is NAME=ALPHA:F0_RATIO, e.g. m1=0.9:0.6; got {part!r}") from None
        if not (0.5 <= alpha <= 2.0 and 0.25 <= ratio <= 4.0 and name.isidentifier()):
            raise ValueError(f"{part!r}: ALPHA in 0.5-2.0, F0_RATIO in 0.25-4, NAME a plain word")
        speakers.append(Speaker(name, alpha, ratio))
    return speakers


def draw_speaker(
    seed: int, index: int, alpha_ranges: list[tuple[float, float]], f0_range: tuple[float, float]
) -> Speaker:
    """Speaker of utterance ``index``: a range chosen in proportion to its width, alpha uniform
    in it; the F0 ratio log-uniform in ``f0_range``. A function of seed and index alone."""
    rng = random.Random(seed * 1_000_003 + index)
    u = rng.uniform(0, sum(hi - lo for lo, hi in alpha_ranges))
    alpha = alpha_ranges[-1][1]
    for lo, hi in alpha_ranges:
        if u <= hi - lo:
            alpha = lo + u
            break
        u -= hi - lo
    ratio = math.exp(rng.uniform(math.log(f0_range[0]), math.log(f0_range[1])))
    return Speaker(f"w{alpha:.3f}f{ratio:.3f}", round(alpha, 4), round(ratio, 4))


@dataclass(frozen=True)
class _Job:
    source: str
    target: str
    speaker: Speaker


def _convert_file(job: _Job) -> str | None:
    """Convert one WAV (atomically); None, or the error in one line."""
    try:
        if Path(job.target).exists():
            return None
        audio, sr = sf.read(job.source, dtype="float32", always_2d=False)
        if audio.ndim > 1:
            audio = audio.mean(axis=1)
        y = convert(audio, sr, job.speaker.alpha, job.speaker.f0_ratio)
        atomic_write(job.target, lambda f: sf.write(f, y, sr, subtype="PCM_16", format="WAV"))
    except Exception as err:  # one bad file must not end the conversion
        return f"{Path(job.source).name}: {type(err).__name__}: {err}"
    return None


def read_metadata(corpus: Path) -> list[list[str]]:
    """Rows id|text|normalized|speaker|split of a corpus's metadata.csv."""
    path = corpus / "metadata.csv"
    if not path.exists():
        raise ValueError(f"{corpus}: no metadata.csv (a corpus from tts-corpus build)")
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.reader(f, delimiter="|", quoting=csv.QUOTE_NONE, escapechar="\\"))


def convert_corpus(
    source: str | Path,
    out: str | Path,
    *,
    speakers: list[Speaker] | None = None,
    alpha_ranges: list[tuple[float, float]] | None = None,
    f0_range: tuple[float, float] = (1.0, 1.0),
    splits: list[str] | None = None,
    limit: int | None = None,
    seed: int = 0,
    jobs: int = 1,
    progress: bool = True,
) -> dict:
    """Write ``out``: the utterances of ``source`` (those of ``splits``, the first ``limit``)
    spoken by synthetic speakers: each fixed speaker says every utterance, or, with
    ``alpha_ranges``, each utterance gets a speaker drawn from the ranges. Resumable; returns
    the card."""
    source, out = Path(source), Path(out)
    if (speakers is None) == (alpha_ranges is None):
        raise ValueError("give fixed speakers or warp ranges to draw from, one of the two")
    rows = [r for r in read_metadata(source) if not splits or r[4] in splits][: limit or None]
    if not rows:
        raise ValueError(f"{source}: no utterances in splits {splits}")
    settings = {
        "source": str(source),
        "speakers": [asdict(s) for s in speakers] if speakers else None,
        "alpha_ranges": alpha_ranges,
        "f0_range": list(f0_range) if alpha_ranges else None,
        "splits": sorted(splits) if splits else None,
        "limit": limit,
        "seed": seed,
    }
    card_path = out / "corpus.json"
    if card_path.exists():
        old = json.loads(card_path.read_text(encoding="utf-8"))
        if {k: old.get(k) for k in settings} != json.loads(json.dumps(settings)):
            raise ValueError(f"{out} holds a conversion with other settings; use another --out")
    source_card = json.loads((source / "corpus.json").read_text(encoding="utf-8"))
    card = {
        **settings,
        "engine": f"world-warp of {source_card.get('engine', 'recordings')}",
        "sample_rate": source_card.get("sample_rate"),
        "method": "WORLD (DIO/StoneMask, CheapTrick, D4C): envelope, aperiodicity warped by alpha; F0 scaled",
    }
    for key in ("licence", "provenance", "teacher"):
        if key in source_card:
            card[key] = source_card[key]
    (out / "wavs").mkdir(parents=True, exist_ok=True)
    atomic_write_json(card_path, card)

    planned: list[tuple[list[str], Speaker, str]] = []
    for i, row in enumerate(rows):
        chosen = speakers if speakers else [draw_speaker(seed, i, alpha_ranges, f0_range)]
        for s in chosen:
            utt = f"{row[0]}_{s.name}" if speakers else f"{row[0]}_w"
            planned.append((row, s, utt))
    work = [
        _Job(str(source / "wavs" / f"{r[0]}.wav"), str(out / "wavs" / f"{u}.wav"), s) for r, s, u in planned
    ]
    failed = []
    results = run_jobs(_convert_file, work, jobs, describe=lambda j: j.source)
    for res in tqdm(results, total=len(work), desc="converting", unit="utt", disable=not progress):
        if res:
            failed.append(res)
    rows_out, drawn = [], {}
    for row, s, utt in planned:
        if (out / "wavs" / f"{utt}.wav").exists():
            rows_out.append([utt, row[1], row[2], s.name if speakers else "warped", row[4]])
            drawn[utt] = [s.alpha, s.f0_ratio]
    write_metadata(out, rows_out)
    if alpha_ranges:
        atomic_write_json(out / "speakers.json", drawn)
    card.update(utterances=len(drawn), failed=failed)
    atomic_write_json(card_path, card)
    return card
