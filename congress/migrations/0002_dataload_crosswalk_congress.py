from django.db import migrations, models


def crosswalk_was_the_rosters(apps, schema_editor):
    # Until now one number was stamped on both: earlier loads keep saying what they said.
    DataLoad = apps.get_model("congress", "DataLoad")
    DataLoad.objects.update(crosswalk_congress=models.F("congress"), crosswalk_congress_source="kept")


class Migration(migrations.Migration):
    dependencies = [("congress", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="dataload",
            name="crosswalk_congress",
            field=models.PositiveSmallIntegerField(
                default=0, help_text="The Congress whose district lines the ZIP crosswalk describes."
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="dataload",
            name="crosswalk_congress_source",
            field=models.CharField(blank=True, max_length=8),
        ),
        migrations.AddField(
            model_name="dataload",
            name="crosswalk_digest",
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name="dataload",
            name="report",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="dataload",
            name="congress",
            field=models.PositiveSmallIntegerField(help_text="The roster's Congress: who serves."),
        ),
        migrations.RunPython(crosswalk_was_the_rosters, migrations.RunPython.noop),
    ]
