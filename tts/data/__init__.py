"""The acoustic model's training data: prepared utterances as tensors, and padding."""
