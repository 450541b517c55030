"""Vietnam's days off for 2026 and 2027 (Bộ luật Lao động 2019, Điều 112: Tết Dương lịch 1 day,
Tết Nguyên đán 5 days, Giỗ Tổ Hùng Vương, 30/4, 1/5, Quốc khánh 2 days; a holiday on a weekend is
given back on the next working day). Only weekdays are listed: weekends are never working days.
2026 follows the announced Tết schedule; 2027 is computed from the Code and marked unconfirmed
until the Government announces it — an administrator edits both on the holidays page."""

from __future__ import annotations

import datetime as dt

from django.db import migrations

D = dt.date
CODE = "Bộ luật Lao động 2019, Điều 112"
HOLIDAYS = [
    (D(2026, 1, 1), "Tết Dương lịch", True, CODE),
    *[(D(2026, 2, d), "Tết Nguyên đán", True, "Lịch nghỉ Tết Bính Ngọ 2026 (14/2–22/2/2026), Bộ Nội vụ")
      for d in (16, 17, 18, 19, 20)],
    (D(2026, 4, 27), "Giỗ Tổ Hùng Vương (nghỉ bù cho Chủ nhật 26/4)", True, CODE),
    (D(2026, 4, 30), "Ngày Chiến thắng", True, CODE),
    (D(2026, 5, 1), "Ngày Quốc tế Lao động", True, CODE),
    (D(2026, 9, 1), "Quốc khánh (ngày liền kề)", False, CODE + "; ngày liền kề do Thủ tướng quyết định"),
    (D(2026, 9, 2), "Quốc khánh", True, CODE),
    (D(2027, 1, 1), "Tết Dương lịch", False, CODE),
    *[(D(2027, 2, d), "Tết Nguyên đán", False, CODE + "; dự kiến, chờ thông báo lịch nghỉ Tết Đinh Mùi 2027")
      for d in (5, 8, 9, 10, 11)],
    (D(2027, 4, 16), "Giỗ Tổ Hùng Vương", False, CODE),
    (D(2027, 4, 30), "Ngày Chiến thắng", False, CODE),
    (D(2027, 5, 3), "Ngày Quốc tế Lao động (nghỉ bù cho thứ Bảy 1/5)", False, CODE),
    (D(2027, 9, 2), "Quốc khánh", False, CODE),
    (D(2027, 9, 3), "Quốc khánh (ngày liền kề)", False, CODE + "; ngày liền kề do Thủ tướng quyết định"),
]


def add(apps, schema_editor):
    Holiday = apps.get_model("core", "Holiday")
    for day, name, confirmed, note in HOLIDAYS:
        Holiday.objects.update_or_create(date=day, defaults={"name": name, "confirmed": confirmed, "note": note})


def remove(apps, schema_editor):
    apps.get_model("core", "Holiday").objects.filter(date__in=[h[0] for h in HOLIDAYS]).delete()


class Migration(migrations.Migration):
    dependencies = [("core", "0004_holidays")]
    operations = [migrations.RunPython(add, remove)]
