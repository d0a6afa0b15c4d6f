"""Deployment: export to TorchScript / ONNX (``export``), run exports in the synthesis
pipeline (``runtime``), and smaller models by int8 quantization or pruning (``compress``)."""
