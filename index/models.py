"""The records the index produces: documents and the clauses cited from them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Document:
    """One policy document (a file may hold several; one document may come from several files)."""

    doc_id: str
    title: str
    city: str | None
    issuer: str | None
    doc_number: str | None  # 文号, e.g. 嘉政办发〔2024〕25号
    issued_on: str | None  # ISO date
    effective_from: str | None  # ISO date, or "公布之日" resolved to issued_on when known
    effective_until: str | None  # ISO date
    sources: tuple[str, ...]
    kind: str = "policy"  # policy | notice | interpretation | other
    notice_title: str | None = None  # 关于印发…的通知, when the policy came wrapped in one
    related_doc_id: str | None = None  # an interpretation points at the policy it explains
    validity_text: str | None = None  # the sentence the dates come from, as printed
    notes: tuple[str, ...] = ()  # e.g. differences between merged copies
    # documents it implements (根据/贯彻落实《…》(…号)): (title, 文号 or None)
    basis: tuple[tuple[str, str | None], ...] = ()
    superseded_by: str | None = None  # doc_id of the document that replaces it
    validity_status: str | None = None  # 有效 / 失效 / 废止 as a portal prints it
    # ingestion warnings: (kind, source file, offset, length, message)
    warnings: tuple[tuple[str, str, int, int, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Document":
        data = dict(data)
        data["sources"] = tuple(data.get("sources", ()))
        data["notes"] = tuple(data.get("notes", ()))
        data["basis"] = tuple(tuple(b) for b in data.get("basis", ()))
        data["warnings"] = tuple(tuple(w) for w in data.get("warnings", ()))
        return cls(**data)


@dataclass(frozen=True)
class Clause:
    """The unit that is cited: one numbered item (or preamble / closing section) of a document."""

    clause_id: str  # e.g. jiaxing-ai-plan#三.(六)
    doc_id: str
    path: tuple[str, ...]  # headings from the root: ("三、支持政策", "(六)支持算力应用")
    label: str  # as printed: "(六)"
    heading: str  # the clause's own heading: "支持算力应用"
    text: str  # full clause text, cleaned and simplified
    responsible_units: tuple[str, ...] = ()
    start: int = 0  # char offsets into the cleaned document text
    end: int = 0
    label_path: tuple[str, ...] = ()  # ("三、", "(六)")
    kind: str = "item"  # item | preamble | notice | goal | closing | section | interpretation | signature

    @property
    def display_label(self) -> str:
        """Labels from the root as a reader writes them: 一、(三) · 三、(六) · 一、2."""
        return "".join(self.label_path) or self.label

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Clause":
        data = dict(data)
        data["path"] = tuple(data.get("path", ()))
        data["responsible_units"] = tuple(data.get("responsible_units", ()))
        data["label_path"] = tuple(data.get("label_path", ()))
        return cls(**data)


@dataclass
class Corpus:
    """Everything parsed from a corpus directory, before embedding."""

    documents: list[Document] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)

    def document(self, doc_id: str) -> Document:
        for doc in self.documents:
            if doc.doc_id == doc_id:
                return doc
        raise KeyError(doc_id)

    def clause(self, clause_id: str) -> Clause:
        for clause in self.clauses:
            if clause.clause_id == clause_id:
                return clause
        raise KeyError(clause_id)
