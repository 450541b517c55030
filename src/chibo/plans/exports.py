"""Downloads of plans: an organisation's target table (chỉ tiêu × its cells) and a cell's
plan of work (kế hoạch công tác: its targets and its "6 rõ" tasks), as XLSX and as a
printable PDF in the party's official layout.

The builders take data already read through chibo.access and return bytes; `export_*`
also writes the audit record (who, what, which organisation, how many rows), as every
export does (exchange.services). Spreadsheet text goes through exchange.writers.neutralise
against formula injection. Both files are Vietnamese documents, so their labels are
Vietnamese whatever the page language, like the spreadsheet columns of chibo.exchange."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from chibo.audit import services as audit
from chibo.core import pdf
from chibo.core.dates import format_vn_date
from chibo.exchange.writers import neutralise
from chibo.organisations.models import Locality, Organisation
from chibo.plans import rules
from chibo.plans.models import Resolution, Target
from chibo.plans.selectors import Figure, Overview, figures
from chibo.tasks.models import Assignee, Task

FORMATS = ("xlsx", "pdf")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}

STATUS_TEXT: dict[str, str] = {
    rules.Status.ACHIEVED: "Đã đạt",
    rules.Status.ON_TRACK: "Đúng tiến độ",
    rules.Status.AT_RISK: "Có nguy cơ chậm",
    rules.Status.OFF_TRACK: "Chậm tiến độ",
    rules.Status.NO_DATA: "Chưa có số liệu",
}
STATUS_SYMBOL: dict[str, str] = {  # told apart by shape, not colour (the page's matrix uses the same)
    rules.Status.ACHIEVED: "✔",
    rules.Status.ON_TRACK: "●",
    rules.Status.AT_RISK: "▲",
    rules.Status.OFF_TRACK: "✖",
    rules.Status.NO_DATA: "–",
}
TASK_STATUS_TEXT: dict[str, str] = {
    Task.Status.OPEN: "Chưa bắt đầu",
    Task.Status.IN_PROGRESS: "Đang thực hiện",
    Task.Status.SUBMITTED: "Chờ kiểm tra",
    Task.Status.RETURNED: "Trả lại, làm tiếp",
    Task.Status.DONE: "Hoàn thành",
    Task.Status.CANCELLED: "Đã hủy",
}
OUTCOME_TEXT: dict[str, str] = {
    Task.Outcome.ON_TIME: "Đúng hạn",
    Task.Outcome.LATE: "Chậm hạn",
    Task.Outcome.EXCEEDED: "Đúng hạn, vượt yêu cầu",
}

# How the PDF shows each cell's figure: beside the targets while the cells fit across a
# landscape page, else cells down the page and targets across, else a list per target.
MATRIX_MAX_COLUMNS = 8
TRANSPOSED_MAX_TARGETS = 20


# --- Shared pieces ----------------------------------------------------------------------------

def value_text(target: Target, value: Decimal | None) -> str:
    """A figure as Vietnamese readers write it (1.234,5), yes/no as words, "—" for none."""
    if value is None:
        return "—"
    if target.kind == Target.Kind.YESNO:
        return "Đạt" if value >= 1 else "Chưa đạt"
    return rules._num(value)


def _cell_value(target: Target, value: Decimal | None) -> Any:
    """A figure for a spreadsheet cell: a number (yes/no as words, None left empty)."""
    if value is None:
        return None
    if target.kind == Target.Kind.YESNO:
        return "Đạt" if value >= 1 else "Chưa đạt"
    return int(value) if value == value.to_integral_value() else float(value)


def explanation(fig: Figure) -> str:
    return fig.roll_up.explain() if fig.roll_up is not None else ""


@dataclass(frozen=True)
class Heading:
    """The top of a party document (HD 36-HD/VPTW): the superior committee and the issuing
    body at the left, "ĐẢNG CỘNG SẢN VIỆT NAM" and the place and date at the right."""

    superior: str  # e.g. "ĐẢNG BỘ XÃ BIỂN HỒ" ("" at the top of the tree)
    body: str  # e.g. "CHI BỘ LÀNG KRÔNG"
    place: str  # e.g. "Biển Hồ"
    day: dt.date

    @property
    def date_line(self) -> str:
        """"Biển Hồ, ngày 05 tháng 02 năm 2026": days below 10 and months 1 and 2 take a 0."""
        month = f"{self.day.month:02d}" if self.day.month < 3 else str(self.day.month)
        when = f"ngày {self.day.day:02d} tháng {month} năm {self.day.year}"
        return f"{self.place}, {when}" if self.place else when.capitalize()


PLACE_PREFIXES = ("Xã ", "Phường ", "Thị trấn ", "Đặc khu ", "Tỉnh ", "Thành phố ")
PLACE_KINDS = Locality.COMMUNE_KINDS | Locality.TOP_KINDS


def place_of(org: Organisation) -> str:
    """The place name of a document (địa danh): the commune (or province) where `org` sits,
    without "Xã"/"Phường" — a village cell's village belongs to its commune."""
    loc: Locality | None = org.locality
    if loc is not None and loc.kind not in PLACE_KINDS and loc.parent_id is not None:
        loc = loc.parent
    if loc is None or loc.kind not in PLACE_KINDS:
        ids = [pk for pk in (org.pk, org.parent_id) if pk]
        found = {x.organisation_id: x for x in Locality.objects.filter(organisation_id__in=ids, kind__in=PLACE_KINDS)}
        loc = found.get(org.pk) or found.get(org.parent_id) or loc
    name = loc.name if loc is not None else ""
    for prefix in PLACE_PREFIXES:
        if name.startswith(prefix):
            return name[len(prefix):]
    return name


def heading(org: Organisation, day: dt.date) -> Heading:
    """The heading of a document issued by `org`."""
    return Heading(superior=org.parent.name.upper() if org.parent is not None else "", body=org.name.upper(),
                   place=place_of(org), day=day)


def signature(org: Organisation) -> tuple[str, str]:
    """Who signs for the organisation: ("T/M CHI BỘ", "BÍ THƯ") for a cell."""
    if org.is_cell:
        return "T/M CHI BỘ", "BÍ THƯ"
    if org.kind == Organisation.Kind.PARTY_GROUP:
        return "T/M TỔ ĐẢNG", "TỔ TRƯỞNG"
    return "T/M ĐẢNG ỦY", "BÍ THƯ"


def _audit(*, actor: Any, org: Organisation, object_type: str, what: str, rows: int, fmt: str, note: str) -> None:
    audit.record(actor=actor, action="export", object_type=object_type, object_repr=f"{rows} {what}",
                 org_path=org.path, after={"rows": rows, "format": fmt}, note=note)


class _Book:
    """A small XLSX workbook in memory; every text cell is neutralised against formulas."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.workbook = xlsxwriter.Workbook(self.buffer, {
            "in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False})
        self.title = self.workbook.add_format({"bold": True, "font_size": 13})
        self.head = self.workbook.add_format({"bold": True, "bg_color": "#F2E6E6", "border": 1, "text_wrap": True,
                                              "valign": "top"})
        self.date = self.workbook.add_format({"num_format": "dd/mm/yyyy", "valign": "top"})
        self.text = self.workbook.add_format({"text_wrap": True, "valign": "top"})
        self.plain = self.workbook.add_format({"valign": "top"})

    def sheet(self, name: str, title: str, headers: Sequence[tuple[str, int]], rows: Sequence[Sequence[Any]]) -> int:
        """A sheet with a title line, a header row (name, width) and the rows; returns len(rows)."""
        sheet = self.workbook.add_worksheet(name[:31])
        sheet.write_string(0, 0, neutralise(title), self.title)
        top = 2
        for col, (header, width) in enumerate(headers):
            sheet.write_string(top, col, neutralise(header), self.head)
            sheet.set_column(col, col, width)
        for r, row in enumerate(rows, start=top + 1):
            for col, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, col, dt.datetime(value.year, value.month, value.day), self.date)
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    sheet.write_number(r, col, value, self.plain)
                else:
                    text = str(value)
                    sheet.write_string(r, col, neutralise(text), self.text if len(text) > 20 else self.plain)
        sheet.freeze_panes(top + 1, 0)
        sheet.autofilter(top, 0, top + max(len(rows), 1), len(headers) - 1)
        return len(rows)

    def close(self) -> bytes:
        self.workbook.close()
        return self.buffer.getvalue()


# --- The target table of an organisation (chibo.plans.selectors.overview) -------------------------

def _numbered(ov: Overview) -> list[tuple[int, Any]]:
    return list(enumerate(ov.rows, start=1))


def org_targets_xlsx(ov: Overview) -> bytes:
    """Sheet 1: one row per target, then one column per sub-organisation (its figure).
    Sheet 2: one row per target and sub-organisation: the share given, the figure, its status."""
    org = ov.organisation
    book = _Book()
    headers = [("STT", 5), ("Nghị quyết", 14), ("Số", 5), ("Chỉ tiêu", 45), ("Đơn vị", 12), ("Giá trị gốc", 10),
               ("Chỉ tiêu phấn đấu", 11), ("Số liệu hiện tại", 11), ("Ngày số liệu", 11), ("Tiến độ (%)", 9),
               ("Tình trạng", 15), ("Cách tính", 40)] + [(c.name, 12) for c in ov.columns]
    rows = []
    long_rows = []
    for n, row in _numbered(ov):
        t, fig = row.target, row.figure
        rows.append([n, t.resolution.number, t.position, t.name, t.unit, _cell_value(t, t.baseline_value),
                     _cell_value(t, t.target_value), _cell_value(t, fig.value), fig.measured_on, fig.percent,
                     STATUS_TEXT.get(fig.status, fig.status), row.explanation]
                    + [_cell_value(cell.target, cell.figure.value) if cell else None for cell in row.cells])
        for column, cell in zip(ov.columns, row.cells, strict=True):
            if cell is not None:
                p, pf = cell.target, cell.figure
                long_rows.append([n, t.name, column.name, p.unit, _cell_value(p, p.target_value),
                                  _cell_value(p, pf.value), pf.measured_on, pf.percent,
                                  STATUS_TEXT.get(pf.status, pf.status), explanation(pf)])
    when = format_vn_date(ov.day)
    book.sheet("Chỉ tiêu", f"Chỉ tiêu của {org.name} — số liệu đến ngày {when}", headers, rows)
    if long_rows:
        book.sheet("Phần giao từng nơi", f"Chỉ tiêu giao cho các tổ chức trực thuộc {org.name} — ngày {when}", [
            ("STT", 5), ("Chỉ tiêu", 40), ("Tổ chức", 26), ("Đơn vị", 12), ("Phần giao", 10),
            ("Số liệu hiện tại", 11), ("Ngày số liệu", 11), ("Tiến độ (%)", 9), ("Tình trạng", 15),
            ("Cách tính", 30)], long_rows)
    return book.close()


@dataclass(frozen=True)
class _PrintCell:
    name: str  # the sub-organisation
    value: str
    symbol: str
    share: str  # the part of the target given to it
    status: str


@dataclass(frozen=True)
class _PrintRow:
    n: int
    target: Target
    baseline: str
    goal: str
    value: str
    measured_on: str
    percent: str
    status: str
    symbol: str
    explanation: str
    cells: tuple[_PrintCell | None, ...]  # one per sub-organisation (None: it has no part)

    @property
    def has_parts(self) -> bool:
        return any(c is not None for c in self.cells)


def layout(targets: int, columns: int) -> str:
    """"" (no sub-organisation has a part), "matrix" (targets × cells), "transposed" (cells ×
    targets) or "lists" (a table of the cells under each target)."""
    if columns == 0:
        return ""
    if columns <= MATRIX_MAX_COLUMNS:
        return "matrix"
    if targets <= TRANSPOSED_MAX_TARGETS:
        return "transposed"
    return "lists"


def _print_rows(ov: Overview) -> list[_PrintRow]:
    out = []
    for n, row in _numbered(ov):
        t, fig = row.target, row.figure
        cells = tuple(
            _PrintCell(name=column.name,
                       value="" if c.figure.value is None else value_text(c.target, c.figure.value),
                       symbol=STATUS_SYMBOL.get(c.figure.status, ""), share=value_text(c.target, c.target.target_value),
                       status=STATUS_TEXT.get(c.figure.status, c.figure.status)) if c is not None else None
            for column, c in zip(ov.columns, row.cells, strict=True))
        out.append(_PrintRow(
            n=n, target=t, baseline=value_text(t, t.baseline_value) if t.baseline_value is not None else "",
            goal=value_text(t, t.target_value), value=value_text(t, fig.value),
            measured_on=format_vn_date(fig.measured_on), percent="" if fig.percent is None else f"{fig.percent}%",
            status=STATUS_TEXT.get(fig.status, fig.status), symbol=STATUS_SYMBOL.get(fig.status, ""),
            explanation=row.explanation, cells=cells))
    return out


def _resolution_groups(rows: list[_PrintRow]) -> list[tuple[Resolution, list[_PrintRow]]]:
    groups: list[tuple[Resolution, list[_PrintRow]]] = []
    for r in rows:
        if not groups or groups[-1][0].pk != r.target.resolution_id:
            groups.append((r.target.resolution, []))
        groups[-1][1].append(r)
    return groups


def org_targets_pdf(ov: Overview) -> bytes:
    rows = _print_rows(ov)
    columns = list(ov.columns)
    chosen = layout(len(rows), len(columns))
    return pdf.render("print/org_targets.html", {
        "heading": heading(ov.organisation, ov.day), "org": ov.organisation, "day": format_vn_date(ov.day),
        "groups": _resolution_groups(rows), "rows": rows, "columns": columns,
        "layout": chosen, "span": 8 + (len(columns) if chosen == "matrix" else 0),
        # the transposed table: one line per sub-organisation, one column per target
        "by_column": [(c, [r.cells[i] for r in rows]) for i, c in enumerate(columns)],
        "legend": [(STATUS_SYMBOL[s], text) for s, text in STATUS_TEXT.items()],
    })


def export_org_targets(*, actor: Any, ov: Overview, fmt: str) -> bytes:
    """The target table as `fmt` (xlsx or pdf), audited."""
    content = org_targets_xlsx(ov) if fmt == "xlsx" else org_targets_pdf(ov)
    _audit(actor=actor, org=ov.organisation, object_type="target", what="chỉ tiêu", rows=len(ov.rows), fmt=fmt,
           note=_("Targets of %(org)s on %(day)s (%(format)s)") % {
               "org": ov.organisation.code, "day": format_vn_date(ov.day), "format": fmt.upper()})
    return content


# --- A cell's plan of work ------------------------------------------------------------------------

@dataclass(frozen=True)
class Plan:
    organisation: Organisation
    day: dt.date
    targets: tuple[Figure, ...]  # the targets it is responsible for (resolutions in force)
    tasks: tuple[Task, ...]  # the tasks it has given, by deadline (assignees prefetched)


def plan(org: Organisation, *, targets: QuerySet[Target], tasks: Sequence[Task], day: dt.date) -> Plan:
    """The plan of `org` on `day`. `targets` is access.targets(user); `tasks` the
    organisation's tasks as tasks.selectors.org_tasks returns them."""
    own = sorted(targets.filter(organisation=org, resolution__status=Resolution.Status.IN_FORCE)
                 .select_related("resolution", "organisation"),
                 key=lambda t: (t.resolution.issued_on, t.resolution_id, t.position, t.pk))
    figs = figures(own, day)
    ordered = sorted(tasks, key=lambda t: (t.due_on or dt.date.max, t.start_on or dt.date.max, t.pk))
    return Plan(organisation=org, day=day, targets=tuple(figs[t.pk] for t in own), tasks=tuple(ordered))


def _assignees(task: Task) -> tuple[list[str], list[str]]:
    """The names of the lead(s) and of those coordinating."""
    rows = sorted(task.assignees.all(), key=lambda a: (a.role != Assignee.Role.LEAD, a.pk))
    names = [(a.role, a.person.full_name if a.person is not None else a.organisation.name if a.organisation else "")
             for a in rows]
    return ([n for role, n in names if role == Assignee.Role.LEAD],
            [n for role, n in names if role != Assignee.Role.LEAD])


def _expected(task: Task) -> str:
    measure = ""
    if task.measure_value is not None:
        measure = f"{rules._num(task.measure_value)} {task.measure_unit}".strip()
    if measure and measure not in task.expected_output:
        return f"{task.expected_output} ({measure})" if task.expected_output else measure
    return task.expected_output


def _task_status(task: Task) -> str:
    text = TASK_STATUS_TEXT.get(task.status, task.status)
    if task.is_open and task.progress:
        text += f" ({task.progress}%)"
    return text


def plan_xlsx(p: Plan) -> bytes:
    org = p.organisation
    when = format_vn_date(p.day)
    book = _Book()
    book.sheet("Chỉ tiêu", f"Chỉ tiêu của {org.name} — số liệu đến ngày {when}", [
        ("STT", 5), ("Nghị quyết", 14), ("Số", 5), ("Chỉ tiêu", 45), ("Đơn vị", 12), ("Giá trị gốc", 10),
        ("Chỉ tiêu phấn đấu", 11), ("Số liệu hiện tại", 11), ("Ngày số liệu", 11), ("Tiến độ (%)", 9),
        ("Tình trạng", 15), ("Cách tính", 40)], [
        [n, f.target.resolution.number, f.target.position, f.target.name, f.target.unit,
         _cell_value(f.target, f.target.baseline_value), _cell_value(f.target, f.target.target_value),
         _cell_value(f.target, f.value), f.measured_on, f.percent, STATUS_TEXT.get(f.status, f.status), explanation(f)]
        for n, f in enumerate(p.targets, start=1)])
    task_rows = []
    for n, task in enumerate(p.tasks, start=1):
        leads, others = _assignees(task)
        task_rows.append([
            n, task.title, "; ".join(leads), "; ".join(others), task.start_on, task.due_on, _expected(task),
            task.verifier.full_name if task.verifier is not None else "", task.verify_by,
            TASK_STATUS_TEXT.get(task.status, task.status), task.progress,
            OUTCOME_TEXT.get(task.outcome, task.outcome), task.completed_on])
    book.sheet("Công việc (6 rõ)", f"Kế hoạch công tác của {org.name} — ngày {when}", [
        ("STT", 5), ("Việc", 40), ("Người chủ trì", 22), ("Người phối hợp", 26), ("Bắt đầu", 11),
        ("Hạn hoàn thành", 11), ("Kết quả, sản phẩm", 36), ("Người kiểm tra", 22), ("Hạn kiểm tra", 11),
        ("Tình trạng", 16), ("Tiến độ (%)", 9), ("Kết quả thực hiện", 18), ("Ngày hoàn thành", 11)], task_rows)
    return book.close()


def plan_pdf(p: Plan) -> bytes:
    tasks = []
    for n, task in enumerate(p.tasks, start=1):
        leads, others = _assignees(task)
        tasks.append({
            "n": n, "task": task, "leads": leads, "others": others,
            "start": format_vn_date(task.start_on), "due": format_vn_date(task.due_on), "expected": _expected(task),
            "verifier": task.verifier.full_name if task.verifier is not None else "",
            "verify_by": format_vn_date(task.verify_by), "status": _task_status(task),
            "outcome": OUTCOME_TEXT.get(task.outcome, task.outcome),
            "completed_on": format_vn_date(task.completed_on)})
    targets = [{
        "n": n, "target": f.target, "goal": value_text(f.target, f.target.target_value),
        "baseline": value_text(f.target, f.target.baseline_value) if f.target.baseline_value is not None else "",
        "value": value_text(f.target, f.value), "measured_on": format_vn_date(f.measured_on),
        "percent": "" if f.percent is None else f"{f.percent}%", "status": STATUS_TEXT.get(f.status, f.status),
        "explanation": explanation(f)} for n, f in enumerate(p.targets, start=1)]
    org = p.organisation
    return pdf.render("print/plan.html", {
        "heading": heading(org, p.day), "org": org, "day": format_vn_date(p.day), "targets": targets,
        "tasks": tasks, "signature": signature(org)})


def export_plan(*, actor: Any, p: Plan, fmt: str) -> bytes:
    """The plan as `fmt` (xlsx or pdf), audited: its rows are its targets and its tasks."""
    content = plan_xlsx(p) if fmt == "xlsx" else plan_pdf(p)
    _audit(actor=actor, org=p.organisation, object_type="task", what="dòng (chỉ tiêu và công việc)",
           rows=len(p.targets) + len(p.tasks), fmt=fmt,
           note=_("Plan of work of %(org)s on %(day)s (%(format)s)") % {
               "org": p.organisation.code, "day": format_vn_date(p.day), "format": fmt.upper()})
    return content
