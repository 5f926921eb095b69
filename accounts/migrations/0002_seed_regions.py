"""The seven oblasts and the two cities of republican significance (ISO 3166-2:KG)."""

from django.db import migrations

REGIONS = [
    ("KG-B", "oblast", "Баткен облусу", "Баткенская область", "Batken Region"),
    ("KG-C", "oblast", "Чүй облусу", "Чуйская область", "Chüy Region"),
    ("KG-J", "oblast", "Жалал-Абад облусу", "Джалал-Абадская область", "Jalal-Abad Region"),
    ("KG-N", "oblast", "Нарын облусу", "Нарынская область", "Naryn Region"),
    ("KG-O", "oblast", "Ош облусу", "Ошская область", "Osh Region"),
    ("KG-T", "oblast", "Талас облусу", "Таласская область", "Talas Region"),
    ("KG-Y", "oblast", "Ысык-Көл облусу", "Иссык-Кульская область", "Issyk-Kul Region"),
    ("KG-GB", "city", "Бишкек шаары", "г. Бишкек", "Bishkek City"),
    ("KG-GO", "city", "Ош шаары", "г. Ош", "Osh City"),
]


def seed_regions(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    for code, kind, ky, ru, en in REGIONS:
        Region.objects.update_or_create(
            code=code,
            defaults={"kind": kind, "name": ky, "name_ky": ky, "name_ru": ru, "name_en": en},
        )


def unseed_regions(apps, schema_editor):
    Region = apps.get_model("accounts", "Region")
    Region.objects.filter(code__in=[code for code, *_ in REGIONS]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(seed_regions, unseed_regions)]
