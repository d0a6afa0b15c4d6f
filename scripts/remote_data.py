"""Move a built-in corpus and its prepared features to a training machine, small.

A prepared built-in corpus is hours of audio (hundreds of MB). Everything in it is
reproducible from a few MB: the espeak-ng plan of each line (what the frontend decided
to say), the voice, and the per-frame pitch/energy/symbol arrays. So:

    # here, after tts-corpus build + tts-prepare
    python scripts/remote_data.py pack --corpus data/corpus --feats data/feats --out .remote/pack
    # there (espeak-ng on PATH, no frontend dependencies needed)
    python scripts/remote_data.py unpack --pack .remote/pack --corpus data/corpus --feats data/feats

``unpack`` re-renders every WAV with espeak-ng and checks it byte for byte against the
SHA-1 recorded by ``pack``, then recomputes the mel spectrograms with the project's own
feature extractor and checks a few against the originals. Any mismatch is reported and
makes the exit status non-zero.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

CHECK_ITEMS = 5


def _rows(corpus: Path) -> list[list[str]]:
    with open(corpus / "metadata.csv", encoding="utf-8", newline="") as f:
        return list(csv.reader(f, delimiter="|", quoting=csv.QUOTE_NONE, escapechar="\\"))


def pack(corpus: Path, feats: Path, out: Path) -> None:
    from tqdm import tqdm

    from corpus.build import plan
    from frontend import Frontend

    fe = Frontend()
    (out / "items").mkdir(parents=True, exist_ok=True)
    (out / "check").mkdir(exist_ok=True)
    plans = {}
    for utt_id, text, _, speaker, _ in tqdm(_rows(corpus), desc="planning", unit="utt"):
        wav = (corpus / "wavs" / f"{utt_id}.wav").read_bytes()
        plans[utt_id] = {"speaker": speaker, "plan": plan(text, fe)[0], "sha1": hashlib.sha1(wav).hexdigest()}
    (out / "plans.json").write_text(json.dumps(plans, ensure_ascii=False), encoding="utf-8")
    for name in ("metadata.csv", "corpus.json"):
        shutil.copy(corpus / name, out / name)
    for name in ("features.json", "symbols.json", "index.json", "stats.json"):
        shutil.copy(feats / name, out / name)
    for i, path in enumerate(tqdm(sorted((feats / "items").glob("*.npz")), desc="items", unit="utt")):
        with np.load(path) as data:
            arrays = {k: data[k] for k in data.files}
        if i < CHECK_ITEMS:
            np.save(out / "check" / f"{path.stem}.npy", arrays["mel"])
        arrays.pop("mel")
        arrays["f0"] = arrays["f0"].astype(np.float16)
        arrays["energy"] = arrays["energy"].astype(np.float16)
        np.savez_compressed(out / "items" / path.name, **arrays)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    print(f"{out}: {len(plans)} utterances, {size / 2**20:.1f} MiB")


def _restore(job: tuple[dict, dict, str, str, dict]) -> tuple[str, str | None, float]:
    """Render one utterance's WAV and recompute its mel; returns (id, problem, mel difference)."""
    import torch

    from core.audio import load_audio
    from core.features import FeatureConfig, FeatureExtractor
    from corpus.build import VOICES, speak, write_wav

    torch.set_num_threads(1)
    record, entry, pack_dir, feats, config = job
    voice = {v.name: v for v in VOICES}[entry["speaker"]]
    wav = Path(record["audio"])  # already pointed into the new corpus folder
    write_wav(wav, speak([[tuple(s) for s in sentence] for sentence in entry["plan"]], voice))
    if hashlib.sha1(wav.read_bytes()).hexdigest() != entry["sha1"]:
        return record["id"], "audio differs", 0.0
    x = FeatureExtractor(FeatureConfig(**config))
    mel = x.mel(torch.from_numpy(x.preprocess(load_audio(wav, x.config.sample_rate)))).numpy()
    with np.load(Path(pack_dir) / "items" / f"{record['id']}.npz") as data:
        arrays = {k: data[k] for k in data.files}
    if mel.shape[1] != len(arrays["f0"]):
        return record["id"], f"{mel.shape[1]} mel frames, {len(arrays['f0'])} pitch frames", 0.0
    check = Path(pack_dir) / "check" / f"{record['id']}.npy"
    diff = float(np.abs(np.load(check) - mel).max()) if check.exists() else 0.0
    arrays.update(mel=mel, f0=arrays["f0"].astype(np.float32), energy=arrays["energy"].astype(np.float32))
    np.savez(Path(feats) / "items" / f"{record['id']}.npz", **arrays)
    return record["id"], None, diff


def unpack(pack_dir: Path, corpus: Path, feats: Path, jobs: int) -> int:
    from tqdm import tqdm

    plans = json.loads((pack_dir / "plans.json").read_text(encoding="utf-8"))
    (corpus / "wavs").mkdir(parents=True, exist_ok=True)
    (feats / "items").mkdir(parents=True, exist_ok=True)
    for name in ("metadata.csv", "corpus.json"):
        shutil.copy(pack_dir / name, corpus / name)
    for name in ("features.json", "symbols.json", "stats.json"):
        shutil.copy(pack_dir / name, feats / name)
    config = json.loads((feats / "features.json").read_text(encoding="utf-8"))
    config = config.get("features", config)
    records = json.loads((pack_dir / "index.json").read_text(encoding="utf-8"))
    for r in records:  # the audio now lives in this corpus folder
        r["audio"] = str(corpus / "wavs" / f"{r['id']}.wav")
    (feats / "index.json").write_text(json.dumps(records, ensure_ascii=False, indent=1), encoding="utf-8")
    work = [(r, plans[r["id"]], str(pack_dir), str(feats), config) for r in records]
    with ProcessPoolExecutor(jobs) as pool:
        results = list(tqdm(pool.map(_restore, work, chunksize=16), total=len(work), desc="restoring"))
    bad = [(i, why) for i, why, _ in results if why]
    worst = max(d for *_, d in results)
    print(
        f"unpacked {len(records)} utterances; {len(bad)} mismatched {bad[:5] if bad else ''}; "
        f"largest mel difference on the check items {worst:.2e}"
    )
    return 1 if bad or worst > 1e-3 else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    a = sub.add_parser("pack")
    a.add_argument("--corpus", type=Path, required=True)
    a.add_argument("--feats", type=Path, required=True)
    a.add_argument("--out", type=Path, required=True)
    b = sub.add_parser("unpack")
    b.add_argument("--pack", type=Path, required=True)
    b.add_argument("--corpus", type=Path, required=True)
    b.add_argument("--feats", type=Path, required=True)
    b.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = p.parse_args()
    if args.command == "pack":
        pack(args.corpus, args.feats, args.out)
        return 0
    return unpack(args.pack, args.corpus, args.feats, args.jobs)


if __name__ == "__main__":
    sys.exit(main())
