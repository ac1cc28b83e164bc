from django.conf import settings
from django.db import migrations


def load(apps, schema_editor):
    from spejl.organisations.postcodes import sync_postcodes

    sync_postcodes(apps.get_model("organisations", "Postcode"), settings.SPEJL_POSTCODES_CSV)


class Migration(migrations.Migration):
    dependencies = [("organisations", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
