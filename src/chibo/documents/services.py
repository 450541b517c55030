"""Writes for the document library and study sessions. Each function is atomic, validates
with a message naming the field and saying how to fix it, and writes its audit record.

A read receipt is itself the record of who read what and when (written once, never changed),
so marking a document read writes no audit row: at a province's scale that would be one
audit row per member per document."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from chibo.audit import services as audit
from chibo.core import files
from chibo.core.dates import format_vn_date, today
from chibo.core.text import fold, nfc
from chibo.documents.models import Document, Participant, Receipt, StudySession
from chibo.members.models import Membership, Person
from chibo.notifications import services as notifications
from chibo.organisations.models import LEVEL_OF_KIND, Organisation

DOCUMENT_FIELDS = ["organisation_id", "issuer", "number", "kind", "issued_on", "title", "summary", "file_name"]
SESSION_FIELDS = ["organisation_id", "title", "held_on", "place", "summary"]
MAX_REFLECTION = 2000
MAX_SUMMARY = 10000
CHUNK = 5000
Upload = tuple[bytes, str]  # (content, the file's name)


def search_words(text: str | None) -> str:
    """Folded words only, for searching: "339-QĐ/TW" → "339 qd tw", so that "339 qd" or
    "qd 339" finds it, and "hoc tap" finds "Học tập"."""
    return " ".join(re.findall(r"\w+", fold(text)))


def _text(value: str | None) -> str:
    """NFC, with line breaks kept (a summary or a reflection has paragraphs)."""
    lines = unicodedata.normalize("NFC", value or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(" ".join(line.split()) for line in lines).strip()


def _members_within(org: Organisation) -> Any:
    """Current members of the organisation's subtree (one index range, chibo.members)."""
    return Membership.objects.filter(current__in=[True], **{f"{LEVEL_OF_KIND[org.kind]}_id": org.pk})


# --- Documents ------------------------------------------------------------------------------

def _clean_document(data: dict[str, Any], *, instance: Document | None) -> dict[str, Any]:
    out = {**data, "issuer": nfc(data.get("issuer")), "number": nfc(data.get("number")),
           "title": nfc(data.get("title")), "summary": _text(data.get("summary"))}
    errors: dict[str, str] = {}
    org: Organisation | None = out.get("organisation")
    if org is None:
        errors["organisation"] = _("Choose the organisation the document is distributed to.")
    elif org.kind == Organisation.Kind.PARTY_GROUP:
        errors["organisation"] = _("A party group receives documents through its cell. Choose the cell.")
    elif org.valid_to is not None:
        errors["organisation"] = _("%(org)s has ended. Choose an organisation that is active.") % {"org": org.name}
    if not out["issuer"]:
        errors["issuer"] = _("Enter the issuing body, for example Ban Bí thư Trung ương or Đảng ủy xã.")
    elif len(out["issuer"]) > 200:
        errors["issuer"] = _("Shorten the issuing body to at most 200 characters.")
    if not out["number"]:
        errors["number"] = _("Enter the number and symbol, for example 339-QĐ/TW.")
    elif len(out["number"]) > 50:
        errors["number"] = _("Shorten the number and symbol to at most 50 characters, for example 339-QĐ/TW.")
    if not out["title"]:
        errors["title"] = _("Enter the title of the document.")
    elif len(out["title"]) > 300:
        errors["title"] = _("Shorten the title to at most 300 characters; put the rest in the summary.")
    if len(out["summary"]) > MAX_SUMMARY:
        errors["summary"] = _("Shorten the summary to at most %(n)s characters; the full text goes in the file.") % {
            "n": MAX_SUMMARY}
    if out.get("kind") not in Document.Kind.values:
        errors["kind"] = _("Choose the kind of document, for example a resolution or a directive.")
    issued: dt.date | None = out.get("issued_on")
    if issued is None:
        errors["issued_on"] = _("Enter the date it was issued, as dd/mm/yyyy.")
    elif issued > today():
        errors["issued_on"] = _("The date issued cannot be in the future. Check the date on the document.")
    elif issued.year < 1930:
        errors["issued_on"] = _("Check the year of the date issued.")
    key = search_words(out["number"])[:60]
    if "number" not in errors and org is not None and "organisation" not in errors:
        same = Document.objects.filter(organisation=org, number_key=key)
        if instance is not None:
            same = same.exclude(pk=instance.pk)
        if same.exists():
            errors["number"] = _("%(number)s is already in the library for %(org)s. Open it there instead of "
                                 "adding it again.") % {"number": out["number"], "org": org.name}
    if errors:
        raise ValidationError(errors)
    out["number_key"] = key
    return out


def _attach(upload: Upload | None) -> dict[str, str]:
    """Check (by content, not by name) and keep a document's file; errors name the field "file"."""
    if upload is None:
        return {}
    data, name = upload
    try:
        path, clean = files.store(data, name, "documents", allowed=files.DOCUMENT_TYPES)
    except ValidationError as exc:
        raise ValidationError({"file": exc.messages}) from exc
    return {"file": path, "file_name": clean}


def _search_text(doc: Document) -> str:
    return search_words(f"{doc.number} {doc.title} {doc.issuer}")[:600]


@transaction.atomic
def document_publish(*, actor: Any, file: Upload | None = None, **data: Any) -> Document:
    """Add a document to the library, distributed to `organisation`'s subtree, and tell the
    members it reaches (one notice each, chibo.notifications)."""
    data = _clean_document(data, instance=None)
    doc = Document(**data, **_attach(file),
                   created_by=actor if getattr(actor, "is_authenticated", False) else None)
    doc.search_text = _search_text(doc)
    doc.save()
    audit.record(actor=actor, action="create", obj=doc, org_path=doc.organisation.path,
                 after=audit.snapshot(doc, DOCUMENT_FIELDS))
    _notify(doc, actor)
    return doc


@transaction.atomic
def document_update(doc: Document, *, actor: Any, file: Upload | None = None, **data: Any) -> Document:
    """Correct a document. Its organisation does not change: the receipts count against it."""
    if "organisation" in data and data["organisation"] != doc.organisation:
        raise ValidationError({"organisation": _("A document stays with the organisation it was distributed to. "
                                                 "To send it to another, add it again there.")})
    fields = ("organisation", "issuer", "number", "kind", "issued_on", "title", "summary")
    merged = _clean_document({**{f: getattr(doc, f) for f in fields}, **data}, instance=doc)
    before = audit.snapshot(doc, DOCUMENT_FIELDS)
    for key, value in {**merged, **_attach(file)}.items():
        setattr(doc, key, value)
    doc.search_text = _search_text(doc)
    doc.save()
    old, new = audit.diff(before, audit.snapshot(doc, DOCUMENT_FIELDS))
    if new:
        audit.record(actor=actor, action="update", obj=doc, org_path=doc.organisation.path, before=old, after=new)
    return doc


def _notify(doc: Document, actor: Any) -> int:
    """A notice to every member the document reaches who has an account (not its publisher)."""
    with override(settings.LANGUAGE_CODE):
        title = _("New document: %(number)s") % {"number": doc.number}
        text = _("%(number)s of %(issuer)s: %(title)s") % {"number": doc.number, "issuer": doc.issuer,
                                                          "title": doc.title}
    lines = [{"text": text, "url": reverse("document", args=[doc.pk]), "urgency": ""}]
    people = list(_members_within(doc.organisation).values_list("person_id", flat=True))
    own = getattr(actor, "pk", None)
    sent = 0
    for i in range(0, len(people), CHUNK):
        users = set(notifications.users_of_people(people[i:i + CHUNK]).values()) - {own}
        sent += notifications.notify(users, kind="document", key=f"document:{doc.pk}", title=title, lines=lines)
    return sent


@transaction.atomic
def document_mark_read(document: Document, *, actor: Any) -> Receipt:
    """The actor read the document. Only its addressees (current members inside its subtree)
    mark it; marking it again keeps the first time."""
    person_id = getattr(actor, "person_id", None)
    m = Membership.objects.filter(person_id=person_id, current__in=[True]).select_related(
        "organisation").first() if person_id else None
    if m is None or not m.organisation.path.startswith(document.organisation.path):
        raise ValidationError({"document": _("This document is not addressed to you (it was sent to %(org)s), so "
                                             "there is nothing to mark.") % {"org": document.organisation.name}})
    receipt, _created = Receipt.objects.get_or_create(document=document, person_id=person_id,
                                                      defaults={"read_at": timezone.now()})
    return receipt


# --- Study sessions ------------------------------------------------------------------------------

def _clean_session(data: dict[str, Any], *, instance: StudySession | None) -> dict[str, Any]:
    out = {**data, "title": nfc(data.get("title")), "place": nfc(data.get("place")),
           "summary": _text(data.get("summary"))}
    errors: dict[str, str] = {}
    org: Organisation | None = out.get("organisation")
    if org is None:
        errors["organisation"] = _("Choose the organisation that held the session.")
    elif org.kind == Organisation.Kind.PARTY_GROUP:
        errors["organisation"] = _("A party group studies with its cell. Choose the cell.")
    if not out["title"]:
        errors["title"] = _("Enter what was studied, for example “Học tập, quán triệt Quy định 339-QĐ/TW”.")
    elif len(out["title"]) > 300:
        errors["title"] = _("Shorten the title to at most 300 characters; put the rest in the content.")
    if len(out["place"]) > 200:
        errors["place"] = _("Shorten the place to at most 200 characters.")
    if len(out["summary"]) > MAX_SUMMARY:
        errors["summary"] = _("Shorten the content to at most %(n)s characters.") % {"n": MAX_SUMMARY}
    held: dt.date | None = out.get("held_on")
    if held is None:
        errors["held_on"] = _("Enter the date of the session, as dd/mm/yyyy.")
    elif held.year < 1930 or held > today() + dt.timedelta(days=366):
        errors["held_on"] = _("Check the year of the date held (at most a year ahead).")
    if org is not None and "organisation" not in errors:
        docs: list[Document] = list(out.get("documents") or [])
        far = [d for d in docs if not (org.path.startswith(d.organisation.path)
                                       or d.organisation.path.startswith(org.path))]
        if far:
            errors["documents"] = _("%(numbers)s did not reach %(org)s. Choose documents distributed to %(org)s or "
                                    "above it.") % {"numbers": ", ".join(d.number for d in far), "org": org.name}
        people: list[Person] = list(out.get("participants") or [])
        inside = set(_members_within(org).filter(person_id__in=[p.pk for p in people])
                     .values_list("person_id", flat=True))
        outside = [p for p in people if p.pk not in inside]
        if outside:
            errors["participants"] = _("%(names)s: not a current member of %(org)s. Choose members of %(org)s "
                                       "only.") % {"names": ", ".join(p.full_name for p in outside), "org": org.name}
        if instance is not None and "participants" in data:
            chosen = {p.pk for p in people}
            kept = [p for p in instance.participants.select_related("person").exclude(reflection="")
                    if p.person_id not in chosen]
            if kept:
                errors["participants"] = _("%(names)s already wrote a reflection and stay among the "
                                           "participants.") % {"names": ", ".join(p.person.full_name for p in kept)}
    if errors:
        raise ValidationError(errors)
    return out


def _session_snapshot(session: StudySession) -> dict[str, Any]:
    return {**audit.snapshot(session, SESSION_FIELDS),
            "documents": sorted(session.documents.values_list("pk", flat=True)),
            "participants": sorted(session.participants.values_list("person_id", flat=True))}


def _set_links(session: StudySession, documents: Iterable[Document] | None,
               participants: Iterable[Person] | None) -> None:
    if documents is not None:
        session.documents.set(list(documents))
    if participants is not None:
        chosen = {p.pk for p in participants}
        session.participants.exclude(person_id__in=chosen).delete()
        have = set(session.participants.values_list("person_id", flat=True))
        Participant.objects.bulk_create([Participant(session=session, person_id=pk) for pk in sorted(chosen - have)])


@transaction.atomic
def study_session_create(*, actor: Any, **data: Any) -> StudySession:
    data = _clean_session(data, instance=None)
    documents, participants = data.pop("documents", None), data.pop("participants", None)
    session = StudySession(**data, created_by=actor if getattr(actor, "is_authenticated", False) else None)
    session.search_text = search_words(session.title)[:300]
    session.save()
    _set_links(session, documents, participants)
    audit.record(actor=actor, action="create", obj=session, org_path=session.organisation.path,
                 after=_session_snapshot(session))
    return session


@transaction.atomic
def study_session_update(session: StudySession, *, actor: Any, **data: Any) -> StudySession:
    if "organisation" in data and data["organisation"] != session.organisation:
        raise ValidationError({"organisation": _("A session stays with the organisation that held it.")})
    fields = ("organisation", "title", "held_on", "place", "summary")
    merged = _clean_session({**{f: getattr(session, f) for f in fields}, **data}, instance=session)
    documents, participants = merged.pop("documents", None), merged.pop("participants", None)
    before = _session_snapshot(session)
    for key, value in merged.items():
        setattr(session, key, value)
    session.search_text = search_words(session.title)[:300]
    session.save()
    _set_links(session, documents, participants)
    old, new = audit.diff(before, _session_snapshot(session))
    if new:
        audit.record(actor=actor, action="update", obj=session, org_path=session.organisation.path,
                     before=old, after=new)
    return session


@transaction.atomic
def reflection_write(participant: Participant, *, actor: Any, reflection: str) -> Participant:
    """A participant writes (or rewrites) their own short reflection on the session."""
    session = participant.session
    if getattr(actor, "person_id", None) != participant.person_id:
        raise ValidationError({"reflection": _("Only %(name)s writes their own reflection.") % {
            "name": participant.person.full_name}})
    text = _text(reflection)
    if session.held_on > today():
        raise ValidationError({"reflection": _("The session is on %(day)s. Write your reflection after it.") % {
            "day": format_vn_date(session.held_on)}})
    if not text:
        raise ValidationError({"reflection": _("Write your reflection: a few sentences on what you took in and "
                                               "how you will apply it.")})
    if len(text) > MAX_REFLECTION:
        raise ValidationError({"reflection": _("Keep your reflection to at most %(max)s characters (it has %(n)s "
                                               "now).") % {"max": MAX_REFLECTION, "n": len(text)}})
    before = participant.reflection
    if text == before:
        return participant
    participant.reflection, participant.reflected_at = text, timezone.now()
    participant.save(update_fields=["reflection", "reflected_at"])
    audit.record(actor=actor, action="update" if before else "create", obj=participant,
                 object_repr=f"{session.title}: {participant.person.full_name}"[:200],
                 org_path=session.organisation.path, before={"reflection": before} if before else None,
                 after={"reflection": text})
    return participant
