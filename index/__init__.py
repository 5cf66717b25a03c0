"""Turns raw policy files into a clause index: load → clean → split → parse → dedupe → embed → store."""
