"""Security headers on every response, with a Content-Security-Policy the Dash app works under."""

from __future__ import annotations

from dash import Dash

FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


def content_security_policy(script_hashes: list[str]) -> str:
    """The CSP: only this server's scripts plus Dash's own inline scripts (by hash).

    ``script_hashes`` come from ``app.csp_hashes()``, already quoted. Plotly and Dash set inline
    styles, so styles allow 'unsafe-inline' (styles cannot run code); images allow data: and blob:
    for Plotly's "download plot" and its generated patterns.
    """
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'", *script_hashes],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "worker-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


def security_headers(app: Dash) -> dict[str, str]:
    """Every header ``apply_security`` adds (call after every clientside callback is defined)."""
    return {**FIXED_HEADERS, "Content-Security-Policy": content_security_policy(app.csp_hashes())}


def apply_security(app: Dash) -> Dash:
    """Add the security headers to every response of ``app``'s Flask server; return ``app``."""
    headers = security_headers(app)

    @app.server.after_request
    def add_security_headers(response):
        for name, value in headers.items():
            response.headers[name] = value
        return response

    return app
