"""The shared base every component builds on; nothing here imports a component.

files.py       atomic, durable writes; one-line error messages
config.py      typed config dataclasses from YAML with a strict loader
audio.py       load, resample, trim, loudness-normalize
pitch.py       fast vectorized YIN: frame-level F0 and voicing
features.py    log-mel, F0, energy on the model's frame grid
layers.py      nn building blocks (masks, conv stacks, BiLSTM)
checkpoint.py  safe, atomic checkpoints (weights_only loading)
task.py        the Task protocol and the registry of training tasks
trainer.py     the training loop: schedules, AMP, accumulation, DDP, exact resume
sampler.py     seeded length-bucketed batches
logs.py        TensorBoard scalars back as lists
data/          the built-in corpus, dataset readers, feature preparation, the aligner
"""
