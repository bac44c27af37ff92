r"""Finite extensive-form games of perfect information with symbolic payoffs, solved by symbolic
backward induction into an equilibrium map.

**The tree.**  Nodes are named.  A *decision* node belongs to a player and lists its actions, each
leading to a child node; a *chance* node lists outcomes, each with a probability (an expression in
the parameters) and a child; a *terminal* node carries one payoff per player (expressions).  The
first node declared is the root.  :meth:`ExtensiveGame.validate` checks that every child exists,
every node has one parent and no node is its own descendant, every decision node has an action,
every terminal a payoff for each player, and each chance node's probabilities sum to 1 identically
(decided by simplification, never sampled).

**Backward induction.**  Solving a node returns a finite list of *branches* ``(R, s, u)``: a region
:math:`R` of the parameter domain (a conjunction of relations), the strategy profile :math:`s` of
the subtree (an action at every decision node, on and off the path) and the payoff vector
:math:`u` of the subtree in closed form.

* terminal: one branch, :math:`(\top, \emptyset, u)`;
* chance with outcomes :math:`(p_k, c_k)`: for each combination of the children's branches, the
  region is the conjunction of theirs and :math:`u = \sum_k p_k u^{(k)}`;
* decision of player :math:`i` with actions :math:`a_1, \dots, a_m` (children :math:`c_j`): for each
  combination of the children's branches (joint region :math:`R`), action :math:`a_j` is chosen on

  .. math:: R \;\wedge\; \bigwedge_{l < j} u_i^{(j)} > u_i^{(l)} \;\wedge\; \bigwedge_{l > j} u_i^{(j)} \ge u_i^{(l)},

  i.e. among the best actions **the first one listed wins a tie** (the stated tie-breaking rule).

Every region is decided with z3 over the domain (:func:`symbolic.solvers.classify`): regions that
are empty are dropped, conditions that hold everywhere are removed, and the rest is written simply
(:func:`symbolic.solvers.simplify_condition`).  A region z3 cannot decide (not polynomial, or its
time budget spent) is kept and marked *not decided* -- never dropped, never reported as decided.
By construction the regions of the root are pairwise disjoint and cover the domain (every point
has exactly one best action at every node under the tie rule); :class:`TreeMap` re-checks both with
z3 and says so.

The result is a subgame-perfect equilibrium in pure strategies on each region; with the tie rule
it is unique.  :func:`numeric_backward_induction` is the independent numeric route used to
cross-check the map at sample points; :meth:`ExtensiveGame.to_efg` writes Gambit's ``.efg`` at
numbers.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Mapping, Sequence

import sympy as sp


@dataclass
class Node:
    """One node: ``kind`` is ``decision``, ``chance`` or ``terminal``."""

    name: str
    kind: str
    player: str | None = None
    children: dict = field(default_factory=dict)       # action or outcome -> child name
    probabilities: dict = field(default_factory=dict)  # chance: outcome -> probability
    payoffs: tuple = ()                                # terminal: one per player
    description: str = ""


@dataclass
class TreeBranch:
    """One region of the equilibrium map: where it holds, the profile, the path and the payoffs."""

    region: sp.Basic
    profile: dict
    payoffs: tuple
    path: list = field(default_factory=list)
    status: str = "decided"  # or "not decided" (z3 could not tell whether the region is empty)


class ExtensiveGame:
    """A finite game tree with symbolic payoffs; see the module docstring."""

    def __init__(self, name: str, players: Sequence[str], read=sp.sympify):
        self.name = name
        self.players = tuple(players)
        if len(set(self.players)) != len(self.players) or not self.players:
            raise ValueError("give one or more distinct player names")
        self.nodes: dict[str, Node] = {}
        self.read = read
        self.outcome = None  # outcome name -> payoffs in player order (a model sets its payoff table)

    # -- building -----------------------------------------------------------------------------
    def _add(self, node: Node) -> None:
        if node.name in self.nodes:
            raise ValueError(f"node {node.name!r} is declared twice")
        self.nodes[node.name] = node

    def _value(self, x):
        return self.read(x) if isinstance(x, str) else sp.sympify(x)

    def decision(self, name: str, player: str, actions: Mapping[str, str], description: str = "") -> None:
        """A decision node of ``player``: ``actions`` maps each action to the child node's name."""
        if player not in self.players:
            raise ValueError(f"node {name}: unknown player {player!r}; players are {', '.join(self.players)}")
        if not actions:
            raise ValueError(f"node {name} has no actions")
        self._add(Node(name, "decision", player, dict(actions), description=description))

    def chance(self, name: str, outcomes: Mapping[str, tuple], description: str = "") -> None:
        """A chance node: ``outcomes`` maps each outcome to ``(probability, child name)``."""
        if not outcomes:
            raise ValueError(f"chance node {name} has no outcomes")
        self._add(Node(name, "chance", None, {o: c for o, (_, c) in outcomes.items()},
                       {o: self._value(p) for o, (p, _) in outcomes.items()}, description=description))

    def terminal(self, name: str, payoffs, description: str = "") -> None:
        """A terminal node: ``payoffs`` in player order, a mapping player -> payoff, or the name of
        an outcome of the model's payoff table."""
        if isinstance(payoffs, str):
            if self.outcome is None:
                raise ValueError(f"terminal {name}: {payoffs!r} names an outcome, but the game has no payoff table")
            payoffs = self.outcome(payoffs)
        if isinstance(payoffs, Mapping):
            missing = [p for p in self.players if p not in payoffs]
            if missing:
                raise ValueError(f"terminal {name} has no payoff for {', '.join(missing)}")
            payoffs = [payoffs[p] for p in self.players]
        if len(payoffs) != len(self.players):
            raise ValueError(f"terminal {name} needs one payoff per player ({len(self.players)})")
        self._add(Node(name, "terminal", payoffs=tuple(self._value(u) for u in payoffs), description=description))

    @property
    def root(self) -> str:
        if not self.nodes:
            raise ValueError(f"game {self.name} has no nodes")
        return next(iter(self.nodes))

    def validate(self) -> None:
        """Raise ValueError (one line, naming the node) for a malformed tree; see the module docstring."""
        parents: dict[str, str] = {}
        for node in self.nodes.values():
            for child in node.children.values():
                if child not in self.nodes:
                    raise ValueError(f"node {node.name}: child {child!r} is not a node of the game")
                if child in parents:
                    raise ValueError(f"node {child} has two parents ({parents[child]} and {node.name}): a tree "
                                     "node is reached one way")
                parents[child] = node.name
            if node.kind == "chance":
                total = sp.simplify(sum(node.probabilities.values()) - 1)
                if total != 0:
                    raise ValueError(f"chance node {node.name}: the probabilities sum to 1 + ({total}), not 1")
        if self.root in parents:
            raise ValueError(f"the root {self.root} has a parent ({parents[self.root]}): the tree has a cycle")
        unreached = [n for n in self.nodes if n != self.root and n not in parents]
        if unreached:
            raise ValueError(f"node {unreached[0]} is not reached from the root {self.root}")

    @property
    def free_symbols(self) -> set:
        out: set = set()
        for node in self.nodes.values():
            for x in (*node.payoffs, *node.probabilities.values()):
                out |= x.free_symbols
        return out

    # -- solving --------------------------------------------------------------------------------
    def backward_induction(self, hypotheses: Sequence[sp.Basic] = (), timeout_ms: int = 5000) -> list[TreeBranch]:
        """Every region of the subgame-perfect equilibrium map (see the module docstring)."""
        self.validate()
        from ..solvers.regions import classify, simplify_condition

        hyps = list(hypotheses)
        cache: dict = {}

        def region_status(cond):
            if cond is sp.true:
                return "always"
            if cond is sp.false:
                return "never"
            key = cond
            if key not in cache:
                cache[key] = classify(cond, hyps, timeout_ms)
            return cache[key]

        def solve(name) -> list[TreeBranch]:
            node = self.nodes[name]
            if node.kind == "terminal":
                return [TreeBranch(sp.true, {}, node.payoffs)]
            labels = list(node.children)
            subs = [solve(node.children[a]) for a in labels]
            out = []
            for combo in itertools.product(*subs):
                joint = sp.And(*[b.region for b in combo])
                status = region_status(joint)
                if status == "never":
                    continue
                profile = {}
                for b in combo:
                    profile.update(b.profile)
                undecided = any(b.status != "decided" for b in combo) or status == "undecided"
                if node.kind == "chance":
                    u = tuple(sp.Add(*[node.probabilities[a] * b.payoffs[k] for a, b in zip(labels, combo)])
                              for k in range(len(self.players)))
                    out.append(TreeBranch(joint, profile, u, status="not decided" if undecided else "decided"))
                    continue
                i = self.players.index(node.player)
                for j, (a, b) in enumerate(zip(labels, combo)):
                    better = [sp.StrictGreaterThan(b.payoffs[i], c.payoffs[i]) if l < j else
                              sp.GreaterThan(b.payoffs[i], c.payoffs[i]) for l, c in enumerate(combo) if l != j]
                    cond = sp.And(joint, *better)
                    status_j = region_status(cond)
                    if status_j == "never":
                        continue
                    out.append(TreeBranch(cond, {**profile, name: a}, b.payoffs,
                                          status="not decided" if undecided or status_j == "undecided" else "decided"))
            return out

        branches = solve(self.root)
        order = list(self.nodes)
        for b in branches:
            if b.status == "decided":
                b.region = simplify_condition(b.region, hyps, timeout_ms)
            b.profile = dict(sorted(b.profile.items(), key=lambda kv: order.index(kv[0])))
            b.path = self.path(b.profile)
        return branches

    def path(self, profile: Mapping[str, str]) -> list[str]:
        """The actions along the play of ``profile`` (chance nodes: every outcome, as ``node:*``)."""
        out, name = [], self.root
        while self.nodes[name].kind == "decision":
            a = profile[name]
            out.append(a)
            name = self.nodes[name].children[a]
        if self.nodes[name].kind == "chance":
            out.append(f"{name}:*")
        return out

    # -- numbers --------------------------------------------------------------------------------
    def subs(self, values: Mapping) -> "ExtensiveGame":
        """A copy with ``values`` (symbol or name -> number) substituted."""
        names = {s.name: s for s in self.free_symbols}
        sub = {names.get(k, k) if isinstance(k, str) else k: sp.nsimplify(v) for k, v in values.items()}
        g = ExtensiveGame(self.name, self.players)
        for n, node in self.nodes.items():
            g.nodes[n] = Node(n, node.kind, node.player, dict(node.children),
                              {o: p.xreplace(sub) for o, p in node.probabilities.items()},
                              tuple(u.xreplace(sub) for u in node.payoffs), node.description)
        return g

    def to_efg(self, values: Mapping | None = None) -> str:
        """Gambit's ``.efg`` text of the game at numbers (``values`` for the free symbols)."""
        g = self.subs(values or {})
        if g.free_symbols:
            raise ValueError(f"to_efg needs numbers for {', '.join(sorted(s.name for s in g.free_symbols))}")

        def num(x) -> str:
            r = Fraction(str(sp.nsimplify(x)))
            return str(r.numerator) if r.denominator == 1 else f"{r.numerator}/{r.denominator}"

        lines = [f'EFG 2 R "{self.name}" {{ ' + " ".join(f'"{p}"' for p in self.players) + " }", '""']
        infoset = {p: 0 for p in self.players}
        chances, outcomes = [0], [0]

        def walk(name):
            node = g.nodes[name]
            if node.kind == "terminal":
                outcomes[0] += 1
                lines.append(f'{"t"} "{name}" {outcomes[0]} "" {{ ' + ", ".join(num(u) for u in node.payoffs) + " }")
                return
            if node.kind == "chance":
                chances[0] += 1
                body = " ".join(f'"{o}" {num(p)}' for o, p in node.probabilities.items())
                lines.append(f'c "{name}" {chances[0]} "" {{ {body} }} 0')
            else:
                pl = self.players.index(node.player) + 1
                infoset[node.player] += 1
                acts = " ".join(f'"{a}"' for a in node.children)
                lines.append(f'p "{name}" {pl} {infoset[node.player]} "" {{ {acts} }} 0')
            for child in node.children.values():
                walk(child)

        walk(g.root)
        return "\n".join(lines) + "\n"


def _compiled(game: ExtensiveGame):
    """The tree's payoffs and probabilities as one numeric function of the free symbols
    (memoised on the game)."""
    from ..numeric import lambdify

    cached = getattr(game, "_numeric", None)
    if cached is None:
        syms = sorted(game.free_symbols, key=lambda x: x.name)
        exprs, where = [], {}
        for n, node in game.nodes.items():
            for k, u in enumerate(node.payoffs):
                where[(n, "u", k)] = len(exprs)
                exprs.append(u)
            for o, pr in node.probabilities.items():
                where[(n, "p", o)] = len(exprs)
                exprs.append(pr)
        cached = game._numeric = (syms, lambdify(syms, exprs), where)
    return cached


def numeric_backward_induction(game: ExtensiveGame, point: Mapping) -> tuple[dict, tuple]:
    """Backward induction on the numeric tree at ``point`` (symbol or name -> number), in floats,
    ties to the first action listed: ``(profile, payoffs)`` -- the independent cross-check of
    :meth:`ExtensiveGame.backward_induction` (it never looks at the symbolic regions)."""
    syms, fn, where = _compiled(game)
    by_name = {(k.name if not isinstance(k, str) else k): float(v) for k, v in point.items()}
    values = [float(x) for x in fn(*[by_name[x.name] for x in syms])]
    players = game.players

    def solve(name):
        node = game.nodes[name]
        if node.kind == "terminal":
            return {}, tuple(values[where[(name, "u", k)]] for k in range(len(players)))
        results = {a: solve(c) for a, c in node.children.items()}
        profile = {}
        for prof, _ in results.values():
            profile.update(prof)
        if node.kind == "chance":
            u = tuple(sum(values[where[(name, "p", a)]] * results[a][1][k] for a in results)
                      for k in range(len(players)))
            return profile, u
        i = players.index(node.player)
        labels = list(results)
        best = max(labels, key=lambda a: (results[a][1][i], -labels.index(a)))
        profile[name] = best
        return profile, results[best][1]

    profile, payoffs = solve(game.root)
    order = list(game.nodes)
    return dict(sorted(profile.items(), key=lambda kv: order.index(kv[0]))), payoffs


@dataclass
class TreeMap:
    """The equilibrium map of a game tree: ``branches`` (regions with profile, path, payoffs),
    ``disjoint`` and ``covers`` (re-checked with z3: True, False or None when undecided)."""

    game: ExtensiveGame
    branches: list
    disjoint: bool | None
    covers: bool | None

    def at(self, point: Mapping) -> TreeBranch:
        """The branch whose region holds at ``point`` (symbol -> number)."""
        for b in self.branches:
            if bool(b.region.xreplace({k: sp.nsimplify(v) for k, v in point.items()})):
                return b
        raise ValueError("no region of the map holds at this point")

    def where(self, *path: str) -> sp.Basic:
        """The region where the equilibrium path starts with ``path`` (``where("In", "Fight")``):
        the disjunction of those branches' regions (``False`` if none)."""
        regions = [b.region for b in self.branches if tuple(b.path[:len(path)]) == tuple(path)]
        return sp.Or(*regions) if regions else sp.false

    def proposition(self) -> str:
        """The map as a sentence: 'If R1, then ...; if R2, then ...'."""
        parts = []
        for b in self.branches:
            play = ", ".join(b.path) or "no move"
            parts.append(f"if {sp.sstr(b.region)}, the equilibrium path is {play}")
        return "; ".join(parts) + "."

    def as_json(self) -> dict:
        """``{"game", "regions": [{"condition", "profile", "path", "payoffs", "status"}]}`` (strings
        readable by ``sympy.sympify``)."""
        return {"game": self.game.name, "disjoint": self.disjoint, "covers": self.covers,
                "regions": [{"condition": sp.sstr(b.region), "profile": dict(b.profile), "path": list(b.path),
                             "payoffs": {p: sp.sstr(sp.factor(u)) for p, u in zip(self.game.players, b.payoffs)},
                             "status": b.status} for b in self.branches]}


def cross_check_map(tmap: TreeMap, domain, n: int = 100, seed: int = 0) -> list[dict]:
    """For each region, ``n`` seeded draws of the domain inside it (``domain``: a
    :class:`symbolic.Domain`), each solved again by :func:`numeric_backward_induction`; returns per
    region ``{"region", "points", "mismatches": [point, ...]}`` (profile or payoffs different;
    payoffs compared to 1e-9 relative)."""
    import numpy as np

    from ..numeric import lambdify

    out = []
    names = sorted({s.name for s in tmap.game.free_symbols})
    for k, b in enumerate(tmap.branches):
        try:
            draws = domain.sample(n, np.random.default_rng(seed + k), given=[b.region], only=names)
        except Exception:  # the region has negligible volume (a boundary): nothing to draw
            out.append({"region": b.region, "points": 0, "mismatches": []})
            continue
        count = len(next(iter(draws.values()))) if draws else 1
        syms = sorted(tmap.game.free_symbols, key=lambda x: x.name)
        payoff_fns = [lambdify(syms, u) for u in b.payoffs]
        bad = []
        for i in range(count):
            point = {domain[nm].symbol: float(draws[nm][i]) for nm in draws}
            profile, payoffs = numeric_backward_induction(tmap.game, point)
            exact = [float(f(*[point[x] for x in syms])) for f in payoff_fns]
            if profile != b.profile or any(abs(x - y) > 1e-9 * (1 + abs(y)) for x, y in zip(payoffs, exact)):
                bad.append(point)
        out.append({"region": b.region, "points": count, "mismatches": bad})
    return out


def tree_map(game: ExtensiveGame, hypotheses: Sequence[sp.Basic] = (), timeout_ms: int = 5000) -> TreeMap:
    """Backward induction and the checks of the map (see the module docstring)."""
    from ..solvers.regions import classify

    branches = game.backward_induction(hypotheses, timeout_ms)
    hyps = list(hypotheses)
    disjoint: bool | None = True
    for a, b in itertools.combinations(branches, 2):
        verdict = classify(sp.And(a.region, b.region), hyps, timeout_ms)
        if verdict != "never":
            disjoint = False if verdict in ("always", "sometimes") else None
            break
    union = classify(sp.Or(*[b.region for b in branches]), hyps, timeout_ms) if branches else "never"
    covers = True if union == "always" else False if union in ("never", "sometimes") else None
    return TreeMap(game, branches, disjoint, covers)


__all__ = ["ExtensiveGame", "Node", "TreeBranch", "TreeMap", "cross_check_map", "numeric_backward_induction",
           "tree_map"]
