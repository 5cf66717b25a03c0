"""The composition root of the core: settings → embedder → index → rule book → lexicon → assistant → composers.

`build_services` runs once per process (`serve`, the CLI, the evals and the tests all call it) and
`Services.reload()` swaps in a freshly loaded index after an ingest. Nothing else constructs these parts.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from assistant.calculation_choice import CalculationChooser, award_variant_words
from assistant.calculator import load_rules
from assistant.calculator.rulebook import RuleBook, read_extracted
from assistant.catalogue import Catalogue
from assistant.chain import PolicyAssistant
from assistant.composers import Composer
from assistant.composers.extractive import ExtractiveComposer
from assistant.lexicon import Lexicon, load_lexicon
from assistant.matching.match import Matcher
from assistant.planner import Planner, Relevance
from assistant.profile import CorpusProfile, load_profile
from assistant.retriever import HybridSearcher, QueryRetriever
from assistant.resources import prompts_dir
from assistant.settings import Settings
from assistant.spelling import corrector_for
from assistant.understanding import QueryParser
from index.embedders import Embedder
from index.store import IndexLoadError, LoadedIndex

log = logging.getLogger("assistant.services")

@dataclass
class Services:
    """Everything a request needs, built once; `assistant` is replaced atomically by `reload()`."""

    settings: Settings
    embedder: Embedder
    lexicon: Lexicon
    profile: CorpusProfile
    rules: RuleBook
    index: LoadedIndex
    catalogue: Catalogue
    assistant: PolicyAssistant
    matcher: Matcher
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def reload(self) -> None:
        """Load the index again (after an ingest) and rebuild what depends on it."""
        from index.store import load_index

        with self._lock:
            index = load_index(self.settings.data_dir, expected_embedder=self.embedder.name)
            rules = rule_book(index)
            catalogue, assistant = assemble(self.settings, self.embedder, index, rules, self.lexicon, self.profile)
            self.index, self.rules, self.catalogue, self.assistant = index, rules, catalogue, assistant
            self.matcher = assistant.planner.matcher

    def variant(self, retrieval_mode: str) -> PolicyAssistant:
        """The same assistant with another retriever (`bm25` / `dense`: the eval's baselines)."""
        return assemble(
            self.settings, self.embedder, self.index, self.rules, self.lexicon, self.profile, retrieval_mode,
        )[1]


def assemble(
    settings: Settings, embedder: Embedder, index: LoadedIndex, rules: RuleBook, lexicon: Lexicon, profile: CorpusProfile,
    retrieval_mode: str = "hybrid",
) -> tuple[Catalogue, PolicyAssistant]:
    """Catalogue and assistant over one loaded index."""
    catalogue = Catalogue(index, profile, lexicon)
    retriever = QueryRetriever(HybridSearcher(index, embedder), retrieval_mode)
    relevance = Relevance(min_dense=float(getattr(embedder, "min_relevance", 0.0)))
    parser = QueryParser(
        catalogue.cities, lexicon, corrector_for(index, lexicon), award_variant_words(list(rules)),
        corpus_words=(t for tokens in index.tokens for t in tokens),
    )
    matcher = Matcher(rules, catalogue, parser)
    planner = Planner(catalogue, retriever, CalculationChooser(rules), relevance, lexicon, matcher=matcher)
    programmes: dict[str, tuple[tuple[str, str], ...]] = {}  # city → (title, English title) of its programmes
    for rule in rules:
        titles = programmes.setdefault(rule.city, ())
        if (rule.title, rule.title_en) not in titles:
            programmes[rule.city] = (*titles, (rule.title, rule.title_en))
    composer: Composer = ExtractiveComposer(catalogue.overview, programmes)
    if settings.llm == "openai":
        from assistant.composers.llm import LLMComposer

        composer = LLMComposer.from_settings(settings, composer, catalogue.overview, prompts_dir(), rules=rules)
    return catalogue, PolicyAssistant(catalogue, parser, retriever, planner, composer, top_k=settings.top_k)


def rule_book(index: LoadedIndex) -> RuleBook:
    """Reviewed YAML rules for clauses this index holds, and the rules extracted from its other clauses."""
    clause_ids = {c.clause_id for c in index.clauses}
    reviewed = [r for r in load_rules().values() if r.clause_id in clause_ids]
    return RuleBook(reviewed, read_extracted(index.path))


def build_services(
    settings: Settings, build_if_needed: bool = True, show_progress: bool = False, embedder: Embedder | None = None,
) -> Services:
    """Load (building first if missing, stale or damaged) the index named by the settings, and wire the rest."""
    from index.build import build_index, is_stale
    from index.embedders import make_embedder
    from index.store import load_index

    embedder = embedder or make_embedder(settings.embedder, settings.embed_model)
    if build_if_needed and is_stale(settings.corpus_dir, settings.data_dir, embedder.name):
        log.warning("index missing, unreadable or stale (corpus or embedder changed); building it from %s", settings.corpus_dir)
        build_index(settings.corpus_dir, settings.data_dir, embedder, show_progress=show_progress)
    try:
        index = load_index(settings.data_dir, expected_embedder=embedder.name)
    except IndexLoadError as exc:
        if not build_if_needed:
            raise
        log.warning("index unusable (%s); rebuilding from %s", exc, settings.corpus_dir)
        build_index(settings.corpus_dir, settings.data_dir, embedder, show_progress=show_progress)
        index = load_index(settings.data_dir, expected_embedder=embedder.name)
    lexicon = load_lexicon()
    profile = load_profile(settings.corpus_dir)
    rules = rule_book(index)
    catalogue, assistant = assemble(settings, embedder, index, rules, lexicon, profile)
    return Services(settings, embedder, lexicon, profile, rules, index, catalogue, assistant, assistant.planner.matcher)
