"""The training loop every task shares.

- AdamW with weight decay, gradient accumulation and clipping, mixed precision
  (bf16 autocast on CPU; fp16 with loss scaling or bf16 on CUDA);
- schedules: ``cosine`` (annealing to ``min_lr``), ``plateau`` (ReduceLROnPlateau on the
  validation loss), ``noam`` (warm-up then inverse square root), ``none``;
- validation every ``validate_every`` steps on the held-out split, best checkpoint kept;
- checkpoints every ``checkpoint_every`` steps and at the end, written atomically, with
  optimizer, scheduler, scaler, step, data position and every RNG, so ``resume``
  continues exactly as if never stopped;
- TensorBoard: every loss term, learning rate, gradient norm, steps/s, task media;
- distributed data parallel under ``torchrun`` (gloo on CPU, nccl on CUDA);
- Ctrl-C (or SIGTERM) finishes the current step, writes a checkpoint and stops.
"""

from __future__ import annotations

import hashlib
import math
import os
import signal
import sys
import time
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

import torch
from torch import nn
from tqdm import tqdm

from core.checkpoint import load_checkpoint, rng_state, save_checkpoint, set_rng_state


@dataclass
class TrainConfig:
    steps: int = 10000
    batch_size: int = 16
    lr: float = 1e-3
    min_lr: float = 1e-5
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-6
    weight_decay: float = 1e-6
    grad_clip: float = 1.0
    accumulation: int = 1
    scheduler: str = "cosine"  # cosine | plateau | noam | none
    warmup_steps: int = 500  # noam
    plateau_factor: float = 0.5
    plateau_patience: int = 3
    amp: str = "none"  # none | bf16 | fp16 (fp16 on CUDA only)
    log_every: int = 50
    validate_every: int = 500
    val_batches: int = 0  # 0: the whole validation split
    checkpoint_every: int = 1000
    keep_checkpoints: int = 3
    seed: int = 1234
    device: str = "auto"  # auto | cpu | cuda
    num_workers: int = 0
    # torch threads per process; 0: OMP_NUM_THREADS if set, else the cores shared among processes
    threads: int = 0
    minutes: float = 0.0  # >0: stop (with a checkpoint) after this much training time
    progress: bool = True

    def __post_init__(self) -> None:
        if self.scheduler not in ("cosine", "plateau", "noam", "none"):
            raise ValueError(f"unknown scheduler {self.scheduler!r} (cosine, plateau, noam, none)")
        if self.amp not in ("none", "bf16", "fp16"):
            raise ValueError(f"unknown amp {self.amp!r} (none, bf16, fp16)")
        for name in (
            "steps",
            "batch_size",
            "accumulation",
            "log_every",
            "validate_every",
            "checkpoint_every",
            "keep_checkpoints",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, not {getattr(self, name)}")
        if min(self.lr, self.min_lr, self.threads, self.minutes, self.num_workers) < 0:
            raise ValueError("lr, min_lr, threads, minutes and num_workers must not be negative")


def cpu_bf16_lstm_supported() -> bool:
    """Whether an LSTM runs under bf16 autocast on this CPU (oneDNN needs AVX-512 for it)."""
    lstm = nn.LSTM(4, 4, batch_first=True)
    try:
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            lstm(torch.zeros(1, 2, 4))
    except RuntimeError:
        return False
    return True


def default_threads(processes: int = 1) -> int:
    """Torch threads per training process when the config says 0: ``OMP_NUM_THREADS`` if it
    is set (so that parallel test workers or jobs that divided the cores keep to their
    share; two-thread pools in two processes on two cores made training ~15× slower), else
    the cores divided among the processes."""
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return max(1, (os.cpu_count() or 1) // processes)


class TrainingDiverged(ValueError):
    """The loss or the gradients stopped being finite; nothing was written."""


class Distributed:
    """This process's place in a torchrun job (a single process when not under torchrun)."""

    def __init__(self, device_kind: str):
        self.world = int(os.environ.get("WORLD_SIZE", "1"))
        self.rank = int(os.environ.get("RANK", "0"))
        self.local_rank = int(os.environ.get("LOCAL_RANK", "0"))
        if self.world > 1 and not torch.distributed.is_initialized():
            torch.distributed.init_process_group("nccl" if device_kind == "cuda" else "gloo")

    @property
    def main(self) -> bool:
        return self.rank == 0

    def barrier(self) -> None:
        if self.world > 1:
            torch.distributed.barrier()

    def mean(self, value: float) -> float:
        if self.world == 1:
            return value
        t = torch.tensor([value], dtype=torch.float64)
        torch.distributed.all_reduce(t)
        return float(t) / self.world


class Trainer:
    def __init__(self, task, out_dir: str | Path, resume: str | Path | None = None):
        """``task.config`` is the whole run config (a dataclass with a ``train`` section)."""
        from dataclasses import asdict

        config: TrainConfig = task.config.train
        self.task, self.config, self.out = task, config, Path(out_dir)
        self.run_config = asdict(task.config)
        kind = (
            "cuda"
            if config.device == "cuda" or (config.device == "auto" and torch.cuda.is_available())
            else "cpu"
        )
        self.dist = Distributed(kind)
        self.device = torch.device(f"cuda:{self.dist.local_rank}" if kind == "cuda" else "cpu")
        if kind == "cuda":
            torch.cuda.set_device(self.device)
        if config.amp == "fp16" and kind != "cuda":
            raise ValueError("train.amp=fp16 needs CUDA; use bf16 on the CPU")
        if config.amp == "bf16" and kind == "cpu" and not cpu_bf16_lstm_supported():
            raise ValueError(
                "train.amp=bf16: this CPU's oneDNN has no bfloat16 LSTM (it needs AVX-512); "
                "use train.amp=none"
            )
        torch.set_num_threads(config.threads or default_threads(self.dist.world))
        torch.manual_seed(config.seed)
        self.model = task.model.to(self.device)
        self.wrapped: nn.Module = self.model
        if self.dist.world > 1:
            self.wrapped = nn.parallel.DistributedDataParallel(
                self.model, device_ids=[self.device.index] if kind == "cuda" else None
            )
        self.optimizer = torch.optim.AdamW(
            self.model.parameters(),
            lr=config.lr,
            betas=tuple(config.betas),
            eps=config.eps,
            weight_decay=config.weight_decay,
        )
        self.scheduler = self._scheduler()
        self.scaler = torch.amp.GradScaler("cuda", enabled=config.amp == "fp16")
        self.train_set, self.val_set = task.datasets()
        if len(self.train_set) == 0:
            raise ValueError("the training split is empty")
        from core.sampler import BatchSampler

        self.sampler = BatchSampler(
            task.lengths(self.train_set),
            min(config.batch_size, len(self.train_set)),
            config.seed,
            self.dist.rank,
            self.dist.world,
        )
        self.step, self.epoch, self.batch_in_epoch = 0, 0, 0
        self.best_val = math.inf
        self.seconds = 0.0  # training wall time so far (validation excluded), kept on resume
        self.writer = None
        self._stop_requested = False
        if resume is not None:
            self._restore(load_checkpoint(resume, self.device))

    # -- schedules ---------------------------------------------------------------------------
    def _scheduler(self):
        c = self.config
        if c.scheduler == "cosine":
            return torch.optim.lr_scheduler.CosineAnnealingLR(self.optimizer, T_max=c.steps, eta_min=c.min_lr)
        if c.scheduler == "plateau":
            return torch.optim.lr_scheduler.ReduceLROnPlateau(
                self.optimizer,
                mode="min",
                factor=c.plateau_factor,
                patience=c.plateau_patience,
                min_lr=c.min_lr,
            )
        if c.scheduler == "noam":
            w = max(1, c.warmup_steps)
            return torch.optim.lr_scheduler.LambdaLR(
                self.optimizer, lambda s: min((s + 1) / w, math.sqrt(w / (s + 1)))
            )
        return None

    @property
    def lr(self) -> float:
        return self.optimizer.param_groups[0]["lr"]

    # -- state -------------------------------------------------------------------------------
    def state(self) -> dict:
        return {
            "task": self.task.name,
            "config": self.run_config,
            "task_state": self.task.state(),
            "model": self.model.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict() if self.scheduler else None,
            "scaler": self.scaler.state_dict(),
            "step": self.step,
            "epoch": self.epoch,
            "batch_in_epoch": self.batch_in_epoch,
            "best_val": self.best_val,
            "seconds": self.seconds,
            "rng": rng_state(),
            "world_size": self.dist.world,
        }

    def _restore(self, state: dict) -> None:
        if state.get("task") != self.task.name:
            raise ValueError(f"checkpoint is for a {state.get('task')} model, not {self.task.name}")
        if "optimizer" not in state:
            raise ValueError("the checkpoint holds weights only, no training state to resume: use --init")
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None and state.get("scheduler"):
            self.scheduler.load_state_dict(state["scheduler"])
        self.scaler.load_state_dict(state["scaler"])
        self.step, self.epoch, self.batch_in_epoch = state["step"], state["epoch"], state["batch_in_epoch"]
        self.best_val = state["best_val"]
        self.seconds = state.get("seconds", 0.0)
        set_rng_state(state["rng"])

    def save(self, name: str = "latest.pt", history: bool = False) -> None:
        if not self.dist.main:
            return
        ckpt_dir = self.out / "checkpoints"
        state = self.state()
        save_checkpoint(ckpt_dir / name, state)
        if history:
            save_checkpoint(ckpt_dir / f"step_{self.step:07d}.pt", state)
            old = sorted(ckpt_dir.glob("step_*.pt"))[: -self.config.keep_checkpoints]
            for p in old:
                p.unlink(missing_ok=True)

    # -- data --------------------------------------------------------------------------------
    def _batches(self):
        """Batches forever, from the saved position; updates (epoch, batch_in_epoch) as it goes."""
        while True:
            self.sampler.set_epoch(self.epoch, self.batch_in_epoch)
            # its own generator: a DataLoader otherwise draws from the global RNG, and a
            # resumed run would then draw once more than an uninterrupted one
            loader = torch.utils.data.DataLoader(
                self.train_set,
                batch_sampler=self.sampler,
                collate_fn=self.task.collate,
                num_workers=self.config.num_workers,
                generator=torch.Generator().manual_seed(self.config.seed + self.epoch),
            )
            for batch in loader:
                self.batch_in_epoch += 1
                yield batch
            self.epoch, self.batch_in_epoch = self.epoch + 1, 0

    def _val_batches(self) -> list[dict]:
        if self.val_set is None or len(self.val_set) == 0:
            return []
        bs = self.config.batch_size
        n = len(self.val_set)
        idx = list(range(n))
        batches = [self.task.collate([self.val_set[i] for i in idx[b : b + bs]]) for b in range(0, n, bs)]
        return batches[: self.config.val_batches] if self.config.val_batches else batches

    def _to_device(self, batch: dict) -> dict:
        return {
            k: v.to(self.device, non_blocking=True) if torch.is_tensor(v) else v for k, v in batch.items()
        }

    def _autocast(self):
        if self.config.amp == "none":
            return torch.autocast(self.device.type, enabled=False)
        dtype = torch.bfloat16 if self.config.amp == "bf16" else torch.float16
        return torch.autocast(self.device.type, dtype=dtype)

    # -- the loop ----------------------------------------------------------------------------
    def fit(self, stop_at: int | None = None) -> dict:
        """Train until ``config.steps`` (or ``stop_at``, whichever is first); returns the last metrics."""
        c = self.config
        end = min(c.steps, stop_at) if stop_at else c.steps
        if self.dist.main:
            from torch.utils.tensorboard import SummaryWriter

            self.out.mkdir(parents=True, exist_ok=True)
            self.writer = SummaryWriter(str(self.out / "tensorboard"))
        previous = signal.signal(signal.SIGINT, self._on_interrupt) if self.dist.main else None
        previous_term = signal.signal(signal.SIGTERM, self._on_interrupt) if self.dist.main else None
        bar = tqdm(
            total=end,
            initial=self.step,
            desc=f"train {self.task.name}",
            unit="step",
            disable=not (c.progress and self.dist.main),
            dynamic_ncols=True,
        )
        val_batches = self._val_batches()
        batches = self._batches()
        metrics: dict[str, float] = {}
        t_last, steps_last = time.perf_counter(), self.step
        try:
            while self.step < end and not self._stop_requested:
                if c.minutes > 0 and self.seconds >= c.minutes * 60:
                    tqdm.write(
                        f"time budget of {c.minutes:g} training minutes reached at step {self.step}",
                        file=sys.stderr,
                    )
                    break
                started = time.perf_counter()
                terms, grad_norm = self._optimizer_step(batches)
                self.seconds += time.perf_counter() - started
                self.step += 1
                bar.update(1)
                bar.set_postfix(loss=f"{terms['loss']:.4f}", lr=f"{self.lr:.2e}")
                if self.step % c.log_every == 0 or self.step == end:
                    now = time.perf_counter()
                    rate = (self.step - steps_last) / max(now - t_last, 1e-9)
                    t_last, steps_last = now, self.step
                    self._log("train", {**terms, "lr": self.lr, "grad_norm": grad_norm, "steps_per_s": rate})
                if val_batches and (self.step % c.validate_every == 0 or self.step == end):
                    metrics = self._validate(val_batches)
                if self.step % c.checkpoint_every == 0:
                    self.save(history=True)
        finally:
            bar.close()
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
                signal.signal(signal.SIGTERM, previous_term)
        if self.dist.world > 1:
            # BatchNorm statistics are updated locally in each forward; take rank 0's
            for buffer in self.model.buffers():
                torch.distributed.broadcast(buffer, 0)
            self._write_param_hash()
        self.save(history=self.step % c.checkpoint_every != 0)
        if self.writer:
            self.writer.close()
        return metrics

    def _on_interrupt(self, signum, frame) -> None:
        if self._stop_requested:  # a second Ctrl-C stops at once
            raise KeyboardInterrupt
        self._stop_requested = True
        tqdm.write(
            "interrupted: finishing this step and writing a checkpoint (Ctrl-C again to abort)",
            file=sys.stderr,
        )

    def _optimizer_step(self, batches) -> tuple[dict[str, float], float]:
        c = self.config
        self.wrapped.train()
        self.optimizer.zero_grad(set_to_none=True)
        totals: dict[str, float] = {}
        for micro in range(c.accumulation):
            batch = self._to_device(next(batches))
            sync = micro == c.accumulation - 1 or self.dist.world == 1
            ctx = self.wrapped.no_sync() if not sync else nullcontext()
            with ctx:
                with self._autocast():
                    loss, terms = self.task.loss(self.wrapped, batch, self.step)
                self.scaler.scale(loss / c.accumulation).backward()
            for k, v in {**terms, "loss": float(loss.detach())}.items():
                totals[k] = totals.get(k, 0.0) + v / c.accumulation
        self.scaler.unscale_(self.optimizer)
        grad_norm = float(
            torch.nn.utils.clip_grad_norm_(
                self.model.parameters(), c.grad_clip if c.grad_clip > 0 else float("inf")
            )
        )
        bad = [] if math.isfinite(totals["loss"]) else ["loss"]
        if not math.isfinite(grad_norm) and c.amp != "fp16":  # fp16's scaler skips such steps itself
            bad.append("gradient norm")
        if bad:
            raise TrainingDiverged(
                f"step {self.step + 1}: the {' and the '.join(bad)} {'are' if len(bad) > 1 else 'is'} not "
                "finite; stopped "
                f"without updating the weights or writing a checkpoint (the last good ones are in "
                f"{self.out / 'checkpoints'}; try a lower train.lr or train.grad_clip)"
            )
        self.scaler.step(self.optimizer)
        self.scaler.update()
        if self.scheduler is not None and c.scheduler != "plateau":
            self.scheduler.step()
        return {k: self.dist.mean(v) for k, v in totals.items()}, grad_norm

    @torch.no_grad()
    def _validate(self, batches: list[dict]) -> dict[str, float]:
        """Validation and media, on forked RNGs: training continues exactly as without them."""
        devices = [self.device.index or 0] if self.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            return self._validate_inner(batches)

    def _validate_inner(self, batches: list[dict]) -> dict[str, float]:
        self.model.eval()
        with self._autocast():
            metrics = self.task.validate(self.model, [self._to_device(b) for b in batches])
        metrics = {k: self.dist.mean(v) for k, v in metrics.items()}
        metrics["train_minutes"] = self.seconds / 60
        self._log("val", metrics)
        if self.scheduler is not None and self.config.scheduler == "plateau":
            self.scheduler.step(metrics["loss"])
        score = metrics.get("select", metrics["loss"])  # what picks best.pt (lower is better)
        if score < self.best_val:
            self.best_val = score
            self.save("best.pt")
        if self.writer is not None:
            self.task.log_media(self.writer, self.model, self._to_device(batches[0]), self.step)
        self.model.train()
        return metrics

    def _log(self, prefix: str, values: dict[str, float]) -> None:
        if self.writer is None:
            return
        for k, v in values.items():
            self.writer.add_scalar(f"{prefix}/{k}", v, self.step)
        self.writer.flush()
        if not self.config.progress:  # no bar (a log file, a batch job): one line instead
            shown = " ".join(f"{k} {v:.4g}" for k, v in values.items())
            print(f"step {self.step} {prefix}: {shown}", flush=True)

    def _write_param_hash(self) -> None:
        h = hashlib.sha256()
        for name, p in sorted(self.model.state_dict().items()):
            h.update(name.encode())
            h.update(p.detach().cpu().contiguous().numpy().tobytes())
        self.out.mkdir(parents=True, exist_ok=True)
        (self.out / f"params_rank{self.dist.rank}.sha256").write_text(h.hexdigest() + "\n")
