"""Export a voice folder to TorchScript or ONNX (``tts-export``), checked against PyTorch.

The folder is written next to its destination and renamed into place only when every
graph has been written, reloaded and compared with the PyTorch model on example inputs;
the largest differences are kept in ``export.json`` (``parity``). A float32 export that
differs by more than ``TOLERANCE`` fails. Quantized or pruned exports are compared with the
float32 model they came from, and their difference is recorded, not checked: how much
that costs in quality is measured by ``benchmarks/deployment.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from dataclasses import asdict
from pathlib import Path

import torch

from core.files import first_line
from core.graph_spec import GraphSpec
from synthesis.cards import BACKENDS, EXPORT_FORMAT, EXPORT_VERSION, VoiceError, is_export, sha256
from synthesis.deploy.compress import QUANTIZE, prune, quantize_int8
from synthesis.deploy.runtime import open_graph
from synthesis.voice import load_voice
from tts.models.base import ExportUnsupported
from vocoder.graphs import vocoder_graph

OPSET = 17
TOLERANCE = 1e-4  # largest absolute difference from PyTorch a float32 graph may show


class ExportError(ValueError):
    """An export that could not be written or does not match PyTorch; the message says why."""


def check_options(fmt: str, quantize: str | None, prune_amount: float | None, opset: int) -> None:
    if fmt not in BACKENDS:
        raise ValueError(f"unknown export format {fmt!r} (torchscript, onnx)")
    if quantize is not None and quantize not in QUANTIZE:
        raise ValueError(f"unsupported quantization {quantize!r}; supported: {', '.join(QUANTIZE)}")
    if prune_amount is not None and not 0.0 < prune_amount < 1.0:
        raise ValueError(f"--prune must be a fraction between 0 and 1 (exclusive), not {prune_amount}")
    if fmt == "onnx" and not 14 <= opset <= 20:
        raise ValueError(f"ONNX opset {opset} is not supported; use 14 to 20 (default {OPSET})")


def _write_torchscript(specs: list[GraphSpec], path: Path) -> None:
    """Graphs that are methods of one module → one TorchScript file, one method each."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tracer's notes on shape arithmetic
        traced = torch.jit.trace_module(
            specs[0].owner, {s.name: tuple(s.example.values()) for s in specs}, check_trace=False
        )
    torch.jit.save(traced, str(path))


def _write_onnx(spec: GraphSpec, path: Path, opset: int, quantize: bool) -> None:
    names = spec.inputs + spec.outputs
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's deprecation and tracer notes
        torch.onnx.export(
            spec.module,
            tuple(spec.example.values()),
            str(path),
            input_names=spec.inputs,
            output_names=spec.outputs,
            opset_version=opset,
            dynamo=False,
            dynamic_axes={k: v for k, v in spec.dynamic_axes.items() if k in names},
        )
    if quantize:
        import logging

        from onnxruntime.quantization import QuantType, quantize_dynamic

        fp32 = path.with_suffix(".fp32.onnx")
        os.replace(path, fp32)
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)  # its advice to pre-process, printed per graph
        try:
            quantize_dynamic(str(fp32), str(path), weight_type=QuantType.QInt8)
        finally:
            root.setLevel(level)
        fp32.unlink()


def _parity(reference: GraphSpec, graph) -> float:
    """Largest absolute difference between the exported graph and the PyTorch reference
    on the reference's example inputs."""
    with torch.no_grad():
        expected = reference.module(*reference.example.values())
    expected = expected if isinstance(expected, (tuple, list)) else (expected,)
    got = graph(**{k: v.numpy() for k, v in reference.example.items()})
    return max(
        float((a.float() - torch.from_numpy(got[name]).float()).abs().max())
        for a, name in zip(expected, reference.outputs)
    )


def export_voice(
    voice_dir: str | Path,
    out: str | Path,
    fmt: str,
    quantize: str | None = None,
    prune_amount: float | None = None,
    opset: int = OPSET,
    log=print,
) -> dict:
    """Export a voice folder; returns the manifest (also written as ``out/export.json``)."""
    check_options(fmt, quantize, prune_amount, opset)
    voice_dir, out = Path(voice_dir), Path(out)
    if is_export(voice_dir):
        raise VoiceError(f"{voice_dir} is already an export; give the voice folder it came from")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not is_export(out))):
        raise VoiceError(f"{out} exists and is not an earlier export; choose a new folder")
    voice = load_voice(voice_dir)
    torch.manual_seed(0)
    try:
        reference = voice.acoustic.graph_specs()  # float32 PyTorch
    except ExportUnsupported as err:
        raise ExportError(f"{voice_dir}: {err}") from None
    model = voice.acoustic
    if prune_amount:
        model = prune(model, prune_amount)
    if quantize and fmt == "torchscript":
        model = quantize_int8(model)
    torch.manual_seed(0)
    specs = reference if model is voice.acoustic else model.graph_specs()
    vocoder = [vocoder_graph(voice.vocoder)] if voice.vocoder is not None else []
    specs, reference = specs + vocoder, reference + vocoder

    tmp = out.parent / f".{out.name}.export-tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        graphs, parity, modules = {}, {}, {}
        for spec, ref in zip(specs, reference):
            try:
                if fmt == "torchscript":  # one file per model, the graphs as its methods
                    path = tmp / ("vocoder.pt" if spec.name == "vocoder" else "acoustic.pt")
                    if not path.exists():
                        log(f"exporting {path.stem} → {path.name}")
                        _write_torchscript([s for s in specs if s.owner is spec.owner], path)
                        modules[path] = torch.jit.load(str(path), map_location="cpu").eval()
                else:
                    path = tmp / f"{spec.name}.onnx"
                    log(f"exporting {spec.name} → {path.name}")
                    _write_onnx(spec, path, opset, quantize is not None and spec.name != "vocoder")
                graph_entry = {"inputs": spec.inputs, "outputs": spec.outputs, "method": spec.name}
                parity[spec.name] = _parity(ref, open_graph(path, fmt, graph_entry, modules.get(path)))
            except Exception as err:  # the exporters' and runtimes' own errors, as one line
                raise ExportError(f"{spec.name}: {fmt} export failed ({first_line(err, 200)})") from err
            exact = not (quantize or prune_amount) or spec.name == "vocoder"
            if exact and parity[spec.name] > TOLERANCE:
                raise ExportError(
                    f"{spec.name}: the {fmt} graph differs from PyTorch by {parity[spec.name]:.2e} "
                    f"(tolerance {TOLERANCE:.0e})"
                )
            graphs[spec.name] = {
                "file": path.name,
                "method": spec.name,
                "sha256": sha256(path),
                "bytes": path.stat().st_size,
                "inputs": spec.inputs,
                "outputs": spec.outputs,
            }
        for name in ("card.json", "symbols.json"):
            shutil.copy2(voice_dir / name, tmp / name)
        manifest = {
            "format": EXPORT_FORMAT,
            "version": EXPORT_VERSION,
            "backend": fmt,
            "opset": opset if fmt == "onnx" else None,
            "quantize": quantize,
            "prune": prune_amount,
            "torch": torch.__version__,
            "source": str(voice_dir),
            "source_sha256": {
                name: sha256(voice_dir / name)
                for name in ("acoustic.pt", "vocoder.pt")
                if (voice_dir / name).is_file()
            },
            "graphs": graphs,
            "parity": {
                "max_abs_difference": parity,
                "tolerance": TOLERANCE,
                "compared_with": "the float32 PyTorch model on example inputs",
            },
            "acoustic_config": asdict(voice.acoustic.config),
            "torch_free": fmt == "onnx" and voice.acoustic.torch_free,
            "log_f0_std": voice.acoustic.log_f0_std,
            "features": asdict(voice.features),
            "speakers": voice.speakers,
            "vocoder_config": asdict(voice.vocoder.config) if voice.vocoder is not None else None,
            "silence_level": float(voice.vocoder.silence_level) if voice.vocoder is not None else None,
        }
        (tmp / "export.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        old = out.parent / f".{out.name}.export-old"
        if out.exists():  # the earlier export goes only once the new one is in place
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
        os.replace(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return manifest
