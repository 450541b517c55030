"""The rules of a thread, without the database: to whom a member may write, what a reply does
to the status, and the subject taken from the message when the member gives none.

Status: a new thread waits for an answer ("new"); an answer from the organisation makes it
"answered"; the member's reply to an answered thread makes it wait again ("new"); the member
or those who answer may close it, and a closed thread takes no more messages (the member
sends a new one: a closed thread stays as it was when it was closed)."""

from __future__ import annotations

MAX_SUBJECT = 200
MAX_BODY = 4000
SUBJECT_FROM_BODY = 80  # characters of the message used as its subject when none is given

NEW, ANSWERED, CLOSED = "new", "answered", "closed"


def recipient_ids(*, cell_id: int | None, base_id: int | None, commune_id: int | None) -> list[int]:
    """The organisations a member writes to, from their membership's levels: their chi bộ (a
    cell under a grassroots committee, or else the grassroots cell itself — party groups sit
    inside a cell) and their commune. Members are never kept in a grassroots committee, so
    without a cell the grassroots organisation is their cell."""
    out: list[int] = []
    for pk in (cell_id or base_id, commune_id):
        if pk is not None and pk not in out:
            out.append(pk)
    return out


def status_after_message(status: str, *, from_staff: bool) -> str:
    """An answer makes the thread answered; the member's message makes it wait for one."""
    if status == CLOSED:
        raise ValueError("a closed thread takes no messages")
    return ANSWERED if from_staff else NEW


def subject_from(body: str) -> str:
    """The first line of the message, cut at a word within SUBJECT_FROM_BODY characters."""
    first = " ".join(body.strip().splitlines()[0].split()) if body.strip() else ""
    if len(first) <= SUBJECT_FROM_BODY:
        return first
    cut = first[:SUBJECT_FROM_BODY].rsplit(" ", 1)[0] or first[:SUBJECT_FROM_BODY]
    return cut.rstrip(" ,;:.-") + "…"
