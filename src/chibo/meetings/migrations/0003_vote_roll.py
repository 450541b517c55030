"""Who votes, and out of how many (issue 13 point 1): each invitee keeps whether they were here
on temporary activity or exempt, whether they are left out of the official members called and
why, and, for an exempt member who came, whether they voted; each vote keeps its arithmetic.

Existing rows: `temporary` and `exempt` are taken from the membership history in force on the
meeting's day (the present membership where no history reaches that day). Recorded votes are not
recomputed: their result stands, and with no stored roll (official_called is null) the page says
nothing more than it did."""

from django.db import migrations, models
from django.db.models import BooleanField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce


def snapshot(apps, schema_editor):
    Attendance = apps.get_model("meetings", "Attendance")
    Meeting = apps.get_model("meetings", "Meeting")
    Event = apps.get_model("members", "MembershipEvent")
    Membership = apps.get_model("members", "Membership")
    dates = Meeting.objects.filter(attendance__role="member").values_list("date", flat=True).distinct()
    for day in dates.iterator():
        in_force = (Event.objects.filter(membership__person_id=OuterRef("person_id"), effective_date__lte=day)
                    .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day)).order_by("-effective_date", "-id"))
        now = Membership.objects.filter(person_id=OuterRef("person_id"))
        Attendance.objects.filter(role="member", meeting__date=day).update(
            temporary=Coalesce(Subquery(in_force.values("temporary")[:1]), Subquery(now.values("temporary")[:1]),
                               Value(False), output_field=BooleanField()),
            exempt=Coalesce(Subquery(in_force.values("exempt")[:1]), Value(False), output_field=BooleanField()))


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
