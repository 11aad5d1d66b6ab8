from django.db import migrations

# ApprovedTotal now lives in aggregation (aggregation.0001_initial), on the same table: forgotten here in
# Django's state only; the table, its rows, constraint and index stay.


class Migration(migrations.Migration):
    dependencies = [
        ("aggregation", "0001_initial"),
        ("entry", "0007_group_acceptance"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="ApprovedTotal")],
            database_operations=[],
        ),
    ]
