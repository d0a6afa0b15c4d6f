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

    from core.checkpoint import load_checkpoint
    from core.trainer import Trainer

    config = load_run_config(args.config, args.set)
    task_class = registered_task(config.task).task
    out = Path(args.out or Path("runs") / Path(args.config).stem)
    latest = out / "checkpoints" / "latest.pt"
    if args.resume and args.init:
        raise ValueError("--resume and --init exclude each other")
    resume = None
    if args.init and Path(args.init).is_dir():
        task = _task_from_voice(task_class, config, Path(args.init))
    elif args.resume or args.init:
        start = Path(args.init) if args.init else latest if args.resume == "latest" else Path(args.resume)
        saved = load_checkpoint(start)
        if _saved_model(config.model, saved["config"].get("model", {})) != asdict(config.model):
            raise ValueError(f"{start} was trained with another model: section; keep the model settings")
        task = task_class(config, state=saved["task_state"])
        if args.init:
            task.start_from(saved["model"])
        else:
            resume = start
    if not args.resume:
        if latest.exists():
            raise ValueError(
                f"{out} already holds a run; pass --resume to continue it or choose another --out"
            )
        if not args.init:
            task = task_class(config)
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


def _saved_model(model, values: dict) -> dict:
    """A checkpoint's model: section as the config class reads it today: through the class's
    own ``saved`` (acoustic models: ``tts.models.migrate``), or with settings added since the
    checkpoint was written at their defaults."""
    saved = getattr(type(model), "saved", None)
    return asdict(saved(values)) if saved else {**asdict(type(model)()), **values}


def _task_from_voice(task_class, config, voice_dir: Path):
    """An acoustic task whose model starts from a voice folder's weights (fine-tuning a
    shipped voice: the config's model: section must describe the same model)."""
    from core.files import first_line
    from synthesis.voice import load_voice

    if config.task != "acoustic":
        raise ValueError(
            f"--init with a voice folder starts an acoustic model, not a {config.task} one; give a checkpoint"
        )
    voice = load_voice(voice_dir)
    task = task_class(config, state={"speakers": voice.speakers})
    try:
        task.start_from(voice.acoustic.state_dict())
    except RuntimeError as err:
        raise ValueError(
            f"{voice_dir}: its acoustic model does not fit the config's model: section "
            f"({first_line(err, 120)})"
        ) from None
    return task


if __name__ == "__main__":
    main()
