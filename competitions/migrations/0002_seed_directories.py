"""Social-service areas and target groups the competitions choose from."""

from django.db import migrations

AREAS = [
    (
        "elderly",
        "Улгайган адамдарга социалдык кызмат көрсөтүү",
        "Социальные услуги пожилым людям",
        "Social services for older people",
    ),
    (
        "disability",
        "Ден соолугунун мүмкүнчүлүгү чектелген адамдарга колдоо",
        "Поддержка лиц с ограниченными возможностями здоровья",
        "Support for persons with disabilities",
    ),
    (
        "children-families",
        "Оор кырдаалдагы балдар жана үй-бүлөлөр",
        "Дети и семьи в трудной жизненной ситуации",
        "Children and families in difficult circumstances",
    ),
    ("youth", "Жаштар саясаты", "Молодёжная политика", "Youth"),
    (
        "health",
        "Саламаттыкты сактоо жана профилактика",
        "Охрана здоровья и профилактика",
        "Health and prevention",
    ),
    ("education", "Билим берүү жана агартуу", "Образование и просвещение", "Education"),
    (
        "employment",
        "Иш менен камсыз кылуу жана кесиптик окутуу",
        "Содействие занятости и профессиональное обучение",
        "Employment and vocational training",
    ),
    (
        "violence",
        "Зомбулуктун алдын алуу жана жабырлануучуларга жардам",
        "Профилактика насилия и помощь пострадавшим",
        "Preventing violence and helping survivors",
    ),
    (
        "migration",
        "Мигранттарга жана алардын үй-бүлөлөрүнө колдоо",
        "Поддержка мигрантов и их семей",
        "Support for migrants and their families",
    ),
    ("other", "Башка социалдык кызматтар", "Иные социальные услуги", "Other social services"),
]

GROUPS = [
    ("children", "Балдар", "Дети", "Children"),
    ("youth", "Жаштар", "Молодёжь", "Young people"),
    ("elderly", "Улгайган адамдар", "Пожилые люди", "Older people"),
    (
        "disability",
        "Ден соолугунун мүмкүнчүлүгү чектелген адамдар",
        "Лица с ограниченными возможностями здоровья",
        "Persons with disabilities",
    ),
    ("women", "Аялдар", "Женщины", "Women"),
    ("low-income", "Аз камсыз болгон үй-бүлөлөр", "Малообеспеченные семьи", "Low-income families"),
    ("migrants", "Мигранттар", "Мигранты", "Migrants"),
    ("unemployed", "Жумушсуздар", "Безработные", "Unemployed people"),
]


def seed(apps, schema_editor):
    for model_name, rows in (("ServiceArea", AREAS), ("TargetGroup", GROUPS)):
        model = apps.get_model("competitions", model_name)
        for order, (slug, ky, ru, en) in enumerate(rows):
            model.objects.update_or_create(
                slug=slug,
                defaults={"order": order, "name": ky, "name_ky": ky, "name_ru": ru, "name_en": en},
            )


def unseed(apps, schema_editor):
    apps.get_model("competitions", "ServiceArea").objects.filter(
        slug__in=[r[0] for r in AREAS]
    ).delete()
    apps.get_model("competitions", "TargetGroup").objects.filter(
        slug__in=[r[0] for r in GROUPS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("competitions", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
