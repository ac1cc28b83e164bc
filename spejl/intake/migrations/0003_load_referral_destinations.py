from django.db import migrations


def load(apps, schema_editor):
    from spejl.intake.destinations import load_destinations

    load_destinations(apps.get_model("intake", "ReferralDestination"))


class Migration(migrations.Migration):
    dependencies = [("intake", "0002_referraldestination_code")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
