"""API tokens: log in (same lockout, throttle, approval and two-factor rules as the web login), log out.

Tokens are django-rest-knox tokens: stored only as a hash, valid for API_TOKEN_TTL_HOURS, revoked by logout,
by a password change or reset and by deactivation. Clients send `Authorization: Token <token>`.
"""

from django.contrib.auth import authenticate, user_logged_in, user_logged_out
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.auth import TokenAuthentication
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services, two_factor
from accounts.choices import LoginEventKind
from accounts.signals import record_login_event
from accounts.throttling import LoginThrottle
from core.errors import error_responses


class LockedOut(exceptions.PermissionDenied):
    """Too many failed logins: the account is locked for a while."""

    default_detail = _("登录失败次数过多，账号已被暂时锁定，请稍后再试或联系管理员。")
    default_code = "locked_out"


class TwoFactorSetupRequired(exceptions.PermissionDenied):
    """REQUIRE_2FA: the account must enable two-factor sign-in (on the web) before it gets a token."""

    default_detail = _(
        "按平台要求，您的账号须先在网页“个人信息 → 两步验证”中启用两步验证，才能获取 API 令牌。"
    )
    default_code = "two_factor_setup_required"


class TokenRequestSerializer(serializers.Serializer):
    """Credentials, and the second factor for accounts that have it."""

    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})
    otp = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="两步验证码：账号启用两步验证后必填（身份验证器中的 6 位数字，或一个备用验证码）",
    )


class TokenResponseSerializer(serializers.Serializer):
    """A new token and when it expires."""

    token = serializers.CharField(help_text="请求时放在 Authorization 头：Token <token>")
    expiry = serializers.DateTimeField(help_text="令牌失效时间（ISO 8601）")


def _otp_error(message: str, code: str) -> exceptions.ValidationError:
    detail = serializers.ErrorDetail(message, code=code)
    return exceptions.ValidationError({"non_field_errors": [detail], "otp": [detail]})


class ObtainTokenView(APIView):
    """POST {"username", "password"[, "otp"]} → {"token", "expiry"}; failures count toward the lockout."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [LoginThrottle]

    @extend_schema(
        summary="获取 API 令牌",
        description=(
            "用户名和密码正确且账号已审核通过时，返回令牌及其失效时间（默认 10 小时，`API_TOKEN_TTL_HOURS`）。"
            "账号启用两步验证时须同时提供 `otp`（缺少时 400 `otp_required`，错误时 400 `otp_invalid`）。"
            "与网页登录共用按地址的频率限制（429）和锁定规则（403 `locked_out`）。"
        ),
        request=TokenRequestSerializer,
        responses={200: TokenResponseSerializer, **error_responses(400, 403, 429)},
        auth=[],
    )
    def post(self, request):
        data = TokenRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        django_request = request._request
        user = authenticate(
            request=django_request,
            username=data.validated_data["username"],
            password=data.validated_data["password"],
        )
        if getattr(django_request, "axes_locked_out", False):
            # Answer in the API's error shape ourselves instead of the middleware's HTML lockout page.
            django_request.axes_locked_out = False
            raise LockedOut()
        if user is None:
            raise exceptions.ValidationError(
                {"non_field_errors": [_("用户名或密码错误，或账号尚未通过审核。")]},
                code="invalid_credentials",
            )
        if two_factor.has_two_factor(user):
            code = data.validated_data.get("otp") or ""
            if not code.strip():
                raise _otp_error(_("该账号已启用两步验证，请同时提供验证码（otp）。"), "otp_required")
            if two_factor.verify_code(user, code) is None:
                record_login_event(LoginEventKind.OTP_FAILED, request=django_request, user=user)
                raise _otp_error(_("验证码不正确或已使用。"), "otp_invalid")
        elif two_factor.two_factor_required(user):
            raise TwoFactorSetupRequired()
        instance, token = services.issue_api_token(user)
        user_logged_in.send(sender=user.__class__, request=django_request, user=user)
        return Response(TokenResponseSerializer({"token": token, "expiry": instance.expiry}).data)


class LogoutView(APIView):
    """POST with a token: that token stops working."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="注销当前令牌",
        request=None,
        responses={204: OpenApiResponse(description="令牌已撤销"), **error_responses(401)},
    )
    def post(self, request):
        services.revoke_api_tokens(request.user, token=request.auth)
        user_logged_out.send(sender=request.user.__class__, request=request._request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    """POST with a token: every token of the user stops working (e.g. after a lost laptop)."""

    authentication_classes = [TokenAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(
        summary="注销该账号的全部令牌",
        request=None,
        responses={204: OpenApiResponse(description="全部令牌已撤销"), **error_responses(401)},
    )
    def post(self, request):
        services.revoke_api_tokens(request.user)
        user_logged_out.send(sender=request.user.__class__, request=request._request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
