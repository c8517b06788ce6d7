import django.db.models.deletion
from django.db import migrations, models


def content_types_follow(apps, schema_editor):
    # Permissions and admin history point at the content type: relabel it rather than leave a stale one.
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in ("metricrollup", "metricrefresh"):
        if not ContentType.objects.filter(app_label="reporting", model=model).exists():
            ContentType.objects.filter(app_label="campaign", model=model).update(app_label="reporting")


class Migration(migrations.Migration):
    """The metric rollups, moved here from the campaign app: Django's record of them only. The tables
    (campaign_metricrollup, campaign_metricrefresh), their rows and their indexes were made by
    campaign 0004-0006 and stay as they are."""

    initial = True

    dependencies = [
        ('campaign', '0007_metric_rollups_move_to_reporting'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='MetricRefresh',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('refreshed_at', models.DateTimeField()),
                        ('since', models.DateTimeField()),
                        ('rows', models.PositiveIntegerField()),
                    ],
                    options={
                        'db_table': 'campaign_metricrefresh',
                        'get_latest_by': 'refreshed_at',
                    },
                ),
                migrations.CreateModel(
                    name='MetricRollup',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('grain', models.CharField(choices=[('hour', 'Hour'), ('day', 'Day')], max_length=4)),
                        ('bucket', models.DateTimeField()),
                        ('kind', models.CharField(max_length=40)),
                        ('state', models.CharField(blank=True, max_length=2)),
                        ('district', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('bioguide_id', models.CharField(blank=True, max_length=10)),
                        ('source', models.CharField(blank=True, max_length=100)),
                        ('value', models.BigIntegerField()),
                        ('campaign', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='campaign.campaign')),
                    ],
                    options={
                        'db_table': 'campaign_metricrollup',
                        'indexes': [models.Index(fields=['campaign', 'grain', 'kind', 'bucket'], include=('state', 'district', 'bioguide_id', 'source', 'value'), name='rollup_read_idx'), models.Index(fields=['bucket'], name='rollup_bucket_idx'), models.Index(fields=['campaign', 'grain', 'bucket'], name='rollup_first_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_types_follow, migrations.RunPython.noop),
    ]
