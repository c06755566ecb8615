"""Checking uploaded attachments: the extension must agree with the content's magic bytes, size is capped."""

import zipfile
from pathlib import Path

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# extension → (content type, how the content must start, OOXML part that must exist or "")
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",), ""),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",), ""),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",), ""),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",), ""),
    ".gif": ("image/gif", (b"GIF87a", b"GIF89a"), ""),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
        "word/",
    ),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (b"PK\x03\x04",), "xl/"),
    ".pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        (b"PK\x03\x04",),
        "ppt/",
    ),
    ".doc": ("application/msword", (OLE2,), ""),
    ".xls": ("application/vnd.ms-excel", (OLE2,), ""),
}
ACCEPT = ",".join(ALLOWED)


class UploadRejected(ValueError):
    """An uploaded file that may not be stored; the message says why, in Chinese."""


def check_upload(upload) -> str:
    """Validate an uploaded file by extension, size and content; return its content type or raise."""
    name = getattr(upload, "name", "") or ""
    ext = Path(name).suffix.lower()
    if ext not in ALLOWED:
        raise UploadRejected(
            _("“%(name)s”的文件类型不允许，仅支持 PDF、Word、Excel、PowerPoint 和图片（PNG/JPG/GIF）。")
            % {"name": name}
        )
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise UploadRejected(
            _("“%(name)s”超过大小上限 %(max)s。")
            % {"name": name, "max": filesizeformat(settings.UPLOAD_MAX_BYTES)}
        )
    if upload.size == 0:
        raise UploadRejected(_("“%(name)s”是空文件。") % {"name": name})
    content_type, magics, ooxml_part = ALLOWED[ext]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in magics):
        raise UploadRejected(_("“%(name)s”的内容与扩展名不符。") % {"name": name})
    if ooxml_part:
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile as exc:
            raise UploadRejected(_("“%(name)s”不是有效的 Office 文档。") % {"name": name}) from exc
        finally:
            upload.seek(0)
        if "[Content_Types].xml" not in names or not any(n.startswith(ooxml_part) for n in names):
            raise UploadRejected(_("“%(name)s”不是有效的 Office 文档。") % {"name": name})
    return content_type
