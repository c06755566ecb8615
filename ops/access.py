"""Who may read readiness details and metrics: allowed addresses (OPS_ALLOWED_IPS) or the OPS_TOKEN."""

import hmac
import ipaddress

from django.conf import settings

from accounts.throttling import client_ip


def _networks() -> list:
    networks = []
    for item in settings.OPS_ALLOWED_IPS:
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError:
            continue  # rejected by the settings check; never widen access because of a typo
    return networks


def presented_token(request) -> str:
    """The token a monitoring client sent: `Authorization: Bearer <token>`, else `?token=`."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.GET.get("token", "")


def may_read_operations(request) -> bool:
    """True for an allowed client address (after NUM_PROXIES) or the right token."""
    token = settings.OPS_TOKEN
    if token and hmac.compare_digest(presented_token(request).encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in _networks())
