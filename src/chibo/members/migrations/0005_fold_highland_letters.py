"""Search and sort columns stored before ƀ, ɓ and ɗ were folded (core.text): "blan" now finds
"Ƀlan", and "Ƀlan" sorts right after the b's. The old fold kept the letter and the old sort key
wrote it as its code point; both are rewritten in place (only rows holding one change)."""

from django.db import migrations

LETTERS = {"\u0180": "b", "\u0253": "b", "\u0257": "d"}
OLD_KEYS = {"^000180": "b{", "^000253": "b{", "^000257": "d{"}
COLUMNS = [
    ("members", "Person", ["search_name"], ["sort_key"]),
    ("members", "Membership", ["search_name"], ["sort_key"]),
    ("organisations", "Organisation", ["search_name"], ["sort_key"]),
    ("organisations", "Locality", ["search_name"], ["sort_key"]),
    ("documents", "Document", ["search_text"], []),
    ("documents", "StudySession", ["search_text"], []),
    ("plans", "Resolution", ["search_text"], []),
    ("plans", "Target", ["search_text"], []),
    ("tasks", "Task", ["search_text"], []),
]


def _rewrite(column: str, pairs: dict[str, str]) -> tuple[str, list[str]]:
    expression, params = column, []
    for old, new in pairs.items():
        expression = f"REPLACE({expression}, %s, %s)"
        params += [old, new]
    return expression, params


def forwards(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        for app, name, search, sort in COLUMNS:
            table = apps.get_model(app, name)._meta.db_table
            for column, pairs in [*((c, LETTERS) for c in search), *((c, OLD_KEYS) for c in sort)]:
                expression, params = _rewrite(column, pairs)
                where = " OR ".join(f"{column} LIKE %s" for _ in pairs)
                cursor.execute(f"UPDATE {table} SET {column} = {expression} WHERE {where}",
                               [*params, *(f"%{old}%" for old in pairs)])


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_verbose_names"),
        ("organisations", "0002_verbose_names"),
        ("documents", "0001_initial"),
        ("plans", "0001_initial"),
        ("tasks", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
