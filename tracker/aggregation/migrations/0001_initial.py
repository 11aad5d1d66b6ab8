import django.db.models.deletion
from django.db import migrations, models

# ApprovedTotal moved here from entry with its table (entry_approvedtotal), its rows, constraint and
# index: only Django's idea of where the model lives changes, nothing in the database.


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalogue", "0004_indicator_updated"),
        ("entry", "0007_group_acceptance"),
        ("orgs", "0004_organisationtext_whole_names"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ApprovedTotal",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        ("year", models.PositiveIntegerField()),
                        ("end_month", models.PositiveSmallIntegerField()),
                        ("periods", models.PositiveSmallIntegerField()),
                        ("total", models.BigIntegerField()),
                        ("known", models.PositiveSmallIntegerField()),
                        ("latest", models.BigIntegerField()),
                        ("latest_current", models.BooleanField()),
                        ("accepted", models.BooleanField(default=False)),
                        (
                            "indicator",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="catalogue.indicator"
                            ),
                        ),
                        (
                            "organisation",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="orgs.organisation"
                            ),
                        ),
                    ],
                    options={
                        "db_table": "entry_approvedtotal",
                        "indexes": [
                            models.Index(fields=["year", "end_month", "accepted"], name="approvedtotal_year_month")
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("organisation", "year", "end_month", "indicator", "accepted"),
                                name="approvedtotal_unique",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
