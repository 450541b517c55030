"""Who votes, and out of how many (issue 13 point 1): each invitee keeps whether they were here
on temporary activity or exempt, whether they are left out of the official members called and
why, and, for an exempt member who came, whether they voted; each vote keeps its arithmetic.

Existing rows: `temporary` and `exempt` are taken from the membership history in force on the
meeting's day. Recorded votes are not
recomputed: their result stands, and with no stored roll (official_called is null) the page says
nothing more than it did."""
from __future__ import annotations

from collections import defaultdict

from django.db import migrations, models


def snapshot(apps, schema_editor):
    """Only people whose history holds a temporary activity or an exemption can need a flag set,
    and they are few (a province of 150,000 members has about 2,000): their periods are read once,
    and their invitations are matched against them by date, in Python. One correlated subquery
    per invitation took over 20 minutes on 1.7 million invitations."""
    Attendance = apps.get_model("meetings", "Attendance")
    Event = apps.get_model("members", "MembershipEvent")
    for flag in ("temporary", "exempt"):
        spans = defaultdict(list)
        for person_id, start, end in (Event.objects.filter(**{flag: True})
                                      .values_list("membership__person_id", "effective_date", "ended_on")):
            spans[person_id].append((start, end))
        for person_id, periods in spans.items():
            rows = Attendance.objects.filter(role="member", person_id=person_id).values_list("pk", "meeting__date")
            ids = [pk for pk, day in rows if any(s <= day and (e is None or e > day) for s, e in periods)]
            for i in range(0, len(ids), 500):
                Attendance.objects.filter(pk__in=ids[i:i + 500]).update(**{flag: True})


class Migration(migrations.Migration):

    dependencies = [
        ('meetings', '0002_rules'),
        ('members', '0006_admission_decision_date'),
    ]

    operations = [
        migrations.AddField(
            model_name='attendance',
            name='excluded',
            field=models.CharField(blank=True, choices=[('', 'counted'), ('temporary_elsewhere', 'on temporary activity elsewhere'), ('suspended', 'suspended from party activity'), ('prosecuted', 'prosecuted, indicted or in temporary detention'), ('approved_absence', "absent with the committee's approval")], default='', max_length=20, verbose_name='left out of the official members called'),
        ),
        migrations.AddField(
            model_name='attendance',
            name='excluded_note',
            field=models.CharField(blank=True, max_length=200, verbose_name='note'),
        ),
        migrations.AddField(
            model_name='attendance',
            name='exempt',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='attendance',
            name='temporary',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='attendance',
            name='voted',
            field=models.BooleanField(default=False, verbose_name='attended and voted'),
        ),
        migrations.AddField(
            model_name='vote',
            name='left_out',
            field=models.JSONField(default=list, editable=False),
        ),
        migrations.AddField(
            model_name='vote',
            name='need',
            field=models.PositiveSmallIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='vote',
            name='official_called',
            field=models.PositiveSmallIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name='vote',
            name='rule_citation',
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        migrations.AddField(
            model_name='vote',
            name='rule_confirmed',
            field=models.BooleanField(default=True, editable=False),
        ),
        migrations.AddField(
            model_name='vote',
            name='voters_present',
            field=models.PositiveSmallIntegerField(editable=False, null=True),
        ),
        migrations.AlterField(
            model_name='vote',
            name='kind',
            field=models.CharField(choices=[('general', 'resolution or other decision (more than half of the official members called)'), ('admission', 'admission of a new member (two-thirds of official members)'), ('recognition', 'recognition as an official member (two-thirds of official members)'), ('removal', 'removal from the party rolls (two-thirds of official members; rule not confirmed)')], default='general', max_length=12, verbose_name='kind'),
        ),
        migrations.RunPython(snapshot, migrations.RunPython.noop),
    ]
