"""Language selection (Simplified Chinese unless the user chose another language), throttled session renewal, the
Content-Security-Policy header built once per process and django-prometheus's per-request metrics with their
labelled series looked up once per process."""

import time
from http import HTTPStatus

import csp.constants
import csp.middleware
import csp.utils
import django_prometheus.middleware
from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """Activate the language from the language cookie, else LANGUAGE_CODE; ignore the browser's Accept-Language."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class SessionRefreshMiddleware:
    """Slide a signed-in session's expiry at most once per SESSION_REFRESH_SECONDS.

    A session still ends SESSION_COOKIE_AGE after the last activity (give or take those seconds), without a
    session write on every request, which Django's SESSION_SAVE_EVERY_REQUEST would cost. Listed after
    SessionMiddleware, so the session is saved (and its cookie renewed) on the way out when marked here.
    """

    KEY = "_refreshed_at"

    def __init__(self, get_response):
        self.get_response = get_response
        self.every = settings.SESSION_REFRESH_SECONDS

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.is_empty():  # anonymous without a session: do not create one
            return response
        now = int(time.time())
        if now - session.get(self.KEY, 0) >= self.every:
            session[self.KEY] = now
        return response


class CSPMiddleware(csp.middleware.CSPMiddleware):
    """django-csp's, with the two policy strings built once per process (and again whenever the settings object
    holding a policy is replaced, e.g. by override_settings) instead of on every response.

    Only the common case is cached: no nonce was asked for and the view set no per-response policy (the
    `csp.decorators`); every other response takes django-csp's own way, so the headers are the same.
    """

    PER_RESPONSE = (
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
    )

    def __init__(self, get_response):
        super().__init__(get_response)
        # (the policy setting, the report-only setting, the header, the report-only header)
        self._built = (None, None, None, None)

    def _policies(self, policy, policy_ro) -> tuple[str, str]:
        built = self._built
        if built[0] is not policy or built[1] is not policy_ro:
            built = self._built = (
                policy,
                policy_ro,
                csp.utils.build_policy(),
                csp.utils.build_policy(report_only=True),
            )
        return built[2], built[3]

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in self.PER_RESPONSE
        ):
            return super().process_response(request, response)
        if (
            response.status_code in (HTTPStatus.INTERNAL_SERVER_ERROR, HTTPStatus.NOT_FOUND)
            and settings.DEBUG
        ):
            return response
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        policy_ro = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        header, header_ro = self._policies(policy, policy_ro)
        for value, name, exempt, config in (
            (header, csp.constants.HEADER, "_csp_exempt", policy),
            (header_ro, csp.constants.HEADER_REPORT_ONLY, "_csp_exempt_ro", policy_ro),
        ):
            if not value or name in response or getattr(response, exempt, False) is not False:
                continue
            prefixes = (config or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            if not request.path_info.startswith(tuple(prefixes)):
                response[name] = value
        # As django-csp: a nonce asked for after the header was written is an error, not a silent gap.
        request.csp_nonce = csp.middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response


class PrometheusAfterMiddleware(django_prometheus.middleware.PrometheusAfterMiddleware):
    """django-prometheus's, keeping each labelled series it counts in (the same metrics and series).

    Its seven `labels()` calls per request each sort and check the label names and take the metric's lock; the
    series of a metric and label values never changes, so it is looked up once per process.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._series = {}

    def label_metric(self, metric, request, response=None, **labels):
        """The metric's series of these labels (the metric itself without labels)."""
        if not labels:
            return metric
        key = (id(metric), *labels.items())
        series = self._series.get(key)
        if series is None:
            series = self._series[key] = metric.labels(**labels)
        return series
