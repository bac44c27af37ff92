"""The inspection game: an agent complies or cheats, an inspector inspects or not."""
import sympy as sp

from symbolic import POSITIVE, Claim, DerivativeSign, Equal, Equivalent, Holds, Model


def build() -> Model:
    m = Model("inspection_game", title="The inspection game")
    g = m.parameter("g", POSITIVE, "g", "the agent's gain from cheating undetected")
    f = m.parameter("f", POSITIVE, "f", "the fine for cheating caught")
    h = m.parameter("h", POSITIVE, "h", "the inspector's cost of inspecting")
    l = m.parameter("l", POSITIVE, "l", "the inspector's loss from undetected cheating")

    game = m.normal_form("inspection", {"Agent": ["comply", "cheat"], "Inspector": ["inspect", "not"]}, {
        ("comply", "inspect"): (0, "-h"), ("comply", "not"): (0, 0),
        ("cheat", "inspect"): ("-f", "-h"), ("cheat", "not"): ("g", "-l")})
    eqs = m.equilibria(game)
    mixed = eqs.find(Agent=["comply", "cheat"], Inspector=["inspect", "not"])
    inspect = m.derived("inspect_prob", mixed.strategy["Inspector"]["inspect"], r"\iota^*",
                        "the inspector's probability of inspecting (mixed equilibrium)", defined_when=mixed.region,
                        cross_check=eqs.cross_check(mixed, "Inspector", "inspect"))
    cheat = m.derived("cheat_prob", mixed.strategy["Agent"]["cheat"], r"\chi^*",
                      "the agent's probability of cheating (mixed equilibrium)", defined_when=mixed.region,
                      cross_check=eqs.cross_check(mixed, "Agent", "cheat"))

    m.claim(Claim("IG-1", "in the mixed equilibrium the inspector inspects w.p. g/(f+g), the agent cheats w.p. h/l",
                  [Equal(inspect, g / (f + g), "inspection"), Equal(cheat, h / l, "cheating")], about=["inspect_prob"]))
    m.claim(Claim("IG-2", "the agent cheats with a probability strictly between 0 and 1 iff h < l",
                  [Equivalent((cheat > 0) & (cheat < 1), h < l, "0 < chi* < 1 iff h < l")]))
    m.claim(Claim("IG-3", "a higher fine means less inspection", [
        DerivativeSign(inspect, f, -1, "d iota*/d f < 0")]))
    m.claim(Claim("IG-4", "a higher fine deters cheating", [
        DerivativeSign(cheat, f, -1, "d chi*/d f < 0", given=[mixed.region])], repair=Claim(
        "IG-4r", "the fine does not move the cheating probability (it moves inspection instead)", [
            Equal(cheat.expr.diff(f), 0, "d chi*/d f = 0")])))
    m.claim(Claim("IG-5", "when the fine exceeds the gain from cheating, inspections are rarer than not", [
        Holds(inspect < sp.Rational(1, 2), "iota* < 1/2", given=[f > g])]))
    return m
