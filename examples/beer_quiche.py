r"""Beer--quiche (Cho and Kreps 1987): a two-type signaling game with symbolic payoffs, solved into
its map of perfect Bayesian equilibria, with off-path belief sets and the intuitive criterion.

Nature makes the sender (S) ``strong`` with probability :math:`p` and ``weak`` otherwise.  S,
knowing its type, has ``Beer`` or ``Quiche`` for breakfast; the strong type prefers beer, the weak
type quiche, and the preferred breakfast is worth :math:`b > 0`.  The receiver (R) sees the
breakfast and chooses to ``Fight`` or ``Not`` fight; avoiding the duel is worth :math:`d > 0` to
either type.  Fighting gains R :math:`g > 0` against the weak type and costs it :math:`l > 0`
against the strong one; not fighting gives R 0.  The textbook numbers are :math:`b = 1, d = 2,
g = l = 1`.  Every PBE in pure strategies (and the semi-separating ones) is derived, each with its
region, the off-path beliefs that sustain it and, for pooling, the intuitive criterion's verdict.
"""
import sympy as sp

from symbolic import POSITIVE, Claim, Equivalent, Holds, Model, interval

HALF = sp.Rational(1, 2)


def build() -> Model:
    """Parameters, the signaling game, its PBE map and the claims BQ-1 ... BQ-5."""
    m = Model("beer_quiche", "Beer--quiche: perfect Bayesian equilibria and the intuitive criterion",
              source="Cho and Kreps (1987), Signaling games and stable equilibria",
              description="A strong or weak sender chooses a breakfast; the receiver, seeing it, fights or not.")

    # ---- Parameters and domains -------------------------------------------------------------
    p = m.parameter("p", interval(0, 1, True, True), "p", "prior probability that the sender is strong")
    b = m.parameter("b", POSITIVE, "b", "value of the preferred breakfast")
    d = m.parameter("d", POSITIVE, "d", "value of avoiding the duel")
    g = m.parameter("g", POSITIVE, "g", "receiver's gain from fighting the weak type")
    l = m.parameter("l", POSITIVE, "l", "receiver's loss from fighting the strong type")

    # ---- The game ----------------------------------------------------------------------------
    game = m.signaling_game("beer_quiche", sender="S", receiver="R", types={"weak": "1 - p", "strong": "p"},
                            messages=["Beer", "Quiche"], responses=["Fight", "Not"])
    preferred = {"weak": "Quiche", "strong": "Beer"}
    gain = {"weak": g, "strong": -l}
    game.payoffs(lambda t, msg, r: (b * int(msg == preferred[t]) + d * int(r == "Not"), gain[t] * int(r == "Fight")))

    # ---- The derived PBE map -------------------------------------------------------------------
    smap = m.equilibria(game)
    mu_quiche = game.beliefs["Quiche"]["weak"]   # the receiver's belief that a quiche eater is weak
    pool_beer = smap.where(kind="pooling", weak="Beer", strong="Beer")
    pool_quiche = smap.where(kind="pooling", weak="Quiche", strong="Quiche")
    separating = smap.where(kind="separating", weak="Quiche", strong="Beer")
    fight_set = smap.select(weak="Beer", strong="Beer")[0].belief_sets["Quiche"]

    # ---- Claims --------------------------------------------------------------------------------
    m.claim(Claim("BQ-1", "Pooling on beer is a PBE exactly when the strong type is likely enough that a beer "
                          "drinker is not fought and the weak type values avoiding the duel above its breakfast.",
                  [Equivalent(pool_beer, (p * (g + l) >= g) & (d >= b),
                              "region(pool on Beer) = {p >= g/(g+l), d >= b}")]))
    m.claim(Claim("BQ-2", "Pooling on beer is sustained by fighting a quiche eater, whom the receiver must "
                          "believe weak with probability at least l/(g+l).",
                  [Equivalent(fight_set, mu_quiche * (g + l) >= l, "off-path belief set: mu(weak | Quiche) >= l/(g+l)",
                              given=[pool_beer])]))
    m.claim(Claim("BQ-3", "Pooling on quiche fails the intuitive criterion wherever it is an equilibrium "
                          "(only the strong type could gain from beer).",
                  [Equivalent(smap.where(kind="pooling", weak="Quiche", strong="Quiche", intuitive="fails"),
                              (p * (g + l) >= g) & (d >= b), "it fails wherever p >= g/(g+l) and d >= b"),
                   Equivalent(pool_quiche, (p * (g + l) >= g) & (d >= b), "which is its whole region")]))
    m.claim(Claim("BQ-4", "Pooling on beer survives the intuitive criterion wherever it is an equilibrium.",
                  [Equivalent(smap.where(kind="pooling", weak="Beer", strong="Beer", intuitive="survives"),
                              (p * (g + l) >= g) & (d >= b), "it survives wherever p >= g/(g+l) and d >= b")]))
    m.claim(Claim("BQ-5", "If the sender is more likely strong than weak, pooling on beer is an equilibrium.",
                  [Holds(pool_beer, "pooling on Beer is a PBE", given=[p > HALF])],
                  repair=Claim("BQ-5r", "If the sender is more likely strong than weak, fighting the strong type "
                                        "costs the receiver at least what fighting the weak one gains, and avoiding "
                                        "the duel is worth at least the breakfast, pooling on beer is an equilibrium.",
                               [Holds(pool_beer, "pooling on Beer is a PBE", given=[p > HALF, l >= g, d >= b])])))
    m.claim(Claim("BQ-6", "Where the weak type's breakfast is worth more than avoiding the duel, the types separate "
                          "(strong: beer, weak: quiche).",
                  [Equivalent(separating, b >= d, "region(separating) = {b >= d}")]))
    m.claim(Claim("BQ-7", "Every point of the domain has an equilibrium of the map; where no pure PBE exists "
                          "(weak type likely, duel valued above breakfast) the weak type mixes.",
                  [Holds(smap.where(kind="semi-separating", strong="Beer"), "a semi-separating PBE exists",
                         given=[p * (g + l) < g, d > b])]))
    m.choice("Ties: every response that is a best response is kept (no tie-breaking rule), so regions of "
             "different equilibria overlap; the weak inequalities make each region closed.")
    return m
