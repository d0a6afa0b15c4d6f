"""``tts-train``: train a model from a YAML config (acoustic model or vocoder)."""

from __future__ import annotations

import argparse
from dataclasses import asdict
from pathlib import Path

from cli.common import run

PROG = "tts-train"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Train a model. The config's `task:` picks what is trained (acoustic); its "
        "sections hold the features, data, model, loss and train settings. Checkpoints, TensorBoard logs "
        "and the resolved config go to --out. Ctrl-C finishes the step and writes a checkpoint; "
        "--resume continues exactly where it stopped. Under torchrun it trains data-parallel.",
        epilog="example:\n  tts-train --config configs/tacotron2_small.yaml --set train.steps=2000\n"
        "  torchrun --nproc_per_node 2 -m cli.train --config ...",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--config", required=True, help="YAML config")
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value, e.g. --set train.lr=5e-4 (repeatable)",
    )
    p.add_argument("--out", help="run folder (default: runs/<config name>)")
    p.add_argument(
        "--resume",
        nargs="?",
        const="latest",
        metavar="CHECKPOINT",
        help="continue from a checkpoint (default: the run folder's latest)",
    )
    p.add_argument(
        "--init",
        metavar="CHECKPOINT",
        help="start a new run from a checkpoint's model weights, or from a voice folder's acoustic "
        "model (fresh optimizer, step 0): fine-tuning, e.g. --init tts/voices/baker-distilled",
    )
    p.add_argument(
        "--stop-at",
        type=int,
        metavar="STEP",
        help="stop (with a checkpoint) at this step even if train.steps is higher",
    )
    return p


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    run(PROG, lambda: _main(args))


# the modules where components register their training tasks (core.task.register_task)
TASK_MODULES = ("tts.training.acoustic", "vocoder.training", "recognizer.training")


def registered_task(name: str):
    """(run config class, task class) of the task a config names."""
    import importlib

    from core.config import ConfigError
    from core.task import task_named, task_names

    for module in TASK_MODULES:
        importlib.import_module(module)
    try:
        return task_named(name)
    except KeyError:
        raise ConfigError(f"unknown task {name!r} (known: {', '.join(task_names())})") from None


def load_run_config(path: str, overrides: list[str]):
    from core.config import apply_overrides, from_dict, load_yaml

    data = apply_overrides(load_yaml(path), overrides)
    return from_dict(registered_task(data.get("task", "acoustic")).run_config, data)


def _main(args: argparse.Namespace) -> int:
    import yaml

    from core.run_start import start_task
    from core.trainer import Trainer

    config = load_run_config(args.config, args.set)
    task_class = registered_task(config.task).task
    out = Path(args.out or Path("runs") / Path(args.config).stem)
    task, resume = start_task(task_class, config, out, args.resume, args.init, _voice_weights)
    trainer = Trainer(task, out, resume)
    if trainer.dist.main:
        out.mkdir(parents=True, exist_ok=True)
        (out / "config.yaml").write_text(
            yaml.safe_dump(asdict(config), allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
    metrics = trainer.fit(stop_at=args.stop_at)
    if trainer.dist.main:
        shown = ", ".join(
            f"{k} {v:.4g}"
            for k, v in metrics.items()
            if k in ("loss", "align_diagonal", "copy_mel_l1", "griffin_lim_mel_l1", "cer")
        )
        print(
            f"{out}: step {trainer.step}{' (' + shown + ')' if shown else ''}; "
            f"checkpoint {out / 'checkpoints' / 'latest.pt'}"
        )
    return 0


def _voice_weights(voice_dir: Path):
    """A voice folder's speakers and acoustic weights, checked as synthesis checks them."""
    from synthesis.voice import load_voice

    voice = load_voice(voice_dir)
    return voice.speakers, voice.acoustic.state_dict()


if __name__ == "__main__":
    main()
