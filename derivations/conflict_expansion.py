r"""Conflict expansion: a third party stays out, joins the target, or joins the coalition.

Gallery model for chapter 5 ("Durability, Balancing, and Conflict Expansion") of the coalitions
book (seed ``002_790d8f723ad3e689.txt``; only its table of contents is available).  This is a
**canonical formulation of the chapter's setting, not the book's own model**.

**Game.**  A coalition leader L decides whether to attack a target T over a good worth 1 that T
holds.  After an attack a third party N stays out, joins the target (balancing) or joins the
coalition (bandwagoning); the target then concedes or fights.  The coalition wins with
probability :math:`p` against T alone, :math:`p - z` against T and N, :math:`p + z` with N beside
it.  War costs L :math:`c_L`, T :math:`c_T`, and N :math:`k_N` if it joins; N values the good in
the coalition's hands at :math:`s_C` and in the target's at :math:`s_T`.

**Derivations.**  N's balancing and bandwagoning thresholds are cutoffs of its indifference
between joining a side and staying out of the same war; the equilibrium map -- who attacks, who
joins whom, who fights -- comes from symbolic backward induction.
"""
from __future__ import annotations

import sympy as sp

from symbolic import Claim, DerivativeSign, Equal, Equivalent, Holds, Model
from symbolic.domain import POSITIVE, PROBABILITY, UNIT_INTERVAL

SEED = "002_790d8f723ad3e689.txt"
SIDES = {"Out": "0", "JoinT": "T", "JoinC": "C"}   # N's action -> suffix of the outcomes


def build() -> Model:
    """Parameters, payoffs, N's thresholds, the game tree, its map and claims EXP-1 ... EXP-6."""
    m = Model("conflict_expansion", title="Conflict expansion: balancing and bandwagoning third parties",
              source=f"shared/seeds/{SEED}",
              description="A canonical formulation of the setting of chapter 5 of the coalitions book (conflict "
                          "expansion and balancing), not the book's own model: after a coalition attacks a target, "
                          "a third party stays out, joins the target or joins the coalition.")

    # ---- Parameters and domains ---------------------------------------------------------
    p = m.parameter("p", PROBABILITY, "p", "probability the coalition beats the target alone")
    z = m.parameter("z", POSITIVE, "z", "the third party's military weight (shift in the win probability)",
                    sample_range=(0.0, 0.5))
    s_C = m.parameter("s_C", UNIT_INTERVAL, "s_C", "the third party's value of the good in the coalition's hands")
    s_T = m.parameter("s_T", UNIT_INTERVAL, "s_T", "the third party's value of the good in the target's hands")
    k_N = m.parameter("k_N", POSITIVE, "k_N", "the third party's cost of fighting", sample_range=(0.0, 1.0))
    c_L = m.parameter("c_L", POSITIVE, "c_L", "the coalition leader's cost of fighting", sample_range=(0.0, 1.0))
    c_T = m.parameter("c_T", POSITIVE, "c_T", "the target's cost of fighting", sample_range=(0.0, 1.0))
    m.constrain(z < p, reason="the coalition may still win against the target and the third party")
    m.constrain(p + z < 1, reason="the coalition with the third party may still lose")

    m.choice("Canonical formulation of the book's chapter 5 setting (only the table of contents is available); "
             "it is not the book's own model.")
    m.choice("The third party moves after the attack and before the target's response, and its entry shifts the "
             "coalition's win probability by z either way.")
    m.choice("The third party bears k_N only if it joins a war that is fought; a concession costs nobody a fight.")
    m.choice("Ties: the action listed first wins (Stay before Attack; Out before JoinT before JoinC; Fight "
             "before Concede).")

    # ---- Payoffs ----------------------------------------------------------------------------
    game = m.payoffs(("L", "N", "T"))
    game.outcome("SQ", "no attack", L=0, N="s_T", T=1)
    game.outcome("Concede", "the target concedes the good", L=1, N="s_C", T=0)
    game.outcome("War_0", "war, the third party out", L="p - c_L", N="s_C*p + s_T*(1 - p)", T="1 - p - c_T")
    game.outcome("War_T", "war, the third party beside the target", L="p - z - c_L",
                 N="s_C*(p - z) + s_T*(1 - p + z) - k_N", T="1 - p + z - c_T")
    game.outcome("War_C", "war, the third party beside the coalition", L="p + z - c_L",
                 N="s_C*(p + z) + s_T*(1 - p - z) - k_N", T="1 - p - z - c_T")

    # ---- The third party's thresholds: indifference in the same war --------------------------
    balances = game.prefers("N", "War_T", "War_0", "N joins the target's side of the war rather than stays out")
    bandwagons = game.prefers("N", "War_C", "War_0", "N joins the coalition's side of the war rather than stays out")
    khat_T = m.cutoff("khat_T", balances, solve_for=k_N, latex=r"\hat k_T",
                      description="the highest cost at which the third party balances in a fought war")
    khat_C = m.cutoff("khat_C", bandwagons, solve_for=k_N, latex=r"\hat k_C",
                      description="the highest cost at which the third party bandwagons in a fought war")
    fights_alone = game.prefers("T", "War_0", "Concede", "the target fights the coalition alone")
    chat_0 = m.cutoff("chat_0", fights_alone, solve_for=c_T, latex=r"\hat c_T^{0}",
                      description="the highest cost at which the target fights the coalition alone")
    fights_helped = game.prefers("T", "War_T", "Concede", "the target fights with the third party beside it")
    chat_T = m.cutoff("chat_T", fights_helped, solve_for=c_T, latex=r"\hat c_T^{N}",
                      description="the highest cost at which the target fights with the third party beside it")

    # ---- The game ----------------------------------------------------------------------------
    tree = m.game_tree("expansion", players=game.players)
    tree.decision("L", "L", {"Stay": "sq", "Attack": "N"}, "the coalition attacks or not")
    tree.terminal("sq", "SQ")
    tree.decision("N", "N", {a: f"T_{x}" for a, x in SIDES.items()}, "the third party chooses a side")
    for x in SIDES.values():
        tree.decision(f"T_{x}", "T", {"Fight": f"war_{x}", "Concede": f"concede_{x}"}, "the target responds")
        tree.terminal(f"war_{x}", f"War_{x}")
        tree.terminal(f"concede_{x}", "Concede")

    # ---- The derived equilibrium map -----------------------------------------------------------
    emap = m.equilibria(tree)
    balancing, bandwagoning = emap.where("Attack", "JoinT"), emap.where("Attack", "JoinC")
    m.tree_figure("expansion", x="s_T", y="k_N", fixed={"p": 0.5, "z": 0.2, "s_C": 0.3, "c_L": 0.4, "c_T": 0.4},
                  limits={"k_N": (0, 0.3)})

    # ---- Claims --------------------------------------------------------------------------------
    m.claim(Claim("EXP-1", "In a war that is fought, the third party balances iff its cost is below (s_T - s_C) z "
                           "and bandwagons iff its cost is below (s_C - s_T) z.", [
        Equal(khat_T, (s_T - s_C) * z, "khat_T = (s_T - s_C) z"),
        Equal(khat_C, (s_C - s_T) * z, "khat_C = (s_C - s_T) z"),
        Equivalent(balances.weak(), k_N <= (s_T - s_C) * z, "N balances iff k_N <= khat_T"),
    ], about=("khat_T", "khat_C")))
    m.claim(Claim("EXP-2", "Comparative statics: a stronger third party balances at higher costs when it favours the "
                           "target; the target's resolve rises with the help it expects.", [
        DerivativeSign(khat_T, z, +1, "d khat_T / dz > 0", given=[s_T > s_C]),
        DerivativeSign(khat_T, s_T, +1, "d khat_T / d s_T > 0"),
        DerivativeSign(chat_T, z, +1, "d chat_T / dz > 0"),
        Holds(chat_T > chat_0, "chat_T > chat_0"),
    ], about=("khat_T", "chat_T", "chat_0")))
    m.claim(Claim("EXP-3", "The third party joins the target only if it prefers the good in the target's hands.", [
        Holds(s_T > s_C, "s_T > s_C", given=[balancing]),
    ]))
    m.claim(Claim("EXP-4", "The third party joins the coalition only if the war's stakes cover its cost: "
                           "(s_C - s_T) z >= k_N.", [
        Holds(k_N <= (s_C - s_T) * z, "k_N <= (s_C - s_T) z", given=[bandwagoning]),
    ], repair=Claim("EXP-4r", "The third party joins the coalition only if the war's stakes cover its cost or its "
                              "entry makes the target concede; and only if it prefers the good in the coalition's "
                              "hands.", [
        Holds(sp.Or(k_N <= (s_C - s_T) * z, emap.where("Attack", "JoinC", "Concede")),
              "k_N <= (s_C - s_T) z or the target concedes", given=[bandwagoning]),
        Holds(s_C > s_T, "s_C > s_T", given=[bandwagoning]),
    ]), note="Bandwagoning can deter: by joining, the third party may win the good for the coalition without a fight."))
    m.claim(Claim("EXP-5", "A leader who profits from a war against the target alone attacks.", [
        Holds(emap.where("Attack"), "the coalition attacks", given=[p - c_L > 0]),
    ], repair=Claim("EXP-5r", "A leader who profits from a war even against the target and the third party "
                              "together attacks.", [
        Holds(emap.where("Attack"), "the coalition attacks", given=[p - z - c_L > 0]),
    ]), note="The threat of expansion deters: a third party that would balance can keep the coalition home."))
    m.claim(Claim("EXP-6", "Deterrence by expansion: if the third party would balance in a fought war, the target "
                           "would fight with it but not alone, and the coalition loses from the wider war, the "
                           "coalition stays home.", [
        Holds(emap.where("Stay"), "the coalition stays home",
              given=[balances.strict(), fights_helped.weak(), p - z - c_L < 0,
                     sp.Not(fights_alone.weak())]),
    ]))
    return m
