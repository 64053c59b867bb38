"""A small PNG bar chart of reports per day by handling body (Pillow, no plotting library)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw, ImageFont

from storage.files import write_private

WIDTH, HEIGHT, MARGIN = 720, 360, 40
GREY = "#787878"


@dataclass(frozen=True)
class Series:
    """One body's bars: its label in the legend and its colour ("#RRGGBB")."""

    label: str
    colour: str | None


def reports_chart(
    counts: list[tuple[str, str, int]],
    today: dt.date,
    path: Path,
    series: dict[str, Series],
    days: int = 14,
) -> Path:
    """Draw reports per day over the last `days` days, one bar per body, and save as PNG.

    `counts` holds (ISO day, agency, number); `series` the bodies always shown, in order (a body
    counted but not listed is added in grey). Returns the path written.
    """
    window = [today - dt.timedelta(days=days - 1 - i) for i in range(days)]
    extra = sorted({agency for _, agency, _ in counts} - set(series))
    shown = {**series, **{agency: Series(agency, None) for agency in extra}}
    agencies = list(shown)
    colours = {agency: ImageColor.getrgb(s.colour or GREY) for agency, s in shown.items()}
    table = {(day, agency): n for day, agency, n in counts}
    peak = max([1, *table.values()])
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default()
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN - 20
    draw.line(
        [(MARGIN, MARGIN), (MARGIN, MARGIN + plot_h), (MARGIN + plot_w, MARGIN + plot_h)],
        fill="black",
    )
    slot = plot_w / days
    bar = max(2.0, (slot - 6) / len(agencies))
    for i, day in enumerate(window):
        x0 = MARGIN + i * slot + 3
        for j, agency in enumerate(agencies):
            n = table.get((day.isoformat(), agency), 0)
            if n:
                top = MARGIN + plot_h - plot_h * n / peak
                left = x0 + j * bar
                draw.rectangle(
                    [left, top, left + bar - 1, MARGIN + plot_h],
                    fill=colours[agency],
                )
        draw.text((x0, MARGIN + plot_h + 4), day.strftime("%d/%m"), fill="black", font=font)
    draw.text((MARGIN, 10), f"max {peak}", fill="black", font=font)
    for j, agency in enumerate(agencies):
        x = WIDTH - MARGIN - 110 * (len(agencies) - j)
        draw.rectangle([x, 10, x + 10, 20], fill=colours[agency])
        draw.text((x + 14, 9), shown[agency].label, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    write_private(path, out.getvalue())
    return path
