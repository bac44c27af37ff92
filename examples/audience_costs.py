"""Audience costs in a crisis: a leader fights or backs down in public."""
from symbolic import NONNEGATIVE, POSITIVE, PROBABILITY, Claim, DerivativeSign, Equal, Equivalent, Holds, Model


def build() -> Model:
    m = Model("audience_costs", title="Audience costs in a crisis")
    w = m.parameter("w", PROBABILITY, "w", "probability the leader wins a war")
    k = m.parameter("k", POSITIVE, "k", "the leader's cost of war")
    a = m.parameter("a", NONNEGATIVE, "a", "audience cost of backing down")

    game = m.payoffs(["Leader"])
    game.outcome("Fight", "war", Leader="w - k")
    game.outcome("BackDown", "backs down in public", Leader="-a")

    fights = game.prefers("Leader", "Fight", "BackDown", "the leader fights rather than backs down")
    khat = m.cutoff("khat", fights, solve_for=k, latex=r"\hat{k}",
                    description="the costliest war the leader still fights")

    m.claim(Claim("AC-1", "the leader fights iff k <= w + a", [
        Equal(khat, m.form("w + a"), "the derived cutoff is w + a"),
        Equivalent(fights.weak(), k <= w + a, "fights iff k <= w + a")], about=["khat"]))
    m.claim(Claim("AC-2", "audience costs make fighting more likely", [
        DerivativeSign(khat, a, +1, "d khat / da > 0")], about=["khat"]))
    m.claim(Claim("AC-3", "a leader fights whenever k < 2w", [
        Holds(fights.weak(), "fights if k < 2w", given=[k < 2 * w])]))
    return m


if __name__ == "__main__":
    model = build()
    for verdict in model.verify():
        print(verdict.claim, verdict.status, verdict.counterexample)
    print("khat at w=0.5, a=0.2:", model.evaluate("khat", w=0.5, a=0.2))
