"""What the voice experiments share: a voice with the prepared splits of its corpus, and the
scoring of folders of WAVs rendered for a split's utterances against the corpus audio, by
MCD-DTW and both judges."""

from __future__ import annotations

from pathlib import Path


def voice_options(parser, out: str, json_path: str) -> None:
    """The arguments every voice experiment takes: --voice --feats --config --recognizer
    --out --json."""
    parser.add_argument("--voice", default="tts/voices/baker-distilled")
    parser.add_argument("--feats", default="data/feats_fs2")
    parser.add_argument("--config", default="configs/duration_fs2.yaml", help="the voice's training config")
    parser.add_argument("--recognizer", default="recognizer/pretrained/crnn_engines.pt")
    parser.add_argument("--out", default=out)
    parser.add_argument("--json", default=json_path)


def voice_and_splits(args, splits: tuple[str, ...]):
    """→ (voice, its acoustic task, {split: FeatureDataset}) for ``args`` of ``voice_options``:
    the splits of ``args.feats`` with their aligned durations, normalized as the voice was."""
    from core.config import from_dict, load_yaml
    from core.data.align import load_durations
    from synthesis.voice import load_voice
    from tts.data.loader import FeatureDataset
    from tts.training.acoustic import AcousticRunConfig, AcousticTask

    voice = load_voice(args.voice)
    config = from_dict(AcousticRunConfig, load_yaml(args.config))
    config.data.features_dir = args.feats
    task = AcousticTask(config)
    task.start_from(voice.acoustic.state_dict())  # the voice's normalization
    durations = load_durations(task.dir)
    datasets = {}
    for split in splits:
        datasets[split] = FeatureDataset(task.dir, split, task.speakers, 100_000, durations)
        datasets[split].normalize_with(task.stats)
    return voice, task, datasets


def score_folders(
    folders: dict[str, Path], records: list[dict], out: Path, features, recognizer: str
) -> dict:
    """folders: name → folder of ``<id>.wav`` for ``records`` (index.json rows with ``id``,
    ``audio`` and ``text``). Links the corpus audio under ``OUT/reference``, writes
    ``OUT/texts.txt`` and scores every folder: MCD-DTW, Whisper base (toneless syllables and
    characters) and ``recognizer`` (toned), with the reference audio's own figures. Prints a
    table; → name → figures."""
    from evaluation.evaluate import folder_pairs, score
    from recognizer.whisper import WhisperJudge

    references, texts = out / "reference", out / "texts.txt"
    references.mkdir(parents=True, exist_ok=True)
    lines = []
    for r in records:
        link = references / f"{r['id']}.wav"
        if not link.exists():
            link.symlink_to(Path(r["audio"]).resolve())
        lines.append(f"{r['id']}|{r['text']}")
    texts.write_text("\n".join(lines) + "\n", encoding="utf-8")

    whisper = WhisperJudge.load()
    results = {}
    for name, folder in folders.items():
        report = score(folder_pairs(folder, references, texts), features, recognizer, 0, True, whisper)
        results[name] = {
            "mcd_db": round(report["aggregate"]["mcd_db"]["mean"], 3),
            "whisper_toneless": round(report["whisper"]["syllable_error_toneless_synthesized"], 4),
            "whisper_cer": round(report["whisper"]["cer_synthesized"], 4),
            "recognizer_toned": round(report["intelligibility"]["cer_synthesized"], 4),
            "reference_whisper_toneless": round(report["whisper"]["syllable_error_toneless_reference"], 4),
            "reference_recognizer_toned": round(report["intelligibility"]["cer_reference"], 4),
        }
    width = max(len(name) for name in results) + 1
    header = f"{'MCD dB':>7} {'Whisper toneless':>17} {'Whisper chars':>14} {'recognizer toned':>17}"
    print(f"{'':{width}} {header}")
    for name, r in results.items():
        print(
            f"{name:{width}} {r['mcd_db']:7.2f} {r['whisper_toneless']:17.1%} {r['whisper_cer']:14.1%} "
            f"{r['recognizer_toned']:17.1%}"
        )
    return results


def write_results(args, fields: dict, results: dict) -> None:
    """Writes ``args.json``: the command, the voice, corpus, vocoder and recognizer, then
    ``fields`` and the results (name → figures)."""
    import json
    import sys

    path = Path(args.json)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "command": "python " + " ".join(sys.argv),
        "voice": args.voice,
        "feats": args.feats,
        **fields,
        "vocoder": "Griffin-Lim (shipped settings)",
        "recognizer": args.recognizer,
        "results": results,
    }
    path.write_text(json.dumps(record, indent=1, ensure_ascii=False))
