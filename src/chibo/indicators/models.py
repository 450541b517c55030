"""Facts about each party cell that the residential-cell indicators count.

One row per cell (chi bộ cơ sở or chi bộ trực thuộc), true as of `computed_on` and until
`valid_until` (the next date on which a post starts or ends, or the cell starts or ends;
null = no change ahead). The organisation, post and member services refresh the rows they
affect in the same transaction; a row past `valid_until` is refreshed before it is read.
`official_count` moves with the member rollup. `chibo rollups --check` compares all of it
with a fresh computation."""

from __future__ import annotations

from django.db import models

from chibo.core.fields import ByteOrderCharField


class CellFacts(models.Model):
    organisation = models.OneToOneField("organisations.Organisation", on_delete=models.CASCADE,
                                        primary_key=True, related_name="facts")
    path = ByteOrderCharField(max_length=64)
    active = models.BooleanField(default=True)
    residential = models.BooleanField(default=False)
    has_committee = models.BooleanField(default=False)
    has_secretary = models.BooleanField(default=False)
    has_head = models.BooleanField(default=False)
    head_is_member = models.BooleanField(default=False)
    secretary_is_head = models.BooleanField(default=False)
    official_count = models.IntegerField(default=0)
    computed_on = models.DateField()
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["path", "active", "residential", "has_committee", "has_head", "head_is_member",
                                 "has_secretary", "secretary_is_head"], name="cellfacts_path"),
            models.Index(fields=["valid_until"], name="cellfacts_valid_until"),
        ]

    def __str__(self) -> str:
        return f"facts of {self.organisation_id} on {self.computed_on}"
