"""Diagnosis: is a voice held back by over-smoothed mels, and does a post-filter help?

    python experiments/voice_postfilter.py                       # post-filters on the voice
    python experiments/voice_postfilter.py --cepstral "" --temporal "" --both "" --degrade \
        --out data/postfilter_degrade --json experiments/results/voice_postfilter_degrade.json

A model trained to the mean of its targets tends to make mels that vary too little. Over
``--stat-items`` training utterances this measures, for the recordings and for the voice's
free-running mels: each log-mel band's variance over time (GV), its mean squared
frame-to-frame change (``delta``: how steep the transitions are) and the power of each
cepstral coefficient of the log-mel over the louder frames (``cepstrum``: how sharp the
spectral peaks are). Then, on the first ``--limit`` test utterances:

- post-filters on the voice (no retraining): ``cepstral S`` multiplies each cepstral
  coefficient by sqrt(recordings' power / voice's) ** S, at most ``--max-gain``;
  ``temporal A`` adds A · (mel − its 3-frame moving average);
- ``--degrade``: the voice's measured deficits imposed on the recordings (their cepstral
  coefficients scaled down to the voice's power, a 3-frame blur matching the voice's
  frame-to-frame change). If the degraded recordings stay as intelligible as the
  recordings, over-smoothing is not what makes the voice hard to understand.

Every variant goes through the shipped Griffin-Lim and is scored against the corpus audio
by MCD-DTW and both judges (Whisper base, toneless syllables; the project's recognizer,
toned). Prints a table, writes JSON (default experiments/results/voice_postfilter.json).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import soundfile as sf
import torch
import torchaudio
from tqdm import tqdm
from voice_scoring import score_folders, voice_and_splits, voice_options, write_results

ROOT = Path(__file__).resolve().parents[1]


def statistics(mel: torch.Tensor, dct: torch.Tensor) -> dict[str, torch.Tensor]:
    """(n_mels, T) log-mel → per band: variance over time (``gv``) and mean squared
    frame-to-frame change (``delta``); per cepstral coefficient: mean square over the louder
    70% of frames (``cepstrum``)."""
    loud = mel.mean(0) > torch.quantile(mel.mean(0), 0.3)
    return {
        "gv": mel.var(dim=1, unbiased=False),
        "delta": mel.diff(dim=1).pow(2).mean(1),
        "cepstrum": (dct @ mel[:, loud]).pow(2).mean(1),
    }


def cepstral_emphasis(mel: torch.Tensor, gain: torch.Tensor, dct: torch.Tensor) -> torch.Tensor:
    """(n_mels, T) log-mel, (n_mels,) gain per cepstral coefficient → log-mel with sharper
    spectral peaks (the mel-cepstral post-filter of HMM synthesis)."""
    return dct.T @ ((dct @ mel) * gain[:, None])


def temporal_sharpening(mel: torch.Tensor, amount: float, width: int = 3) -> torch.Tensor:
    """(n_mels, T) log-mel → mel + amount · (mel − its moving average over ``width`` frames):
    steeper transitions between sounds."""
    padded = torch.nn.functional.pad(mel[None], (width // 2, width // 2), mode="replicate")
    smooth = torch.nn.functional.avg_pool1d(padded, width, stride=1)[0]
    return mel + amount * (mel - smooth)


def mean_statistics(model, task, dataset, items: int, dct) -> tuple[dict, dict]:
    """→ mean statistics (``statistics``) of the recordings and of the voice's free-running
    mels over the first ``items`` utterances."""
    natural, voice = [], []
    for i in tqdm(range(min(items, len(dataset))), desc="statistics", unit="utt"):
        batch = task.collate([dataset[i]])
        with torch.no_grad():
            mel = model.infer(batch["symbols"], batch["symbol_lengths"]).mel_post[0]
        natural.append(statistics(model.denormalize(batch["mel"])[0], dct))
        voice.append(statistics(mel, dct))

    def mean(rows):
        return {k: torch.stack([r[k] for r in rows]).mean(0) for k in rows[0]}

    return mean(natural), mean(voice)


def matching_blur(dataset, task, model, target: float, natural: dict, items: int = 50) -> float:
    """The negative sharpening amount (a blur over 3 frames) that brings the recordings' mean
    squared frame-to-frame change, relative to their own (``natural["delta"]``), nearest to
    ``target`` (the voice's)."""
    mels = [model.denormalize(task.collate([dataset[i]])["mel"])[0] for i in range(min(items, len(dataset)))]
    best, best_gap = 0.0, float("inf")
    for amount in (-0.25, -0.5, -0.75, -1.0, -1.5):
        delta = torch.stack([temporal_sharpening(m, amount).diff(dim=1).pow(2).mean(1) for m in mels]).mean(0)
        achieved = float((delta / natural["delta"].clamp_min(1e-8)).mean())
        if abs(achieved - target) < best_gap:
            best, best_gap = amount, abs(achieved - target)
    print(f"blur {best}: frame-to-frame change within {best_gap:.2f} of {target:.2f} of the recordings'")
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    voice_options(p, "data/postfilter", "experiments/results/voice_postfilter.json")
    p.add_argument("--limit", type=int, default=60, help="test utterances scored")
    p.add_argument("--stat-items", type=int, default=200, help="training utterances for the statistics")
    p.add_argument("--cepstral", default="1.0", help="cepstral post-filter strengths tried")
    p.add_argument("--max-gain", type=float, default=1.5, help="largest cepstral gain")
    p.add_argument("--temporal", default="0.5,1.0", help="temporal sharpening amounts tried")
    p.add_argument("--both", default="1.0,0.5", help="a cepstral strength and a sharpening amount together")
    p.add_argument("--degrade", action="store_true", help="impose the voice's deficits on the recordings")
    args = p.parse_args()
    torch.set_num_threads(1)

    from vocoder.griffin_lim import GriffinLim

    voice, task, splits = voice_and_splits(args, ("train", "test"))
    model = voice.acoustic.eval()
    train, test = splits["train"], splits["test"]

    n = voice.features.n_mels
    dct = torchaudio.functional.create_dct(n, n, norm="ortho").T  # cepstrum = dct @ log-mel
    natural, synthesized = mean_statistics(model, task, train, args.stat_items, dct)
    ratio = {k: synthesized[k] / natural[k].clamp_min(1e-8) for k in natural}
    for k, r in ratio.items():
        print(f"{k} voice / recordings (every 8th):", [round(float(x), 2) for x in r[::8]])
    boost = (1 / ratio["cepstrum"]).sqrt().clamp(1.0, args.max_gain)
    boost[0] = 1.0  # the loudness stays
    # name → (whose mel: "voice" or "recordings", what is done to it)
    variants = {"voice": ("voice", lambda mel: mel)}
    for s in (float(x) for x in args.cepstral.split(",") if x):
        variants[f"voice, cepstral {s:g}"] = ("voice", lambda mel, g=boost**s: cepstral_emphasis(mel, g, dct))
    for a in (float(x) for x in args.temporal.split(",") if x):
        variants[f"voice, temporal {a:g}"] = ("voice", lambda mel, a=a: temporal_sharpening(mel, a))
    if args.both:
        s, a = (float(x) for x in args.both.split(","))
        variants[f"voice, cepstral {s:g} + temporal {a:g}"] = (
            "voice",
            lambda mel, g=boost**s, a=a: temporal_sharpening(cepstral_emphasis(mel, g, dct), a),
        )
    degrade = {}
    if args.degrade:  # the voice's measured deficits imposed on the recordings
        loss = ratio["cepstrum"].clamp(max=1.0).sqrt()
        loss[0] = 1.0
        blur = matching_blur(train, task, model, float(ratio["delta"].mean()), natural)
        degrade = {"cepstral_factor": [round(float(x), 3) for x in loss], "temporal_amount": blur}
        variants["recordings"] = ("recordings", lambda mel: mel)
        variants["recordings, voice's spectral detail"] = (
            "recordings",
            lambda mel: cepstral_emphasis(mel, loss, dct),
        )
        variants["recordings, voice's temporal detail"] = (
            "recordings",
            lambda mel: temporal_sharpening(mel, blur),
        )
        variants["recordings, both"] = (
            "recordings",
            lambda mel: temporal_sharpening(cepstral_emphasis(mel, loss, dct), blur),
        )
    floor = float(torch.log(torch.tensor(voice.features.log_floor)))

    out = Path(args.out)
    vocoder = GriffinLim(voice.features)
    folders = {name: out / name.replace(" ", "_") for name in variants}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    limit = min(args.limit, len(test))
    for i in tqdm(range(limit), desc="render", unit="utt"):
        batch = task.collate([test[i]])
        with torch.no_grad():
            mels = {
                "voice": model.infer(batch["symbols"], batch["symbol_lengths"]).mel_post[0],
                "recordings": model.denormalize(batch["mel"])[0],
            }
        for name, (source, apply) in variants.items():
            wav = vocoder(apply(mels[source]).clamp_min(floor)).numpy()
            sf.write(folders[name] / f"{test.records[i]['id']}.wav", wav, voice.sample_rate)

    results = score_folders(folders, test.records[:limit], out, voice.features, args.recognizer)
    write_results(
        args,
        {
            "test_utterances": limit,
            "statistics_training_utterances": min(args.stat_items, len(train)),
            "voice_over_recordings": {k: [round(float(x), 3) for x in r] for k, r in ratio.items()},
            "cepstral_gain": [round(float(x), 3) for x in boost],
            "degradation": degrade,
        },
        results,
    )


if __name__ == "__main__":
    main()
