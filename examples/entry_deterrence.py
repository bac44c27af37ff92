r"""Entry deterrence: a game tree with symbolic payoffs, solved into its equilibrium map.

An entrant E chooses ``Out`` (payoffs: entrant 0, incumbent :math:`m`) or ``In``; after entry the
incumbent I chooses ``Fight`` (:math:`-f_E`, :math:`-f_I`) or ``Accommodate`` (:math:`d_E`,
:math:`d_I`).  Monopoly profit :math:`m > 0`; the others are any real numbers.  Backward
induction derives the map -- who does what where -- and the claims are checked against it; ties
go to the action listed first.
"""
from symbolic import POSITIVE, REAL, Claim, Equivalent, Holds, Model


def build() -> Model:
    """Parameters, the tree, its equilibrium map and the claims ED-1 ... ED-3."""
    m = Model("entry_deterrence", "Entry deterrence",
              description="An entrant decides whether to enter; the incumbent then fights or accommodates.")

    # ---- Parameters and domains -------------------------------------------------------------
    m.parameter("m", POSITIVE, "m", "incumbent's monopoly profit")
    f_E = m.parameter("f_E", REAL, "f_E", "entrant's loss in a fight")
    f_I = m.parameter("f_I", REAL, "f_I", "incumbent's loss in a fight")
    d_E = m.parameter("d_E", REAL, "d_E", "entrant's duopoly profit")
    d_I = m.parameter("d_I", REAL, "d_I", "incumbent's duopoly profit")

    # ---- The game ----------------------------------------------------------------------------
    tree = m.game_tree("entry", players=("E", "I"))
    tree.decision("E", "E", {"Out": "out", "In": "I"})
    tree.terminal("out", (0, "m"))
    tree.decision("I", "I", {"Fight": "fight", "Accommodate": "accommodate"})
    tree.terminal("fight", ("-f_E", "-f_I"))
    tree.terminal("accommodate", ("d_E", "d_I"))

    # ---- The derived equilibrium map -----------------------------------------------------------
    emap = m.equilibria(tree)
    m.tree_figure("entry", x="d_I", y="f_E", fixed={"m": 1, "d_E": 1, "f_I": 1},
                  limits={"d_I": (-3, 3), "f_E": (-3, 3)})
    fight_is_best = d_I <= -f_I

    # ---- Claims --------------------------------------------------------------------------------
    m.claim(Claim("ED-1", "Entry with accommodation happens exactly when accommodating pays the incumbent and "
                          "duopoly pays the entrant.",
                  [Equivalent(emap.where("In", "Accommodate"), (d_I > -f_I) & (d_E > 0),
                              "region(In, Accommodate) = {d_I > -f_I, d_E > 0}")]))
    m.claim(Claim("ED-2", "A fight on the equilibrium path needs an entrant who gains from being fought.",
                  [Holds(f_E < 0, "f_E < 0", given=[emap.where("In", "Fight")])]))
    m.claim(Claim("ED-3", "When fighting is the incumbent's best reply, entry is deterred.",
                  [Holds(emap.where("Out"), "the path starts with Out", given=[fight_is_best])],
                  repair=Claim("ED-3r", "When fighting is the incumbent's best reply and hurts the entrant, "
                                        "entry is deterred.",
                               [Holds(emap.where("Out"), "the path starts with Out",
                                      given=[fight_is_best, f_E >= 0])])))
    return m
