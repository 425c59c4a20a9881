#!/usr/bin/env python3
"""Throughput against message size, kuvert and libxmlsec1, as an SVG (no
third-party modules). Input: the JSON lines of `bench/compare --sweep`
(target/compare/sweep.jsonl); output: bench/plots/throughput-vs-size.svg.

    bench/compare --sweep && python3 bench/plot.py
"""
import json
import math
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "target/compare/sweep.jsonl"
DST = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "bench/plots/throughput-vs-size.svg"
W, H, L, R, T, B = 720, 420, 70, 150, 30, 50


def main():
    rows = [json.loads(line) for line in SRC.read_text().splitlines() if line.strip()]
    series = {
        "kuvert": [(r["bytes"], r["kuvert_mb_s"]) for r in rows if r.get("kuvert_mb_s")],
        "libxmlsec1": [(r["bytes"], r["xmlsec_mb_s"]) for r in rows if r.get("xmlsec_mb_s")],
    }
    xs = [x for s in series.values() for x, _ in s]
    ys = [y for s in series.values() for _, y in s]
    x0, x1 = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))

    def px(x):
        return L + (math.log10(x) - x0) / (x1 - x0) * (W - L - R)

    def py(y):
        return H - B - (math.log10(y) - y0) / (y1 - y0) * (H - T - B)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{L}" y="18" font-size="14">Signed-message verification: throughput against size</text>']
    for e in range(x0, x1 + 1):
        x = px(10 ** e)
        out.append(f'<line x1="{x:.1f}" y1="{T}" x2="{x:.1f}" y2="{H - B}" stroke="#ddd"/>')
        out.append(f'<text x="{x:.1f}" y="{H - B + 16}" text-anchor="middle">{size_label(10 ** e)}</text>')
    for e in range(y0, y1 + 1):
        y = py(10 ** e)
        out.append(f'<line x1="{L}" y1="{y:.1f}" x2="{W - R}" y2="{y:.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{L - 6}" y="{y + 4:.1f}" text-anchor="end">{10 ** e:g}</text>')
    out.append(f'<text x="{(L + W - R) / 2}" y="{H - 10}" text-anchor="middle">message size (bytes)</text>')
    out.append(f'<text x="16" y="{(T + H - B) / 2}" transform="rotate(-90 16 {(T + H - B) / 2})" '
               'text-anchor="middle">MB/s (log)</text>')
    for (name, points), colour, row in zip(series.items(), ["#1f6feb", "#d1242f"], range(2)):
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in sorted(points))
        out.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in points:
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3" fill="{colour}"/>')
        ly = T + 20 + 20 * row
        out.append(f'<line x1="{W - R + 12}" y1="{ly}" x2="{W - R + 36}" y2="{ly}" stroke="{colour}" stroke-width="2"/>')
        out.append(f'<text x="{W - R + 42}" y="{ly + 4}">{name}</text>')
    out.append("</svg>")
    DST.parent.mkdir(parents=True, exist_ok=True)
    DST.write_text("\n".join(out) + "\n")
    print(f"wrote {DST}")


def size_label(n):
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= scale:
            return f"{n / scale:g} {unit}"
    return f"{n:g} B"


if __name__ == "__main__":
    main()
