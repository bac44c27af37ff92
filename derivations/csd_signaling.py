r"""Collective self-defense as a costly signal (seed ``001_dd8248f65a92f7c6.txt``).

Specification: ``shared/models/csd_signaling.md`` (claims CSD-1 ... CSD-10).

**Game.**  Challenger (C), United States (U), Japan (J); a good worth 1 held by U.  J first
sets a constitutional constraint :math:`v_J \ge 0`; C challenges or not (status quo
:math:`(0, 1, s)`); U concedes :math:`(1, 0, 0)` or resists; J then intervenes (multilateral war)
or stays out (bilateral war):

.. math::
   \text{Intervene: } (1-p-c_C,\; p-\delta_U c_U,\; sp-c_J-v_J), \qquad
   \text{Stay out: } (1-q-c_C,\; q-c_U,\; sq-a_J).

Power aggregation :math:`p = (m_U+m_J)/(m_C+m_U+m_J)`, :math:`q = m_U/(m_C+m_U)`,
:math:`\psi = p - q`.  :math:`F` is the common belief that J intervenes if U resists.

**Derivations** (each a cutoff solved from an indifference condition):

* J intervenes iff :math:`c_J \le \theta = s\psi - v_J + a_J`;
* U resists iff :math:`F \ge \hat F_U` iff :math:`c_U \le \hat c_U`;
* C challenges a resisting U iff :math:`F \le \hat F_C` iff :math:`c_C \le \hat c_C = 1 - q - F\psi`;
* all J types intervene at :math:`v_J = 0` iff :math:`s \ge (\bar c_J - a_J)/\psi`
  (the slides' pooling condition does not follow: CSD-9 is refuted).
"""
from __future__ import annotations

import sympy as sp

from symbolic import Claim, DerivativeSign, Equal, Equivalent, Holds, Model
from symbolic.domain import NONNEGATIVE, POSITIVE, PROBABILITY, UNIT_INTERVAL

SEED = "001_dd8248f65a92f7c6.txt"

#: Mutants (see :mod:`symbolic.mutation`) that cannot change any verdict and that no decision procedure
#: recognises (:mod:`symbolic.equivalence`), and why.  None: every mutant the verifier does not notice
#: (the status-quo payoffs, C's concession payoff, the lower bounds of the costs and of F, the bounds
#: implied by 0 < q < p < 1, dropping c_J <= cbar_J) is recognised automatically -- each claim part it
#: changes is decided again, by symbolic simplification or z3, with the original's truth value.
MUTATION_EQUIVALENTS: dict[str, str] = {}


def build() -> Model:
    """Build the CSD model: parameters, payoffs, cutoffs and claims CSD-1 ... CSD-10."""
    m = Model("csd_signaling", title="Collective self-defense as a costly signal",
              source=f"shared/seeds/{SEED}", spec="shared/models/csd_signaling.md",
              description="A crisis-bargaining game in which Japan's constitutional constraint on "
                          "collective self-defense is a costly signal of its resolve to the United "
                          "States and a Challenger.")

    # ---- Parameters and domains ---------------------------------------------------------
    m.parameter("m_C", POSITIVE, "m_C", "military power of the Challenger")
    m.parameter("m_U", POSITIVE, "m_U", "military power of the United States")
    m.parameter("m_J", POSITIVE, "m_J", "military power of Japan")
    p = m.parameter("p", PROBABILITY, "p", "probability the alliance wins a multilateral war")
    q = m.parameter("q", PROBABILITY, "q", "probability the U.S. alone wins a bilateral war")
    m.constrain(q < p, reason="CSD-1: p > q whenever m_J > 0")
    F = m.parameter("F", UNIT_INTERVAL, "F", "common belief that J intervenes if U resists")
    s = m.parameter("s", PROBABILITY, "s", "salience of the disputed good for Japan")
    delta_U = m.parameter("delta_U", PROBABILITY, r"\delta_U", "U's burden-sharing (cost-saving) coefficient")
    a_J = m.parameter("a_J", NONNEGATIVE, "a_J", "J's (diplomatic) cost of abandonment")
    v_J = m.parameter("v_J", NONNEGATIVE, "v_J", "J's constitutional constraint (the signal)")
    c_U = m.parameter("c_U", POSITIVE, "c_U", "U's cost of fighting")
    c_C = m.parameter("c_C", POSITIVE, "c_C", "the Challenger's cost of fighting")
    cbar_J = m.parameter("cbar_J", POSITIVE, r"\bar{c}_J", "upper end of the support of J's cost")
    c_J = m.parameter("c_J", POSITIVE, "c_J", "J's cost of fighting (private type)")
    m.constrain(c_J <= cbar_J, reason="c_J has support [0, cbar_J]")
    m.define("psi", "p - q", r"\psi", "the power J adds to the alliance")
    P = m.form  # the slides' printed formulas, kept in the order printed

    m.choice("c_U and c_C are common knowledge: the slides treat them as known when writing "
             "U's and C's decisions.")
    m.choice("p and q are parameters with 0 < q < p < 1; CSD-1 derives q < p from the power "
             "aggregation formulas, which are also available as the quantities p_of_m and q_of_m.")
    m.choice("F, the belief that J intervenes, is a number in [0, 1].")
    m.choice("Ties are broken towards action: J intervenes, U resists and C challenges when indifferent "
             "(the slides' weak inequalities).")

    # ---- Power aggregation ----------------------------------------------------------------
    p_of_m = m.derived("p_of_m", "(m_U + m_J)/(m_C + m_U + m_J)", "p(m)",
                       "probability the alliance wins, from the power aggregation")
    q_of_m = m.derived("q_of_m", "m_U/(m_C + m_U)", "q(m)", "probability U alone wins, from the power aggregation")

    # ---- Payoffs ----------------------------------------------------------------------------
    game = m.payoffs(("C", "U", "J"))
    game.outcome("SQ", "status quo (no challenge)", C=0, U=1, J="s")
    game.outcome("Concede", "U concedes the good", C=1, U=0, J=0)
    game.outcome("Intervene", "multilateral war (J intervenes)",
                 C="(1 - p) - c_C", U="p - delta_U*c_U", J="s*p - c_J - v_J")
    game.outcome("StayOut", "bilateral war (J stays out)", C="(1 - q) - c_C", U="q - c_U", J="s*q - a_J")

    # ---- The game tree: J's cost is private; U and C expect J to intervene with probability F ---
    tree = m.game_tree("crisis", players=("C", "U", "J"))
    tree.decision("C", "C", {"Challenge": "U", "Not": "SQ"})
    tree.terminal("SQ", "SQ")
    tree.decision("U", "U", {"Resist": "J", "Concede": "Concede"})
    tree.terminal("Concede", "Concede")
    tree.decision("J", "J", {"Intervene": "Intervene", "StayOut": "StayOut"}, private=c_J, belief=F)
    tree.terminal("Intervene", "Intervene")
    tree.terminal("StayOut", "StayOut")

    # ---- Indifference at each node of the tree => cutoffs -------------------------------------
    j_intervenes = tree.prefers("J", "Intervene", "StayOut", label="J intervenes rather than stays out")
    theta = m.cutoff("theta", j_intervenes, solve_for=c_J, latex=r"\theta",
                     description="critical type of J, indifferent between intervening and staying out",
                     display="s*psi - v_J + a_J")
    vbar_J = m.cutoff("vbar_J", j_intervenes, solve_for=v_J, latex=r"\bar{v}_J",
                      description="largest constraint under which J still (weakly) intervenes",
                      display="s*psi - c_J + a_J")
    u_resists = tree.prefers("U", "Resist", "Concede", label="U resists rather than concedes")
    Fhat_U = m.cutoff("Fhat_U", u_resists, solve_for=F, latex=r"\hat{F}_U",
                      description="lowest belief in intervention at which U resists (1)",
                      display="(c_U - q)/(psi + c_U*(1 - delta_U))")
    chat_U = m.cutoff("chat_U", u_resists, solve_for=c_U, latex=r"\hat{c}_U",
                      description="highest cost at which U resists (2)",
                      display="(q + F*psi)/(1 - F*(1 - delta_U))")
    c_challenges = tree.prefers("C", "Challenge", "Not", given={"U": "Resist"},
                                label="C challenges a resisting U rather than keeps the status quo")
    Fhat_C = m.cutoff("Fhat_C", c_challenges, solve_for=F, latex=r"\hat{F}_C",
                      description="highest belief in intervention at which C challenges (3)",
                      display="(1 - q - c_C)/psi")
    chat_C = m.cutoff("chat_C", c_challenges, solve_for=c_C, latex=r"\hat{c}_C",
                      description="highest cost at which C challenges (4)", display="1 - q - F*psi")
    # all types intervene at v_J = 0 iff the highest type cbar_J does: theta(v_J=0) >= cbar_J
    worst_type_intervenes = tree.prefers("J", "Intervene", "StayOut", at={c_J: cbar_J, v_J: 0},
                                         label="the highest-cost type intervenes at v_J = 0")
    s_pool = m.cutoff("s_pool", worst_type_intervenes, solve_for=s, latex=r"\underline{s}",
                      description="lowest salience at which every type intervenes at v_J = 0",
                      display="(cbar_J - a_J)/psi")
    u_alone = tree.prefers("U", "Resist", "Concede", given={"J": "StayOut"},
                           label="U fights a bilateral war rather than concedes")
    cU_alone = m.cutoff("cU_alone", u_alone, solve_for=c_U, latex=r"c_U^{\mathrm{alone}}",
                        description="highest cost at which U would fight alone")
    u_with_J = tree.prefers("U", "Resist", "Concede", given={"J": "Intervene"},
                            label="U fights beside J rather than concedes")
    cU_with_J = m.cutoff("cU_with_J", u_with_J, solve_for=c_U, latex=r"c_U^{\mathrm{with}\,J}",
                         description="highest cost at which U fights beside J")
    c_vs_U = tree.prefers("C", "Challenge", "Not", given={"U": "Resist", "J": "StayOut"},
                          label="C fights U alone rather than keeps the status quo")
    cC_vs_U = m.cutoff("cC_vs_U", c_vs_U, solve_for=c_C, latex=r"c_C^{U}",
                       description="highest cost at which C fights U alone")
    c_vs_pair = tree.prefers("C", "Challenge", "Not", given={"U": "Resist", "J": "Intervene"},
                             label="C fights the pair rather than keeps the status quo")
    cC_vs_pair = m.cutoff("cC_vs_pair", c_vs_pair, solve_for=c_C, latex=r"c_C^{UJ}",
                          description="highest cost at which C fights U and J together")
    bluff = game.prefers("J", "StayOut", "Concede", "J (staying out) prefers the bilateral war to concession")
    s_bluff = m.cutoff("s_bluff", bluff, solve_for=s, latex=r"s^{\mathrm{bluff}}",
                       description="lowest salience at which a bluffing J prefers the bilateral war to concession")

    # ---- Claims --------------------------------------------------------------------------------
    m.claim(Claim("CSD-1", "p > q whenever m_J > 0", [
        Holds(p_of_m.expr > q_of_m.expr, "p(m) > q(m) for all positive powers"),
        Equal(p_of_m.expr - q_of_m.expr, P("m_C*m_J/((m_C + m_U + m_J)*(m_C + m_U))"),
              "psi = m_C m_J / ((m_C+m_U+m_J)(m_C+m_U))"),
    ], paper_form=r"p > q"))

    m.claim(Claim("CSD-2", "J intervenes iff c_J <= theta, theta = s(p-q) - v_J + a_J", [
        Equal(theta, P("s*(p - q) - v_J + a_J"), "derived theta equals the slides' theta"),
        Equivalent(j_intervenes.weak(), c_J <= P("s*(p - q) - v_J + a_J"), "J intervenes iff c_J <= theta"),
    ], paper_form=r"c_J \le s(p-q) - v + a \equiv \theta", about=("theta",)))

    m.claim(Claim("CSD-3", "intervention strictly dominated for J iff v_J > s(p-q) - c_J + a_J", [
        Equal(vbar_J, P("s*(p - q) - c_J + a_J"), "derived bound equals the slides' vbar_J"),
        Equivalent(sp.Not(j_intervenes.weak()), v_J > P("s*(p - q) - c_J + a_J"),
                   "sp - c_J - v_J < sq - a_J iff v_J > vbar_J"),
    ], paper_form=r"v_J > s(p-q) - c_J + a_J \equiv \bar{v}_J", about=("vbar_J",)))

    Fhat_U_paper = P("(c_U - q)/(psi + c_U*(1 - delta_U))")
    m.claim(Claim("CSD-4", "U resists iff F >= Fhat_U = (c_U - q)/(psi + c_U(1 - delta_U))  (1)", [
        Equal(Fhat_U, Fhat_U_paper, "derived Fhat_U equals (1)"),
        Equivalent(u_resists.weak(), F >= Fhat_U_paper, "U resists iff F >= Fhat_U"),
    ], paper_form=r"F \ge \frac{c_U - q}{\psi + c_U(1-\delta_U)} \equiv \hat{F}", about=("Fhat_U",)))

    chat_U_paper = P("(q + F*psi)/(1 - F*(1 - delta_U))")
    m.claim(Claim("CSD-5", "U resists iff c_U <= chat_U = (q + F psi)/(1 - F(1 - delta_U))  (2); "
                           "(1) and (2) are the same set", [
        Equal(chat_U, chat_U_paper, "derived chat_U equals (2)"),
        Equivalent(u_resists.weak(), c_U <= chat_U_paper, "U resists iff c_U <= chat_U"),
        Equivalent(F >= Fhat_U_paper, c_U <= chat_U_paper, "(1) iff (2)"),
    ], paper_form=r"c_U \le \frac{q + F\psi}{1 - F(1-\delta_U)} \equiv \hat{c}_U", about=("chat_U",)))

    Fhat_C_paper = P("(1 - q - c_C)/psi")
    chat_C_paper = P("1 - q - F*psi")
    m.claim(Claim("CSD-6", "C challenges (when U would resist) iff F <= (1-q-c_C)/psi  (3) "
                           "iff c_C <= chat_C = 1 - q - F psi  (4)", [
        Equal(Fhat_C, Fhat_C_paper, "derived bound equals (3)"),
        Equal(chat_C, chat_C_paper, "derived chat_C equals (4)"),
        Equivalent(c_challenges.weak(), F <= Fhat_C_paper, "C challenges iff (3)"),
        Equivalent(F <= Fhat_C_paper, c_C <= chat_C_paper, "(3) iff (4)"),
    ], paper_form=r"F \le \frac{1-q-c_C}{\psi} \iff c_C \le 1 - q - F\psi \equiv \hat{c}_C",
        about=("Fhat_C", "chat_C"),
        note="The slides call the bound in (3) \\hat F as well, the same name as U's bound (1); "
             "here it is \\hat F_C."))

    m.claim(Claim("CSD-7", "Lemma 2: no feasible signal deters C with certainty: chat_C > 0 for every "
                           "F in [0,1] (indeed chat_C >= 1 - p > 0)", [
        Holds(chat_C.expr >= 1 - p, "chat_C >= 1 - p"),
        Holds(chat_C.expr > 0, "chat_C > 0"),
        Holds(tree.prefers("C", "Challenge", "Not", given={"U": "Concede"}).strict(),
              "C strictly prefers challenging a U who concedes (payoff 1) to the status quo"),
    ], paper_form=r"\hat{c}_C \ge 1 - p > 0", about=("chat_C",),
        note="With C's cost known (the model file's choice), 'deterred with certainty' reads as "
             "'no cost type near zero stays out': the cutoff chat_C is positive for every belief F."))

    m.claim(Claim("CSD-8", "comparative statics: d chat_U/dF > 0, d chat_C/dF < 0, d theta/dv_J < 0, "
                           "d theta/ds > 0, d theta/da_J > 0", [
        DerivativeSign(chat_U, F, +1, "d chat_U / dF > 0"),
        DerivativeSign(chat_C, F, -1, "d chat_C / dF < 0"),
        DerivativeSign(theta, v_J, -1, "d theta / dv_J < 0"),
        DerivativeSign(theta, s, +1, "d theta / ds > 0"),
        DerivativeSign(theta, a_J, +1, "d theta / da_J > 0"),
    ], paper_form="implied", about=("chat_U", "chat_C", "theta")))

    theta_at_0 = theta.expr.subs(v_J, 0)
    m.claim(Claim("CSD-9", "All types intervene (pooling on v_J = 0) if s < (1/(1-delta_U) - a_J)/psi", [
        Holds(theta_at_0 >= cbar_J, "the slides' condition implies theta(v_J=0) >= cbar_J",
              given=[s < P("(1/(1 - delta_U) - a_J)/psi")]),
    ], paper_form=r"s < \left(\frac{1}{1-\delta_U} - a_J\right)/\psi", about=("theta",),
        repair=Claim("CSD-9*", "all types intervene at v_J = 0 iff s >= (cbar_J - a_J)/psi", [
            Equal(s_pool, P("(cbar_J - a_J)/psi"), "the derived salience bound"),
            Equivalent(theta_at_0 >= cbar_J, s >= P("(cbar_J - a_J)/psi"),
                       "theta(v_J=0) >= cbar_J iff s >= (cbar_J - a_J)/psi"),
        ], paper_form=r"s \ge (\bar{c}_J - a_J)/\psi", about=("s_pool",)),
        note="The slides' inequality points the wrong way and involves delta_U, which does not enter "
             "J's intervention decision; the condition that follows is CSD-9*."))

    m.claim(Claim("CSD-10", "divided alliance commitment: c_U in (q, p/delta_U), c_C in (1-p, 1-q), s >= a_J/q", [
        Equal(cU_alone, q, "U fights alone iff c_U <= q"),
        Equal(cU_with_J, P("p/delta_U"), "U fights beside J iff c_U <= p/delta_U"),
        Equivalent(sp.And(u_with_J.strict(), sp.Not(u_alone.weak())), sp.And(c_U > q, c_U < p / delta_U),
                   "U fights with J, not alone iff c_U in (q, p/delta_U)"),
        Holds(q < p / delta_U, "the interval (q, p/delta_U) is non-empty"),
        Equal(cC_vs_U, P("1 - q"), "C fights U alone iff c_C <= 1 - q"),
        Equal(cC_vs_pair, P("1 - p"), "C fights the pair iff c_C <= 1 - p"),
        Equivalent(sp.And(c_vs_U.strict(), sp.Not(c_vs_pair.weak())), sp.And(c_C > P("1 - p"), c_C < P("1 - q")),
                   "C fights U alone, not the pair iff c_C in (1-p, 1-q)"),
        Equal(s_bluff, P("a_J/q"), "the derived salience bound for a bluffing J"),
        Equivalent(bluff.weak(), s >= a_J / q, "a bluffing J prefers the bilateral war iff s >= a_J/q"),
    ], paper_form=r"c_U \in (q, p/\delta_U),\ c_C \in (1-p, 1-q),\ s \ge a_J/q",
        about=("cU_alone", "cU_with_J", "cC_vs_U", "cC_vs_pair", "s_bluff")))

    # the derived map over the belief F: U resists above Fhat_U (up to chat_U), C challenges below chat_C
    at = dict(p=0.6, q=0.3, delta_U=0.4, s=0.5, a_J=0.1, v_J=0, c_J=0.1)
    m.tree_figure("crisis", "F", "c_U", fixed={**at, "c_C": 0.3}, limits={"c_U": (0, 1.2)})
    m.tree_figure("crisis", "F", "c_C", fixed={**at, "c_U": 0.5}, limits={"c_C": (0, 1)})
    m.figure("divided_commitment", r"The divided alliance commitment region (CSD-10): U fights beside J but not "
             r"alone ($q < c_U < p/\delta_U$) and C fights U alone but not the pair ($1-p < c_C < 1-q$), at "
             r"$p = 0.6$, $q = 0.3$, $\delta_U = 0.8$. Bounds are the derived cutoffs.", _plot_divided_commitment)

    # ---- Prose of the slides with no formula to check -------------------------------------------
    m.stated_not_checked("No pooling on v_J > 0, as it is not incentive compatible.",
                         "an equilibrium-existence argument over signals; the slides give no formula")
    m.stated_not_checked("Separating signals {0, v'_J, vbar_J} are not incentive compatible; "
                         "{v''_J, vbar_J} is a PBE that fails the intuitive criterion.",
                         "refinement arguments stated in prose only")
    m.stated_not_checked("Irresolute types c_J in (theta, beta] can bluff; beta is never defined.",
                         "the bound beta has no formula in the slides")
    return m


def _plot_divided_commitment(model: Model):
    """The (c_U, c_C) plane split by the four derived cutoffs of CSD-10."""
    import matplotlib.pyplot as plt

    point = dict(p=0.6, q=0.3, delta_U=0.8)
    u_lo = model.numeric("cU_alone")(**point)
    u_hi = model.numeric("cU_with_J")(**point)
    c_lo = model.numeric("cC_vs_pair")(**point)
    c_hi = model.numeric("cC_vs_U")(**point)
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    ax.axvspan(u_lo, u_hi, color="tab:blue", alpha=0.12)
    ax.axhspan(c_lo, c_hi, color="tab:orange", alpha=0.12)
    ax.fill_between([u_lo, u_hi], c_lo, c_hi, color="tab:red", alpha=0.35, label="divided commitment")
    for x, text in ((u_lo, r"$q$"), (u_hi, r"$p/\delta_U$")):
        ax.axvline(x, color="tab:blue", lw=0.8)
        ax.annotate(text, (x, 1.02), xycoords=("data", "axes fraction"), ha="center")
    for y, text in ((c_lo, r"$1-p$"), (c_hi, r"$1-q$")):
        ax.axhline(y, color="tab:orange", lw=0.8)
        ax.annotate(text, (1.01, y), xycoords=("axes fraction", "data"), va="center")
    ax.set_xlim(0, 1.1)
    ax.set_ylim(0, 1)
    ax.set_xlabel(r"$c_U$ (U's cost of fighting)")
    ax.set_ylabel(r"$c_C$ (C's cost of fighting)")
    ax.legend(frameon=False, loc="lower right")
    fig.tight_layout()
    return fig
