"""Images drawn server-side: badges to bake the credential into, an SVG (with the achievement's name) and a PNG (a
rosette with a check mark, written with zlib: no imaging library), whose colour comes from the name so that each
achievement keeps its own; and the QR code that takes a phone to the credential's verification."""

from __future__ import annotations

import hashlib
import math
import struct
import textwrap
import zlib
from functools import lru_cache
from xml.sax.saxutils import escape

__all__ = ["PNG_SIZE", "badge_colour", "badge_png", "badge_svg", "qr_data_uri"]

PNG_SIZE = 256
_PALETTE = ((47, 75, 216), (19, 122, 58), (155, 54, 161), (201, 92, 20), (14, 116, 144), (170, 35, 60))


def badge_colour(name: str) -> tuple[int, int, int]:
    """A stable colour for an achievement name."""
    digest = hashlib.sha256(name.encode("utf-8")).digest()
    return _PALETTE[digest[0] % len(_PALETTE)]


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def badge_svg(name: str, issuer: str | None = None) -> str:
    """A 240x240 SVG badge showing the achievement name (wrapped, at most three lines) and the issuer."""
    colour = _hex(badge_colour(name))
    lines = textwrap.wrap(name, width=16)[:3] or ["Badge"]
    if len(textwrap.wrap(name, width=16)) > 3:
        lines[-1] = lines[-1][:14] + "…"
    first_y = 122 - (len(lines) - 1) * 11
    text = "".join(
        f'<text x="120" y="{first_y + i * 22}" text-anchor="middle" font-size="17" font-weight="700" '
        f'fill="#ffffff">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    issuer_text = (
        f'<text x="120" y="196" text-anchor="middle" font-size="11" fill="#ffffff" opacity="0.9">'
        f"{escape(issuer[:30])}</text>"
        if issuer
        else ""
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="240" viewBox="0 0 240 240" '
        'font-family="Helvetica, Arial, sans-serif">'
        f"<title>{escape(name)}</title>"
        f'<circle cx="120" cy="120" r="116" fill="{colour}"/>'
        '<circle cx="120" cy="120" r="100" fill="none" stroke="#ffffff" stroke-width="4" stroke-dasharray="6 5"/>'
        f'<path d="M96 44 l10 12 l14 -8 l14 8 l10 -12" fill="none" stroke="#ffffff" stroke-width="4" '
        'stroke-linecap="round" stroke-linejoin="round"/>'
        f"{text}{issuer_text}</svg>"
    )


def _segment_distance(px: float, py: float, a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _coverage(edge: float) -> float:
    """Anti-aliased coverage from a signed distance (positive inside)."""
    return max(0.0, min(1.0, edge + 0.5))


@lru_cache(maxsize=16)
def _png_for_colour(rgb: tuple[int, int, int]) -> bytes:
    size = PNG_SIZE
    centre = size / 2
    check = ((78.0, 132.0), (112.0, 166.0), (180.0, 94.0))
    rows = bytearray()
    for y in range(size):
        rows.append(0)  # filter type: none
        py = y + 0.5
        for x in range(size):
            px = x + 0.5
            radius = math.hypot(px - centre, py - centre)
            # scalloped rosette edge: radius varies with angle
            angle = math.atan2(py - centre, px - centre)
            outer = 122 + 4 * math.cos(angle * 16)
            alpha = _coverage(outer - radius)
            if alpha == 0.0:
                rows.extend(b"\x00\x00\x00\x00")
                continue
            white = _coverage(3 - abs(radius - 104))  # the ring
            stroke = min(_segment_distance(px, py, check[0], check[1]), _segment_distance(px, py, check[1], check[2]))
            white = max(white, _coverage(11 - stroke))
            r, g, b = (round(c + (255 - c) * white) for c in rgb)
            rows.extend((r, g, b, round(255 * alpha)))
    return _png_chunks(size, size, bytes(rows))


def _png_chunks(width: int, height: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def badge_png(name: str) -> bytes:
    """A 256x256 RGBA PNG rosette in the achievement's colour, with a white check mark."""
    return _png_for_colour(badge_colour(name))


def qr_data_uri(url: str) -> str:
    """A QR code for ``url`` as an SVG ``data:`` URI (shown on the credential page: scan to verify)."""
    import segno

    uri: str = segno.make(url, error="m").svg_data_uri(scale=4, border=2)
    return uri
