# Listings get a seller's stock code (SKU) and sellers' listing files an ImportRun. Existing listings all take
# one generated code here; 0009 gives each its own, and only then 0010 makes the code unique per seller.

import catalog.models
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0007_listing_appeals'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ImportRun',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(max_length=255, upload_to=catalog.models.import_upload_to, verbose_name='file')),
                ('original_name', models.CharField(max_length=255, verbose_name='file name')),
                ('file_format', models.CharField(max_length=8, verbose_name='format')),
                ('whole_inventory', models.BooleanField(default=False, verbose_name='pause listings missing from the file')),
                ('status', models.CharField(choices=[('checked', 'Checked, not applied'), ('queued', 'Waiting to start'), ('applying', 'Applying'), ('done', 'Done'), ('failed', 'Stopped by an error')], default='checked', max_length=10, verbose_name='status')),
                ('rows_total', models.PositiveIntegerField(default=0, verbose_name='rows')),
                ('applied_rows', models.PositiveIntegerField(default=0, verbose_name='rows applied')),
                ('created_count', models.PositiveIntegerField(default=0, verbose_name='created')),
                ('updated_count', models.PositiveIntegerField(default=0, verbose_name='updated')),
                ('unchanged_count', models.PositiveIntegerField(default=0, verbose_name='unchanged')),
                ('refused_count', models.PositiveIntegerField(default=0, verbose_name='refused')),
                ('paused_count', models.PositiveIntegerField(default=0, verbose_name='paused as missing')),
                ('row_errors', models.JSONField(blank=True, default=list, verbose_name='refused rows')),
                ('failure', models.TextField(blank=True, verbose_name='error that stopped it')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='uploaded')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='started')),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished')),
            ],
            options={
                'verbose_name': 'listings import',
                'verbose_name_plural': 'listings imports',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.AddField(
            model_name='listing',
            name='sku',
            field=models.CharField(default=catalog.models.generate_sku, help_text='Your own stock code for this copy, unique in your shop. Left empty, one is made for you.', max_length=40, validators=[django.core.validators.RegexValidator('^[A-Za-z0-9][A-Za-z0-9._/-]*$', 'Use letters, digits and . _ - / only, starting with a letter or digit.')], verbose_name='SKU'),
        ),
        migrations.AddField(
            model_name='importrun',
            name='seller',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='import_runs', to=settings.AUTH_USER_MODEL, verbose_name='seller'),
        ),
        migrations.AddIndex(
            model_name='importrun',
            index=models.Index(fields=['seller', '-created_at'], name='importrun_seller_idx'),
        ),
    ]
