# The audit log moves from the chains app to core: only Django's model state moves; the table
# (chains_auditentry) and its rows stay where they are.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor):
    """Keep the audit log's content type (and so the permissions granted on it) under its new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="core", model="auditentry").exists():
        ContentType.objects.filter(app_label="chains", model="auditentry").update(app_label="core")


def restore_content_type(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="chains", model="auditentry").exists():
        ContentType.objects.filter(app_label="core", model="auditentry").update(app_label="chains")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('chains', '0002_auditentry'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='AuditEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('actor_name', models.CharField(blank=True, max_length=150, verbose_name='操作人名称')),
                        ('channel', models.CharField(help_text='管理后台、表格导入或命令行', max_length=32, verbose_name='途径')),
                        ('action', models.CharField(choices=[('create', '新增'), ('update', '修改'), ('delete', '删除')], max_length=16, verbose_name='操作')),
                        ('object_id', models.CharField(max_length=64, verbose_name='对象编号')),
                        ('object_repr', models.CharField(max_length=200, verbose_name='对象')),
                        ('changes', models.JSONField(default=dict, help_text='字段 → [修改前, 修改后]', verbose_name='变更内容')),
                        ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='时间')),
                        ('actor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                        ('content_type', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='contenttypes.contenttype', verbose_name='对象类型')),
                    ],
                    options={
                        'verbose_name': '操作审计',
                        'verbose_name_plural': '操作审计',
                        'db_table': 'chains_auditentry',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['content_type', 'object_id'], name='audit_object_idx')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_type, restore_content_type),
    ]
