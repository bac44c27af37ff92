"""LaTeX appendices: render a model's derivations and verdicts, write atomically, compile.

:func:`render` fills ``reports/templates/appendix.tex.j2`` from a model, its verdicts and its
cross-checks; the output depends only on those (no dates, sorted keys), so the same inputs give
byte-identical ``.tex``.  :func:`write` replaces the target file atomically (a failed build
leaves the previous report intact).  :func:`compile_pdf` runs ``latexmk -pdf`` or ``pdflatex``
twice and fails on LaTeX errors or undefined references.
"""
from __future__ import annotations

import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path

import sympy as sp

from .implicit import ImplicitFunction
from .latex import environment, escape, number, proposition, tex

INSTALL_HINT = ("no LaTeX engine on the PATH; install one with "
                "`apt-get install texlive-latex-base texlive-latex-recommended latexmk` "
                "(Debian/Ubuntu) or TeX Live/MiKTeX, then rerun")

STATUS_TEXT = {"proved": "proved", "refuted": "refuted", "checked": "checked numerically",
               "not_encodable": "stated, not checked", "unknown": "unknown"}


_STEP_TEXT = {"comparison": "payoff comparison", "collected": "terms in ${var}$ collected",
              "solved": "solved for ${var}$"}

_DECIDED = {"z3 decision procedure": "z3"}

#: a factor longer than this (characters of LaTeX) is named by its role rather than printed
_MAX_FACTOR = 60


def _step_text(cut, kind: str, model) -> str:
    """A cutoff step's text; a step that multiplies or divides by a factor says which, and its
    decided sign (``Cutoff.factors``)."""
    text = _STEP_TEXT[kind].format(var=tex(cut.var, model))
    if kind not in cut.factors:
        return text
    verb, factor, sign, how = cut.factors[kind]
    shown = tex(factor, model)
    if len(shown) > _MAX_FACTOR:
        shown = r"\text{the denominator}" if verb == "multiplied" else rf"\text{{the coefficient of }}{tex(cut.var, model)}"
    said = f"{verb} by ${shown}$" if how == "constant" else (  # a constant's sign is plain
        f"{verb} by ${shown} {'>' if sign > 0 else '<'} 0$ ({escape(_DECIDED.get(how, how))})")
    return said + (", reversing the inequality" if sign < 0 else "") + f"; {text}"


def _step_check(verdict, index: int) -> str:
    if index == 0:
        return ""
    if verdict is None:
        return r"\textbf{not verified}"
    if verdict.status == "proved":
        return "verified: " + ("z3" if "z3" in verdict.method else "symbolic")
    return r"\textbf{not verified} (" + escape(verdict.status) + ")"


def _lottery(game, lottery, model) -> str:
    if isinstance(lottery, str):
        return r"\text{" + escape(lottery) + "}"
    if isinstance(lottery, Mapping):
        terms = [f"{_factor(w, model)}\\cdot\\text{{{escape(o)}}}" if w != 1 else f"\\text{{{escape(o)}}}"
                 for o, w in lottery.items()]
        return " + ".join(terms)
    return tex(lottery, model)


def _factor(w, model) -> str:
    s = tex(w, model)
    return f"\\left({s}\\right)" if isinstance(sp.sympify(w), sp.Add) else s


def _part(prop, verdict, model) -> dict:
    formula = proposition(prop, model)
    return {"label": escape(prop.label), "formula": formula,
            "given": [tex(g, model) for g in prop.given],
            "status": verdict.status, "status_text": STATUS_TEXT[verdict.status],
            "method": escape(verdict.method), "detail": escape(verdict.detail),
            "counterexample": _point(verdict.counterexample, model)}


def _point(point, model) -> str:
    if not point:
        return ""
    names = {p.name: p.latex for p in model.domain.parameters.values()}
    return ", ".join(f"{names.get(k, escape(k))} = {number(v)}" for k, v in point.items())


def _claim(claim, verdict, model) -> dict:
    return {"id": escape(claim.id), "label": _label(claim.id), "statement": escape(claim.statement), "paper_form": claim.paper_form,
            "status": verdict.status, "status_text": STATUS_TEXT[verdict.status],
            "method": escape(verdict.method), "note": escape(claim.note),
            "reason": escape(claim.not_encodable),
            "counterexample": _point(verdict.counterexample, model),
            "samples": verdict.samples, "max_error": _sci(verdict.max_error),
            "parts": [_part(p, v, model) for p, v in zip(claim.parts, verdict.parts)],
            "repair": _claim(claim.repair, verdict.repair, model) if claim.repair else None}


def _unknown_domain(u, model) -> str:
    lo, hi = u.bounds
    if lo is None and hi is None:
        return u.domain.latex()
    left = f"[{tex(lo, model)}" if lo is not None else u.domain.latex().split(",")[0]
    right = f"{tex(hi, model)}]" if hi is not None else u.domain.latex().split(",")[1].strip()
    return f"{left}, {right}"


def _sci(x) -> str:
    if x is None:
        return "--"
    if x == 0:
        return "0"
    if not math.isfinite(x):  # a cross-check that found no root where the closed form has one
        return r"\infty" if x > 0 else (r"-\infty" if x < 0 else r"\mathrm{NaN}")
    mant, exp = f"{x:.1e}".split("e")
    return f"{mant}\\times 10^{{{int(exp)}}}"


def write_figures(model, out_dir: Path) -> list[dict]:
    """Draw each of the model's figures to ``out_dir/figures/<model>-<name>.pdf``.

    The PDFs carry no timestamps (so rebuilding changes nothing); each is written atomically.
    Returns what the template needs: relative path, caption, label.
    """
    if not model.figures:
        return []
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = []
    folder = Path(out_dir) / "figures"
    folder.mkdir(parents=True, exist_ok=True)
    for fig_spec in model.figures:
        fig = fig_spec.draw(model)
        target = folder / f"{model.name}-{fig_spec.name}.pdf"
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".pdf", dir=folder)
        os.close(fd)
        try:
            fig.savefig(tmp, format="pdf", bbox_inches="tight",
                        metadata={"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None})
            _publish(tmp, target)
        finally:
            plt.close(fig)
            if os.path.exists(tmp):
                os.unlink(tmp)
        out.append({"path": f"figures/{target.name}", "caption": fig_spec.caption,
                    "label": f"fig:{_label(model.name)}:{_label(fig_spec.name)}"})
    return out


def _label(text: str) -> str:
    """A LaTeX label component: letters, digits, ``_ . -`` kept, anything else becomes ``-``."""
    return re.sub(r"[^A-Za-z0-9_.-]", "-", text)


def _derivations(model, kind: str) -> list:
    """The distinct derivation objects of the quantities of one kind (declaration order)."""
    out = []
    for q in model.quantities.values():
        if q.kind == kind and q.derivation is not None and all(d is not q.derivation for d in out):
            out.append(q.derivation)
    return out


def _names_of(model, derivation) -> list:
    return [q for q in model.quantities.values() if q.derivation is derivation]


def _readable(expr):
    """A quotient written with its numerator expanded (``(a - c_1 - b q_2)/(2 b)``, not
    ``-(c_1 - a + b q_2)/(2 b)``)."""
    num, den = sp.fraction(sp.cancel(sp.together(expr)))
    if den == 1 or expr.has(sp.Piecewise):
        return expr
    return sp.Mul(sp.expand(num), sp.Pow(sp.factor(den), -1), evaluate=False)


def _optimum(model, opt) -> dict:
    q = _names_of(model, opt)[0]
    var = tex(opt.var, model)
    interval = (("(-\\infty" if opt.lo is None else "[" + tex(opt.lo, model)) + ", "
                + ("\\infty)" if opt.hi is None else tex(opt.hi, model) + "]"))
    return {"name": escape(q.name), "label": _label(q.name), "latex": q.latex, "description": escape(q.description),
            "var": var, "interval": interval, "verb": "maximises" if opt.maximize else "minimises",
            "objective": tex(opt.objective, model), "foc": tex(opt.foc, model),
            "critical": tex(sp.Eq(opt.var, _readable(opt.critical), evaluate=False), model), "soc": tex(opt.soc, model), "soc_method": escape(opt.soc_method),
            "corners": [{"value": tex(v, model), "region": tex(r, model)} for v, r in opt.corners],
            "interior": tex(opt.interior, model), "formula": tex(opt.expr, model)}


def _cell(formula: str) -> str:
    """A formula for a table cell, or a note when it is too long to print legibly there."""
    from .latex import MAX_FORMULA
    return formula if len(formula) <= MAX_FORMULA // 2 else (
        r"\text{(" + str(len(formula)) + r" characters: see the quantities below)}")


def _solved_form(q, model) -> str:
    formula = tex(q.expr, model)
    if formula == q.latex:  # an implicit quantity prints as its own name
        return r"\text{the root of the fixed point above on its interval, found numerically}"
    return formula


def _system(model, sol) -> dict:
    qs = _names_of(model, sol)
    return {"names": ", ".join(escape(q.name) for q in qs), "label": _label(qs[0].name) if qs else "system",
            "description": escape(qs[0].description) if qs else "",
            "unknowns": ", ".join(tex(u, model) for u in sol.unknowns), "method": escape(sol.method),
            "conditions": [tex(c, model) for c in sol.conditions],
            "steps": [{"text": escape(t), "formula": tex(f, model)}
                      for t, f in dict.fromkeys((t, f) for t, f in sol.steps if f.free_symbols)],
            "branches": [{"solution": _cell(r", ".join(f"{tex(u, model)} = {tex(b.values[u], model)}"
                                                      for u in sol.unknowns)),
                          "region": "\\text{the whole domain}" if b.region is sp.true else _cell(tex(b.region, model)),
                          "check": "verified: symbolic" if b.satisfies() else
                          ("checked numerically" if b.equations else "found numerically (implicit)")}
                         for b in sol.branches],
            "dropped": [{"solution": _cell(r", ".join(f"{tex(u, model)} = {tex(v[u], model)}" for u in sol.unknowns)),
                         "reason": escape(why)} for v, why in sol.dropped],
            "quantities": [{"latex": q.latex, "formula": _solved_form(q, model),
                            "where": tex(q.defined_when, model) if q.defined_when is not None else ""} for q in qs]}


def _interval(model, iv) -> dict:
    return {"name": escape(iv.name), "var": tex(iv.var, model),
            "lower": iv.lower.latex, "upper": iv.upper.latex,
            "lower_formula": tex(iv.lower_expr, model), "upper_formula": tex(iv.upper_expr, model),
            "cutoffs": [{"name": escape(n), "rel": r"\ge" if d == ">=" else r"\le", "root": tex(r, model)}
                        for n, d, r in iv.cutoffs],
            "nonempty": "\\text{everywhere}" if iv.nonempty is sp.true else tex(iv.nonempty, model)}


def _equilibrium_map(model, name, emap) -> dict:
    players = list(emap.game.players)
    rows = []
    for e in emap.equilibria:
        strategies = []
        for pl in players:
            acts = e.strategy[pl]
            strategies.append(r",\ ".join(f"\\text{{{escape(a)}}}: {tex(p, model)}" for a, p in acts.items() if p != 0)
                              if not len(e.support[pl]) == 1 else r"\text{" + escape(e.support[pl][0]) + "}")
        rows.append({"profile": escape(e.describe()), "strategies": [_cell(x) for x in strategies],
                     "payoffs": [_cell(tex(e.payoff[pl], model)) for pl in players],
                     "region": r"\text{everywhere}" if e.region is sp.true else _cell(tex(e.region, model))})
    return {"name": escape(name), "label": _label(name), "players": [escape(p) for p in players], "rows": rows,
            "dropped": [{"supports": escape(" x ".join("{" + ", ".join(s) + "}" for s in sup)), "reason": escape(r)}
                        for sup, r in emap.dropped],
            "covers": emap.covers}


def _over_positive(v) -> sp.Basic:
    """``-R/(d - 1)`` as ``R/(1 - d)``: a fraction shown without a leading minus in its
    numerator (display only)."""
    num, den = sp.fraction(sp.factor(sp.cancel(sp.together(v))))
    if den == 1:
        return v
    if num.could_extract_minus_sign():
        num, den = -num, -den
    return sp.Mul(num, sp.Pow(den, -1, evaluate=False), evaluate=False)


def _tree_map(model, name, tmap) -> dict:
    """A game tree's equilibrium map: one row per region, and the derived proposition."""
    game = tmap.game
    choices = getattr(tmap.branches[0], "choices", None) is not None if tmap.branches else False

    def move(b, n, a):  # a continuous choice in closed form, an action as its name
        if choices and n in b.choices:
            return f"${tex(sp.Eq(game.nodes[n].variable, b.choices[n], evaluate=False), model)}$"
        return escape(a)

    def path(b):
        moves = {a: move(b, n, a) for n, a in b.profile.items() if choices and n in b.choices}
        return ", ".join(moves.get(a, escape(a)) for a in b.path) or "-"

    rows = [{"region": r"\text{everywhere}" if b.region is sp.true else _cell(tex(model.with_cutoffs(b.region), model)),
             "path": path(b),
             "profile": ", ".join(f"{escape(n)}: {move(b, n, a)}" for n, a in b.profile.items()),
             "payoffs": [_cell(tex(u, model)) for u in b.payoffs],
             "status": b.status, "note": escape(getattr(b, "note", ""))} for b in tmap.branches]
    notes = {r["note"] for r in rows}
    common = notes.pop() if len(notes) == 1 and len(rows) > 1 else ""
    if common:  # said once, below the table
        for r in rows:
            r["note"] = ""
        common = common[0].upper() + common[1:]
    return {"name": escape(name), "label": _label(name), "players": [escape(p) for p in game.players], "rows": rows,
            "disjoint": tmap.disjoint, "covers": tmap.covers, "common_note": common}


def _signaling_map(model, name, smap) -> dict:
    """A signaling game's PBE map: one row per equilibrium (kind, sender strategy, receiver
    response, beliefs, region, intuitive criterion, payoffs), the dropped candidates' count and
    what the map does not enumerate."""
    game = smap.game

    def word(x) -> str:
        return rf"\text{{{escape(x)}}}"

    def mixed(choice) -> str:
        if not isinstance(choice, dict):
            return word(choice)
        return " + ".join(rf"{_wrap_sum(tex(_fraction(pr), model))}\,{word(a)}" for a, pr in choice.items())

    def region(cond) -> str:
        return r"\text{everywhere}" if cond is sp.true else r"\text{nowhere}" if cond is sp.false else \
            _cell(tex(cond, model))

    rows = []
    for b in smap.branches:
        beliefs = []
        for msg, mu in b.beliefs.items():
            if msg in b.belief_sets:
                cond = b.belief_sets[msg]
                beliefs.append(f"off path at {escape(msg)}: " + ("any belief" if cond is sp.true else
                                                                  f"${_cell(tex(cond, model))}$"))
            else:
                first = game.types[0]
                beliefs.append(rf"$\mu({word(first)}\mid{word(msg)}) = {tex(_fraction(mu[first]), model)}$")
        ic, detail = b.intuitive, ""
        if ic is None:
            verdict = "--"
        elif ic["verdict"] == "depends":  # the regions go on the full-width line below the row
            verdict = "depends (below)"
            detail = rf"survives where ${region(ic['survives'])}$; fails where ${region(ic['fails'])}$"
        else:
            verdict = escape(ic["verdict"])
        rows.append({"kind": escape(b.kind),
                     "sender": r" \newline ".join(f"${word(t)}: {mixed(m)}$" for t, m in b.sender.items()),
                     "receiver": r" \newline ".join(f"${word(m)}: {mixed(r)}$" for m, r in b.receiver.items()),
                     "beliefs": r" \newline ".join(beliefs), "region": region(b.region), "status": b.status,
                     "intuitive": verdict, "intuitive_detail": detail,
                     "payoffs": ", ".join(f"${word(k)} = {_cell(tex(u, model))}$" for k, u in b.payoffs.items())})
    return {"name": escape(name), "label": _label(name), "sender": escape(game.sender),
            "receiver": escape(game.receiver), "types": ", ".join(escape(t) for t in game.types),
            "priors": ", ".join(f"${word(t)}: {tex(p, model)}$" for t, p in game.priors.items()),
            "messages": ", ".join(escape(x) for x in game.messages),
            "responses": ", ".join(escape(x) for x in game.responses), "rows": rows,
            "dropped": len(smap.dropped), "covers": smap.covers,
            "not_enumerated": [escape(x) for x in smap.not_enumerated]}


def _fraction(v) -> sp.Basic:
    """A probability ``N/D`` shown with the signs of numerator and denominator chosen to have fewer
    minus signs (``l p / (g (1 - p))`` rather than ``-l p / (g (p - 1))``; display only)."""
    def minus(e):
        return sum(1 for t in sp.Add.make_args(sp.expand(e)) if t.could_extract_minus_sign())

    num, den = sp.fraction(sp.cancel(sp.together(v)))
    if den == 1 or not den.free_symbols:
        return v
    if (minus(-den), minus(-num)) < (minus(den), minus(num)):
        num, den = -num, -den
    return sp.Mul(sp.factor_terms(sp.expand(num)), sp.Pow(sp.factor_terms(sp.expand(den)), -1, evaluate=False),
                  evaluate=False)


def _wrap_sum(formula: str) -> str:
    """A probability printed before an action: parenthesised when it is a sum."""
    return rf"\left({formula}\right)" if ("+" in formula or "-" in formula.lstrip("-")) else formula


def _stochastic(model, name, game) -> dict:
    """A declared stochastic game: states and transitions, named profiles (values, deviation
    conditions, MPE region) and every stationary equilibrium at the recorded instances."""
    from .games.stochastic import simplest

    players = list(game.players)

    def prob(p):
        return tex(p, model) if p.is_Atom else rf"\left({tex(p, model)}\right)"

    def to(trans):
        return ", ".join(f"\\text{{{escape(s2)}}}" if p == 1 else f"{prob(p)}\\,\\text{{{escape(s2)}}}"
                         for s2, p in trans.items() if p != 0)

    rows = [{"state": escape(st), "profile": escape(", ".join(a)),
             "payoffs": [tex(u, model) for u in game.payoffs[(st, a)]], "to": to(game.transitions[(st, a)])}
            for st in game.states for a in game.profiles(st)]
    profiles = []
    for prof in (p for key, p in model.stationary_profiles.items() if key.split(":")[0] == name):
        play = [{"state": escape(st), "actions": escape(", ".join(a if isinstance(a, str) else str(a)
                                                               for a in prof.play(st)))} for st in game.states]
        values = [{"state": escape(st), "player": escape(pl),
                   "formula": tex(prof.quantities[(st, pl)].symbol if (st, pl) in prof.quantities else v, model),
                   "value": tex(_over_positive(v), model)} for (st, pl), v in prof.values.items()]
        devs = [{"text": escape(f"{d.player} plays {d.action} once in {d.state}"),
                 "formula": tex(sp.GreaterThan(_over_positive(d.value), _over_positive(d.deviation), evaluate=False),
                                model)} for d in prof.deviations]
        region = prof.region
        profiles.append({"name": escape(prof.name), "description": escape(prof.description), "play": play,
                         "vals": values, "deviations": devs,
                         "region": r"\text{everywhere on the domain}" if region is sp.true
                         else r"\text{nowhere}" if region is sp.false else tex(region, model)})
    instances = []
    for gname, point in model.instances:
        if gname != name:
            continue
        eqs = game.subs({k: sp.Rational(str(v)) for k, v in point.items()}).equilibria()
        listed = []
        for e in eqs.equilibria:
            cells = []
            for st in game.states:
                mixes = []
                for pl in players:
                    mix = e.strategy[(st, pl)]
                    mixes.append(escape(next(iter(mix))) if len(mix) == 1 else
                                 ", ".join(f"{tex(simplest(pr), model)}\\,\\text{{{escape(a)}}}" for a, pr in mix.items()))
                cells.append(f"\\text{{{escape(st)}}}: (" + ";\\ ".join(mixes) + ")")
            listed.append({"label": escape(e.label or ""), "play": ",\\quad ".join(cells)})
        instances.append({"point": ", ".join(f"{tex(model.domain[k].symbol, model)} = {tex(sp.Rational(str(v)), model)}"
                                             for k, v in point.items()),
                          "equilibria": listed, "continua": len(eqs.continua)})
    return {"name": escape(name), "label": _label(name), "players": [escape(p) for p in players],
            "states": [escape(st) for st in game.states], "start": escape(game.start),
            "discount": tex(game.discount, model), "automaton": escape(getattr(game, "automaton", "")),
            "rows": rows, "profiles": profiles, "instances": instances}


def context(model, verdicts, checks, settings: dict, figures=(), steps=None) -> dict:
    """Everything the template needs, as plain strings (LaTeX-ready)."""
    game = model.game
    params = [{"latex": p.latex, "domain": p.domain.latex(), "name": escape(p.name),
               "description": escape(p.description)} for p in model.domain.parameters.values()]
    constraints = [{"formula": tex(rel, model), "reason": escape(reason)} for rel, reason in model.domain.constraints]
    definitions = [{"latex": q.latex, "formula": tex(q.display, model), "description": escape(q.description)}
                   for q in model.quantities.values() if q.kind == "definition"]
    payoffs = None
    if game is not None:
        payoffs = {"players": [escape(p) for p in game.players],
                   "rows": [{"name": escape(o), "description": escape(game.descriptions[o]),
                             "payoffs": [tex(game.forms[o][p], model) for p in game.players]}
                            for o in game.outcomes]}
    cutoffs = []
    for q in model.quantities.values():
        if q.cutoff is None:
            continue
        cut, pref = q.cutoff, q.cutoff.preference
        checked = (steps or {}).get(q.name, [None] * len(cut.steps))
        form = q.display if q.display is not None else cut.expr
        cutoffs.append({
            "name": escape(q.name), "label": _label(q.name), "latex": q.latex,
            "description": escape(q.description), "player": escape(pref.player),
            "preference": escape(pref.label),
            "better": _lottery(game, pref.better, model), "worse": _lottery(game, pref.worse, model),
            "steps": [{"text": _step_text(cut, k, model), "formula": tex(f, model),
                       "check": _step_check(v, i)}
                      for i, ((k, f), v) in enumerate(zip(cut.steps, checked))],
            "var": tex(cut.var, model), "rel": r"\ge" if cut.direction == ">=" else r"\le",
            "formula": tex(form, model), "derived": tex(cut.expr, model),
            "slope": tex(cut.slope, model), "direction_method": escape(cut.direction_method),
            "monotone": cut.monotone, "region": tex(cut.defined_when, model) if cut.defined_when is not None else "",
            "implicit": tex(sp.collect(sp.expand(model.expand(pref.difference)), cut.var), model)
            if isinstance(cut.expr, ImplicitFunction) else "",
            "interval": model.space.by_symbol(cut.var).domain.latex()})
    derived = [{"latex": q.latex, "name": escape(q.name), "formula": tex(q.display if q.display is not None else q.expr, model),
                "description": escape(q.description)}
               for q in model.quantities.values() if q.kind == "derived"]
    claims = [_claim(c, v, model) for c, v in zip(model.claims, verdicts)]
    unknowns = [{"latex": u.latex, "domain": _unknown_domain(u, model), "name": escape(u.name),
                 "description": escape(u.description)} for u in model.unknowns.values()]
    solving = {"optima": [_optimum(model, o) for o in _derivations(model, "optimum")],
               "systems": [_system(model, s_) for s_ in _derivations(model, "solution")],
               "intervals": [_interval(model, i) for i in _derivations(model, "interval")],
               "maps": [_equilibrium_map(model, n, e) for n, e in model.equilibrium_maps.items()],
               "stochastic": [_stochastic(model, n, g) for n, g in model.stochastic_games.items()
                              if n in model.declared_games],
               "trees": [_tree_map(model, n, model.tree_maps.get(n) or model.equilibria(t)) for n, t in model.trees.items()],
               "signaling": [_signaling_map(model, n, x) for n, x in getattr(model, "signaling_maps", {}).items()]}
    checks = [{"name": escape(c.quantity), "latex": model.quantities[c.quantity].latex,
               "method": escape(c.method), "samples": c.samples, "max_error": _sci(c.max_error),
               "tol": _sci(c.tol), "passed": c.passed, "rechecked": c.rechecked} for c in checks]
    return {"model": {"name": escape(model.name), "label": _label(model.name), "title": escape(model.title),
                      "description": escape(model.description), "source": escape(model.source),
                      "spec": escape(model.spec)},
            "parameters": params, "unknowns": unknowns, "solving": solving, "constraints": constraints, "definitions": definitions,
            "choices": [escape(c) for c in model.choices], "payoffs": payoffs, "cutoffs": cutoffs,
            "derived": derived, "claims": claims, "checks": checks,
            "unchecked": [{"statement": escape(s), "reason": escape(r)} for s, r in model.unchecked],
            "sections": [{"title": escape(t), "body": b() if callable(b) else b} for t, b in model.sections],
            "figures": list(figures),
            "settings": {k: escape(v) for k, v in sorted(settings.items())}}


def render_body(model, verdicts, checks, settings: dict, figures=(), steps=None) -> str:
    """The body fragment (no preamble) of a model's appendix; ``steps`` from
    :meth:`Model.verify_steps` marks each derivation step verified or not."""
    ctx = context(model, verdicts, checks, settings, figures, steps)
    return environment().get_template("body.tex.j2").render(**ctx)


def render(model, verdicts, checks, settings: dict, figures=(), steps=None) -> str:
    """The standalone appendix of one model (``figures`` as returned by :func:`write_figures`)."""
    body = render_body(model, verdicts, checks, settings, figures, steps)
    return render_standalone(model, body)


def render_standalone(model, body: str) -> str:
    """Wrap a rendered body in the standalone document."""
    return environment().get_template("appendix.tex.j2").render(
        model={"name": escape(model.name), "title": escape(model.title)}, body=body)


def render_combined(parts) -> str:
    """One document with every model: ``parts`` is a list of ``(name, title, body)``."""
    models = [{"title": escape(title), "label": _label(name), "body": body} for name, title, body in parts]
    return environment().get_template("combined.tex.j2").render(models=models)


def _umask() -> int:
    """The process's umask, read without changing it where ``/proc`` says it."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _publish(tmp: str, path: Path) -> None:
    """Give a finished temporary file the mode a plain ``open`` would (``0o666`` less the umask;
    ``mkstemp`` makes it ``0o600``), then rename it over ``path``."""
    os.chmod(tmp, 0o666 & ~_umask())
    os.replace(tmp, path)


def write(path: Path, text: str | bytes) -> Path:
    """Write ``text`` (or bytes) to ``path`` atomically (temporary file in the same folder, then
    rename), with the mode the user's umask gives new files."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with (os.fdopen(fd, "wb") if isinstance(text, bytes)
              else os.fdopen(fd, "w", encoding="utf-8", newline="\n")) as fh:
            fh.write(text)
        _publish(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def latex_engine() -> str | None:
    """``latexmk`` or ``pdflatex`` if on the PATH, else None."""
    for exe in ("latexmk", "pdflatex"):
        if shutil.which(exe):
            return exe
    return None


def compile_pdf(tex_path: Path, timeout: float = 300) -> tuple[bool, str]:
    """Compile ``tex_path`` to a PDF beside it. Returns ``(ok, message)``.

    The engine works in a temporary folder; only a successful PDF replaces the previous one (a
    failed build leaves it intact). Fails on a LaTeX error, or a warning about undefined
    references or citations; the log of a failure is kept as ``<name>.log``.
    """
    tex_path = Path(tex_path).resolve()
    engine = latex_engine()
    if engine is None:
        return False, INSTALL_HINT
    env = dict(os.environ, SOURCE_DATE_EPOCH="0", FORCE_SOURCE_DATE="1")
    with tempfile.TemporaryDirectory(prefix="latex-", dir=tex_path.parent) as build:
        if engine == "latexmk":
            cmds = [["latexmk", "-pdf", "-interaction=nonstopmode", "-halt-on-error", f"-outdir={build}",
                     tex_path.name]]
        else:
            cmd = ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", f"-output-directory={build}",
                   tex_path.name]
            cmds = [cmd, cmd, cmd]
        log = Path(build) / tex_path.with_suffix(".log").name
        for cmd in cmds:
            try:
                proc = subprocess.run(cmd, cwd=tex_path.parent, capture_output=True, text=True,
                                      timeout=timeout, env=env)
            except subprocess.TimeoutExpired:
                return False, f"{engine} timed out after {timeout:g} s on {tex_path.name}"
            if proc.returncode != 0:
                _keep(log, tex_path)
                return False, f"{engine} failed on {tex_path.name}: {_first_error(log)}"
        text = log.read_text(errors="replace")
        bad = re.findall(r"(LaTeX Warning: (?:Reference|Citation) .*? undefined|There were undefined references)", text)
        if bad:
            _keep(log, tex_path)
            return False, f"{tex_path.name}: {bad[0]}"
        target = tex_path.with_suffix(".pdf")
        os.replace(Path(build) / target.name, target)
    stale = tex_path.with_suffix(".log")
    if stale.exists():
        stale.unlink()
    return True, str(target)


def _keep(log: Path, tex_path: Path) -> None:
    if log.exists():
        shutil.copyfile(log, tex_path.with_suffix(".log"))


def _first_error(log: Path) -> str:
    if not log.exists():
        return "no log written"
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("!"):
            return line[1:].strip()
    return "see " + log.name

