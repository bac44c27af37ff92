"""``python -m derivations solve MODEL [--game NAME] [--json]``: the equilibrium map of a model's
game tree (symbolic backward induction, :mod:`symbolic.games.extensive`), each region
cross-checked by numeric backward induction at seeded draws inside it; or the map of perfect
Bayesian equilibria of a signaling game (:mod:`symbolic.games.signaling`), each branch
cross-checked by the numeric enumeration of the PBE at draws inside its region (JSON: also
``"kind"``, ``"beliefs"``, ``"off_path_beliefs"``, ``"intuitive_criterion"`` per region).

JSON: ``{"model", "game", "regions": [{"condition", "profile", "path", "payoffs", "status"[, "choices",
"note"]}], "disjoint", "covers", "cross_check": [{"points", "mismatches"}]}`` -- conditions and payoffs are
strings ``sympy.sympify`` reads back in the model's parameter names.
"""
from __future__ import annotations

import json

import sympy as sp

from symbolic import ToolkitError
from symbolic.games.extensive import cross_check_map
from symbolic.games.signaling import cross_check_signaling

from . import load


def cmd_solve(args) -> int:
    model = load(args.model)
    games = {**model.trees, **getattr(model, "signaling_games", {})}
    if not games:
        raise ToolkitError(f"model {model.name} has no game tree (declare one with Model.game_tree or "
                           "Model.signaling_game)")
    if args.game is not None and args.game not in games:
        raise ToolkitError(f"unknown game tree {args.game!r} of {model.name}; trees are: {', '.join(games)}")
    if args.game is None and len(games) > 1:
        raise ToolkitError(f"{model.name} has several game trees; choose one with --game ({', '.join(games)})")
    name = args.game or next(iter(games))
    if name not in model.trees:
        return _solve_signaling(model, name, args)
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
        print(f"[{k}] {model.with_cutoffs(b.region)}" + ("" if b.status == "decided" else f"  ({b.status})"))
        print(f"    path: {', '.join(b.path) or '-'}")
        print(f"    profile: {', '.join(f'{n}: {a}' for n, a in b.profile.items())}")
        print(f"    payoffs: {', '.join(f'{p} = {u}' for p, u in zip(tmap.game.players, b.payoffs))}")
        if getattr(b, "note", ""):
            print(f"    note: {b.note}")
        if b.status != "no equilibrium":
            print(f"    numeric backward induction {_checked(c)}")
    facts = [f"disjoint: {'yes' if tmap.disjoint else 'no' if tmap.disjoint is False else 'undecided'}",
             f"cover the domain: {'yes' if tmap.covers else 'no' if tmap.covers is False else 'undecided'}"]
    print(f"regions {'; '.join(facts)} (z3)")
    return 1 if bad else 0


def _solve_signaling(model, name, args) -> int:
    """The PBE map of a signaling game, each branch cross-checked by the numeric enumeration."""
    smap = model.signaling_maps.get(name) or model.equilibria(model.signaling_games[name])
    checks = cross_check_signaling(smap, model.space, n=args.points)
    bad = sum(len(c["mismatches"]) for c in checks)
    if args.json:
        out = {"model": model.name, **smap.as_json(),
               "cross_check": [{"points": c["points"], "mismatches": len(c["mismatches"])} for c in checks]}
        print(json.dumps(out, indent=1))
        return 1 if bad else 0
    game = smap.game
    print(f"{model.name} ({name}): perfect Bayesian equilibria of the signaling game (sender {game.sender}, "
          f"receiver {game.receiver}; every sustainable response kept, regions may overlap)")
    for k, (b, c) in enumerate(zip(smap.branches, checks), start=1):
        print(f"[{k}] {b.kind}: {b.region}" + ("" if b.status == "decided" else "  (not decided)"))
        for line in b.path:
            print(f"    {line}")
        for m, mu in b.beliefs.items():
            kind = "off-path belief set" if m in b.belief_sets else "belief (Bayes)"
            text = sp.sstr(b.belief_sets[m]) if m in b.belief_sets else \
                ", ".join(f"{t}: {sp.sstr(v)}" for t, v in mu.items())
            print(f"    {kind} at {m}: {'any belief' if text == 'True' else text}")
        print(f"    payoffs: {', '.join(f'{p} = {u}' for p, u in b.payoffs.items())}")
        if b.intuitive is not None:
            ic = b.intuitive
            extra = "" if ic["verdict"] != "depends" else f" (survives where {ic['survives']}, fails where {ic['fails']})"
            print(f"    intuitive criterion: {ic['verdict']}{extra}")
        print(f"    numeric enumeration of the PBE {_checked(c)}")
    print(f"the regions cover the domain: {'yes' if smap.covers else 'no' if smap.covers is False else 'undecided'} "
          f"(z3); {len(smap.dropped)} candidate profiles have no region")
    print(f"not enumerated: {'; '.join(smap.not_enumerated)}")
    return 1 if bad else 0


def _checked(c) -> str:
    if not c["points"]:
        return ("not run: no draw fell inside the region (a boundary, or a region too thin for the sampler; "
                "a parameter's sample_range can help)")
    return f"at {c['points']} points: " + ("agrees" if not c["mismatches"] else f"{len(c['mismatches'])} DISAGREE")


def register(sub) -> None:
    s = sub.add_parser("solve", help="the equilibrium map of a model's game tree: solve MODEL [--json]")
    s.add_argument("model")
    s.add_argument("--game", default=None, help="the game tree, if the model has several")
    s.add_argument("--points", type=int, default=100, help="numeric cross-check draws per region (default 100)")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_solve)
