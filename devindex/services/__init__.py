"""The only functions that change the index: yearly values and their review, imports, method versions, tiers
and the computation. Each validates, writes its IndexEvent in the same transaction and enqueues the
recomputation on commit. They raise only `DevIndexError` (pages show its message, the API its error shape).

One module per concern (`common`, `values`, `imports`, `computation`); everything public is importable from `devindex.services`."""

from devindex.services.common import (
    INDUSTRIAL_STRONG_SIZE,
    MIN_YEAR,
    DevIndexError,  # the one error the services raise
    check_year,
    log,
    request_recompute,
    years_with_data,
)
from devindex.services.computation import (
    RESULT_FIELDS,
    approved_inputs,
    compute_year,
    fingerprint,
    is_current,
    refresh_industrial_strong,
    remove_tier,
    set_tier,
    years_to_recompute,
)
from devindex.services.imports import (
    COUNTY_HEADERS,
    UNIT_SUFFIX,
    YEAR_HEADERS,
    ImportOutcome,
    import_values,
)
from devindex.services.values import (
    approve_report,
    method_of,
    parse_value,
    reopen_report,
    return_report,
    save_method,
    save_values,
    submit_report,
)

__all__ = [
    "COUNTY_HEADERS",
    "INDUSTRIAL_STRONG_SIZE",
    "MIN_YEAR",
    "RESULT_FIELDS",
    "UNIT_SUFFIX",
    "YEAR_HEADERS",
    "DevIndexError",
    "ImportOutcome",
    "approve_report",
    "approved_inputs",
    "check_year",
    "compute_year",
    "fingerprint",
    "import_values",
    "is_current",
    "log",
    "method_of",
    "parse_value",
    "refresh_industrial_strong",
    "remove_tier",
    "reopen_report",
    "request_recompute",
    "return_report",
    "save_method",
    "save_values",
    "set_tier",
    "submit_report",
    "years_to_recompute",
    "years_with_data",
]
