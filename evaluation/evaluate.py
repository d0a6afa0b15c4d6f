"""Score synthesized speech against references: the three modes of ``tts-eval``.

- ``synthesize_split``: a voice reads every sentence of a prepared corpus split;
- ``folder_pairs``: two folders of WAVs matched by file name;
- ``copy_synthesis``: each reference's own mel through a vocoder (the floor of vocoder error).

Each mode yields ``Pair``s (reference WAV, synthesized WAV, text); ``score`` computes the
metrics of every pair (``evaluation.compare``), the recognizer's error rate on both sides,
and the aggregates with 95% confidence intervals.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
import torch
from tqdm import tqdm

from core.audio import AudioError, load_audio
from core.features import FeatureConfig
from synthesis.sentences import Timings

from .compare import Comparer
from .stats import mean_ci

METRICS = ("mcd_db", "log_f0_rmse_cents", "vuv_error", "mel_l1", "mel_cosine", "duration_ratio")


@dataclass
class Pair:
    id: str
    reference: Path
    synthesized: Path
    text: str | None = None
    pinyin: list[str] | None = None  # reference syllables, when known
    alignment: np.ndarray | None = None  # (decoder steps, symbols), mode (a) only


def rtf_summary(report: Timings, warm_up: str) -> dict:
    """Real-time factors per stage (compute seconds / audio seconds), with the conditions."""
    a = max(report.audio_seconds, 1e-9)
    return {
        "acoustic": report.acoustic_seconds / a,
        "vocoder": report.vocoder_seconds / a,
        "end_to_end": report.rtf,
        "audio_seconds": report.audio_seconds,
        "threads": torch.get_num_threads(),
        "warm_up": warm_up,
    }


def _records(feats: Path, split: str, limit: int | None) -> list[dict]:
    index = Path(feats) / "index.json"
    if not index.is_file():
        raise ValueError(f"{feats}: no index.json; run tts-prepare on the corpus first")
    records = [r for r in json.loads(index.read_text(encoding="utf-8")) if r["split"] == split]
    if not records:
        raise ValueError(f"{feats}: the {split} split is empty")
    return records[:limit] if limit else records


def synthesize_split(
    voice,
    feats: Path,
    split: str,
    out: Path,
    vocoder: str = "griffin-lim",
    limit: int | None = None,
    progress: bool = True,
) -> tuple[list[Pair], dict, FeatureConfig]:
    """Mode (a): the voice reads each sentence of the split (with the record's speaker if the
    voice has it). Synthesized WAVs go to ``out/audio``. ``voice``: a folder (None: the
    shipped voice) or a ready ``Synthesizer``. The n-th sentence is synthesized after
    ``torch.manual_seed(n)``, so runs (and backends) draw the same prenet dropout."""
    from synthesis.pipeline import Synthesizer

    synth = voice if isinstance(voice, Synthesizer) else Synthesizer(voice, vocoder=vocoder)
    synth("预热。")  # warm-up, not timed
    timings = Timings()
    (out / "audio").mkdir(parents=True, exist_ok=True)
    pairs = []
    for n, r in enumerate(
        tqdm(_records(feats, split, limit), desc="synthesizing", unit="utt", disable=not progress)
    ):
        speaker = r.get("speaker") if r.get("speaker") in synth.voice.speakers else None
        torch.manual_seed(n)
        result = synth.synthesize(r["text"], speaker=speaker)
        timings += result.timings
        path = out / "audio" / f"{r['id']}.syn.wav"
        sf.write(path, result.audio, synth.sample_rate, subtype="PCM_16")
        pairs.append(
            Pair(
                r["id"],
                Path(r["audio"]),
                path,
                r["text"],
                r.get("pinyin", "").split() or None,
                result.sentences[0].alignment if len(result.sentences) == 1 else None,
            )
        )
    return (
        pairs,
        rtf_summary(timings, "one sentence synthesized and discarded before timing"),
        synth.voice.features,
    )


def folder_pairs(
    synthesized: Path, reference: Path, texts: Path | None = None, unmatched: list[str] | None = None
) -> list[Pair]:
    """Mode (b): WAVs with the same file name in both folders. ``texts``: optional
    ``name|text`` lines (LJSpeech style) for the recognizer's error rate. Files found in
    one folder only are described in ``unmatched`` (one line per folder), if given."""
    for d in (synthesized, reference):
        if not Path(d).is_dir():
            raise ValueError(f"{d}: not a folder")
    syn = {p.stem: p for p in sorted(Path(synthesized).glob("*.wav"))}
    ref = {p.stem: p for p in sorted(Path(reference).glob("*.wav"))}
    common = sorted(set(syn) & set(ref))
    if not common:
        raise ValueError(f"no WAV names in common between {synthesized} and {reference}")
    for folder, names in (
        (synthesized, sorted(set(syn) - set(ref))),
        (reference, sorted(set(ref) - set(syn))),
    ):
        if names and unmatched is not None:
            shown = ", ".join(f"{n}.wav" for n in names[:5]) + (", ..." if len(names) > 5 else "")
            unmatched.append(f"{len(names)} WAV file(s) only in {folder}, left out: {shown}")
    known = {}
    if texts is not None:
        for n, line in enumerate(Path(texts).read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                name, sep, text = line.partition("|")
                if not sep:
                    raise ValueError(f"{texts}:{n}: expected name|text")
                known[name.strip()] = text.split("|")[0].strip()
    return [Pair(n, ref[n], syn[n], known.get(n)) for n in common]


def copy_synthesis(
    vocoder: str,
    feats: Path,
    split: str,
    out: Path,
    limit: int | None = None,
    sigma: float = 0.6,
    progress: bool = True,
) -> tuple[list[Pair], dict, FeatureConfig]:
    """Mode (c): each reference's mel through ``vocoder`` ("griffin-lim", a voice folder or
    a WaveGlow training checkpoint)."""
    from core.data.prepare import prepared_feature_settings
    from core.features import FeatureExtractor
    from vocoder.griffin_lim import GriffinLim

    config = FeatureConfig(**prepared_feature_settings(feats))
    extractor = FeatureExtractor(config)
    run = GriffinLim(config) if vocoder == "griffin-lim" else _load_waveglow(Path(vocoder), config, sigma)
    (out / "audio").mkdir(parents=True, exist_ok=True)
    pairs, timing = [], Timings()
    for r in tqdm(_records(feats, split, limit), desc="copy synthesis", unit="utt", disable=not progress):
        mel = extractor.mel(extractor.preprocess(load_audio(r["audio"], config.sample_rate)))
        t0 = time.perf_counter()
        with torch.no_grad():
            audio = run(mel).float().numpy()
        timing.vocoder_seconds += time.perf_counter() - t0
        timing.audio_seconds += len(audio) / config.sample_rate
        path = out / "audio" / f"{r['id']}.syn.wav"
        sf.write(path, audio, config.sample_rate, subtype="PCM_16")
        pairs.append(Pair(r["id"], Path(r["audio"]), path, r["text"], r.get("pinyin", "").split() or None))
    return pairs, rtf_summary(timing, "none (vocoder only)"), config


def _load_waveglow(path: Path, config: FeatureConfig, sigma: float):
    """A voice folder's WaveGlow or a vocoder checkpoint's, as a vocoder without denoiser."""
    from core.checkpoint import load_checkpoint
    from synthesis.voice import load_voice
    from vocoder.waveglow import WaveGlowVocoder, waveglow_from_checkpoint

    if path.is_dir():
        model = load_voice(path).vocoder
        if model is None:
            raise ValueError(f"{path} has no WaveGlow")
    else:
        try:
            model = waveglow_from_checkpoint(load_checkpoint(path))
        except ValueError as err:
            raise ValueError(f"{path} is {err}") from None
    return WaveGlowVocoder(model, config.sample_rate, sigma, denoise=0.0)


def score(
    pairs: list[Pair],
    features: FeatureConfig,
    recognizer: str | Path | None = None,
    keep_details: int = 8,
    progress: bool = True,
    whisper=None,
) -> dict:
    """Metrics of every pair, both judges' error rates, aggregates. Returns the report dict
    (``details`` holds the analyses of the first ``keep_details`` pairs, for plots).
    ``recognizer``: the project's recognizer (a checkpoint or folder; None: not scored);
    ``whisper``: a ``WhisperJudge`` (None: not scored)."""
    comparer = Comparer(features)
    rows, details, skipped = [], [], []
    for pair in tqdm(pairs, desc="scoring", unit="utt", disable=not progress):
        try:
            ref = load_audio(pair.reference, features.sample_rate)
            syn = load_audio(pair.synthesized, features.sample_rate)
            metrics, detail = comparer.compare(ref, syn)
        except (AudioError, ValueError) as err:
            skipped.append(f"{pair.id}: {err}")
            continue
        rows.append(
            {
                "id": pair.id,
                "text": pair.text,
                "reference": str(pair.reference),
                "synthesized": str(pair.synthesized),
                **metrics,
            }
        )
        if len(details) < keep_details:
            details.append({"id": pair.id, **detail, "alignment": pair.alignment})
    if not rows:
        raise ValueError("no pair could be scored: " + "; ".join(skipped[:3]))
    report = {
        "utterances": rows,
        "skipped": skipped,
        "aggregate": {m: mean_ci([r[m] for r in rows]) for m in METRICS},
    }
    if recognizer is not None:
        report["intelligibility"] = _intelligibility(rows, pairs, recognizer, progress)
    if whisper is not None:
        report["whisper"] = _whisper_intelligibility(rows, pairs, whisper, progress)
    if "cer_reference" in report.get("intelligibility", {}) and "cer_reference" in report.get("whisper", {}):
        report["disagreements"] = judges_disagree(report["intelligibility"], report["whisper"])
    report["details"] = details
    return report


def judges_disagree(intel: dict, whisper: dict) -> list[str]:
    """The judges' disagreement lines (``recognizer.agreement``) on the references and on the
    synthesized speech; empty where they agree."""
    from recognizer.agreement import disagreement

    lines = []
    for side, what in (("reference", "reference recordings"), ("synthesized", "synthesized speech")):
        line = disagreement(
            what,
            intel[f"cer_{side}_toneless"],
            whisper[f"syllable_error_toneless_{side}"],
            intel.get("trained_on", intel["recognizer"]),
            intel["recognizer"],
        )
        if line:
            lines.append(line)
    return lines


def _intelligibility(rows: list[dict], pairs: list[Pair], recognizer, progress: bool) -> dict:
    from recognizer.api import Recognizer
    from recognizer.metrics import error_rate, toneless_error_rate

    asr = Recognizer.load(recognizer)
    by_id = {p.id: p for p in pairs}
    scored = [r for r in rows if by_id[r["id"]].text or by_id[r["id"]].pinyin]
    if not scored:
        return {"note": "no reference texts; pass texts to score intelligibility"}
    fe = None
    refs, hyp_ref, hyp_syn = [], [], []
    for r in tqdm(scored, desc="recognizing", unit="utt", disable=not progress):
        pair = by_id[r["id"]]
        if pair.pinyin is None:
            if fe is None:
                from frontend import Frontend

                fe = Frontend()
            pair.pinyin = [p for u in fe(pair.text) for p in u.pinyin]
        try:
            a, b = asr.transcribe([pair.reference, pair.synthesized])
        except AudioError as err:
            a, b = [], []
            r["recognizer_note"] = str(err)
        refs.append(pair.pinyin)
        hyp_ref.append(a)
        hyp_syn.append(b)
        r.update(
            cer_reference=error_rate([pair.pinyin], [a]),
            cer_synthesized=error_rate([pair.pinyin], [b]),
            recognized=" ".join(b),
        )
    toneless = lambda hyps: toneless_error_rate(refs, hyps)
    return {
        "recognizer": str(recognizer),
        "trained_on": asr.trained_on,
        "utterances": len(refs),
        "cer_reference": error_rate(refs, hyp_ref),
        "cer_synthesized": error_rate(refs, hyp_syn),
        "cer_reference_toneless": toneless(hyp_ref),
        "cer_synthesized_toneless": toneless(hyp_syn),
        "definition": "syllable (toned pinyin) error rate: edit distance / reference syllables, over all "
        "utterances; _toneless: the same with tones ignored",
    }


def _whisper_intelligibility(rows: list[dict], pairs: list[Pair], judge, progress: bool) -> dict:
    """Whisper base on both sides of every pair with a text: toneless syllable and character errors."""
    from recognizer.whisper import DEFINITION, SAMPLE_RATE

    by_id = {p.id: p for p in pairs}
    scored = [r for r in rows if by_id[r["id"]].text]
    if not scored:
        return {"note": "no reference texts; pass texts to score with Whisper"}
    texts, hyp_ref, hyp_syn = [], [], []
    for r in tqdm(scored, desc="Whisper", unit="utt", disable=not progress):
        pair = by_id[r["id"]]
        a, b = judge.transcribe_audio(
            [load_audio(pair.reference, SAMPLE_RATE), load_audio(pair.synthesized, SAMPLE_RATE)], SAMPLE_RATE
        )
        texts.append(pair.text)
        hyp_ref.append(a)
        hyp_syn.append(b)
        r.update(
            whisper_synthesized=b,
            whisper_error_synthesized=judge.score_texts([b], [pair.text])["syllable_error_toneless"],
        )
    ref, syn = judge.score_texts(hyp_ref, texts), judge.score_texts(hyp_syn, texts)
    return {
        "judge": "Whisper base",
        "utterances": len(texts),
        "syllable_error_toneless_reference": ref["syllable_error_toneless"],
        "syllable_error_toneless_synthesized": syn["syllable_error_toneless"],
        "cer_reference": ref["cer"],
        "cer_synthesized": syn["cer"],
        "definition": DEFINITION,
    }


def finite(x):
    """JSON-safe floats (NaN → None)."""
    if isinstance(x, float) and (math.isnan(x) or math.isinf(x)):
        return None
    if isinstance(x, dict):
        return {k: finite(v) for k, v in x.items()}
    if isinstance(x, list):
        return [finite(v) for v in x]
    return x


def copy_references(pairs: list[Pair], out: Path) -> None:
    """References beside the synthesized audio, so the report plays offline from its folder."""
    (out / "audio").mkdir(parents=True, exist_ok=True)
    for p in pairs:
        target = out / "audio" / f"{p.id}.ref.wav"
        if not target.exists():
            shutil.copy(p.reference, target)
