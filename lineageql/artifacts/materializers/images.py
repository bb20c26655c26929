"""A minimal PNG encoder for H x W x 3 uint8 arrays (no imaging library needed)."""

from __future__ import annotations

import struct
import zlib
from typing import Any


def png_bytes(pixels: Any) -> bytes:
    """``pixels`` (an H x W x 3 uint8 NumPy array) as an RGB PNG file."""
    height, width, _ = pixels.shape
    rows = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
