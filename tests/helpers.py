"""A four-utterance corpus (two sentences × two espeak-ng voices, far apart in pitch),
prepared in the test session, and tiny model settings that train on it in seconds."""

import csv
import json

import soundfile as sf

from corpus.build import SAMPLE_RATE, VOICES, render
from frontend import Frontend

TEXTS = ("今天天气很好。", "我们去公园散步。")
TINY_MODEL = {
    "reduction": 2,
    "symbol_dim": 64,
    "encoder_dim": 64,
    "attention_rnn_dim": 128,
    "decoder_rnn_dim": 128,
    "prenet_dim": 64,
    "attention_dim": 64,
    "location_filters": 8,
    "postnet_dim": 64,
    "postnet_convs": 3,
    "variance_filters": 32,
    "encoder_dropout": 0.1,
    "postnet_dropout": 0.1,
    "variance_dropout": 0.1,
}


def make_dataset(root, voices=(0, 3), splits=("train", "train")):
    """Builtin-layout corpus: every text in every voice; ``splits`` per text."""
    fe = Frontend()
    (root / "wavs").mkdir(parents=True)
    rows = []
    for v in voices:
        voice = VOICES[v]
        for i, text in enumerate(TEXTS):
            audio, normalized = render(text, voice, fe)
            utt_id = f"{voice.name}_{i:03d}"
            sf.write(root / "wavs" / f"{utt_id}.wav", audio, SAMPLE_RATE, subtype="PCM_16")
            rows.append([utt_id, text, normalized, voice.name, splits[i]])
    with open(root / "metadata.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter="|", lineterminator="\n").writerows(rows)
    (root / "corpus.json").write_text("{}", encoding="utf-8")
    return root


def run_config(feats, steps, **train):
    return {
        "task": "acoustic",
        "data": {"features_dir": str(feats)},
        "model": {**TINY_MODEL, "n_speakers": 1},
        "train": {
            "steps": steps,
            "batch_size": 4,
            "lr": 3e-3,
            "scheduler": "none",
            "log_every": 10,
            "validate_every": 10**6,
            "checkpoint_every": 10**6,
            "progress": False,
            **train,
        },
    }


TINY_VOCODER = {
    "n_flows": 4,
    "n_group": 8,
    "n_early_every": 2,
    "n_early_size": 2,
    "wn_layers": 2,
    "wn_channels": 16,
    "upsample_kernel": 512,
    "cond_channels": 32,
}


def vocoder_config(feats, steps, **train):
    return {
        "task": "vocoder",
        "data": {"features_dir": str(feats), "segment_length": 4096, "copy_synthesis_items": 1},
        "model": TINY_VOCODER,
        "train": {
            "steps": steps,
            "batch_size": 4,
            "lr": 2e-3,
            "scheduler": "none",
            "log_every": 10,
            "validate_every": 10**6,
            "checkpoint_every": 10**6,
            "progress": False,
            **train,
        },
    }


def train_tiny(config: dict, out):
    """Train a tiny model from a config dict with the toolkit's own Trainer; returns the checkpoint."""
    from cli.train import registered_task
    from core.config import from_dict
    from core.trainer import Trainer

    run_class, task_class = registered_task(config["task"])
    task = task_class(from_dict(run_class, config))
    Trainer(task, out).fit()
    return out / "checkpoints" / "latest.pt"


TINY_PARALLEL = {
    "decoder": "parallel",
    "reduction": 1,
    "symbol_dim": 32,
    "encoder_dim": 32,
    "parallel_dim": 32,
    "parallel_layers": 2,
    "postnet_dim": 16,
    "postnet_convs": 3,
    "variance_filters": 16,
    "n_speakers": 0,  # the four-utterance data has two voices: a speakers input
    "pitch_level": True,
    "pitch_bins": 16,
    "pitch_harmonics": True,  # exports and the ONNX runtime carry the comb too
}


def tiny_parallel_voice(feats, root, vocoder: bool = True, steps: int = 20):
    """A tiny duration-informed voice (two speakers; with a tiny WaveGlow) and its ONNX
    export → (voice folder, export folder)."""
    from synthesis.deploy.export import export_voice
    from synthesis.voice import build_voice

    cfg = run_config(feats, steps)
    cfg["model"] = TINY_PARALLEL
    cfg["loss"] = {"guided_attention": 0.0}
    acoustic = train_tiny(cfg, root / "acoustic")
    wg = train_tiny(vocoder_config(feats, 3), root / "vocoder") if vocoder else None
    build_voice(acoustic, root / "voice", wg, name="tiny-parallel")
    export_voice(root / "voice", root / "onnx", "onnx", log=lambda _: None)
    return root / "voice", root / "onnx"


def free_port() -> int:
    """A TCP port free on loopback now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ThreadedServer:
    """An aiohttp application served on loopback from a thread's event loop, at ``url``
    (no trailing slash) until ``close()``."""

    def __init__(self, app, shutdown_timeout: float = 5.0):
        import asyncio
        import threading

        from aiohttp import web

        self.port = free_port()
        self.loop = asyncio.new_event_loop()
        self.runner = web.AppRunner(app, access_log=None, shutdown_timeout=shutdown_timeout)
        self.loop.run_until_complete(self.runner.setup())
        self.loop.run_until_complete(web.TCPSite(self.runner, "127.0.0.1", self.port).start())
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.port}"

    def close(self):
        import asyncio

        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(60)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(30)


def write_voice(model, out):
    """A voice folder around an untrained model (parity and plumbing do not depend on training)."""
    from dataclasses import asdict

    import torch

    from core.features import FeatureConfig
    from frontend import DEFAULT_TABLE

    out.mkdir()
    DEFAULT_TABLE.save(out / "symbols.json")
    torch.save(
        {
            "config": asdict(model.config),
            "features": asdict(FeatureConfig()),
            "speakers": ["a"],
            "weights": model.state_dict(),
        },
        out / "acoustic.pt",
    )
    (out / "card.json").write_text(
        json.dumps(
            {
                "format": "mandarin-tts-voice",
                "version": 1,
                "name": "random",
                "sample_rate": 22050,
                "speakers": ["a"],
                "symbols": {"version": DEFAULT_TABLE.version, "checksum": DEFAULT_TABLE.checksum},
                "acoustic": {"step": 0},
                "vocoder": None,
            }
        )
    )
    return out
