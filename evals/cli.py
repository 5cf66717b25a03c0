"""`policy-assistant eval`: score the product and the baselines on the gold set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional

import typer

from evals.gold import DEFAULT_GOLD, SPLIT_CHOICES, GoldSetError, load_gold, select_split
from evals.runner import REPORT_DIR, run_eval, summary_table, threshold_failures, write_reports

DEFAULT_THRESHOLDS = Path(__file__).resolve().parent / "thresholds.json"


def parse_floors(pairs: List[str]) -> dict[str, float]:
    floors = {}
    for pair in pairs:
        metric, sep, value = pair.partition("=")
        try:
            floors[metric.strip()] = float(value)
        except ValueError:
            sep = ""
        if not sep:
            raise typer.BadParameter(f"{pair!r}: write METRIC=VALUE, e.g. answer_accuracy=0.9")
    return floors


def build_systems(against: Optional[str], baselines: bool, progress: bool):
    from evals.systems import HttpProduct, InProcessProduct, NewcomerBaseline
    from assistant.services import build_services
    from assistant.settings import get_settings

    settings = get_settings()
    needs_local = against is None or baselines
    services = build_services(settings, build_if_needed=True, show_progress=progress) if needs_local else None
    systems = [HttpProduct(against) if against else InProcessProduct(services.assistant)]
    if baselines and services is not None:
        systems += [
            NewcomerBaseline(settings.corpus_dir, services.embedder, services.index.clauses),
            InProcessProduct(services.variant("bm25"), name="bm25_only"),
            InProcessProduct(services.variant("dense"), name="dense_only"),
        ]
    return systems


def register(app: typer.Typer) -> None:
    @app.command("eval")
    def eval_command(
        gold: Path = typer.Option(DEFAULT_GOLD, "--set", help="Gold questions (JSONL)."),
        split: str = typer.Option(
            "all", help="dev (tune on it), heldout (frozen; scores only) or all (both, reported side by side).",
        ),
        against: Optional[str] = typer.Option(None, help="Base URL of a running server; default: in-process."),
        baselines: bool = typer.Option(True, help="Also run the newcomer, BM25-only and dense-only baselines."),
        fail_under: List[str] = typer.Option([], help="METRIC=VALUE floor for every split run, repeatable (e.g. answer_accuracy=0.9)."),
        thresholds: Optional[Path] = typer.Option(None, help=f"JSON of floors per split (e.g. {DEFAULT_THRESHOLDS.name}); also fails if a baseline beats the product on a split."),
        report_dir: Path = typer.Option(REPORT_DIR, help="Where latest.json / latest.md go."),
        compare_to: Path = typer.Option(REPORT_DIR / "baseline.json", help="Earlier report to diff against."),
        save_baseline: bool = typer.Option(False, help="Also write this run as the committed baseline report."),
        progress: bool = typer.Option(True, help="Progress bars."),
    ) -> None:
        """Answer every gold question, print the scores, write reports, fail under thresholds."""
        if split not in SPLIT_CHOICES:
            raise typer.BadParameter(f"{split!r}: use one of {', '.join(SPLIT_CHOICES)}", param_hint="--split")
        if save_baseline and split != "all":
            raise typer.BadParameter("the committed baseline report holds both splits: run it with --split all", param_hint="--save-baseline")
        try:
            items = select_split(load_gold(gold), split)
        except GoldSetError as exc:
            typer.secho(f"错误 / error: {exc}", fg=typer.colors.RED, err=True)
            raise typer.Exit(2)
        floors = parse_floors(fail_under)
        if thresholds is not None:
            if not thresholds.is_file():
                raise typer.BadParameter(f"thresholds file not found: {thresholds}")
            floors = {**json.loads(thresholds.read_text(encoding="utf-8")).get("product", {}), **floors}
        report = run_eval(items, build_systems(against, baselines, progress), gold.name, progress=progress, split=split)
        previous = json.loads(compare_to.read_text(encoding="utf-8")) if compare_to.is_file() else None
        json_path, md_path = write_reports(report, report_dir, previous)
        if save_baseline:
            write_reports(report, report_dir, None, stem="baseline")
        typer.echo(summary_table(report, previous))
        typer.echo(f"\nreports: {json_path}  {md_path}")
        try:
            problems = threshold_failures(report, floors, require_beating_baselines=thresholds is not None and baselines)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--thresholds")
        if problems:
            typer.secho("eval below thresholds:\n  " + "\n  ".join(problems), fg=typer.colors.RED, err=True)
            raise typer.Exit(1)
