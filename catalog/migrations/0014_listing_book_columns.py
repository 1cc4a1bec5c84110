"""Each listing carries copies of its book's language, binding, shelf and title (filled by 0015, indexed by 0016)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0013_listing_book_group_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='listing',
            name='book_binding',
            field=models.CharField(default='', editable=False, max_length=16),
        ),
        migrations.AddField(
            model_name='listing',
            name='book_category',
            field=models.ForeignKey(db_constraint=False, db_index=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='catalog.category'),
        ),
        migrations.AddField(
            model_name='listing',
            name='book_language',
            field=models.CharField(default='', editable=False, max_length=8),
        ),
        migrations.AddField(
            model_name='listing',
            name='book_title',
            field=models.CharField(default='', editable=False, max_length=255),
        ),
    ]
