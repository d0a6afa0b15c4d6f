"""Griffin-Lim settings on copy synthesis: iterations, momentum, magnitude power, initial phase.

    python experiments/griffin_lim_settings.py --feats data/feats1 --split test --limit 60

Each reference recording's own mel goes through Griffin-Lim with each setting; the vocoded
audio is scored against the recording (MCD-DTW, log-F0 RMSE, voiced/unvoiced error, as
``tts-eval``) and by the shipped recognizer (syllable error rate, toned and with tones
ignored, corpus level; the recordings themselves are the first row). The n-th utterance is
vocoded after ``torch.manual_seed(n)`` for every setting. Real-time factor: vocoder
seconds / audio seconds with the stated thread count. Prints a table, writes JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

SETTINGS = [  # name, n_iter, momentum, power, init, phase_power (None: power)
    ("32 it, momentum .99, random (old default)", 32, 0.99, 1.0, "random", None),
    ("16 it", 16, 0.99, 1.0, "random", None),
    ("64 it", 64, 0.99, 1.0, "random", None),
    ("100 it", 100, 0.99, 1.0, "random", None),
    ("32 it, no momentum (plain)", 32, 0.0, 1.0, "random", None),
    ("32 it, zero phase", 32, 0.99, 1.0, "zeros", None),
    ("32 it, SPSI phase", 32, 0.99, 1.0, "spsi", None),
    ("32 it, power 1.2", 32, 0.99, 1.2, "random", None),
    ("32 it, power 1.5", 32, 0.99, 1.5, "random", None),
    ("32 it, SPSI, power 1.2", 32, 0.99, 1.2, "spsi", None),
    ("64 it, SPSI, power 1.2", 64, 0.99, 1.2, "spsi", None),
    ("32 it, SPSI, phase searched at power 1.2", 32, 0.99, 1.0, "spsi", 1.2),
    ("32 it, SPSI, phase searched at power 1.5", 32, 0.99, 1.0, "spsi", 1.5),
    ("64 it, SPSI, phase searched at power 1.2", 64, 0.99, 1.0, "spsi", 1.2),
    ("32 it, SPSI, phase searched at power 2", 32, 0.99, 1.0, "spsi", 2.0),
    ("16 it, SPSI, phase searched at power 1.5", 16, 0.99, 1.0, "spsi", 1.5),
    ("32 it, random, phase searched at power 1.5", 32, 0.99, 1.0, "random", 1.5),
    ("16 it, SPSI, phase searched at power 1.2", 16, 0.99, 1.0, "spsi", 1.2),
    ("24 it, SPSI, phase searched at power 1.2", 24, 0.99, 1.0, "spsi", 1.2),
]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--feats", default="data/feats1", help="a prepared feature folder (tts-prepare)")
    p.add_argument("--split", default="test")
    p.add_argument("--limit", type=int, default=60, help="utterances of the split (0: all)")
    p.add_argument("--only", nargs="*", type=int, help="indices of SETTINGS to run (default: all)")
    p.add_argument(
        "--voice",
        help="also vocode what this voice (a folder, or 'default') says for each "
        "sentence, and score it the same way (columns voice_*)",
    )
    p.add_argument("--json", default="experiments/results/griffin_lim_settings.json")
    args = p.parse_args()

    import numpy as np
    import torch

    from core.audio import load_audio
    from core.data.prepare import prepared_feature_settings
    from core.features import FeatureConfig, FeatureExtractor
    from evaluation.compare import Comparer
    from evaluation.evaluate import _records
    from recognizer.api import DEFAULT_RECOGNIZER, Recognizer
    from recognizer.metrics import error_rate, toneless_error_rate
    from vocoder.griffin_lim import GriffinLim

    config = FeatureConfig(**prepared_feature_settings(args.feats))
    extractor, comparer = FeatureExtractor(config), Comparer(config)
    asr = Recognizer.load(DEFAULT_RECOGNIZER)
    records = _records(Path(args.feats), args.split, args.limit or None)
    refs = [r["pinyin"].split() for r in records]
    audios = [load_audio(r["audio"], config.sample_rate) for r in records]
    mels = [extractor.mel(extractor.preprocess(a)) for a in audios]
    audio_s = sum(m.shape[1] for m in mels) * config.hop_length / config.sample_rate

    def errors(hyps):
        return (
            error_rate(refs, hyps),
            toneless_error_rate(refs, hyps),
        )

    synth = None
    if args.voice:
        from synthesis.pipeline import Synthesizer

        synth = Synthesizer(None if args.voice == "default" else args.voice, vocoder="griffin-lim")
    rows = []
    toned, toneless = errors(asr.transcribe_audio(audios, config.sample_rate))
    rows.append({"setting": "recordings", "cer": toned, "cer_toneless": toneless})
    chosen = [SETTINGS[i] for i in args.only] if args.only else SETTINGS
    for name, n_iter, momentum, power, init, phase_power in chosen:
        gl = GriffinLim(
            config, n_iter=n_iter, power=power, momentum=momentum, init=init, phase_power=phase_power
        )
        waves, seconds, metrics = [], 0.0, []
        for n, mel in enumerate(mels):
            torch.manual_seed(n)
            t = time.perf_counter()
            wave = gl(mel).numpy()
            seconds += time.perf_counter() - t
            waves.append(wave)
            metrics.append(comparer.compare(audios[n], wave)[0])
        toned, toneless = errors(asr.transcribe_audio(waves, config.sample_rate))
        mean = lambda k: float(np.nanmean([m[k] for m in metrics]))
        rows.append(
            {
                "setting": name,
                "n_iter": n_iter,
                "momentum": momentum,
                "power": power,
                "init": init,
                "phase_power": phase_power or power,
                "cer": toned,
                "cer_toneless": toneless,
                "mcd_db": mean("mcd_db"),
                "log_f0_rmse_cents": mean("log_f0_rmse_cents"),
                "vuv_error": mean("vuv_error"),
                "rtf": seconds / audio_s,
            }
        )
        r = rows[-1]
        if synth is not None:
            synth.vocoder = gl
            spoken, voice_metrics = [], []
            for n, rec in enumerate(records):
                torch.manual_seed(n)
                spoken.append(synth(rec["text"]))
                voice_metrics.append(comparer.compare(audios[n], spoken[-1])[0])
            r["voice_cer"], r["voice_cer_toneless"] = errors(asr.transcribe_audio(spoken, config.sample_rate))
            r["voice_mcd_db"] = float(np.nanmean([m["mcd_db"] for m in voice_metrics]))
            print(
                f"{'':<44} voice: toned {r['voice_cer']:.4f}  toneless {r['voice_cer_toneless']:.4f}  "
                f"MCD {r['voice_mcd_db']:.3f} dB",
                flush=True,
            )
        print(
            f"{name:<44} toned {r['cer']:.4f}  toneless {r['cer_toneless']:.4f}  MCD {r['mcd_db']:.3f} dB  "
            f"F0 {r['log_f0_rmse_cents']:.1f} c  V/UV {r['vuv_error']:.3f}  RTF {r['rtf']:.4f}",
            flush=True,
        )

    print(
        f"\n{len(records)} {args.split} utterances of {args.feats} ({audio_s:.0f} s), "
        f"{torch.get_num_threads()} threads, {os.cpu_count()} cores"
    )
    voice_head = " voice: toned | voice: tones ignored | voice: MCD-DTW |" if synth else ""
    print(
        "| setting | syllable error, toned | tones ignored | MCD-DTW (dB) | log-F0 RMSE (cents) | V/UV "
        "error "
        f"| RTF |{voice_head}"
    )
    print("|---|---|---|---|---|---|---|" + ("---|---|---|" if synth else ""))
    for r in rows:
        if "mcd_db" not in r:
            print(
                f"| {r['setting']} | {r['cer']:.4f} | {r['cer_toneless']:.4f} | 0 | 0 | 0 | |"
                + (" | | |" if synth else "")
            )
            continue
        voice = (
            f" {r['voice_cer']:.4f} | {r['voice_cer_toneless']:.4f} | {r['voice_mcd_db']:.3f} |"
            if "voice_cer" in r
            else ""
        )
        print(
            f"| {r['setting']} | {r['cer']:.4f} | {r['cer_toneless']:.4f} | {r['mcd_db']:.3f} | "
            f"{r['log_f0_rmse_cents']:.1f} | {r['vuv_error']:.3f} | {r['rtf']:.4f} |{voice}"
        )
    result = {
        "feats": args.feats,
        "split": args.split,
        "utterances": len(records),
        "audio_seconds": audio_s,
        "voice": args.voice,
        "threads": torch.get_num_threads(),
        "cores": os.cpu_count(),
        "rows": rows,
    }
    old = Path(args.json)
    if args.only and old.is_file():  # a partial run updates the rows it ran
        previous = json.loads(old.read_text(encoding="utf-8"))
        if (
            previous.get("feats"),
            previous.get("split"),
            previous.get("utterances"),
            previous.get("voice"),
        ) == (args.feats, args.split, len(records), args.voice):
            ran = {r["setting"] for r in rows}
            result["rows"] = [r for r in previous["rows"] if r["setting"] not in ran] + rows
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps(result, indent=1), encoding="utf-8")
    print(f"wrote {args.json}")


if __name__ == "__main__":
    main()
