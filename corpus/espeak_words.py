"""Where each word starts in espeak-ng's audio, from libespeak-ng's synthesis callback.

In the built-in corpus every toned pinyin syllable is one word for espeak-ng, so these
positions are ground-truth syllable boundaries: the reference an aligner is checked
against (``benchmarks/aligner_accuracy.py``). Reached through ``ctypes``; no Python
binding is needed.
"""

from __future__ import annotations

import ctypes
import ctypes.util

import numpy as np

_SYNCHRONOUS = 2  # AUDIO_OUTPUT_SYNCHRONOUS
_EVENT_WORD = 1
_RATE, _PITCH = 1, 3  # espeakRATE, espeakPITCH
_CHARS_UTF8 = 1


class _Event(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int),
        ("unique_identifier", ctypes.c_uint),
        ("text_position", ctypes.c_int),
        ("length", ctypes.c_int),
        ("audio_position", ctypes.c_int),
        ("sample", ctypes.c_int),
        ("user_data", ctypes.c_void_p),
        ("id", ctypes.c_char * 8),
    ]


_CALLBACK = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.POINTER(_Event)
)


class EspeakWords:
    """Synthesize text with libespeak-ng and report each word's start.

    ``__call__(text)`` → (audio float32 at ``sample_rate``, word starts in seconds, one per
    word of ``text`` in order). Only the first text of a process renders exactly as the
    ``espeak-ng`` command does (the library keeps state between texts, and re-initializing
    it hangs): ``word_starts`` runs each text in a fresh process.
    """

    def __init__(self, voice: str, pitch: int, speed: int):
        name = ctypes.util.find_library("espeak-ng") or "libespeak-ng.so.1"
        try:
            self.lib = ctypes.CDLL(name)
        except OSError as err:
            raise OSError(f"libespeak-ng is needed (apt-get install espeak-ng): {err}") from None
        self.voice, self.pitch, self.speed = voice, pitch, speed
        self._callback = _CALLBACK(self._on_audio)  # kept alive with the object
        self._start()

    def _start(self) -> None:
        self.sample_rate = self.lib.espeak_Initialize(_SYNCHRONOUS, 0, None, 0)
        if self.sample_rate <= 0:
            raise OSError("libespeak-ng failed to initialize")
        self.lib.espeak_SetSynthCallback(self._callback)
        if self.lib.espeak_SetVoiceByName(self.voice.encode()) != 0:
            raise ValueError(f"espeak-ng has no voice {self.voice!r}")
        self.lib.espeak_SetParameter(_RATE, self.speed, 0)
        self.lib.espeak_SetParameter(_PITCH, self.pitch, 0)

    def _on_audio(self, wav, n, events) -> int:
        i = 0
        while events[i].type != 0:
            if events[i].type == _EVENT_WORD:
                # audio_position is in ms from the start of this synthesis
                self._words.append(round(events[i].audio_position * self.sample_rate / 1000))
            i += 1
        if n > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).astype(np.float32) / 32768.0)
        return 0

    def __call__(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        self._chunks, self._words = [], []
        data = text.encode("utf-8") + b"\0"
        self.lib.espeak_Synth(data, len(data), 0, 0, 0, _CHARS_UTF8, None, None)
        self.lib.espeak_Synchronize()
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, dtype=np.float32)
        return audio, np.asarray(self._words, dtype=np.float64) / self.sample_rate


def word_starts(text: str, voice: str, pitch: int, speed: int) -> tuple[np.ndarray, np.ndarray]:
    """``EspeakWords(voice, pitch, speed)(text)`` in a fresh process (exactly the audio the
    ``espeak-ng`` command makes)."""
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = f"{tmp}/words.npz"
        subprocess.run(
            [sys.executable, "-m", "corpus.espeak_words", voice, str(pitch), str(speed), out],
            input=text.encode("utf-8"),
            check=True,
            capture_output=True,
        )
        with np.load(out) as data:
            return data["audio"], data["words"]


if __name__ == "__main__":
    import sys

    _voice, _pitch, _speed, _out = sys.argv[1:5]
    _audio, _words = EspeakWords(_voice, int(_pitch), int(_speed))(sys.stdin.buffer.read().decode("utf-8"))
    np.savez(_out, audio=_audio, words=_words)
