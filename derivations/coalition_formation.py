r"""Coalition formation: a leader buys a partner's military help at a price of cooperation.

Gallery model for chapter 3 ("Power, Preferences, and Cooperation") of the coalitions book (seed
``002_790d8f723ad3e689.txt``; only its table of contents is available).  This is a **canonical
formulation of the chapter's setting, not the book's own model**.

**Game.**  A leader L challenges a target T over a good worth 1 that T holds.  L stays home
(status quo), acts alone, or asks partner A or B to join; a partner is paid the price of
cooperation :math:`r_i` and then joins or declines (declining leaves the status quo: L's plan
needs the partner's consent).  The target then concedes the good or fights.  L alone wins with
probability :math:`p`; partner :math:`i` adds :math:`w_i`.  War costs L :math:`c_L`, T :math:`c_T`
and a joining partner :math:`k_i`; partner :math:`i` values L's possession of the good at its
affinity :math:`a_i`.

**Derivations.**  The price :math:`r_i^*` makes partner :math:`i` indifferent between fighting
in the coalition and the status quo (a cutoff); with it, symbolic backward induction gives the
equilibrium map: when a coalition forms, with which partner, and whether the target fights.
"""
from __future__ import annotations

import sympy as sp

from symbolic import Claim, DerivativeSign, Equal, Equivalent, Holds, Model
from symbolic.domain import NONNEGATIVE, POSITIVE, PROBABILITY

SEED = "002_790d8f723ad3e689.txt"
PARTNERS = ("A", "B")


def build() -> Model:
    """Parameters, payoffs, the prices of cooperation, the game tree, its map and claims FOR-1 ... FOR-6."""
    m = Model("coalition_formation", title="Coalition formation and the price of cooperation",
              source=f"shared/seeds/{SEED}",
              description="A canonical formulation of the setting of chapter 3 of the coalitions book (the price "
                          "of cooperation and coalition formation), not the book's own model: a leader who "
                          "challenges a target may pay one of two potential partners, which differ in military "
                          "contribution, cost and affinity, to fight beside it.")

    # ---- Parameters and domains ---------------------------------------------------------
    p = m.parameter("p", PROBABILITY, "p", "probability the leader alone wins a war")
    w = {i: m.parameter(f"w_{i}", POSITIVE, f"w_{i}", f"partner {i}'s military contribution (added win probability)",
                          sample_range=(0.0, 1.0))
         for i in PARTNERS}
    a = {i: m.parameter(f"a_{i}", PROBABILITY, f"a_{i}", f"partner {i}'s affinity: its value of the leader's holding "
                                                           "the good") for i in PARTNERS}
    k = {i: m.parameter(f"k_{i}", POSITIVE, f"k_{i}", f"partner {i}'s cost of fighting",
                          sample_range=(0.0, 2.0)) for i in PARTNERS}
    c_L = m.parameter("c_L", POSITIVE, "c_L", "the leader's cost of fighting", sample_range=(0.0, 1.0))
    c_T = m.parameter("c_T", POSITIVE, "c_T", "the target's cost of fighting", sample_range=(0.0, 1.0))
    for i in PARTNERS:
        m.constrain(p + w[i] < 1, reason=f"a coalition with {i} wins with a probability below 1")
        m.constrain(a[i] * (p + w[i]) < k[i], reason=f"{i}'s cost exceeds its expected stake: it must be paid")
    r = {i: m.unknown(f"r_{i}", NONNEGATIVE, f"r_{i}", f"price of cooperation paid to partner {i}") for i in PARTNERS}

    m.choice("Canonical formulation of the book's chapter 3 setting (only the table of contents is available); "
             "it is not the book's own model.")
    m.choice("The price of cooperation is a transfer (a policy concession) agreed before the target responds "
             "and paid whether or not there is a war.")
    m.choice("A partner that declines leaves the status quo: the leader's coalition plan needs the partner "
             "(basing, access); acting alone is a separate first move.")
    m.choice("A partner values the leader's possession of the good at its affinity a_i and bears its cost "
             "k_i only in a war; the domain requires a_i (p + w_i) < k_i, so no partner fights for free.")
    m.choice("Ties: the action listed first wins (Stay before Alone before A before B; Join before Decline; "
             "Fight before Concede).")

    # ---- Payoffs ----------------------------------------------------------------------------
    game = m.payoffs(("L", "A", "B", "T"))
    game.outcome("SQ", "status quo", L=0, A=0, B=0, T=1)
    game.outcome("Concede_0", "the target concedes to the leader alone", L=1, A="a_A", B="a_B", T=0)
    game.outcome("War_0", "the leader fights alone", L="p - c_L", A="a_A*p", B="a_B*p", T="1 - p - c_T")
    game.outcome("Concede_A", "the target concedes to the coalition with A", L="1 - r_A", A="r_A + a_A",
                 B="a_B", T=0)
    game.outcome("War_A", "the coalition with A fights", L="p + w_A - c_L - r_A", A="r_A + a_A*(p + w_A) - k_A",
                 B="a_B*(p + w_A)", T="1 - p - w_A - c_T")
    game.outcome("Concede_B", "the target concedes to the coalition with B", L="1 - r_B", A="a_A",
                 B="r_B + a_B", T=0)
    game.outcome("War_B", "the coalition with B fights", L="p + w_B - c_L - r_B", A="a_A*(p + w_B)",
                 B="r_B + a_B*(p + w_B) - k_B", T="1 - p - w_B - c_T")

    # ---- The price of cooperation: the partner's indifference --------------------------------
    price = {}
    for i in PARTNERS:
        joins = game.prefers(i, f"War_{i}", "SQ", f"{i} fights in the coalition rather than keeps the status quo")
        price[i] = m.cutoff(f"r_{i}_star", joins, solve_for=r[i], latex=f"r_{i}^*",
                            description=f"price of cooperation: the least transfer at which {i} joins a coalition "
                                        "that fights")

    # ---- The game ----------------------------------------------------------------------------
    paid = {r[i]: price[i].expr for i in PARTNERS}

    def outcome(name):
        return tuple(sp.expand(m.expand(game.payoff(pl, name)).xreplace(paid)) for pl in game.players)

    tree = m.game_tree("formation", players=game.players)
    tree.decision("L", "L", {"Stay": "sq", "Alone": "T_0", "Ask_A": "A", "Ask_B": "B"},
                  "the leader stays home, acts alone or asks a partner")
    tree.terminal("sq", outcome("SQ"))
    tree.decision("T_0", "T", {"Fight": "war_0", "Concede": "concede_0"}, "the target faces the leader alone")
    tree.terminal("war_0", outcome("War_0"))
    tree.terminal("concede_0", outcome("Concede_0"))
    for i in PARTNERS:
        tree.decision(i, i, {"Join": f"T_{i}", "Decline": f"sq_{i}"}, f"partner {i} is offered r_{i}^*")
        tree.decision(f"T_{i}", "T", {"Fight": f"war_{i}", "Concede": f"concede_{i}"},
                      f"the target faces the coalition with {i}")
        tree.terminal(f"war_{i}", outcome(f"War_{i}"))
        tree.terminal(f"concede_{i}", outcome(f"Concede_{i}"))
        tree.terminal(f"sq_{i}", outcome("SQ"))

    # ---- The derived equilibrium map -----------------------------------------------------------
    emap = m.equilibria(tree)
    formed = sp.Or(emap.where("Ask_A"), emap.where("Ask_B"))
    m.tree_figure("formation", x="w_A", y="k_A",
                  fixed={"p": 0.4, "w_B": 0.2, "a_A": 0.5, "a_B": 0.5, "k_B": 0.35, "c_L": 0.5, "c_T": 0.3},
                  limits={"w_A": (0, 0.6), "k_A": (0.5, 1.5)})
    target_fights_alone = game.prefers("T", "War_0", "Concede_0", "the target fights the leader alone")
    target_fights_A = game.prefers("T", "War_A", "Concede_A", "the target fights the coalition with A")
    # the leader's value of each coalition when the target fights it (price paid), for the choice of partner
    leader_prefers_A = game.prefers("L", outcome("War_A")[0], outcome("War_B")[0],
                                    "the leader prefers fighting beside A to fighting beside B")
    khat_A = m.cutoff("khat_A", leader_prefers_A, solve_for=k["A"], latex=r"\hat k_A",
                      description="the highest cost of A at which the leader prefers a fighting coalition with A "
                                  "to one with B")

    # ---- Claims --------------------------------------------------------------------------------
    m.claim(Claim("FOR-1", "The price of cooperation is the partner's cost less its expected stake in the "
                           "coalition's victory: r_i* = k_i - a_i (p + w_i).", [
        Equal(price[i], k[i] - a[i] * (p + w[i]), f"r_{i}* = k_{i} - a_{i}(p + w_{i})") for i in PARTNERS],
        about=("r_A_star", "r_B_star")))
    m.claim(Claim("FOR-2", "Power and preferences lower the price: r_A* falls in A's affinity and in its military "
                           "contribution and rises in its cost.", [
        DerivativeSign(price["A"], a["A"], -1, "d r_A*/d a_A < 0"),
        DerivativeSign(price["A"], w["A"], -1, "d r_A*/d w_A < 0"),
        DerivativeSign(price["A"], k["A"], +1, "d r_A*/d k_A > 0"),
    ], about=("r_A_star",)))
    m.claim(Claim("FOR-3", "The target fights the coalition with A exactly when its win probability covers its "
                           "cost, and an offered partner always joins.", [
        Equivalent(target_fights_A.weak(), p + w["A"] <= 1 - c_T, "T fights A's coalition iff p + w_A <= 1 - c_T"),
        Holds(outcome("Concede_A")[1] > outcome("SQ")[1], "at r_A*, A gains from joining when the target concedes"),
        *[Equivalent(emap.where(f"Ask_{i}"), emap.where(f"Ask_{i}", "Join"), f"asked, {i} joins") for i in PARTNERS],
    ]))
    m.claim(Claim("FOR-4", "A coalition forms when the leader cannot profitably fight alone, the target would fight "
                           "the leader alone, and some partner's coalition deters the target at a price below the "
                           "good's value.", [
        Holds(formed, "a coalition forms",
              given=[target_fights_alone.weak(), p - c_L < 0, p + w["A"] > 1 - c_T, price["A"].expr < 1]),
    ]))
    m.claim(Claim("FOR-5", "The leader chooses the partner with the larger military contribution.", [
        Holds(sp.Not(emap.where("Ask_B")), "B is not asked", given=[w["A"] > w["B"]]),
    ], repair=Claim("FOR-5r", "Between partners alike in cost and affinity, the leader never asks the one with the "
                              "smaller military contribution; in fighting coalitions a costlier A is still preferred "
                              "up to khat_A, which rises in A's contribution.", [
        Holds(sp.Not(emap.where("Ask_B")), "B is not asked",
              given=[w["A"] > w["B"], sp.Eq(a["A"], a["B"]), sp.Eq(k["A"], k["B"])]),
        Equivalent(leader_prefers_A.weak(), k["A"] <= khat_A.expr, "L prefers war with A iff k_A <= khat_A"),
        DerivativeSign(khat_A, w["A"], +1, "d khat_A / d w_A > 0"),
    ], about=("khat_A",)), note="A stronger partner may be too expensive: its price reflects its cost and affinity."))
    m.claim(Claim("FOR-6", "A leader who would win a profitable war alone never forms a coalition.", [
        Holds(sp.Not(formed), "no coalition forms", given=[p - c_L > 0]),
    ], repair=Claim("FOR-6r", "A leader who would win a profitable war alone forms a coalition with a partner only "
                              "if the coalition deters the target or the partner's price is below the win "
                              "probability it adds.", [
        Holds(sp.Or(emap.where(f"Ask_{i}", "Join", "Concede"), price[i].expr < w[i]),
              f"T concedes to the coalition with {i} or r_{i}* < w_{i}", given=[p - c_L > 0, emap.where(f"Ask_{i}")])
        for i in PARTNERS], about=("r_A_star", "r_B_star")),
        note="A coalition can buy the target's concession, and a cheap, strong partner is worth its price even in "
             "a war the leader would win alone."))
    return m
