"""Shipment and ShipmentEvent now live in orders (orders 0004): forget them here, keeping their tables."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0004_move_shipments_from_shipping'),
        ('shipping', '0005_national_carriers'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='shipmentevent',
                    name='shipment',
                ),
                migrations.DeleteModel(
                    name='Shipment',
                ),
                migrations.DeleteModel(
                    name='ShipmentEvent',
                ),
            ],
            database_operations=[],
        ),
    ]
