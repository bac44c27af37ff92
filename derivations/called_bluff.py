r"""The repeated Called Bluff debtor--creditor game (seed ``003_c5c0d2cd3b7c05b0.txt``).

Specification: ``shared/models/called_bluff.md`` (claims CB-1 ... CB-10; the specification wins
over the paper).

**Stage game.**  Creditor C (row) and Debtor D (column) cooperate (c) or defect (d); payoffs
(C, D): :math:`(c,c) = (0,0)`, :math:`(c_C,d_D) = (f_C,t_D)`, :math:`(d_C,c_D) = (t_C,f_D)`,
:math:`(d,d) = (s_C,s_D)`, with :math:`t_D > 0 > s_D > f_D` (a Prisoner's Dilemma for D) and
:math:`t_C > 0 > f_C > s_C` (Chicken for C).

**Stochastic game.**  States C (compliance), DN (debtor non-compliance), CN (creditor
non-compliance), common discount :math:`d`; review returns DN to C with probability
:math:`1-q` after the punishment :math:`(d_C,c_D)`, CN with :math:`1-p` after :math:`(c_C,d_D)`.
The cooperative profile plays (c,c) in C and the punishments in DN and CN; its values are
:math:`V^C = (0,0)`, :math:`V^{DN} = (t_C, f_D)/(1-dq)`, :math:`V^{CN} = (f_C, t_D)/(1-dp)`, and it is
an MPE iff (1) the Creditor takes her punishment in CN (always), (2) the Debtor takes his in DN
(:math:`q \le \bar q_D`), and (3) neither defects at C (:math:`1-q \le` ``max_return_D``,
:math:`1-p \le` ``max_return_C``).  In the blame variant mutual defection moves play to DN with
probability :math:`b`, to CN with :math:`1-b`; the scheme then needs
``blame_min_D`` :math:`\le b \le` ``blame_max_C``.

Every stationary equilibrium at given numbers comes from :mod:`symbolic.games.stochastic`.
"""
from __future__ import annotations

import itertools
from fractions import Fraction
from functools import lru_cache

import numpy as np
import sympy as sp

from symbolic import Claim, Computed, Equal, Equivalent, Holds, Model, ToolkitError
from symbolic.decide import decide
from symbolic.domain import POSITIVE, PROBABILITY, REAL, UNIT_INTERVAL, interval
from symbolic.games.stochastic import StochasticGame, numeric_action_value, numeric_values
from symbolic.numeric import root_bracketed_in
from symbolic.solvers import solve_system

SEED = "003_c5c0d2cd3b7c05b0.txt"
NEGATIVE = interval(None, 0, True, True)
STATES = ("C", "DN", "CN")
PLAYERS = ("C", "D")
#: the cooperative profile (Creditor's action, Debtor's action) per state
COOPERATIVE = {"C": ("c", "c"), "DN": ("d", "c"), "CN": ("c", "d")}
#: full cooperation above blame_max_C: mutual defection punishes the Creditor in CN
MUTUAL_PUNISHMENT = {"C": ("c", "c"), "DN": ("d", "c"), "CN": ("d", "d")}
#: the reconstructed figure-1 instance (CB-8's inverse search, best match; see the report)
FIGURE1 = dict(t_D=4, s_D=-3, f_D=-4, t_C=1, f_C=-7, s_C=-9, d=sp.Rational(9, 10),
               p=sp.Rational(3, 10), q=sp.Rational(3, 10))
#: an ordinal Called Bluff instance (payoffs 1..4 normalised at (c,c)) where blame_min_D > blame_max_C
ORDINAL = dict(t_D=1, s_D=-1, f_D=-2, t_C=1, f_C=-1, s_C=-2, d=sp.Rational(9, 10),
               p=sp.Rational(3, 10), q=sp.Rational(3, 10))
PAYOFF_NAMES = ("t_D", "f_D", "s_D", "t_C", "f_C", "s_C")


# =============================================================================================
# The games
# =============================================================================================
#: Mutants (see :mod:`symbolic.mutation`) that cannot change any verdict and that no decision procedure
#: recognises (:mod:`symbolic.equivalence`), and why.  In each, z3 decides every claim part the mutant
#: changes again with the original's truth value, except CB-2's last part: an exact enumeration at six
#: random rational instances, only checked, which no procedure decides.
_TWO_STATE = ("CB-2's enumeration at random instances (only checked) is the one part no procedure decides; it is "
              "about the two-state game, which has no {x} (only the payoffs, d and q), so its statement is unchanged")
_TWO_STATE_Q = ("CB-2's enumeration at random instances (only checked) is the one part no procedure decides; the "
                "two-state game involves q, and q in (-1, 0] is no probability, but the enumeration at the mutated "
                "draws still finds only the stage equilibrium (numeric evidence, as for the original); every other "
                "claim with q is an equivalence of rational conditions whose denominator 1 - d*q stays positive, "
                "which z3 proves again")
MUTATION_EQUIVALENTS = {
    'domain:p:lo=-1': _TWO_STATE.format(x="p"),
    'domain:q:lo=-1': _TWO_STATE_Q,
    'domain:b:lo=-1': _TWO_STATE.format(x="blame share b"),
    'domain:b:hi=2': _TWO_STATE.format(x="blame share b"),
}


#: The outcome of the payoff table behind each action profile (Creditor's action first).
OUTCOME = {("c", "c"): "cc", ("c", "d"): "cd", ("d", "c"): "dc", ("d", "d"): "dd"}


def stage_payoffs(sym, game=None) -> dict:
    """Stage payoffs (C, D) per action profile (Creditor's action first).

    With the model's payoff table ``game`` they are read from it (the single source every
    derivation of :func:`build` uses); without, they are the symbols of the restatement.
    """
    if game is not None:
        return {prof: (game.payoff("C", o), game.payoff("D", o)) for prof, o in OUTCOME.items()}
    return {("c", "c"): (0, 0), ("c", "d"): (sym["f_C"], sym["t_D"]),
            ("d", "c"): (sym["t_C"], sym["f_D"]), ("d", "d"): (sym["s_C"], sym["s_D"])}


def three_state_game(sym, blame: bool = False, stage: dict | None = None) -> StochasticGame:
    """The three-state game (spec transitions and choices); ``blame``: the section-5 variant;
    ``stage``: the stage payoffs (default :func:`stage_payoffs` of ``sym``)."""
    stage = stage if stage is not None else stage_payoffs(sym)
    g = StochasticGame(PLAYERS, STATES, sym["d"], start="C", name="called_bluff" + ("_blame" if blame else ""),
                       cooperation={s: ("c", "c") for s in STATES})
    p, q = sym["p"], sym["q"]
    for s in STATES:
        g.set_actions(s, ("c", "d"), ("c", "d"))
    for s in STATES:
        for prof, u in stage.items():
            if prof == ("c", "c"):
                to = "C"                                     # (choice) spontaneous return
            elif prof == ("d", "d"):
                to = {"DN": sym["b"], "CN": 1 - sym["b"]} if blame else s   # baseline: stays
            elif s == "C":
                to = "DN" if prof == ("c", "d") else "CN"
            elif s == "DN":
                to = {"C": 1 - q, "DN": q} if prof == ("d", "c") else "DN"   # (choice) refusal not reviewed
            else:
                to = {"C": 1 - p, "CN": p} if prof == ("c", "d") else "CN"
            g.stage(s, prof, u, to)
    return g


def two_state_game(sym, stage: dict | None = None) -> StochasticGame:
    """The paper's two-state version: compliance (C) and default (Def); any deviation from (c,c)
    in C leads to Def; Def is left by (c,c) at once, otherwise by review with probability 1-q."""
    g = StochasticGame(PLAYERS, ("C", "Def"), sym["d"], start="C", name="called_bluff_two_state",
                       cooperation={"C": ("c", "c"), "Def": ("c", "c")})
    q = sym["q"]
    for s in g.states:
        g.set_actions(s, ("c", "d"), ("c", "d"))
    for prof, u in (stage if stage is not None else stage_payoffs(sym)).items():
        g.stage("C", prof, u, "C" if prof == ("c", "c") else "Def")
        g.stage("Def", prof, u, "C" if prof == ("c", "c") else {"C": 1 - q, "Def": q})
    return g


# =============================================================================================
# The model
# =============================================================================================
def build() -> Model:
    """Build the Called Bluff model: parameters, games, values, conditions (1)-(3), claims."""
    m = Model("called_bluff", title="The repeated Called Bluff debtor-creditor game",
              source=f"shared/seeds/{SEED}", spec="shared/models/called_bluff.md",
              description="A discounted stochastic game between a sovereign Debtor and a Creditor whose "
                          "stage game is Called Bluff; review boards return play from the default states "
                          "to compliance.  Values, one-shot-deviation conditions and every stationary "
                          "Markov perfect equilibrium (MPE) are derived, symbolically and at numbers.")
    t_D = m.parameter("t_D", POSITIVE, "t_D", "Debtor's temptation payoff (defects on a cooperating Creditor)")
    s_D = m.parameter("s_D", NEGATIVE, "s_D", "Debtor's payoff under mutual defection", sample_range=(-4.0, 0.0))
    f_D = m.parameter("f_D", REAL, "f_D", "Debtor's payoff when punished (cooperates, Creditor defects)",
                      sample_range=(-8.0, 0.0))
    t_C = m.parameter("t_C", POSITIVE, "t_C", "Creditor's temptation payoff (defects on a cooperating Debtor)")
    f_C = m.parameter("f_C", NEGATIVE, "f_C", "Creditor's payoff when punished (cooperates, Debtor defects)",
                      sample_range=(-4.0, 0.0))
    s_C = m.parameter("s_C", REAL, "s_C", "Creditor's payoff under mutual defection", sample_range=(-8.0, 0.0))
    d = m.parameter("d", PROBABILITY, "d", "common discount factor")
    p = m.parameter("p", PROBABILITY, "p", "probability the review keeps play in CN (returns with 1-p)")
    q = m.parameter("q", PROBABILITY, "q", "probability the review keeps play in DN (returns with 1-q)")
    b = m.parameter("b", UNIT_INTERVAL, "b", "share of the blame for mutual defection put on the Debtor")
    m.constrain(f_D < s_D, reason="Called Bluff: t_D > 0 > s_D > f_D (Debtor)")
    m.constrain(s_C < f_C, reason="Called Bluff: t_C > 0 > f_C > s_C (Creditor)")
    sym = {x.name: x for x in (t_D, s_D, f_D, t_C, f_C, s_C, d, p, q, b)}

    for text in CHOICES:
        m.choice(text)

    game = m.payoffs(PLAYERS)
    game.outcome("cc", "both cooperate", C=0, D=0)
    game.outcome("cd", "Creditor cooperates, Debtor defects", C="f_C", D="t_D")
    game.outcome("dc", "Creditor defects, Debtor cooperates", C="t_C", D="f_D")
    game.outcome("dd", "both defect", C="s_C", D="s_D")

    stage_u = stage_payoffs(sym, game)   # every game below is built from this payoff table
    g3 = m.add_stochastic_game("baseline", three_state_game(sym, stage=stage_u))
    gb = m.add_stochastic_game("blame", three_state_game(sym, blame=True, stage=stage_u))
    g2 = m.add_stochastic_game("two_state", two_state_game(sym, stage=stage_u))
    m.inverse_search = inverse_search

    # ---- CB-3: values of the cooperative profile ---------------------------------------------
    shown = {("C", "C"): "0", ("C", "D"): "0", ("DN", "C"): "t_C/(1 - d*q)", ("DN", "D"): "f_D/(1 - d*q)",
             ("CN", "C"): "f_C/(1 - d*p)", ("CN", "D"): "t_D/(1 - d*p)"}
    cooperative = m.stationary_profile("baseline", "cooperative", COOPERATIVE, display=shown,
                                       description="punishments in DN and CN")
    coop, V = cooperative.strategy, cooperative.values
    values = {k: cooperative.quantities.get(k, v) for k, v in V.items()}
    devs = {(x.state, x.player): x for x in cooperative.deviations}
    cond1 = devs[("CN", "C")].condition      # the Creditor takes her punishment in CN
    cond2 = devs[("DN", "D")].condition      # the Debtor takes his punishment in DN
    cond3D = devs[("C", "D")].condition      # the Debtor does not defect at C
    cond3C = devs[("C", "C")].condition      # the Creditor does not defect at C
    other = [devs[("DN", "C")].condition, devs[("CN", "D")].condition]  # the punishers' own deviations

    # ---- conditions as bounds -----------------------------------------------------------------
    qbar_D = m.cutoff("qbar_D", devs[("DN", "D")].preference("the Debtor takes his punishment in DN (2)"),
                      solve_for=q, latex=r"\bar q_D", description="largest q at which (2) holds",
                      display="(s_D - (1 - d)*f_D)/(d*s_D)")
    qmin_D = m.cutoff("qmin_D", devs[("C", "D")].preference("the Debtor does not defect at C (3)"),
                      solve_for=q, latex=r"\underline q_D", description="smallest q at which the Debtor's part of (3) holds",
                      display="(t_D + d*f_D)/(d*t_D)")
    pmin_C = m.cutoff("pmin_C", devs[("C", "C")].preference("the Creditor does not defect at C (3)"),
                      solve_for=p, latex=r"\underline p_C", description="smallest p at which the Creditor's part of (3) holds",
                      display="(t_C + d*f_C)/(d*t_C)")
    min_return_D = m.derived("min_return_D", sp.factor(1 - qbar_D.expr), r"\underline r_D",
                             "smallest return probability 1-q from DN that (2) allows",
                             display="(1 - d)*(f_D - s_D)/(d*s_D)",
                             cross_check=_return_check(g3, coop, ("DN", "D", "d"), "q"))
    max_return_D = m.derived("max_return_D", sp.factor(1 - qmin_D.expr), r"\bar r_D",
                             "largest return probability 1-q from DN that (3) allows (Debtor at C)",
                             display="(-d*f_D - (1 - d)*t_D)/(d*t_D)",
                             cross_check=_return_check(g3, coop, ("C", "D", "d"), "q"))
    max_return_C = m.derived("max_return_C", sp.factor(1 - pmin_C.expr), r"\bar r_C",
                             "largest return probability 1-p from CN that (3) allows (Creditor at C)",
                             display="(-d*f_C - (1 - d)*t_C)/(d*t_C)",
                             cross_check=_return_check(g3, coop, ("C", "C", "d"), "p"))
    m.derived("max_common_return", sp.Min(max_return_D.expr, max_return_C.expr), r"\bar r",
              "largest common return probability r = 1-p = 1-q allowed by (3); the scheme "
              "holds at r iff min_return_D <= r <= max_common_return (a value >= 1: no upper limit)",
              cross_check=_common_check(g3, coop))

    cooperative_b = m.stationary_profile("blame", "cooperative", COOPERATIVE, prefix="Vb",
                                         description="the cooperative profile in the blame variant")
    devs_b = {(x.state, x.player): x for x in cooperative_b.deviations}
    blame_max_C = m.cutoff("blame_max_C", devs_b[("CN", "C")].preference("the Creditor takes her punishment in CN"),
                           solve_for=b, latex=r"\bar b_C",
                           description="the Creditor accepts punishment in CN only if b is at most this",
                           display="((1 - d)*f_C/(1 - d*p) - s_C)/(d*(t_C/(1 - d*q) - f_C/(1 - d*p)))")
    blame_min_D = m.cutoff("blame_min_D", devs_b[("DN", "D")].preference("the Debtor takes his punishment in DN"),
                           solve_for=b, latex=r"\underline b_D",
                           description="the Debtor accepts punishment in DN only if b is at least this",
                           display="(s_D + d*t_D/(1 - d*p) - f_D/(1 - d*q))/(d*(t_D/(1 - d*p) - f_D/(1 - d*q)))")

    # ---- Claims ----------------------------------------------------------------------------------
    uC, uD = (lambda o: game.payoff("C", o)), (lambda o: game.payoff("D", o))
    m.claim(Claim("CB-1", "Under the Called Bluff ordering the stage game has the unique Nash equilibrium "
                          "(c_C, d_D), in pure and mixed strategies", [
        Holds(sp.And(uD("cd") > uD("cc"), uD("dd") > uD("dc")),
              "d strictly dominates c for the Debtor (t_D > 0, s_D > f_D)"),
        Holds(uC("cd") > uC("dd"), "the Creditor's unique best reply to d is c (f_C > s_C)"),
    ], paper_form=r"t_D > 0 > s_D > f_D,\quad t_C > 0 > f_C > s_C", note=(
        "Strict dominance makes the Debtor play d with probability 1 in every Nash equilibrium, mixed or "
        "not; against d the Creditor's unique best reply is c, so (c_C, d_D) is the only equilibrium.  The "
        "cross-checks at random rational instances -- the toolkit's exact support enumeration and an "
        "established solver (nashpy's support enumeration, a test-only dependency) -- run in "
        "tests/test_normal_form.py; the stage game exports to Gambit's .nfg format.")))

    m.claim(Claim("CB-2", "The two-state version (compliance / default) has no MPE that sustains cooperation: "
                          "its only stationary MPE repeats the stage equilibrium", [
        *[Holds(sp.Not(sp.And(*[x.condition for x in g2.deviations(g2.pure({"C": ("c", "c"), "Def": pun}))])),
                f"(c,c) in C with {pun} in Def is not an MPE") for pun in itertools.product("cd", "cd")],
        Computed("exact enumeration of every stationary MPE at 6 random rational instances: only the "
                 "stage equilibrium, played in both states",
                 lambda: _check_two_state(g2, m), "exact support enumeration (symbolic.games.stochastic)"),
    ], note="The four Holds parts show symbolically that no pure punishment in the default state sustains "
            "(c,c) in compliance; that no mixed MPE exists besides the stage equilibrium is checked by "
            "exact enumeration at random rational instances (numeric evidence, not a proof)."))

    m.claim(Claim("CB-3", "Values of the cooperative profile from V = u + d P V", [
        Equal(values[(s, pl)], m.parse(disp), f"V^{s}_{pl}") for (s, pl), disp in shown.items()
    ], paper_form=r"V = u + dPV", about=tuple(f"V_{pl}_{s}" for (s, pl) in shown if V[(s, pl)] != 0)))

    m.claim(Claim("CB-4", "Condition (1), the Creditor takes her punishment in CN, holds for every admissible "
                          "payoff, d and p", [
        Holds(cond1, "(1): V^CN_C >= s_C + d V^CN_C"),
    ], paper_form=r"\frac{f_C}{1-dp} \ge s_C + d\frac{f_C}{1-dp}"))

    m.claim(Claim("CB-5", "Condition (2), the Debtor takes his punishment in DN, requires q small enough, and "
                          "is not implied by the ordering", [
        Equal(qbar_D, m.parse("(s_D - (1 - d)*f_D)/(d*s_D)"), "the bound on q"),
        Equivalent(cond2, q <= qbar_D.expr, "(2) iff q <= qbar_D"),
        Equivalent(cond2, 1 - q >= min_return_D.expr, "(2) iff 1 - q >= min_return_D"),
        Computed("(2) fails at some point of the domain", lambda: _not_implied(m, cond2),
                 "decision procedure (z3) + exact substitution"),
    ], paper_form=r"q \le \frac{s_D - (1-d) f_D}{d\, s_D}", about=("qbar_D", "min_return_D")))

    m.claim(Claim("CB-6", "Condition (3), at C: each player's no-defection condition is an upper bound on a "
                          "return probability", [
        Equal(qmin_D, m.parse("(t_D + d*f_D)/(d*t_D)"), "the Debtor's bound on q"),
        Equal(pmin_C, m.parse("(t_C + d*f_C)/(d*t_C)"), "the Creditor's bound on p"),
        Equivalent(cond3D, 1 - q <= max_return_D.expr, "Debtor at C iff 1 - q <= max_return_D"),
        Equivalent(cond3C, 1 - p <= max_return_C.expr, "Creditor at C iff 1 - p <= max_return_C"),
        Computed("the Debtor's part of (3) fails somewhere", lambda: _not_implied(m, cond3D),
                 "decision procedure (z3) + exact substitution"),
        Computed("the Creditor's part of (3) fails somewhere", lambda: _not_implied(m, cond3C),
                 "decision procedure (z3) + exact substitution"),
    ], paper_form=r"1-q \le \bar r_D,\quad 1-p \le \bar r_C",
        about=("qmin_D", "pmin_C", "max_return_D", "max_return_C", "max_common_return")))

    every = sp.And(*[x.condition for x in devs.values()])
    m.claim(Claim("CB-7", "(1)-(3) are the only requirements: the cooperative profile is an MPE iff "
                          "(1) and (2) and (3)", [
        Holds(sp.And(*other), "the punishers' own deviations (the Creditor in DN, the Debtor in CN) never pay"),
        Equivalent(every, sp.And(cond1, cond2, cond3D, cond3C),
                   "all six one-shot-deviation conditions iff (1), (2), (3)"),
    ], paper_form=r"(1) \wedge (2) \wedge (3)", note=(
        "The equivalence uses every one-shot deviation at every state for both players, so it is the "
        "exhaustive test; tests/test_called_bluff.py also compares the exact one-shot-deviation test "
        "of the enumerator with (1)-(3) at random rational instances.")))

    m.claim(Claim("CB-8", "For the payoffs and discount of the paper's (lost) figure 1, a 70 % return "
                          "probability sustains cooperation and the largest that does is 88.8 %", [
        Equal(max_return_D.expr.subs({f_D: -t_D, d: sp.Rational(9, 10)}), sp.Rational(8, 9),
              "with d = 9/10 and f_D = -t_D the Debtor's bound is 8/9 = 88.9 % (88.8 % truncated)"),
        Computed("the inverse search finds integer payoffs with |payoffs| <= 10 and a common discount factor "
                 "that reproduce 88.8 % and 70 %",
                 lambda: _check_search(), "exhaustive search over a finite grid, exact rational arithmetic"),
        Computed("at the reconstructed instance the cooperative profile is an MPE at r = 70 % and at r = 8/9, "
                 "not above 8/9", lambda: _check_figure1(g3, coop), "exact one-shot-deviation test"),
    ], about=("max_common_return",), note=(
        "The figure is lost, so the numbers are checked against payoffs reconstructed by the inverse search "
        "(python -m derivations search called_bluff).  Every match has d = 9/10 and a binding bound "
        "-f/t - (1-d)/d = 8/9, i.e. 88.89 %, which the paper reports truncated as 88.8 %.  The reconstructed "
        "instance used below is t_D=4, s_D=-3, f_D=-4, t_C=1, f_C=-7, s_C=-9, d=9/10 (the best match for "
        "the blame thresholds too); the paper's actual payoffs may differ.")))

    blame_every = sp.And(*[x.condition for x in devs_b.values()])
    m.claim(Claim("CB-9", "Blame variant: the cooperative profile is an MPE on a closed-form interval of b; the "
                          "paper reports below 75 %: no cooperation, 76-82 %: full cooperation, above 82 %: only "
                          "sporadic cooperation", [
        Equivalent(devs_b[("CN", "C")].condition, b <= blame_max_C.expr, "Creditor in CN iff b <= blame_max_C"),
        Equivalent(devs_b[("DN", "D")].condition, b >= blame_min_D.expr, "Debtor in DN iff b >= blame_min_D"),
        Equivalent(blame_every, sp.And(b >= blame_min_D.expr, b <= blame_max_C.expr, cond3D, cond3C),
                   "all one-shot-deviation conditions iff blame_min_D <= b <= blame_max_C and (3)"),
        Computed("at the reconstructed instance (r = 70 %) the thresholds are 75.1 % and 81.5 %",
                 lambda: _check_blame_thresholds(m), "exact evaluation"),
        Computed("for b above blame_max_C no stationary equilibrium fully sustains cooperation (at every "
                 "payoff set reproducing the paper's figures)", lambda: _check_above(gb), "exact one-shot-deviation test"),
    ], about=("blame_max_C", "blame_min_D"),
        repair=Claim("CB-9*", "The cooperative profile is an MPE iff blame_min_D <= b <= blame_max_C and (3); "
                              "outside that interval other stationary equilibria can still sustain cooperation: "
                              "above blame_max_C, mutual defection as the punishment in CN (the blame then "
                              "routes play to DN) gives full cooperation", [
            Equivalent(blame_every, sp.And(b >= blame_min_D.expr, b <= blame_max_C.expr, cond3D, cond3C),
                       "the closed-form interval"),
            Computed("at the reconstructed instance with b = 9/10 the profile C: (c,c), DN: (d_C,c_D), CN: (d,d) "
                     "is an MPE with full cooperation", lambda: _check_mutual(gb), "exact one-shot-deviation test"),
        ], about=("blame_max_C", "blame_min_D")),
        note="The closed-form interval is the paper's 76-82 % band (75.1 %-81.5 % at the reconstructed "
             "instance).  The paper's reading of the other regimes is about all equilibria and does not "
             "follow: the exact enumeration finds a full-cooperation MPE for b above the band (mutual "
             "defection punishes the Creditor in CN) and sporadic-cooperation MPE below it (see the "
             "sensitivity figure)."))

    m.claim(Claim("CB-10", "All stationary equilibria at given numbers: the cooperative one, perpetual stage-Nash "
                           "play, a variant in which the Debtor declines to punish the Creditor with small "
                           "probability in CN, and mixed ones at C that end absorbed in a default state", [
        Holds(sp.StrictGreaterThan(_cn_mixing_gap(g3), 0, evaluate=False),
              "with (c,c) at C (so V^C_D = 0), the Creditor cooperating in CN and the Debtor indifferent there "
              "(V^CN_D = Q(c)), his d in CN earns strictly more than c: he cannot mix in CN"),
        Computed("exact enumeration at the reconstructed instance yields exactly the four listed kinds",
                 lambda: _check_cb10(g3), "exact support enumeration (symbolic.games.stochastic)"),
    ], repair=Claim("CB-10*", "At the reconstructed instance the stationary equilibria are: the cooperative "
                              "profile (full), perpetual stage-Nash play (none), one with mixing in DN that "
                              "cooperates sporadically, and two mixed at C that end absorbed in DN (none)", [
        Computed("exact enumeration: 5 equilibria with these supports and labels", lambda: _check_cb10_repair(g3),
                 "exact support enumeration (symbolic.games.stochastic)"),
    ]), note="Which equilibria exist depends on the (choice) transitions of unilateral and mutual deviations "
             "in DN and CN; the cooperative scheme's conditions (1)-(3) do not."))

    # ---- narrative and figures ---------------------------------------------------------------------
    m.section("Value functions and conditions (1)--(3)", SECTION_CONDITIONS)
    m.section("Which equilibria exist: sensitivity to the blame share", SECTION_BLAME)
    m.figure("blame_sweep", r"Stationary equilibria of the blame variant against the blame share $b$ "
             r"(201 values; fast sweep, exact where a decision is close): the reconstructed figure-1 instance (left) and the "
             r"ordinal instance with $\underline b_D > \bar b_C$ (right).  Dashed lines: "
             r"$\underline b_D$ and $\bar b_C$.", _plot_blame_sweep)
    m.figure("cooperation_region", r"Where the cooperative profile is a stationary equilibrium of the blame variant, "
             r"in the plane of the common return probability $r = 1-p = 1-q$ and the blame share $b$ "
             r"(reconstructed figure-1 payoffs): $r \le$ \texttt{max\_common\_return} (condition (3)) and "
             r"$\underline b_D(r) \le b \le \bar b_C(r)$ (conditions (2) and (1)).  Drawn from the derived "
             r"quantities.", _plot_cooperation_region)
    m.stated_not_checked("GamePlan's numerical solutions and the paper's figures 1-4",
                         "the figures are lost; numbers are checked against reconstructed payoffs (CB-8)")
    return m


CHOICES = [
    "In DN or CN, mutual cooperation returns play to C at once (the paper's spontaneous return); the "
    "other unilateral pair keeps the state (refusing one's punishment is not reviewed); mutual defection "
    "keeps the state (baseline).  Conditions (1)-(3) do not depend on these transitions (they are never "
    "used on or one step off the cooperative path except as shown); the full equilibrium set (CB-2, "
    "CB-9, CB-10) does.",
    "Passing through a review board takes no extra period: one discount factor per stage.",
    "Blame variant: mutual defection, in any state, moves play to DN with probability b and to CN with "
    "probability 1-b.",
    "A stationary MPE is a profile with no profitable one-shot deviation in any state (weak "
    "inequalities: indifference counts as no deviation).",
    "Two-state version: any deviation from (c,c) in compliance leads to default; in default, (c,c) "
    "returns to compliance at once and every other profile goes to the review, which returns with "
    "probability 1-q (q is reused as the review's stay probability).",
    "Cooperation labels: full = in every recurrent class reachable from C both cooperate with "
    "probability 1; none = no reachable recurrent class ever plays (c,c); sporadic = otherwise.",
    "The lost figure-1 payoffs are reconstructed by the inverse search (integer payoffs with absolute "
    "value at most 10, common discount factors 1/2, 2/3, 3/4, 4/5, 17/20, 9/10, 19/20, 99/100; "
    "88.8 % read as [0.887, 0.889], the thresholds as within 0.01 of 75 % and 82 %); the best match is "
    "used for CB-8, CB-9 and CB-10.",
]

SECTION_CONDITIONS = r"""
The values of the cooperative profile and its six one-shot-deviation conditions are derived in the
section on the stochastic games (game \texttt{baseline}, profile \texttt{cooperative}).  Read as
bounds: (1) the Creditor's in CN always holds ($f_C > s_C$); (2) the Debtor's in DN is
$q \le \bar q_D$; (3) at C, $1-q \le \bar r_D$ for the Debtor and $1-p \le \bar r_C$ for the Creditor;
the punishers' own deviations in DN and CN (to $c$, giving $(c,c)$ and value 0) never pay.
So the scheme needs the return probability from DN to be neither too low (2) nor too high (3), and the
return from CN not too high (3): at a common $r = 1-p = 1-q$ it holds iff
$\underline r_D \le r \le \min(\bar r_D, \bar r_C)$.  At the reconstructed figure-1 instance
($t_D=4$, $s_D=-3$, $f_D=-4$, $t_C=1$, $f_C=-7$, $s_C=-9$, $d=0.9$): $\underline r_D = 1/27$,
$\bar r_D = 8/9$, $\bar r_C = 62/9$, so $r = 0.7$ works and $8/9 \approx 88.9\,\%$ is the largest.

Only (2) involves the state-DN transition of mutual defection, and only (1) that of CN; the (choice)
transitions of the other off-path profiles never enter (1)--(3).
"""

SECTION_BLAME = r"""
With blame share $b$, mutual defection sends play to DN with probability $b$.  On the cooperative path
nothing changes, but the punished player's deviation in DN or CN now triggers the lottery: the
Creditor accepts punishment in CN iff $b \le \bar b_C$ and the Debtor accepts his in DN iff
$b \ge \underline b_D$ (closed forms above).  At the reconstructed instance with $r = 0.7$:
$\underline b_D = 541/720 \approx 75.1\,\%$ and $\bar b_C = 587/720 \approx 81.5\,\%$, the paper's
band.

\emph{Outside the band} the exact enumeration (figure, left) shows that cooperation does not simply
stop: for $b > \bar b_C$ the profile with mutual defection as the Creditor's punishment in CN
(C: $(c,c)$, DN: $(d_C,c_D)$, CN: $(d,d)$) is a full-cooperation MPE for $b$ large enough
(at $b = 0.9$, see CB-9*), and sporadic-cooperation equilibria exist on both sides of the band.

\emph{When $\underline b_D > \bar b_C$} no $b$ makes the cooperative profile an MPE, but other
stationary equilibria can still sustain full cooperation in between.  At the ordinal instance
($t_D=t_C=1$, $s_D=f_C=-1$, $f_D=s_C=-2$, $d=0.9$, $r=0.7$) the thresholds are
$\bar b_C = 34/45 \approx 75.6\,\%$ and $\underline b_D = 217/270 \approx 80.4\,\%$; at $b = 0.78$ the
exact enumeration (\texttt{python -m derivations equilibria called\_bluff t\_D=1 f\_D=-2 s\_D=-1 t\_C=1
f\_C=-1 s\_C=-2 d=0.9 p=0.3 q=0.3 b=0.78}) finds three full-cooperation MPE: mutual defection as the
punishment in CN (the blame then routes play to DN), mutual defection as the punishment in DN, and a
mixed one in which each punished player refuses the punishment with small probability (the Debtor in
DN about 2.3\,\%, the Creditor in CN about 8.1\,\%); besides these, perpetual stage-Nash play and one
mixed equilibrium without cooperation.
"""


# =============================================================================================
# Cross-checks (independent numeric solutions)
# =============================================================================================
def _gain(game, strategy, draws, state, player, action, V=None):
    """The value of ``state`` to ``player`` minus that of deviating to ``action`` there (values
    ``V`` by :func:`numeric_values` unless given)."""
    V = numeric_values(game, strategy, draws) if V is None else V
    return V[(state, player)] - numeric_action_value(game, strategy, V, draws, state, player, action)


def _return_check(game, strategy, dev, var):
    def check(model, draws):
        """bracketed root finding on the one-shot-deviation gain, values by numpy linear solve (NaN where the root leaves [-1e3, 1/d))"""
        dd = np.asarray(draws["d"], dtype=float)
        root = root_bracketed_in(lambda x, pt: _gain(game, strategy, {**pt, var: x}, *dev),
                                 np.full(dd.shape, -1e3), (1 - 1e-7) / dd, draws)
        return 1 - root
    return check


def _common_check(game, strategy):
    def check(model, draws):
        """bracketed root finding on both players' deviation gains at C along p = q = 1 - r (numpy linear solve)"""
        dd = np.asarray(draws["d"], dtype=float)

        def f(r, pt):
            pt = {**pt, "p": 1 - r, "q": 1 - r}
            V = numeric_values(game, strategy, pt)
            return np.minimum(_gain(game, strategy, pt, "C", "D", "d", V), _gain(game, strategy, pt, "C", "C", "d", V))
        return root_bracketed_in(f, 1 - (1 - 1e-7) / dd, np.full(dd.shape, 1e3), draws)
    return check


# =============================================================================================
# Computed parts
# =============================================================================================
def _rational_draws(model, n, seed, names=None):
    """n exact rational points of the domain (drawn, then rounded to 3 decimals and re-checked)."""
    rng = np.random.default_rng(seed)
    draws = model.domain.sample(4 * n, rng)
    out = []
    for k in range(4 * n):
        pt = {name: sp.Rational(round(float(draws[name][k]), 3)).limit_denominator(1000) for name in draws}
        try:
            model.domain.check({n_: float(v) for n_, v in pt.items()})
        except ToolkitError:
            continue
        if any(pt[n_] in (0, 1) for n_ in ("d", "p", "q")):
            continue
        out.append(pt if names is None else {n_: pt[n_] for n_ in names})
        if len(out) == n:
            break
    return out


def _cn_mixing_gap(g3):
    """Q_D(CN, d) - Q_D(CN, c) when (c,c) is played at C, the Creditor plays c in CN, the Debtor
    mixes in CN (so V^CN_D = Q_D(CN, c)), whatever is played in DN."""
    y = sp.Symbol("y", positive=True)
    strat = g3.pure(COOPERATIVE)
    strat[("CN", "D")] = {"c": y, "d": 1 - y}
    W = sp.Symbol("W")
    V = {(s, pl): sp.Symbol(f"V_{pl}_{s}") for s in STATES for pl in PLAYERS}
    V[("C", "D")] = sp.Integer(0)
    V[("CN", "D")] = W
    q_c = g3.action_value(strat, V, "CN", "D", "c")
    q_d = g3.action_value(strat, V, "CN", "D", "d")
    # indifference: the value equals Q(c), a linear condition in the value W
    w = solve_system([sp.Eq(W, q_c)], [W], {W: []}, []).branches[0].values[W]
    return sp.simplify((q_d - q_c).subs(W, w))


def _stage_game(sym, stage: dict | None = None):
    from symbolic.games.normal_form import NormalFormGame
    return NormalFormGame(PLAYERS, (("c", "d"), ("c", "d")), stage if stage is not None else stage_payoffs(sym),
                          name="Called Bluff stage game")


def _check_stage(stage, model):
    pts = _rational_draws(model, 25, 1, PAYOFF_NAMES)
    for pt in pts:
        eqs = stage.subs(pt).equilibria()
        ok = (not eqs.continua and len(eqs.equilibria) == 1
              and eqs.equilibria[0].support == {("s", "C"): ("c",), ("s", "D"): ("d",)})
        if not ok:
            return "refuted", f"the enumeration found {eqs.describe()}", pt
    return "checked", f"{len(pts)} instances, each with exactly one equilibrium (c_C, d_D)", None


def _check_two_state(g2, model):
    pts = _rational_draws(model, 6, 2, PAYOFF_NAMES + ("d", "q"))
    for pt in pts:
        eqs = g2.subs(pt).equilibria()
        stage_nash = {(s, pl): (a,) for s in ("C", "Def") for pl, a in zip(PLAYERS, ("c", "d"))}
        if eqs.continua or len(eqs.equilibria) != 1 or eqs.equilibria[0].support != stage_nash:
            return "refuted", "equilibria: " + eqs.describe().replace("\n", "; "), pt
    return "checked", f"{len(pts)} random rational instances: the stage equilibrium is the only stationary MPE", None


def _not_implied(model, cond):
    dec = decide(model.domain.conditions(), cond, 10000,
                 check=lambda pt: all(bool(h.subs(pt)) for h in model.domain.conditions()) and not bool(cond.subs(pt)))
    if dec.outcome == "refuted":
        wit = ", ".join(f"{k.name}={v}" for k, v in sorted(dec.counterexample.items(), key=lambda kv: kv[0].name))
        return "proved", f"witness (exact, in the domain, condition false): {wit}", None
    return "unknown", f"z3: {dec.outcome} {dec.reason}", None


def _check_cb7(g3, coop, conds, model):
    pts = _rational_draws(model, 40, 3)
    agree = 0
    for pt in pts:
        sub = {model.domain[k].symbol: v for k, v in pt.items()}
        game = g3.subs(pt)
        mpe = game.is_equilibrium(game.pure(COOPERATIVE))
        formula = all(bool(c.subs(sub)) for c in conds)
        if mpe != formula:
            return "refuted", "exhaustive test and (1)-(3) disagree", pt
        agree += 1
    return "checked", f"{agree} random rational instances agree", None


def _check_search():
    matches = inverse_search()
    if not matches:
        return "refuted", "no payoffs in the search grid reproduce the figures", None
    best = matches[0]
    return "proved", (f"{len(matches)} matches (up to rescaling each player's payoffs); best: "
                      + ", ".join(f"{k}={v}" for k, v in best.items())), None


def _check_figure1(g3, coop):
    base = {k: v for k, v in FIGURE1.items() if k not in ("p", "q")}
    for r, expect in ((sp.Rational(7, 10), True), (sp.Rational(8, 9), True), (sp.Rational(9, 10), False)):
        game = g3.subs({**base, "p": 1 - r, "q": 1 - r})
        if game.is_equilibrium(game.pure(COOPERATIVE)) != expect:
            return "refuted", f"at r = {r} the cooperative profile is{'' if not expect else ' not'} an MPE", \
                {**base, "p": 1 - r, "q": 1 - r}
    return "proved", "MPE at r = 7/10 and 8/9, not at 9/10 (exact)", None


def _check_blame_thresholds(model):
    pt = {k: v for k, v in FIGURE1.items()}
    lo = sp.nsimplify(model.quantity("blame_min_D").subs({model.domain[k].symbol: v for k, v in pt.items()}))
    hi = sp.nsimplify(model.quantity("blame_max_C").subs({model.domain[k].symbol: v for k, v in pt.items()}))
    ok = abs(float(lo) - 0.75) < 0.01 and abs(float(hi) - 0.82) < 0.01 and lo < hi
    return ("proved" if ok else "refuted"), f"blame_min_D = {lo} = {float(lo):.4f}, blame_max_C = {hi} = {float(hi):.4f}", \
        (None if ok else pt)


def _check_mutual(gb):
    game = gb.subs({**FIGURE1, "b": sp.Rational(9, 10)})
    prof = game.pure(MUTUAL_PUNISHMENT)
    ok = game.is_equilibrium(prof)
    support = {(s, pl): (a,) for s, pr in MUTUAL_PUNISHMENT.items() for pl, a in zip(PLAYERS, pr)}
    label = game.cooperation_label(support)
    if ok and label == "full":
        return "proved", "an MPE (every one-shot deviation checked exactly); cooperation label: full", None
    return "refuted", f"MPE: {ok}, label: {label}", {**FIGURE1, "b": sp.Rational(9, 10)}


def _check_above(gb):
    """For every payoff set the inverse search matches, the mutual-punishment profile is a
    full-cooperation MPE at b = 9/10 (> blame_max_C), contradicting 'above 82 %: only sporadic'."""
    b = sp.Rational(9, 10)
    matches = inverse_search()
    for rec in matches:
        inst = {k: rec[k] for k in PAYOFF_NAMES}
        inst.update(d=sp.Rational(rec["d"]), p=sp.Rational(3, 10), q=sp.Rational(3, 10), b=b)
        game = gb.subs(inst)
        support = {(s, pl): (a,) for s, pr in MUTUAL_PUNISHMENT.items() for pl, a in zip(PLAYERS, pr)}
        if not (rec["blame_max_C"] < 0.9 and game.is_equilibrium(game.pure(MUTUAL_PUNISHMENT))
                and game.cooperation_label(support) == "full"):
            return "checked", f"not at every reconstruction (fails at {inst})", None
    return "refuted", (f"at each of the {len(matches)} reconstructions, b = 9/10 > blame_max_C, yet C: (c,c), "
                       "DN: (d_C,c_D), CN: (d,d) is a full-cooperation MPE (exact one-shot-deviation test)"), \
        {**FIGURE1, "b": b}


@lru_cache(maxsize=2)
def _cb10_summary(g3):
    eqs = g3.subs(FIGURE1).equilibria()
    return eqs, sorted((e.label, tuple(sorted(k for k, v in e.support.items() if len(v) > 1))) for e in eqs.equilibria)


def _check_cb10(g3):
    eqs, summary = _cb10_summary(g3)
    mixes_in_cn = [e for e in eqs.equilibria if len(e.support[("CN", "D")]) > 1]
    if not mixes_in_cn or eqs.continua:
        return "refuted", ("no equilibrium has the Debtor mixing in CN; the enumeration finds "
                           + "; ".join(f"{lab} (mixing at {', '.join(f'{s}/{pl}' for s, pl in mix) or 'nowhere'})"
                                       for lab, mix in summary)), dict(FIGURE1)
    return "proved", "the four kinds are present", None


def _check_cb10_repair(g3):
    eqs, summary = _cb10_summary(g3)
    expected = sorted([("full", ()), ("none", ()), ("sporadic", (("DN", "C"), ("DN", "D"))),
                       ("none", (("C", "C"), ("C", "D"))), ("none", (("C", "C"), ("C", "D")))])
    if summary == expected and not eqs.continua:
        return "proved", f"{len(summary)} equilibria, as stated (exact enumeration of all 729 support profiles)", None
    return "refuted", f"found {summary}", dict(FIGURE1)


# =============================================================================================
# CB-8's inverse problem
# =============================================================================================
COMMON_DISCOUNTS = (sp.Rational(1, 2), sp.Rational(2, 3), sp.Rational(3, 4), sp.Rational(4, 5),
                    sp.Rational(17, 20), sp.Rational(9, 10), sp.Rational(19, 20), sp.Rational(99, 100))


@lru_cache(maxsize=8)
def _search(bound, bound_tol, inside, blame_low, blame_high, blame_tol, max_payoff, discounts):
    """The search behind :func:`inverse_search`: a numpy prefilter with a slack of 1e-9, then
    every candidate re-decided in exact rational arithmetic."""
    from math import gcd
    F = Fraction
    fb, ftol, fin = float(F(bound)), float(F(bound_tol)), float(F(inside))
    rng = range(1, max_payoff + 1)
    debtor = np.array([(t, -s, -f) for t in rng for s in rng for f in rng if f > s and gcd(gcd(t, s), f) == 1], float)
    creditor = np.array([(t, -f, -s) for t in rng for f in rng for s in rng if s > f and gcd(gcd(t, f), s) == 1], float)
    eps = 1e-9
    out = []
    for dd in discounts:
        d = float(F(dd))
        tD, sD, fD = debtor.T
        tC, fC, sC = creditor.T
        mrD = (-d * fD - (1 - d) * tD) / (d * tD)
        minD = (1 - d) * (fD - sD) / (d * sD)
        mrC = (-d * fC - (1 - d) * tC) / (d * tC)
        m = np.minimum(mrD[:, None], mrC[None, :])
        ok = (np.abs(m - fb) <= ftol + eps) & (minD[:, None] <= fin + eps) & (m >= fin - eps)
        if blame_low is not None:
            r = fin
            q = p = 1 - r
            VDNC, VCNC = tC / (1 - d * q), fC / (1 - d * p)
            VDND, VCND = fD / (1 - d * q), tD / (1 - d * p)
            bC = (VCNC * (1 - d) - sC) / (d * (VDNC - VCNC))
            bD = (sD + d * VCND - VDND) / (d * (VCND - VDND))
            tol = float(F(blame_tol)) + eps
            ok &= (np.abs(bD - float(F(blame_low))) <= tol)[:, None] & (np.abs(bC - float(F(blame_high))) <= tol)[None, :]
        for i, j in zip(*np.nonzero(ok)):
            rec = _exact_match(tuple(int(x) for x in debtor[i]), tuple(int(x) for x in creditor[j]), F(dd),
                               F(bound), F(bound_tol), F(inside), blame_low, blame_high, blame_tol)
            if rec is not None:
                rec["d"] = str(dd)
                out.append(rec)
    out.sort(key=lambda r: (r.get("distance", 0), abs(r["max_common_return"] - float(F(bound))), r["d"],
                            [abs(r[k]) for k in PAYOFF_NAMES]))
    return out


def _exact_match(dv, cv, d, bound, bound_tol, inside, blame_low, blame_high, blame_tol):
    """The exact re-check of one candidate of :func:`_search` (None if it fails)."""
    F = Fraction
    tD, sD, fD = dv
    tC, fC, sC = cv
    mrD = (-d * fD - (1 - d) * tD) / (d * tD)
    minD = (1 - d) * (fD - sD) / (d * sD)
    mrC = (-d * fC - (1 - d) * tC) / (d * tC)
    m = min(mrD, mrC)
    if abs(m - bound) > bound_tol or not (minD <= inside <= m):
        return None
    rec = dict(t_D=tD, s_D=sD, f_D=fD, t_C=tC, f_C=fC, s_C=sC, max_common_return=float(m), min_return_D=float(minD))
    if blame_low is not None:
        q = p = 1 - inside
        VDNC, VCNC = tC / (1 - d * q), fC / (1 - d * p)
        VDND, VCND = fD / (1 - d * q), tD / (1 - d * p)
        bC = (VCNC * (1 - d) - sC) / (d * (VDNC - VCNC))
        bD = (sD + d * VCND - VDND) / (d * (VCND - VDND))
        if abs(bD - F(blame_low)) > F(blame_tol) or abs(bC - F(blame_high)) > F(blame_tol):
            return None
        rec.update(blame_min_D=float(bD), blame_max_C=float(bC),
                   distance=float(abs(bD - F(blame_low)) + abs(bC - F(blame_high))))
    return rec


def inverse_search(bound="0.888", bound_tol="0.001", inside="0.7", blame_low="0.75", blame_high="0.82",
                   blame_tol="0.01", max_payoff: int = 10, discounts=COMMON_DISCOUNTS) -> list[dict]:
    """Integer Called Bluff payoffs (|payoff| <= ``max_payoff``, each player's triple primitive:
    rescaling a player's payoffs changes nothing) and common discount factors that reproduce the
    paper's figures: largest common return ``bound`` (+- ``bound_tol``), ``inside`` in the
    sustaining interval, and, at return probability ``inside``, blame thresholds within
    ``blame_tol`` of ``blame_low`` (Debtor) and ``blame_high`` (Creditor); ``blame_low=None``
    skips the blame targets.  Exact rational arithmetic; best matches first."""
    def frac(x, name):
        try:
            return str(Fraction(str(x)))
        except (ValueError, ZeroDivisionError):
            raise ToolkitError(f"{name}={x!r} is not a number") from None
    if int(max_payoff) < 1 or int(max_payoff) > 30:
        raise ToolkitError("max_payoff must be between 1 and 30")
    args = (frac(bound, "bound"), frac(bound_tol, "bound_tol"), frac(inside, "inside"),
            None if blame_low is None else frac(blame_low, "blame_low"),
            None if blame_high is None else frac(blame_high, "blame_high"),
            frac(blame_tol, "blame_tol"), int(max_payoff), tuple(str(sp.Rational(x)) for x in discounts))
    for x in args[-1]:
        if not 0 < Fraction(x) < 1:
            raise ToolkitError(f"discount factor {x} is outside (0, 1)")
    return _search(*args)


# =============================================================================================
# Figure
# =============================================================================================
def blame_game(inst=None) -> StochasticGame:
    """The blame variant at the numbers ``inst`` (default: the reconstructed figure-1 instance,
    return probability r = 1 - p = 1 - q = 70 %), with the blame share ``b`` left free."""
    names = PAYOFF_NAMES + ("d", "p", "q", "b")
    sym = {n: sp.Symbol(n, real=True) for n in names}
    return three_state_game(sym, blame=True).subs(FIGURE1 if inst is None else inst)


def blame_sweep(n: int = 201, inst=None):
    """Every stationary MPE of the blame variant at ``n`` equally spaced values of ``b`` in
    [0, 1] (exact values k/(n-1)), by the fast sweep of :mod:`symbolic.games.stochastic_fast`: a list of
    :class:`symbolic.games.stochastic_fast.SweepRow` (per value: equilibria with supports, cooperation
    labels, probabilities and values; continua, exact)."""
    from symbolic.games.stochastic_fast import fast_sweep

    if n < 2:
        raise ToolkitError("a sweep needs at least two values")
    grid = [sp.Rational(k, n - 1) for k in range(n)]
    return fast_sweep(blame_game(inst), "b", grid)


def benchmark_sweep(n: int):
    """Issue 6, target 5: the debtor-creditor blame sweep over ``n`` equally spaced values of
    ``b`` in [0, 1] at the reconstructed instance (r = 70 %); returns the table (one
    :class:`symbolic.games.stochastic_fast.SweepRow` per value).  The one-time setup (half systems,
    resultants) is kept on disk and in the process, so later calls time the sweep itself."""
    return blame_sweep(n)


def _plot_cooperation_region(model):
    """The (r, b) region of sustainable cooperation, from the numeric cutoffs."""
    import matplotlib.pyplot as plt

    inst = {k: float(v) for k, v in FIGURE1.items() if k not in ("p", "q")}
    r = np.linspace(0.005, 0.995, 397)
    point = dict(inst, p=1 - r, q=1 - r)
    lo = model.numeric("blame_min_D")(**point)
    hi = model.numeric("blame_max_C")(**point)
    r_max = model.numeric("max_common_return")(**inst)
    ok = (r <= r_max) & (lo <= hi)
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    ax.fill_between(r, np.clip(lo, 0, 1), np.clip(hi, 0, 1), where=ok, color="tab:green", alpha=0.35,
                    label="cooperative profile is an MPE")
    ax.plot(r, lo, color="tab:blue", lw=1, label=r"$\underline{b}_D(r)$ (Debtor in DN)")
    ax.plot(r, hi, color="tab:red", lw=1, label=r"$\bar{b}_C(r)$ (Creditor in CN)")
    ax.axvline(r_max, color="k", ls="--", lw=0.8, label=r"largest common return (3)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(r"common return probability $r$")
    ax.set_ylabel(r"blame share $b$ on the Debtor")
    ax.legend(frameon=False, fontsize=8, loc="lower left")
    fig.tight_layout()
    return fig


def _plot_blame_sweep(model):
    import matplotlib.pyplot as plt

    from symbolic.games.figures import plot_labels
    from symbolic.games.stochastic_fast import fast_sweep

    n = 201
    bs = [sp.Rational(k, n - 1) for k in range(n)]
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), sharey=True)
    for ax, (title, inst) in zip(axes, (("reconstructed figure 1", FIGURE1), ("ordinal instance", ORDINAL))):
        plot_labels(ax, bs, fast_sweep(model.stochastic_games["blame"].subs(inst), "b", bs))
        sub = {model.domain[k].symbol: v for k, v in inst.items()}
        for qn in ("blame_min_D", "blame_max_C"):
            ax.axvline(float(model.quantity(qn).subs(sub)), ls="--", lw=0.8, color="k")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("blame share $b$ on the Debtor")
    axes[0].set_ylabel("equilibria (marker size: count)")
    fig.tight_layout()
    return fig
