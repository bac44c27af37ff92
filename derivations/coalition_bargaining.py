r"""Coalitional crisis bargaining: a partner's support constrains the leader's demand.

Gallery model for chapter 4 ("Cooperation, Signaling, and War") of the coalitions book (seed
``002_790d8f723ad3e689.txt``; only its table of contents is available).  This is a **canonical
formulation of the chapter's setting, not the book's own model**.

**Game.**  A leader L demands a share :math:`x` of a good worth 1 held by a target T, whose cost
of war :math:`c_T` is private, drawn from :math:`F` on :math:`[0, \bar c]` (uniform).  L either
makes the demand alone or with a partner whose support -- adding :math:`w` to L's win
probability :math:`p` -- is conditional on the demand not exceeding the partner's bound
:math:`\bar x = p + w + b` (tolerance :math:`b`).  T accepts (L gets :math:`x`, T gets :math:`1 - x`) or fights (L gets
:math:`p_S - c_L`, T gets :math:`1 - p_S - c_T`, :math:`p_S \in \{p, p + w\}`).

**Derivations.**  T's cutoff type from its indifference; L's risk--return demand with and
without support as optima of its expected payoff over T's types (the bound is the upper end of
the supported demand); L's choice between the two by backward induction over the tree whose
chance node is T's type, giving the equilibrium map.
"""
from __future__ import annotations

import sympy as sp

from symbolic import Claim, DerivativeSign, Equal, Equivalent, Holds, Model, distributions
from symbolic.domain import NONNEGATIVE, POSITIVE, PROBABILITY

SEED = "002_790d8f723ad3e689.txt"


def build() -> Model:
    """Parameters, payoffs, T's cutoff, L's optimal demands, the tree, its map and claims BAR-1 ... BAR-6."""
    m = Model("coalition_bargaining", title="Coalitional crisis bargaining under private information",
              source=f"shared/seeds/{SEED}",
              description="A canonical formulation of the setting of chapter 4 of the coalitions book (coalitional "
                          "crisis bargaining), not the book's own model: a leader facing a target with a private "
                          "cost of war chooses a demand, alone or with a partner whose support requires the demand "
                          "to stay within the partner's bound.")

    # ---- Parameters and domains ---------------------------------------------------------
    p = m.parameter("p", PROBABILITY, "p", "probability the leader alone wins a war")
    w = m.parameter("w", POSITIVE, "w", "the partner's military contribution (added win probability)",
                    sample_range=(0.0, 0.5))
    c_L = m.parameter("c_L", POSITIVE, "c_L", "the leader's cost of war", sample_range=(0.0, 0.5))
    cbar = m.parameter("cbar", POSITIVE, r"\bar c", "upper end of the support of the target's cost",
                       sample_range=(0.0, 0.5))
    b = m.parameter("b", NONNEGATIVE, "b", "the partner's tolerance: how far beyond the coalition's sure share p + w "
                                           "it supports a demand", sample_range=(0.0, 0.25))
    c_T = m.parameter("c_T", POSITIVE, "c_T", "the target's cost of war (private type)", sample_range=(0.0, 0.5))
    m.constrain(c_T <= cbar, reason="c_T has support [0, cbar]")
    m.constrain(c_L < cbar, reason="war can be worth risking: some target types are costlier to fight than the leader")
    m.constrain(p + w + cbar <= 1, reason="every demand a target type might accept is a share of the good")
    m.constrain(2 * b < cbar - c_L,
                reason="a restraining partner: its bound is below the demand the leader would make with its support")
    xbar = m.define("xbar", "p + w + b", r"\bar x", "the partner's bound: the largest demand it supports")
    x = m.unknown("x", NONNEGATIVE, "x", "the leader's demand")
    F = distributions.UNIFORM.bind(cbar)

    m.choice("Canonical formulation of the book's chapter 4 setting (only the table of contents is available); "
             "it is not the book's own model.")
    m.choice("The target's cost c_T is uniform on [0, cbar] and private; everything else is common knowledge.")
    m.choice("c_L < cbar: with c_L >= cbar the leader demands only the sure share p_S (no risk-return trade-off), "
             "and the partner's support is always taken; the model studies the risky case.")
    m.choice("The partner's bound is xbar = p + w + b: it supports at least the coalition's sure share, and b < "
             "(cbar - c_L)/2, so the bound restrains (is below the demand the leader would make with its support "
             "unconstrained; otherwise the bound is irrelevant and support is always taken).")
    m.choice("The partner's support rule -- back any demand up to xbar -- is taken as given (it defines xbar); "
             "with support the leader demands within [p + w, xbar], alone within [p, p + cbar].")
    m.choice("Ties: the target fights when indifferent (the cutoff type fights; a null event); the leader takes "
             "the partner's support when indifferent (Coalition is listed first).")

    # ---- Payoffs ----------------------------------------------------------------------------
    game = m.payoffs(("L", "T"))
    game.outcome("Accept", "the target accepts the demand", L="x", T="1 - x")
    game.outcome("War_0", "war with the leader alone", L="p - c_L", T="1 - p - c_T")
    game.outcome("War_C", "war with the coalition", L="p + w - c_L", T="1 - p - w - c_T")

    # ---- The target's cutoff: it fights iff c_T <= chat_S ------------------------------------
    side = {"0": (p, "alone"), "C": (p + w, "with the partner's support")}
    chat, demand, risk, value = {}, {}, {}, {}
    for S, (p_S, how) in side.items():
        fights = game.prefers("T", f"War_{S}", "Accept", f"the target fights the demand made {how}")
        chat[S] = m.cutoff(f"chat_{S}", fights, solve_for=c_T, latex=rf"\hat c_{S}",
                           description=f"the target's cutoff type facing a demand made {how}")
        t = m.expand(chat[S].expr)
        lottery = {"Accept": 1 - F.core_cdf(t), f"War_{S}": F.core_cdf(t)}
        objective = game.expected("L", lottery)
        within = (p_S, p_S + cbar) if S == "0" else (p_S, p_S + b)
        demand[S] = m.optimum(f"x_{S}_star", objective, over=x, within=within, latex=rf"x_{S}^*",
                              description=f"the leader's risk-return demand {how}")
        xs = m.expand(demand[S].expr)
        risk[S] = m.derived(f"risk_{S}", F.core_cdf(t.subs(x, xs)), rf"\pi_{S}",
                            f"the probability of war at the demand made {how}")
        value[S] = m.derived(f"V_{S}", objective.subs(x, xs), rf"V_{S}", f"the leader's expected payoff {how}")

    # ---- The game: the leader chooses; chance draws the target's type ---------------------------
    def war_payoffs(S, p_S):
        t = m.expand(chat[S].expr).subs(x, m.expand(demand[S].expr))
        tau = sp.Symbol("tau", positive=True)
        inside = F.piecewise(tau, lambda F_t, PE, H: PE / F_t).args[0][0]  # E[c_T | c_T < tau], tau < cbar
        mean_cost = sp.simplify(inside).subs(tau, t)
        return (p_S - c_L, sp.factor(1 - p_S - mean_cost))

    tree = m.game_tree("bargaining", players=("L", "T"))
    tree.decision("L", "L", {"Coalition": "type_C", "Alone": "type_0"},
                  "the leader demands within the partner's bound (supported) or alone")
    for S, (p_S, _) in side.items():
        xs, pr = sp.factor(m.expand(demand[S].expr)), sp.factor(m.expand(risk[S].expr))
        tree.chance(f"type_{S}", {"accepts": (1 - pr, f"accept_{S}"), "fights": (pr, f"war_{S}")},
                    "the target's type decides: it fights iff c_T <= chat")
        tree.terminal(f"accept_{S}", (xs, sp.factor(1 - xs)))
        tree.terminal(f"war_{S}", war_payoffs(S, p_S))

    # ---- The derived equilibrium map -----------------------------------------------------------
    emap = m.equilibria(tree)
    m.tree_figure("bargaining", x="w", y="b", fixed={"p": 0.2, "c_L": 0.1, "cbar": 0.5},
                  limits={"w": (0, 0.3), "b": (0, 0.2)})
    worth_it = game.prefers("L", m.expand(value["C"].expr), m.expand(value["0"].expr),
                            "the leader prefers demanding with support (within the bound) to demanding alone")
    w_hat = m.cutoff("w_hat", worth_it, solve_for=w, latex=r"\hat w",
                     description="the smallest contribution at which the partner's support is worth its restraint")

    # ---- Claims --------------------------------------------------------------------------------
    m.claim(Claim("BAR-1", "The target fights iff its cost is at most the demand less the win probability it "
                           "faces: chat_S = x - p_S.", [
        Equal(chat["0"], x - p, "chat_0 = x - p"),
        Equal(chat["C"], x - p - w, "chat_C = x - p - w"),
    ], about=("chat_0", "chat_C")))
    m.claim(Claim("BAR-2", "The risk-return demand alone is p + (cbar - c_L)/2 and war then happens with "
                           "probability (cbar - c_L)/(2 cbar); with support the leader demands the partner's bound.", [
        Equal(demand["0"], p + (cbar - c_L) / 2, "x_0* = p + (cbar - c_L)/2"),
        Equal(risk["0"], (cbar - c_L) / (2 * cbar), "pi_0 = (cbar - c_L)/(2 cbar)"),
        Equal(demand["C"], xbar, "x_C* = xbar = p + w + b"),
        Equal(value["0"], p + (cbar - c_L) ** 2 / (4 * cbar), "V_0 = p + (cbar - c_L)^2/(4 cbar)"),
    ], about=("x_0_star", "risk_0", "x_C_star", "V_0")))
    m.claim(Claim("BAR-3", "Comparative statics of the demand alone: it rises with the target's uncertainty and "
                           "falls with the leader's cost, and so does the risk of war.", [
        DerivativeSign(demand["0"], cbar, +1, "d x_0*/d cbar > 0"),
        DerivativeSign(demand["0"], c_L, -1, "d x_0*/d c_L < 0"),
        DerivativeSign(risk["0"], cbar, +1, "d pi_0/d cbar > 0"),
        DerivativeSign(risk["0"], c_L, -1, "d pi_0/d c_L < 0"),
    ], about=("x_0_star", "risk_0")))
    m.claim(Claim("BAR-4", "The partner's support emboldens the leader: the supported demand is at least the "
                           "demand alone.", [
        Holds(demand["C"] >= demand["0"], "x_C* >= x_0*"),
    ], repair=Claim("BAR-4r", "The supported demand is at least the demand alone iff the partner's bound admits the "
                              "demand alone; either way the restraining partner lowers the risk of war.", [
        Equivalent(demand["C"] >= demand["0"], w + b >= (cbar - c_L) / 2, "x_C* >= x_0* iff w + b >= (cbar - c_L)/2"),
        Holds(risk["C"] < risk["0"], "pi_C < pi_0"),
    ], about=("x_C_star", "x_0_star", "risk_C", "risk_0")),
        note="Support raises the win probability, and so the demand, only as far as the partner's bound allows."))
    m.claim(Claim("BAR-5", "The leader always takes the partner's support.", [
        Holds(emap.where("Coalition"), "the leader chooses Coalition"),
    ], repair=Claim("BAR-5r", "The leader takes the partner's support exactly when its contribution is at least "
                              "w_hat, and always when the contribution is at least a quarter of the target's cost "
                              "range.", [
        Equivalent(emap.where("Coalition"), w >= w_hat.expr, "Coalition iff w >= w_hat"),
        Holds(emap.where("Coalition"), "the leader chooses Coalition", given=[w >= cbar / 4]),
    ], about=("w_hat",)), note="A tight bound can cost more than the partner's military help is worth: the leader "
                               "then goes alone."))
    m.claim(Claim("BAR-6", "A looser bound and a stronger partner make support more attractive: V_C rises in b and "
                           "w, and w_hat falls as the bound loosens.", [
        DerivativeSign(value["C"], b, +1, "d V_C / d b > 0"),
        DerivativeSign(value["C"], w, +1, "d V_C / d w > 0"),
        DerivativeSign(w_hat, b, -1, "d w_hat / d b < 0"),
    ], about=("V_C", "w_hat")))
    return m
