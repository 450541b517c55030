"""Roles follow posts (issue 12, point 1).

A person's committee post gives their account a role for exactly the post's dates: secretary,
deputy secretary or committee member of a party cell → that cell's committee role; of a
commune or grassroots party committee → the commune staff role on it. Inspection committee
members and heads of villages get no role from their post (they are given one explicitly if
their work needs it), nor do provincial posts (province staff are assigned explicitly). Such
an assignment names its post: when the post's dates change or it ends, the assignment follows
in the same transaction (members.services calls `sync_post_roles`), and it ends the day the
post ends because scope reads only assignments in force today (access.scope_for)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from chibo.accounts.models import Role, RoleAssignment, User
from chibo.audit import services as audit
from chibo.members.models import Post
from chibo.organisations.models import Organisation

POST_KINDS = {Post.Kind.SECRETARY, Post.Kind.DEPUTY_SECRETARY, Post.Kind.COMMITTEE_MEMBER}
COMMITTEE_ORG_KINDS = {Organisation.Kind.COMMUNE, Organisation.Kind.GRASSROOTS_COMMITTEE}


def role_for_post(kind: str, org: Organisation | None) -> str | None:
    """The role a post of this kind on this organisation gives, or None."""
    if kind not in POST_KINDS or org is None:
        return None
    if org.kind in Organisation.CELL_KINDS:
        return Role.CELL_COMMITTEE
    if org.kind in COMMITTEE_ORG_KINDS:
        return Role.COMMUNE_STAFF
    return None


def _fields(ra: RoleAssignment) -> dict[str, Any]:
    return {"user_id": ra.user_id, "organisation_id": ra.organisation_id, "role": ra.role, "post_id": ra.post_id,
            "valid_from": ra.valid_from.isoformat(), "valid_to": ra.valid_to.isoformat() if ra.valid_to else None}


def sync_post_roles(person_ids: Iterable[int], *, actor: Any) -> None:
    """Make the post-given roles of these people's accounts match their posts (audited).
    Call inside the transaction that changed the posts or linked the account."""
    ids = set(person_ids)
    users = {u.person_id: u for u in User.objects.filter(person_id__in=ids)}
    if not users:
        return
    posts = Post.objects.filter(person_id__in=list(users)).select_related("organisation")
    existing = {ra.post_id: ra for ra in RoleAssignment.objects.filter(user__in=users.values(), post__isnull=False)
                .select_related("organisation")}
    for post in posts:
        user = users[post.person_id]
        role = role_for_post(post.kind, post.organisation)
        ra = existing.pop(post.pk, None)
        if role is None or post.organisation is None:
            if ra is not None:
                audit.record(actor=actor, action="delete", obj=ra, org_path=ra.organisation.path,
                             before=_fields(ra), note="the post no longer gives a role")
                ra.delete()
            continue
        want = {"user_id": user.pk, "organisation_id": post.organisation_id, "role": role,
                "valid_from": post.start_date, "valid_to": post.end_date}
        if ra is None:
            ra = RoleAssignment.objects.create(post=post, **want)
            audit.record(actor=actor, action="create", obj=ra, org_path=post.organisation.path, after=_fields(ra),
                         note="given by the post")
        elif any(getattr(ra, k) != v for k, v in want.items()):
            before = _fields(ra)
            for k, v in want.items():
                setattr(ra, k, v)
            ra.save()
            old, new = audit.diff(before, _fields(ra))
            audit.record(actor=actor, action="update", obj=ra, org_path=post.organisation.path, before=old, after=new,
                         note="follows the post")
