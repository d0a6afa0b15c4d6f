"""Diagnosis: is a duration-informed voice held back by its prosody or by its mels?

    python experiments/voice_oracle_prosody.py --voice tts/voices/baker-distilled \
        --feats data/feats_fs2 --config configs/duration_fs2.yaml --limit 60

For the first ``--limit`` utterances of a prepared split (never trained on), the voice's
acoustic model makes log-mels three ways, each through the shipped Griffin-Lim:

- ``free-running``: everything predicted from text, as ``tts-synthesize`` speaks;
- ``oracle durations``: the corpus's aligned durations, pitch and energy still predicted;
- ``oracle prosody``: the corpus's durations, pitch contour and energy (the training targets).

Each is scored against the corpus audio by MCD-DTW and by both judges (Whisper base,
toneless syllables and characters; the project's recognizer, toned). If the oracle rows are
no better than free-running, the predictors are not what limits the voice: its mel decoder
is. Prints a table and writes JSON (default experiments/results/voice_oracle_prosody.json).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import soundfile as sf
import torch
from tqdm import tqdm
from voice_scoring import score_folders, voice_and_splits, voice_options, write_results

ROOT = Path(__file__).resolve().parents[1]

MODES = ("free-running", "oracle durations", "oracle prosody")


def render(voice, task, dataset, out: Path, limit: int) -> dict[str, Path]:
    """Writes OUT/<mode>/<id>.wav for the first ``limit`` items; → mode → folder."""
    from vocoder.griffin_lim import GriffinLim

    model = voice.acoustic.eval()
    vocoder = GriffinLim(voice.features)
    folders = {m: out / m.replace(" ", "_") for m in MODES}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    for i in tqdm(range(min(limit, len(dataset))), desc="render", unit="utt"):
        name = dataset.records[i]["id"]
        batch = task.collate([dataset[i]])
        with torch.no_grad():
            for mode in MODES:
                if mode == "free-running":
                    mel = model.infer(batch["symbols"], batch["symbol_lengths"]).mel_post[0]
                else:  # the training pass: given durations, and pitch and energy where given
                    oracle = mode == "oracle prosody"
                    out = model(
                        batch["symbols"],
                        batch["symbol_lengths"],
                        batch["mel"],
                        batch["mel_lengths"],
                        pitch=batch["contour"] if oracle else None,
                        energy=batch["energy"] if oracle else None,
                        durations=batch["durations"],
                    )
                    mel = model.denormalize(out.mel_post)[0]
                sf.write(folders[mode] / f"{name}.wav", vocoder(mel).numpy(), voice.sample_rate)
    return folders


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    voice_options(p, "data/oracle_prosody", "experiments/results/voice_oracle_prosody.json")
    p.add_argument("--split", default="test")
    p.add_argument("--limit", type=int, default=60)
    args = p.parse_args()
    torch.set_num_threads(1)

    voice, task, splits = voice_and_splits(args, (args.split,))
    dataset = splits[args.split]
    out = Path(args.out)
    folders = render(voice, task, dataset, out, args.limit)

    results = score_folders(folders, dataset.records[: args.limit], out, voice.features, args.recognizer)
    write_results(
        args,
        {"split": args.split, "utterances": min(args.limit, len(dataset))},
        results,
    )


if __name__ == "__main__":
    main()
