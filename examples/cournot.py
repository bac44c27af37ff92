"""Cournot duopoly: two firms choose quantities; inverse demand a - b (q1 + q2), marginal costs c1, c2."""
import sympy as sp

from symbolic import NONNEGATIVE, POSITIVE, Claim, DerivativeSign, Equal, Holds, Model


def build() -> Model:
    m = Model("cournot", title="Cournot duopoly with asymmetric costs")
    a = m.parameter("a", POSITIVE, "a", "demand intercept")
    b = m.parameter("b", POSITIVE, "b", "slope of inverse demand")
    c1 = m.parameter("c1", POSITIVE, "c_1", "firm 1's marginal cost")
    c2 = m.parameter("c2", POSITIVE, "c_2", "firm 2's marginal cost")
    q1 = m.unknown("q1", NONNEGATIVE, "q_1", "firm 1's quantity")
    q2 = m.unknown("q2", NONNEGATIVE, "q_2", "firm 2's quantity")

    price = a - b * (q1 + q2)
    br1 = m.optimum("br1", (price - c1) * q1, over=q1, latex=r"b_1(q_2)", description="firm 1's best response")
    br2 = m.optimum("br2", (price - c2) * q2, over=q2, latex=r"b_2(q_1)", description="firm 2's best response")
    equilibrium = m.solve([sp.Eq(q1, br1), sp.Eq(q2, br2)], {"q1_star": q1, "q2_star": q2},
                          description="the Nash equilibrium quantities")
    q1s, q2s = equilibrium
    p_star = m.derived("price_star", price.subs({q1: q1s, q2: q2s}), r"p^*", "the equilibrium price")

    interior = [equilibrium.interior]  # derived: where both firms produce
    m.claim(Claim("CO-1", "with both firms active, q_i* = (a - 2c_i + c_j)/(3b)", [
        Equal(q1s, (a - 2 * c1 + c2) / (3 * b), "q1*", given=interior),
        Equal(q2s, (a - 2 * c2 + c1) / (3 * b), "q2*", given=interior)], about=["q1_star", "q2_star"]))
    m.claim(Claim("CO-2", "the lower-cost firm produces more", [
        Holds(q1s >= q2s, "q1* >= q2*", given=[c1 <= c2])], about=["q1_star", "q2_star"]))
    m.claim(Claim("CO-3", "firm 1 produces nothing when its cost exceeds (a + c2)/2", [
        Equal(q1s, 0, "q1* = 0", given=[2 * c1 >= a + c2])]))
    m.claim(Claim("CO-4", "a cost increase lowers the firm's own quantity", [
        DerivativeSign(q1s, c1, -1, "d q1*/d c1 < 0", given=interior)]))
    m.claim(Claim("CO-5", "the price exceeds both marginal costs", [
        Holds(p_star > c2, "p* > c2", given=[a > c1, a > c2])], repair=Claim(
        "CO-5r", "the price exceeds the marginal cost of every firm that produces", [
            Holds(p_star > c2, "p* > c2", given=[q2s > 0]), Holds(p_star > c1, "p* > c1", given=[q1s > 0])])))
    return m
