"""Operations endpoints: liveness and readiness for everyone (details and metrics by client address or token;
the matrix's requests come from 127.0.0.1, an allowed address)."""

from tests.access import Access, public

ACCESS = {
    "ops:healthz": Access(public()),
    "ops:readyz": Access(public()),
    "ops:metrics": Access(public()),
}
