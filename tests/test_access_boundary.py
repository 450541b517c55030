"""The one gatekeeper, checked on the source: a module that serves requests (the views, the web
pages, the API) gets guarded objects only through chibo.access, never by querying a guarded
model itself (`Task.objects…`, `get_object_or_404(Task, …)`). A query over rows that access
already let through (an object's own children, a count over a scoped queryset) is allowed by
name below, with the reason; everything else fails this test."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "chibo"

GUARDED = {
    "Organisation", "Membership", "Person", "Post", "Locality", "Resolution", "Target", "Measurement", "Task",
    "Assignee", "Meeting", "Vote", "Attendance", "Minutes", "Material", "Document", "StudySession", "Participant",
    "Thread", "Message", "Candidate", "TransferLetter", "Exemption", "ImportJob", "ExportJob", "ApiToken",
    "AuditEvent", "User", "RoleAssignment",
}
# Manager calls that read no guarded row: an empty queryset (a form's field before the view
# gives it the scoped one), and a new row (a write; the services and the views' own jobs).
HARMLESS = {"none", "create"}
FETCHERS = {"get_object_or_404", "get_list_or_404"}

# (module under src/chibo, model): why it is not object access. Keep this short: prefer a
# function in chibo.access (or a selector given an access-filtered queryset).
ALLOWED: dict[tuple[str, str], str] = {
    # Rows belonging to an object the view already got from access (a related query):
    ("web/views.py", "Organisation"): "a gated organisation's children and ancestors; the tree's nodes "
                                      "from access.organisations and the scope's home_orgs",
    ("web/views.py", "Post"): "the committee posts of an organisation got through access.get_organisation",
    ("web/views.py", "Locality"): "the sub-localities of a locality got through access.get_locality",
    ("web/views.py", "Membership"): "the membership of a gated locality's head, to link to it",
    ("tasks/views.py", "Task"): "re-reads a task got through access.get_task, with its people",
    ("tasks/views.py", "Organisation"): "the child organisations of one got through access.get_organisation",
    ("lifecycle/views.py", "TransferLetter"): "the letters of a membership got through access.get_membership",
    ("lifecycle/views.py", "Exemption"): "the exemptions of a membership got through access.get_membership",
    ("lifecycle/views.py", "Organisation"): "the communes above cells already in scope; the organisations a "
                                            "transfer may go to (any, by design: a transfer leaves the scope)",
    ("meetings/views.py", "Organisation"): "the communes above cells already in scope",
    ("documents/views.py", "Organisation"): "the organisations of documents from access.documents (a filter list)",
    ("plans/views.py", "Organisation"): "the organisations of resolutions from access.resolutions (a filter list)",
    ("recruitment/views.py", "Person"): "the official members of a candidate's cell (got through "
                                        "access.get_candidate), to name as introducers",
    ("accounts/views.py", "RoleAssignment"): "the roles of the accounts on a page of access.accounts",
    ("api/members.py", "Membership"): "whether the head of a gated locality is a member (a subquery)",
    ("api/channel.py", "Message"): "re-reads, with its author, the message the service has just written",
    ("api/plans.py", "Assignee"): "narrows access.tasks to the viewer's own tasks",
}


def request_modules() -> list[Path]:
    """Every module that serves requests: the apps' views, the web pages and the API."""
    found = {*SRC.glob("*/views.py"), *SRC.glob("*/*_views.py"), *SRC.glob("web/**/*.py"), *SRC.glob("api/*.py")}
    return sorted(p for p in found if "management" not in p.parts and "migrations" not in p.parts)


def violations(source: str) -> list[tuple[int, str]]:
    """(line, model) of each direct query of a guarded model in `source`."""
    found: list[tuple[int, str]] = []
    harmless: set[int] = set()
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in HARMLESS
                and isinstance(node.func.value, ast.Attribute)):
            harmless.add(id(node.func.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("objects", "_default_manager", "_base_manager"):
            model = node.value
            name = model.id if isinstance(model, ast.Name) else ""
            if isinstance(model, ast.Call) and getattr(model.func, "id", getattr(model.func, "attr", "")) == \
                    "get_user_model":
                name = "User"
            if name in GUARDED and id(node) not in harmless:
                found.append((node.lineno, name))
        elif isinstance(node, ast.Call):
            fn = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if fn in FETCHERS and node.args and isinstance(node.args[0], ast.Name) and node.args[0].id in GUARDED:
                found.append((node.lineno, node.args[0].id))
    return sorted(found)


def test_the_checker_flags_direct_queries() -> None:
    sample = (
        "from django.shortcuts import get_object_or_404\n"
        "def view(request, pk):\n"
        "    task = Task.objects.filter(pk=pk).first()\n"
        "    doc = get_object_or_404(Document, pk=pk)\n"
        "    user = get_user_model().objects.get(pk=pk)\n"
        "    empty = Meeting.objects.none()\n"
        "    return access.get_task(request.user, pk), Setting.objects.all()\n"
    )
    assert violations(sample) == [(3, "Task"), (4, "Document"), (5, "User")]


def test_request_modules_query_guarded_models_only_through_access() -> None:
    modules = request_modules()
    assert any(p.name == "views.py" and p.parent.name == "tasks" for p in modules)
    unexplained: list[str] = []
    used: set[tuple[str, str]] = set()
    for path in modules:
        rel = path.relative_to(SRC).as_posix()
        for line, model in violations(path.read_text(encoding="utf-8")):
            if (rel, model) in ALLOWED:
                used.add((rel, model))
            else:
                unexplained.append(f"{rel}:{line}: {model} queried directly; use chibo.access")
    assert not unexplained, "\n".join(unexplained)
    stale = set(ALLOWED) - used
    assert not stale, f"allowed exceptions no longer needed, remove them: {sorted(stale)}"
