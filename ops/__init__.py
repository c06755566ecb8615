"""Operations: local start-up environment, health and readiness, metrics, structured logs, background job pages."""
