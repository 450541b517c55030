"""Printable documents of member development (issue 6 point 8): the cell's resolution
proposing admission (in the spirit of form 6-KNĐ) and the cell's resolution proposing
recognition as an official member — or removal, when that is what the cell passed — as PDF
in the official layout (party heading, place and date, title, the vote with its two-thirds
arithmetic, "T/M CHI BỘ / BÍ THƯ").

Objects come only through chibo.access, as on the pages that link here; 404 when the
resolution is not recorded; every download is audited (action "export")."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext, override
from django.views.decorators.http import require_GET

from chibo import access
from chibo.audit import services as audit
from chibo.core import pdf
from chibo.core.numbers import ID_MAX, query_int
from chibo.core.rules import rule
from chibo.members import selectors as member_selectors
from chibo.members.models import Membership, Person, Post
from chibo.organisations.models import Organisation
from chibo.plans.exports import heading, signature
from chibo.recruitment.models import Candidate, Recognition

# The text resolution_record() stores as the candidate's resolution basis (meetings.rules.vote_result);
# the counts are read back from it in whichever language the resolution was recorded in.
BASIS_MSGID = "%(for)s for, out of %(official)s official members: %(need)s needed (%(num)s/%(den)s) — %(verdict)s"


@dataclass(frozen=True)
class Vote:
    """The vote of a resolution that needs two-thirds of the official members, for the page."""

    official: int | None
    votes_for: int | None
    against: int | None = None
    abstain: int | None = None
    present: int | None = None
    num: int = 2
    den: int = 3
    passed: bool = False

    @property
    def need(self) -> int | None:
        """The smallest whole number of votes for that reaches num/den of the official members."""
        return None if self.official is None else -(-self.official * self.num // self.den)

    @property
    def exact(self) -> str:
        """official × num / den written out: "9 × 2/3 = 6", "10 × 2/3 = 6,67"."""
        if self.official is None:
            return ""
        value = self.official * self.num / self.den
        shown = f"{value:.2f}".rstrip("0").rstrip(".").replace(".", ",")
        return f"{self.official} × {self.num}/{self.den} = {shown}"

    @property
    def percent(self) -> str:
        """Votes for as a share of the official members, "88,9%"."""
        if not self.official or self.votes_for is None:
            return ""
        return f"{self.votes_for * 100 / self.official:.1f}".replace(".", ",") + "%"

    @property
    def cast(self) -> int | None:
        if self.votes_for is None or self.against is None or self.abstain is None:
            return None
        return self.votes_for + self.against + self.abstain


@cache
def _basis_pattern(language: str) -> re.Pattern[str]:
    with override(language):
        text = gettext(BASIS_MSGID)
    parts = re.split(r"%\((\w+)\)s", text)
    regex = []
    for i, part in enumerate(parts):
        if i % 2 == 0:
            regex.append(re.escape(part))
        else:
            regex.append(r".+?" if part == "verdict" else rf"(?P<{'votes_for' if part == 'for' else part}>\d+)")
    return re.compile("".join(regex))


def counts_from_basis(basis: str) -> dict[str, int] | None:
    """votes_for and official read back from a candidate's recorded resolution basis, or None."""
    for code, _name in settings.LANGUAGES:
        found = _basis_pattern(code).match(basis or "")
        if found:
            return {"votes_for": int(found["votes_for"]), "official": int(found["official"])}
    return None


def _sex(person: Person) -> str:
    return "Nam" if person.sex == "M" else "Nữ"


def _secretary(org: Organisation, day: dt.date) -> str:
    post = (member_selectors.committee_posts([org], on=day).filter(kind=Post.Kind.SECRETARY)
            .select_related("person").order_by("start_date", "pk").first())
    return post.person.full_name if post is not None else ""


def _vn_day(day: dt.date) -> str:
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def _context(org: Organisation, day: dt.date, number: str) -> dict[str, object]:
    on_behalf, title = signature(org)
    return {"heading": heading(org, day), "number": number, "org": org, "on_behalf": on_behalf, "signer_title": title,
            "signer": _secretary(org, day), "day_text": _vn_day(day),
            "superior": org.parent.name if org.parent is not None else ""}


def _response(content: bytes, name: str) -> FileResponse:
    response = FileResponse(io.BytesIO(content), as_attachment=False, filename=f"{name}.pdf",
                            content_type="application/pdf")
    response["Cache-Control"] = "private, no-store"
    return response


def candidate_resolution_pdf_bytes(c: Candidate) -> bytes:
    """The cell's resolution proposing admission of the candidate (6-KNĐ)."""
    assert c.resolution_on is not None
    org = c.organisation
    num, den = rule("vote_special_numerator", c.resolution_on), rule("vote_special_denominator", c.resolution_on)
    if c.resolution_for is not None:
        vote = Vote(official=c.resolution_official, votes_for=c.resolution_for, against=c.resolution_against,
                    abstain=c.resolution_abstain, present=c.resolution_present, num=num.value, den=den.value,
                    passed=bool(c.resolution_passed))
    else:  # recorded before the counts were kept: read them back from the arithmetic written out
        counts = counts_from_basis(c.resolution_basis) or {}
        vote = Vote(official=counts.get("official"), votes_for=counts.get("votes_for"), num=num.value, den=den.value,
                    passed=bool(c.resolution_passed))
    person = c.person
    context = {**_context(org, c.resolution_on, c.resolution_number), "c": c, "person": person, "sex": _sex(person),
               "residence": person.residence.name if person.residence is not None else "", "vote": vote,
               "citation": num.citation}
    return pdf.render("recruitment/candidate_resolution_print.html", context)


def recognition_resolution_pdf_bytes(rec: Recognition, m: Membership) -> bytes:
    """The cell's resolution proposing recognition as an official member, or removal."""
    org = m.cell or m.organisation
    num, den = rule("vote_special_numerator", rec.resolution_on), rule("vote_special_denominator", rec.resolution_on)
    vote = Vote(official=rec.official, votes_for=rec.votes_for, against=rec.votes_against, abstain=rec.votes_abstain,
                num=num.value, den=den.value, passed=rec.passed)
    person = m.person
    context = {**_context(org, rec.resolution_on, rec.resolution_number), "rec": rec, "m": m, "person": person,
               "sex": _sex(person), "residence": person.residence.name if person.residence is not None else "", "vote": vote,
               "remove": rec.proposal == Recognition.Proposal.REMOVE, "citation": num.citation}
    return pdf.render("recruitment/recognition_resolution_print.html", context)


@login_required
@require_GET
def candidate_resolution_pdf(request: HttpRequest, pk: int) -> FileResponse:
    c: Candidate = access.get_candidate(request.user, pk)
    if c.resolution_on is None:
        raise Http404
    content = candidate_resolution_pdf_bytes(c)
    audit.record(actor=request.user, action="export", obj=c, object_repr=c.person.full_name,
                 org_path=c.organisation.path,
                 after={"document": "6-KND", "number": c.resolution_number, "format": "pdf"},
                 note=f"Nghị quyết đề nghị kết nạp đảng viên {c.resolution_number} (PDF)")
    return _response(content, f"nghi-quyet-ket-nap-{c.pk}-{c.resolution_on:%Y%m%d}")


@login_required
@require_GET
def recognition_resolution_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The member's latest recognition resolution, or the one named by ?r=<id>."""
    m = access.get_membership(request.user, pk)
    if not access.sees_members_of(request.user, m.organisation):
        raise Http404
    recs = Recognition.objects.filter(membership=m)
    chosen = request.GET.get("r", "")
    if chosen:
        rec_pk = query_int(chosen, 1, ID_MAX)
        recs = recs.filter(pk=rec_pk) if rec_pk else recs.none()
    rec = recs.order_by("-resolution_on", "-pk").first()
    if rec is None:
        raise Http404
    content = recognition_resolution_pdf_bytes(rec, m)
    audit.record(actor=request.user, action="export", obj=rec, object_repr=m.person.full_name,
                 org_path=m.organisation.path,
                 after={"proposal": rec.proposal, "number": rec.resolution_number, "format": "pdf"},
                 note=f"Nghị quyết đề nghị {'xóa tên' if rec.proposal == Recognition.Proposal.REMOVE else 'công nhận'} "
                      f"đảng viên chính thức {rec.resolution_number} (PDF)")
    return _response(content, f"nghi-quyet-cong-nhan-{m.pk}-{rec.resolution_on:%Y%m%d}")
