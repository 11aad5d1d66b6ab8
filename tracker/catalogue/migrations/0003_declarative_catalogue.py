from django.db import migrations, models


def seed_from_current(apps, schema_editor):
    # Before this migration only the definition had a seed; the names were the CSV's, so
    # their current values are their seed.
    Indicator = apps.get_model("catalogue", "Indicator")
    for indicator in Indicator.objects.all():
        indicator.seed = {
            "name_zh": indicator.name_zh,
            "name_en": indicator.name_en,
            "definition": indicator.seed_definition,
        }
        indicator.save(update_fields=["seed"])


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0002_indicator_may_be_entered"),
    ]

    operations = [
        migrations.AddField(
            model_name="indicator",
            name="parts",
            field=models.CharField(blank=True, max_length=1000, verbose_name="parts"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="relation",
            field=models.CharField(blank=True, max_length=100, verbose_name="relation of the parts"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="source",
            field=models.TextField(blank=True, verbose_name="source"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="seed",
            field=models.JSONField(default=dict, editable=False),
        ),
        migrations.AlterField(
            model_name="indicator",
            name="definition",
            field=models.TextField(blank=True, verbose_name="definition (口径)"),
        ),
        migrations.RunPython(seed_from_current, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="indicator",
            name="seed_definition",
        ),
    ]
