r"""The infinitely repeated prisoner's dilemma: when does grim trigger sustain cooperation?

Stage game (row player 1, column player 2), with :math:`T > R > P > S`:

=======  =========  =========
         C          D
=======  =========  =========
C        R, R       S, T
D        T, S       P, P
=======  =========  =========

Both players use grim trigger: cooperate until someone defects, then defect forever.  The
threshold :math:`\hat\delta` is derived from the one-shot-deviation condition in the cooperative
state -- :math:`R/(1-\delta) \ge T + \delta P/(1-\delta)` -- never typed in; the textbook
formula :math:`(T - R)/(T - P)` is only a claim checked against it.
"""
from sympy import Rational

from symbolic import Claim, Equal, Equivalent, Holds, Model, interval


def build() -> Model:
    """Parameters, the stage game, grim trigger, the threshold and the claims RPD-1 ... RPD-4."""
    m = Model("repeated_pd", "The infinitely repeated prisoner's dilemma",
              description="Two players repeat a prisoner's dilemma forever and discount the future by d; "
                          "both play grim trigger.")

    # ---- Parameters and domains -------------------------------------------------------------
    T = m.parameter("T", interval(None, None), "T", "temptation payoff")
    R = m.parameter("R", interval(None, None), "R", "reward for mutual cooperation")
    P = m.parameter("P", interval(None, None), "P", "punishment for mutual defection")
    S = m.parameter("S", interval(None, None), "S", "sucker's payoff")
    d = m.parameter("d", interval(0, 1, right_open=True), r"\delta", "discount factor")
    m.constrain(T > R, "the temptation beats the reward")
    m.constrain(R > P, "mutual cooperation beats mutual defection")
    m.constrain(P > S, "defecting against a defector beats being the sucker")

    # ---- The game: the stage game repeated, both players on grim trigger ---------------------
    game = m.repeated_game("grim", players=("1", "2"), actions=("C", "D"),
                           stage={("C", "C"): ("R", "R"), ("C", "D"): ("S", "T"),
                                  ("D", "C"): ("T", "S"), ("D", "D"): ("P", "P")},
                           discount=d, automaton="grim trigger")
    grim = game.profile

    # ---- The derived threshold ---------------------------------------------------------------
    defect_once = grim.deviation("cooperate", "1", "D")
    delta_hat = m.cutoff("delta_hat", defect_once.preference("1 does not defect once while cooperating"), d,
                         r"\hat\delta", "the smallest discount factor at which grim trigger sustains cooperation")
    m.instance("grim", T=5, R=3, P=1, S=0, d="2/5")
    m.instance("grim", T=5, R=3, P=1, S=0, d="7/10")
    m.sweep_figure("grim", "d", T=5, R=3, P=1, S=0)

    # ---- Claims --------------------------------------------------------------------------------
    m.claim(Claim("RPD-1", "The threshold is the textbook (T - R)/(T - P).",
                  [Equal(delta_hat, (T - R) / (T - P), "delta_hat = (T - R)/(T - P)")], about=["delta_hat"]))
    m.claim(Claim("RPD-2", "Grim trigger is a subgame-perfect equilibrium iff d >= delta_hat.",
                  [Equivalent(grim.region, d >= delta_hat, "MPE region = {d >= delta_hat}")], about=["delta_hat"]))
    m.claim(Claim("RPD-3", "Cooperating forever is worth R/(1 - d).",
                  [Equal(grim.quantities[("cooperate", "1")], R / (1 - d), "V_1(cooperate) = R/(1 - d)")]))
    m.claim(Claim("RPD-4", "A discount factor of one half always suffices for cooperation (false in general).",
                  [Holds(d >= delta_hat, "d >= delta_hat", given=[d >= Rational(1, 2)])], about=["delta_hat"],
                  repair=Claim("RPD-4r", "One half suffices when the temptation gain is at most the punishment loss.",
                               [Holds(d >= delta_hat, "d >= delta_hat",
                                      given=[d >= Rational(1, 2), T - R <= R - P])])))
    return m
