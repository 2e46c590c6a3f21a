"""The run summary as text (``siteplan run`` prints it); units and decimals from the outputs
registry (:mod:`siteplan.outputs`)."""

from __future__ import annotations

from pathlib import Path

from siteplan.outputs import CHIP_PREFIXES, fmt, zone_share_keys


def format_summary(s: dict, outdir: Path) -> str:
    """A few lines: status, cost, demand, energy, sites, clean power, flexible work."""
    cur = s.get("currency", "")
    gap = s.get("mip_gap")
    gap_text = f", gap {gap:.2e}" if gap is not None else ""
    head = (f"{s['scenario']}: {s['status']}{gap_text} (HiGHS {s['highs_status']}), "
            f"build {s['times']['build_s']:.1f} s, solve {s['times']['solve_s']:.1f} s")
    if s.get("years"):
        return _format_pathway(s, outdir, cur, head)
    zones = ", ".join(f"{fmt(k, s[k])} from {k.removesuffix('_share')}"
                      for k in zone_share_keys(s))
    lines = [
        head,
        f"  annual cost        {fmt('objective', s['objective'], cur)}",
        f"  demand             {fmt('demand_tokens_per_day', s['demand_tokens_per_day'])} "
        f"(unserved {fmt('unserved_tokens_per_day', s['unserved_tokens_per_day'], unit=False)})",
        f"  avg cost           {fmt('avg_cost_per_mtok', s['avg_cost_per_mtok'], cur)}",
        *([f"  compute (training) {fmt('compute_demand_mw_it', s['compute_demand_mw_it'])} "
           f"of reference hardware busy, not tokens (unserved "
           f"{fmt('compute_unserved_mw_it', s['compute_unserved_mw_it'], unit=False)}), "
           f"{fmt('avg_cost_per_mw_year_compute', s['avg_cost_per_mw_year_compute'], cur)}"]
          if "compute_demand_mw_it" in s else []),
        f"  energy             {fmt('energy_twh', s['energy_twh'])}, green share "
        f"{fmt('green_share', s['green_share'])}, {fmt('tco2', s['tco2'])}, "
        f"{fmt('tokens_per_kwh', s['tokens_per_kwh'])}",
        f"  sites open         {fmt('sites_open', s['sites_open'])} "
        f"({fmt('mw_it_total', s['mw_it_total'])})" + (f", served {zones}" if zones else ""),
        f"  clean power        hourly score {fmt('clean_score_hourly', s['clean_score_hourly'])}"
        f" (worst site-slice {fmt('clean_score_min_slice', s['clean_score_min_slice'])}), "
        f"curtailed energy absorbed "
        f"{fmt('curtailment_absorbed_mwh', s['curtailment_absorbed_mwh'])}, storage "
        f"{fmt('storage_mwh', s['storage_mwh'])}",
        f"  flexible work      {fmt('shifted_in_time_share', s['shifted_in_time_share'])} "
        f"shifted in time, {fmt('moved_between_sites_share', s['moved_between_sites_share'])} "
        "moved between sites",
        f"  results in         {outdir}/",
    ]
    _chip_and_margin_lines(s, cur, lines)
    if "utilisation_realised" in s:
        planned = fmt("utilisation_planned", s["utilisation_planned"])
        realised = fmt("utilisation_realised", s["utilisation_realised"])
        lines.insert(-1, f"  utilisation        planned {planned}, realised {realised} "
                         "(busy MWh / MW-IT x 8760 h)")
    if s.get("headline_case"):
        lines.insert(-1, f"  headline           {s['headline_case']['text']}")
    if s.get("n1_min_cover") is not None:
        need = s.get("n1_share")
        lines.insert(-1, f"  resilience         losing {s['n1_worst_loss']} leaves "
                         f"{fmt('n1_min_cover', s['n1_min_cover'])} of {s['n1_protected']} "
                         "peak covered" + (f" (rule: at least {fmt('n1_share', need)})"
                                           if need is not None else " (no N-1 rule)"))
    _verify_line(s, lines)
    agg = s.get("time_aggregation")
    if agg:
        worst = max(agg["profile_rmse"].items(), key=lambda kv: kv[1], default=("-", 0.0))
        lines.insert(-1, f"  time               {agg['representative_days']} representative days "
                         f"of {agg['days']} ({agg['method']}), largest profile RMSE "
                         f"{worst[1]:.3g} ({worst[0]})")
    return "\n".join(lines)


def _format_pathway(s: dict, outdir: Path, cur: str, head: str) -> str:
    years = s["years"]
    zones = [k.removeprefix("mw_built_") for k in years[0] if k.startswith("mw_built_")]
    zl = "/".join(z[:1].upper() for z in zones)
    lines = [
        head,
        f"  net present cost   {fmt('net_present_cost', s['net_present_cost'], cur)} "
        f"(at {years[0]['year']}, discount rate {s['discount_rate']:.1%})",
        f"  year  cost bn/yr  cost/Mtok  T tokens/day  GW built {zl:<6} GW standing {zl:<6} green",
    ]
    for y in years:
        built = "/".join(fmt(f"mw_built_{z}", y[f"mw_built_{z}"], unit=False) for z in zones)
        standing = "/".join(fmt(f"mw_standing_{z}", y[f"mw_standing_{z}"], unit=False)
                            for z in zones)
        lines.append(
            f"  {y['year']}  {fmt('objective', y['objective'], unit=False):>10}  "
            f"{fmt('avg_cost_per_mtok', y['avg_cost_per_mtok'], unit=False):>9}  "
            f"{y['served_tokens_per_day'] / 1e12:12,.1f}  {built:<15} {standing:<18} "
            f"{fmt('green_share', y['green_share']):>6}")
    if s.get("headline_case"):
        lines.append(f"  headline           {s['headline_case']['text']}")
    lines.append(f"  results in         {outdir}/ (builds.csv: what is built and retired when)")
    _verify_line(s, lines)
    return "\n".join(lines)


def _chip_and_margin_lines(s: dict, cur: str, lines: list[str]) -> None:
    """Accelerators per chip (with cap and shadow price) and, under objective margin, revenue
    and margin, inserted before the results line."""
    chips = [k.removeprefix("units_") for k in s if k.startswith(CHIP_PREFIXES[0])]
    parts = []
    for h in chips:
        text = f"{h} {s[f'units_{h}']:,.0f}"
        if f"max_units_{h}" in s:
            saves = fmt(f"chip_shadow_price_{h}", s[f"chip_shadow_price_{h}"], cur)
            text += f" of {s[f'max_units_{h}']:,.0f} (+1 saves {saves})"
        if s[f"units_{h}"] > 0 or f"max_units_{h}" in s:
            parts.append(text)
    if parts:
        lines.insert(-1, "  accelerators       " + "; ".join(parts))
    if "margin" in s:
        lines.insert(-1, f"  margin             {fmt('margin', s['margin'], cur)} (revenue "
                         f"{fmt('revenue', s['revenue'], cur)}, "
                         f"{fmt('margin_per_mtok', s['margin_per_mtok'], cur)}); annual cost "
                         f"above includes {fmt('revenue_foregone', s['revenue_foregone'], cur)} "
                         "of revenue foregone")


def _verify_line(s: dict, lines: list[str]) -> None:
    """Put the unscaled-model check's failure line (if any) second (siteplan.verify)."""
    from siteplan.verify import cli_line

    failed = cli_line(s)
    if failed:
        lines.insert(1, failed)
