"""One ONNX graph on onnxruntime, numpy in and out, without torch.

Every exported graph runs through the same interface, whatever runs it
(``core.graph_spec.TorchGraph`` for PyTorch and TorchScript): ``graph(**arrays)`` → a dict
of its outputs by name.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core.files import first_line


class GraphLoadError(ValueError):
    """A graph file that its runtime refuses; the message says which and why."""


class OnnxGraph:
    """``graph(**arrays)`` → outputs by name; inputs the exporter dropped as unused are not fed.
    ``threads``: onnxruntime's intra-op threads (None: its default)."""

    def __init__(self, path: str | Path, threads: int | None = None):
        import onnxruntime as ort

        options = ort.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
        options.log_severity_level = 3
        try:
            self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        except Exception as err:  # onnxruntime's own errors for a broken file
            raise GraphLoadError(f"{path}: cannot be loaded ({first_line(err, 160)})") from None
        self.inputs = [i.name for i in self.session.get_inputs()]
        self.outputs = [o.name for o in self.session.get_outputs()]

    def __call__(self, **feeds: np.ndarray) -> dict[str, np.ndarray]:
        got = self.session.run(None, {k: np.asarray(v) for k, v in feeds.items() if k in self.inputs})
        return dict(zip(self.outputs, got))
