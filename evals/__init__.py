"""Eval suite: hand-written gold questions, metrics, honest baselines and the runner."""
