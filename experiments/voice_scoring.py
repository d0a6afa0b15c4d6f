"""Scoring shared by the voice experiments: folders of WAVs rendered for a prepared split's
utterances, each scored against the corpus audio by MCD-DTW and both judges."""

from __future__ import annotations

from pathlib import Path


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
