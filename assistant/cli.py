"""`policy-assistant` command line: index, serve, ask, search, calc, eval, feedback."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from assistant.settings import Settings, get_settings

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Policy assistant for AI-industry support policies.")
index_app = typer.Typer(no_args_is_help=True, help="Build and inspect the clause index.")
feedback_app = typer.Typer(no_args_is_help=True, help="Review user feedback.")
app.add_typer(index_app, name="index")
app.add_typer(feedback_app, name="feedback")


def _fail(message: str, code: int = 2) -> None:
    typer.secho(f"错误 / error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code)


def _settings(corpus: Optional[Path] = None) -> Settings:
    settings = get_settings()
    return settings.model_copy(update={"corpus_dir": corpus}) if corpus else settings


def _embedder(settings: Settings):
    from index.embedders import make_embedder

    try:
        return make_embedder(settings.embedder, settings.embed_model)
    except (ValueError, FileNotFoundError) as exc:
        _fail(str(exc))


@index_app.command("build")
def index_build(corpus: Optional[Path] = typer.Option(None, help="Corpus directory (default: POLICY_CORPUS_DIR).")) -> None:
    """Parse the corpus, embed the clauses and store the index (atomically replaces the old one)."""
    from index.build import build_index
    from index.sources import SourceError

    settings = _settings(corpus)
    try:
        report = build_index(settings.corpus_dir, settings.data_dir, _embedder(settings))
    except SourceError as exc:
        _fail(f"{exc} (the existing index was left unchanged)")
    typer.echo(
        f"built {report.documents} documents, {report.clauses} clauses in {report.seconds:.1f}s "
        f"({report.embedded} embedded, {report.clauses - report.embedded} from cache) → {report.path}"
    )
    _echo_rules(report)


def _echo_rules(report) -> None:
    """Calculator rules read from the clauses, and every money sentence that gave none (with the reason)."""
    typer.echo(f"calculator rules extracted: {report.rules}; money sentences without a rule: {len(report.skipped)}")
    for item in report.skipped:
        typer.echo(f"  {item['clause_id']}: {item['reason']}")


@index_app.command("add")
def index_add(files: List[Path] = typer.Argument(..., help=".txt/.md/.html/.docx/.pdf files to ingest.")) -> None:
    """Ingest new policy files and rebuild incrementally (only new clauses are embedded)."""
    from index.build import add_files
    from index.sources import SourceError

    settings = _settings()
    try:
        report = add_files(files, settings.corpus_dir, settings.data_dir, _embedder(settings))
    except SourceError as exc:
        _fail(f"{exc} (nothing was added; the existing index was left unchanged)")
    typer.echo(f"index now holds {report.documents} documents, {report.clauses} clauses ({report.embedded} newly embedded)")
    _echo_rules(report)


@index_app.command("stats")
def index_stats() -> None:
    """Documents, clause counts and build facts of the current index."""
    from index.store import IndexLoadError, load_index

    settings = _settings()
    try:
        loaded = load_index(settings.data_dir)
    except IndexLoadError as exc:
        _fail(str(exc))
    m = loaded.manifest
    typer.echo(f"index: {loaded.path}\nembedder: {m['embedder']} ({m['dim']} dims)\nbuilt: {m['built_at']} in {m['build_seconds']}s")
    typer.echo(f"documents: {m['counts']['documents']}  clauses: {m['counts']['clauses']}")
    rules = m["counts"].get("rules")
    if rules:
        kinds = ", ".join(f"{k} {n}" for k, n in rules["by_kind"].items())
        typer.echo(
            f"extracted rules: {rules['rules']} ({rules['computable']} computable) from {rules['clauses_with_rules']} clauses"
            f" [{kinds}]; money sentences without a rule: {rules['skipped']}"
        )
    for doc in loaded.documents.values():
        n = m["counts"]["per_document"].get(doc.doc_id, 0)
        typer.echo(f"  {doc.doc_id:34} {n:3} clauses  {doc.city or '-'}  {doc.doc_number or '-'}  {doc.title}")
    warnings = m.get("warnings", [])
    typer.echo(f"warnings: {len(warnings)}")
    for w in warnings:
        typer.echo(f"  {w['document']} ({w['source']}): {w['message']}")


@index_app.command("show")
def index_show(clause_id: str) -> None:
    """Print one clause with its document and responsible units."""
    from index.store import IndexLoadError, load_index

    try:
        loaded = load_index(_settings().data_dir)
    except IndexLoadError as exc:
        _fail(str(exc))
    clause = loaded.clause_by_id().get(clause_id)
    if clause is None:
        close = [c.clause_id for c in loaded.clauses if clause_id.split("#")[-1] in c.clause_id][:8]
        _fail(f"no clause {clause_id!r}" + (f"; did you mean: {', '.join(close)}" if close else ""), code=1)
    doc = loaded.documents[clause.doc_id]
    typer.echo(f"{clause.clause_id}\n{doc.title} ({doc.city}, {doc.doc_number or '无文号'})\n{' > '.join(clause.path)}\n")
    typer.echo(clause.text)
    if clause.responsible_units:
        typer.echo(f"\n责任单位: {'、'.join(clause.responsible_units)}")


@app.command("calc")
def calc(
    program: str,
    assignments: List[str] = typer.Argument(None, help="key=value inputs, e.g. contract_amount_yuan=1000万"),
    lang: str = typer.Option("zh", help="zh or en"),
    as_json: bool = typer.Option(False, "--json", help="Print the calculation as JSON."),
) -> None:
    """Run the subsidy calculator for one program."""
    from assistant.calculator.cli import run_calc

    code, text = run_calc(program, list(assignments or []), lang=lang, as_json=as_json, book=_rule_book(_settings()))
    typer.echo(text, err=code != 0)
    raise typer.Exit(code)


def _rule_book(settings: Settings):
    """The rule book of the built index (reviewed and extracted rules); None (reviewed only) when there is no index."""
    from assistant.services import rule_book
    from index.store import IndexLoadError, load_index

    try:
        return rule_book(load_index(settings.data_dir))
    except IndexLoadError:
        return None


def _services(settings: Settings):
    from assistant.services import build_services
    from index.errors import PolicyError

    try:
        return build_services(settings, build_if_needed=True, show_progress=sys.stderr.isatty())
    except (PolicyError, ValueError) as exc:
        _fail(str(exc))


@app.command("serve")
def serve(
    host: Optional[str] = typer.Option(None, help="Bind address (default POLICY_HOST, 127.0.0.1)."),
    port: Optional[int] = typer.Option(None, help="Port (default POLICY_PORT, 8000)."),
) -> None:
    """Build the index if it is missing, stale or damaged, then serve the API and the web UI on one port."""
    import logging

    import uvicorn

    from assistant.http.bodylimit import SERVER_LIMITS
    from assistant.root import web_app

    settings = _settings()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    services = _services(settings)
    host = host or settings.host
    port = port or settings.port
    typer.echo(f"serving {len(services.catalogue.documents)} documents / {len(services.index.clauses)} clauses at http://{host}:{port}/ui (API docs: /docs)")
    uvicorn.run(web_app(settings, services), host=host, port=port, log_level="info", **SERVER_LIMITS)


@app.command("ask")
def ask(
    question: str,
    city: Optional[str] = typer.Option(None, help="Restrict to one city."),
    as_json: bool = typer.Option(False, "--json", help="Print the full response as JSON."),
) -> None:
    """Answer one question with citations (same chain as POST /v1/ask)."""
    from pydantic import ValidationError

    from assistant.http.edge import ask_response
    from assistant.schemas import AskRequest

    try:
        request = AskRequest(question=question, city=city)
    except ValidationError as exc:
        _fail("; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors()))
    answer = _services(_settings()).assistant.ask(request.question, city=request.city)
    if as_json:
        typer.echo(json.dumps(ask_response(answer).model_dump(), ensure_ascii=False, indent=1))
        return
    typer.echo(answer.text)
    for n, view in enumerate(answer.cited_views, 1):
        typer.echo(f"[{n}] {view.document.city} 《{view.document.title}》{view.clause.display_label}  ({view.clause_id})")
    if answer.calculation:
        typer.echo("计算: " + " → ".join(answer.calculation.steps))


@app.command("search")
def search(
    query: str,
    k: int = typer.Option(5, min=1, max=50),
    city: Optional[str] = typer.Option(None, help="Restrict to one city."),
) -> None:
    """Find clauses (hybrid BM25 + dense retrieval)."""
    hits = _services(_settings()).assistant.search(query, k=k, city=city)
    if not hits:
        typer.echo("no matching clauses")
    for hit in hits:
        typer.echo(f"{hit.score:.4f}  {hit.clause.clause_id}  {hit.document.city} {hit.clause.display_label}\n        {hit.clause.text[:120]}")


@feedback_app.command("export")
def feedback_export(
    fmt: str = typer.Option("jsonl", "--format", help="csv or jsonl"),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="File to write (default: stdout)."),
) -> None:
    """Export all ratings and comments for review."""
    from assistant.feedback import FeedbackStore, feedback_path

    if fmt not in ("csv", "jsonl"):
        _fail("--format must be csv or jsonl")
    text = FeedbackStore(feedback_path(_settings().data_dir)).export(fmt)
    if output:
        output.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {output}")
    else:
        typer.echo(text, nl=False)


def _register_extras() -> None:
    from assistant.root import register_cli_extras

    register_cli_extras(app)


_register_extras()


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()


@app.command("match")
def match(
    description: Optional[str] = typer.Argument(None, help="The enterprise in plain words, e.g. \"软件企业,签了1000万元国产算力合同,大模型已备案\"."),
    profile: Optional[Path] = typer.Option(None, "--profile", help="A YAML/JSON file of facts {fact: value} (see assistant/data/profile_facts.yaml)."),
    city: Optional[str] = typer.Option(None, help="Check one city only."),
    as_of: Optional[str] = typer.Option(None, "--as-of", help="Documents in force on this date (YYYY-MM-DD)."),
    fmt: str = typer.Option("markdown", "--format", help="markdown | csv | json"),
) -> None:
    """Policy check (政策体检): every programme the enterprise may claim, with amounts and clauses (POST /v1/match)."""
    from datetime import date

    import yaml
    from pydantic import ValidationError

    from assistant.errors import PolicyError
    from assistant.http.edge import match_response
    from assistant.matching.report import to_csv, to_markdown
    from assistant.matching.service import run_match
    from assistant.schemas import MatchRequest

    facts = None
    if profile is not None:
        try:
            facts = yaml.safe_load(profile.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            _fail(f"cannot read profile file {profile}: {exc}")
        if not isinstance(facts, dict):
            _fail(f"{profile}: expected a mapping of facts {{fact: value}}")
    if description is None and facts is None:
        _fail("give a description or --profile FILE")
    try:
        day = date.fromisoformat(as_of) if as_of else None
        request = MatchRequest(profile_text=description, profile=facts, city=city, as_of=day)
    except ValueError as exc:
        errors = exc.errors() if isinstance(exc, ValidationError) else [{"msg": str(exc)}]
        _fail("; ".join(str(e["msg"]).removeprefix("Value error, ") for e in errors))
    try:
        result = run_match(_services(_settings()), request.profile_text, request.profile, city=request.city, as_of=request.as_of)
    except PolicyError as exc:
        _fail(str(exc))
    if fmt == "json":
        typer.echo(json.dumps(match_response(result).model_dump(), ensure_ascii=False, indent=1))
    elif fmt == "csv":
        typer.echo(to_csv(result), nl=False)
    else:
        typer.echo(to_markdown(result), nl=False)
