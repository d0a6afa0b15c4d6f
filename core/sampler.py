"""Batches of similar length in a seeded order, shared by every training task.

The sampler is a pure function of (seed, epoch, rank): an interrupted run resumes on
exactly the batch it would have seen next, and distributed ranks take disjoint shares.
"""

from __future__ import annotations

import torch


class BatchSampler:
    """Batches of similar length in a seeded random order; ``start`` skips batches already seen.

    Indices are shuffled, cut into windows of ``bucket`` batches, sorted by length inside
    each window (less padding), batched, and the batches shuffled again. With several
    ranks, rank r takes batches r, r + world, ... (all ranks get the same count).
    """

    def __init__(
        self,
        lengths: list[int],
        batch_size: int,
        seed: int,
        rank: int = 0,
        world: int = 1,
        bucket: int = 20,
        drop_last: bool = True,
    ):
        self.lengths, self.batch_size, self.seed = lengths, batch_size, seed
        self.rank, self.world, self.bucket, self.drop_last = rank, world, bucket, drop_last
        self.epoch, self.start = 0, 0

    def set_epoch(self, epoch: int, start: int = 0) -> None:
        self.epoch, self.start = epoch, start

    def batches(self) -> list[list[int]]:
        g = torch.Generator().manual_seed(self.seed * 100003 + self.epoch)
        order = torch.randperm(len(self.lengths), generator=g).tolist()
        window = self.batch_size * self.bucket
        batches = []
        for w in range(0, len(order), window):
            chunk = sorted(order[w : w + window], key=lambda i: self.lengths[i])
            batches += [chunk[b : b + self.batch_size] for b in range(0, len(chunk), self.batch_size)]
        if self.drop_last:
            batches = [b for b in batches if len(b) == self.batch_size] or batches[:1]
        batches = [batches[i] for i in torch.randperm(len(batches), generator=g).tolist()]
        per_rank = max(1, len(batches) // self.world)
        return batches[self.rank :: self.world][:per_rank]

    def __iter__(self):
        return iter(self.batches()[self.start :])

    def __len__(self) -> int:
        return max(0, len(self.batches()) - self.start)
