from django.db import migrations


class Migration(migrations.Migration):
    """The metric rollups now belong to the reporting app. Only Django's record of which app owns them
    changes: the tables, their rows and indexes stay as they are (reporting/migrations/0001 takes them)."""

    dependencies = [("campaign", "0006_rollup_covering_index")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="MetricRollup"),
                migrations.DeleteModel(name="MetricRefresh"),
            ],
            database_operations=[],
        ),
    ]
