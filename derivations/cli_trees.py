"""``python -m derivations solve MODEL [--game NAME] [--json]``: the equilibrium map of a model's
game tree (symbolic backward induction, :mod:`symbolic.games.extensive`), each region
cross-checked by numeric backward induction at seeded draws inside it.

JSON: ``{"model", "game", "regions": [{"condition", "profile", "path", "payoffs", "status"}],
"disjoint", "covers", "cross_check": [{"points", "mismatches"}]}`` -- conditions and payoffs are
strings ``sympy.sympify`` reads back in the model's parameter names.
"""
from __future__ import annotations

import json

from symbolic import ToolkitError
from symbolic.games.extensive import cross_check_map

from . import load


def cmd_solve(args) -> int:
    model = load(args.model)
    if not model.trees:
        raise ToolkitError(f"model {model.name} has no game tree (declare one with Model.game_tree)")
    if args.game is not None and args.game not in model.trees:
        raise ToolkitError(f"unknown game tree {args.game!r} of {model.name}; trees are: {', '.join(model.trees)}")
    if args.game is None and len(model.trees) > 1:
        raise ToolkitError(f"{model.name} has several game trees; choose one with --game ({', '.join(model.trees)})")
    name = args.game or next(iter(model.trees))
    tmap = model.tree_maps.get(name) or model.equilibria(model.trees[name])
    checks = cross_check_map(tmap, model.space, n=args.points)
    bad = sum(len(c["mismatches"]) for c in checks)
    if args.json:
        out = {"model": model.name, **tmap.as_json(),
               "cross_check": [{"points": c["points"], "mismatches": len(c["mismatches"])} for c in checks]}
        print(json.dumps(out, indent=1))
        return 1 if bad else 0
    print(f"{model.name} ({name}): subgame-perfect equilibrium by region (ties: the first action listed)")
    for k, (b, c) in enumerate(zip(tmap.branches, checks), start=1):
        print(f"[{k}] {b.region}" + ("" if b.status == "decided" else "  (not decided)"))
        print(f"    path: {', '.join(b.path) or '-'}")
        print(f"    profile: {', '.join(f'{n}: {a}' for n, a in b.profile.items())}")
        print(f"    payoffs: {', '.join(f'{p} = {u}' for p, u in zip(tmap.game.players, b.payoffs))}")
        verdict = "agrees" if not c["mismatches"] else f"{len(c['mismatches'])} DISAGREE"
        print(f"    numeric backward induction at {c['points']} points: {verdict}")
    facts = [f"disjoint: {'yes' if tmap.disjoint else 'no' if tmap.disjoint is False else 'undecided'}",
             f"cover the domain: {'yes' if tmap.covers else 'no' if tmap.covers is False else 'undecided'}"]
    print(f"regions {'; '.join(facts)} (z3)")
    return 1 if bad else 0


def register(sub) -> None:
    s = sub.add_parser("solve", help="the equilibrium map of a model's game tree: solve MODEL [--json]")
    s.add_argument("model")
    s.add_argument("--game", default=None, help="the game tree, if the model has several")
    s.add_argument("--points", type=int, default=100, help="numeric cross-check draws per region (default 100)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_solve)
