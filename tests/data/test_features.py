"""Features checked against independent computations (librosa, numpy) and known signals."""

import librosa
import numpy as np
import pytest
import soundfile as sf

from core.audio import AudioError, load_audio, normalize_loudness, trim_silence
from core.features import FeatureConfig, FeatureExtractor
from core.pitch import yin
from recognizer.features import AsrFeatureConfig, asr_features


@pytest.fixture(scope="module")
def extractor():
    return FeatureExtractor()


@pytest.fixture(scope="module")
def speech(tiny_corpus):
    out, _ = tiny_corpus
    wav = sorted((out / "wavs").iterdir())[0]
    return load_audio(wav, 22050)


def test_shapes_line_up(extractor, speech):
    f = extractor(speech)
    frames = 1 + len(speech) // 256
    assert f["mel"].shape == (80, frames) and f["mel"].dtype == np.float32
    assert f["f0"].shape == f["voiced"].shape == f["energy"].shape == (frames,)


def test_mel_matches_librosa(extractor, speech):
    ref = librosa.feature.melspectrogram(
        y=speech,
        sr=22050,
        n_fft=1024,
        hop_length=256,
        win_length=1024,
        power=1.0,
        n_mels=80,
        fmin=0,
        fmax=8000,
        htk=False,
        norm="slaney",
        center=True,
        pad_mode="reflect",
    )
    ref = np.log(np.maximum(ref, 1e-5))
    ours = extractor(speech)["mel"]
    assert np.abs(ours - ref).max() < 1e-3


def test_energy_is_the_frame_norm_of_the_magnitude_spectrum(extractor, speech):
    mag = np.abs(
        librosa.stft(speech, n_fft=1024, hop_length=256, win_length=1024, center=True, pad_mode="reflect")
    )
    np.testing.assert_allclose(extractor(speech)["energy"], np.linalg.norm(mag, axis=0), rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("freq", [80.0, 123.4, 220.0, 440.0])
def test_f0_of_a_sine(sine, freq):
    f0, voiced = yin(sine(freq), 22050, 256)
    assert voiced[5:-5].all()
    assert abs(np.median(f0[voiced]) - freq) / freq < 0.002


def test_silence_and_noise_are_unvoiced(sine):
    silence = np.zeros(22050, dtype=np.float32)
    noise = np.random.default_rng(0).standard_normal(22050).astype(np.float32) * 0.1
    assert not yin(silence, 22050, 256)[1].any()
    assert yin(noise, 22050, 256)[1].mean() < 0.1
    tone_then_silence = np.concatenate([sine(200.0), silence])
    f0, voiced = yin(tone_then_silence, 22050, 256)
    assert voiced[5:80].all() and not voiced[95:].any()


def _autocorrelation_f0(frame: np.ndarray, sr: int, fmin: float = 60.0, fmax: float = 600.0) -> float:
    """Independent reference: the strongest autocorrelation lag in the pitch range."""
    frame = (frame - frame.mean()) * np.hanning(len(frame))
    ac = np.correlate(frame, frame, mode="full")[len(frame) - 1 :]
    lo, hi = int(sr / fmax), int(sr / fmin)
    lag = lo + int(np.argmax(ac[lo:hi]))
    a, b, c = ac[lag - 1], ac[lag], ac[lag + 1]  # parabolic refinement
    return sr / (lag + 0.5 * (a - c) / (a - 2 * b + c))


def test_f0_agrees_with_autocorrelation_on_speech(speech):
    f0, voiced = yin(speech, 22050, 256)
    padded = np.pad(speech, 1024)  # frame t is centred on sample 256 t
    frames = np.flatnonzero(voiced)
    assert len(frames) > 50
    ref = np.array([_autocorrelation_f0(padded[t * 256 : t * 256 + 2048], 22050) for t in frames])
    rel = np.abs(f0[frames] - ref) / ref
    assert np.median(rel) < 0.02
    assert np.mean(rel < 0.05) > 0.8


def test_trim_and_loudness(sine):
    silence = np.zeros(11025, dtype=np.float32)
    audio = np.concatenate([silence, sine(300.0, amp=0.05), silence])
    trimmed = trim_silence(audio, top_db=40)
    assert abs(len(trimmed) - 22050) < 1024 * 2
    louder = normalize_loudness(trimmed, -20.0)
    assert abs(20 * np.log10(np.sqrt(np.mean(louder**2))) + 20.0) < 0.1
    assert np.abs(normalize_loudness(sine(300.0, amp=0.9), 0.0)).max() <= 0.99 + 1e-6
    assert not normalize_loudness(silence, -20.0).any()


def test_resampling_keeps_pitch(sine, tmp_path):
    path = tmp_path / "a48k.wav"
    tone = sine(440.0, rate=48000)
    sf.write(path, np.stack([tone, tone], axis=1), 48000)  # stereo at 48 kHz
    audio = load_audio(path, 22050)
    assert audio.ndim == 1 and abs(len(audio) - 22050) <= 1
    f0, voiced = yin(audio, 22050, 256)
    assert abs(np.median(f0[voiced]) - 440.0) < 1.0


@pytest.mark.parametrize("content,message", [(b"", "cannot read"), (b"RIFF\x00\x00garbage", "cannot read")])
def test_bad_audio_files(tmp_path, content, message):
    path = tmp_path / "bad.wav"
    path.write_bytes(content)
    with pytest.raises(AudioError, match=message):
        load_audio(path, 22050)


def test_empty_audio_file(tmp_path):
    path = tmp_path / "empty.wav"
    sf.write(path, np.zeros(0, dtype=np.float32), 22050)
    with pytest.raises(AudioError, match="empty"):
        load_audio(path, 22050)


def test_bad_feature_config():
    with pytest.raises(ValueError):
        FeatureConfig(win_length=2048)
    with pytest.raises(ValueError):
        FeatureConfig(fmax=20000.0)


def test_asr_logmel_matches_librosa():
    y = np.random.default_rng(1).standard_normal(16000).astype(np.float32) * 0.1
    ours = asr_features(y)
    ref = librosa.feature.melspectrogram(
        y=y,
        sr=16000,
        n_fft=512,
        win_length=400,
        hop_length=160,
        window="hamming",
        n_mels=64,
        power=2.0,
        htk=True,
        norm=None,
        pad_mode="reflect",
    )
    assert ours.shape == (64, 101)
    assert np.abs(ours - np.log(ref + 1e-6)).max() < 1e-3


def test_asr_mfcc_with_energy_and_deltas():
    y = np.random.default_rng(2).standard_normal(16000).astype(np.float32) * 0.1
    cfg = AsrFeatureConfig(kind="mfcc")
    feats = asr_features(y, cfg)
    assert feats.shape == (cfg.dim, 101) == (42, 101)
    log_mel = np.log(
        librosa.feature.melspectrogram(
            y=y,
            sr=16000,
            n_fft=512,
            win_length=400,
            hop_length=160,
            window="hamming",
            n_mels=64,
            power=2.0,
            htk=True,
            norm=None,
            pad_mode="reflect",
        )
        + 1e-6
    )
    np.testing.assert_allclose(
        feats[:13], librosa.feature.mfcc(S=log_mel, n_mfcc=13, norm="ortho"), atol=1e-3
    )
    np.testing.assert_allclose(
        feats[14:28], librosa.feature.delta(feats[:14], width=5, mode="nearest"), atol=1e-3
    )
