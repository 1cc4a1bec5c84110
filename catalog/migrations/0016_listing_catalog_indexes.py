"""The catalog's indexes: each sort order, alone and after an equality filter, holding every filtered column
(catalog.models._catalog_index, chosen by catalog.search.queries.filter_indexes)."""


from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0015_backfill_listing_book_columns'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='listing',
            name='listing_newest_idx',
        ),
        migrations.RemoveIndex(
            model_name='listing',
            name='listing_price_idx',
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(fields=['status', '-published_at', '-id', 'seller', 'condition', 'price', 'book_language', 'book_binding', 'book_category'], name='listing_newest_idx'),
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(fields=['status', 'price', 'id', 'seller', 'condition', 'book_language', 'book_binding', 'book_category'], name='listing_price_idx'),
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(fields=['status', 'book_language', '-published_at', '-id', 'seller', 'condition', 'price', 'book_binding', 'book_category'], name='listing_lang_newest_idx'),
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(fields=['status', 'book_language', 'price', 'id', 'seller', 'condition', 'book_binding', 'book_category'], name='listing_lang_price_idx'),
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(fields=['status', 'book_binding', '-published_at', '-id', 'seller', 'condition', 'price', 'book_language', 'book_category'], name='listing_bind_newest_idx'),
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(fields=['status', 'book_binding', 'price', 'id', 'seller', 'condition', 'book_language', 'book_category'], name='listing_bind_price_idx'),
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(fields=['status', 'book_category', '-published_at', '-id', 'seller', 'condition', 'price', 'book_language', 'book_binding'], name='listing_cat_newest_idx'),
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(fields=['status', 'book_category', 'price', 'id', 'seller', 'condition', 'book_language', 'book_binding'], name='listing_cat_price_idx'),
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(fields=['status', 'condition', '-published_at', '-id', 'seller', 'price', 'book_language', 'book_binding', 'book_category'], name='listing_cond_newest_idx'),
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(fields=['status', 'condition', 'price', 'id', 'seller', 'book_language', 'book_binding', 'book_category'], name='listing_cond_price_idx'),
        ),
        migrations.AddIndex(
            model_name='listing',
            index=models.Index(fields=['seller', 'book_title'], name='listing_seller_title_idx'),
        ),
    ]
