"""Each listing carries a copy of its book's authors too (filled by 0021), for the seller's inventory search."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0019_listing_book_stock_index'),
    ]

    operations = [
        migrations.AddField(
            model_name='listing',
            name='book_authors',
            field=models.CharField(default='', editable=False, max_length=255),
        ),
    ]
