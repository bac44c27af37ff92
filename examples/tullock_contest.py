"""A Tullock contest: two contestants value the prize at V1 and V2 and win with probability x_i/(x1 + x2)."""
import sympy as sp

from symbolic import POSITIVE, Claim, DerivativeSign, Equal, Holds, Model


def build() -> Model:
    m = Model("tullock_contest", title="A Tullock contest with asymmetric prizes")
    V1 = m.parameter("V1", POSITIVE, "V_1", "contestant 1's value of the prize")
    V2 = m.parameter("V2", POSITIVE, "V_2", "contestant 2's value of the prize")
    x1 = m.unknown("x1", POSITIVE, "x_1", "contestant 1's effort")
    x2 = m.unknown("x2", POSITIVE, "x_2", "contestant 2's effort")

    u1 = V1 * x1 / (x1 + x2) - x1
    u2 = V2 * x2 / (x1 + x2) - x2
    x1s, x2s = m.solve([sp.diff(u1, x1), sp.diff(u2, x2)], {"x1_star": x1, "x2_star": x2},
                       description="equilibrium efforts, from the two first-order conditions")
    total = m.derived("total_effort", x1s + x2s, r"X^*", "total equilibrium effort")

    m.claim(Claim("TC-1", "x1* = V1^2 V2/(V1 + V2)^2 and x2* = V1 V2^2/(V1 + V2)^2", [
        Equal(x1s, V1**2 * V2 / (V1 + V2)**2, "x1*"), Equal(x2s, V1 * V2**2 / (V1 + V2)**2, "x2*")],
        about=["x1_star", "x2_star"]))
    m.claim(Claim("TC-2", "each payoff is strictly concave in the contestant's own effort", [
        Holds(sp.diff(u1, x1, 2) < 0, "d2u1/dx1^2 < 0"), Holds(sp.diff(u2, x2, 2) < 0, "d2u2/dx2^2 < 0")]))
    m.claim(Claim("TC-3", "the contestant who values the prize more exerts more effort", [
        Holds(x1s > x2s, "x1* > x2*", given=[V1 > V2])]))
    m.claim(Claim("TC-4", "total effort dissipates at most half the mean prize", [
        Holds(total <= (V1 + V2) / 4, "X* <= (V1 + V2)/4")]))
    m.claim(Claim("TC-5", "a contestant's effort rises with the rival's prize", [
        DerivativeSign(x1s, V2, +1, "d x1*/d V2 > 0")], repair=Claim(
        "TC-5r", "it rises with the rival's prize iff the contestant is the favourite", [
            DerivativeSign(x1s, V2, +1, "d x1*/d V2 > 0 when V1 > V2", given=[V1 > V2]),
            DerivativeSign(x1s, V2, -1, "d x1*/d V2 < 0 when V1 < V2", given=[V1 < V2])])))
    return m
