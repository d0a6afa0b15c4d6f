"""One function decides what a voice runs on (``synthesis.catalogue.choose_runtime``); every
way in (``open_synthesizer``, ``Synthesizer``, ``open_voice``) goes through it."""

from __future__ import annotations

import json
import shutil

import pytest

from synthesis.cards import VoiceError
from synthesis.catalogue import DEFAULT_EXPORT, DEFAULT_VOICE, VOICES_DIR, choose_runtime, export_is_current


def test_a_voice_folder_runs_on_pytorch_and_a_shipped_voice_is_found_by_name():
    assert choose_runtime(VOICES_DIR / "espeak-ng") == (VOICES_DIR / "espeak-ng", "torch")
    assert choose_runtime("espeak-ng") == (VOICES_DIR / "espeak-ng", "torch")
    assert choose_runtime(None, backend="torch") == (DEFAULT_VOICE, "torch")
    assert choose_runtime(None, device="cuda") == (DEFAULT_VOICE, "torch")
    assert choose_runtime(None, quantize="int8") == (DEFAULT_VOICE, "torch")


@pytest.mark.skipif(
    not export_is_current(DEFAULT_EXPORT, DEFAULT_VOICE), reason="install.sh makes the export"
)
def test_the_shipped_voice_runs_from_its_export_without_torch(tmp_path):
    assert choose_runtime(None) == (DEFAULT_EXPORT, "onnxruntime")
    assert choose_runtime(DEFAULT_EXPORT, backend="onnx") == (DEFAULT_EXPORT, "onnxruntime")
    copy = tmp_path / "export"
    shutil.copytree(DEFAULT_EXPORT, copy)
    manifest = json.loads((copy / "export.json").read_text(encoding="utf-8"))
    manifest["torch_free"] = False  # a model whose inference needs PyTorch
    (copy / "export.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert choose_runtime(copy) == (copy, "onnx")
    with pytest.raises(VoiceError, match="not torchscript"):
        choose_runtime(copy, backend="torchscript")
    with pytest.raises(ValueError, match="run on the CPU"):
        choose_runtime(copy, device="cuda")
    with pytest.raises(ValueError, match="quantized when it is made"):
        choose_runtime(copy, quantize="int8")


def test_refusals_name_the_problem(tmp_path):
    with pytest.raises(VoiceError, match="not found.*baker-distilled \\(the default\\)"):
        choose_runtime(tmp_path / "missing")
    with pytest.raises(VoiceError, match="tts-export --model"):
        choose_runtime(DEFAULT_VOICE, backend="onnx")
    with pytest.raises(ValueError, match="unknown backend"):
        choose_runtime(DEFAULT_VOICE, backend="tensorrt")
