"""The district map as a PNG, drawn with numpy and Pillow.

A matplotlib figure of the same map is too slow to redraw at every step of a live model;
here the colours are a table lookup on the raster of :mod:`kosi_sim.app.geometry`,
markers, names, the colour bar and the legend are drawn with Pillow.  The picture:

* districts coloured by the indicator (viridis, fixed range per indicator), white borders;
* the district names and values;
* open initiatives as markers: colour = service domain, shape = stage;
* a colour bar with the indicator's range, and a legend of domains and stages.
"""

from __future__ import annotations

import io
import os
import textwrap
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from matplotlib import colormaps, get_data_path
from PIL import Image, ImageDraw, ImageFont

from .geometry import DistrictMap

SCALE = 3  # screen pixels per raster cell
BAR_W = 90  # width of the colour bar column
LEGEND_H = 46
TITLE_H = 22
SHAPES = ("idea", "proposal", "gate", "active", "sustained")


@lru_cache(maxsize=1)
def _lut() -> np.ndarray:
    return (colormaps["viridis"](np.linspace(0, 1, 256))[:, :3] * 255).astype(np.uint8)


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(os.path.join(get_data_path(), "fonts", "ttf", "DejaVuSans.ttf"), size)


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def _marker(draw: ImageDraw.ImageDraw, x: float, y: float, shape: str, fill) -> None:
    r = 7 if shape == "sustained" else 4 if shape != "idea" else 2.5
    outline = (255, 255, 255)
    if shape == "proposal":
        draw.polygon([(x, y - r - 1), (x - r, y + r), (x + r, y + r)], fill=fill, outline=outline)
    elif shape == "gate":
        draw.rectangle([x - r, y - r, x + r, y + r], fill=fill, outline=outline)
    elif shape == "sustained":
        pts = []
        for k in range(10):
            rad = r if k % 2 == 0 else r * 0.45
            a = np.pi / 2 + k * np.pi / 5
            pts.append((x + rad * np.cos(a), y - rad * np.sin(a)))
        draw.polygon(pts, fill=fill, outline=outline)
    else:
        draw.ellipse([x - r, y - r, x + r, y + r], fill=fill, outline=outline)


def render(
    dmap: DistrictMap,
    values: np.ndarray,
    value_range: tuple[float, float],
    names: list[str],
    markers: tuple[np.ndarray, np.ndarray, np.ndarray],
    colours: dict[str, str],
    legend: dict[str, str],
    title: str,
    bar_label: str,
    fmt: Callable[[float], str] = "{:.2f}".format,
) -> bytes:
    """The map as PNG bytes.

    ``markers`` are (xy in raster cells, domain index, stage name index into SHAPES);
    ``colours`` maps domain -> hex colour; ``legend`` maps domain and stage names to labels;
    ``fmt`` writes the values (district labels and colour bar) in the app's language.
    """
    lo, hi = value_range
    size = dmap.size
    lab = dmap.labels[::-1]  # raster row 0 is the bottom; image row 0 is the top
    idx = np.clip(((values - lo) / max(hi - lo, 1e-12) * 255).round(), 0, 255)
    idx = np.where(np.isfinite(idx), idx, 0).astype(np.intp)
    rgb = np.full((size, size, 3), 255, dtype=np.uint8)
    inside = lab >= 0
    rgb[inside] = _lut()[idx[lab[inside]]]
    rgb[dmap.borders[::-1]] = 255
    rgb = rgb.repeat(SCALE, axis=0).repeat(SCALE, axis=1)
    side = size * SCALE
    img = Image.new("RGB", (side + BAR_W, TITLE_H + side + LEGEND_H), "white")
    img.paste(Image.fromarray(rgb), (0, TITLE_H))
    draw = ImageDraw.Draw(img, "RGBA")
    draw.text((side / 2, TITLE_H / 2), title, fill="black", font=_font(14), anchor="mm")

    def to_px(x, y):
        return (x + 0.5) * SCALE, TITLE_H + (size - 0.5 - y) * SCALE

    xy, domain, stage = markers
    palette = [_hex(c) for c in colours.values()]
    for (x, y), d, s in zip(xy, domain, stage, strict=True):
        _marker(draw, *to_px(x, y), SHAPES[int(s)], palette[int(d)])
    font = _font(11)
    for d, (x, y) in enumerate(dmap.centres):
        px, py = to_px(x, y)
        text = f"{names[d]}\n{fmt(float(values[d]))}"
        box = draw.multiline_textbbox((px, py), text, font=font, anchor="mm", align="center")
        draw.rectangle([box[0] - 3, box[1] - 2, box[2] + 3, box[3] + 2], fill=(0, 0, 0, 115))
        draw.multiline_text((px, py), text, fill="white", font=font, anchor="mm", align="center")
    _colour_bar(draw, side + 14, TITLE_H + side * 0.15, side * 0.7, (lo, hi), bar_label, fmt)
    _legend(draw, TITLE_H + side + 6, colours, legend)
    buf = io.BytesIO()
    img.save(buf, format="PNG", compress_level=1)
    return buf.getvalue()


def _colour_bar(draw, x: float, top: float, height: float, span, label: str, fmt) -> None:
    lo, hi = span
    lut = _lut()
    n = int(height)
    for k in range(n):
        c = tuple(int(v) for v in lut[255 - int(k / max(n - 1, 1) * 255)])
        draw.line([(x, top + k), (x + 14, top + k)], fill=c)
    font = _font(10)
    for frac in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = top + (1 - frac) * (n - 1)
        draw.text((x + 18, y), fmt(lo + frac * (hi - lo)), fill="black", font=font, anchor="lm")
    for k, line in enumerate(textwrap.wrap(label, 13)[:4]):
        draw.text((x, top + n + 8 + 12 * k), line, fill="black", font=font)


def _legend(draw, top: float, colours: dict[str, str], legend: dict[str, str]) -> None:
    font = _font(10)
    x = 8.0
    for domain, colour in colours.items():
        _marker(draw, x + 4, top + 8, "active", _hex(colour))
        draw.text((x + 12, top + 8), legend[domain], fill="black", font=font, anchor="lm")
        x += 18 + draw.textlength(legend[domain], font=font)
    x = 8.0
    for shape in SHAPES:
        _marker(draw, x + 4, top + 28, shape, (120, 120, 120))
        draw.text((x + 14, top + 28), legend[shape], fill="black", font=font, anchor="lm")
        x += 22 + draw.textlength(legend[shape], font=font)
