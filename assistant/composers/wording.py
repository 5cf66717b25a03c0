"""How answers, citation cards and scripts write sources, amounts and dates (shared by composers and the UI)."""

from __future__ import annotations

from decimal import Decimal
from assistant.calculator import format_yuan
from assistant.places import display_name_en
from assistant.types import Hit


def book_title(title: str) -> str:
    """《title》, unless the title already starts with one (an interpretation's title quotes its policy)."""
    return title if title.startswith("《") else f"《{title}》"


def source_zh(hit: Hit) -> str:
    d, c = hit.document, hit.clause
    return f"{d.city or ''}{book_title(d.title)}{c.display_label}"


def source_en(hit: Hit) -> str:
    d, c = hit.document, hit.clause
    return f"{display_name_en(d.city)}, {book_title(d.title)} clause {c.display_label}"


def city_name_en(city: str | None) -> str:
    return display_name_en(city)


def yuan_en(amount: Decimal | float) -> str:
    value = Decimal(str(amount))
    return f"RMB {value:,.0f} ({format_yuan(value)})"


def date_zh(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def shown_steps(calc) -> list[str]:
    """The calculator's steps without their closing "结果:…", which every answer states once itself."""
    return [s.rstrip("。;; ") for s in calc.steps if not s.startswith(("结果:", "Result:"))]
