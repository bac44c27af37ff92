r"""Finite extensive-form games of complete information with symbolic payoffs -- with continuous
choices and simultaneous stages -- solved by symbolic backward induction into an equilibrium map.

**The tree.**  Nodes are named.  A *decision* node belongs to a player and lists its actions, each
leading to a child node; a *chance* node lists outcomes, each with a probability (an expression in
the parameters) and a child; a *terminal* node carries one payoff per player (expressions).  A
*choice* node (:meth:`ExtensiveGame.choice`) lets a player pick a number :math:`x \in [\ell, h]`
(a demand, an offer, a quantity; the ends are expressions in the parameters and the choices
made earlier) and has one child, whose payoffs may depend on :math:`x`.  Decision nodes may share
an *information set* (``infoset=``); :meth:`ExtensiveGame.simultaneous` builds the usual
simultaneous stage of two players this way.  The first node declared is the root.

:meth:`ExtensiveGame.validate` checks that every child exists, every node has one parent and no
node is its own descendant, every decision node has an action, every terminal a payoff for each
player, each chance node's probabilities sum to 1 (decided: simplification, then z3 over the
domain; a sum neither proved to be 1 nor refuted is an error saying so, never a pass), each
information set belongs to one player and its nodes have the same actions, an information set of
several nodes is a simultaneous stage (its nodes exactly the children of one node of another
player), and a choice's variable appears only below its node.

**Backward induction.**  Solving a node returns a finite list of *branches* ``(R, s, u)``: a region
:math:`R` of the parameter domain (a conjunction of relations), the strategy profile :math:`s` of
the subtree (an action at every information set, a number at every choice node, on and off the
path) and the payoff vector :math:`u` of the subtree in closed form.

* terminal: one branch, :math:`(\top, \emptyset, u)`;
* chance with outcomes :math:`(p_k, c_k)`: for each combination of the children's branches, the
  region is the conjunction of theirs and :math:`u = \sum_k p_k u^{(k)}`;
* decision of player :math:`i` with actions :math:`a_1, \dots, a_m` (children :math:`c_j`): for each
  combination of the children's branches (joint region :math:`R`), action :math:`a_j` is chosen on

  .. math:: R \;\wedge\; \bigwedge_{l < j} u_i^{(j)} > u_i^{(l)} \;\wedge\; \bigwedge_{l > j} u_i^{(j)} \ge u_i^{(l)},

  i.e. among the best actions **the first one listed wins a tie** (the stated tie-breaking rule);
* decision of player :math:`i` with a *private type* :math:`t` (``private=``, a parameter) and the
  others' *belief* :math:`\beta_a` that the player takes action :math:`a` (``belief=``): each
  type's action is chosen as above, so the regions are cutoff conditions in :math:`t` (the marginal
  type is indifferent); player :math:`i`'s payoff is its own, every other player's is the expected
  :math:`\sum_a \beta_a u_k^{(a)}` -- they choose earlier without seeing :math:`t`.  The belief is
  given (a parameter, an expression), or *derived* from the type's prior :math:`F`
  (``belief=`` a bound distribution of :mod:`symbolic.distributions`, two actions): the marginal
  type :math:`\hat t` is indifferent (the payoff difference linear in :math:`t`, its coefficient's
  sign decided), so the first action has probability :math:`F(\hat t)` when the types below take
  it and :math:`1 - F(\hat t)` otherwise (:func:`marginal_type`); the numeric route instead
  expects over the types by quadrature on the support (each cell's type its best action);
  :meth:`ExtensiveGame.prefers` gives the comparisons behind these regions as preferences a model
  solves into its named cutoffs;
* simultaneous stage (a decision node of player :math:`i` whose children form one information set
  of player :math:`j \ne i`): for each combination of the grandchildren's branches (region
  :math:`R`) the stage is a bimatrix game with those payoffs; its pure Nash equilibria and the
  region of each come from the exact normal-form route
  (:func:`symbolic.games.nash_map.equilibrium_map`, supports of size one):
  :math:`(a^*, b^*)` is one on :math:`R \wedge \bigwedge_{a} u_i(a^*, b^*) \ge u_i(a, b^*) \wedge
  \bigwedge_b u_j(a^*, b^*) \ge u_j(a^*, b)`.  Every pure equilibrium gets its own branch -- no
  selection: where several coexist the branches overlap and each says so in its ``note``.
  Mixed equilibria of a stage are not part of the map (it lists pure-strategy subgame-perfect
  equilibria); where a stage has no pure equilibrium no branch covers the point and
  :attr:`TreeMap.covers` is not ``True``;
* choice of player :math:`i` over :math:`x \in [\ell, h]` with child :math:`c`: the subtree is
  solved first **as a function of** :math:`x` (with :math:`\ell \le x \le h` among the
  hypotheses), giving branches :math:`(R_k(\theta, x), s_k, u^{(k)}(\theta, x))`.  Each region, in
  disjunctive normal form, is a union of conjunctions; in each conjunction the relations in
  :math:`x` must be linear in :math:`x` with a coefficient of decided sign, so the conjunction is
  an interval :math:`x \in [L, H]` (each end open or closed, the tightest of the bounds -- a case
  split with ties to the bound listed first) on the :math:`x`-free rest :math:`C`.  On each such
  *piece*, player :math:`i` maximises :math:`f = u_i^{(k)}` over :math:`[L, H]`:

  - :math:`f_x \equiv 0`: every point is optimal; the stated rule takes the lowest attained point
    (the midpoint of an open piece; the branch's ``note`` says the player is indifferent, and the
    numeric cross-check compares its payoffs only);
  - :math:`f_x > 0` (or :math:`< 0`) on the piece, decided by z3: the upper (lower) end;
  - otherwise :func:`symbolic.solvers.optimum.derive_optimum`: the first-order condition's unique
    critical point :math:`x^\circ` with the second-order condition decided (strict concavity, or
    :math:`f_{xx}(x^\circ) < 0`), and the corners :math:`L` where :math:`x^\circ \le L`, :math:`H`
    where :math:`x^\circ \ge H` (Kuhn--Tucker).

  Each candidate :math:`x^*_c(\theta)` holds on its condition :math:`C_c` with value
  :math:`v_c = f(x^*_c)`.  The player's choice is candidate :math:`c` on

  .. math:: C_c \;\wedge\; \bigwedge_{d \ne c} \bigl(\neg C_d \vee v_c \succ v_d\bigr)

  over the candidates :math:`d` of the other pieces, where :math:`\succ` is :math:`\ge` if
  :math:`c` comes first (child's branch order) and :math:`>` otherwise.  An open end is a
  supremum, not a maximum: it competes (it loses every tie) but where it wins the branch says
  ``no equilibrium`` (the tie rules leave the player without a best choice there).  The
  branch carries :math:`x^*` in closed form (``choices``; the profile shows ``x = ...``), and the
  subtree's profile and payoffs at :math:`x = x^*` -- the play that follows the equilibrium
  choice (later players' replies to other choices are the branches of the subtree).  A
  simultaneous stage below a continuous choice is refused (its equilibria would need a selection
  at every :math:`x`; maximising over them would silently select the chooser's favourite).

Every region is decided with z3 over the domain (:func:`symbolic.solvers.classify`): regions that
are empty are dropped, conditions that hold everywhere are removed, and the rest is written simply
(:func:`symbolic.solvers.simplify_condition`).  A region z3 cannot decide (not polynomial, or its
time budget spent) is kept and marked *not decided* -- never dropped, never reported as decided.
Without simultaneous stages the regions of the root are pairwise disjoint and cover the domain
(under the tie rules every point has exactly one best action at every node); :class:`TreeMap`
re-checks both with z3 (branches that select different equilibria of a stage may overlap: they
are different equilibria).

The result is a subgame-perfect equilibrium in pure strategies on each region.
:func:`numeric_equilibria` (and :func:`numeric_backward_induction`, its first) is the independent
numeric route used to cross-check the map at sample points: backward induction on the numeric
tree, every pure equilibrium of a simultaneous stage by enumeration, and a continuous choice by
numeric maximisation (a dense grid, zoomed eleven times around the best point, and SciPy's bounded
scalar minimiser on the best cell -- never the first-order condition); :func:`cross_check_map`
compares choices and payoffs to :data:`CHOICE_TOL`.  :meth:`ExtensiveGame.to_efg` writes Gambit's
``.efg`` at numbers (information sets included; a continuous choice has no ``.efg``).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Mapping, Sequence

import sympy as sp

#: choices and payoffs of a game with continuous choices are compared to this (absolute plus
#: relative) tolerance in :func:`cross_check_map`; finite games to 1e-9.  A numeric maximiser
#: locates a smooth interior maximum only to about the square root of the objective's precision,
#: and below a nested choice the objective is itself a numeric optimum (a Stackelberg leader's
#: quantity comes out within about 3e-6 of the exact one)
CHOICE_TOL = 1e-4

#: payoffs in a game with continuous choices are compared to ``PAYOFF_SCALE * CHOICE_TOL``: a player's
#: own payoff is flat at its optimum, but the others' move at first order with the numeric choice's
#: error (a Stackelberg follower's profit off by 1.5e-4, relatively, where the leader's quantity is off
#: by 7e-5)
PAYOFF_SCALE = 10

#: the numeric route counts two payoffs within this (relative) distance as a tie -- broken, as in the
#: symbolic map, for the action listed first -- so an exact tie evaluated in floating point is not
#: decided by rounding noise
TIE_TOL = 1e-12


@dataclass
class Node:
    """One node: ``kind`` is ``decision``, ``chance``, ``terminal`` or ``choice``."""

    name: str
    kind: str
    player: str | None = None
    children: dict = field(default_factory=dict)       # action or outcome -> child name
    probabilities: dict = field(default_factory=dict)  # chance: outcome -> probability
    payoffs: tuple = ()                                # terminal: one per player
    description: str = ""
    infoset: str | None = None                         # decision: the information set (default: the name)
    variable: sp.Symbol | None = None                  # choice: the number chosen
    lo: sp.Basic | None = None                         # choice: its interval
    hi: sp.Basic | None = None
    private: sp.Symbol | None = None                   # decision: the player's private type (a parameter)
    distribution: object | None = None                 # decision: the type's prior (the belief is derived)
    outcome: str | None = None                         # terminal: the payoff table's outcome it is


@dataclass
class TreeBranch:
    """One region of the equilibrium map: where it holds, the profile, the path and the payoffs;
    ``choices`` the value of every continuous choice (closed form), ``note`` what to know
    (several equilibria of a stage coexist here, a player is indifferent)."""

    region: sp.Basic
    profile: dict
    payoffs: tuple
    path: list = field(default_factory=list)
    status: str = "decided"  # "not decided" (z3 could not tell), "no equilibrium" (a supremum not attained)
    choices: dict = field(default_factory=dict)
    note: str = ""


class ExtensiveGame:
    """A finite game tree with symbolic payoffs; see the module docstring."""

    def __init__(self, name: str, players: Sequence[str], read=sp.sympify, error=ValueError):
        self.name = name
        self.players = tuple(players)
        self.error = error
        if len(set(self.players)) != len(self.players) or not self.players:
            raise self.error("give one or more distinct player names")
        self.nodes: dict[str, Node] = {}
        self.read = read
        self.outcome = None  # outcome name -> payoffs in player order (a model sets its payoff table)
        self.within_of = None  # variable -> (lo, hi): a model gives its unknowns' domains
        self.table = None  # the model's payoff table (symbolic.payoffs.Game), for prefers

    # -- building -----------------------------------------------------------------------------
    def _add(self, node: Node) -> None:
        if node.name in self.nodes:
            raise self.error(f"node {node.name!r} is declared twice")
        self.nodes[node.name] = node

    def _value(self, x):
        return self.read(x) if isinstance(x, str) else sp.sympify(x)

    def _player(self, name, player):
        if player not in self.players:
            raise self.error(f"node {name}: unknown player {player!r}; players are {', '.join(self.players)}")

    def decision(self, name: str, player: str, actions: Mapping[str, str], description: str = "",
                 infoset: str | None = None, private=None, belief=None) -> None:
        """A decision node of ``player``: ``actions`` maps each action to the child node's name;
        nodes with the same ``infoset`` label form one information set (default: the node alone).

        ``private``: the player's private type (a parameter, or its name) -- each type takes its
        best action, and the other players, who do not see it, value the node by ``belief``: the
        probability they give each action (a mapping, or with two actions the probability of the
        first), expressions summing to 1 (see the module docstring)."""
        self._player(name, player)
        if not actions:
            raise self.error(f"node {name} has no actions")
        node = Node(name, "decision", player, dict(actions), description=description, infoset=infoset or name)
        if (private is None) != (belief is None):
            raise self.error(f"node {name}: give both private= (the player's type) and belief= (what the others "
                             "believe about the action), or neither")
        if private is not None:
            node.private = self._value(private)
            if not isinstance(node.private, sp.Symbol):
                raise self.error(f"node {name}: the private type must be a parameter, not {private!r}")
            labels = list(actions)
            if hasattr(belief, "cdf"):  # the type's prior: the belief follows from the marginal type
                if len(labels) != 2:
                    raise self.error(f"node {name}: a belief derived from the type's distribution needs two actions "
                                     f"(the node has {len(labels)})")
                node.distribution = belief
                self._add(node)
                return
            if not isinstance(belief, Mapping):
                if len(labels) != 2:
                    raise self.error(f"node {name}: with {len(labels)} actions give the belief as a mapping "
                                     "action -> probability")
                first = self._value(belief)
                belief = {labels[0]: first, labels[1]: 1 - first}
            unknown = [a for a in belief if a not in actions]
            if unknown or len(belief) != len(labels):
                raise self.error(f"node {name}: the belief must give each action ({', '.join(labels)}) a probability")
            node.probabilities = {a: self._value(belief[a]) for a in labels}
        self._add(node)

    def chance(self, name: str, outcomes: Mapping[str, tuple], description: str = "") -> None:
        """A chance node: ``outcomes`` maps each outcome to ``(probability, child name)``."""
        if not outcomes:
            raise self.error(f"chance node {name} has no outcomes")
        self._add(Node(name, "chance", None, {o: c for o, (_, c) in outcomes.items()},
                       {o: self._value(p) for o, (p, _) in outcomes.items()}, description=description))

    def simultaneous(self, name: str, actions: Mapping[str, Sequence[str]], children: Mapping[tuple, str],
                     description: str = "") -> None:
        """A simultaneous stage of two players: ``actions`` maps each player to their actions,
        ``children`` each action profile (in that player order) to the child node.  Built as a
        node ``name`` of the first player whose children ``name/<action>`` form the information
        set ``name/<second player>``; the profile names the stage's moves ``name/<player>``."""
        if len(actions) != 2:
            raise self.error(f"simultaneous stage {name}: give the actions of two players")
        (p1, a1), (p2, a2) = actions.items()
        for p in (p1, p2):
            self._player(name, p)
        if p1 == p2:
            raise self.error(f"simultaneous stage {name}: the two players must differ")
        missing = [prof for prof in itertools.product(a1, a2) if tuple(prof) not in children]
        if missing:
            raise self.error(f"simultaneous stage {name}: no child for the profile {missing[0]}")
        if not a1 or not a2:
            raise self.error(f"simultaneous stage {name} has no actions for {p1 if not a1 else p2}")
        self.decision(name, p1, {a: f"{name}/{a}" for a in a1}, description, infoset=f"{name}/{p1}")
        for a in a1:
            self.decision(f"{name}/{a}", p2, {b: children[(a, b)] for b in a2}, infoset=f"{name}/{p2}")

    def choice(self, name: str, player: str, variable, child: str, within: tuple | None = None,
               description: str = "") -> None:
        """A continuous choice: ``player`` picks ``variable`` (a symbol, or the name of a model's
        unknown) in ``within = (lo, hi)`` (numbers or expressions in the parameters and earlier
        choices; by default the unknown's domain in a model); the game continues at ``child``."""
        self._player(name, player)
        var = self._value(variable) if isinstance(variable, str) else variable
        if not isinstance(var, sp.Symbol):
            raise self.error(f"choice node {name}: the variable must be a symbol, not {variable!r}")
        if any(n.variable == var for n in self.nodes.values()):
            raise self.error(f"choice node {name}: {var} is chosen at two nodes")
        if within is None and self.within_of is not None:
            within = self.within_of(var)
        if within is None or len(within) != 2 or any(b is None for b in within):
            raise self.error(f"choice node {name}: give a bounded interval within=(lo, hi) for {var}")
        lo, hi = (self._value(b) for b in within)
        self._add(Node(name, "choice", player, {str(var): child}, description=description, variable=var, lo=lo, hi=hi))

    def terminal(self, name: str, payoffs, description: str = "") -> None:
        """A terminal node: ``payoffs`` in player order, a mapping player -> payoff, or the name of
        an outcome of the model's payoff table."""
        outcome = None
        if isinstance(payoffs, str):
            if self.outcome is None:
                raise self.error(f"terminal {name}: {payoffs!r} names an outcome, but the game has no payoff table")
            outcome, payoffs = payoffs, self.outcome(payoffs)
        if isinstance(payoffs, Mapping):
            missing = [p for p in self.players if p not in payoffs]
            if missing:
                raise self.error(f"terminal {name} has no payoff for {', '.join(missing)}")
            payoffs = [payoffs[p] for p in self.players]
        if payoffs is None or len(payoffs) != len(self.players):
            raise self.error(f"terminal {name} needs one payoff per player ({len(self.players)})")
        if any(u is None for u in payoffs):
            raise self.error(f"terminal {name}: a payoff is missing (None)")
        self._add(Node(name, "terminal", payoffs=tuple(self._value(u) for u in payoffs), description=description,
                       outcome=outcome))

    @property
    def root(self) -> str:
        if not self.nodes:
            raise self.error(f"game {self.name} has no nodes")
        return next(iter(self.nodes))

    @property
    def variables(self) -> list:
        """The symbols of the continuous choices, in node order."""
        return [n.variable for n in self.nodes.values() if n.kind == "choice"]

    def infosets(self) -> dict:
        """Information set label -> its decision nodes (in declaration order)."""
        out: dict = {}
        for n in self.nodes.values():
            if n.kind == "decision":
                out.setdefault(n.infoset, []).append(n.name)
        return out

    def _stage_of(self) -> dict:
        """Decision node -> the information set of several nodes formed by its children (the
        simultaneous stages)."""
        out = {}
        parents = {c: n.name for n in self.nodes.values() for c in n.children.values()}
        for label, members in self.infosets().items():
            if len(members) < 2:
                continue
            top = {parents.get(m) for m in members}
            parent = self.nodes.get(next(iter(top))) if len(top) == 1 and None not in top else None
            if parent is None or parent.kind != "decision" or sorted(parent.children.values()) != sorted(members) \
                    or parent.player == self.nodes[members[0]].player or len(self.infosets()[parent.infoset]) != 1:
                raise self.error(f"information set {label}: backward induction solves an information set of several "
                                 "nodes only as a simultaneous stage (its nodes exactly the children of one decision "
                                 "node of another player)")
            out[parent.name] = label
        return out

    def validate(self, hypotheses: Sequence[sp.Basic] = (), timeout_ms: int = 5000) -> None:
        """Raise ``self.error`` (one line, naming the node or information set) for a malformed
        tree; see the module docstring."""
        parents: dict[str, str] = {}
        for node in self.nodes.values():
            for child in node.children.values():
                if child not in self.nodes:
                    raise self.error(f"node {node.name}: child {child!r} is not a node of the game")
                if child in parents:
                    raise self.error(f"node {child} has two parents ({parents[child]} and {node.name}): a tree "
                                     "node is reached one way")
                parents[child] = node.name
            if node.kind == "chance" or (node.private is not None and node.distribution is None):
                self._check_probabilities(node, hypotheses, timeout_ms)
        if self.root in parents:
            raise self.error(f"the root {self.root} has a parent ({parents[self.root]}): the tree has a cycle")
        unreached = [n for n in self.nodes if n != self.root and n not in parents]
        if unreached:
            raise self.error(f"node {unreached[0]} is not reached from the root {self.root}")
        for label, members in self.infosets().items():
            first = self.nodes[members[0]]
            for m in members[1:]:
                node = self.nodes[m]
                if node.player != first.player:
                    raise self.error(f"information set {label} spans two players ({first.player} at {first.name}, "
                                     f"{node.player} at {node.name}): an information set belongs to one player")
                if list(node.children) != list(first.children):
                    raise self.error(f"information set {label}: nodes {first.name} and {node.name} have different "
                                     f"actions ({', '.join(first.children)} / {', '.join(node.children)})")
        # a choice's variable only below its node
        allowed: dict[str, set] = {}

        def walk(name, known):
            node = self.nodes[name]
            allowed[name] = known
            inner = known | ({node.variable} if node.kind == "choice" else set())
            for child in node.children.values():
                walk(child, inner)

        walk(self.root, set())
        stages = self._stage_of()
        for node in self.nodes.values():
            if node.kind == "choice":
                below = [n for n in stages if node.variable in allowed[n] and n != node.name]
                if below:
                    raise self.error(f"choice node {node.name}: the simultaneous stage {below[0]} below a continuous "
                                     "choice is not solved (its equilibria would need a selection at every value of "
                                     f"{node.variable})")
        chosen = set(self.variables)
        for node in self.nodes.values():
            exprs = [*node.payoffs, *node.probabilities.values()]
            if node.kind == "choice":
                exprs += [node.lo, node.hi]
            for e in exprs:
                stray = (e.free_symbols & chosen) - allowed[node.name]
                if stray:
                    raise self.error(f"node {node.name} uses the choice {sorted(map(str, stray))[0]} made elsewhere "
                                     "(a choice's variable appears only below its node)")

    def _check_probabilities(self, node: Node, hypotheses, timeout_ms) -> None:
        from ..decide import NotEncodable, decide

        for outcome, p in node.probabilities.items():  # each in [0, 1]: refuted is an error
            if p.is_number:
                ok = bool(0 <= p <= 1)
            else:
                try:
                    ok = decide(list(hypotheses), sp.And(p >= 0, p <= 1), timeout_ms).outcome != "refuted"
                except NotEncodable:
                    ok = True
            if not ok:
                raise self.error(f"{_what(node)}: the probability of {outcome}, {sp.sstr(p)}, is outside [0, 1] on part "
                                 "of the domain")
        total = sum(node.probabilities.values()) - 1
        if sp.simplify(total) == 0:
            return
        try:
            verdict = decide(list(hypotheses), sp.Eq(sp.simplify(total), 0), timeout_ms)
        except NotEncodable as exc:
            raise self.error(f"{_what(node)}: could not decide that the probabilities sum to 1 "
                             f"(simplification leaves 1 + ({sp.simplify(total)}); z3 cannot encode it: "
                             f"{str(exc).splitlines()[0] if str(exc) else 'not polynomial'})") from None
        if verdict.outcome == "proved":
            return
        if verdict.outcome == "refuted":
            raise self.error(f"{_what(node)}: the probabilities sum to 1 + ({sp.simplify(total)}), not 1")
        raise self.error(f"{_what(node)}: could not decide that the probabilities sum to 1 (z3: "
                         f"{verdict.outcome}; simplification leaves 1 + ({sp.simplify(total)}))")

    @property
    def free_symbols(self) -> set:
        """The parameters of the game (the choices' variables excluded)."""
        out: set = set()
        for node in self.nodes.values():
            for x in (*node.payoffs, *node.probabilities.values(), *((node.lo, node.hi) if node.kind == "choice" else ()),
                      *((node.distribution.cdf(node.private),) if node.distribution is not None else ())):
                out |= x.free_symbols
        return out - set(self.variables)

    # -- solving --------------------------------------------------------------------------------
    def backward_induction(self, hypotheses: Sequence[sp.Basic] = (), timeout_ms: int = 5000) -> list[TreeBranch]:
        """Every region of the subgame-perfect equilibrium map (see the module docstring)."""
        self.validate(hypotheses, timeout_ms)
        from ..solvers.regions import classify, simplify_condition

        hyps = list(hypotheses)
        cache: dict = {}
        stages = self._stage_of()

        def region_status(cond, ctx=()):
            if cond is sp.true:
                return "always"
            if cond is sp.false:
                return "never"
            key = (cond, tuple(ctx))
            if key not in cache:
                cache[key] = classify(cond, hyps + list(ctx), timeout_ms)
            return cache[key]

        def merged(combo):
            profile, choices = {}, {}
            for b in combo:
                profile.update(b.profile)
                choices.update(b.choices)
            return profile, choices

        def notes(combo, extra=""):
            return "; ".join(dict.fromkeys([b.note for b in combo if b.note] + ([extra] if extra else [])))

        def worst(combo, status):
            kinds = [b.status for b in combo] + [status]
            if "no equilibrium" in kinds:
                return "no equilibrium"
            return "not decided" if "not decided" in kinds or "undecided" in kinds else "decided"

        def solve(name, ctx) -> list[TreeBranch]:
            node = self.nodes[name]
            if node.kind == "terminal":
                return [TreeBranch(sp.true, {}, node.payoffs)]
            if node.kind == "choice":
                return solve_choice(node, ctx)
            if name in stages:
                return solve_stage(node, stages[name], ctx)
            labels = list(node.children)
            subs = [solve(node.children[a], ctx) for a in labels]
            out = []
            for combo in itertools.product(*subs):
                joint = sp.And(*[b.region for b in combo])
                status = region_status(joint, ctx)
                if status == "never":
                    continue
                profile, choices = merged(combo)
                if node.kind == "chance":
                    u = tuple(sp.Add(*[node.probabilities[a] * b.payoffs[k] for a, b in zip(labels, combo)])
                              for k in range(len(self.players)))
                    out.append(TreeBranch(joint, profile, u, status=worst(combo, status), choices=choices,
                                          note=notes(combo)))
                    continue
                i = self.players.index(node.player)
                expected, told = _believed(node, labels, [b.payoffs for b in combo], i, hyps + list(ctx), timeout_ms,
                                           self.error)
                for j, (a, b) in enumerate(zip(labels, combo)):
                    better = [sp.StrictGreaterThan(b.payoffs[i], c.payoffs[i]) if l < j else
                              sp.GreaterThan(b.payoffs[i], c.payoffs[i]) for l, c in enumerate(combo) if l != j]
                    cond = sp.And(joint, *better)
                    status_j = region_status(cond, ctx)
                    if status_j == "never":
                        continue
                    u = b.payoffs if expected is None else tuple(b.payoffs[i] if k == i else expected[k]
                                                                 for k in range(len(self.players)))
                    out.append(TreeBranch(cond, {**profile, node.infoset: a}, u, status=worst(combo, status_j),
                                          choices=choices, note=notes(combo, told)))
            return out

        def solve_stage(node, label, ctx) -> list[TreeBranch]:
            from .nash_map import equilibrium_map
            from .normal_form import NormalFormGame

            rows = list(node.children)
            second = self.nodes[node.children[rows[0]]]
            cols = list(second.children)
            cells = [(a, b) for a in rows for b in cols]
            subs = [solve(self.nodes[node.children[a]].children[b], ctx) for a, b in cells]
            i, j = self.players.index(node.player), self.players.index(second.player)
            out = []
            for combo in itertools.product(*subs):
                joint = sp.And(*[b.region for b in combo])
                status = region_status(joint, ctx)
                if status == "never":
                    continue
                cell = dict(zip(cells, combo))
                nf = NormalFormGame((node.player, second.player), (rows, cols),
                                    {ab: (cell[ab].payoffs[i], cell[ab].payoffs[j]) for ab in cells}, node.name)
                within = hyps + list(ctx) + ([joint] if joint is not sp.true else [])
                emap = equilibrium_map(nf, within, max_support=1, timeout_ms=timeout_ms)
                eqs = [(e.support[node.player][0], e.support[second.player][0], e.region) for e in emap.equilibria]
                profile, choices = merged(combo)
                for a, b, region in eqs:
                    others = [f"({a2}, {b2})" for a2, b2, r2 in eqs if (a2, b2) != (a, b)
                              and classify(sp.And(region, r2), within, timeout_ms) != "never"]
                    note = (f"stage {node.name}: several pure equilibria coexist on part of this region (also "
                            f"{', '.join(others)})") if others else ""
                    cond = sp.And(joint, region)
                    status_e = region_status(cond, ctx)
                    if status_e == "never":
                        continue
                    c = cell[(a, b)]
                    out.append(TreeBranch(cond, {**profile, node.infoset: a, second.infoset: b}, c.payoffs,
                                          status=worst(combo, status_e), choices=choices, note=notes(combo, note)))
            return out

        def solve_choice(node, ctx) -> list[TreeBranch]:
            x = node.variable
            inner_ctx = tuple(ctx) + (sp.GreaterThan(x, node.lo), sp.LessThan(x, node.hi))
            subs = solve(node.children[str(x)], inner_ctx)
            i = self.players.index(node.player)
            known = hyps + list(ctx)
            candidates = []  # (piece id, value, condition, attained, branch, note)
            for k, b in enumerate(subs):
                for d, conj in enumerate(_disjuncts(b.region)):
                    other = [a for a in conj if x not in a.free_symbols]
                    lows, highs = [(node.lo, False)], [(node.hi, False)]
                    for atom in conj:
                        if x in atom.free_symbols:
                            for side, bound, strict in _bounds(atom, x, known + other, timeout_ms, self.error, node.name):
                                (lows if side == "lo" else highs).append((bound, strict))
                    for (li, (L, ls)), (hi_, (H, hs)) in itertools.product(enumerate(lows), enumerate(highs)):
                        # the tightest bound; of equal ones a strict one, then the first listed
                        tight = [L >= L2 if _wins(ls, li, s2, l2) else L > L2
                                 for l2, (L2, s2) in enumerate(lows) if l2 != li] + \
                                [H <= H2 if _wins(hs, hi_, s2, h2) else H < H2
                                 for h2, (H2, s2) in enumerate(highs) if h2 != hi_]
                        cond = sp.And(*other, *tight, (L < H) if (ls or hs) else (L <= H))
                        if region_status(cond, ctx) == "never":
                            continue
                        for value, where, attained, note in self._piece_optimum(
                                node, b.payoffs[i], L, ls, H, hs, known + ([cond] if cond is not sp.true else []),
                                timeout_ms):
                            c = sp.And(cond, where)
                            if region_status(c, ctx) == "never":
                                continue
                            candidates.append(((k, d), value, c, attained, b, note))
            out = []
            for c, (piece, value, cond, attained, b, note) in enumerate(candidates):
                v = _tidy(b.payoffs[i].xreplace({x: value}))
                terms = [cond]
                for e, (piece2, value2, cond2, attained2, b2, _) in enumerate(candidates):
                    if piece2 == piece:
                        continue  # the candidates of one piece are exclusive by construction
                    v2 = _tidy(b2.payoffs[i].xreplace({x: value2}))
                    beats = sp.GreaterThan(v, v2) if (attained and (e > c or not attained2)) else sp.StrictGreaterThan(v, v2)
                    terms.append(sp.Or(sp.Not(cond2), beats))
                region = sp.And(*terms)
                status = region_status(region, ctx)
                if status == "never":
                    continue
                sub = {x: value}
                profile = dict(b.profile)
                choices = {n: _tidy(val.xreplace(sub)) for n, val in b.choices.items()}
                choices[node.name] = _tidy(value)
                payoffs = tuple(_tidy(u.xreplace(sub)) for u in b.payoffs)
                extra = note
                st = worst([b], status)
                if not attained:
                    st = "no equilibrium"
                    extra = (f"node {node.name}: the supremum of {node.player}'s payoff at {x} -> {sp.sstr(value)} is "
                             "not attained (the tie rule below makes it unattainable)")
                out.append(TreeBranch(region, profile, payoffs, status=st, choices=choices, note=notes([b], extra)))
            return out

        branches = solve(self.root, ())
        for b in branches:
            if b.status == "decided":
                b.region = simplify_condition(b.region, hyps, timeout_ms)
        self._finish(branches)
        return branches

    def _piece_optimum(self, node, f, L, ls, H, hs, hyps, timeout_ms):
        """The maximisers of ``f`` over ``x`` in the piece ``[L, H]`` (``ls``/``hs``: the end is
        open) under ``hyps``: ``[(value, condition, attained, note)]`` (see the module docstring)."""
        from ..decide import NotEncodable, decide
        from ..errors import DerivationError
        from ..solvers.optimum import derive_optimum

        x = node.variable
        fx = sp.together(sp.diff(f, x))
        if sp.simplify(fx) == 0:
            if not ls:
                pick, attained = L, True
            elif not hs:
                pick, attained = H, True
            else:
                pick, attained = (L + H) / 2, True
            return [(pick, sp.true, attained, f"node {node.name}: {node.player} is indifferent over the piece "
                                                f"[{sp.sstr(L)}, {sp.sstr(H)}]; the lowest attained point is taken "
                                                "(the midpoint if neither end is)")]
        within = list(hyps) + [sp.GreaterThan(x, L), sp.LessThan(x, H)]
        for sign, end, strict in ((1, H, hs), (-1, L, ls)):
            try:
                mono = decide(within, (sign * fx) > 0, timeout_ms).outcome == "proved"
            except NotEncodable:
                mono = False
            if mono:
                return [(end, sp.true, not strict, "")]
        try:
            opt = derive_optimum(f"choice node {node.name}", f, x, [sp.GreaterThan(x, L), sp.LessThan(x, H)],
                                 list(hyps), True, timeout_ms=timeout_ms)
        except DerivationError as exc:
            raise self.error(str(exc).splitlines()[0]) from None
        out = []
        for value, cond in opt.corners:
            out.append((value, cond, not (ls if value == L else hs), ""))
        if opt.interior is not sp.false:
            out.append((opt.critical, opt.interior, True, ""))
        return out

    def _finish(self, branches) -> None:
        order = {n: k for k, n in enumerate(self.nodes)}
        sets = {n.infoset: order[n.name] for n in reversed(list(self.nodes.values())) if n.kind == "decision"}
        key = {**{n.name: order[n.name] for n in self.nodes.values() if n.kind == "choice"}, **sets}
        for b in branches:
            for n, v in b.choices.items():
                b.profile[n] = f"{self.nodes[n].variable} = {sp.sstr(v)}"
            b.profile = dict(sorted(b.profile.items(), key=lambda kv: key.get(kv[0], len(order))))
            b.path = self.path(b.profile)

    def check_path(self, path: Sequence[str]) -> None:
        """Raise ``self.error`` unless ``path`` can be played from the root: each action one of the
        node's actions there (a continuous choice: any ``x = ...`` entry), chance nodes as ``node:*``."""
        name = self.root
        for k, step in enumerate(path):
            node = self.nodes[name]
            if node.kind == "terminal":
                raise self.error(f"the path {list(path)} goes on after the terminal {name} "
                                 f"(step {k + 1}, {step!r})")
            if node.kind == "chance":
                if step != f"{name}:*":
                    raise self.error(f"step {k + 1} of {list(path)} is at the chance node {name}; "
                                     f"write it {name + ':*'!r}")
                return
            if node.kind == "choice":
                name = node.children[str(node.variable)]
                continue
            if step not in node.children:
                raise self.error(f"{step!r} is not an action at node {name} "
                                 f"({', '.join(node.children)}); the path was {list(path)}")
            name = node.children[step]

    def path(self, profile: Mapping[str, str]) -> list[str]:
        """The actions along the play of ``profile`` (a choice as ``x = value``; chance nodes:
        every outcome, as ``node:*``)."""
        out, name = [], self.root
        while self.nodes[name].kind in ("decision", "choice"):
            node = self.nodes[name]
            if node.kind == "choice":
                out.append(profile[name])
                name = node.children[str(node.variable)]
                continue
            a = profile[node.infoset]
            out.append(a)
            name = node.children[a]
        if self.nodes[name].kind == "chance":
            out.append(f"{name}:*")
        return out

    # -- comparisons for cutoffs ----------------------------------------------------------------
    def continuation(self, name: str, given: Mapping[str, str] | None = None) -> dict:
        """The lottery over the payoff table's outcomes (outcome -> probability) that play from node
        ``name`` reaches when the actions in ``given`` (information set -> action) are taken:
        a chance node by its probabilities, a node with a private type by the others' belief
        (unless ``given`` fixes its action).  Any other decision on the way must be in ``given``."""
        node = self.nodes.get(name)
        if node is None:
            raise self.error(f"no node {name!r} in game {self.name}")
        given = dict(given or {})
        if node.kind == "terminal":
            if node.outcome is None:
                raise self.error(f"terminal {name} is not an outcome of the payoff table (give its payoffs by the "
                                 "outcome's name to compare lotteries over it)")
            return {node.outcome: sp.Integer(1)}
        if node.kind == "choice":
            raise self.error(f"node {name} is a continuous choice: the lottery after it depends on the value chosen")
        if node.kind == "decision" and node.infoset in given:
            action = given[node.infoset]
            if action not in node.children:
                raise self.error(f"node {name}: {action!r} is not an action ({', '.join(node.children)})")
            return self.continuation(node.children[action], given)
        if node.kind == "decision" and node.private is None:
            raise self.error(f"the play from node {name} needs {node.player}'s action there: give it in given= "
                             f"({', '.join(node.children)})")
        out: dict = {}
        for a, child in node.children.items():
            for o, w in self.continuation(child, given).items():
                out[o] = out.get(o, 0) + node.probabilities[a] * w
        return out

    def prefers(self, node: str, first: str, second: str, given: Mapping[str, str] | None = None,
                at: Mapping | None = None, label: str = ""):
        """The preference of the player moving at decision ``node`` for action ``first`` over
        ``second``, comparing the lotteries over outcomes that follow (:meth:`continuation`, the
        later actions in ``given``), as a :class:`~symbolic.payoffs.Preference` of the model's
        payoff table that :meth:`symbolic.Model.cutoff` solves into a cutoff.  ``at`` substitutes
        values in both sides (e.g. the highest type)."""
        n = self.nodes.get(node)
        if n is None or n.kind != "decision":
            raise self.error(f"prefers: {node!r} is not a decision node of game {self.name}")
        if first == second:
            raise self.error(f"prefers at node {node}: {first!r} is compared with itself")
        sets = {m.infoset for m in self.nodes.values() if m.kind == "decision"}
        for key in given or {}:
            if key not in sets:
                raise self.error(f"prefers at node {node}: given= names {key!r}, not a decision node (or information "
                                 f"set) of game {self.name}: {', '.join(sorted(sets))}")
        if self.table is None:
            raise self.error(f"prefers: game {self.name} has no payoff table (declare the model's payoffs first)")
        sides = []
        for action in (first, second):
            if action not in n.children:
                raise self.error(f"node {node}: {action!r} is not an action ({', '.join(n.children)})")
            lottery = self.continuation(n.children[action], given)
            if len(lottery) == 1 and next(iter(lottery.values())) == 1:
                lottery = next(iter(lottery))
            if at:
                value = self.table.expected(n.player, lottery)
                moved = value.subs(at)
                lottery = moved if moved != value else lottery
            sides.append(lottery)
        return self.table.prefers(n.player, *sides, label)

    # -- numbers --------------------------------------------------------------------------------
    def subs(self, values: Mapping) -> "ExtensiveGame":
        """A copy with ``values`` (symbol or name -> number) substituted."""
        names = {s.name: s for s in self.free_symbols}
        sub = {names.get(k, k) if isinstance(k, str) else k: sp.nsimplify(v) for k, v in values.items()}
        g = ExtensiveGame(self.name, self.players, error=self.error)
        for n, node in self.nodes.items():
            g.nodes[n] = Node(n, node.kind, node.player, dict(node.children),
                              {o: p.xreplace(sub) for o, p in node.probabilities.items()},
                              tuple(u.xreplace(sub) for u in node.payoffs), node.description, node.infoset,
                              node.variable, None if node.lo is None else node.lo.xreplace(sub),
                              None if node.hi is None else node.hi.xreplace(sub), private=node.private,
                              distribution=node.distribution, outcome=node.outcome)
        return g

    def to_efg(self, values: Mapping | None = None) -> str:
        """Gambit's ``.efg`` text of the game at numbers (``values`` for the free symbols);
        information sets are numbered per player in order of appearance and named by their label."""
        g = self.subs(values or {})
        if g.free_symbols:
            raise self.error(f"to_efg needs numbers for {', '.join(sorted(s.name for s in g.free_symbols))}")
        cont = [n.name for n in self.nodes.values() if n.kind == "choice"]
        if cont:
            raise self.error(f"to_efg: node {cont[0]} is a continuous choice (a Gambit .efg is a finite tree)")
        typed = [n.name for n in self.nodes.values() if n.private is not None]
        if typed:
            raise self.error(f"to_efg: node {typed[0]} has a private type, a parameter of the tree here (a Gambit "
                             ".efg needs the types' distribution as a chance node)")

        def num(x) -> str:
            r = Fraction(str(sp.nsimplify(x)))
            return str(r.numerator) if r.denominator == 1 else f"{r.numerator}/{r.denominator}"

        lines = [f'EFG 2 R "{self.name}" {{ ' + " ".join(f'"{p}"' for p in self.players) + " }", '""']
        numbers: dict = {p: {} for p in self.players}
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
                own = numbers[node.player]
                own.setdefault(node.infoset, len(own) + 1)
                acts = " ".join(f'"{a}"' for a in node.children)
                lines.append(f'p "{name}" {pl} {own[node.infoset]} "{node.infoset}" {{ {acts} }} 0')
            for child in node.children.values():
                walk(child)

        walk(g.root)
        return "\n".join(lines) + "\n"


def holds_at(region: sp.Basic, point: Mapping, game: str = "", error=ValueError) -> bool:
    """Whether ``region`` holds at ``point`` (symbols or their names -> numbers); a parameter of the
    region missing from the point is an error, never a guess."""
    names = {s.name: s for s in region.free_symbols}
    sub = {(names.get(k, k) if isinstance(k, str) else k): sp.nsimplify(v) for k, v in point.items()}
    value = region.xreplace(sub)
    if value not in (sp.true, sp.false):
        missing = sorted(s.name for s in value.free_symbols)
        raise error(f"game {game}: the point gives no value for {', '.join(missing) or 'the region'} "
                    f"(the region is {sp.sstr(region)})")
    return value is sp.true


def _first_best(values):
    """Per point (the columns of ``values``, one row per action), the first action within
    :data:`TIE_TOL` of the best: an exact tie stays a tie in floating point."""
    import numpy as np

    top = values.max(axis=0)
    return np.argmax(values >= top - TIE_TOL * (1 + np.abs(top)), axis=0)


def _at_least(x: float, y: float) -> bool:
    """``x >= y`` up to :data:`TIE_TOL` (floating-point noise of an exact tie)."""
    return x >= y - TIE_TOL * (1 + abs(y))


def _what(node) -> str:
    return f"chance node {node.name}" if node.kind == "chance" else f"node {node.name} (the belief about its action)"


def _believed(node, labels, payoffs, i, hyps=(), timeout_ms=5000, error=ValueError):
    """At a node with a private type: every other player's payoff as its belief weighs the
    actions' payoffs (``None`` at an ordinary node); a belief from the type's distribution is
    derived from the marginal type (:func:`marginal_type`)."""
    if node.private is None:
        return None, ""
    belief = node.probabilities
    told = f"{node.player}'s type {node.private} is private at {node.name}: the others' payoffs are expected ones"
    if node.distribution is not None:
        belief, t_hat, low = marginal_type(node, labels, payoffs[0][i], payoffs[1][i], hyps, timeout_ms, error)
        told += (f", the marginal type {node.private} = {sp.sstr(t_hat)} indifferent and the types "
                 f"{'below' if low else 'above'} it taking {labels[0]} (probability {sp.sstr(belief[labels[0]])})")
    else:
        told += f", with beliefs {', '.join(f'{x}: {sp.sstr(w)}' for x, w in belief.items())}"
    return tuple(sp.Add(*[belief[a] * u[k] for a, u in zip(labels, payoffs)]) for k in range(len(payoffs[0]))), told


def marginal_type(node, labels, first, second, hyps=(), timeout_ms=5000, error=ValueError):
    r"""The belief at a node whose private type :math:`t` has a prior :math:`F`: the payoff
    difference :math:`D(t)` of the two actions must be linear in :math:`t` with a coefficient of
    decided sign; the marginal type :math:`\hat t` solves :math:`D(\hat t) = 0`, the first action is
    taken by the types below it (coefficient negative: probability :math:`F(\hat t)`) or above it
    (positive: :math:`1 - F(\hat t)`).  Returns ``(belief, t_hat, low)``, ``low`` whether the types
    below take the first action."""
    from ..decide import NotEncodable, decide

    t = node.private
    D = sp.expand(first - second)
    a = sp.cancel(sp.diff(D, t))
    if t in a.free_symbols:
        raise error(f"node {node.name}: the payoff difference of {labels[0]} and {labels[1]} is not linear in the type "
                    f"{t}, so no marginal type is derived")
    sign = -1 if a.is_negative else 1 if a.is_positive else None
    for s, rel in ((-1, a < 0), (1, a > 0)):
        if sign is not None:
            break
        try:
            sign = s if decide(list(hyps), rel, timeout_ms).outcome == "proved" else None
        except NotEncodable:
            pass
    if sign is None:
        raise error(f"node {node.name}: the sign of {sp.sstr(a)}, the coefficient of the type {t} in the payoff "
                    "difference, is not decided (no marginal type)")
    t_hat = sp.cancel(t - D / a)
    F = node.distribution.cdf(t_hat)
    first_p = F if sign < 0 else 1 - F
    return {labels[0]: first_p, labels[1]: 1 - first_p}, t_hat, sign < 0


def _tidy(e):
    e = sp.sympify(e)
    if isinstance(e, sp.Piecewise) or e.is_Atom:
        return e
    return sp.factor(sp.cancel(e))


def _wins(strict, index, other_strict, other_index) -> bool:
    """Whether a bound wins a tie with an equal one: a strict bound first, then the first listed."""
    return (strict and not other_strict) or (strict == other_strict and index < other_index)


def _disjuncts(region) -> list:
    """The conjunctions (lists of relations) whose union is ``region``."""
    region = sp.sympify(region)
    if region is sp.true:
        return [[]]
    if region is sp.false:
        return []
    dnf = sp.to_dnf(region, simplify=False)
    terms = dnf.args if isinstance(dnf, sp.Or) else (dnf,)
    return [list(t.args) if isinstance(t, sp.And) else [t] for t in terms]


def _bounds(atom, x, hyps, timeout_ms, error, node):
    """A relation linear in ``x`` as bounds ``[(side, bound, strict)]`` (side ``lo`` or ``hi``)."""
    from ..decide import NotEncodable, decide

    if isinstance(atom, sp.Not):
        atom = atom.args[0].negated if isinstance(atom.args[0], sp.Rel) else atom
    if not isinstance(atom, sp.Rel) or isinstance(atom, sp.Ne):
        raise error(f"choice node {node}: the condition {sp.sstr(atom)} on {x} is not an inequality")
    expr = sp.expand(atom.lhs - atom.rhs)
    a = sp.cancel(sp.diff(expr, x))
    if x in a.free_symbols:
        raise error(f"choice node {node}: the condition {sp.sstr(atom)} is not linear in {x} (the optimum of a "
                    "choice is derived over intervals of it)")
    rest = sp.cancel(expr - a * x)
    sign = None
    for s, rel in ((1, a > 0), (-1, a < 0)):
        try:
            if decide(list(hyps), rel, timeout_ms).outcome == "proved":
                sign = s
                break
        except NotEncodable:
            pass
    if sign is None:
        raise error(f"choice node {node}: the sign of {sp.sstr(a)}, the coefficient of {x} in {sp.sstr(atom)}, is "
                    "not decided")
    bound = sp.cancel(-rest / a)
    if isinstance(atom, sp.Eq):
        return [("lo", bound, False), ("hi", bound, False)]
    strict = isinstance(atom, (sp.StrictGreaterThan, sp.StrictLessThan))
    upper = isinstance(atom, (sp.StrictGreaterThan, sp.GreaterThan)) == (sign < 0)  # expr >= 0 with a < 0: x <= bound
    return [("hi" if upper else "lo", bound, strict)]


# ---- the numeric route ---------------------------------------------------------------------------
def _compiled(game: ExtensiveGame):
    """Per node, its payoffs, probabilities or interval as one numeric function of the parameters
    and the choices (memoised on the game)."""
    from ..numeric import lambdify

    cached = getattr(game, "_numeric", None)
    if cached is None:
        syms = sorted(game.free_symbols, key=lambda x: x.name) + game.variables
        fns = {}
        for n, node in game.nodes.items():
            exprs = [*node.payoffs, *node.probabilities.values(), *((node.lo, node.hi) if node.kind == "choice" else ())]
            if exprs:
                fns[n] = lambdify(syms, exprs)
        multi = {n.name for n in game.nodes.values() if n.kind == "decision" and len(game.infosets()[n.infoset]) > 1}
        cached = game._numeric = (syms, fns, multi | set(game._stage_of()))
    return cached


def _evaluate(game, name, env, shape):
    import numpy as np

    syms, fns, _ = _compiled(game)
    args = [env.get(s.name, 0.0) for s in syms]
    return [np.broadcast_to(np.asarray(v, dtype=float), shape) for v in fns[name](*args)]


def _grow(env, k):
    """``env`` with one more trailing axis of length ``k`` (broadcast)."""
    import numpy as np

    return {n: np.asarray(v, dtype=float)[..., None] for n, v in env.items()}


def _vector_solve(game, name, env, shape):
    """Backward induction on arrays of points (``env``: symbol name -> array of ``shape``):
    ``(profile, payoffs)`` with arrays; ties to the first action, one equilibrium (used below a
    continuous choice)."""
    import numpy as np

    node = game.nodes[name]
    n = len(game.players)
    if node.kind == "terminal":
        return {}, _evaluate(game, name, env, shape)
    if node.kind == "chance":
        probs = _evaluate(game, name, env, shape)
        results = [_vector_solve(game, c, env, shape) for c in node.children.values()]
        profile = {}
        for prof, _ in results:
            profile.update(prof)
        return profile, [sum(p * r[1][k] for p, r in zip(probs, results)) for k in range(n)]
    if node.kind == "decision":
        if name in _compiled(game)[2]:
            raise game.error(f"the numeric route solves a simultaneous stage ({node.infoset}) only outside a "
                             "continuous choice")
        labels = list(node.children)
        results = [_vector_solve(game, node.children[a], env, shape) for a in labels]
        i = game.players.index(node.player)
        best = _first_best(np.stack([r[1][i] for r in results]))
        profile = {}
        for prof, _ in results:
            profile.update(prof)
        profile[node.infoset] = np.asarray(labels, dtype=object)[best]
        if node.distribution is not None:
            raise game.error(f"node {name}: a belief derived from the type's distribution is not evaluated below a "
                             "continuous choice")
        if node.private is not None:  # the others value the node by their belief
            probs = _evaluate(game, name, env, shape)
            return profile, [np.choose(best, [r[1][k] for r in results]) if k == i else
                             sum(p * r[1][k] for p, r in zip(probs, results)) for k in range(n)]
        return profile, [np.choose(best, [r[1][k] for r in results]) for k in range(n)]
    return _vector_choice(game, node, env, shape)


def _vector_choice(game, node, env, shape, grid: int = 201, zooms: int = 11, fine: int = 21):
    """A continuous choice maximised numerically at every point of ``shape``: a dense grid
    (``grid`` points; 61 for a choice nested below another, evaluated at each of the outer one's
    points), zoomed around the best point, and (at a single point) SciPy's bounded minimiser on
    the best cell."""
    import numpy as np

    if shape != ():
        grid = min(grid, 61)

    lo, hi = _evaluate(game, node.name, env, shape)
    x, child = node.variable.name, node.children[str(node.variable)]
    i = game.players.index(node.player)

    def value(xs):
        k = xs.shape[-1]
        sub = {**_grow(env, k), x: xs}
        return _vector_solve(game, child, sub, shape + (k,))[1][i]

    t = np.linspace(0.0, 1.0, grid)
    xs = lo[..., None] + (hi - lo)[..., None] * t
    vals = value(xs)
    k = np.argmax(vals, axis=-1)
    best_x = np.take_along_axis(xs, k[..., None], -1)[..., 0]
    best_v = np.take_along_axis(vals, k[..., None], -1)[..., 0]
    step = (hi - lo) / (grid - 1)
    cell = (np.maximum(best_x - step, lo), np.minimum(best_x + step, hi))
    a, b = cell
    for _ in range(zooms):
        xs = a[..., None] + (b - a)[..., None] * np.linspace(0.0, 1.0, fine)
        vals = value(xs)
        k = np.argmax(vals, axis=-1)
        cand_x = np.take_along_axis(xs, k[..., None], -1)[..., 0]
        cand_v = np.take_along_axis(vals, k[..., None], -1)[..., 0]
        better = cand_v > best_v
        best_x, best_v = np.where(better, cand_x, best_x), np.where(better, cand_v, best_v)
        w = (b - a) / (fine - 1)
        a, b = np.maximum(best_x - w, lo), np.minimum(best_x + w, hi)
    if shape == ():
        from scipy.optimize import minimize_scalar

        ca, cb = float(cell[0]), float(cell[1])
        if cb > ca:
            res = minimize_scalar(lambda z: -float(value(np.array([z]))[0]), bounds=(ca, cb), method="bounded",
                                  options={"xatol": 1e-12})
            v = -float(res.fun)
            if v > float(best_v) + 1e-12 * (1 + abs(float(best_v))):
                best_x, best_v = np.asarray(res.x, dtype=float), np.asarray(v)
    # the play after the chosen value, by the very route that valued it (one more axis of length 1)
    best_x = np.asarray(best_x, dtype=float)
    profile, payoffs = _vector_solve(game, child, {**_grow(env, 1), x: best_x[..., None]}, shape + (1,))
    profile = {k: np.asarray(v)[..., 0] for k, v in profile.items()}
    profile[node.name] = best_x
    return profile, [np.asarray(u)[..., 0] for u in payoffs]


def _expected_over_types(game, node, env, cells: int = 20000):
    """Every player's payoff at ``node`` expected over its player's private type, by quadrature on
    the support: the type's best action at the midpoint of each of ``cells`` cells (ties to the
    first), weighed by the prior's mass on the cell -- the numeric counterpart of the marginal
    type (it never solves for one)."""
    import numpy as np

    from ..numeric import lambdify

    dist, t = node.distribution, node.private
    syms = sorted(game.free_symbols, key=lambda x: x.name)
    args = [env.get(x.name, 0.0) for x in syms]
    top = float(lambdify(syms, dist.cbar)(*args))
    edges = np.linspace(0.0, top, cells + 1)
    cdf = lambdify(syms, dist.cdf(t))
    index = syms.index(t)
    weights = np.diff(np.broadcast_to(np.asarray(cdf(*[edges if k == index else a for k, a in enumerate(args)]),
                                                 dtype=float), edges.shape))
    mids = (edges[:-1] + edges[1:]) / 2
    sub = {**{k: np.full(cells, v) for k, v in env.items()}, t.name: mids}
    results = [_vector_solve(game, c, sub, (cells,)) for c in node.children.values()]
    i = game.players.index(node.player)
    best = _first_best(np.stack([r[1][i] for r in results]))
    return [float(np.sum(weights * np.choose(best, [r[1][k] for r in results]))) for k in range(len(game.players))]


def numeric_equilibria(game: ExtensiveGame, point: Mapping) -> list[tuple[dict, tuple]]:
    """Every pure subgame-perfect equilibrium of the numeric tree at ``point`` (symbol or name ->
    number) as ``(profile, payoffs)``, in floats: backward induction with ties to the first action,
    every pure equilibrium of a simultaneous stage (by enumeration), a continuous choice maximised
    numerically (the value in the profile) -- the independent cross-check of
    :meth:`ExtensiveGame.backward_induction` (it never looks at the symbolic regions)."""
    import numpy as np

    env = {(k.name if not isinstance(k, str) else k): float(v) for k, v in point.items()}
    players = game.players
    stages = game._stage_of()

    def combine(results):
        profile = {}
        for prof, _ in results:
            profile.update(prof)
        return profile

    def solve(name) -> list:
        node = game.nodes[name]
        if node.kind == "terminal":
            return [({}, tuple(float(v) for v in _evaluate(game, name, env, ())))]
        if node.kind == "choice":
            prof, pay = _vector_choice(game, node, env, ())
            return [({k: (v.item() if isinstance(v, np.ndarray) else v) for k, v in prof.items()},
                     tuple(float(u) for u in pay))]
        if name in stages:
            second = game.nodes[node.children[next(iter(node.children))]]
            rows, cols = list(node.children), list(second.children)
            cells = [(a, b) for a in rows for b in cols]
            i, j = players.index(node.player), players.index(second.player)
            out = []
            for combo in itertools.product(*[solve(game.nodes[node.children[a]].children[b]) for a, b in cells]):
                cell = dict(zip(cells, combo))
                for a, b in cells:
                    u = cell[(a, b)][1]
                    if all(_at_least(u[i], cell[(a2, b)][1][i]) for a2 in rows) and \
                            all(_at_least(u[j], cell[(a, b2)][1][j]) for b2 in cols):
                        out.append(({**combine(combo), node.infoset: a, second.infoset: b}, u))
            return out
        labels = list(node.children)
        out = []
        for combo in itertools.product(*[solve(node.children[a]) for a in labels]):
            profile = combine(combo)
            if node.kind == "chance":
                probs = [float(p) for p in _evaluate(game, name, env, ())]
                out.append((profile, tuple(sum(p * r[1][k] for p, r in zip(probs, combo)) for k in range(len(players)))))
                continue
            i = players.index(node.player)
            top = max(r[1][i] for r in combo)
            best = next(j for j in range(len(labels)) if _at_least(combo[j][1][i], top))  # ties to the first
            u = combo[best][1]
            if node.distribution is not None:  # the others' expectation over the types, by quadrature
                probs = None
                u = tuple(u[k] if k == i else v for k, v in enumerate(_expected_over_types(game, node, env)))
            elif node.private is not None:  # the others value the node by their belief
                probs = [float(p) for p in _evaluate(game, name, env, ())]
                u = tuple(u[k] if k == i else sum(p * r[1][k] for p, r in zip(probs, combo)) for k in range(len(players)))
            out.append(({**profile, node.infoset: labels[best]}, u))
        return out

    order = {n: k for k, n in enumerate(game.nodes)}
    order.update({n.infoset: order[n.name] for n in reversed(list(game.nodes.values())) if n.kind == "decision"})
    return [(dict(sorted(p.items(), key=lambda kv: order.get(kv[0], len(order)))), u) for p, u in solve(game.root)]


def numeric_backward_induction(game: ExtensiveGame, point: Mapping) -> tuple[dict, tuple]:
    """The first of :func:`numeric_equilibria` (the only one without simultaneous stages)."""
    found = numeric_equilibria(game, point)
    if not found:
        raise ValueError("the numeric game has no pure subgame-perfect equilibrium at this point")
    return found[0]


@dataclass
class TreeMap:
    """The equilibrium map of a game tree: ``branches`` (regions with profile, path, payoffs),
    ``disjoint`` and ``covers`` (re-checked with z3: True, False or None when undecided)."""

    game: ExtensiveGame
    branches: list
    disjoint: bool | None
    covers: bool | None

    def at(self, point: Mapping) -> TreeBranch:
        """The (first) branch whose region holds at ``point`` (symbol -> number)."""
        found = self.all_at(point)
        if not found:
            raise ValueError("no region of the map holds at this point")
        return found[0]

    def all_at(self, point: Mapping) -> list[TreeBranch]:
        """Every branch whose region holds at ``point`` (symbol or parameter name -> number; several
        where a stage has several equilibria)."""
        return [b for b in self.branches if holds_at(b.region, point, self.game.name, self.game.error)]

    def where(self, *path: str) -> sp.Basic:
        """The region where the equilibrium path starts with ``path`` (``where("In", "Fight")``):
        the disjunction of those branches' regions (``False`` if none)."""
        self.game.check_path(path)
        regions = [b.region for b in self.branches if tuple(b.path[:len(path)]) == tuple(path)]
        return sp.Or(*regions) if regions else sp.false

    def choice(self, node: str, *path: str) -> sp.Basic:
        """The closed form of the continuous choice at ``node`` -- a ``Piecewise`` over the
        regions whose path starts with ``path`` (one expression where they all agree)."""
        pieces = [(b.choices[node], b.region) for b in self.branches
                  if node in b.choices and tuple(b.path[:len(path)]) == tuple(path)]
        if not pieces:
            raise ValueError(f"no branch of the map has a choice at node {node!r}")
        if all(sp.simplify(v - pieces[0][0]) == 0 for v, _ in pieces):
            return pieces[0][0]
        return sp.Piecewise(*pieces)

    def proposition(self) -> str:
        """The map as a sentence: 'If R1, then ...; if R2, then ...'."""
        parts = []
        for b in self.branches:
            play = ", ".join(b.path) or "no move"
            parts.append(f"if {sp.sstr(b.region)}, the equilibrium path is {play}" + (f" ({b.note})" if b.note else ""))
        return "; ".join(parts) + "."

    def as_json(self) -> dict:
        """``{"game", "regions": [{"condition", "profile", "path", "payoffs", "status", "choices",
        "note"}]}`` (strings readable by ``sympy.sympify``)."""
        return {"game": self.game.name, "disjoint": self.disjoint, "covers": self.covers,
                "regions": [{"condition": sp.sstr(b.region), "profile": dict(b.profile), "path": list(b.path),
                             "payoffs": {p: sp.sstr(sp.factor(u)) for p, u in zip(self.game.players, b.payoffs)},
                             "status": b.status,
                             **({"choices": {n: sp.sstr(v) for n, v in b.choices.items()}} if b.choices else {}),
                             **({"note": b.note} if b.note else {})} for b in self.branches]}


def cross_check_map(tmap: TreeMap, domain, n: int = 100, seed: int = 0) -> list[dict]:
    """For each region, ``n`` seeded draws of the domain inside it (``domain``: a
    :class:`symbolic.Domain`), each solved again by :func:`numeric_equilibria`; returns per region
    ``{"region", "points", "mismatches": [point, ...]}``.  A point is a mismatch unless the branch
    is among the numeric equilibria there (same actions, each continuous choice and payoff equal to
    :data:`CHOICE_TOL` -- 1e-9 without continuous choices -- absolute plus relative; a branch whose
    player is indifferent over a piece compares payoffs only) and the map lists as many equilibria
    at the point as the numeric route finds."""
    import numpy as np

    from ..numeric import lambdify

    out = []
    game = tmap.game
    names = sorted({s.name for s in game.free_symbols})
    syms = sorted(game.free_symbols, key=lambda x: x.name)
    # a choice is maximised numerically and an expectation over types is a quadrature: not to 1e-9
    tol = CHOICE_TOL if game.variables or any(nd.distribution is not None for nd in game.nodes.values()) else 1e-9

    def close(x, y, scale=1):
        return abs(x - y) <= scale * tol * (1 + abs(y))

    for k, b in enumerate(tmap.branches):
        if b.status == "no equilibrium":
            out.append({"region": b.region, "points": 0, "mismatches": []})
            continue
        try:
            draws = domain.sample(n, np.random.default_rng(seed + k), given=[b.region], only=names)
        except Exception:  # the region has negligible volume (a boundary): nothing to draw
            out.append({"region": b.region, "points": 0, "mismatches": []})
            continue
        count = len(next(iter(draws.values()))) if draws else 1
        payoff_fns = [lambdify(syms, u) for u in b.payoffs]
        choice_fns = {nm: lambdify(syms, v) for nm, v in b.choices.items()}
        indifferent = "indifferent" in b.note
        bad = []
        for i in range(count):
            point = {domain[nm].symbol: float(draws[nm][i]) for nm in draws}
            args = [point[x] for x in syms]
            exact = [float(f(*args)) for f in payoff_fns]
            chosen = {nm: float(f(*args)) for nm, f in choice_fns.items()}
            found = numeric_equilibria(game, point)
            ok = False
            for profile, payoffs in found:
                # another player's payoff moves at first order with a numerically located choice
                if not all(close(x, y, PAYOFF_SCALE if game.variables else 1) for x, y in zip(payoffs, exact)):
                    continue
                if not indifferent:
                    if any(not close(float(profile[nm]), v) for nm, v in chosen.items()):
                        continue
                    if any(profile.get(key) != a for key, a in b.profile.items() if key not in b.choices):
                        continue
                ok = True
                break
            if ok and len(found) > 1 and len(tmap.all_at(point)) != len(found):
                ok = False
            if not ok:
                bad.append(point)
        out.append({"region": b.region, "points": count, "mismatches": bad})
    return out


def tree_map(game: ExtensiveGame, hypotheses: Sequence[sp.Basic] = (), timeout_ms: int = 5000) -> TreeMap:
    """Backward induction and the checks of the map (see the module docstring)."""
    from ..solvers.regions import classify

    branches = game.backward_induction(hypotheses, timeout_ms)
    hyps = list(hypotheses)
    stage_sets = {n.infoset for n in game.nodes.values() if n.kind == "decision" and len(game.infosets()[n.infoset]) > 1}
    stage_sets |= {game.nodes[n].infoset for n in game._stage_of()}
    disjoint: bool | None = True
    overlaps: dict[int, list] = {}
    for (i, a), (j, b) in itertools.combinations(enumerate(branches), 2):
        verdict = classify(sp.And(a.region, b.region), hyps, timeout_ms)
        if any(a.profile.get(s) != b.profile.get(s) for s in stage_sets):
            # different equilibria of a simultaneous stage: different equilibria, they may overlap
            if verdict != "never":
                overlaps.setdefault(i, []).append(j)
                overlaps.setdefault(j, []).append(i)
            continue
        if verdict != "never" and disjoint is True:
            disjoint = False if verdict in ("always", "sometimes") else None
    if stage_sets:  # say where equilibria coexist, on the final regions
        for k, b in enumerate(branches):
            kept = [n for n in b.note.split("; ") if n and not n.startswith("stage ")]
            if k in overlaps:
                others = [", ".join(branches[j].path) + " [" + ", ".join(
                    f"{st}: {branches[j].profile.get(st)}" for st in sorted(stage_sets)
                    if branches[j].profile.get(st) != b.profile.get(st)) + "]" for j in overlaps[k]]
                kept.append(f"several pure equilibria coexist on part of this region: also {', '.join(others)}")
            b.note = "; ".join(kept)
    union = classify(sp.Or(*[b.region for b in branches]), hyps, timeout_ms) if branches else "never"
    covers = True if union == "always" else False if union in ("never", "sometimes") else None
    return TreeMap(game, branches, disjoint, covers)


def region_figure(tmap: TreeMap, x: str, y: str, fixed: Mapping, limits: Mapping, steps: int = 241,
                  title: str | None = None):
    """A matplotlib figure of the map's regions over the parameters ``x`` and ``y`` (ranges
    ``limits[x]``, ``limits[y]``; every other parameter at ``fixed``): each point of a
    ``steps`` x ``steps`` grid coloured by the equilibrium path whose region holds there (each
    region evaluated exactly as written -- never re-derived), points where several equilibria
    coexist and points with no pure equilibrium in their own colours, with a legend."""
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Patch

    syms = {s.name: s for s in tmap.game.free_symbols}
    sub = {syms[k]: sp.Rational(str(v)) for k, v in fixed.items() if k in syms}
    xs = np.linspace(float(limits[x][0]), float(limits[x][1]), steps)
    ys = np.linspace(float(limits[y][0]), float(limits[y][1]), steps)
    X, Y = np.meshgrid(xs, ys)
    sx, sy = syms.get(x, sp.Symbol(x)), syms.get(y, sp.Symbol(y))
    labels: list[str] = []
    masks: dict[str, np.ndarray] = {}
    for b in tmap.branches:
        label = ", ".join(b.path) or "no move"
        if b.status == "no equilibrium":
            label += " (no maximum)"
        region = b.region.xreplace(sub)
        fn = sp.lambdify((sx, sy), region, "numpy")
        with np.errstate(all="ignore"):
            mask = np.broadcast_to(np.asarray(fn(X, Y), dtype=bool), X.shape)
        if label not in masks:
            labels.append(label)
            masks[label] = np.zeros(X.shape, dtype=bool)
        masks[label] = masks[label] | mask
    count = sum(m.astype(int) for m in masks.values()) if masks else np.zeros(X.shape, dtype=int)
    code = np.full(X.shape, -1)
    for k, label in enumerate(labels):
        code = np.where(masks[label] & (count == 1), k, code)
    several, none = len(labels), len(labels) + 1
    code = np.where(count > 1, several, np.where(count == 0, none, code))
    palette = [plt.get_cmap("tab10")(k % 10) for k in range(len(labels))] + [(0.35, 0.35, 0.35, 1.0),
                                                                          (1.0, 1.0, 1.0, 1.0)]
    fig, ax = plt.subplots(figsize=(5.6, 4.2))
    ax.imshow(code, origin="lower", extent=(xs[0], xs[-1], ys[0], ys[-1]), aspect="auto", interpolation="nearest",
              cmap=ListedColormap(palette), vmin=-0.5, vmax=len(palette) - 0.5)
    shown = [(labels[k], palette[k]) for k in range(len(labels)) if (code == k).any()]
    if (code == several).any():
        shown.append(("several equilibria", palette[several]))
    if (code == none).any():
        shown.append(("no pure equilibrium", palette[none]))
    ax.legend(handles=[Patch(facecolor=c, edgecolor="k", lw=0.4, label=lab) for lab, c in shown],
              fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="equilibrium path", title_fontsize=7)
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    rest = ", ".join(f"{k} = {sp.sstr(sp.Rational(str(v)))}" for k, v in fixed.items())
    ax.set_title(title or f"{tmap.game.name}: equilibrium regions" + (f" ({rest})" if rest else ""), fontsize=8)
    fig.tight_layout()
    return fig


__all__ = ["CHOICE_TOL", "ExtensiveGame", "Node", "TreeBranch", "TreeMap", "cross_check_map", "numeric_backward_induction",
           "numeric_equilibria", "region_figure", "tree_map"]
