r"""Finite signaling games with symbolic payoffs: every perfect Bayesian equilibrium in pure
strategies (and the semi-separating ones of 2 x 2 x 2 games), its parameter region and off-path
belief set decided with z3, and the intuitive criterion applied to each pooling equilibrium.

**The game.**  Nature draws the sender's type :math:`t \in T` with prior :math:`\pi_t` (expressions
in the parameters; they must sum to 1 identically -- decided by simplification -- and be positive on
the whole domain -- decided by z3).  The sender, knowing :math:`t`, sends a message :math:`m \in M`;
the receiver, seeing :math:`m` but not :math:`t`, responds with :math:`r \in R`.  Payoffs
:math:`u_S(t, m, r)` and :math:`u_R(t, m, r)` are expressions given for every triple.

**Pure perfect Bayesian equilibria.**  A pure sender strategy is :math:`\sigma: T \to M`
(all :math:`|M|^{|T|}` are enumerated: *pooling* when one message is sent, *separating* when the
types send distinct messages, *partially pooling* otherwise); a pure receiver strategy is
:math:`\rho: M \to R` (all :math:`|R|^{|M|}`).  A message is *on the path* if some type sends it;
there the belief is Bayes' rule,

.. math:: \mu_m(t) = \frac{\pi_t\,[\sigma(t) = m]}{\sum_{t'} \pi_{t'}\,[\sigma(t') = m]},

and off the path it is free: unknowns :math:`\mu_m(t) \in [0, 1]` for every type but the last
(the last type's belief is one minus the others', so the belief ranges over the simplex
:math:`\Delta(T)`).  :math:`(\sigma, \rho, \mu)` is a PBE iff

1. *the receiver best responds* at every message: :math:`\sum_t \mu_m(t)\,[u_R(t,m,\rho(m)) -
   u_R(t,m,r')] \ge 0` for every :math:`r'` (weak: every response that is a best response is
   *sustainable*; no tie-breaking rule, so regions of different equilibria may overlap);
2. *the sender best responds*: :math:`u_S(t, \sigma(t), \rho(\sigma(t))) \ge u_S(t, m', \rho(m'))`
   for every type :math:`t` and every message :math:`m' \ne \sigma(t)` -- all
   :math:`|T|(|M|-1)` incentive constraints are generated, none is listed by hand.

The *off-path belief set* of a message is the polytope :math:`B_m = \{\mu \in \Delta(T): \rho(m)`
is a best response to :math:`\mu\}`, linear in :math:`\mu`.  The *parameter region* of the
equilibrium is the conjunction of 1, 2 and :math:`B_m \ne \emptyset` for each off-path message.
The projection :math:`B_m \ne \emptyset` is written without quantifiers: a non-empty bounded
polyhedron in :math:`\mathbb R^d` (:math:`d = |T|-1`) has a vertex, where :math:`d` of its defining
inequalities :math:`c_k \cdot \mu + e_k \ge 0` are tight with a non-singular system
:math:`A_S \mu = b_S`; so :math:`B_m \ne \emptyset` iff for some such set :math:`S`,
:math:`\det A_S \ne 0` and every inequality holds at :math:`\mu_S = \operatorname{adj}(A_S)
b_S / \det A_S`, i.e. :math:`(c_k \cdot \operatorname{adj}(A_S) b_S + e_k \det A_S)\det A_S \ge 0`
(denominators cleared).  With one free belief (two types) each inequality of :math:`B_m` is written
as a bound :math:`\mu \ge \ell` or :math:`\mu \le h` wherever the sign of its coefficient is decided
on the region.

Every region is decided with z3 (:func:`symbolic.solvers.classify`): a candidate whose region is
empty is dropped with the reason (the first group of conditions -- receiver on the path, sender's
incentive constraints, off-path beliefs -- that cannot hold); a region z3 cannot decide is kept
and marked *not decided*, never dropped.

**Semi-separating equilibria** (two types, two messages, two responses).  One type :math:`t_p`
sends :math:`m_a`; the other, :math:`t_x`, sends :math:`m_a` with probability :math:`q` and
:math:`m_b` otherwise; the receiver answers :math:`m_b` (sent by :math:`t_x` only, belief
degenerate) with a pure best response :math:`r_b` and mixes at :math:`m_a`, playing the first
response with probability :math:`s`.  The receiver's indifference at the Bayes belief
(denominator cleared) and :math:`t_x`'s indifference between the messages,

.. math:: \pi_{t_p}\Delta_R(t_p) + \pi_{t_x} q\,\Delta_R(t_x) = 0, \qquad
          s\,u_S(t_x,m_a,r_1) + (1-s)\,u_S(t_x,m_a,r_2) = u_S(t_x, m_b, r_b),

(:math:`\Delta_R(t) = u_R(t,m_a,r_1) - u_R(t,m_a,r_2)`) are solved for :math:`(q, s) \in (0,1)^2` by
:func:`symbolic.solvers.solve_system`; the region adds :math:`r_b`'s optimality and :math:`t_p`'s
incentive constraint.  Not enumerated (stated in the map): profiles in which both types mix -- non-generic in these
games: if the receiver mixes at both messages, both posteriors equal its indifference belief and so
does their average, the prior; if it is pure at one message, the two types' indifferences are two
equations in one mixing probability -- and profiles in which the receiver is pure where the mixing
type is indifferent (also a lower-dimensional set of parameters); semi-separating profiles of
larger games.

**The intuitive criterion** (Cho and Kreps 1987) for a pure equilibrium with an off-path message
(every pooling equilibrium; in games with more messages than types' classes, partially pooling ones
too) with equilibrium payoffs :math:`u^*_t`: for an off-path :math:`m'`, let :math:`BR(S, m')` be the responses that
are best responses to some belief supported on :math:`S \subseteq T` (the same vertex projection)
and :math:`J(m') = \{t : u^*_t > \max_{r \in BR(T,m')} u_S(t,m',r)\}` the types for which
:math:`m'` is equilibrium-dominated.  The equilibrium *fails* if for some :math:`m'` with
:math:`J(m') \ne T` some type :math:`t' \notin J(m')` has :math:`u^*_{t'} < \min_{r \in BR(T
\setminus J(m'), m')} u_S(t', m', r)`.  The failure region is the disjunction over :math:`m'`
and over the candidate sets :math:`J \subsetneq T` of these conditions; the verdict is
*survives* (failure region empty on the equilibrium's region), *fails* (survival region empty) or
*depends* (both regions reported), decided with z3.

:func:`numeric_pbe` enumerates the PBE of the game at numbers in floats by a separate route
(direct checks of each candidate's best responses; off-path beliefs by interval intersection
with one free belief, a linear program otherwise) for :func:`cross_check_signaling`;
:meth:`SignalingGame.to_efg` writes Gambit's ``.efg`` (chance root for the types, the receiver's
information set per message across the types).
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Mapping, Sequence

import sympy as sp

from ..errors import DerivationError, ToolkitError


class SignalingInputError(DerivationError, ValueError):
    """Bad input to a signaling game (one line, naming the type, message or response): a
    :class:`~symbolic.DerivationError`, so the command line exits 2, and a ``ValueError``."""


def _read_default(x):
    return sp.sympify(x)


class SignalingGame:
    """A finite signaling game with symbolic payoffs; see the module docstring.

    ``types`` maps each sender type to its prior (expressions or strings read with ``read``);
    ``messages`` and ``responses`` are lists of names.  Set payoffs with :meth:`payoff` (one
    triple) or :meth:`payoffs` (a mapping ``(type, message, response) -> (u_S, u_R)`` or a
    function of the triple returning that pair).  ``belief(name, latex)`` makes the symbol of an
    off-path belief (a model declares it as an unknown in [0, 1])."""

    def __init__(self, name: str, sender: str, receiver: str, types: Mapping[str, object], messages: Sequence[str],
                 responses: Sequence[str], read: Callable = _read_default, belief: Callable | None = None):
        self.name, self.sender, self.receiver = name, str(sender), str(receiver)
        self.read = read
        if self.sender == self.receiver:
            raise SignalingInputError(f"game {name}: the sender and the receiver need distinct names")
        self.types = list(types)
        self.messages = list(messages)
        self.responses = list(responses)
        for what, names, least in (("types", self.types, 2), ("messages", self.messages, 2),
                                   ("responses", self.responses, 1)):
            if len(names) < least:
                raise SignalingInputError(f"game {name}: a signaling game needs at least {least} {what} (got {len(names)})")
            if len(set(names)) != len(names):
                dup = next(n for n in names if names.count(n) > 1)
                raise SignalingInputError(f"game {name}: {what[:-1]} {dup!r} is listed twice")
        self.priors = {t: self._value(p) for t, p in types.items()}
        self.table: dict[tuple, tuple] = {}
        make = belief or (lambda n, tex: sp.Symbol(n, real=True))
        self.beliefs: dict[str, dict[str, sp.Symbol]] = {}
        for m in self.messages:
            self.beliefs[m] = {t: make(f"mu_{m}_{t}", rf"\mu(\text{{{t}}}\mid\text{{{m}}})".replace("_", r"\_"))
                               for t in self.types[:-1]}

    @property
    def players(self) -> tuple:
        return (self.sender, self.receiver)

    def _value(self, x):
        return self.read(x) if isinstance(x, str) else sp.sympify(x)

    def _check_names(self, t, m, r) -> None:
        for what, x, names in (("type", t, self.types), ("message", m, self.messages),
                               ("response", r, self.responses)):
            if x not in names:
                raise SignalingInputError(f"game {self.name}: unknown {what} {x!r}; {what}s are {', '.join(names)}")

    # -- building -----------------------------------------------------------------------------
    def payoff(self, type: str, message: str, response: str, sender, receiver) -> None:
        """The payoffs ``(u_S, u_R)`` when ``type`` sends ``message`` and the receiver answers
        ``response``."""
        self._check_names(type, message, response)
        try:
            self.table[(type, message, response)] = (self._value(sender), self._value(receiver))
        except ToolkitError as exc:
            raise SignalingInputError(f"game {self.name}: payoff of type {type}, message {message}, response "
                                      f"{response}: {exc}") from None

    def payoffs(self, table: Mapping[tuple, tuple] | Callable) -> None:
        """Many payoffs at once: a mapping ``(type, message, response) -> (u_S, u_R)``, or a
        function ``f(type, message, response) -> (u_S, u_R)`` called for every triple."""
        if callable(table):
            for t, m, r in itertools.product(self.types, self.messages, self.responses):
                self.payoff(t, m, r, *table(t, m, r))
            return
        for key, value in table.items():
            if not (isinstance(key, tuple) and len(key) == 3):
                raise SignalingInputError(f"game {self.name}: payoff keys are (type, message, response), got {key!r}")
            if not (isinstance(value, (tuple, list)) and len(value) == 2):
                raise SignalingInputError(f"game {self.name}: payoff of {key} must be a pair (sender, receiver)")
            self.payoff(*key, *value)

    def validate(self) -> None:
        """One-line ValueError for priors not summing to 1 or a missing payoff."""
        total = sp.simplify(sp.Add(*self.priors.values()) - 1)
        if total != 0:
            raise SignalingInputError(f"game {self.name}: the priors of the types sum to 1 + ({total}), not 1")
        for t, m, r in itertools.product(self.types, self.messages, self.responses):
            if (t, m, r) not in self.table:
                raise SignalingInputError(f"game {self.name}: no payoff for type {t}, message {m}, response {r}")

    def uS(self, t, m, r):
        return self.table[(t, m, r)][0]

    def uR(self, t, m, r):
        return self.table[(t, m, r)][1]

    @property
    def free_symbols(self) -> set:
        out: set = set()
        for x in (*self.priors.values(), *(u for pair in self.table.values() for u in pair)):
            out |= x.free_symbols
        return out

    def belief_vector(self, m: str) -> dict:
        """The off-path belief at ``m`` as ``{type: expression}`` (the last type: one minus the rest)."""
        mu = dict(self.beliefs[m])
        mu[self.types[-1]] = 1 - sp.Add(*mu.values())
        return mu

    def best_response(self, message: str, beliefs: Mapping | None = None) -> dict:
        """Where each response is a best response at ``message``: ``{response: condition}`` in
        the beliefs (default: the free beliefs :meth:`belief_vector`; or ``{type: expression}``)
        and the parameters -- weak inequalities, so several responses hold on a tie."""
        self._check_names(self.types[0], message, self.responses[0])
        mu = dict(beliefs) if beliefs is not None else self.belief_vector(message)
        return {r: sp.And(*[sp.GreaterThan(_expected(self, mu, message, r, o), 0)
                            for o in self.responses if o != r]) for r in self.responses}

    # -- numbers --------------------------------------------------------------------------------
    def subs(self, values: Mapping) -> "SignalingGame":
        """A copy with ``values`` (symbol or name -> number) substituted."""
        names = {s.name: s for s in self.free_symbols}
        sub = {names.get(k, k) if isinstance(k, str) else k: sp.nsimplify(v) for k, v in values.items()}
        g = SignalingGame(self.name, self.sender, self.receiver, {t: p.xreplace(sub) for t, p in self.priors.items()},
                          self.messages, self.responses)
        g.beliefs = self.beliefs
        g.table = {k: tuple(u.xreplace(sub) for u in v) for k, v in self.table.items()}
        return g

    def to_efg(self, values: Mapping | None = None) -> str:
        """Gambit's ``.efg`` text at numbers: a chance root draws the type; the sender has one
        information set per type, the receiver one per message (its nodes across the types)."""
        self.validate()
        g = self.subs(values or {})
        if g.free_symbols:
            raise SignalingInputError(f"to_efg needs numbers for {', '.join(sorted(s.name for s in g.free_symbols))}")

        def num(x) -> str:
            r = Fraction(str(sp.nsimplify(x)))
            return str(r.numerator) if r.denominator == 1 else f"{r.numerator}/{r.denominator}"

        lines = [f'EFG 2 R "{self.name}" {{ "{self.sender}" "{self.receiver}" }}', '""']
        body = " ".join(f'"{t}" {num(g.priors[t])}' for t in self.types)
        lines.append(f'c "nature" 1 "" {{ {body} }} 0')
        outcome = 0
        for i, t in enumerate(self.types, start=1):
            acts = " ".join(f'"{m}"' for m in self.messages)
            lines.append(f'p "{t}" 1 {i} "{t}" {{ {acts} }} 0')
            for j, m in enumerate(self.messages, start=1):
                acts = " ".join(f'"{r}"' for r in self.responses)
                lines.append(f'p "{t}:{m}" 2 {j} "{m}" {{ {acts} }} 0')
                for r in self.responses:
                    outcome += 1
                    lines.append(f't "{t}:{m}:{r}" {outcome} "" {{ {num(g.uS(t, m, r))}, {num(g.uR(t, m, r))} }}')
        return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
@dataclass
class SignalingBranch:
    """One perfect Bayesian equilibrium of the map.

    ``sender``: type -> message (pure) or type -> {message: probability}; ``receiver``: message
    -> response or message -> {response: probability}; ``beliefs``: message -> {type: belief}
    (Bayes on the path; the unknowns off it); ``belief_sets``: off-path message -> condition on
    the belief (``True``: any belief); ``region``: the parameter region; ``payoffs``:
    ``{"S(type)": u, ..., "R": u}``; ``intuitive``: for pure equilibria with an off-path message
    (every pooling one) ``{"verdict", "survives", "fails"}`` (the last two regions), else None."""

    kind: str
    sender: dict
    receiver: dict
    beliefs: dict
    belief_sets: dict
    region: sp.Basic
    payoffs: dict
    status: str = "decided"
    intuitive: dict | None = None
    mixing: dict = field(default_factory=dict)  # semi-separating: symbol -> expression

    @property
    def path(self) -> list[str]:
        out = []
        for t, m in self.sender.items():
            if isinstance(m, dict):
                out.append(f"{t}: " + "; ".join(f"{mm} [{sp.sstr(p)}] -> {_response_text(self.receiver[mm])}"
                                                 for mm, p in m.items()))
            else:
                out.append(f"{t}: {m} -> {_response_text(self.receiver[m])}")
        return out

    @property
    def pure(self) -> bool:
        return self.kind != "semi-separating"


def _response_text(r) -> str:
    if isinstance(r, dict):
        return " / ".join(f"{a} [{sp.sstr(p)}]" for a, p in r.items())
    return r


@dataclass
class SignalingMap:
    """The PBE map of a signaling game: ``branches`` (each a :class:`SignalingBranch`),
    ``dropped`` (candidates with no region, with the reason), ``not_enumerated`` (what kinds of
    profiles the map does not contain) and ``covers`` (every point of the domain has an
    equilibrium of the map: True, False, or None if undecided)."""

    game: SignalingGame
    branches: list
    dropped: list
    covers: bool | None
    not_enumerated: list = field(default_factory=list)

    def select(self, kind: str | None = None, responses: Mapping | None = None, **sender) -> list:
        """Branches of ``kind`` whose sender strategy is ``sender`` (type=message keywords; all
        the types given for a pure one) and whose receiver plays ``responses`` (message ->
        response) -- every argument optional."""
        g = self.game
        if kind is not None and kind not in KINDS:
            raise SignalingInputError(f"game {g.name}: unknown kind {kind!r}; kinds are {', '.join(KINDS)}")
        for t, m in sender.items():
            g._check_names(t, m, g.responses[0])
        for m, r in (responses or {}).items():
            g._check_names(g.types[0], m, r)
        out = []
        for b in self.branches:
            if kind is not None and b.kind != kind:
                continue
            if any(b.sender.get(t) != m for t, m in sender.items()):
                continue
            if responses and any(b.receiver.get(m) != r for m, r in responses.items()):
                continue
            out.append(b)
        return out

    def where(self, kind: str | None = None, responses: Mapping | None = None, intuitive: str | None = None,
              **sender) -> sp.Basic:
        """The region where a PBE of this description exists (the disjunction of the selected
        branches' regions; ``False`` if none).  ``intuitive="survives"`` (or ``"fails"``) keeps
        only the part of each pooling branch's region where it survives (fails) the intuitive
        criterion (``False`` for branches it does not apply to)."""
        if intuitive not in (None, "survives", "fails"):
            raise SignalingInputError(f"game {self.game.name}: intuitive={intuitive!r}; give 'survives' or 'fails'")
        regions = []
        for b in self.select(kind, responses, **sender):
            if intuitive is None:
                regions.append(b.region)
            elif b.intuitive is not None:
                regions.append(b.intuitive[intuitive])
        return sp.Or(*regions) if regions else sp.false

    def at(self, point: Mapping) -> list:
        """The branches whose region holds at ``point`` (symbol or parameter name -> number)."""
        from .extensive import holds_at

        return [b for b in self.branches if holds_at(b.region, point, self.game.name)]

    def proposition(self) -> str:
        """The map as a sentence: 'If R1, there is a pooling PBE in which ...; if R2, ...'."""
        parts = []
        for b in self.branches:
            text = f"if {sp.sstr(b.region)}, there is a {b.kind} PBE ({'; '.join(b.path)})"
            sets = [f"mu at {m}: {sp.sstr(c)}" for m, c in b.belief_sets.items() if c is not sp.true]
            if sets:
                text += " with off-path beliefs " + ", ".join(sets)
            if b.intuitive is not None:
                text += f", which {_ic_words(b.intuitive)}"
            parts.append(text)
        return ("; ".join(parts) or "there is no PBE of the enumerated kinds") + "."

    def as_json(self) -> dict:
        """``{"game", "regions": [{"condition", "profile", "path", "payoffs", "kind", "beliefs",
        "off_path_beliefs", "intuitive_criterion", "status"}], "covers", "dropped",
        "not_enumerated"}`` (formulas as ``sympy.sympify``-readable strings)."""
        def s(x):
            return sp.sstr(x) if isinstance(x, sp.Basic) else x

        def mix(x):
            return {k: s(v) for k, v in x.items()} if isinstance(x, dict) else x

        regions = []
        for b in self.branches:
            reg = {"condition": sp.sstr(b.region), "kind": b.kind,
                   "profile": {self.game.sender: {t: mix(m) for t, m in b.sender.items()},
                               self.game.receiver: {m: mix(r) for m, r in b.receiver.items()}},
                   "path": b.path, "payoffs": {k: sp.sstr(sp.factor(u)) for k, u in b.payoffs.items()},
                   "beliefs": {m: {t: s(v) for t, v in mu.items()} for m, mu in b.beliefs.items()},
                   "off_path_beliefs": {m: s(c) for m, c in b.belief_sets.items()}, "status": b.status}
            if b.mixing:
                reg["mixing"] = {k.name: s(v) for k, v in b.mixing.items()}
            if b.intuitive is not None:
                reg["intuitive_criterion"] = {"verdict": b.intuitive["verdict"],
                                              "survives": s(b.intuitive["survives"]), "fails": s(b.intuitive["fails"])}
            regions.append(reg)
        return {"game": self.game.name, "kind": "signaling", "covers": self.covers, "regions": regions,
                "dropped": [{"candidate": d[0], "reason": d[1]} for d in self.dropped],
                "not_enumerated": list(self.not_enumerated)}


def _ic_words(ic: dict) -> str:
    v = ic["verdict"]
    if v == "survives":
        return "survives the intuitive criterion"
    if v == "fails":
        return "fails the intuitive criterion"
    if v == "depends":
        return f"survives the intuitive criterion where {sp.sstr(ic['survives'])} and fails where {sp.sstr(ic['fails'])}"
    return "is not decided by the intuitive criterion (z3 could not tell)"


# ---------------------------------------------------------------------------------------------
def _linear(expr: sp.Basic, syms: Sequence[sp.Symbol]) -> tuple[list, sp.Basic]:
    """``expr = c . syms + e``: ``(c, e)`` (``expr`` must be linear in ``syms``)."""
    expr = sp.expand(expr)
    c = [sp.expand(expr.coeff(x, 1)) for x in syms]
    e = sp.expand(expr.xreplace({x: 0 for x in syms}))
    return c, e


def _nonempty(constraints: Sequence[sp.Basic], syms: Sequence[sp.Symbol]) -> sp.Basic:
    r"""The quantifier-free condition (in the parameters) that ``{x : g(x) >= 0 for every g in
    constraints}`` is non-empty, for constraints linear in ``syms`` that include a bounded set
    (the simplex): some vertex exists (see the module docstring)."""
    d = len(syms)
    lin = [_linear(g, syms) for g in constraints]
    if d == 0:
        return sp.And(*[sp.GreaterThan(e, 0) for _, e in lin])
    options = []
    for S in itertools.combinations(range(len(lin)), d):
        A = sp.Matrix([lin[k][0] for k in S])
        b = sp.Matrix([-lin[k][1] for k in S])
        det = sp.factor(A.det())
        if det == 0:
            continue
        adjb = A.adjugate() * b
        conds = [sp.Ne(det, 0)]
        for k, (c, e) in enumerate(lin):
            if k in S:
                continue
            num = sp.expand(sum(ci * ai for ci, ai in zip(c, adjb)) + e * det)
            conds.append(sp.GreaterThan(sp.expand(num * det), 0))
        options.append(sp.And(*conds))
    return sp.Or(*options) if options else sp.false


def _simplex(syms: Sequence[sp.Symbol]) -> list:
    return [*syms, 1 - sp.Add(*syms)]


def _expected(game, weights: Mapping, m, r, other) -> sp.Basic:
    """:math:`\\sum_t w_t [u_R(t,m,r) - u_R(t,m,r')]`."""
    return sp.Add(*[w * (game.uR(t, m, r) - game.uR(t, m, other)) for t, w in weights.items()])


def _sustainable(game, m, r, support: Sequence[str]) -> sp.Basic:
    """Condition on the parameters: ``r`` is a best response at ``m`` to some belief on ``support``."""
    support = list(support)
    syms = [sp.Dummy(f"b{k}", real=True) for k in range(len(support) - 1)]
    w = dict(zip(support[:-1], syms))
    w[support[-1]] = 1 - sp.Add(*syms)
    cons = [_expected(game, w, m, r, o) for o in game.responses if o != r] + (_simplex(syms) if syms else [])
    return _nonempty(cons, syms)


class _Decider:
    def __init__(self, hyps, timeout_ms):
        self.hyps, self.timeout_ms, self.cache = list(hyps), timeout_ms, {}

    def __call__(self, cond, extra=()):
        from ..solvers.regions import classify

        cond = sp.sympify(cond)
        if cond in (sp.true, sp.false):
            return "always" if cond is sp.true else "never"
        key = (cond, tuple(extra))
        if key not in self.cache:
            self.cache[key] = classify(cond, self.hyps + list(extra), self.timeout_ms)
        return self.cache[key]

    def simplify(self, cond, extra=()):
        from ..solvers.regions import simplify_condition

        return simplify_condition(cond, self.hyps + list(extra), self.timeout_ms)


def _belief_bounds(game, m, conds: Sequence[sp.Basic], region, decide: _Decider) -> sp.Basic:
    """The off-path belief set at ``m``: the best-response inequalities, those implied by the
    region and the simplex dropped, and with one free belief each written as a bound on it."""
    syms = list(game.beliefs[m].values())
    simplex = [x >= 0 for x in _simplex(syms)]
    extra = [region, *simplex]
    kept = []
    for g in conds:
        rel = sp.GreaterThan(g, 0)
        if decide(rel, extra) == "always":
            continue
        if len(syms) == 1:
            (c,), e = _linear(g, syms)
            if decide(c > 0, [region]) == "always":
                rel = sp.GreaterThan(syms[0], sp.factor(-e / c))
            elif decide(c < 0, [region]) == "always":
                rel = sp.LessThan(syms[0], sp.factor(-e / c))
        else:
            from ..solvers.regions import simplify_relation

            rel = simplify_relation(rel, decide.hyps + [region], decide.timeout_ms)
        kept.append(rel)
    return sp.And(*kept) if kept else sp.true


#: the kinds of equilibrium a branch can be
KINDS = ("pooling", "separating", "partially pooling", "semi-separating")


def _kind(sigma: Mapping) -> str:
    n = len(set(sigma.values()))
    return "pooling" if n == 1 else "separating" if n == len(sigma) else "partially pooling"


def _pure_candidates(game: SignalingGame, decide: _Decider, dropped: list) -> list:
    out = []
    T, M, R = game.types, game.messages, game.responses
    for choice in itertools.product(M, repeat=len(T)):
        sigma = dict(zip(T, choice))
        on = [m for m in M if m in choice]
        posts = {}
        for m in on:
            mass = sp.Add(*[game.priors[t] for t in T if sigma[t] == m])
            posts[m] = {t: sp.cancel(game.priors[t] / mass) if sigma[t] == m else sp.Integer(0) for t in T}
        for rchoice in itertools.product(R, repeat=len(M)):
            rho = dict(zip(M, rchoice))
            label = (f"sender {', '.join(f'{t}: {m}' for t, m in sigma.items())}; "
                     f"receiver {', '.join(f'{m}: {r}' for m, r in rho.items())}")
            # 1. the receiver on the path (the Bayes belief's denominator is positive: cleared)
            receiver_on, why = [], {}
            for m in on:
                w = {t: game.priors[t] for t in T if sigma[t] == m}
                for o in R:
                    if o != rho[m]:
                        c = sp.GreaterThan(_expected(game, w, m, rho[m], o), 0)
                        receiver_on.append(c)
                        why.setdefault(c, f"at {m} the receiver prefers {o} to {rho[m]}")
            # 2. every incentive constraint of the sender
            ics = []
            for t in T:
                for m2 in M:
                    if m2 != sigma[t]:
                        c = sp.GreaterThan(game.uS(t, sigma[t], rho[sigma[t]]) - game.uS(t, m2, rho[m2]), 0)
                        ics.append(c)
                        why.setdefault(c, f"type {t} gains by sending {m2} ({sp.sstr(game.uS(t, m2, rho[m2]))} > "
                                          f"{sp.sstr(game.uS(t, sigma[t], rho[sigma[t]]))})")
            # 3. off-path beliefs that sustain the response
            off_conds, exists = {}, []
            for m in M:
                if m in on:
                    continue
                mu = game.belief_vector(m)
                off_conds[m] = [_expected(game, mu, m, rho[m], o) for o in R if o != rho[m]]
                syms = list(game.beliefs[m].values())
                exists.append(_nonempty(off_conds[m] + _simplex(syms), syms))
            groups = [("the receiver's best response on the path", receiver_on),
                      ("the sender's incentive constraints", ics),
                      ("no off-path belief sustains the response", exists)]
            joint, reason, undecided = [], None, False
            for gname, conds in groups:
                joint += conds
                verdict = decide(sp.And(*joint))
                if verdict == "never":
                    single = next((c for c in conds if decide(c) == "never"), None)
                    if gname.startswith("no off-path"):
                        reason = gname + " (with the other conditions)"
                    elif single is not None:
                        reason = why[single] + " on the whole domain"
                    else:
                        reason = f"{gname} cannot hold together"
                    break
                undecided = verdict == "undecided"
            if reason is not None:
                dropped.append((label, reason))
                continue
            region = sp.And(*joint)
            status = "not decided" if undecided else "decided"
            if not undecided:
                region = decide.simplify(region)
                if region is sp.false:
                    dropped.append((label, "the conditions are jointly empty"))
                    continue
            beliefs = {m: (posts[m] if m in on else game.belief_vector(m)) for m in M}
            belief_sets = {m: _belief_bounds(game, m, cs, region, decide) for m, cs in off_conds.items()}
            payoffs = {f"{game.sender}({t})": game.uS(t, sigma[t], rho[sigma[t]]) for t in T}
            payoffs[game.receiver] = sp.Add(*[game.priors[t] * game.uR(t, sigma[t], rho[sigma[t]]) for t in T])
            out.append(SignalingBranch(_kind(sigma), sigma, rho, beliefs, belief_sets, region, payoffs, status))
    return out


def _intuitive(game: SignalingGame, b: SignalingBranch, decide: _Decider) -> dict:
    """The intuitive criterion on a pooling branch (see the module docstring)."""
    T = game.types
    ustar = {t: game.uS(t, b.sender[t], b.receiver[b.sender[t]]) for t in T}
    br_all = {}
    fail_options = []
    for m2 in game.messages:
        if m2 in b.sender.values():
            continue
        for r in game.responses:
            br_all[(m2, r)] = _sustainable(game, m2, r, T)
        dominated = {t: sp.And(*[sp.Or(sp.Not(br_all[(m2, r)]), sp.StrictGreaterThan(ustar[t], game.uS(t, m2, r)))
                                 for r in game.responses]) for t in T}
        for k in range(len(T)):  # J a proper subset of T, by size
            for J in itertools.combinations(T, k):
                rest = [t for t in T if t not in J]
                cond_J = sp.And(*[dominated[t] for t in J], *[sp.Not(dominated[t]) for t in rest])
                br_rest = {r: _sustainable(game, m2, r, rest) for r in game.responses}
                breaks = sp.Or(*[sp.And(*[sp.Or(sp.Not(br_rest[r]), sp.StrictLessThan(ustar[t], game.uS(t, m2, r)))
                                          for r in game.responses]) for t in rest])
                fail_options.append(sp.And(cond_J, breaks))
    fail = sp.And(b.region, sp.Or(*fail_options))
    survive = sp.And(b.region, sp.Not(sp.Or(*fail_options)))
    vf, vs = decide(fail), decide(survive)
    if vf == "never":
        return {"verdict": "survives", "survives": b.region, "fails": sp.false}
    if vs == "never":
        return {"verdict": "fails", "survives": sp.false, "fails": b.region}
    if "undecided" in (vf, vs):
        return {"verdict": "not decided", "survives": survive, "fails": fail}
    return {"verdict": "depends", "survives": decide.simplify(survive), "fails": decide.simplify(fail)}


def _semi_separating(game: SignalingGame, decide: _Decider, dropped: list, seconds: float) -> list:
    from ..solvers.systems import solve_system

    out = []
    r1, r2 = game.responses
    q, s = sp.Symbol("q", real=True), sp.Symbol("s", real=True)
    relations = {q: [q > 0, q < 1], s: [s > 0, s < 1]}
    for tx, tp in itertools.permutations(game.types, 2):
        for ma, mb in itertools.permutations(game.messages, 2):
            for rb in game.responses:
                label = (f"{tp}: {ma}; {tx}: {ma} w.p. q, {mb} otherwise; receiver at {ma} mixes "
                         f"({r1} w.p. s), at {mb}: {rb}")
                d_tp = game.uR(tp, ma, r1) - game.uR(tp, ma, r2)
                d_tx = game.uR(tx, ma, r1) - game.uR(tx, ma, r2)
                receiver_indiff = sp.expand(game.priors[tp] * d_tp + game.priors[tx] * q * d_tx)
                sender_indiff = sp.expand(s * game.uS(tx, ma, r1) + (1 - s) * game.uS(tx, ma, r2) - game.uS(tx, mb, rb))
                if not receiver_indiff.has(q) or not sender_indiff.has(s):
                    dropped.append((label, "an indifference condition does not depend on its mixing probability "
                                           "(non-generic: not enumerated)"))
                    continue
                try:
                    sol = solve_system([receiver_indiff, sender_indiff], [q, s], relations, decide.hyps, seconds,
                                       decide.timeout_ms)
                except DerivationError as exc:
                    dropped.append((label, f"indifference: {exc}"))
                    continue
                for br in sol.branches:
                    qv, sv = br.values[q], br.values[s]
                    other = [o for o in game.responses if o != rb]
                    conds = [br.region]
                    conds += [sp.GreaterThan(game.uR(tx, mb, rb) - game.uR(tx, mb, o), 0) for o in other]
                    conds.append(sp.GreaterThan(sv * game.uS(tp, ma, r1) + (1 - sv) * game.uS(tp, ma, r2)
                                                - game.uS(tp, mb, rb), 0))
                    region = sp.And(*conds)
                    verdict = decide(region)
                    if verdict == "never":
                        dropped.append((label, f"{rb} is not the receiver's best response at {mb}, or {tp} would "
                                               f"deviate to {mb}"))
                        continue
                    status = "decided" if verdict != "undecided" else "not decided"
                    if status == "decided":
                        region = decide.simplify(region)
                    qv, sv = sp.factor(qv), sp.factor(sv)
                    mass = game.priors[tp] + game.priors[tx] * qv
                    beliefs = {ma: {tp: sp.factor(game.priors[tp] / mass), tx: sp.factor(game.priors[tx] * qv / mass)},
                               mb: {tp: sp.Integer(0), tx: sp.Integer(1)}}
                    beliefs = {m: {t: mu[t] for t in game.types} for m, mu in beliefs.items()}
                    sender = {tp: ma, tx: {ma: qv, mb: sp.factor(1 - qv)}}
                    sender = {t: sender[t] for t in game.types}
                    receiver = {ma: {r1: sv, r2: sp.factor(1 - sv)}, mb: rb}
                    receiver = {m: receiver[m] for m in game.messages}
                    u_tp = sp.factor(sv * game.uS(tp, ma, r1) + (1 - sv) * game.uS(tp, ma, r2))
                    u_tx = sp.factor(game.uS(tx, mb, rb))
                    u_r = (game.priors[tp] * (sv * game.uR(tp, ma, r1) + (1 - sv) * game.uR(tp, ma, r2))
                           + game.priors[tx] * (qv * (sv * game.uR(tx, ma, r1) + (1 - sv) * game.uR(tx, ma, r2))
                                                + (1 - qv) * game.uR(tx, mb, rb)))
                    payoffs = {f"{game.sender}({t})": (u_tp if t == tp else u_tx) for t in game.types}
                    payoffs[game.receiver] = sp.factor(sp.cancel(u_r))
                    out.append(SignalingBranch("semi-separating", sender, receiver, beliefs, {}, region, payoffs,
                                               status, mixing={q: qv, s: sv}))
    return out


def signaling_map(game: SignalingGame, hypotheses: Sequence[sp.Basic] = (), timeout_ms: int = 5000,
                  seconds: float = 20.0) -> SignalingMap:
    """Every PBE of the enumerated kinds with its region (see the module docstring)."""
    game.validate()
    decide = _Decider(hypotheses, timeout_ms)
    for t, p in game.priors.items():
        verdict = decide(sp.StrictGreaterThan(p, 0))
        if verdict != "always":
            raise SignalingInputError(f"game {game.name}: the prior of type {t} ({sp.sstr(p)}) is not "
                             f"{'positive on the whole domain' if verdict != 'undecided' else 'decided positive (z3)'}")
    dropped: list = []
    branches = _pure_candidates(game, decide, dropped)
    for b in branches:  # every pure equilibrium with an off-path message (every pooling one)
        if b.belief_sets:
            b.intuitive = _intuitive(game, b, decide)
    not_enumerated = ["mixed profiles in which the receiver is pure where a type is indifferent (non-generic)"]
    if (len(game.types), len(game.messages), len(game.responses)) == (2, 2, 2):
        branches += _semi_separating(game, decide, dropped, seconds)
        not_enumerated += ["profiles in which both types mix (non-generic here: with the receiver mixing at "
                           "both messages both posteriors, hence the prior, would sit at its indifference belief; "
                           "with it pure at one, two types' indifferences would fix one mixing probability)"]
    else:
        not_enumerated.insert(0, "semi-separating profiles (enumerated for two types, two messages and two "
                                 "responses only)")
    union = decide(sp.Or(*[b.region for b in branches])) if branches else "never"
    covers = True if union == "always" else False if union in ("never", "sometimes") else None
    return SignalingMap(game, branches, dropped, covers, not_enumerated)


# ---------------------------------------------------------------------------------------------
def _feasible(constraints: list[tuple[list, float]], d: int, tol: float) -> bool:
    """Some ``x`` in the simplex of dimension ``d`` with ``c . x + e >= -tol`` for every ``(c, e)``:
    by interval intersection when ``d == 1``, by a linear program otherwise."""
    if d == 1:
        lo, hi = 0.0, 1.0
        for (c,), e in constraints:
            if abs(c) < 1e-14:
                if e < -tol:
                    return False
            elif c > 0:
                lo = max(lo, -e / c)
            else:
                hi = min(hi, -e / c)
        return lo <= hi + tol
    from scipy.optimize import linprog

    A = [[-ci for ci in c] for c, _ in constraints] + [[1.0] * d]
    b = [e + tol for _, e in constraints] + [1.0]
    res = linprog([0.0] * d, A_ub=A, b_ub=b, bounds=[(0, 1)] * d, method="highs")
    return res.status == 0


def _numbers(game: SignalingGame, point: Mapping) -> tuple[dict, dict, dict]:
    """Priors and payoffs at ``point`` in floats (one compiled function, memoised on the game)."""
    from ..numeric import lambdify

    cached = getattr(game, "_numeric", None)
    if cached is None:
        syms = sorted(game.free_symbols, key=lambda x: x.name)
        keys = list(game.table)
        exprs = [game.priors[t] for t in game.types] + [u for k in keys for u in game.table[k]]
        cached = game._numeric = (syms, lambdify(syms, exprs), keys)
    syms, fn, keys = cached
    by_name = {(k if isinstance(k, str) else k.name): float(v) for k, v in point.items()}
    values = [float(x) for x in fn(*[by_name[x.name] for x in syms])]
    n = len(game.types)
    pi = dict(zip(game.types, values[:n]))
    US = {k: values[n + 2 * i] for i, k in enumerate(keys)}
    UR = {k: values[n + 2 * i + 1] for i, k in enumerate(keys)}
    return pi, US, UR


def numeric_pbe(game: SignalingGame, point: Mapping, tol: float = 1e-9) -> list[dict]:
    """Every pure PBE of the game at ``point`` (symbol or name -> number), in floats, by direct
    checks: ``[{"sender", "receiver", "payoffs"}]`` -- independent of the symbolic map (no
    regions, no vertex projection)."""
    T, M, R = game.types, game.messages, game.responses
    pi, US, UR = _numbers(game, point)
    out = []
    for choice in itertools.product(M, repeat=len(T)):
        sigma = dict(zip(T, choice))
        for rchoice in itertools.product(R, repeat=len(M)):
            rho = dict(zip(M, rchoice))
            ok = True
            for m in M:
                senders = [t for t in T if sigma[t] == m]
                if senders:
                    mass = sum(pi[t] for t in senders)
                    ev = {r: sum(pi[t] / mass * UR[(t, m, r)] for t in senders) for r in R}
                    ok = ev[rho[m]] >= max(ev.values()) - tol
                else:
                    # beliefs x on the first |T|-1 types, the last 1 - sum(x)
                    cons = []
                    for o in R:
                        if o == rho[m]:
                            continue
                        last = UR[(T[-1], m, rho[m])] - UR[(T[-1], m, o)]
                        c = [UR[(t, m, rho[m])] - UR[(t, m, o)] - last for t in T[:-1]]
                        cons.append((c, last))
                    ok = _feasible(cons, len(T) - 1, tol) if cons else True
                if not ok:
                    break
            if ok:
                ok = all(US[(t, sigma[t], rho[sigma[t]])] >= US[(t, m2, rho[m2])] - tol for t in T for m2 in M)
            if ok:
                pay = {f"{game.sender}({t})": US[(t, sigma[t], rho[sigma[t]])] for t in T}
                pay[game.receiver] = sum(pi[t] * UR[(t, sigma[t], rho[sigma[t]])] for t in T)
                out.append({"sender": sigma, "receiver": rho, "payoffs": pay})
    return out


def check_semi_separating(game: SignalingGame, b: SignalingBranch, point: Mapping, tol: float = 1e-9) -> bool:
    """A semi-separating branch at ``point``, checked in floats from the payoff table: the mixing
    probabilities in (0, 1), Bayes' belief computed here, the receiver indifferent where it mixes
    and best responding where not, every type indifferent between the messages it mixes over and
    no type gaining by a deviation."""
    by_name = {(k if isinstance(k, str) else k.name): float(v) for k, v in point.items()}

    def val(x):
        x = sp.sympify(x)
        return float(x.xreplace({s: by_name[s.name] for s in x.free_symbols}))

    T, M, R = game.types, game.messages, game.responses
    pi, US, UR = _numbers(game, point)
    send = {t: ({m: val(p) for m, p in x.items()} if isinstance(x, dict) else {x: 1.0}) for t, x in b.sender.items()}
    resp = {m: ({r: val(p) for r, p in x.items()} if isinstance(x, dict) else {x: 1.0}) for m, x in b.receiver.items()}
    probs = [p for d in (*send.values(), *resp.values()) for p in d.values()]
    if any(not (-tol <= p <= 1 + tol) for p in probs):
        return False
    for m in M:
        mass = sum(pi[t] * send[t].get(m, 0.0) for t in T)
        if mass <= tol:
            return False
        ev = {r: sum(pi[t] * send[t].get(m, 0.0) / mass * UR[(t, m, r)] for t in T) for r in R}
        best = max(ev.values())
        if any(ev[r] < best - tol for r, p in resp[m].items() if p > tol):
            return False
    for t in T:
        value = {m: sum(p * US[(t, m, r)] for r, p in resp[m].items()) for m in M}
        best = max(value.values())
        if any(value[m] < best - tol for m, p in send[t].items() if p > tol):
            return False
    return True


def cross_check_signaling(smap: SignalingMap, domain, n: int = 100, seed: int = 0) -> list[dict]:
    """For each branch, ``n`` seeded draws of the domain inside its region: a pure branch must be
    among :func:`numeric_pbe`'s equilibria at the draw with equal payoffs (1e-9 relative), and
    every pure equilibrium found there must be a branch whose region holds at the draw (the map
    is complete at the draw); a semi-separating branch is checked by
    :func:`check_semi_separating`.  Returns per branch ``{"region", "points", "mismatches"}``."""
    import numpy as np

    from ..numeric import lambdify

    game = smap.game
    names = sorted({s.name for s in game.free_symbols})
    syms = sorted(game.free_symbols, key=lambda x: x.name)
    pure = [x for x in smap.branches if x.pure]
    holds = [lambdify(syms, x.region) for x in pure]  # the regions in floats, for the completeness check
    out = []
    for k, b in enumerate(smap.branches):
        try:
            draws = domain.sample(n, np.random.default_rng(seed + k), given=[b.region], only=names)
        except Exception:  # negligible volume (a boundary): nothing to draw
            out.append({"region": b.region, "points": 0, "mismatches": []})
            continue
        count = len(next(iter(draws.values()))) if draws else 1
        pay_fns = {key: lambdify(syms, u) for key, u in b.payoffs.items()} if b.pure else {}
        bad = []
        for i in range(count):
            point = {domain[nm].symbol: float(draws[nm][i]) for nm in draws}
            if not b.pure:
                if not check_semi_separating(game, b, point):
                    bad.append(point)
                continue
            found = numeric_pbe(game, point)
            args = [point[x] for x in syms]
            exact = {key: float(f(*args)) for key, f in pay_fns.items()}
            match = [e for e in found if e["sender"] == b.sender and e["receiver"] == b.receiver]
            same = match and all(abs(match[0]["payoffs"][key] - v) <= 1e-9 * (1 + abs(v)) for key, v in exact.items())
            listed = {(tuple(x.sender.items()), tuple(x.receiver.items())) for x, h in zip(pure, holds) if h(*args)}
            numeric = {(tuple(e["sender"].items()), tuple(e["receiver"].items())) for e in found}
            if not same or listed != numeric:
                bad.append(point)
        out.append({"region": b.region, "points": count, "mismatches": bad})
    return out


__all__ = ["SignalingBranch", "SignalingGame", "SignalingInputError", "SignalingMap", "check_semi_separating", "cross_check_signaling",
           "numeric_pbe", "signaling_map"]
