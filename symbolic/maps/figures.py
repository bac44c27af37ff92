"""Figures of maps: a heatmap with contours of a quantity, the truth of a claim part, or the
classification of the stationary equilibria over one or two parameters."""
from __future__ import annotations

import numpy as np

from ..errors import ToolkitError

#: what the equilibrium classification shows, by the label bits of a point (full=1, sporadic=2, none=4)
CLASSES = [("no equilibrium found", "#ffffff"), ("full cooperation only", "#1a9850"),
           ("sporadic only", "#fdae61"), ("full and sporadic", "#a6d96a"),
           ("no cooperation only", "#bababa"), ("full or none", "#66bd63"), ("sporadic or none", "#f46d43"),
           ("full, sporadic and none", "#d9ef8b")]


def draw(axes: dict, fields: dict, attrs: dict, field: str | None = None, title: str | None = None):
    """A matplotlib figure of a map (``axes``: parameter -> float values in grid order;
    ``fields``: field -> array of the grid's shape; ``attrs``: the map's attributes).
    ``field``: which field of an equilibrium map (default: the classification by label)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.colors import BoundaryNorm, ListedColormap

    names = list(axes)
    if len(names) not in (1, 2):
        raise ToolkitError(f"a figure shows one or two mapped parameters, the map has {len(names)}")
    kind = attrs.get("kind")
    fig, ax = plt.subplots(figsize=(5.6, 4.2))
    if kind == "regions":
        return _regions(fig, ax, axes, fields, attrs, field, title)
    if kind == "equilibria":
        key = field or "labels"
        if key not in fields:
            raise ToolkitError(f"no field {key!r} in the map; fields are: {', '.join(fields)}")
        data = np.asarray(fields[key], dtype=float)
        data = np.where(data < 0, np.nan, data)
    else:
        key = attrs["fields"][0]
        data = np.asarray(fields[key], dtype=float)
        if kind == "claim":
            data = np.where(data < 0, np.nan, data)
    x = axes[names[0]]
    if len(names) == 1:
        ax.plot(x, data, lw=1)
        ax.set_xlabel(names[0])
        ax.set_ylabel(key if kind != "claim" else f"{attrs['target']} (1 holds, 0 fails, 2 undecided)")
    else:
        y = axes[names[1]]
        grid = data.T  # rows: second parameter
        if kind == "equilibria" and key == "labels":
            cmap = ListedColormap([c for _, c in CLASSES])
            norm = BoundaryNorm(np.arange(-0.5, 8.5), cmap.N)
            ax.pcolormesh(x, y, grid, cmap=cmap, norm=norm, shading="nearest")
            present = sorted({int(v) for v in np.unique(grid[np.isfinite(grid)])})
            handles = [plt.Rectangle((0, 0), 1, 1, color=CLASSES[v][1], ec="k", lw=0.3) for v in present]
            ax.legend(handles, [CLASSES[v][0] for v in present], fontsize=7, loc="upper left",
                      bbox_to_anchor=(1.01, 1), frameon=False)
        elif kind == "claim":
            cmap = ListedColormap(["#d73027", "#1a9850", "#fee08b"])
            norm = BoundaryNorm([-0.5, 0.5, 1.5, 2.5], 3)
            ax.pcolormesh(x, y, grid, cmap=cmap, norm=norm, shading="nearest")
            labels = ["fails", "holds", "undecided"]
            present = sorted({int(v) for v in np.unique(grid[np.isfinite(grid)])})
            handles = [plt.Rectangle((0, 0), 1, 1, color=cmap(v), ec="k", lw=0.3) for v in present]
            ax.legend(handles, [labels[v] for v in present], fontsize=7, loc="upper left",
                      bbox_to_anchor=(1.01, 1), frameon=False)
        else:
            finite = np.isfinite(grid)
            mesh = ax.pcolormesh(x, y, np.ma.masked_invalid(grid), shading="nearest", cmap="viridis")
            fig.colorbar(mesh, ax=ax, label=key if kind == "equilibria" else attrs.get("target", key))
            if finite.sum() > 3 and np.nanmax(grid) > np.nanmin(grid) and min(grid.shape) > 1:
                cs = ax.contour(x, y, np.ma.masked_invalid(grid), levels=8, colors="k", linewidths=0.5)
                ax.clabel(cs, fontsize=6)
        ax.set_xlabel(names[0])
        ax.set_ylabel(names[1])
    fixed = attrs.get("fixed") or {}
    ax.set_title(title or f"{attrs.get('model', '')}: {attrs.get('target', key)}"
                 + (f" ({key})" if kind == "equilibria" and key != "labels" else ""), fontsize=9)
    if fixed:
        fig.text(0.01, 0.01, ", ".join(f"{k}={v}" for k, v in fixed.items()), fontsize=6, color="0.3")
    fig.tight_layout()
    return fig


def _regions(fig, ax, axes, fields, attrs, field, title):
    """The regions of an equilibrium map: one colour per set of regions that hold together."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import BoundaryNorm, ListedColormap

    fig.set_size_inches(7.4, 4.2)   # room for the legend of region names
    key = field or "holds"
    if key not in fields:
        raise ToolkitError(f"no field {key!r} in the map; fields are: {', '.join(fields)}")
    data = np.asarray(fields[key])
    names = list(axes)
    if key != "holds":
        shown = np.where(data < 0, np.nan, data.astype(float))
        if len(names) == 1:
            ax.plot(axes[names[0]], shown, lw=1)
        else:
            mesh = ax.pcolormesh(axes[names[0]], axes[names[1]], shown.T, shading="nearest", cmap="viridis")
            fig.colorbar(mesh, ax=ax, label=key)
    else:
        values = sorted(int(v) for v in np.unique(data) if v >= 0)
        code = np.full(data.shape, np.nan)
        for c, v in enumerate(values):
            code[data == v] = c
        palette = plt.get_cmap("tab10")
        cmap = ListedColormap([palette(c % 10) for c in range(max(len(values), 1))])
        norm = BoundaryNorm(np.arange(-0.5, len(values) + 0.5), cmap.N)
        regions = attrs.get("regions", [])

        def label(v):
            held = [regions[k] for k in range(len(regions)) if v >> k & 1]
            return " & ".join(held) if held else "no region decided (a boundary)"
        if len(names) == 1:
            ax.scatter(axes[names[0]], code, c=code, cmap=cmap, norm=norm, s=6)
        else:
            ax.pcolormesh(axes[names[0]], axes[names[1]], code.T, cmap=cmap, norm=norm, shading="nearest")
        handles = [plt.Rectangle((0, 0), 1, 1, color=cmap(c), ec="k", lw=0.3) for c in range(len(values))]
        ax.legend(handles, [label(v) for v in values], fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1),
                  frameon=False)
    ax.set_xlabel(names[0])
    if len(names) > 1:
        ax.set_ylabel(names[1])
    fixed = attrs.get("fixed") or {}
    ax.set_title(title or f"{attrs.get('model', '')}: equilibrium map of {attrs.get('game', '')}", fontsize=9)
    if fixed:
        fig.text(0.01, 0.01, ", ".join(f"{k}={v}" for k, v in fixed.items()), fontsize=6, color="0.3")
    fig.tight_layout()
    return fig


def save(fig, path) -> None:
    """Write the figure (format from the suffix) and close it."""
    import matplotlib.pyplot as plt

    try:
        fig.savefig(str(path))
    except (OSError, ValueError) as exc:
        raise ToolkitError(f"cannot write the figure {path}: {exc}") from None
    finally:
        plt.close(fig)
