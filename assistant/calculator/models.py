"""Typed rules (validated from the YAML files) and the calculation result.

Rules are pydantic models because they are validated input (data files); amounts are yuan
and rates are percent, both as `Decimal`. A value that depends on an option is written
``{by: input_name, values: {option: number}}`` (`ByOption`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

InputType = Literal["amount_yuan", "percent", "choice", "bool", "int"]
Kind = Literal["rate", "interest", "tiered", "fixed", "range", "cost_capped", "performance_rate"]
UNITS: dict[str, str] = {"amount_yuan": "元", "percent": "%", "choice": "", "bool": "", "int": ""}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(_Frozen):
    """A phrase in Chinese and English."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


class Option(_Frozen):
    value: str
    zh: str
    en: str
    aliases: tuple[str, ...] = ()


class InputSpec(_Frozen):
    name: str
    type: InputType
    description: Text
    required: bool | None = None  # None: required unless a default is given
    default: Any = None
    options: tuple[Option, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    allow_negative: bool = False  # e.g. a growth rate
    default_from: str | None = None  # when not given, take this other input's value (stated in the steps)
    growth_of: tuple[str, str] | None = None  # a percent not given: growth of the first input over the second

    @property
    def is_required(self) -> bool:
        return self.default is None if self.required is None else self.required

    @property
    def unit(self) -> str:
        return UNITS[self.type]

    def schema(self) -> dict[str, Any]:
        """JSON-able description for GET /v1/programs and the LLM tool."""
        out: dict[str, Any] = {
            "name": self.name,
            "type": self.type,
            "unit": self.unit,
            "required": self.is_required,
            "default": self.default,
            "description_zh": self.description.zh,
            "description_en": self.description.en,
        }
        if self.default_from:
            out["default_from"] = self.default_from
        if self.options:
            out["allowed"] = [o.value for o in self.options]
            out["options"] = [{"value": o.value, "zh": o.zh, "en": o.en} for o in self.options]
        return out


class ByOption(_Frozen):
    """A number chosen by the value of another input (a choice or a bool)."""

    by: str
    values: dict[str, Decimal]

    @field_validator("values", mode="before")
    @classmethod
    def _string_keys(cls, value: dict) -> dict:
        return {str(k).lower() if isinstance(k, bool) else str(k): v for k, v in value.items()}


ValueSpec = Union[Decimal, ByOption]


class Threshold(_Frozen):
    input: str
    min: ValueSpec


class Exclusion(_Frozen):
    input: str
    when: Any
    reason: Text


class Cap(_Frozen):
    amount: ValueSpec
    scope: Text


class Tier(_Frozen):
    min: Decimal
    award: Decimal


class Component(_Frozen):
    zh: str
    en: str
    amount: Decimal


class Award(_Frozen):
    value: str
    zh: str
    en: str
    amount: Decimal | None = None
    components: tuple[Component, ...] = ()

    @model_validator(mode="after")
    def _one_amount(self) -> "Award":
        if (self.amount is None) == (not self.components):
            raise ValueError(f"award {self.value}: give either amount or components")
        return self

    @property
    def total(self) -> Decimal:
        return self.amount if self.amount is not None else sum((c.amount for c in self.components), Decimal(0))


class Range(_Frozen):
    min: Decimal
    max: Decimal


class Stacking(_Frozen):
    """A city's rule for one item qualifying under several measures."""

    principle: str
    principle_en: str
    clause_id: str
    quotes: tuple[str, ...] = ()


class Rule(_Frozen):
    """One computable support measure, as written in one clause."""

    program: str
    city: str
    city_en: str
    title: str
    title_en: str
    clause_id: str
    kind: Kind
    inputs: tuple[InputSpec, ...] = ()
    base: str | None = None  # the amount input a rate / threshold / tier applies to
    comparable: str | None = None
    stacking_group: str | None = None
    rate: ValueSpec | None = None
    thresholds: tuple[Threshold, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    caps: tuple[Cap, ...] = ()
    # support paid each year for at most this many years ("政策有效期内资助不超过3年"): its yearly cap times this
    # is the most over the period
    years: int | None = Field(default=None, ge=1)
    tiers: tuple[Tier, ...] = ()
    awards: tuple[Award, ...] = ()
    up_to: bool = False  # a fixed award that is a maximum ("不超过", "最高")
    floor: bool = False  # a fixed award that is a minimum ("不低于")
    range: Range | None = None
    max_points: Decimal | None = None  # interest subsidy: percentage points
    interest_share: Decimal | None = None  # interest subsidy: share of interest paid, percent
    uplift: Decimal | None = None  # performance_rate: percentage points added when `uplift_input` is true
    rate_input: str | None = None  # interest: the loan's interest-rate input; performance_rate: the base-rate input
    paid_input: str | None = None  # interest: the input with the interest actually paid (optional)
    uplift_input: str | None = None  # performance_rate: the bool input that adds `uplift`
    notes: tuple[Text, ...] = ()
    open_questions: tuple[Text, ...] = ()
    quotes: tuple[str, ...] = ()
    stacking: Stacking | None = None
    reviewed: bool = True  # hand-checked YAML; False for a rule extracted from the clause text
    computable: bool = True
    reason: str | None = None  # why a rule is not computable

    @model_validator(mode="after")
    def _level_input(self) -> "Rule":
        """Fixed awards with several levels get a `level` choice input derived from the awards."""
        if self.kind == "fixed" and len(self.awards) > 1 and not any(i.name == "level" for i in self.inputs):
            level = InputSpec(
                name="level",
                type="choice",
                description=Text(zh="认定级别/类别", en="recognition level / category"),
                options=tuple(Option(value=a.value, zh=a.zh, en=a.en) for a in self.awards),
            )
            object.__setattr__(self, "inputs", self.inputs + (level,))
        names = {i.name for i in self.inputs}
        refs = [t.input for t in self.thresholds] + [e.input for e in self.exclusions]
        refs += [i.default_from for i in self.inputs if i.default_from]
        refs += [name for i in self.inputs if i.growth_of for name in i.growth_of]
        refs += [r for r in (self.rate_input, self.paid_input, self.uplift_input) if r]
        if self.kind == "interest" and not self.rate_input:
            raise ValueError(f"{self.program}: an interest rule names its interest-rate input (rate_input)")
        if self.kind == "performance_rate" and not self.rate_input:
            raise ValueError(f"{self.program}: a performance_rate rule names its base-rate input (rate_input)")
        if self.uplift is not None and not self.uplift_input:
            raise ValueError(f"{self.program}: an uplift needs the bool input that selects it (uplift_input)")
        if not self.computable and not self.reason:
            raise ValueError(f"{self.program}: a rule that is not computable gives the reason")
        refs += [v.by for v in [self.rate, *(c.amount for c in self.caps), *(t.min for t in self.thresholds)] if isinstance(v, ByOption)]
        if self.base:
            refs.append(self.base)
        missing = [r for r in refs if r not in names]
        if missing:
            raise ValueError(f"{self.program}: rule refers to unknown inputs {missing}")
        return self

    def input(self, name: str) -> InputSpec:
        return next(i for i in self.inputs if i.name == name)

    def schema(self) -> dict[str, Any]:
        return {
            "program": self.program,
            "city": self.city,
            "title": self.title,
            "title_en": self.title_en,
            "clause_id": self.clause_id,
            "kind": self.kind,
            "comparable": self.comparable,
            "inputs": [i.schema() for i in self.inputs],
            "reviewed": self.reviewed,
            "computable": self.computable,
            **({"reason": self.reason} if self.reason else {}),
        }


class Calculation(BaseModel):
    """The result of one program applied to one set of inputs, with every step shown."""

    model_config = ConfigDict(frozen=True)

    program: str
    city: str
    title: str
    inputs: dict[str, Any]
    steps: list[str]
    result_yuan: float
    eligible: bool
    cap_applied: bool
    clause_id: str
    notes: list[str] = Field(default_factory=list)
    open_questions: list[str] = Field(default_factory=list)
    partial: bool = False  # the text leaves part of the amount undetermined (see open_questions)
    comparable: str | None = None
    stacking_group: str | None = None
    lang: str = "zh"
    reviewed: bool = True  # False: computed from a rule read automatically from the clause text

    @property
    def amount_open(self) -> bool:
        """The text leaves the whole amount open (an unpublished rate): no figure to state, not a result of 0."""
        return self.eligible and self.partial and not self.result_yuan

    @property
    def result(self) -> Decimal:
        """`result_yuan` as an exact Decimal (results are whole yuan)."""
        return Decimal(int(self.result_yuan))

    def to_contract(self) -> dict[str, Any]:
        """Exactly the fields of the HTTP contract (POST /v1/calculate)."""
        return {
            "program": self.program,
            "inputs": self.inputs,
            "steps": self.steps,
            "result_yuan": self.result_yuan,
            "cap_applied": self.cap_applied,
            "eligible": self.eligible,
            "clause_id": self.clause_id,
            "reviewed": self.reviewed,
        }
