from django.db import migrations, models

# The keys the earlier hand-written seed list used. They become seeded rules (with their
# current fields as seed), so the generated rules can replace them on the next load.
OLD_SEEDED_KEYS = [
    "clues-disposal-sum",
    "sanctions-party-le-total",
    "sanctions-admin-le-total",
    "sanctions-total-le-party-plus-admin",
    "sanctions-rank-sum",
    "sanctions-top-leaders-le-total",
    "sanctions-county-le-total",
    "letters-plus-proposals",
    "eight-rules-issues-sum",
    "eight-rules-persons-sum",
    "eight-rules-sanctioned-le-persons",
    "fb-types-sum",
    "he-types-sum",
    "petitions-accusation-le-received",
    "cases-le-clues",
    "transferred-le-sanctioned",
    "sanctioned-le-forms-2-4",
    "city-top-leaders-le-sanctioned",
    "city-county-le-sanctioned",
    "city-transferred-le-sanctioned",
    "city-sanctioned-le-four-forms",
]


def mark_seeded(apps, schema_editor):
    Rule = apps.get_model("checks", "Rule")
    for rule in Rule.objects.filter(key__in=OLD_SEEDED_KEYS):
        rule.seed = {name: getattr(rule, name) for name in ("left", "operator", "right", "severity", "message")}
        rule.save(update_fields=["seed"])


class Migration(migrations.Migration):
    dependencies = [
        ("checks", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="rule",
            name="key",
            field=models.SlugField(max_length=150, unique=True, verbose_name="key"),
        ),
        migrations.AddField(
            model_name="rule",
            name="seed",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(mark_seeded, migrations.RunPython.noop),
    ]
