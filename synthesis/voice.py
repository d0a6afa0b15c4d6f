"""A voice: one folder with everything synthesis needs, and nothing that runs code.

    card.json      what it is: name, format version, sample rate, symbol table checksum,
                   speakers, and for each model its training run (config, step, metrics)
    symbols.json   the symbol table the acoustic model reads
    acoustic.pt    Tacotron2 weights and config (a dict of tensors and plain values)
    vocoder.pt     WaveGlow weights and config (optional: Griffin-Lim without it)

``build_voice`` makes one from training checkpoints; ``load_voice`` checks it (format,
version, symbol table, weights) and gives a one-line error for a wrong or corrupt folder.
``synthesis.loader.open_voice`` is the one way to load for synthesis: a voice folder or an
export (``tts-export``), on any backend.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch

from core.checkpoint import load_checkpoint
from core.features import FeatureConfig
from core.files import atomic_write, atomic_write_json, first_line
from frontend import SymbolTable
from synthesis.cards import (  # noqa: F401
    FORMAT,
    VERSION,
    VoiceError,
    check_files,
    check_symbols,
    file_hashes,
    read_card,
)
from tts.models.base import AcousticModel
from tts.models.migrate import saved_config
from tts.models.registry import build_acoustic
from vocoder.waveglow import WaveGlow, WaveGlowConfig, waveglow_from_checkpoint


@dataclass
class Voice:
    """A loaded voice. For an export (``synthesis.deploy.runtime.load_export``) the acoustic model
    and vocoder are graph runners with the same ``infer`` and ``config``."""

    acoustic: AcousticModel
    vocoder: WaveGlow | None
    features: FeatureConfig
    speakers: list[str]
    card: dict
    path: Path
    notes: list[str] = field(default_factory=list)  # what loading had to say

    @property
    def sample_rate(self) -> int:
        return self.features.sample_rate


def _weights(model: torch.nn.Module, half: bool) -> dict:
    return {
        k: (v.half() if half and v.is_floating_point() else v).contiguous()
        for k, v in model.state_dict().items()
    }


def _atomic_save(obj, path: Path) -> None:
    atomic_write(path, lambda f: torch.save(obj, f))


def build_voice(
    acoustic_checkpoint: str | Path,
    out: str | Path,
    vocoder_checkpoint: str | Path | None = None,
    name: str | None = None,
    half: bool = False,
    metrics: dict | None = None,
) -> dict:
    """Make a voice folder from an acoustic (and optionally a vocoder) training checkpoint."""
    try:
        return _build_voice(acoustic_checkpoint, Path(out), vocoder_checkpoint, name, half, metrics)
    except KeyError as err:
        raise VoiceError(f"a checkpoint lacks {err}; was it written by tts-train?") from None


def _build_voice(acoustic_checkpoint, out: Path, vocoder_checkpoint, name, half, metrics) -> dict:
    ac = load_checkpoint(acoustic_checkpoint)
    if ac.get("task") != "acoustic":
        raise VoiceError(f"{acoustic_checkpoint} is a {ac.get('task')} checkpoint, not an acoustic model")
    table = SymbolTable.from_dict(ac["task_state"]["symbols"])
    model = build_acoustic(saved_config(ac["task_state"]["model_config"]))
    model.load_state_dict(ac["model"])
    features = ac["config"]["features"]
    card = {
        "format": FORMAT,
        "version": VERSION,
        "name": name or out.name,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "sample_rate": features["sample_rate"],
        "symbols": {"version": table.version, "checksum": table.checksum},
        "speakers": ac["task_state"]["speakers"],
        "storage": "float16" if half else "float32",
        "acoustic": {
            "checkpoint": str(acoustic_checkpoint),
            "step": ac["step"],
            "best_val": ac["best_val"],
            "config": ac["config"],
        },
        "vocoder": None,
        "metrics": metrics or {},
        **data_licence(ac["config"].get("data", {}).get("features_dir", "")),
    }
    out.mkdir(parents=True, exist_ok=True)
    table.save(out / "symbols.json")
    _atomic_save(
        {
            "config": asdict(model.config),
            "features": features,
            "speakers": card["speakers"],
            "weights": _weights(model, half),
        },
        out / "acoustic.pt",
    )
    if vocoder_checkpoint is not None:
        vc = load_checkpoint(vocoder_checkpoint)
        if vc.get("task") != "vocoder":
            raise VoiceError(f"{vocoder_checkpoint} is a {vc.get('task')} checkpoint, not a vocoder")
        if vc["config"]["features"] != features:
            raise VoiceError("the vocoder was trained on other feature settings than the acoustic model")
        wg = waveglow_from_checkpoint(vc)
        _atomic_save({"config": asdict(wg.config), "weights": _weights(wg, half)}, out / "vocoder.pt")
        card["vocoder"] = {
            "checkpoint": str(vocoder_checkpoint),
            "step": vc["step"],
            "best_val": vc["best_val"],
            "config": vc["config"],
        }
    elif (out / "vocoder.pt").exists():
        (out / "vocoder.pt").unlink()
    card["files"] = file_hashes(out)  # checked at every load
    atomic_write_json(out / "card.json", card)
    return card


def data_licence(features_dir: str | Path) -> dict:
    """``licence`` and ``provenance`` of the corpus a prepared folder was made from (its
    ``corpus.json``, beside the folder of the first utterance's audio), where it says them:
    a voice inherits its data's licence. ``{}`` where the folder or the corpus card is gone."""
    try:
        first = json.loads((Path(features_dir) / "index.json").read_text(encoding="utf-8"))[0]
        corpus = json.loads((Path(first["audio"]).parent.parent / "corpus.json").read_text(encoding="utf-8"))
    except (OSError, ValueError, IndexError, KeyError, TypeError):
        return {}
    return {key: corpus[key] for key in ("licence", "provenance") if key in corpus}


def _load_weights(path: Path) -> dict:
    if not path.is_file():
        raise VoiceError(f"{path} is missing")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # corrupt, truncated, or holding objects weights_only refuses
        raise VoiceError(f"{path}: corrupt or unsafe weights ({first_line(err, 120)})") from None


def load_voice(path: str | Path, device: str | torch.device = "cpu") -> Voice:
    """Load and check a voice folder; raises VoiceError with the reason."""
    path = Path(path)
    card = read_card(path)
    note = check_files(path, card)
    check_symbols(path, card["symbols"]["checksum"])
    ac = _load_weights(path / "acoustic.pt")
    try:
        acoustic = build_acoustic(saved_config(ac["config"]))
        acoustic.load_state_dict(
            {k: v.float() if v.is_floating_point() else v for k, v in ac["weights"].items()}
        )
        features = FeatureConfig(**ac["features"])
    except (KeyError, TypeError, RuntimeError, ValueError) as err:
        raise VoiceError(f"{path}/acoustic.pt does not fit its config ({first_line(err, 160)})") from None
    vocoder = None
    if (path / "vocoder.pt").exists():
        vc = _load_weights(path / "vocoder.pt")
        try:
            vocoder = WaveGlow(WaveGlowConfig(**vc["config"])).remove_weight_norm()
            vocoder.load_state_dict({k: v.float() for k, v in vc["weights"].items()})
        except (KeyError, TypeError, RuntimeError, ValueError) as err:
            raise VoiceError(f"{path}/vocoder.pt does not fit its config ({first_line(err, 160)})") from None
        vocoder = vocoder.to(device).eval()
    notes = [note] if note else []
    return Voice(acoustic.to(device).eval(), vocoder, features, list(ac["speakers"]), card, path, notes)
