"""Import localities, organisations, members and posts from spreadsheets.

One function, `run_import`, serves the check (dry run) and the real import. The check runs
the whole import and throws it away — on a private snapshot of a SQLite database, so it
holds no lock on the live one — so the preview shows exactly what the import would do. The
import takes the database's import slot, checks again (all-or-nothing: one wrong row and
nothing is written) and publishes in chunks, each its own short transaction, so other
people's writes never wait long; an undo log kept with the chunks withdraws the whole import
if it fails part-way, its process killed included (exchange/undo.py). On PostgreSQL, where a
transaction blocks no other writer, the import stays one transaction (docs/decisions.md,
"Imports do not lock others out"). Members are matched by citizen ID, then by party card
number; a row that matches and carries the same data is left alone, so importing the same
file twice changes nothing.
New members go through the bulk service (audit rows and rollups included); changed ones
through the ordinary services. Scope comes from chibo.access (a Scope object)."""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, reset_queries, transaction
from django.utils.translation import gettext as _

from chibo.access import Scope, persons_in_scope
from chibo.core.dates import format_vn_date, today
from chibo.core.db import on_snapshot, snapshot_possible
from chibo.core.ethnicities import KINH
from chibo.core.rules import RuleBook
from chibo.core.text import split_full_name
from chibo.exchange import parse, undo
from chibo.exchange.columns import (
    LOCALITY_COLUMNS,
    MEMBER_COLUMNS,
    ORGANISATION_COLUMNS,
    PERSON_COLUMNS,
    POST_COLUMNS,
    Column,
    header_key,
)
from chibo.exchange.reader import Sheet
from chibo.exchange.slot import import_slot
from chibo.exchange.template import GUIDE_SHEET
from chibo.members import rules as member_rules
from chibo.members import services as members
from chibo.members.models import CURRENT_STATUSES, Membership, Person, Post, Religion
from chibo.organisations import services as orgs
from chibo.organisations.models import Locality, Organisation
from chibo.recruitment.models import OPEN_STAGES, Candidate

# Organisations first (localities name their responsible committee), then localities, then the
# organisations' links to the localities they serve, then members and posts.
KINDS = ("organisations", "localities", "persons", "members", "posts")
CHUNK = 5000
# Publishing, a chunk is one write transaction: its size follows the time the last one took,
# aiming at half a second (so other people's writes wait well under a second).
PUBLISH_SECONDS = 0.5
PUBLISH_FIRST_ROWS = 500
# Between two chunks the import waits this long. A writer waiting for SQLite's lock retries
# every 100 ms at most; were the next chunk to start at once it could miss every gap and
# wait for the whole import (measured: 3 s for 12,000 members without the pause, docs/benchmarks.md).
PUBLISH_PAUSE = 0.12
COLUMNS = {"localities": LOCALITY_COLUMNS, "organisations": ORGANISATION_COLUMNS, "persons": PERSON_COLUMNS,
           "members": MEMBER_COLUMNS, "posts": POST_COLUMNS}
SHEET_NAMES = {"diaban": "localities", "tochucdang": "organisations", "tochuc": "organisations",
               "dangvien": "members", "chucvu": "posts", "nguoidan": "persons"}
SIGNATURE = {  # headers that identify a sheet's kind when its name does not
    "members": {"ngayvaodang", "machibo"},
    "organisations": {"matochuc", "loaitochuc"},
    "localities": {"madiaban", "loaidiaban"},
    "posts": {"chucvu", "ngaybatdau"},
}
# Every header and sheet name chibo knows, by which one typed in an old font is recognised.
KNOWN_KEYS = frozenset({header_key(c.header) for cols in COLUMNS.values() for c in cols} | set(SHEET_NAMES))
PERSON_PLACE = ("residence__organisation", "residence__parent__organisation")  # for Scope.writes_person
MEMBER_FIELDS = ("family_name", "middle_name", "given_name", "sex", "birth_date", "ethnicity", "religion",
                 "citizen_id", "phone", "residence", "education", "political_theory")


@dataclass
class Issue:
    sheet: str
    row: int  # the row number Excel shows (1-based); 0 for the whole sheet
    column: str  # the header, or ""
    message: str
    severity: str = "error"  # error | warning | info

    def where(self) -> str:
        parts = [self.sheet]
        if self.row:
            parts.append(_("row %(n)s") % {"n": self.row})
        if self.column:
            parts.append(self.column)
        return " · ".join(parts)


@dataclass
class Outcome:
    create: int = 0
    update: int = 0
    unchanged: int = 0
    rejected: int = 0


@dataclass
class Result:
    outcomes: dict[str, Outcome] = field(default_factory=lambda: {k: Outcome() for k in KINDS})
    issues: list[Issue] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    rejected: dict[str, tuple[list[str], list[list[Any]]]] = field(default_factory=dict)
    committed: bool = False
    dry_run: bool = True
    partial: bool = False  # a failed publish could not be withdrawn whole (exchange/undo.py)
    longest_write: float = 0.0  # seconds: the longest write transaction of the publish (chibo bench)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "warning"]

    @property
    def converted(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "info"]

    def as_dict(self) -> dict[str, Any]:
        return {
            "committed": self.committed, "dry_run": self.dry_run, "partial": self.partial,
            "longest_write_seconds": round(self.longest_write, 3),
            "outcomes": {k: vars(v) for k, v in self.outcomes.items()},
            "issues": [vars(i) for i in self.issues], "changes": self.changes,
        }


@dataclass
class Row:
    sheet: str
    number: int
    raw: list[Any]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[Issue] = field(default_factory=list)


class SheetError(Exception):
    pass


def classify(sheet: Sheet) -> tuple[str | None, int]:
    """The kind of a sheet and the index of its header row."""
    for index, cells in enumerate(sheet.head(10)):
        keys = {parse.known_key(str(c), KNOWN_KEYS) for c in cells if c not in (None, "")}
        if not keys:
            continue
        by_name = SHEET_NAMES.get(parse.known_key(sheet.name, KNOWN_KEYS))
        if by_name:
            return by_name, index
        for kind, signature in SIGNATURE.items():
            if signature <= keys:
                return kind, index
        return None, index
    return None, 0


Progress = Callable[[str, int, int], None]  # kind, rows done, rows in the sheet


def run_import(sheets: list[Sheet], *, actor: Any, scope: Scope, dry_run: bool, valid_only: bool = False,
               progress: Progress | None = None, on_wait: Callable[[], None] | None = None,
               on_phase: Callable[[str], None] | None = None, job_id: int | None = None) -> Result:
    """Check (dry_run) or import `sheets` (docs/decisions.md, "Imports do not lock others out").

    The check runs the whole import on a private snapshot of the SQLite database and throws
    it away, so it holds no lock on the live one and its preview is exactly what the import
    would do. The import takes the database's import slot (one at a time; `on_wait` is called
    while another holds it), checks again on a fresh snapshot (all-or-nothing: one wrong row and
    nothing is written), then publishes in short transactions of about half a second each,
    withdrawn whole if the publish fails (PostgreSQL: one transaction). `job_id`: the
    ImportJob, named in the audit row of a withdrawal. `on_phase` is told "check", "publish" (SQLite) or "import"
    (PostgreSQL) as each begins."""
    result = Result(dry_run=dry_run)
    by_kind: dict[str, list[tuple[Sheet, int]]] = defaultdict(list)
    for sheet in sheets:
        if header_key(sheet.name) == header_key(GUIDE_SHEET):
            continue
        kind, header = classify(sheet)
        if kind is None:
            if any(any(c not in (None, "") for c in r) for r in sheet.iter_rows()):
                result.issues.append(Issue(sheet.name, 0, "", _(
                    "chibo does not know what this sheet holds. Name it “Đảng viên”, “Tổ chức đảng”, “Địa bàn” or "
                    "“Chức vụ”, or use the column headers of the template."), "warning"))
            continue
        by_kind[kind].append((sheet, header))
    if not by_kind:
        result.issues.append(Issue("", 0, "", _(
            "No sheet of this file has chibo's column headers. Download the template from the import page and "
            "copy your data into it.")))
        return result
    warnings = list(result.issues)
    if dry_run:
        if on_phase is not None:
            on_phase("check")
        return _check(by_kind, warnings, actor=actor, scope=scope, valid_only=valid_only, progress=progress,
                      keep_rows=False)
    with import_slot(on_wait):
        undo.withdraw_abandoned()  # an import whose process died mid-publish goes first (SQLite)
        if connection.vendor != "sqlite":
            # PostgreSQL: one transaction, as a check is. Other people's writes do not wait for it
            # (MVCC; the rollups are rows per cell), and a crash leaves nothing (docs/decisions.md).
            if on_phase is not None:
                on_phase("import")
            return _check(by_kind, warnings, actor=actor, scope=scope, valid_only=valid_only, progress=progress,
                          keep_rows=False, commit=True)
        if not valid_only:  # all or nothing: a wrong row must be found before anything is written
            if on_phase is not None:
                on_phase("check")
            plan = _check(by_kind, warnings, actor=actor, scope=scope, valid_only=False, progress=progress,
                          keep_rows=True)
            if plan.errors:
                plan.dry_run = False
                return plan
        if on_phase is not None:
            on_phase("publish")
        result = Result(dry_run=False, issues=list(warnings))
        importer = _Importer(actor=actor, scope=scope, result=result, valid_only=valid_only, progress=progress,
                             publish=True)
        tops = scope.home_orgs()
        failure: Exception | None = None
        with _temp_store_on_disk():
            with undo.recording(job_id=job_id, org_path=tops[0].path if len(tops) == 1 else "") as publish:
                try:
                    importer.run(by_kind)
                except Exception as exc:  # withdrawn below, once the undo triggers are gone
                    failure = exc
            if failure is None:
                undo.commit(publish)
                result.committed = True
                return result
            withdrawal = undo.withdraw(publish)
        result.committed = False
        result.partial = withdrawal.stuck
        if not isinstance(failure, SheetError | _Stopped):
            raise failure
        if isinstance(failure, _Stopped):
            result.issues.append(Issue(failure.sheet, 0, "", _(
                "The import stopped on this sheet: a row the check had accepted was refused, because the data in "
                "chibo changed while the file was being imported (the error is listed above). Nothing was "
                "imported: what had been written was withdrawn. Correct the row and import the file again.")))
        if withdrawal.stuck:
            result.issues.append(Issue("", 0, "", _(
                "Part of what had been written could not be withdrawn, because someone has since recorded something "
                "about a person or organisation this import added. Import the same file again to complete it: the "
                "rows already in chibo will be counted as unchanged.")))
    return result


def _check(by_kind: dict[str, list[tuple[Sheet, int]]], issues: list[Issue], *, actor: Any, scope: Scope,
           valid_only: bool, progress: Progress | None, keep_rows: bool, commit: bool = False) -> Result:
    """The whole import in one transaction, thrown away: on a snapshot of a SQLite file
    database (no lock on the live one), else (PostgreSQL, or inside a caller's transaction)
    rolled back. With `commit` (PostgreSQL's import), kept unless a row is wrong and the
    import is all-or-nothing."""
    result = Result(dry_run=not commit, issues=list(issues))
    importer = _Importer(actor=actor, scope=scope, result=result, valid_only=valid_only, progress=progress,
                         keep_rows=keep_rows)
    place = on_snapshot() if snapshot_possible() and not commit else contextlib.nullcontext()
    started = time.monotonic()
    try:
        with place, _temp_store_on_disk(), transaction.atomic():
            importer.run(by_kind)
            if not commit or (result.errors and not valid_only):
                transaction.set_rollback(True)
            else:
                result.committed = True
    except SheetError:
        result.committed = False
    if commit:
        result.longest_write = time.monotonic() - started
    return result


class _Stopped(Exception):
    """An all-or-nothing publish met a row its check had accepted (the data changed meanwhile)."""

    def __init__(self, sheet: str) -> None:
        super().__init__(sheet)
        self.sheet = sheet


@contextlib.contextmanager
def _temp_store_on_disk() -> Iterator[None]:
    """SQLite keeps its temporary data in memory (settings: fast sorts for pages). A long
    import's savepoint journals would then grow the worker by 150 MB for 150,000 members;
    for the import they go to a temporary file instead (measured: same speed)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA temp_store=FILE")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA temp_store=MEMORY")


class _Importer:
    """Runs the import's rows through the services. Checking (publish=False), it runs inside the
    caller's one transaction. Publishing, each chunk of rows is its own transaction, sized to
    last about PUBLISH_SECONDS, so no other writer waits longer than that."""

    def __init__(self, *, actor: Any, scope: Scope, result: Result, valid_only: bool,
                 progress: Progress | None = None, publish: bool = False, keep_rows: bool = False) -> None:
        self.publish = publish
        self.keep_rows = keep_rows  # the check before an import: the publish reads the sheets again
        self.publish_rows = dict.fromkeys(KINDS, PUBLISH_FIRST_ROWS)  # per kind: rows per transaction
        self.progress = progress
        self.actor = actor
        self.scope = scope
        self.result = result
        self.valid_only = valid_only
        self.rules = RuleBook()
        self.today = today()
        self.touched_orgs: set[int] = set()
        self.legacy = parse.LegacyColumns()  # the sheet's columns: legacy encodings, capitals seen
        self.pending_links: list[tuple[Organisation, str, Row]] = []  # org, locality code, its row
        self.seen_ids: dict[str, int] = {}  # citizen ID → first row, across chunks
        self.seen_cards: dict[str, int] = {}
        self.created_org_rows: dict[str, int] = {}  # code → row, of organisations this import created
        self.refused_rows: dict[tuple[str, str], Row] = {}  # (kind, code) → its refused row, across chunks
        self._org_cache: dict[str, Organisation | None] = {}
        self._locality_cache: dict[str, Locality | None] = {}

    # --- shared --------------------------------------------------------------------------

    def run(self, by_kind: dict[str, list[tuple[Sheet, int]]]) -> None:
        for kind in KINDS:
            for sheet, header in by_kind.get(kind, []):
                self.sheet(kind, sheet, header)
            if kind == "localities":
                with self._transaction("localities"):
                    self.link_served_localities()

    @contextlib.contextmanager
    def _transaction(self, sheet_name: str, rows: list[Row] | None = None) -> Iterator[None]:
        """Publishing: one transaction, and an all-or-nothing import stops (rolling this chunk
        back) at a row refused now although its check accepted it. Checking: nothing (the
        check's one transaction is around everything)."""
        if not self.publish:
            yield
            return
        errors_before = len(self.result.errors)
        started = time.monotonic()
        try:
            with transaction.atomic():
                yield
                refused = len(self.result.errors) > errors_before or (rows is not None and any(r.errors for r in rows))
                if refused and not self.valid_only:
                    transaction.set_rollback(True)
                    raise _Stopped(sheet_name)
        finally:
            self.result.longest_write = max(self.result.longest_write, time.monotonic() - started)
        time.sleep(PUBLISH_PAUSE)  # let the writers waiting for the lock in: SQLite's is not a queue

    def _chunk_rows(self, kind: str, sheet: Sheet) -> int:
        if kind not in ("members", "posts"):
            return sheet.height + 1  # small, and they need all their rows at once (parents first)
        return self.publish_rows[kind] if self.publish else CHUNK

    def sheet(self, kind: str, sheet: Sheet, header_index: int) -> None:
        columns = COLUMNS[kind]
        header_row = sheet.head(header_index + 1)[header_index]
        headers = [str(c or "") for c in header_row] + [_("Lỗi")]
        total = max(sheet.height - header_index - 1, 0)
        found, unknown = parse.match_headers(header_row, columns)
        if unknown:
            self.result.issues.append(Issue(sheet.name, header_index + 1, "", _(
                "These columns are not used by chibo and were ignored: %(cols)s.") % {"cols": ", ".join(unknown)},
                "warning"))
        missing = [c.header for c in columns if c.required and c.key not in found]
        if kind == "members" and "given_name" not in found and "full_name" not in found:
            missing.insert(0, _("Họ và tên (or Họ, Tên đệm, Tên)"))
        if missing:
            self.result.issues.append(Issue(sheet.name, header_index + 1, "", _(
                "Required columns are missing: %(cols)s. Add them (the template shows every column) and import "
                "again.") % {"cols": ", ".join(missing)}))
            self.result.outcomes[kind].rejected += total
            return
        for rng in sheet.merged:
            first_row = int("".join(ch for ch in rng.split(":")[0] if ch.isdigit()))
            if first_row > header_index + 1:
                self.result.issues.append(Issue(sheet.name, first_row, rng, _(
                    "The cells %(range)s are merged. Unmerge them (Home › Merge & Center) and fill in each cell.")
                    % {"range": rng}))
        merged_rows = {int("".join(ch for ch in rng.split(":")[0] if ch.isdigit())) for rng in sheet.merged}
        formula_rows = defaultdict(list)
        for cell in sheet.formulas:
            formula_rows[int("".join(ch for ch in cell if ch.isdigit()))].append(cell)
        self.legacy = parse.legacy_columns(
            sheet.iter_rows(header_index + 1), {c.key: found[c.key] for c in columns if c.kind == "text" and c.key in found})
        blank = 0
        chunk: list[Row] = []
        # Members are handled in chunks, so memory stays flat however long the file is (and,
        # publishing, each chunk is a short transaction); the other kinds are small and need
        # all their rows at once (parents first).
        for index, raw in enumerate(sheet.iter_rows(header_index + 1), start=header_index + 1):
            if all(c in (None, "") for c in raw):
                blank += 1
                continue
            row = Row(sheet.name, index + 1, list(raw))
            for cell in formula_rows.get(index + 1, []):
                row.errors.append(Issue(sheet.name, index + 1, cell, _(
                    "The cell %(cell)s holds a formula. chibo imports values only: copy the column and use Paste › "
                    "Values, then import again.") % {"cell": cell}))
            if index + 1 in merged_rows:
                row.errors.append(Issue(sheet.name, index + 1, "", _("This row has merged cells.")))
            for column in columns:
                position = found.get(column.key)
                self._cell(row, column, raw[position] if position is not None and position < len(raw) else None)
            chunk.append(row)
            if len(chunk) >= self._chunk_rows(kind, sheet):
                self._chunk(kind, sheet.name, headers, chunk)
                chunk = []
                if self.progress is not None:
                    self.progress(kind, index - header_index, total)
        if chunk:
            self._chunk(kind, sheet.name, headers, chunk)
        if not self.keep_rows:
            sheet.release()
        if self.progress is not None:
            self.progress(kind, total, total)
        if blank:
            self.result.issues.append(Issue(sheet.name, 0, "", _("%(n)s blank rows were skipped.") % {"n": blank},
                                            "info"))

    def _chunk(self, kind: str, sheet_name: str, headers: list[str], rows: list[Row]) -> None:
        if self.publish and kind in ("organisations", "localities", "persons"):
            # A whole sheet, parents first; published in batches as long as a member chunk
            # (a province's 6,360 organisations in one transaction held the lock for 3 s).
            ordered = list(self._parent_first(rows))
            done = 0
            while done < len(ordered):
                batch = ordered[done:done + self.publish_rows[kind]]
                self._write(kind, sheet_name, batch)
                done += len(batch)
        else:
            self._write(kind, sheet_name, rows)
        reset_queries()  # with DEBUG on, Django would keep every statement of a long import
        rejected = [r for r in rows if r.errors]
        if kind in ("organisations", "localities"):
            for r in rejected:
                if r.values.get("code"):
                    self.refused_rows[(kind, r.values["code"])] = r
        for r in rejected:
            self.result.issues.extend(r.errors)
        self.result.outcomes[kind].rejected += len(rejected)
        if rejected:
            kept = self.result.rejected.setdefault(sheet_name, (headers, []))
            kept[1].extend(r.raw + ["; ".join(e.message for e in r.errors)] for r in rejected)

    def _write(self, kind: str, sheet_name: str, rows: list[Row]) -> None:
        started = time.monotonic()
        with self._transaction(sheet_name, rows):
            if kind != "localities":  # locality rows name localities by "code" and "parent"
                self._preload(rows)
            getattr(self, f"_{kind}")(rows)
        if self.publish:  # aim the next transaction of this kind at PUBLISH_SECONDS
            took = max(time.monotonic() - started, 0.001)
            self.publish_rows[kind] = max(50, min(CHUNK, int(len(rows) * PUBLISH_SECONDS / took)))

    def _refused(self, kind: str, code: str, rows: Iterable[Row] = ()) -> Row | None:
        """The row of this file that defined `code` and was refused (so a row naming it says
        so, instead of "no such code"), if any."""
        for r in rows:
            if r.values.get("code") == code and r.errors:
                return r
        return self.refused_rows.get((kind, code))

    def _because(self, what: str, refused: Row) -> str:
        return _("%(what)s is on row %(row)s of sheet “%(sheet)s”, which was refused: correct that row first, and "
                 "this one will import with it.") % {"what": what, "row": refused.number, "sheet": refused.sheet}

    def _cell(self, row: Row, column: Column, raw: Any) -> None:
        label = column.header
        value: Any
        if column.kind == "date":
            value, problem = parse.date(raw, label)
        elif column.kind == "bool":
            value, problem = parse.boolean(raw, label)
        elif column.kind == "choice":
            value, problem = parse.choice(raw, column)
        elif column.key == "citizen_id":
            value, problem = parse.digits(raw, label, 12)
            if not problem and isinstance(raw, str) and " " in raw.strip():
                self.result.issues.append(Issue(row.sheet, row.number, label, _(
                    "Spaces were removed from the citizen ID."), "info"))
        elif column.key == "card_number":
            value, problem = parse.digits(raw, label)
        elif column.key == "phone":
            value, problem = parse.phone(raw)
        else:
            value, encoding, problem = parse.legacy_text(raw, column.key, self.legacy)
            if encoding:
                self.result.issues.append(Issue(row.sheet, row.number, label, _(
                    "Converted from the %(enc)s encoding to Unicode: “%(value)s”.") % {
                    "enc": encoding.upper(), "value": value}, "info"))
            if column.key in {"code", "organisation", "parent", "residence", "locality"}:
                value = value.upper()
        if not problem and column.required and value in (None, "") and column.kind != "bool":
            problem = _("%(label)s is required. Fill it in.") % {"label": label}
        if problem:
            row.errors.append(Issue(row.sheet, row.number, label, problem))
        row.values[column.key] = value

    def _error(self, row: Row, column_key: str, message: str, columns: list[Column]) -> None:
        header = next((c.header for c in columns if c.key == column_key), "")
        row.errors.append(Issue(row.sheet, row.number, header, message))

    def _service_errors(self, row: Row, exc: ValidationError, columns: list[Column]) -> None:
        names = {"parent": "parent", "kind": "kind", "code": "code", "valid_to": "valid_to", "person": "citizen_id",
                 "organisation": "organisation", "locality": "locality"}
        if hasattr(exc, "error_dict"):
            for name, errors in exc.error_dict.items():
                for err in errors:
                    self._error(row, names.get(name, name), " ".join(err.messages), columns)
        else:
            row.errors.append(Issue(row.sheet, row.number, "", " ".join(exc.messages)))

    def _preload(self, rows: list[Row]) -> None:
        """Fetch the organisations and localities a chunk names, in two queries."""
        org_codes: set[str] = {str(r.values[k]) for r in rows for k in ("organisation", "parent", "code")
                               if r.values.get(k)}
        org_codes -= set(self._org_cache)
        for org in Organisation.objects.select_related("parent").filter(code__in=org_codes):
            self._org_cache[org.code] = org
        self._org_cache.update(dict.fromkeys(org_codes - set(self._org_cache)))
        loc_codes: set[str] = {str(r.values[k]) for r in rows for k in ("residence", "locality") if r.values.get(k)}
        loc_codes -= set(self._locality_cache)
        for loc in Locality.objects.select_related("parent", "organisation").filter(code__in=loc_codes):
            self._locality_cache[loc.code] = loc
        self._locality_cache.update(dict.fromkeys(loc_codes - set(self._locality_cache)))

    def _org(self, code: str) -> Organisation | None:
        if code not in self._org_cache:
            self._org_cache[code] = Organisation.objects.filter(code=code).first()
        return self._org_cache[code]

    def _locality(self, code: str) -> Locality | None:
        if code not in self._locality_cache:
            self._locality_cache[code] = Locality.objects.select_related("parent", "organisation").filter(code=code).first()
        return self._locality_cache[code]

    def _unusable(self, row: Row, column_key: str, columns: list[Column]) -> None:
        """Refuse a row whose citizen ID or card number the importer may not use, with the one
        message that says nothing about whose number it is (members.unusable_number_message)."""
        self._error(row, column_key, members.unusable_number_message(), columns)

    def _people_context(self, person_ids: Iterable[int]) -> tuple[dict[int, Membership], dict[int, list[Organisation]]]:
        """The memberships and the cells following open candidacies of these people, which
        decide who may change them (Scope.writes_person): two queries per 5,000 people."""
        ids = list(person_ids)
        memberships: dict[int, Membership] = {}
        cells: dict[int, list[Organisation]] = defaultdict(list)
        for i in range(0, len(ids), 5000):
            part = ids[i:i + 5000]
            for m in Membership.objects.filter(person_id__in=part).select_related("organisation"):
                memberships[m.person_id] = m
            for c in Candidate.objects.filter(person_id__in=part, stage__in=OPEN_STAGES).select_related("organisation"):
                cells[c.person_id].append(c.organisation)
        return memberships, cells

    def _atomic_row(self, row: Row, columns: list[Column], write: Any) -> Any:
        """Run one row's write in a savepoint: a refused row leaves nothing behind."""
        try:
            with transaction.atomic():
                return write()
        except ValidationError as exc:
            self._service_errors(row, exc, columns)
            return None

    # --- localities and organisations -------------------------------------------------------

    def _localities(self, rows: list[Row]) -> None:
        outcome = self.result.outcomes["localities"]
        for row in self._parent_first(rows):
            if row.errors:
                continue
            v = row.values
            parent = self._locality(v["parent"]) if v["parent"] else None
            if v["parent"] and parent is None:
                refused = self._refused("localities", v["parent"], rows)
                self._error(row, "parent", self._because(_("The parent locality %(code)s") % {"code": v["parent"]},
                                                         refused) if refused else
                            _("No locality has the code %(code)s. Put the parent locality first in the file or "
                              "correct the code.") % {"code": v["parent"]}, LOCALITY_COLUMNS)
                continue
            owner = self._org(v["organisation"]) if v["organisation"] else (parent.organisation if parent else None)
            if v["organisation"] and owner is None:
                self._error(row, "organisation", _("No party organisation has the code %(code)s.") % {
                    "code": v["organisation"]}, LOCALITY_COLUMNS)
                continue
            if owner is None or not self.scope.writes_structure(owner):
                self._error(row, "code", _("This locality is outside the organisations you may change. Import only "
                                           "your own commune's localities."), LOCALITY_COLUMNS)
                continue
            data = {"code": v["code"], "name": v["name"], "kind": v["kind"], "parent": parent, "organisation": owner}
            existing = self._locality(v["code"])
            if existing is None:
                loc = self._atomic_row(row, LOCALITY_COLUMNS, lambda d=data: orgs.locality_create(actor=self.actor, **d))
                if loc is not None:
                    self._locality_cache[loc.code] = loc
                    outcome.create += 1
            else:
                changed = {k: d for k, d in data.items() if getattr(existing, k) != d}
                if not changed:
                    outcome.unchanged += 1
                    continue
                if self._atomic_row(row, LOCALITY_COLUMNS,
                                    lambda e=existing, c=changed: orgs.locality_update(e, actor=self.actor, **c)):
                    outcome.update += 1
                    self._describe(_("Locality %(code)s") % {"code": existing.code}, changed)

    def _organisations(self, rows: list[Row]) -> None:
        """Existing organisations are updated one by one; new ones are checked row by row
        and then created together by the bulk service (parents named by code)."""
        outcome = self.result.outcomes["organisations"]
        planned: dict[str, tuple[Row, Organisation]] = {}  # code → its row and an unsaved stand-in
        creates: list[tuple[Row, dict[str, Any]]] = []
        for row in self._parent_first(rows):
            if row.errors:
                continue
            v = row.values
            if v["code"] in planned or v["code"] in self.created_org_rows:
                first = planned[v["code"]][0].number if v["code"] in planned else self.created_org_rows[v["code"]]
                self._error(row, "code", _("The code %(code)s is also on row %(row)s of this file. Keep one row per "
                                           "organisation.") % {"code": v["code"], "row": first}, ORGANISATION_COLUMNS)
                continue
            parent = self._org(v["parent"]) if v["parent"] else None
            new_parent = planned.get(v["parent"]) if v["parent"] and parent is None else None
            if v["parent"] and parent is None and new_parent is None:
                refused = self._refused("organisations", v["parent"], rows)
                self._error(row, "parent", self._because(_("The parent organisation %(code)s") % {"code": v["parent"]},
                                                         refused) if refused else
                            _("No party organisation has the code %(code)s. Put the parent first in the file or "
                              "correct the code.") % {"code": v["parent"]}, ORGANISATION_COLUMNS)
                continue
            locality = self._locality(v["locality"]) if v["locality"] else None
            existing = self._org(v["code"])
            target = existing or parent
            if new_parent is not None:
                allowed = True  # its parent row was allowed, so the new subtree is too
            else:
                allowed = self.scope.superuser if target is None else self.scope.writes_structure(target)
            if not allowed:
                self._error(row, "code", _("This organisation is outside those you may change. Import only the "
                                           "organisations of your own commune."), ORGANISATION_COLUMNS)
                continue
            data = {"code": v["code"], "name": v["name"], "kind": v["kind"], "sector": v["sector"] or "other",
                    "parent": parent, "valid_from": v["valid_from"], "valid_to": v["valid_to"], "locality": locality}
            if v["locality"] and locality is None:  # a locality of this same file: linked once it exists
                data.pop("locality")
            if existing is None:
                check = {**data, "parent": new_parent[1] if new_parent else parent}
                problems = orgs.organisation_errors(check, check_code=False)  # looked up above: not in chibo
                if problems:
                    self._service_errors(row, ValidationError(problems), ORGANISATION_COLUMNS)
                    continue
                planned[v["code"]] = (row, Organisation(code=v["code"], kind=v["kind"]))
                if new_parent is not None:
                    data = {**data, "parent": None, "parent_code": v["parent"]}
                creates.append((row, data))
                continue
            if v["locality"] and locality is None:
                self.pending_links.append((existing, v["locality"], row))
            changed = {k: d for k, d in data.items() if k not in {"parent", "kind"} and getattr(existing, k) != d}
            if existing.parent != parent or existing.kind != data["kind"]:
                self._error(row, "parent", _("In chibo %(code)s is a %(kind)s under %(parent)s; the file says otherwise. "
                                             "An organisation is not moved by an import: end it and create the new one.")
                            % {"code": existing.code, "kind": existing.get_kind_display(),
                               "parent": existing.parent.code if existing.parent else "—"}, ORGANISATION_COLUMNS)
                continue
            if not changed:
                outcome.unchanged += 1
                continue
            if self._atomic_row(row, ORGANISATION_COLUMNS,
                                lambda e=existing, c=changed: orgs.organisation_update(e, actor=self.actor, **c)):
                outcome.update += 1
                self.touched_orgs.add(existing.pk)
                self._describe(_("Organisation %(code)s") % {"code": existing.code}, changed)
        if creates:
            created = orgs.bulk_create_organisations([data for _row, data in creates], actor=self.actor)
            outcome.create += len(created)
            for (row, _data), org in zip(creates, created, strict=True):
                self._org_cache[org.code] = org
                self.created_org_rows[org.code] = row.number  # a later batch's duplicate is still one
                self.touched_orgs.add(org.pk)
                if row.values["locality"] and org.locality_id is None:
                    self.pending_links.append((org, row.values["locality"], row))

    def link_served_localities(self) -> None:
        """Link organisations to localities that the same file created after them."""
        pairs: list[tuple[Organisation, Locality]] = []
        codes = list({code for _org, code, _row in self.pending_links})
        for i in range(0, len(codes), 5000):
            for found in Locality.objects.select_related("parent", "organisation").filter(code__in=codes[i:i + 5000]):
                self._locality_cache[found.code] = found
        for org, code, row in self.pending_links:
            loc = self._locality_cache.get(code)
            if loc is None:
                self.result.issues.append(Issue(row.sheet, row.number, "Mã địa bàn", _(
                    "No locality has the code %(code)s. Add it to the sheet “Địa bàn” or correct the code.")
                    % {"code": code}))
                self.result.outcomes["organisations"].rejected += 1
                continue
            pairs.append((org, loc))
        if pairs:
            orgs.bulk_set_localities(pairs, actor=self.actor)
        self.pending_links = []

    def _parent_first(self, rows: list[Row]) -> Iterable[Row]:
        """Rows ordered so that a parent listed later in the file is created first."""
        codes = {r.values.get("code") for r in rows}
        done: set[str] = set()
        pending = list(rows)
        while pending:
            ready = [r for r in pending if not r.values.get("parent") or r.values["parent"] not in codes
                     or r.values["parent"] in done]
            if not ready:
                ready = pending  # a cycle: let the lookups report it
            taken = {id(r) for r in ready}
            for r in ready:
                done.add(r.values.get("code", ""))
                yield r
            pending = [r for r in pending if id(r) not in taken]

    def _describe(self, what: str, changed: dict[str, Any]) -> None:
        if len(self.result.changes) < 500:
            shown = ", ".join(f"{k}: {format_vn_date(v) if isinstance(v, dt.date) else v}" for k, v in changed.items())
            self.result.changes.append(f"{what} — {shown}")

    # --- people who are not members -------------------------------------------------------------

    def _persons(self, rows: list[Row]) -> None:
        outcome = self.result.outcomes["persons"]
        cols = PERSON_COLUMNS
        ids = {r.values.get("citizen_id") for r in rows if r.values.get("citizen_id")}
        known = {p.citizen_id: p for p in Person.objects.filter(citizen_id__in=ids).select_related(*PERSON_PLACE)}
        memberships, cells = self._people_context(p.pk for p in known.values())
        for row in rows:
            v = row.values
            if not v.get("given_name"):
                family, middle, given = split_full_name(v.get("full_name") or "")
                v.update(family_name=family, middle_name=middle, given_name=given)
            residence = self._locality(v["residence"]) if v.get("residence") else None
            if v.get("residence") and residence is None:
                self._error(row, "residence", _("No locality has the code %(code)s.") % {"code": v["residence"]}, cols)
            owner = residence.organisation or (residence.parent.organisation if residence and residence.parent else None) \
                if residence else None
            if not v.get("citizen_id"):
                self._error(row, "citizen_id", _("Give the citizen ID: chibo recognises people by it."), cols)
            elif owner is None or not self.scope.writes_structure(owner):
                self._error(row, "residence", _("Give the code of a locality you manage as the place of residence."),
                            cols)
            if row.errors:
                continue
            v["_residence"] = residence
            v.setdefault("ethnicity", KINH)
            v["ethnicity"] = v.get("ethnicity") or KINH
            v["religion"] = v.get("religion") or Religion.NONE
            v["political_theory"] = v.get("political_theory") or "none"
            data = self._person_data(v)
            person = known.get(v["citizen_id"])
            if person is not None and not self.scope.writes_person(
                    person, membership=memberships.get(person.pk), candidacy_orgs=cells.get(person.pk, ())):
                self._unusable(row, "citizen_id", cols)
                continue
            if person is None:
                if self._atomic_row(row, cols, lambda d=data: members.person_create(actor=self.actor, **d)):
                    outcome.create += 1
                continue
            changes = {k: d for k, d in data.items() if (getattr(person, k) or "") != (d or "")}
            if not changes:
                outcome.unchanged += 1
            elif self._atomic_row(row, cols, lambda p=person, c=changes: members.person_update(p, actor=self.actor, **c)):
                outcome.update += 1
                self._describe(person.full_name, changes)

    # --- members -------------------------------------------------------------------------------

    def _members(self, rows: list[Row]) -> None:
        outcome = self.result.outcomes["members"]
        cols = MEMBER_COLUMNS
        ids = [r.values["citizen_id"] for r in rows if r.values.get("citizen_id")]
        cards = [r.values["card_number"] for r in rows if r.values.get("card_number")]
        by_id: dict[str, Person] = {}
        for i in range(0, len(ids), 5000):
            for p in Person.objects.filter(citizen_id__in=ids[i:i + 5000]).select_related(*PERSON_PLACE):
                by_id[p.citizen_id or ""] = p
        memberships, cells = self._people_context(p.pk for p in by_id.values())
        by_card: dict[str, Membership] = {}
        for i in range(0, len(cards), 5000):
            for m in Membership.objects.filter(card_number__in=cards[i:i + 5000]).select_related("person", "organisation"):
                by_card[m.card_number or ""] = m
                memberships.setdefault(m.person_id, m)
        seen_ids, seen_cards = self.seen_ids, self.seen_cards
        creates: list[tuple[Row, dict[str, Any]]] = []
        for row in rows:
            v = row.values
            self._member_fields(row)
            cid, card = v.get("citizen_id"), v.get("card_number")
            if cid:
                if cid in seen_ids:
                    self._error(row, "citizen_id", _("The citizen ID %(cid)s is also on row %(row)s of this file. "
                                                     "Keep one row per person.") % {"cid": cid, "row": seen_ids[cid]}, cols)
                seen_ids.setdefault(cid, row.number)
            if card:
                if card in seen_cards:
                    self._error(row, "card_number", _("The party card number %(card)s is also on row %(row)s of this "
                                                      "file.") % {"card": card, "row": seen_cards[card]}, cols)
                seen_cards.setdefault(card, row.number)
            if not cid and not card and not any(e.column in ("Số CCCD", "Số thẻ đảng viên") for e in row.errors):
                self._error(row, "citizen_id", _("Give the citizen ID (or at least the party card number): without it "
                                                 "chibo cannot recognise this member when the file is imported again."),
                            cols)
            if row.errors:
                continue
            # Whoever a number matches, the row goes on only if the importer may change that
            # person; otherwise one message that says nothing about them (nor whether they are a
            # member, a candidate or a resident, nor where).
            person = by_id.get(cid) if cid else None
            membership = memberships.get(person.pk) if person else None
            if person is not None and not self.scope.writes_person(
                    person, membership=membership, candidacy_orgs=cells.get(person.pk, ())):
                self._unusable(row, "citizen_id", cols)
                continue
            carded = by_card.get(card) if card else None
            if carded is not None and (carded.person_id != (person.pk if person else carded.person_id)
                                       or not self.scope.writes_org(carded.organisation)):
                if self.scope.writes_org(carded.organisation):  # someone the importer looks after: say who
                    self._error(row, "card_number", _("The party card number %(card)s belongs to %(name)s, another "
                                                      "member you look after. Check both numbers.") % {
                        "card": card, "name": carded.person.full_name}, cols)
                else:
                    self._unusable(row, "card_number", cols)
                continue
            if membership is None and carded is not None:
                membership, person = carded, carded.person
            if membership is not None:
                if person is not None and membership.person_id == person.pk:
                    membership.person = person  # already loaded: no query per row
                self._update_member(row, membership, outcome)
            elif person is not None:
                if cells.get(person.pk):
                    self._error(row, "citizen_id", _("%(name)s is a candidate for admission. A candidate becomes a "
                                                     "member through the admission ceremony: record it on the "
                                                     "candidate's page, not by an import.") % {
                        "name": person.full_name}, cols)
                    continue
                m = self._atomic_row(row, cols, lambda p=person, r=row: self._create_for_person(p, r))
                if m is not None:
                    outcome.create += 1
            else:
                creates.append((row, self._bulk_row(row)))
        if creates:
            members.bulk_create_members([data for _row, data in creates], actor=self.actor)
            outcome.create += len(creates)
            self.touched_orgs.update(data["organisation"].pk for _row, data in creates)

    def _member_fields(self, row: Row) -> None:
        """Validate one member row with the same rules and messages as the forms (no writes)."""
        v, cols = row.values, MEMBER_COLUMNS
        if not v.get("given_name"):
            family, middle, given = split_full_name(v.get("full_name") or "")
            v.update(family_name=family, middle_name=middle, given_name=given)
        if not v.get("given_name"):
            self._error(row, "full_name", _("The name is missing. Fill in Họ và tên (or Họ, Tên đệm, Tên)."), cols)
        if not v.get("sex"):
            self._error(row, "sex", _("Write Nam or Nữ."), cols)
        birth, admission, official = v.get("birth_date"), v.get("admission_date"), v.get("official_date")
        if birth is None:
            if not any(e.column == "Ngày sinh" for e in row.errors):
                self._error(row, "birth_date", _("The date of birth is missing. Write it as dd/mm/yyyy."), cols)
        elif member_rules.birth_date_error(birth, self.today):
            self._error(row, "birth_date", member_rules.birth_date_error(birth, self.today), cols)
        if not v.get("status"):
            self._error(row, "status", _("Write the status: Dự bị or Chính thức for a current member; Đã chuyển đi, "
                                         "Xóa tên, Khai trừ or Từ trần for a former one."), cols)
        if admission is None:
            if not any(e.column == "Ngày vào Đảng" for e in row.errors):
                self._error(row, "admission_date", _("The admission date is missing. Write it as dd/mm/yyyy."), cols)
        elif member_rules.admission_date_error(admission, self.today):
            self._error(row, "admission_date", member_rules.admission_date_error(admission, self.today), cols)
        else:
            age_error = member_rules.admission_age_error(birth, admission, self.rules.rule("admission_min_age", admission))
            if age_error:
                self._error(row, "admission_date", age_error, cols)
            official_error = member_rules.official_date_error(
                admission, official, self.rules.rule("probation_months", admission), self.today)
            if official_error:
                self._error(row, "official_date", official_error, cols)
        decided_error = member_rules.admission_decision_error(v.get("admission_decision_date"), admission)
        if decided_error:
            self._error(row, "admission_decision_date", decided_error, cols)
        status_error = member_rules.status_official_date_error(v.get("status"), official)
        if status_error:
            self._error(row, "official_date", status_error, cols)
        exempt_error = member_rules.exempt_error(bool(v.get("exempt")), v.get("status"))
        if exempt_error:
            self._error(row, "exempt", exempt_error, cols)
        if v.get("status") and admission is not None:
            for name, message in member_rules.state_date_errors(
                    today=self.today, status=v["status"], admission=admission, official=official, exempt=bool(v.get("exempt")),
                    exempt_since=v.get("exempt_since"), temporary=bool(v.get("temporary")),
                    temporary_since=v.get("temporary_since"), left_on=v.get("left_on")).items():
                self._error(row, name, message, cols)
        former = v.get("status") is not None and not member_rules.is_current(v["status"])
        code = v.get("organisation") or ""
        org = self._org(code) if code else None
        refused_org = self._refused("organisations", code) if code and org is None else None
        if refused_org is not None:
            self._error(row, "organisation", self._because(_("The cell %(code)s") % {"code": code}, refused_org), cols)
        elif org is None:
            self._error(row, "organisation", _("No party cell has the code %(code)s. Import the organisations first "
                                               "(sheet “Tổ chức đảng”) or correct the code.") % {"code": code or "—"}, cols)
        elif not org.holds_members or (org.valid_to is not None and not former):
            self._error(row, "organisation", _("%(code)s is not an active party cell or party group.") % {"code": code},
                        cols)
        elif org.valid_to is not None and v.get("left_on") and v["left_on"] > org.valid_to:
            self._error(row, "left_on", _("The cell %(code)s was dissolved or merged on %(date)s, before this date: a "
                                          "former member is kept in the cell they left from. Check the date and the "
                                          "cell.") % {"code": code, "date": format_vn_date(org.valid_to)}, cols)
        elif not self.scope.writes_org(org):
            self._error(row, "organisation", _("The cell %(code)s is outside the organisations you may change.") % {
                "code": code}, cols)
        v["_org"] = org
        residence_code = v.get("residence") or ""
        v["_residence"] = self._locality(residence_code) if residence_code else None
        if residence_code and v["_residence"] is None:
            refused_place = self._refused("localities", residence_code)
            self._error(row, "residence", self._because(_("The locality %(code)s") % {"code": residence_code},
                                                        refused_place) if refused_place else
                        _("No locality has the code %(code)s.") % {"code": residence_code}, cols)
        v["ethnicity"] = v.get("ethnicity") or KINH
        v["religion"] = v.get("religion") or Religion.NONE
        v["political_theory"] = v.get("political_theory") or "none"

    def _person_data(self, v: dict[str, Any]) -> dict[str, Any]:
        data = {k: v.get(k) or "" for k in MEMBER_FIELDS}
        data["citizen_id"] = v.get("citizen_id") or None
        data["birth_date"] = v["birth_date"]
        data["residence"] = v["_residence"]
        return data

    def _bulk_row(self, row: Row) -> dict[str, Any]:
        v = row.values
        return {**self._person_data(v), "organisation": v["_org"], "status": v["status"],
                "admission_date": v["admission_date"], "official_date": v.get("official_date"),
                "admission_decision_date": v.get("admission_decision_date"),
                "card_number": v.get("card_number") or None, "exempt": bool(v.get("exempt")),
                "temporary": bool(v.get("temporary")), **self._state_dates(v)}

    @staticmethod
    def _state_dates(v: dict[str, Any]) -> dict[str, Any]:
        return {k: v.get(k) or (None if k != "left_note" else "") for k in members.STATE_DATE_FIELDS}

    def _create_for_person(self, person: Person, row: Row) -> Membership:
        v = row.values
        members.person_update(person, actor=self.actor, **self._person_data(v))
        return members.member_create(actor=self.actor, person=person, organisation=v["_org"], status=v["status"],
                                     admission_date=v["admission_date"], official_date=v.get("official_date"),
                                     admission_decision_date=v.get("admission_decision_date"),
                                     card_number=v.get("card_number") or None, exempt=bool(v.get("exempt")),
                                     temporary=bool(v.get("temporary")), **self._state_dates(v))

    def _update_member(self, row: Row, m: Membership, outcome: Outcome) -> None:
        v, cols = row.values, MEMBER_COLUMNS
        if not self.scope.writes_org(m.organisation):
            self._unusable(row, "citizen_id" if v.get("citizen_id") else "card_number", cols)
            return
        person = m.person
        person_changes = {k: d for k, d in self._person_data(v).items()
                          if (getattr(person, k) or "") != (d or "") and not (k == "citizen_id" and not d)}
        membership_changes = {k: v.get(k) for k in ("admission_date", "admission_decision_date", "official_date")
                              if v.get(k) and getattr(m, k) != v.get(k)}
        if v.get("card_number") and m.card_number != v["card_number"]:
            membership_changes["card_number"] = v["card_number"]
        for key, label in (("_org", "organisation"), ("status", "status"), ("exempt", "exempt"),
                           ("temporary", "temporary")):
            current = m.organisation if key == "_org" else getattr(m, key)
            if v.get(key) is not None and v.get(key) != current:
                self.result.issues.append(Issue(row.sheet, row.number, next(c.header for c in cols if c.key == label), _(
                    "Not changed by the import: a change of cell, status, exemption or temporary activity is an event "
                    "with a decision. Record it on the member's page."), "warning"))
        if not person_changes and not membership_changes:
            outcome.unchanged += 1
            return

        def write() -> Membership:
            return members.member_update(m, actor=self.actor, person_data=person_changes or None, **membership_changes)

        if self._atomic_row(row, cols, write) is not None:
            outcome.update += 1
            self.touched_orgs.add(m.organisation_id)
            self._describe(person.full_name, {**person_changes, **membership_changes})

    # --- posts ---------------------------------------------------------------------------------

    def _posts(self, rows: list[Row]) -> None:
        outcome = self.result.outcomes["posts"]
        cols = POST_COLUMNS
        ids = {r.values.get("citizen_id") for r in rows if r.values.get("citizen_id")}
        # only people the importer may see (as the post form offers them): anyone else, known
        # to chibo or not, gets the same message
        persons = {p.citizen_id: p for p in persons_in_scope(self.scope).filter(citizen_id__in=ids)}
        members_now = set(Membership.objects.filter(person__in=persons.values(), status__in=CURRENT_STATUSES)
                          .values_list("person_id", flat=True))
        existing = {(p.person_id, p.kind, p.organisation_id, p.locality_id, p.start_date): p
                    for p in Post.objects.filter(person__in=persons.values())}
        creates: list[dict[str, Any]] = []
        for row in rows:
            if row.errors:
                continue
            v = row.values
            person = persons.get(v.get("citizen_id"))
            if person is None:
                self._unusable(row, "citizen_id", cols)
                continue
            org = self._org(v["organisation"]) if v.get("organisation") else None
            loc = self._locality(v["locality"]) if v.get("locality") else None
            if v.get("organisation") and org is None:
                self._error(row, "organisation", _("No party organisation has the code %(code)s.") % {
                    "code": v["organisation"]}, cols)
                continue
            if v.get("locality") and loc is None:
                self._error(row, "locality", _("No locality has the code %(code)s.") % {"code": v["locality"]}, cols)
                continue
            committee = v["kind"] in Post.COMMITTEE_KINDS
            if committee:
                if org is None:
                    self._error(row, "organisation", _("Choose the party organisation of this committee post."), cols)
                    continue
                allowed = self.scope.writes_org(org)
                loc = None
            else:
                if loc is None:
                    self._error(row, "locality", _("Choose the village or neighbourhood group this person heads."),
                                cols)
                    continue
                owner = loc.organisation or (loc.parent.organisation if loc.parent else None)
                allowed = owner is not None and self.scope.writes_structure(owner)
                org = None
            if not allowed:
                self._error(row, "organisation" if committee else "locality", _(
                    "This post is outside the organisations and localities you may change."), cols)
                continue
            if committee and person.pk not in members_now:
                self._error(row, "citizen_id", _("A committee post can only be held by a current party member."), cols)
                continue
            end = v.get("end_date")
            if member_rules.post_dates_error(v["start_date"], end):
                self._error(row, "end_date", member_rules.post_dates_error(v["start_date"], end), cols)
                continue
            key = (person.pk, v["kind"], org.pk if org else None, loc.pk if loc else None, v["start_date"])
            same = existing.get(key)
            decision = v.get("decision_number") or ""
            if same is not None:
                if same.end_date == end and same.decision_number == decision:
                    outcome.unchanged += 1
                    continue
                if self._atomic_row(row, cols, lambda p=same, e=end, d=decision: members.post_update(
                        p, actor=self.actor, end_date=e, decision_number=d)):
                    outcome.update += 1
                continue
            if not committee and loc is not None and person.residence_id != loc.pk:
                self.result.issues.append(Issue(row.sheet, row.number, "", _(
                    "%(name)s is not recorded as living in %(place)s. Check the place of residence.") % {
                    "name": person.full_name, "place": loc.name}, "warning"))
            existing[key] = Post(person=person, kind=v["kind"], start_date=v["start_date"], end_date=end,
                                 decision_number=decision)  # a repeated row in the file is then unchanged
            creates.append({"person": person, "kind": v["kind"], "organisation": org, "locality": loc,
                            "start_date": v["start_date"], "end_date": end, "decision_number": decision})
        if creates:
            members.bulk_create_posts(creates, actor=self.actor)
            outcome.create += len(creates)
