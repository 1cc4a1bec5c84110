"""Shipment and ShipmentEvent move from the shipping app to orders, without touching a row.

The seller's part of an order belongs to the order side; shipping keeps carriers, rates and the simulator.
Both models keep their tables (``db_table``), so only Django's idea of where they live changes: the
operations below are state only, and shipping's 0006 drops the old state once this one holds the new. The
content types (and with them the admin log and the permissions) follow the models.
"""

import django.db.models.deletion
import django_countries.fields
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models

MODELS = ("shipment", "shipmentevent")


def _relabel(apps, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)


def content_types_to_orders(apps, schema_editor):
    _relabel(apps, "shipping", "orders")


def content_types_to_shipping(apps, schema_editor):
    _relabel(apps, "orders", "shipping")


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0003_order_language'),
        ('shipping', '0005_national_carriers'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Shipment',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('shipping_cost', models.DecimalField(decimal_places=2, default=Decimal('0.00'), max_digits=12, verbose_name='shipping cost')),
                        ('item_count', models.PositiveIntegerField(default=1, verbose_name='copies')),
                        ('origin_city', models.CharField(blank=True, max_length=80, verbose_name='ships from (city)')),
                        ('origin_country', django_countries.fields.CountryField(blank=True, max_length=2, verbose_name='ships from (country)')),
                        ('status', models.CharField(choices=[('awaiting_payment', 'Awaiting payment'), ('ready_to_ship', 'Ready to ship'), ('shipped', 'Shipped'), ('in_transit', 'In transit'), ('out_for_delivery', 'Out for delivery'), ('delivered', 'Delivered'), ('cancelled', 'Cancelled')], default='awaiting_payment', max_length=20, verbose_name='status')),
                        ('tracking_number', models.CharField(blank=True, max_length=32, null=True, unique=True, verbose_name='tracking number')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated')),
                        ('status_changed_at', models.DateTimeField(blank=True, null=True, verbose_name='status changed')),
                        ('shipped_at', models.DateTimeField(blank=True, null=True, verbose_name='shipped')),
                        ('delivered_at', models.DateTimeField(blank=True, null=True, verbose_name='delivered')),
                        ('cancelled_at', models.DateTimeField(blank=True, null=True, verbose_name='cancelled')),
                        ('carrier', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='shipments', to='shipping.carrier', verbose_name='carrier')),
                        ('order', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='shipments', to='orders.order', verbose_name='order')),
                        ('seller', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='shipments', to=settings.AUTH_USER_MODEL, verbose_name='seller')),
                    ],
                    options={
                        'verbose_name': 'shipment',
                        'verbose_name_plural': 'shipments',
                        'db_table': 'shipping_shipment',
                        'ordering': ['id'],
                    },
                ),
                migrations.AlterField(
                    model_name='orderline',
                    name='shipment',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='lines', to='orders.shipment', verbose_name='shipment'),
                ),
                migrations.CreateModel(
                    name='ShipmentEvent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('status', models.CharField(choices=[('awaiting_payment', 'Awaiting payment'), ('ready_to_ship', 'Ready to ship'), ('shipped', 'Shipped'), ('in_transit', 'In transit'), ('out_for_delivery', 'Out for delivery'), ('delivered', 'Delivered'), ('cancelled', 'Cancelled')], max_length=20, verbose_name='status')),
                        ('code', models.CharField(blank=True, choices=[('shipped', 'The seller handed the parcel to %(carrier)s.'), ('at_sorting_centre', 'In transit: arrived at the sorting centre.'), ('at_international_hub', 'In transit: arrived at the international hub.'), ('out_for_delivery', 'Out for delivery with the local courier.'), ('delivered', 'Delivered to %(name)s.'), ('shipment_cancelled', 'The shipment was cancelled.'), ('order_cancelled', 'The order was cancelled.'), ('cancelled_by_staff', 'Cancelled by our staff.'), ('not_paid_in_time', 'The order was not paid in time.')], db_default='', default='', max_length=30, verbose_name='code')),
                        ('params', models.JSONField(blank=True, default=dict, null=True, verbose_name='details')),
                        ('description', models.CharField(blank=True, max_length=255, verbose_name='description')),
                        ('location', models.CharField(blank=True, max_length=120, verbose_name='location')),
                        ('happened_at', models.DateTimeField(verbose_name='time')),
                        ('shipment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='events', to='orders.shipment', verbose_name='shipment')),
                    ],
                    options={
                        'verbose_name': 'shipment event',
                        'verbose_name_plural': 'shipment events',
                        'db_table': 'shipping_shipmentevent',
                        'ordering': ['happened_at', 'id'],
                    },
                ),
                migrations.AddIndex(
                    model_name='shipment',
                    index=models.Index(fields=['status', 'status_changed_at'], name='shipment_progress_idx'),
                ),
                migrations.AddIndex(
                    model_name='shipment',
                    index=models.Index(fields=['seller', '-created_at'], name='shipment_seller_idx'),
                ),
                migrations.AddConstraint(
                    model_name='shipment',
                    constraint=models.UniqueConstraint(fields=('order', 'seller'), name='shipment_one_per_seller'),
                ),
                migrations.AddConstraint(
                    model_name='shipment',
                    constraint=models.CheckConstraint(condition=models.Q(('shipping_cost__gte', 0)), name='shipment_cost_not_negative'),
                ),
            ],
            database_operations=[
                migrations.RunPython(content_types_to_orders, content_types_to_shipping),
            ],
        ),
    ]
