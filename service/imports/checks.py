"""Checking a chunk of one bundle file column by column: each distinct cell text of a column is read and validated
once (a district, a status or a skill list repeats across thousands of rows), then rows are assembled from the
columns' values and only what spans columns (the resource's `prepare`) runs row by row."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import TypeAdapter, ValidationError

from service.core.errors import Forbidden
from service.core.models import CONTROL
from service.core.reference import Reference
from service.imports.cells import READERS, CellError
from service.imports.files import BundleFile
from service.imports.reader import Chunk

MISSING: Any = object()  # an empty cell of a column that is no field of the record (nothing to store)
_DEFAULT: Any = object()  # an empty cell of an optional field: the model's default applies
MAX_REMEMBERED = 50_000  # distinct texts remembered per column (unique ids would otherwise grow without bound)

Report = Callable[[int, str, str], None]  # (line, column, reason)


@dataclass
class Parsed:
    line: int
    key: tuple[Any, ...]
    values: dict[str, Any]
    companions: dict[str, Any] = field(default_factory=dict)  # values of the file's companion columns present


@dataclass(frozen=True)
class _CellProblems:
    """What is wrong with one cell text: unreadable (the row's model is then not validated), or not valid."""

    unreadable: str | None = None
    invalid: tuple[str, ...] = ()


class _Column:
    """One column's reading and validation, remembered by cell text."""

    def __init__(self, spec: BundleFile, column: str) -> None:
        self.name = column
        self.read, self.empty = READERS[spec.columns[column]]
        model_field = spec.row_model.model_fields.get(column)
        self.adapter: TypeAdapter[Any] | None = None
        self.many: TypeAdapter[list[Any]] | None = None
        self.required = False
        self.default: Any = None
        if model_field is not None:
            annotation: Any = model_field.annotation
            if model_field.metadata:  # the field's constraints (Field(ge=..., max_length=...))
                annotation = Annotated[annotation, *model_field.metadata]
            self.adapter = TypeAdapter(annotation)
            self.many = TypeAdapter(list[annotation])
            self.required = model_field.is_required()
            self.default = model_field.get_default(call_default_factory=True)
        self.known: dict[str, Any] = {}

    def values(self, texts: Iterable[str]) -> dict[str, Any]:
        """The stored value of each distinct cell text, or its _CellProblems; the texts read without problems
        are validated together, in one call for the whole batch."""
        found: dict[str, Any] = {}
        fresh: dict[str, Any] = {}  # text -> the value read, still to validate
        for text in texts:
            known = self.known.get(text, MISSING)
            if known is not MISSING:
                found[text] = known
                continue
            read = self._read(text)
            if self.adapter is None or type(read) is _CellProblems or read is _DEFAULT:
                found[text] = self.default if read is _DEFAULT else read
            else:
                fresh[text] = read
        if fresh:
            found.update(zip(fresh, self._validated(list(fresh.values()))))
        if len(self.known) + len(found) > MAX_REMEMBERED:
            self.known.clear()
        self.known.update(found)
        return found

    def _read(self, text: str) -> Any:
        """The cell's value as read (before validation), its _CellProblems, or _DEFAULT for an empty cell."""
        if CONTROL.search(text):
            return _CellProblems(unreadable="control characters are not allowed")
        if not text.strip():
            if self.empty is not None:
                return self.empty
            if self.adapter is None:
                return MISSING
            return _CellProblems(invalid=("Field required",)) if self.required else _DEFAULT
        try:
            return self.read(text)
        except CellError as exc:
            return _CellProblems(unreadable=str(exc))

    def _validated(self, raw: list[Any]) -> list[Any]:
        assert self.adapter is not None and self.many is not None
        try:
            return self.many.dump_python(self.many.validate_python(raw))
        except ValidationError:
            pass
        found: list[Any] = []  # one value at least is invalid: each one on its own, for its own problems
        for value in raw:
            try:
                found.append(self.adapter.dump_python(self.adapter.validate_python(value)))
            except ValidationError as exc:
                shown = f" (got '{value}')" if isinstance(value, (str, int, float)) else ""
                found.append(_CellProblems(invalid=tuple(f"{err['msg']}{shown}" for err in exc.errors())))
        return found


class FileCheck:
    """Checks the chunks of one file with the columns its header has."""

    def __init__(self, spec: BundleFile, columns: list[str], reference: Reference,
                 key_sites: set[str] | None = None) -> None:
        self.spec = spec
        self.reference = reference
        self.key_sites = key_sites  # the sites the importing key works in (None or empty: every site)
        model_fields = list(spec.row_model.model_fields)
        self.field_order = {name: position for position, name in enumerate(model_fields)}
        self.columns = [_Column(spec, column) for column in columns]
        self.fields = [c for c in self.columns if c.adapter is not None]
        self.companions = [c for c in self.columns if c.adapter is None]
        given = {c.name for c in self.columns}
        self.defaults = {name: info.get_default(call_default_factory=True)
                         for name, info in spec.row_model.model_fields.items()
                         if name not in given and not info.is_required()}

    def _money_named_for_site(self, chunk: Chunk, position: int, values: dict[str, Any], error: Report) -> bool:
        """A row of a site whose money is not rupees may not state it in an `_inr` column: the neutral name says
        the amount is in the site's own currency."""
        site = values.get("site")
        if site is None or self.reference.of(site).currency == "INR":
            return True
        wrong = [column for column in self.spec.neutral if (chunk.cells.get(column) or [""] * len(chunk))[position]
                 .strip()]
        of = self.reference.of(site)
        for column in wrong:
            error(chunk.lines[position], column,
                  f"this row belongs to {of.site.name}, whose money is {of.currency}: name the column "
                  f"'{self.spec.neutral[column]}' (amounts in {of.currency}), not '{column}'")
        return not wrong

    def rows(self, chunk: Chunk, error: Report, warn: Report, caller: Any = None) -> list[Parsed]:
        """The chunk's rows as typed, prepared values; every problem is reported against its line and column."""
        spec = self.spec
        size = len(chunk)
        values_by_column: dict[str, list[Any]] = {}
        unreadable: dict[int, list[tuple[int, str, str]]] = {}  # position -> (column order, column, reason)
        invalid: dict[int, list[tuple[int, str, str]]] = {}  # position -> (model field order, column, reason)
        for order, column in enumerate(self.columns):
            # a neutral money column (`monthly_wage`) stands for its `_inr` name: amounts in the site's currency
            cells = chunk.cells.get(column.name) or chunk.cells.get(spec.neutral.get(column.name, "")) or [""] * size
            outcomes = column.values(dict.fromkeys(cells))
            values_by_column[column.name] = [outcomes[text] for text in cells]
            bad = {text: outcome for text, outcome in outcomes.items() if type(outcome) is _CellProblems}
            if not bad:
                continue
            for position, text in enumerate(cells):
                problem = bad.get(text)
                if problem is None:
                    continue
                if problem.unreadable is not None:
                    unreadable.setdefault(position, []).append((order, column.name, problem.unreadable))
                else:
                    invalid.setdefault(position, []).extend((self.field_order[column.name], column.name, reason)
                                                            for reason in problem.invalid)
        parsed: list[Parsed] = []
        names = [column.name for column in self.fields]
        field_values = [values_by_column[name] for name in names]
        companion_values = [(c.name, values_by_column[c.name]) for c in self.companions]
        for position, row_values in enumerate(zip(*field_values) if field_values else [()] * size):
            line = chunk.lines[position]
            if position in chunk.extra:
                error(line, "", f"the row has {chunk.extra[position]} cells, more than the header")
                continue
            problems = unreadable.get(position) or invalid.get(position)
            if problems:  # a row with an unreadable cell is not validated further; an invalid one not prepared
                for _, column_name, reason in sorted(problems, key=lambda problem: problem[0]):
                    error(line, column_name, reason)
                continue
            values = {**self.defaults, **dict(zip(names, row_values))}
            prepared, findings = spec.resource.prepare(values=values, reference=self.reference)
            for column_name, reason in findings.errors:
                error(line, column_name, reason)
            for column_name, reason in findings.warnings:
                warn(line, column_name, reason)
            if findings.errors or not self._money_named_for_site(chunk, position, prepared, error):
                continue
            if caller is not None:
                try:
                    spec.resource.scope.check_ownership(caller, prepared)
                except Forbidden as exc:
                    error(line, "partner_org" if "partner_org" in prepared else "", exc.detail)
                    continue
            site = prepared.get("site")
            if self.key_sites and site is not None and site not in self.key_sites:
                error(line, "partner_org" if "partner_org" in prepared else "district",
                      f"this key works in {', '.join(sorted(self.key_sites))}; the row's site is '{site}'")
                continue
            key = tuple(prepared.pop(name) for name in spec.key)
            companions = {name: dict(column_values[position]) for name, column_values in companion_values
                          if column_values[position] is not MISSING}
            parsed.append(Parsed(line=line, key=key, values=prepared, companions=companions))
        return parsed
