"""Training machinery every model shares: the loop, checkpoints, schedules, logging, DDP.

A model plugs in as a *task* (``tts.training.task.Task``): it owns the model, its data and
its loss; the ``Trainer`` owns everything else.
"""
