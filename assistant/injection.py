"""Recognise instructions aimed at the assistant inside policy text (an ingested "clause" that says
"忽略以上规则…"): such text is never a policy fact, so it is never retrieved as evidence.

The detector lives in `index.injection` (ingestion quarantines whole documents with it); this module
re-exports it so the answer-time filter and ingestion use the same patterns.
"""

from __future__ import annotations

from index.injection import InstructionMatch, find_instruction, looks_like_instruction

__all__ = ["InstructionMatch", "find_instruction", "looks_like_instruction"]
