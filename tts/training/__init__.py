"""The acoustic training task (``task: acoustic``) and the intelligibility probe it
validates with; the loop, checkpoints and schedules are ``core``'s."""
