r"""Alliances as insurance with moral hazard (Benson, Meirowitz & Ramsay; seed ``000_592bf9764b79cbeb.txt``).

Specification: ``shared/models/alliance_moral_hazard.md`` (claims BMR-1 ... BMR-12).  Where the
specification and the paper differ, the specification is followed and the report says so.

**Crisis subgame** (target :math:`j`, treaty support :math:`\theta_j \ge 0` paid by the partner if
:math:`j` fights).  Status quo: challenger 0, target 1.  After a threat the target capitulates
(challenger :math:`x_j`, target :math:`1-x_j`) or fights (challenger :math:`p_j - k_j`, target
:math:`1 - p_j - c_j + \theta_j`, partner pays :math:`\theta_j`).  The cost :math:`c_j` has CDF
:math:`F_j` on :math:`[0, \bar c_j]` (general :math:`F`, clipped uniform -- the default -- or the
clipped power family :math:`(c/\bar c)^\gamma`).

* the target fights iff :math:`c_j \le t_j := x_j - p_j + \theta_j` (indifference);
* the challenger's value of a threat is :math:`T_j(\theta) = F_j(t_j)(p_j-k_j) + (1-F_j(t_j))x_j`;
* :math:`\hat c_j(\theta) = E[c_j \mid c_j < t_j] = \int_0^{t_j} c f_j(c)\,dc / F_j(t_j)`
  (integrated; uniform: :math:`t_j/2`), and the target's crisis payoff when threatened is
  :math:`V_j(\theta) = F_j(t_j)(1-p_j-\hat c_j+\theta) + (1-F_j(t_j))(1-x_j) = 1 - x_j + \int_0^{t_j} F_j`;
* least deterrent support: :math:`T_j = 0 \iff F_j(t_j) = x_j/(x_j+k_j-p_j)`, so
  :math:`\underline\theta_j = F_j^{-1}(x_j/(x_j+k_j-p_j)) - x_j + p_j` (uniform:
  :math:`\bar c_j x_j/(x_j+k_j-p_j) - x_j + p_j`).

**Welfare** (two small targets): :math:`\partial(u_1+u_2)/\partial\theta_i = -\pi_i f_i(t_i)\theta_i \le 0`.

**Bargaining** (L large and deterred, s small): the pie :math:`\bar\theta_s` solves
:math:`u_L(\theta_L^*, \bar\theta_s) = u_L(0,0)`; :math:`\hat\theta^i_s` solves
:math:`u_i(\hat\theta) = z u_i(\mathbf 0) + (1-z) u_i(\theta_s)` (breakdown payoff
:math:`u_i(\mathbf 0) = u_i(0,0)`), with derivative (6)
:math:`\partial\hat\theta/\partial\theta_s = (1-z)u_i'(\theta_s)/u_i'(\hat\theta)` by the implicit
function theorem; Corollary 1's pair solves :math:`y^* = \hat\theta^L_s(x^*)`,
:math:`x^* = \hat\theta^s_s(y^*)`.

Every closed form is derived (solve, integration, implicit differentiation) from the payoffs and
the chosen distribution; the paper's printed formulas only appear as right-hand sides of claims.
Build with ``build(dist="uniform")`` (default) or ``build(dist="power")``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from symbolic import Claim, DerivativeSign, Equal, Equivalent, Holds, Model, distributions
from symbolic.distributions import BoundDistribution
from symbolic.domain import NONNEGATIVE, POSITIVE, PROBABILITY, REAL, interval
from symbolic.implicit import compose, implicit, invert_increasing, lift_piecewise
from symbolic.latex import tex
from symbolic.numeric import root_bracketed, root_bracketed_in, tanh_sinh

SEED = "000_592bf9764b79cbeb.txt"

#: Mutants (see :mod:`symbolic.mutation`) that cannot change any verdict and that no decision procedure
#: recognises (:mod:`symbolic.equivalence`), and why.  Each reverses a hypothesis of BMR-11's third part
#: (0 <= x* <= y* <= thetabar_s), which is only checked numerically, so the recogniser cannot decide
#: it; the mutated part is true again (sampling finds no violation, as for the original) for the
#: reason given.
_KS = ("no formula of this part involves k_s (the bargaining payoffs treat s, the small country, as threatened), "
       "and p_s > k_s and p_s < k_s each leave every value of the other parameters possible, so the part is "
       "decided over the same set either way")
_PAIR = ("x* and y* involve no k_L and satisfy (8) with 0 <= x* <= y* <= thetabar_s at every parameter value, not "
         "only under condition (1): thetahat_s(thetahat_L(x)) - x is >= 0 at x = 0 and <= 0 at thetabar_s "
         "(thetahat_L(thetabar_s) = thetabar_s), and thetahat_s(y) <= y, thetahat_L(x) <= thetabar_s for x <= thetabar_s "
         "by monotonicity of u_s, u_L")
MUTATION_EQUIVALENTS = {
    "claim-flip:BMR-11:part3:hypothesis 1 (p_L < k_L) reversed": _PAIR,
    "claim-flip:BMR-11:part3:hypothesis 2 (Piecewise((x_L*(1 - (-p_L + x_L)/cbar_L) + (-k_L..#708179d8) reversed": _PAIR,
    "claim-flip:BMR-11:part3:hypothesis 3 (p_s > k_s) reversed": _KS,
}


def budget(part, ms: int):
    """Give a part its own z3 time budget (ms): for formulas with nested square roots and
    Piecewise, where z3's nonlinear arithmetic rarely finishes, sampling takes over sooner."""
    part.timeout_ms = ms
    return part


def Same(lhs, rhs, label: str = "", given=()) -> Holds:
    """``lhs = rhs`` decided directly (z3, then sampling) -- for piecewise expressions where
    ``simplify`` would be slow; reads as an equation in the report."""
    return Holds(sp.Eq(sp.sympify(getattr(lhs, "expr", lhs)), sp.sympify(getattr(rhs, "expr", rhs)),
                       evaluate=False), label, given)


@dataclass
class Target:
    """A target's parameters and cost distribution (``label`` '' for the generic target j)."""

    label: str
    x: sp.Symbol
    p: sp.Symbol
    k: sp.Symbol
    cbar: sp.Symbol
    theta: sp.Symbol
    F: BoundDistribution

    def t(self, theta=None) -> sp.Basic:
        """The fighting cutoff :math:`x - p + \\theta`."""
        return self.x - self.p + (self.theta if theta is None else theta)


class Crisis:
    """Expected payoffs of the crisis subgame, derived from the game's outcome payoffs."""

    def __init__(self, game, generic: dict):
        self.game = game
        self.generic = generic  # the generic target's symbols: x, p, k, theta, c

    def _pay(self, player, outcome, T: Target, theta, c=None):
        g = self.generic
        sub = {g["x"]: T.x, g["p"]: T.p, g["k"]: T.k, g["theta"]: theta}
        if c is not None:
            sub[g["c"]] = c
        return self.game.payoff(player, outcome).xreplace(sub)

    def crisis_value(self, T: Target, theta=None, dist=None) -> sp.Basic:
        """:math:`V(\\theta)`: the threatened target's expected payoff, with :math:`\\hat c` integrated."""
        theta = T.theta if theta is None else theta
        dist = dist or T.F
        return dist.piecewise(T.t(theta), lambda F, PE, H: F * self._pay("Target", "Fight", T, theta, c=PE / F)
                              + (1 - F) * self._pay("Target", "Capitulate", T, theta))

    def threat_value(self, T: Target, theta=None, dist=None) -> sp.Basic:
        """:math:`T(\\theta)`: the challenger's expected payoff of a threat."""
        theta = T.theta if theta is None else theta
        dist = dist or T.F
        return dist.piecewise(T.t(theta), lambda F, PE, H: F * self._pay("Challenger", "Fight", T, theta)
                              + (1 - F) * self._pay("Challenger", "Capitulate", T, theta))

    def partner_value(self, T: Target, theta=None, dist=None) -> sp.Basic:
        """The partner's expected payoff from T's crisis when T is threatened: :math:`1 - F(t)\\theta`."""
        theta = T.theta if theta is None else theta
        dist = dist or T.F
        return dist.piecewise(T.t(theta), lambda F, PE, H: F * self._pay("Partner", "Fight", T, theta)
                              + (1 - F) * self._pay("Partner", "Capitulate", T, theta))

    def deterrence_level(self, T: Target) -> sp.Basic:
        """The value of :math:`F(t)` at which the challenger is indifferent: solve :math:`T = 0` (linear in F)."""
        Fv = sp.Symbol("F_v")
        tv = Fv * self._pay("Challenger", "Fight", T, T.theta) + (1 - Fv) * self._pay("Challenger", "Capitulate", T, T.theta)
        (F_star,) = sp.solve(sp.Eq(tv, 0), Fv)
        return sp.factor(F_star)

    def threatened(self, T: Target, theta=None) -> sp.Basic:
        """The challenger threatens: :math:`T(\\theta) > 0`, i.e. :math:`F(t) < x/(x+k-p)` since
        :math:`x + k - p > 0` (ties go to the status quo; a choice).  Written without Piecewise."""
        theta = T.theta if theta is None else theta
        return T.F.cdf_below(T.t(theta), self.deterrence_level(T))

    def least_deterrent(self, T: Target, dist=None) -> sp.Basic:
        r"""Solve :math:`T = 0` for :math:`F(t)` (linear), then invert :math:`F` and solve for :math:`\theta`."""
        dist = dist or T.F
        (theta_star,) = sp.solve(sp.Eq(T.t(), dist.inverse(self.deterrence_level(T))), T.theta)
        return theta_star


def _pieces(expr_pw: sp.Basic, boundary: sp.Basic) -> list:
    """``Piecewise((inside, t < cbar), (beyond, True))`` as ``[(inside, boundary), (beyond, None)]``."""
    expr_pw = lift_piecewise(expr_pw)
    if not isinstance(expr_pw, sp.Piecewise):
        return [(expr_pw, None)]
    (inside, _), (beyond, _) = expr_pw.args
    return [(inside, boundary), (beyond, None)]


def _per_unit(value: sp.Basic, offset: sp.Basic, scale: sp.Basic) -> sp.Basic:
    """``(value - offset) / scale`` with the division carried out symbolically in each branch."""
    folded = sp.piecewise_fold((value - offset) / scale)
    if isinstance(folded, sp.Piecewise):
        return sp.Piecewise(*[(sp.cancel(e), c) for e, c in folded.args])
    return sp.cancel(folded)


def build(dist: str = "uniform") -> Model:
    """Build the model with cost distribution ``dist`` ('uniform' -- the default -- or 'power')."""
    family = distributions.get(dist)
    m = Model("alliance_moral_hazard", title="Alliances as insurance with moral hazard",
              source=f"shared/seeds/{SEED}", spec="shared/models/alliance_moral_hazard.md",
              description="Two potential targets of a common challenger exchange war-contingent transfers "
                          "(alliance support theta); support makes a target fight more often (moral hazard) "
                          "but can deter the challenger. Crisis subgame, deterrence, welfare, "
                          "alternating-offers bargaining over the treaty, and Section 4's variant. "
                          f"Cost distribution: {family.title}.")
    m.options = {"dist": dist}
    m.distribution = family

    # ---- Parameters and domains ---------------------------------------------------------------
    x = m.parameter("x", PROBABILITY, "x", "stakes the target concedes if it capitulates (generic target j)")
    p = m.parameter("p", PROBABILITY, "p", "probability the challenger wins a war against the target")
    m.constrain(p < x, reason="1 - p > 1 - x: a costless war beats capitulation")
    k = m.parameter("k", POSITIVE, "k", "challenger's cost of war", sample_range=(0.0, 2.0))
    cbar = m.parameter("cbar", POSITIVE, r"\bar c", "upper end of the support of the target's cost",
                       sample_range=(0.05, 3.0))
    theta = m.parameter("theta", NONNEGATIVE, r"\theta", "support the partner pays if the target fights",
                        sample_range=(0.0, 2.0))
    c = m.parameter("c", NONNEGATIVE, "c", "the target's cost of war (private type)", sample_range=(0.0, 3.0))
    pi = m.parameter("pi", PROBABILITY, r"\pi", "probability the generic target i faces the crisis (Lemma 1)")
    shape = {}
    for sp_ in family.shape_parameters():
        shape[sp_.name] = m.parameter(sp_.name, sp_.domain, sp_.latex, sp_.description, sp_.sample_range)
    tg = {}
    for lab, size in (("L", "large"), ("s", "small")):
        xs = m.parameter(f"x_{lab}", PROBABILITY, f"x_{lab}", f"stakes of the {size} target {lab}")
        ps = m.parameter(f"p_{lab}", PROBABILITY, f"p_{lab}", f"challenger's probability of beating {lab}")
        m.constrain(ps < xs, reason=f"1 - p_{lab} > 1 - x_{lab}")
        ks = m.parameter(f"k_{lab}", POSITIVE, f"k_{lab}", f"challenger's cost of war against {lab}",
                         sample_range=(0.3, 3.0) if lab == "L" else (0.0, 0.6))
        cs = m.parameter(f"cbar_{lab}", POSITIVE, rf"\bar c_{lab}", f"upper end of {lab}'s cost support",
                         sample_range=(0.05, 3.0))
        ts = m.parameter(f"theta_{lab}", NONNEGATIVE, rf"\theta_{lab}", f"support {lab} receives if it fights",
                         sample_range=(0.0, 2.0))
        tg[lab] = (xs, ps, ks, cs, ts)
    pi_s = m.parameter("pi_s", PROBABILITY, r"\pi_s", "probability that the crisis hits s")
    m.define("pi_L", "1 - pi_s", r"\pi_L", "probability that the crisis hits L (one crisis at most)")
    pi_L = 1 - pi_s   # used in formulas as 1 - pi_s (decision procedures see parameters only)
    z = m.parameter("z", PROBABILITY, "z", "probability that bargaining breaks down (a crisis) after a rejection")
    s = m.parameter("s", interval(1, None), "s", "period of the delayed agreement (Lemma 2)", sample_range=(1.0, 20.0))
    u0 = m.parameter("u0", REAL, r"u_i(0,0)", "Lemma 2: i's payoff from the null treaty", sample_range=(-2.0, 2.0))
    ud = m.parameter("ud", REAL, r"u_i(\theta^d)", "Lemma 2: i's payoff from the deterrent treaty",
                     sample_range=(-2.0, 2.0))
    rho_1 = m.parameter("rho_1", PROBABILITY, r"\rho_1", "Section 4: increase of 1's probability of victory")
    rho_2 = m.parameter("rho_2", PROBABILITY, r"\rho_2", "Section 4: increase of 2's probability of victory")
    alpha = m.parameter("alpha", POSITIVE, r"\alpha", "Section 4: cost per unit of rho, c_i(rho) = alpha rho",
                        sample_range=(0.0, 2.0))
    P = m.form

    def bind(cb, label=""):
        return family.bind(cb, label, **shape)

    J = Target("", x, p, k, cbar, theta, bind(cbar))
    L = Target("L", *tg["L"], bind(tg["L"][3], "L"))
    S = Target("s", *tg["s"], bind(tg["s"][3], "s"))
    x_L, p_L, k_L, cbar_L, theta_L = tg["L"]
    x_s, p_s, k_s, cbar_s, theta_s = tg["s"]
    general = {lab: distributions.GENERAL.bind(T.cbar, lab) for lab, T in (("", J), ("L", L), ("s", S))}
    concrete = family.key == "uniform"

    m.choice("One crisis at most: pi_L = 1 - pi_s (eq. (2) of the paper uses 1 - pi_i for the partner's crisis).")
    m.choice("Ties: an indifferent target fights (measure zero); an indifferent challenger keeps the status quo, "
             "so the least deterrent support theta_underbar itself deters (the paper calls it the smallest "
             "support that deters). BMR-2 states the challenger's weak preference, as the specification does.")
    m.choice("Uniform F is clipped: F(c) = c/cbar on [0, cbar), 1 beyond, so every statement 'for all theta' "
             "is decided on both pieces (z3 reads Piecewise as If).")
    m.choice("u_i(0) in Proposition 3 and Corollary 1 is i's payoff when i's share of the pie is zero, i.e. the "
             "breakdown payoff u_i(0,0) (for s: theta_s = 0; for L: theta_s = thetabar_s). Reading it as "
             "u_L(theta_L*, theta_s = 0) would make breakdown L's best outcome, violating Osborne-Rubinstein's A1.")
    m.choice("Lemma 1 and Proposition 2 are about two targets; their second target reuses the parameter sets "
             "(theta_L, x_L, ...) and (theta_s, x_s, ...); Proposition 2 then assumes p_L - k_L > 0 as well.")
    m.choice("Lemma 2's u_i(0,0) and u_i(theta^d) are kept abstract (parameters u0, ud); s is a real number "
             ">= 1 for sampling, and lines that need the nesting written out are checked at s = 2.")

    # ---- Payoffs ----------------------------------------------------------------------------------
    game = m.payoffs(("Challenger", "Target", "Partner"))
    game.outcome("SQ", "status quo (no threat)", Challenger=0, Target=1, Partner=1)
    game.outcome("Capitulate", "the target concedes the stakes", Challenger="x", Target="1 - x", Partner=1)
    game.outcome("Fight", "war; the partner pays the support", Challenger="p - k", Target="1 - p - c + theta",
                 Partner="1 - theta")
    crisis = Crisis(game, {"x": x, "p": p, "k": k, "theta": theta, "c": c})
    # a deterred challenger keeps the status quo: the target's and the partner's payoffs then
    sq_target, sq_partner = game.payoff("Target", "SQ"), game.payoff("Partner", "SQ")

    # ---- Indifference => cutoffs -------------------------------------------------------------------
    fights = game.prefers("Target", "Fight", "Capitulate", "the target fights rather than capitulates")
    fight_cutoff = m.cutoff("fight_cutoff", fights, solve_for=c, latex=r"t",
                            description="highest cost at which the target fights (BMR-1)", display="x - p + theta")
    worst_fights = game.prefers("Target", game.payoff("Target", "Fight").subs(c, cbar), "Capitulate",
                                "the highest-cost type fights")
    theta_all_fight = m.cutoff("theta_all_fight", worst_fights, solve_for=theta, latex=r"\theta^{\mathrm{all}}",
                               description="least support at which every type fights (BMR-3)",
                               display="cbar - x + p")

    # ---- Derived quantities ---------------------------------------------------------------------------
    F_t = J.F.cdf(fight_cutoff.expr)
    tv = crisis.threat_value(J)
    m.derived("threat_value", tv, r"T(\theta)",
              "challenger's expected value of threatening the generic target",
              cross_check=_check_threat_value)
    m.derived("chat", J.F.conditional_expectation(J.t()), r"\hat c(\theta)",
              "E[c | c < x - p + theta], integrated from the density", cross_check=_check_chat)
    V = crisis.crisis_value(J)
    m.derived("crisis_value", V, r"V(\theta)",
              "threatened target's expected crisis payoff (bracket of eq. (2))")
    tu = crisis.least_deterrent(J)
    m.derived("theta_underbar", tu, r"\underline{\theta}",
              "least deterrent support, from T = 0 (BMR-4)", cross_check=_check_theta_underbar,
              defined_when=sp.Lt(p, k))  # with p >= k no support deters
    tu_F = crisis.least_deterrent(J, general[""])
    V_L0 = crisis.crisis_value(L, 0)
    u_L00 = pi_L * V_L0 + pi_s * crisis.partner_value(S, 0)   # breakdown payoff u_L(0,0): L threatened, s pays 0
    u_s00 = pi_s * crisis.crisis_value(S, 0) + pi_L * crisis.partner_value(L, 0)   # u_s(0,0)
    V_s = crisis.crisis_value(S)
    own_L = sp.Piecewise((crisis.crisis_value(L), crisis.threatened(L)), (sq_target, True))
    partner_L = sp.Piecewise((crisis.partner_value(L), crisis.threatened(L)), (sq_partner, True))
    u_L_full = pi_L * own_L + pi_s * crisis.partner_value(S)
    u_s_full = pi_s * V_s + pi_L * partner_L
    m.derived("u_i", pi_s * V_s + (1 - pi_s) * crisis.partner_value(L), r"u_i",
              "the paper's display of u_i(theta_1, theta_2) (i = s, j = L, both threatened)")
    m.derived("u_L", u_L_full, r"u_L", "L's expected payoff u_L(theta_L, theta_s) (deterrence included)")
    m.derived("u_s", u_s_full, r"u_s", "s's expected payoff u_s(theta_L, theta_s) (deterrence included)")
    theta_underbar_L = tu.xreplace({x: x_L, p: p_L, k: k_L, cbar: cbar_L})

    # the pie: u_L(theta_L^d, theta_s) = u_L(0,0) with theta_L^d deterrent.  The pie payoffs move
    # with theta_s only through pi_s times a crisis value N ("per unit of pi_s"); an equation
    # u = target is solved as N = (target - offset) / pi_s with that division done symbolically
    # (in floating point, (1 + O(pi_s) - 1) / pi_s would lose digits as pi_s -> 0)
    N_s, N_L = V_s, crisis.partner_value(S)
    u_L_pie = pi_L * sq_target + pi_s * N_L       # a function of theta_s
    u_s_pie = pi_s * N_s + pi_L * sq_partner
    w, yv = sp.Symbol("w", nonnegative=True), sp.Symbol("y", real=True)
    kink_s = sp.solve(sp.Eq(S.t(), cbar_s), theta_s)[0]   # theta_s where all of s's types fight

    def per_unit(value, offset):
        return _per_unit(value, offset, pi_s)
    neg_NL = _pieces(-N_L.subs(theta_s, w), kink_s)
    hyps = m.domain.conditions()

    def invert_L(target, name, latex, upper):
        """theta_s with N_L(theta_s) = target (closed form when solvable, else implicit)."""
        if concrete:
            sol = invert_increasing(neg_NL, w, yv, hyps)
            return compose(sol, yv, -target)
        return implicit(name, N_L.subs(theta_s, w) - target, w, (0, upper), latex=latex)

    per_unit_uL00 = per_unit(u_L00, pi_L * sq_target)
    thetabar = invert_L(per_unit_uL00, "thetabar_s", r"\bar\theta_s", 1 / pi_s + 1)
    m.derived("thetabar_s", thetabar, r"\bar\theta_s",
              "the pie: u_L(theta_L*, thetabar_s) = u_L(0,0) (BMR-9)", cross_check=_check_thetabar)

    # thetahat: u_i(thetahat) = z u_i(0) + (1-z) u_i(theta_s), per unit of pi_s
    rhs_s = z * u_s00 + (1 - z) * u_s_pie
    rhs_L = z * u_L00 + (1 - z) * u_L_pie
    target_s = z * per_unit(u_s00, pi_L * sq_partner) + (1 - z) * N_s
    try:
        pieces_s = _pieces(N_s.subs(theta_s, w), kink_s)
        th_s = compose(invert_increasing(pieces_s, w, yv, hyps), yv, target_s)
    except Exception:
        th_s = implicit("thetahat_s", N_s.subs(theta_s, w) - target_s, w, (0, theta_s), latex=r"\hat\theta^s_s")
    th_L = invert_L(z * per_unit_uL00 + (1 - z) * N_L, "thetahat_L", r"\hat\theta^L_s", 1 / pi_s + 1 + theta_s)
    m.derived("thetahat_s", th_s, r"\hat\theta^s_s",
              "s's indifference: u_s(thetahat) = z u_s(0) + (1-z) u_s(theta_s)",
              cross_check=_check_thetahat("s"))
    m.derived("thetahat_L", th_L, r"\hat\theta^L_s",
              "L's indifference: u_L(thetahat) = z u_L(0,0) + (1-z) u_L(theta_s)",
              cross_check=_check_thetahat("L"))
    du_s, du_L = sp.diff(u_s_pie, theta_s), sp.diff(u_L_pie, theta_s)
    ift_s = (1 - z) * du_s / compose(du_s, theta_s, th_s)
    ift_L = (1 - z) * du_L / compose(du_L, theta_s, th_L)
    m.derived("dthetahat_s", ift_s, r"\partial\hat\theta^s_s/\partial\theta_s",
              "implicit-function derivative (6) for s", cross_check=_check_dthetahat("s"))
    m.derived("dthetahat_L", ift_L, r"\partial\hat\theta^L_s/\partial\theta_s",
              "implicit-function derivative (6)-(7) for L", cross_check=_check_dthetahat("L"))
    a6_s = m.derived("a6_ratio_s", du_s / compose(du_s, theta_s, th_s), r"r_s",
                     "u_s'(theta_s)/u_s'(thetahat_s): the left side of bound (4) for s")
    a6_L = m.derived("a6_ratio_L", du_L / compose(du_L, theta_s, th_L), r"r_L",
                     "u_L'(theta_s)/u_L'(thetahat_L): the left side of bound (4) for L")

    # Corollary 1: the stationary proposals (x* by L, y* by s) solve y = thetahat_L(x), x = thetahat_s(y)
    x_pie = m.unknown("x_pie", (0, thetabar), "x", "the support s gets when L proposes (Corollary 1)")
    y_pie = m.unknown("y_pie", (0, thetabar), "y", "the support s gets when s proposes (Corollary 1)")
    x_star, y_star = m.solve(
        [sp.Eq(y_pie, th_L.xreplace({theta_s: x_pie})), sp.Eq(x_pie, th_s.xreplace({theta_s: y_pie}))],
        {"x_star": x_pie, "y_star": y_pie}, latex={"x_star": r"x^*(z)", "y_star": r"y^*(z)"},
        description="Corollary 1: the support s gets when L proposes (x*) and when s proposes (y*)",
        method="fixed-point", cross_checks={"x_star": _check_pair(0), "y_star": _check_pair(1)})
    x_star_e, y_star_e = x_star.expr, y_star.expr

    # ---- General-F forms (displayed and used by claims) --------------------------------------------------
    G = general[""]
    tv_F = crisis.threat_value(J, dist=G)
    V_F = crisis.crisis_value(J, dist=G)
    m._general = {"threat_value": tv_F, "crisis_value": V_F, "theta_underbar": tu_F,
                  "chat": G.conditional_expectation(J.t())}

    # ---- Claims ---------------------------------------------------------------------------------------------
    cond1 = [p < k, sp.StrictGreaterThan(tv.subs(theta, 0), 0)]      # condition (1) for the generic target
    cond1_L = [p_L < k_L, sp.StrictGreaterThan(crisis.threat_value(L, 0), 0)]
    small_s = [p_s > k_s]
    Fg = general[""].F
    F_print = J.F.cdf(P("x - p + theta"))   # the printed F(x - p + theta), F the chosen distribution

    m.claim(Claim("BMR-1", "target j fights iff c_j < x_j - p_j + theta_j (indifference of the target)", [
        Equal(fight_cutoff, P("x - p + theta"), "derived cutoff equals x - p + theta"),
        Equivalent(fights.weak(), c <= P("x - p + theta"), "the target (weakly) prefers to fight iff c <= x - p + theta"),
    ], paper_form=r"c_j < x_j - p_j + \theta_j", about=("fight_cutoff",),
        note="The paper breaks the tie towards capitulation (c = x - p + theta capitulates); the cutoff is "
             "the same and the tie has probability zero."))

    m.claim(Claim("BMR-2", "challenger threatens iff F(x-p+theta)(p-k) + (1-F(x-p+theta))x >= 0; condition (1) "
                           "(large target): p - k < 0 and the threat is made at theta = 0", [
        Equal(tv_F, Fg(P("x - p + theta")) * (p - k) + (1 - Fg(P("x - p + theta"))) * x,
              "general F: the derived value of a threat equals the printed one"),
        Same(tv, F_print * (p - k) + (1 - F_print) * x, "the same for the concrete F"),
        Equivalent(game.prefers("Challenger", {"Fight": F_t, "Capitulate": 1 - F_t}, "SQ").weak(),
                   sp.GreaterThan(F_print * (p - k) + (1 - F_print) * x, 0),
                   "the challenger weakly prefers threatening iff the printed value is >= 0"),
        Equivalent(sp.StrictGreaterThan(tv, 0), crisis.threatened(J),
                   "the threat is made (T > 0) iff F(x - p + theta) < x/(x + k - p)"),
        Holds(tv.subs(theta, theta_all_fight.expr) < 0, "with p - k < 0, a treaty deters (all types fight)",
              given=[p < k]),
        Equivalent(sp.And(*cond1), sp.And(p < k, tu > 0),
                   "(1) iff p < k and the least deterrent support is positive"),
    ], paper_form=r"p_j - k_j < 0,\ F(x_j - p_j)(p_j - k_j) + (1 - F(x_j - p_j))x_j > 0", about=("threat_value",)))

    m.claim(Claim("BMR-3", "all types fight iff theta_j >= cbar_j - x_j + p_j", [
        Equal(theta_all_fight, P("cbar - x + p"), "derived bound equals cbar - x + p"),
        Equivalent(sp.GreaterThan(F_t, 1), theta >= P("cbar - x + p"), "F(x - p + theta) = 1 iff theta >= cbar - x + p"),
    ], paper_form=r"\theta_j \ge \bar c_j - x_j + p_j", about=("theta_all_fight",)))

    Finv = type(G.inverse(x))
    tu_print_F = Finv(P("x/(x + k - p)")) - x + p
    m.claim(Claim("BMR-4", "least deterrent support: general form F^{-1}(x/(x+k-p)) - x + p; closed form for "
                           "the concrete F", [
        Equal(tu_F, tu_print_F, "general F: solving T = 0 gives the printed form"),
        Equal(tu, tu_print_F.xreplace({}).replace(lambda e: isinstance(e, Finv), lambda e: J.F.inverse(e.args[0])),
              "concrete F: the closed form is the general form with F^{-1} of the concrete F"),
        Equivalent(tv <= 0, theta >= tu, "deterred (T <= 0) iff theta >= theta_underbar", given=[p < k]),
        Holds(tu <= theta_all_fight.expr, "theta_underbar <= cbar - x + p", given=[p < k]),
    ], paper_form=r"\underline\theta_j = F^{-1}\!\left(\frac{x_j}{x_j+k_j-p_j}\right) - x_j + p_j",
        about=("theta_underbar",),
        note="For the uniform F the closed form is cbar x/(x + k - p) - x + p; the paper prints only the "
             "definition ('the smallest amount of support that deters')."))

    # BMR-5: Lemma 1's 'by assumption' step
    W_j = sp.Function("W_j")  # the partner's term of (2), (3): unchanged by the deviation
    eq2 = pi * crisis.crisis_value(J, dist=G) + (1 - pi) * W_j(theta_L)
    eq3 = pi * sq_target + (1 - pi) * W_j(theta_L)
    between = [theta > 0, theta < tu]
    H_J = J.F.integrated_cdf(J.t(tu))
    repair_cond = sp.LessThan(H_J, x)
    m.claim(Claim("BMR-5", "Lemma 1: 'by assumption' the crisis payoff inside (2) is below 1 for "
                           "0 < theta_i* < theta_underbar_i, so the deterrent proposal (3) is a profitable deviation", [
        Equal(eq3 - eq2, pi * (1 - V_F), "general F: (3) - (2) = pi_i (1 - V(theta_i*)): profitable iff V < 1"),
        Holds(V < 1, "V(theta) < 1 for every 0 < theta < theta_underbar under condition (1)",
              given=cond1 + between),
    ], paper_form=r"F(x_i-p_i+\theta_i^*)(1-p_i-\hat c_i(\theta_i^*)+\theta_i^*) + (1-F(\cdot))(1-x_i) < 1",
        about=("crisis_value", "theta_underbar"),
        repair=Claim("BMR-5*", "the step holds for every 0 < theta < theta_underbar iff int_0^{t_u} F <= x, "
                               "t_u = x - p + theta_underbar (uniform: cbar x <= 2 (x + k - p)^2)", [
            Same(V, 1 - x + J.F.integrated_cdf(J.t()), "V(theta) = 1 - x + int_0^{x-p+theta} F"),
            Holds(V < 1, "V < 1 on (0, theta_underbar) given the condition", given=cond1 + between + [repair_cond]),
            Equivalent(sp.LessThan(V.subs(theta, tu), 1), repair_cond,
                       "the condition is exactly V(theta_underbar) <= 1 (V increases: V' = F)", given=cond1),
            DerivativeSign(V, theta, +1, "V increases in theta (V' = F(x - p + theta) > 0)", given=cond1),
        ] + ([Equivalent(repair_cond, sp.LessThan(cbar * x, 2 * (x + k - p) ** 2),
                         "uniform: the condition reads cbar x <= 2 (x + k - p)^2", given=cond1)] if concrete else []),
            about=("crisis_value",)),
        note="The crisis payoff includes the transfer theta; when theta is large (cbar large relative to the "
             "challenger's incentives) a threatened target is better off than in the status quo, so the deterrent "
             "proposal is not a profitable deviation and the step fails. No assumption of the paper rules this out."))

    # BMR-6: Lemma 2's chain
    tt = sp.Symbol("t", integer=True, nonnegative=True)
    Sigma = sp.Sum((1 - z) ** tt, (tt, 0, s - 1)).doit()

    def nested(n):
        v = ud
        for _ in range(n):
            v = z * u0 + (1 - z) * v
        return v

    def line2(n):  # as printed: z u0 + (1-z) u0 + ... + (1-z)^{n-1} u0 + (1-z)^n ud
        return z * u0 + sum(((1 - z) ** j * u0 for j in range(1, n)), sp.Integer(0)) + (1 - z) ** n * ud

    def line2_fixed(n):
        return z * u0 + sum((z * (1 - z) ** j * u0 for j in range(1, n)), sp.Integer(0)) + (1 - z) ** n * ud

    def line3(n):
        return z * u0 * sp.Sum((1 - z) ** tt, (tt, 0, n - 1)).doit() + (1 - z) ** n * ud

    L3 = z * u0 * Sigma + (1 - z) ** s * ud
    B = z * u0 * Sigma / (1 - (1 - z) ** s)
    Cc = z * u0 * ((1 - (1 - z) ** s) / z * (1 / (1 - (1 - z) ** s)))
    Dd = z * u0 * (1 / z)
    common = [
        Equal(line3(1), nested(1), "line 3 = the nesting at s = 1 (induction base)"),
        Equal(L3.subs(s, s + 1), z * u0 + (1 - z) * L3, "line 3 obeys the nesting's recursion (induction step)"),
        Equivalent(ud <= L3, ud <= B, "second display: line 2 follows from line 1 (1 - (1-z)^s > 0)"),
        Equal(B, Cc, "line 3 = line 2 (geometric sum)"),
        Equal(Cc, Dd, "line 4 = line 3"),
        Equal(Dd, u0, "line 4 = u_i(0,0)"),
        Equal(B, u0, "the key identity z u0 sum_{t<s}(1-z)^t / (1-(1-z)^s) = u0"),
    ]
    m.claim(Claim("BMR-6", "Lemma 2: z u0 sum_{t<s}(1-z)^t/(1-(1-z)^s) = u0, and each displayed line follows from "
                           "the previous one", [
        Equal(line2(2), nested(2), "first display, line 2 = line 1 (s = 2)"),
        Equal(line3(2), line2(2), "first display, line 3 = line 2 (s = 2)"),
    ] + common, paper_form=r"z u_i(0,0)\frac{\sum_{t=0}^{s-1}(1-z)^t}{1-(1-z)^s} = u_i(0,0)",
        repair=Claim("BMR-6*", "with the factor z restored in the second line of the first display "
                               "(z u0 + z(1-z) u0 + ... + (1-z)^s ud), every line follows", [
            Equal(line2_fixed(2), nested(2), "corrected line 2 = line 1 (s = 2)"),
            Equal(line3(2), line2_fixed(2), "line 3 = corrected line 2 (s = 2)"),
            Equal(line2_fixed(3), nested(3), "corrected line 2 = line 1 (s = 3)"),
        ] + common),
        note="The second line of the first display drops the factor z from every u_i(0,0) term after the first, "
             "so it does not equal the first line, and the third line does not follow from it; the third line "
             "does equal the first (induction), and the rest of the chain and the key identity are correct, so "
             "Lemma 2's conclusion stands."))

    # BMR-7: Proposition 2 (two small targets; the second reuses L's parameters).  The payoffs include
    # the challenger's choice (status quo when deterred): small targets (p_i > k_i) are always threatened
    def own(T):
        return sp.Piecewise((crisis.crisis_value(T), crisis.threatened(T)), (sq_target, True))

    def partner(T):
        return sp.Piecewise((crisis.partner_value(T), crisis.threatened(T)), (sq_partner, True))
    uL_small = pi_L * own(L) + pi_s * partner(S)
    us_small = pi_s * own(S) + pi_L * partner(L)
    Wsum = uL_small + us_small
    W0 = Wsum.subs({theta_L: 0, theta_s: 0})
    small_both = [p_L > k_L, p_s > k_s]
    GL, GS = general["L"], general["s"]
    Wsum_F = (pi_L * crisis.crisis_value(L, dist=GL) + pi_s * crisis.partner_value(S, dist=GS)
              + pi_s * crisis.crisis_value(S, dist=GS) + pi_L * crisis.partner_value(L, dist=GL))
    m.claim(Claim("BMR-7", "Proposition 2 (two small targets): the null treaty (0,0) is Pareto efficient; "
                           "u_1 + u_2 is maximal at (0,0)", [
        Equal(sp.diff(Wsum_F, theta_L), -pi_L * GL.pdf(L.t()) * theta_L,
              "general F: d(u_1+u_2)/d theta_1 = -pi_1 f_1(x_1 - p_1 + theta_1) theta_1 <= 0"),
        Holds(Wsum <= W0, "u_1 + u_2 <= its value at (0,0) for all theta_1, theta_2 >= 0", given=small_both),
        Holds(sp.Not(sp.And(uL_small >= uL_small.subs({theta_L: 0, theta_s: 0}),
                            us_small >= us_small.subs({theta_L: 0, theta_s: 0}),
                            sp.Or(uL_small > uL_small.subs({theta_L: 0, theta_s: 0}),
                                  us_small > us_small.subs({theta_L: 0, theta_s: 0})))),
              "no treaty Pareto dominates (0,0) (given the sum inequality above)",
              given=small_both + [Wsum <= W0]),
    ], paper_form=r"u_1(\boldsymbol\theta) + u_2(\boldsymbol\theta) \le u_1(0,0) + u_2(0,0)", about=("u_i",),
        note="The proof's display writes u_1(theta) + u_1(theta); it means u_1 + u_2. When x_i - p_i >= cbar_i "
             "(all types already fight) the sum is flat in theta_i: such treaties are pure transfers, never "
             "Pareto improvements. The payoffs include the challenger's choice, so the hypothesis matters: with "
             "a large target (p_i < k_i) a deterrent treaty can raise u_1 + u_2."))

    # BMR-8: Lemma 3's step
    us_det_F = pi_s * crisis.crisis_value(S, dist=GS) + pi_L * sq_partner
    us_thr_F = pi_s * crisis.crisis_value(S, dist=GS) + pi_L * crisis.partner_value(L, dist=GL)
    m.claim(Claim("BMR-8", "Lemma 3: u_s(theta_underbar_L, theta_s) - u_s(theta_L*, theta_s) = "
                           "pi_L F(x_L - p_L + theta_L*) theta_L*", [
        Equal(us_det_F - us_thr_F, pi_L - pi_L * (1 - GL.cdf(L.t()) * theta_L),
              "general F: the difference equals pi_L - pi_L(1 - F theta_L*) (first printed line)"),
        Equal(us_det_F - us_thr_F, pi_L * GL.cdf(L.t()) * theta_L, "general F: = pi_L F theta_L* (second line)"),
        Same(compose(u_s_full, theta_L, theta_underbar_L) - u_s_full, pi_L * L.F.cdf(L.t()) * theta_L,
             "concrete F, deterrence decided by the challenger: the difference at any theta_L* < theta_underbar_L",
             given=cond1_L + [theta_L < theta_underbar_L]),
        Holds(pi_L * L.F.cdf(L.t()) * theta_L > 0, "the difference is positive for theta_L* > 0",
              given=[theta_L > 0]),
    ], paper_form=r"\pi_L - \pi_L(1 - F(x_L - p_L + \theta_L^*)\theta_L^*) = \pi_L F(x_L - p_L + \theta_L^*)\theta_L^*",
        about=("u_s",), note="The paper's first line writes p_l for p_L (a typo)."))

    # BMR-9: the pie
    m.claim(Claim("BMR-9", "the pie thetabar_s solves u_L(theta_L*, thetabar_s) = u_L(0,0); closed form for "
                           "the concrete F", [
        # u_L(0,0) read off u_L itself (the challenger's choice at theta_L = 0 included), not the
        # threatened form u_L00 the pie is solved from: that L is threatened at 0 is condition (1)
        budget(Same(compose(u_L_full, theta_s, thetabar), u_L_full.subs({theta_L: 0, theta_s: 0}),
             "u_L(theta_L*, thetabar_s) = u_L(0,0) for any deterrent theta_L* >= theta_underbar_L",
             given=cond1_L + small_s + [theta_L >= theta_underbar_L]), 300),
        budget(Holds(thetabar > 0, "the pie is positive", given=cond1_L), 300),
        DerivativeSign(u_L_pie, theta_s, -1, "u_L decreases in theta_s (so the root is unique)",
                       given=[theta_s > 0]),
    ], about=("thetabar_s",),
        note="For the uniform F: with D = pi_L (1 - V_L(0))/pi_s, thetabar_s = (sqrt((x_s-p_s)^2 + 4 cbar_s D) "
             "- (x_s - p_s))/2 while this is below cbar_s - x_s + p_s (some types of s capitulate), else D. "
             "The paper gives no formula."))

    # BMR-10: Proposition 3 / A6
    that_F = {}
    for lab in ("s", "L"):
        uG = (pi_s * crisis.crisis_value(S, dist=GS) + pi_L if lab == "s" else pi_L + pi_s * crisis.partner_value(S, dist=GS))
        u0G = uG.subs(theta_s, 0) if lab == "s" else pi_L * crisis.crisis_value(L, 0, dist=GL) + pi_s
        hat = sp.Symbol("h", nonnegative=True)
        res = uG.subs(theta_s, hat) - z * u0G - (1 - z) * uG
        that_F[lab] = (implicit(f"thetahat_{lab}_F", res, hat, (0, 1), latex=rf"\hat\theta^{lab}_s"), uG)
    pie = [theta_s <= thetabar]
    z_min = (cbar_s - x_s + p_s) / (2 * cbar_s - x_s + p_s)
    parts10 = []
    for lab, (hatF, uG) in that_F.items():
        dU = sp.diff(uG, theta_s)
        parts10.append(Equal(sp.diff(hatF, theta_s), (1 - z) * dU / dU.subs(theta_s, hatF),
                             f"(6) for {lab}, general F: implicit differentiation of the defining equation"))
    parts10 += [
        budget(Same(compose(u_s_pie, theta_s, th_s), rhs_s, "closed form thetahat_s solves s's indifference", given=small_s), 300),
        budget(Same(compose(u_L_pie, theta_s, th_L), rhs_L, "closed form thetahat_L solves L's indifference",
             given=cond1_L + small_s + pie), 300),
        budget(Holds((1 - z) * a6_s.expr < 1, "bound (4) for s: (1-z) u_s'(theta_s)/u_s'(thetahat_s) < 1 for every z",
              given=small_s + pie), 300),
        budget(Holds((1 - z) * a6_L.expr < 1, "bound (4) for L: (1-z) u_L'(theta_s)/u_L'(thetahat_L) < 1 for every z",
              given=cond1_L + small_s + pie), 300),
    ]
    m.claim(Claim("BMR-10", "Proposition 3 / A6: (6) d thetahat/d theta_s = (1-z) u_i'(theta_s)/u_i'(thetahat); "
                            "the bound (4) holds for the small and the large country for every z in (0,1)", parts10,
                  paper_form=r"\max\Big\{\max_{\theta_s}\Big|\frac{u_s'(\theta_s)}{u_s'(\hat\theta^s_s)}\Big|,"
                             r"\max_{\theta_s}\Big|\frac{u_L'(\theta_s)}{u_L'(\hat\theta^L_s)}\Big|\Big\} < \frac{1}{1-z}",
                  about=("thetahat_s", "thetahat_L", "dthetahat_s", "dthetahat_L"),
                  repair=Claim("BMR-10*", "bound (4) holds for L iff the pie stays where some of s's types capitulate "
                                          "(thetabar_s <= cbar_s - x_s + p_s) or z >= (cbar_s - x_s + p_s)/(2 cbar_s - x_s + p_s)", [
                      budget(Holds((1 - z) * a6_L.expr < 1, "bound (4) for L under the condition",
                            given=cond1_L + small_s + pie + [sp.Or(thetabar <= kink_s, kink_s <= 0, z >= z_min)]), 300),
                      budget(Holds((1 - z) * a6_s.expr < 1, "bound (4) for s (every z)", given=small_s + pie), 300),
                  ], about=("a6_ratio_L",)) if concrete else None,
                  note="theta_s ranges over the pie [0, thetabar_s]. For s, u_s' = pi_s F_s is continuous and (4) holds for "
                       "every z. For L, u_L' = -pi_s (F_s + f_s theta_s) jumps at theta_s = cbar_s - x_s + p_s, where the "
                       "uniform density drops to 0: just below the kink u_L'(theta_s)/u_L'(thetahat) approaches "
                       "(2 cbar_s - x_s + p_s)/cbar_s > 1, so (4) fails for small z when the pie crosses the kink. "
                       "On the interior piece (no clipping) (4) holds for every z for both countries."))

    # BMR-11: Corollary 1
    m.claim(Claim("BMR-11", "Corollary 1: the stationary solution (x*(z), y*(z)) solves (8): "
                            "<<y*,0>> ~_L <<x*,1>> and <<x*,0>> ~_s <<y*,1>>", [
        Same(compose(u_L_pie, theta_s, y_star_e), z * u_L00 + (1 - z) * compose(u_L_pie, theta_s, x_star_e),
             "L is indifferent between y* now and x* next period", given=cond1_L + small_s),
        Same(compose(u_s_pie, theta_s, x_star_e), z * u_s00 + (1 - z) * compose(u_s_pie, theta_s, y_star_e),
             "s is indifferent between x* now and y* next period", given=cond1_L + small_s),
        Holds(sp.And(x_star_e >= 0, x_star_e <= y_star_e, y_star_e <= thetabar),
              "0 <= x* <= y* <= thetabar_s (each proposer gets more of the pie)", given=cond1_L + small_s),
    ], paper_form=r"\langle\langle y^*(z),0\rangle\rangle \sim_L \langle\langle x^*(z),1\rangle\rangle,\ "
                  r"\langle\langle x^*(z),0\rangle\rangle \sim_s \langle\langle y^*(z),1\rangle\rangle",
        about=("x_star", "y_star"),
        note="x* and y* are the support theta_s proposed by L and by s. They are solved numerically "
             "(root finding on x = thetahat_s(thetahat_L(x)) over the pie); the cross-check solves the two "
             "equations (8) directly by nested root finding on the payoffs."))

    # BMR-12: Section 4
    t1, t2 = x - p + rho_1, x - p + rho_2
    F1, F2 = J.F.cdf(t1), J.F.cdf(t2)
    ineq1 = sp.GreaterThan(F1 * rho_1, F2 * alpha * rho_2)
    ineq2 = sp.GreaterThan(F2 * rho_2, F1 * alpha * rho_1)
    ratio1 = sp.GreaterThan(P("(x - p + rho_1)/(x - p + rho_2)"), P("alpha*rho_2/rho_1"))
    ratio2 = sp.GreaterThan(P("rho_2/(alpha*rho_1)"), P("(x - p + rho_1)/(x - p + rho_2)"))
    # the paper's regime: the challenger still threatens each target (rho_i < p - k), so the
    # gain from a treaty is pi F(x - p + rho_i) rho_i as displayed
    feasible = [rho_1 <= 1 - p, rho_2 <= 1 - p, rho_1 < p - k, rho_2 < p - k]
    diag = [
        Holds(sp.StrictGreaterThan(F1 * rho_1, alpha * F1 * rho_1),
              "alpha < 1: on the diagonal rho_1 = rho_2 > 0 both hold strictly (an interior point)",
              given=[alpha < 1]),
        Holds(sp.Implies(sp.And(ineq1, ineq2), sp.Eq(F1 * rho_1, F2 * rho_2, evaluate=False)).xreplace({alpha: 1}),
              "alpha = 1: both hold only with equality"),
    ]
    m.claim(Claim("BMR-12", "Section 4 (c_i(rho) = alpha rho, symmetric, uniform): the participation inequalities "
                            "reduce to the displayed ratio forms; alpha < 1 makes the diagonal interior; alpha = 1 "
                            "allows only equality", [
        Equivalent(ineq1, ratio1, "first inequality iff the first ratio form", given=feasible),
        Equivalent(ineq2, ratio2, "second inequality iff the second ratio form", given=feasible),
    ] + diag, paper_form=r"\frac{x-p+\rho_1}{x-p+\rho_2} \ge \frac{\alpha\rho_2}{\rho_1},\quad "
                          r"\frac{\rho_2}{\alpha\rho_1} \ge \frac{x-p+\rho_1}{x-p+\rho_2}",
        repair=Claim("BMR-12*", "the ratio forms are exact when no target fights for sure: x - p + rho_i <= cbar", [
            Equivalent(ineq1, ratio1, "first inequality iff the first ratio form",
                       given=feasible + [t1 <= cbar, t2 <= cbar]),
            Equivalent(ineq2, ratio2, "second inequality iff the second ratio form",
                       given=feasible + [t1 <= cbar, t2 <= cbar]),
        ] + diag) if concrete else None,
        note="The ratio forms use F(c) = c/cbar at x - p + rho_i; when x - p + rho_i > cbar the clipped CDF is 1 "
             "there and the forms differ. The paper's remark that with alpha = 1 'either neither inequality is "
             "satisfied or both with equality' overstates: exactly one holds whenever F_1 rho_1 != F_2 rho_2; "
             "the specification's 'both hold only with equality' is what is checked."))

    # ---- Prose with no formula to check ----------------------------------------------------------------------
    m.stated_not_checked("Lemma 1, Lemma 2, Lemma 3 and Propositions 1-3 as equilibrium statements "
                         "(existence, uniqueness, no delay).",
                         "equilibrium arguments over strategies; only their algebraic steps are encoded (BMR-5 ... BMR-10)")
    m.stated_not_checked("Section 4: with two large countries, alliances that fully deter cost nothing.",
                         "prose; the threat value with rho_i >= p_i - k_i is not formalised in the paper")

    # quantities too long to print whole are listed in the section "Long closed forms" instead,
    # by their branch on the interior of the supports (no type sure to fight)
    long = [q for q in m.quantities.values() if q.kind == "derived" and sp.count_ops(q.expr) > 40]
    for q in long:
        q.kind = "derived_long"
    _sections(m, J, crisis, G, tv_F, V_F, tu_F, thetabar, th_s, th_L, concrete)
    _long_section(m, long)
    m.figure("deterrence", r"Deterrence threshold: the challenger's value of a threat $T(\theta)$ against the "
             r"support $\theta$ (generic target, $x = 0.5$, $p = 0.2$, $k = 0.6$, $\bar c = 1$); the threat is "
             r"made while $T > 0$ and deterred from $\underline\theta$ on.", _plot_deterrence)
    m.figure("corollary1", r"Corollary 1: the support $\theta_s$ in the stationary proposals of $L$ ($x^*$) and "
             r"$s$ ($y^*$), and the pie $\bar\theta_s$, against the breakdown probability $z$ "
             r"($x_L = 0.6$, $p_L = 0.2$, $k_L = 1$, $\bar c_L = 1$, $x_s = 0.5$, $p_s = 0.3$, $\bar c_s = 1$, "
             r"$\pi_s = 0.5$).", _plot_corollary)
    return m


# =============================================================================================
# Report sections (LaTeX built from the derived expressions)
# =============================================================================================
def interior_branch(expr: sp.Basic) -> sp.Basic:
    """The expression on the first branch of every Piecewise (for these models: the interior of
    the cost supports, where no type is sure to fight)."""
    return expr.replace(lambda e: isinstance(e, sp.Piecewise), lambda e: e.args[0][0])


def _long_section(m, long):
    m.section("Long closed forms (interior branch)", lambda: _long_section_body(m, long))


def _long_section_body(m, long):
    rows = []
    for q in long:
        expr = m.expand(q.expr)
        if any(type(f).__module__.startswith("symbolic.implicit") for f in expr.atoms(sp.Function)):
            rows.append(f"{q.latex} &: && \\text{{{_esc(q.description)} (solved numerically)}}")
            continue
        inner = interior_branch(expr)
        try:
            inner = sp.simplify(inner) if sp.count_ops(inner) < 200 else inner
        except Exception:  # pragma: no cover
            pass
        rows.append(f"{q.latex} &= {tex(inner, m)} && \\text{{{_esc(q.description)}}}")
    return ("The following closed forms are long because the clipped CDF splits each of them into pieces "
            "(every piece is used by the verification and the numeric functions). Shown is the branch on "
            "the interior of the cost supports, where no type is sure to fight ($x_j - p_j + \\theta_j < \\bar c_j$):\n"
            "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}")


def _esc(text):
    from symbolic.latex import escape
    return escape(text)


def _sections(m, J, crisis, G, tv_F, V_F, tu_F, thetabar, th_s, th_L, concrete):
    def T(e):
        return tex(e, m)

    m.section("Crisis subgame and deterrence",
              "With a general CDF $F$ (density $f = F'$), the payoffs of the crisis give\n"
              "\\begin{align*}\n"
              f"T(\\theta) &= {T(tv_F)},\\\\\n"
              f"V(\\theta) &= {T(V_F)},\\\\\n"
              f"\\underline\\theta &= {T(tu_F)},\n"
              "\\end{align*}\n"
              "where $V$ is the threatened target's expected payoff (the bracket of eq.~(2)) with "
              "$\\hat c(\\theta) = \\int_0^{t} c f(c)\\,dc / F(t)$, $t = x - p + \\theta$. Integrating by parts, "
              "$V(\\theta) = 1 - x + \\int_0^{t}F(c)\\,dc$, so $V' = F(t) > 0$. "
              f"For the chosen distribution ({m.distribution.title}), "
              f"$\\hat c(\\theta) = {T(m.quantity('chat'))}$ and $\\underline\\theta = {T(m.quantity('theta_underbar'))}$. "
              "Lemma~1's step (BMR-5) needs $V < 1$ on $(0, \\underline\\theta)$, i.e. "
              "$\\int_0^{x-p+\\underline\\theta}F \\le x$; with the uniform $F$ this is "
              "$\\bar c x \\le 2(x+k-p)^2$, which the domain does not imply.")
    m.section("Welfare and the bargaining stage", lambda: (
              "Two small targets: $u_1 + u_2$ has $\\partial/\\partial\\theta_i = -\\pi_i f_i(t_i)\\theta_i \\le 0$, so "
              "the null treaty maximises the sum (BMR-7). One large (deterred) and one small target bargain over "
              "the support $\\theta_s \\in [0, \\bar\\theta_s]$; the breakdown payoff is $u_i(0,0)$. "
              + ("For the uniform $F$ the closed forms, derived by inverting the payoffs piece by piece "
                 "(interior of the support and the part where every type of $s$ fights), are\n"
                 "\\begin{align*}\n"
                 f"\\bar\\theta_s &= {T(sp.simplify(interior_branch(thetabar)))},\\\\\n"
                 f"\\hat\\theta^s_s &= {T(sp.simplify(interior_branch(th_s)))},\\\\\n"
                 f"\\hat\\theta^L_s &= {T(sp.simplify(interior_branch(th_L)))}\n"
                 "\\end{align*}\n"
                 "on the interior branch (all pieces: Section ``Long closed forms'' and the verification). "
                 if concrete else "")
              + "Bound (4) is $(1-z)\\,u_i'(\\theta_s)/u_i'(\\hat\\theta^i_s) < 1$ on the pie (BMR-10). For $s$ it "
                "holds for every $z$. For $L$, $u_L'$ jumps where all of $s$'s types start to fight "
                "($\\theta_s = \\bar c_s - x_s + p_s$), and the ratio approaches $(2\\bar c_s - x_s + p_s)/\\bar c_s$ "
                "from below the kink, so (4) needs $z \\ge (\\bar c_s - x_s + p_s)/(2\\bar c_s - x_s + p_s)$ whenever "
                "the pie crosses the kink. Corollary~1's pair is solved numerically; its figure shows how the division moves with $z$."))


# =============================================================================================
# Independent numeric checks (each docstring's first line names the method)
# =============================================================================================
def _cdf_numeric(model, cbar, c, draws):
    """The chosen distribution's CDF in numbers (clipped)."""
    gamma = draws.get("gamma", 1.0) if model.options["dist"] == "power" else 1.0
    return np.clip(np.clip(c, 0, None) / cbar, 0, 1) ** gamma


def _check_threat_value(model, draws):
    """direct numeric evaluation: F(t)(p-k) + (1-F(t))x with the numeric CDF"""
    x, p, k, cbar, th = (draws[n] for n in ("x", "p", "k", "cbar", "theta"))
    Fv = _cdf_numeric(model, cbar, x - p + th, draws)
    return Fv * (p - k) + (1 - Fv) * x


def _check_chat(model, draws):
    """tanh-sinh quadrature of c dF(c) on [0, t] (103 nodes), divided by F(t)"""
    x, p, cbar, th = (draws[n] for n in ("x", "p", "cbar", "theta"))
    t = np.minimum(x - p + th, cbar)
    if model.options["dist"] == "power":
        gam = draws["gamma"]
        num = tanh_sinh(lambda c, g, cb: c * g * c ** (g - 1) / cb ** g, np.zeros_like(t), t, args=(gam, cbar))
        return num / (t / cbar) ** gam
    return tanh_sinh(lambda c, cb: c / cb, np.zeros_like(t), t, args=(cbar,)) / (t / cbar)


def _check_theta_underbar(model, draws):
    """bracketed root finding on the challenger's threat value T(theta) = 0 (draws with p < k; NaN where no deterrence exists)"""
    tv = model.numeric("threat_value")
    args = {n: draws[n] for n in tv.parameters if n != "theta"}
    p, k = draws["p"], draws["k"]
    lo = -(draws["x"] - draws["p"]) + 1e-300
    hi = draws["cbar"] + 1.0
    root = root_bracketed(lambda th: tv(theta=th, **args), lo, hi)
    return np.where(p < k, root, np.nan)


def _check_thetabar(model, draws):
    """bracketed root finding on u_L(theta_L^d, theta_s) - u_L(0,0) in theta_s, payoffs evaluated numerically"""
    def solve(draws):
        point = _with_breakdown_payoffs(model, draws)
        return root_bracketed_in(lambda t, d: _u_L(model, d, t) - d["uL00"], 0 * point["z"], 1 / draws["pi_s"] + 1,
                                 point)
    return _where(_deterrable(model, draws), draws, solve)


def _u_s(model, d, theta_s):
    """s's payoff at support theta_s (theta_L deterrent), numerically."""
    us = model.numeric("u_s")
    return us(**{**d, "theta_L": np.full_like(theta_s, 1e6), "theta_s": theta_s})


def _u_L(model, d, theta_s):
    """L's payoff at support theta_s (theta_L deterrent), numerically."""
    uL = model.numeric("u_L")
    return uL(**{**d, "theta_L": np.full_like(theta_s, 1e6), "theta_s": theta_s})


def _with_breakdown_payoffs(model, draws):
    """The draws with the breakdown payoffs u_s(0) (as "us0") and u_L(0, 0) (as "uL00")."""
    zero = np.zeros_like(draws["x_L"])
    uL00 = model.numeric("u_L")(**{**draws, "theta_L": zero, "theta_s": zero})
    return {**draws, "us0": _u_s(model, draws, zero), "uL00": uL00}


def _where(ok, draws, solve):
    """``solve`` (returning an array or a tuple of arrays) on the draws where ``ok``; NaN at the
    others, where the checked quantity is undefined (no need to solve there)."""
    got = solve({k: v[ok] for k, v in draws.items()})

    def spread(values):
        out = np.full(ok.shape, np.nan)
        out[ok] = values
        return out
    return tuple(map(spread, got)) if isinstance(got, tuple) else spread(got)


def _solvable(model, draws):
    """Draws where the hat equations have their root: deterrable, and p_s > k_s."""
    return _deterrable(model, draws) & (draws["p_s"] > draws["k_s"])


def _deterrable(model, draws):
    zero = np.zeros_like(draws["x_L"])
    return (draws["p_L"] < draws["k_L"]) & (model.numeric("threat_value")(
        x=draws["x_L"], p=draws["p_L"], k=draws["k_L"], cbar=draws["cbar_L"], theta=zero,
        **({"gamma": draws["gamma"]} if "gamma" in draws else {})) > 0)


def _hat_residual(model, who):
    """u_i(t) - [z u_i(breakdown) + (1-z) u_i(theta_s)], with theta_s given as "at" in the point."""
    u, breakdown = (_u_s, "us0") if who == "s" else (_u_L, "uL00")

    def residual(t, d):
        return u(model, d, t) - (d["z"] * d[breakdown] + (1 - d["z"]) * u(model, d, d["at"]))
    return residual


def _solve_hat(model, point, who, theta_s):
    """Root of the defining equation of thetahat (payoffs evaluated numerically); ``point`` from
    :func:`_with_breakdown_payoffs`."""
    hi = theta_s + 1e-12 if who == "s" else 1 / point["pi_s"] + 1 + theta_s
    return root_bracketed_in(_hat_residual(model, who), np.zeros_like(theta_s), hi, {**point, "at": theta_s})


#: Rounding noise of a payoff (values near 1) in float64, a few units in the last place.  A
#: root of a payoff equation is blurred by about NOISE / |slope of the residual at the root|
#: (the payoffs vary with theta_s at a rate of order pi_s, which can be 10^-6); each check below
#: leaves out (NaN) the draws where that blur could reach a tenth of its tolerance.
NOISE = 1e-15


def _blur(model, point, who, hat):
    """NOISE / |slope| of the hat residual at its root ``hat`` (central difference)."""
    step = 1e-6 * (1 + np.abs(hat))
    residual = _hat_residual(model, who)
    with np.errstate(all="ignore"):
        slope = (residual(hat + step, point) - residual(hat - step, point)) / (2 * step)
        return NOISE / np.abs(slope)


def _check_thetahat(who):
    def check(model, draws):
        """bracketed root finding on the defining equation u_i(thetahat) = z u_i(0,0) + (1-z) u_i(theta_s) (where its rounding blur is below 1e-9)"""
        def solve(d):
            point = _with_breakdown_payoffs(model, d)
            hat = _solve_hat(model, point, who, d["theta_s"])
            sharp = _blur(model, {**point, "at": d["theta_s"]}, who, hat) <= 1e-9 * (1 + np.abs(hat))
            return np.where(sharp, hat, np.nan)
        return _where(_solvable(model, draws), draws, solve)
    return check


def _check_dthetahat(who):
    def check(model, draws):
        """five-point finite differences (step h = 1e-3 theta_s) of the bracketed root of thetahat's defining equation (where the roots' rounding blur over h is below 1e-7)"""
        return _where(_solvable(model, draws), draws, lambda d: _dthetahat_by_differences(model, who, d))
    check.tol = 1e-6  # the stencil's truncation error (h^4) and rounding (blur / h) stay well below
    return check


def _dthetahat_by_differences(model, who, draws):
    """d thetahat / d theta_s by the five-point stencil with step h.

    Each root is blurred by rounding (see :data:`NOISE`), which the stencil divides by h: draws
    where blur / h exceeds a tenth of the tolerance are left out (NaN), as are draws within ten
    steps of the kinks of the clipped CDF (where (6) has one-sided values)."""
    ts = draws["theta_s"]
    h = 1e-3 * np.maximum(ts, 1e-3)
    point = _with_breakdown_payoffs(model, draws)
    f = {j: _solve_hat(model, point, who, ts + j * h) for j in (-2, -1, 0, 1, 2)}
    d = (f[-2] - 8 * f[-1] + 8 * f[1] - f[2]) / (12 * h)
    kink = draws["cbar_s"] - draws["x_s"] + draws["p_s"]
    away = (np.abs(ts - kink) > 10 * h) & (np.abs(f[0] - kink) > 10 * h) & (ts > 10 * h)
    sharp = _blur(model, {**point, "at": ts}, who, f[0]) / h <= 1e-7
    return np.where(away & sharp, d, np.nan)


_PAIR_CACHE: dict = {}


def _check_pair(index):
    def check(model, draws):
        key = (id(model), draws["z"].tobytes())
        if key not in _PAIR_CACHE:
            _PAIR_CACHE.clear()
            _PAIR_CACHE[key] = _solve_pair(model, draws)
        return _PAIR_CACHE[key][index]
    check.__doc__ = _solve_pair.__doc__
    return check


def _solve_pair(model, draws):
    """nested root finding on the two indifference equations (8), payoffs evaluated numerically (where its rounding blur is below 1e-9)"""
    return _where(_solvable(model, draws), draws, lambda d: _solve_pair_at(model, d))


def _solve_pair_at(model, draws):
    point = _with_breakdown_payoffs(model, draws)
    point["top"] = 1 / draws["pi_s"] + 1

    def y_of(xv, d):  # L indifferent: u_L(y) = z u_L(0,0) + (1-z) u_L(x)
        return root_bracketed_in(_hat_residual(model, "L"), 0 * xv, d["top"], {**d, "at": xv}, 80)

    def x_of(yv, d):  # s indifferent: u_s(x) = z u_s(0) + (1-z) u_s(y)
        return root_bracketed_in(_hat_residual(model, "s"), 0 * yv, yv + 1e-12, {**d, "at": yv}, 80)

    bar = root_bracketed_in(lambda t, d: _u_L(model, d, t) - d["uL00"], 0 * point["z"], point["top"], point, 80)
    xs = root_bracketed_in(lambda xv, d: x_of(y_of(xv, d), d) - xv, 0 * bar, bar, point, 60)
    ys = y_of(xs, point)
    # x = thetahat_s(thetahat_L(x)) is within O(z) of the identity: the blur of the two inner
    # roots (see NOISE), amplified by 1/z, is left out where it could reach a tenth of 1e-8
    blur = (_blur(model, {**point, "at": ys}, "s", xs) + _blur(model, {**point, "at": xs}, "L", ys)) / point["z"]
    sharp = blur <= 1e-9 * (1 + np.abs(xs))
    return np.where(sharp, xs, np.nan), np.where(sharp, ys, np.nan)


# =============================================================================================
# Figures
# =============================================================================================
def _plot_deterrence(model):
    """T(theta) against theta, with theta_underbar marked."""
    import matplotlib.pyplot as plt

    pt = dict(x=0.5, p=0.2, k=0.6, cbar=1.0)
    if model.options["dist"] == "power":
        pt["gamma"] = 2.0
    th = np.linspace(0, 1.2, 241)
    T = model.numeric("threat_value")(theta=th, **pt)
    tu = model.evaluate("theta_underbar", **pt)
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    ax.plot(th, T, label=r"$T(\theta)$")
    ax.axhline(0, color="0.6", lw=0.8)
    ax.axvline(tu, color="C3", ls="--", label=r"$\underline{\theta}$")
    ax.set_xlabel(r"support $\theta$")
    ax.set_ylabel("challenger's value of a threat")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def _plot_corollary(model):
    """x*(z), y*(z) and the pie against z."""
    import matplotlib.pyplot as plt

    zz = np.linspace(0.02, 0.98, 60)
    pt = dict(x_L=0.6, p_L=0.2, k_L=1.0, cbar_L=1.0, x_s=0.5, p_s=0.3, cbar_s=1.0, pi_s=0.5, z=zz)
    if model.options["dist"] == "power":
        pt["gamma"] = 2.0
    xs = model.numeric("x_star").call(pt)
    ys = model.numeric("y_star").call(pt)
    bar = model.numeric("thetabar_s").call(pt) * np.ones_like(zz)
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    ax.plot(zz, xs, label=r"$x^*(z)$ (L proposes)")
    ax.plot(zz, ys, label=r"$y^*(z)$ (s proposes)")
    ax.plot(zz, bar, color="0.5", ls=":", label=r"pie $\bar\theta_s$")
    ax.set_xlabel(r"breakdown probability $z$")
    ax.set_ylabel(r"support $\theta_s$ to the small country")
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig
