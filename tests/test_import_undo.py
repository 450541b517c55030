"""Issue 11, point 4: on SQLite an import publishes in short transactions, and a failed one
is withdrawn whole from its undo log (exchange/undo.py). Other people keep working between
the chunks; withdrawing must not undo their work: a column they changed since stays theirs,
the rollups keep their members, and a row the import added that someone has since built on
stops the withdrawal cleanly ("stuck") instead of breaking a link. The import's own writes
are made inside `recording()`, everyone else's outside it, as on two connections."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from chibo.audit.models import AuditEvent
from chibo.exchange import undo
from chibo.exchange.models import Publish, UndoStep
from chibo.indicators.figures import indicators
from chibo.members import services as members
from chibo.members.models import Membership, Person, Post
from chibo.members.services import compare_member_stats
from tests.conftest import add_member, person_data

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the withdrawal commits, as it does in production
    pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL imports in one transaction"),
]


def test_a_withdrawal_undoes_the_import_and_keeps_what_others_did_meanwhile(_migration_data: None, world: Any) -> None:
    member = world.m["b_member"]
    name_before = member.person.given_name
    figures_before = indicators(world.org["C1"]).figures
    with undo.recording(org_path=world.org["C1"].path) as publish:  # the import
        added = add_member(world.org["A"], "Hồ", "Văn", "Mới", residence=world.loc["A"])
        members.member_update(member, actor=None, person_data={"given_name": "Bình Sửa", "phone": "0911111111"})
        Post.objects.filter(pk=world.posts["committee_a"].pk).delete()
    assert UndoStep.objects.filter(publish=publish).count() > 5
    # someone else, between two chunks: a member of their own, and the phone number corrected again
    theirs = add_member(world.org["A"], "Lý", "Thị", "Khác", sex="F", residence=world.loc["A"])
    members.member_update(Membership.objects.get(pk=member.pk), actor=None, person_data={"phone": "0922222222"})

    outcome = undo.withdraw(publish)

    assert not outcome.stuck and outcome.kept >= 1 and outcome.reverted > 5
    assert not Membership.objects.filter(pk=added.pk).exists() and not Person.objects.filter(pk=added.person_id).exists()
    member.person.refresh_from_db()
    assert member.person.given_name == name_before  # the import's change, put back
    assert member.person.phone == "0922222222"  # theirs, kept
    assert Membership.objects.filter(pk=theirs.pk).exists()
    assert Post.objects.filter(pk=world.posts["committee_a"].pk).exists()  # the row the import deleted is back
    assert compare_member_stats() == []  # the rollups count their member, not the import's
    after = indicators(world.org["C1"]).figures
    assert after["members_total"] == figures_before["members_total"] + 1
    assert Publish.objects.get(pk=publish.pk).state == Publish.State.WITHDRAWN
    assert not UndoStep.objects.filter(publish=publish).exists()
    event = AuditEvent.objects.get(action="withdraw")
    assert event.org_path == world.org["C1"].path and "hoàn lại" in event.object_repr and "giữ nguyên" in event.note


def test_a_row_others_have_built_on_stops_the_withdrawal_cleanly(_migration_data: None, world: Any) -> None:
    with undo.recording() as publish:
        person = members.person_create(actor=None, **person_data("Đinh", "Thị", "Nhập", residence=world.loc["A"]))
    # someone else makes the new resident the head of village A
    post, _ = members.post_create(actor=None, person=person, kind="village_head", locality=world.loc["B"],
                                  start_date=dt.date(2026, 1, 5))

    outcome = undo.withdraw(publish)

    assert outcome.stuck
    assert Person.objects.filter(pk=person.pk).exists() and Post.objects.filter(pk=post.pk).exists()  # no broken link
    assert Publish.objects.get(pk=publish.pk).state == Publish.State.STUCK
    assert compare_member_stats() == []


def test_a_finished_publish_keeps_everything_and_drops_its_log(_migration_data: None, world: Any) -> None:
    with undo.recording() as publish:
        added = add_member(world.org["A"], "Hồ", "Văn", "Ở Lại", residence=world.loc["A"])
    undo.commit(publish)
    assert not UndoStep.objects.exists()
    assert undo.withdraw_abandoned() == []  # nothing left part-way
    assert Membership.objects.filter(pk=added.pk).exists()
    # the triggers went with the block: later writes are not logged
    add_member(world.org["A"], "Lý", "Văn", "Sau", residence=world.loc["A"])
    assert not UndoStep.objects.exists()


def test_a_publish_left_part_way_is_withdrawn_by_the_next_holder_of_the_slot(_migration_data: None, world: Any) -> None:
    with undo.recording() as publish:  # its process then died: the publish stays "publishing"
        added = add_member(world.org["A"], "Hồ", "Văn", "Bỏ Dở", residence=world.loc["A"])
    assert [p.pk for p in undo.withdraw_abandoned()] == [publish.pk]
    assert not Membership.objects.filter(pk=added.pk).exists()
    assert compare_member_stats() == []
