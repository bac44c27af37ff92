r"""Alternating offers over two periods: continuous choices solved by backward induction.

Player 1 proposes a share :math:`x \in [0, 1]` of a unit surplus for herself; player 2 accepts
(payoffs :math:`x, 1 - x`) or rejects, and then proposes a share :math:`y \in [0, 1]` for player 1
a period later, which player 1 accepts (payoffs :math:`\delta y, \delta(1 - y)`) or rejects (both
get 0).  Common discount factor :math:`0 < \delta < 1`; ties go to ``Accept`` (listed first).
Backward induction derives each offer as an optimum over the responder's acceptance region: the
finite Rubinstein outcome :math:`x^* = 1 - \delta`.
"""
import sympy as sp

from symbolic import Claim, Equivalent, Holds, Model, interval


def build() -> Model:
    """The parameter, the offers, the tree, its equilibrium map and the claims AO-1, AO-2."""
    m = Model("alternating_offers", "Alternating offers (two periods)",
              description="Two players split a unit surplus by alternating offers over two periods.")
    delta = m.parameter("delta", interval(0, 1, True, True), r"\delta", "common discount factor")
    m.unknown("x", (0, 1), "x", "player 1's share in 1's offer")
    m.unknown("y", (0, 1), "y", "player 1's share in 2's offer")

    tree = m.game_tree("offers", players=("1", "2"))
    tree.choice("offer1", "1", "x", "reply1")
    tree.decision("reply1", "2", {"Accept": "deal1", "Reject": "offer2"})
    tree.terminal("deal1", ("x", "1 - x"))
    tree.choice("offer2", "2", "y", "reply2")
    tree.decision("reply2", "1", {"Accept": "deal2", "Reject": "breakdown"})
    tree.terminal("deal2", ("delta*y", "delta*(1 - y)"))
    tree.terminal("breakdown", (0, 0))

    emap = m.equilibria(tree)
    share = emap.choice("offer1")  # derived: 1 - delta
    m.claim(Claim("AO-1", "The first proposer gets more than the responder exactly when the players are impatient "
                          "(delta < 1/2).",
                  [Equivalent(share > 1 - share, delta < sp.Rational(1, 2), "x* > 1 - x*  <=>  delta < 1/2")]))
    m.claim(Claim("AO-2", "The first proposer always gets at least half the surplus.",
                  [Holds(share >= sp.Rational(1, 2), "x* >= 1/2")],
                  repair=Claim("AO-2r", "The first proposer gets at least half the surplus when delta <= 1/2.",
                               [Holds(share >= sp.Rational(1, 2), "x* >= 1/2", given=[delta <= sp.Rational(1, 2)])])))
    return m
