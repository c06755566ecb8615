# The audit log now belongs to the core app (core.0001_initial took over the model state); the table stays.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('chains', '0002_auditentry'),
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='AuditEntry')],
            database_operations=[],
        ),
    ]
