from django.db import migrations

CATEGORIES = [
    ("safety", "安全隐患"), ("sanitation", "环境卫生"), ("dispute", "矛盾纠纷"), ("livelihood", "民生诉求"),
    ("pollution", "污染源"), ("illegal_building", "违章搭建"), ("other", "其他"),
]
TAGS = [
    ("living_alone", "独居老人"), ("low_income", "低保户"), ("disabled", "残疾人"), ("key_person", "重点人员"),
    ("empty_nest", "空巢老人"), ("veteran", "退役军人"),
]


def seed(apps, schema_editor):
    FindingCategory = apps.get_model("grids", "FindingCategory")
    HouseholdTag = apps.get_model("grids", "HouseholdTag")
    for order, (code, name) in enumerate(CATEGORIES):
        FindingCategory.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})
    for order, (code, name) in enumerate(TAGS):
        HouseholdTag.objects.get_or_create(code=code, defaults={"name": name, "sort_order": order})


class Migration(migrations.Migration):
    dependencies = [("grids", "0002_ledger")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
