"""Text → waveform with a trained voice: ``voice`` loads a voice folder, ``pipeline`` runs
frontend → acoustic model → vocoder, ``deploy`` exports voices (TorchScript, ONNX) and runs
the exports."""
