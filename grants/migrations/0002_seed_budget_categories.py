"""The budget categories applicants choose from."""

from django.db import migrations

CATEGORIES = [
    ("staff", "Эмгек акы", "Оплата труда", "Staff"),
    ("travel", "Жол чыгымдары", "Командировочные и транспортные расходы", "Travel"),
    ("equipment", "Жабдуулар", "Оборудование", "Equipment"),
    ("services", "Кызмат көрсөтүүлөр", "Услуги", "Services"),
    ("materials", "Материалдар", "Материалы", "Materials"),
    ("administration", "Административдик чыгымдар", "Административные расходы", "Administration"),
    ("other", "Башка чыгымдар", "Прочие расходы", "Other"),
]


def seed(apps, schema_editor):
    BudgetCategory = apps.get_model("grants", "BudgetCategory")
    for order, (slug, ky, ru, en) in enumerate(CATEGORIES):
        BudgetCategory.objects.update_or_create(
            slug=slug,
            defaults={"order": order, "name": ky, "name_ky": ky, "name_ru": ru, "name_en": en},
        )


def unseed(apps, schema_editor):
    apps.get_model("grants", "BudgetCategory").objects.filter(
        slug__in=[row[0] for row in CATEGORIES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("grants", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
