"""XLSX exports of the index: the ranking (as filtered on the page) and a year's indicator values."""

from io import BytesIO

from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from devindex.choices import Tier
from devindex.models import Dimension, Indicator
from devindex.ranking import RankingRow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _response(workbook: Workbook, filename: str) -> HttpResponse:
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def _sheet(workbook: Workbook, title: str, headers: list[str]):
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    return sheet


def ranking_workbook(year: int, rows: list[RankingRow], dimensions: list[Dimension]) -> HttpResponse:
    """One row per county: computed total, rank and dimensions, the published figures beside, tiers."""
    tier_labels = dict(Tier.choices)
    workbook = Workbook()
    headers = [_("排名"), _("县域"), _("设区市"), _("指数得分")]
    for d in dimensions:
        headers += [_("%(name)s得分") % {"name": d.name}, _("%(name)s排名") % {"name": d.name}]
    headers += [
        _("白皮书公布得分"), _("白皮书公布排名"), _("县域层级"), _("已报指标数"), _("按中位数补齐的指标"),
        _("方法版本"), _("示例数据"),
    ]  # fmt: skip
    sheet = _sheet(workbook, _("%(year)s 年发展指数") % {"year": year}, [str(h) for h in headers])
    for row in rows:
        c, p = row.computed or {}, row.published or {}
        line = [c.get("rank"), row.county_name, row.prefecture_name, c.get("total")]
        for d in dimensions:
            dim = (c.get("dimensions") or {}).get(d.code) or {}
            line += [dim.get("score"), dim.get("rank")]
        line += [
            p.get("total"),
            p.get("rank"),
            "、".join(str(tier_labels[t]) for t in row.tiers),
            c.get("coverage"),
            "、".join(c.get("imputed") or []),
            c.get("method_version"),
            _("是") if c.get("sample") else "",
        ]
        sheet.append(line)
    return _response(workbook, f"development-index-{year}.xlsx")


def values_workbook(year: int, table: list[tuple], indicators: list[Indicator]) -> HttpResponse:
    """One row per county with an approved report: its values (blank = not reported). The columns are the
    import's, so the sheet can be edited and imported again; a sheet with sample values says so in its name."""
    workbook = Workbook()
    headers = [str(_("县域")), str(_("年度"))] + [
        f"{i.name}（{i.unit}）" if i.unit else i.name for i in indicators
    ]
    title = _("%(year)s 年指标值") % {"year": year}
    if any(sample for _county, _values, sample in table):
        title = _("%(year)s 年指标值（示例）") % {"year": year}
    sheet = _sheet(workbook, title, headers)
    for county, values, _sample in table:
        sheet.append(
            [county.name, year]
            + [None if values.get(i.code) is None else float(values[i.code]) for i in indicators]
        )
    return _response(workbook, f"development-index-values-{year}.xlsx")
