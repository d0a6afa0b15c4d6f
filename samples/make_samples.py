"""Make the sample WAVs of samples/texts.txt with a voice, and samples/README.md.

    python samples/make_samples.py --recognizer recognizer/pretrained/crnn_builtin.pt --whisper

Each text (none of them is in the built-in corpus: checked against data/corpus when it
exists) is synthesized with the default voice through Griffin-Lim (and WaveGlow when the
voice has one), plus pitch and energy control examples of the first text. The README lists,
per sample, what each judge heard and its error: with ``--recognizer``, the project's
recognizer (toned syllables); with ``--whisper``, Whisper base (trained on human speech;
toneless syllables).
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import soundfile as sf

HERE = Path(__file__).resolve().parent
CONTROLS = (
    ("pitch_down4", {"pitch_shift": -4.0}),
    ("pitch_up4", {"pitch_shift": 4.0}),
    ("energy_0.6", {"energy_scale": 0.6}),
    ("energy_1.5", {"energy_scale": 1.5}),
)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--voice", default=None, help="voice folder (default: the shipped one)")
    p.add_argument("--recognizer", help="recognizer checkpoint for the README's error rates")
    p.add_argument("--whisper", action="store_true", help="Whisper base's transcript and error beside it")
    p.add_argument("--corpus", default="data/corpus", help="built-in corpus to check the texts against")
    args = p.parse_args()

    from frontend import Frontend
    from recognizer.metrics import error_rate
    from synthesis.catalogue import DEFAULT_VOICE
    from synthesis.pipeline import Synthesizer

    texts = [
        line.split("|", 1) for line in (HERE / "texts.txt").read_text(encoding="utf-8").splitlines() if line
    ]
    meta = Path(args.corpus) / "metadata.csv"
    if meta.exists():
        with open(meta, encoding="utf-8", newline="") as f:
            seen = {row[1] for row in csv.reader(f, delimiter="|", quoting=csv.QUOTE_NONE, escapechar="\\")}
        clash = [name for name, text in texts if text in seen]
        if clash:
            sys.exit(f"these sample texts are in the training corpus: {clash}")
    vocoders = ["griffin-lim"]
    synths = {v: Synthesizer(args.voice, vocoder=v) for v in vocoders}
    if synths["griffin-lim"].voice.vocoder is not None:
        synths["waveglow"] = Synthesizer(args.voice, vocoder="waveglow")
    jobs = [(f"{name}.{v}", text, v, {}) for name, text in texts for v in synths]
    jobs += [(f"{texts[0][0]}.{tag}", texts[0][1], "griffin-lim", kw) for tag, kw in CONTROLS]
    asr = None
    if args.recognizer:
        from recognizer.api import Recognizer

        asr, fe = Recognizer.load(args.recognizer), Frontend()
    whisper = None
    if args.whisper:
        from recognizer.whisper import WhisperJudge

        whisper = WhisperJudge.load()
    rows = []
    for stem, text, v, kw in jobs:
        synth = synths[v]
        audio = synth(text, **kw)
        path = HERE / f"{stem}.wav"
        sf.write(path, audio, synth.sample_rate, subtype="PCM_16")
        heard, cer = "", None
        if asr is not None:
            ref = [s for u in fe(text) for s in u.pinyin]
            hyp = asr.transcribe([path])[0]
            heard, cer = " ".join(hyp), error_rate([ref], [hyp])
        w_heard, w_err = "", None
        if whisper is not None:
            w = whisper.score([audio], synth.sample_rate, [text])
            w_heard, w_err = w["hypotheses"][0], w["syllable_error_toneless"]
        rows.append((stem, text, v, kw, heard, cer, w_heard, w_err, len(audio) / synth.sample_rate))
        print(
            f"{path.name}: {len(audio) / synth.sample_rate:.2f} s"
            + (f", recognizer error {cer:.2f}" if cer is not None else "")
            + (f", Whisper error {w_err:.2f}" if w_err is not None else "")
        )
    card = synths["griffin-lim"].voice.card
    folder = Path(args.voice) if args.voice else DEFAULT_VOICE
    try:
        folder = folder.resolve().relative_to(HERE.parent)
    except ValueError:
        pass
    command = " ".join(["python", "samples/make_samples.py", *sys.argv[1:]])
    lines = [
        "# Samples",
        "",
        f"Made by `{command}` with the voice `{folder}` (licence: {card.get('licence', 'see its card')}). "
        "None of these texts is in a training corpus.",
        "Two judges, neither a human listener: the project's recognizer "
        f"(`{args.recognizer or 'not run'}`; toned syllable error) and Whisper base (trained on human "
        "speech; toneless syllable error).",
        "",
        "| file | text | vocoder | control | seconds | recognizer heard | recognizer error | Whisper heard "
        "| Whisper error |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for stem, text, v, kw, heard, cer, w_heard, w_err, secs in rows:
        control = ", ".join(f"{k}={val}" for k, val in kw.items()) or "–"
        lines.append(
            f"| [{stem}.wav]({stem}.wav) | {text} | {v} | {control} | {secs:.2f} | {heard or '–'} | "
            f"{'–' if cer is None else f'{cer:.2f}'} | {w_heard or '–'} | "
            f"{'–' if w_err is None else f'{w_err:.2f}'} |"
        )
    (HERE / "README.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
