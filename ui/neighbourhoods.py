"""The Neighbourhoods page's sections: where absent pupils live (a map of small areas), towns and
wards ranked, and persistent absence by deprivation."""

from __future__ import annotations

import plotly.graph_objects as go
import pydeck as pdk
import streamlit as st

import queries
import ui
from ui import maps
from ui.cohorts import gap_words, readable


def home_areas_map(la_code, ctx, lsoa, schools, known, la_pa, la_abs, p, n_min) -> None:
    """A map of the LA's small areas (LSOAs) coloured by persistent absence, absence or deprivation, with the schools; the same figures as a table."""
    COLOUR_BY = {
        "persistent_absence_rate": "Persistent absence (PA)",
        "overall_absence_rate": "Overall absence",
        "imd_decile": "Deprivation (IMD 2025 decile)",
    }
    st.header("Map of home areas")
    c1, c2 = st.columns([3, 1])
    colour_by = c1.radio(
        "Colour areas by",
        list(COLOUR_BY),
        format_func=COLOUR_BY.get,
        horizontal=True,
        key="nb_colour",
        bind="query-params",
        persist_state="session",
    )
    show_schools = c2.toggle("Show schools", value=True, key="nb_schools")

    boundary_name = f"lsoa21_{la_code}"
    if not maps.has_boundaries(boundary_name):
        st.info(
            f"No LSOA boundaries are shipped for {ctx.la_name} ({la_code}) in data/reference/boundaries, "
            "so the map cannot be drawn; the tables below still hold every area."
        )
    else:
        in_la = lsoa[lsoa["in_la"]].set_index("lsoa21_code")
        if colour_by == "imd_decile":
            # deciles in pairs, 1-2 (most deprived, darkest) to 9-10
            breaks = [3, 5, 7, 9]
            classes = ["1–2 (most deprived)", "3–4", "5–6", "7–8", "9–10 (least deprived)"]
            colours = maps.VIRIDIS_5[::-1]
            unit_label = "IMD decile of the area (1 = most deprived 10% in England)"
        else:
            breaks = maps.quantile_breaks(in_la[colour_by])
            classes = maps.class_labels(breaks)
            colours = maps.palette_for(len(classes))
            unit_label = (
                f"{COLOUR_BY[colour_by]} of the pupils who live in the area, "
                f"{'% of pupils' if colour_by == 'persistent_absence_rate' else '% of sessions'}"
            )

        def _fill(code: str) -> tuple[list[int], str]:
            if code not in in_la.index:
                return maps.hex_rgb(maps.NO_DATA, 200), "no pupils"
            row = in_la.loc[code]
            if colour_by != "imd_decile" and row["suppressed"]:
                return maps.hex_rgb(maps.SUPPRESSED, 200), row["size_note"]
            k = maps.classify(row[colour_by], breaks)
            if k is None:
                return maps.hex_rgb(maps.NO_DATA, 200), "not known"
            return maps.hex_rgb(colours[k], 215), classes[k]

        feats = []
        for f in maps.geojson(boundary_name)["features"]:
            code = f["properties"]["LSOA21CD"]
            fill, klass = _fill(code)
            row = in_la.loc[code] if code in in_la.index else None
            if row is not None and not row["suppressed"]:
                figures = (
                    f"{row['size_note']} pupils at {int(row['schools_attended'])} schools<br>"
                    f"PA {ui.pct(row['persistent_absence_rate'])} ({row['gap_to_la']:+.1f} pts on the LA)<br>"
                    f"overall absence {ui.pct(row['overall_absence_rate'])}"
                )
            else:
                figures = f"pupils: {row['size_note'] if row is not None else 'none'} (figures not shown)"
            imd = (
                ""
                if row is None or ui._nan(row["imd_decile"])
                else f"<br>IMD decile {int(row['imd_decile'])}"
            )
            ward = "" if row is None or row["ward_name"] is None else f" · {row['ward_name']}"
            tip = f"<b>{f['properties'].get('LSOA21NM', code)}</b>{ward}<br>{code}{imd}<br>{figures}"
            feats.append(
                {"type": "Feature", "geometry": f["geometry"], "properties": {"fill": fill, "tip": tip}}
            )
        layers = [
            pdk.Layer(
                "GeoJsonLayer",
                {"type": "FeatureCollection", "features": feats},
                id="lsoa",
                stroked=True,
                filled=True,
                get_fill_color="properties.fill",
                get_line_color=[255, 255, 255, 180],
                line_width_min_pixels=0.5,
                pickable=True,
            )
        ]
        ward_name = f"ward25_{la_code}"
        if maps.has_boundaries(ward_name):
            layers.append(
                pdk.Layer(
                    "GeoJsonLayer",
                    maps.geojson(ward_name),
                    id="wards",
                    stroked=True,
                    filled=False,
                    get_line_color=[60, 60, 60, 220],
                    line_width_min_pixels=1.2,
                    pickable=False,
                )
            )
        outline = maps.la_outline(la_code)
        if outline:
            # a white halo under a black line: readable over dark and light areas
            layers.append(
                pdk.Layer(
                    "GeoJsonLayer",
                    outline,
                    id="la_halo",
                    stroked=True,
                    filled=False,
                    get_line_color=[255, 255, 255, 255],
                    line_width_min_pixels=6,
                )
            )
            layers.append(
                pdk.Layer(
                    "GeoJsonLayer",
                    outline,
                    id="la_outline",
                    stroked=True,
                    filled=False,
                    get_line_color=[0, 0, 0, 255],
                    line_width_min_pixels=3,
                )
            )
        pts = schools.dropna(subset=["latitude", "longitude"]).copy()
        if show_schools and not pts.empty:
            s_col = "persistent_absence_rate" if colour_by == "imd_decile" else colour_by
            s_breaks = (
                maps.quantile_breaks(in_la["persistent_absence_rate"])
                if colour_by == "imd_decile"
                else breaks
            )
            s_colours = maps.palette_for(len(s_breaks) + 1) if colour_by == "imd_decile" else colours
            pts["fill"] = [
                maps.hex_rgb(s_colours[k], 255)
                if (k := maps.classify(v, s_breaks)) is not None
                else maps.hex_rgb(maps.SUPPRESSED)
                for v in pts[s_col]
            ]
            # area proportional to roll: radius in metres = 12 * sqrt(roll) (deck.gl's default unit)
            pts["radius"] = 12 * pts["roll"].fillna(100).clip(lower=30) ** 0.5
            pts["tip"] = [
                f"<b>{r.school_name}</b> ({r.phase})<br>roll {ui.number(r.roll)}<br>"
                + (
                    f"PA {ui.pct(r.persistent_absence_rate)} · overall absence {ui.pct(r.overall_absence_rate)}"
                    if not r.suppressed
                    else f"{r.size_note} pupils: figures not shown"
                )
                for r in pts.itertuples()
            ]
            layers.append(
                pdk.Layer(
                    "ScatterplotLayer",
                    pts[["longitude", "latitude", "fill", "radius", "tip"]],
                    id="schools",
                    get_position=["longitude", "latitude"],
                    get_fill_color="fill",
                    get_radius="radius",
                    stroked=True,
                    get_line_color=[0, 0, 0, 255],
                    line_width_min_pixels=2,
                    radius_min_pixels=4,
                    pickable=True,
                )
            )
        view = maps.fit_view(maps.bounds(outline) if outline else maps.bounds(maps.geojson(boundary_name)))
        deck = maps.deck(
            layers,
            view,
            tooltip={
                "html": "{tip}",
                "style": {
                    "backgroundColor": "white",
                    "color": "black",
                    "fontSize": "13px",
                    "border": "1px solid #444",
                },
            },
        )
        table = readable(
            lsoa,
            {
                "lsoa21_code": "LSOA code",
                "lsoa21_name": "LSOA",
                "ward_name": "ward",
                "imd_decile": "IMD decile",
                "in_la": "in the LA",
                "size_note": "pupils (enrolments)",
                "schools_attended": "schools attended",
                "pa_enrolments": "PA pupils",
                "persistent_absence_rate": "PA %",
                "overall_absence_rate": "overall absence %",
                "gap_to_la": "PA gap to the LA (points)",
            },
        )
        if colour_by == "imd_decile":
            reading = (
                f"Each area of {ctx.la_name} shaded by its deprivation decile (darker is more deprived); "
                "schools keep their PA colour, as in the PA view."
            )
        elif known.empty:
            reading = "No home areas are known for these pupils."
        else:
            shown_areas = in_la[~in_la["suppressed"]]
            top = shown_areas.loc[shown_areas[colour_by].idxmax()] if not shown_areas.empty else None
            worst_class = shown_areas[shown_areas[colour_by] >= (breaks[-1] if breaks else 0)]
            reading = (
                f"{COLOUR_BY[colour_by]} of the pupils living in each area (LA: "
                f"{ui.pct(la_pa if colour_by == 'persistent_absence_rate' else la_abs)}). "
            )
            if top is not None:
                reading += (
                    f"It is highest in **{top['lsoa21_name']}** ({top['ward_name']}): "
                    f"{ui.pct(top[colour_by])}, among {top['size_note']} pupils; "
                    f"{len(worst_class)} of {len(shown_areas)} areas are in the darkest band."
                )
        ui.chart_block(
            deck,
            reading,
            table,
            "neighbourhoods_lsoa",
            ctx.synthetic,
            note=f"{p.label}; {ctx.phase_label}; home LSOA",
            key="map",
            kind="pydeck",
        )
        extra = (
            [(maps.SUPPRESSED, f"fewer than {n_min} pupils"), (maps.NO_DATA, "no pupils")]
            if colour_by != "imd_decile"
            else []
        )
        maps.legend(
            unit_label,
            list(zip(colours, classes)),
            extra,
            note=(
                "Thickest line: the LA's boundary; thinner dark lines: wards; thin light lines: LSOAs. "
                + (
                    "Circles: schools, area by roll, coloured by their PA on the "
                    + (
                        "same scale"
                        if colour_by == "persistent_absence_rate"
                        else "PA scale: " + ", ".join(maps.class_labels(s_breaks))
                    )
                    + " (light to dark)."
                    if show_schools and not pts.empty
                    else ""
                )
            ),
        )


def ward_ranking(wards, la_pa, ctx, p) -> None:
    """Towns and wards ranked by persistent absence."""
    st.header("Towns and wards")
    named = wards[~wards["suppressed"] & wards["in_la"]].sort_values("persistent_absence_rate")
    if named.empty:
        st.info("No ward has enough pupils with a known home address to show.")
    else:
        fig = go.Figure()
        fig.add_bar(
            name="PA of pupils living in the ward",
            y=named["ward_name"],
            x=named["persistent_absence_rate"],
            orientation="h",
            marker_color=ui.SERIES[0],
            customdata=named[["size_note", "gap_to_la"]],
            hovertemplate="%{y}: %{x:.1f}% of %{customdata[0]} pupils (%{customdata[1]:+.1f} pts)<extra></extra>",
        )
        fig.add_vline(
            x=la_pa,
            line_dash="dash",
            line_color=ui.OKABE_ITO["black"],
            annotation_text=f"LA {la_pa:.1f}%",
            annotation_position="top",
        )
        ui.style_figure(fig, height=max(360, 24 * len(named) + 80))
        fig.update_xaxes(title="persistent absence, % of pupils")
        top = named.iloc[-1]
        low = named.iloc[0]
        reading = (
            f"PA among pupils living in **{top['ward_name']}** is **{ui.pct(top['persistent_absence_rate'], 0)}**, "
            f"{gap_words(top['gap_to_la'])} the LA's {ui.pct(la_pa, 0)} "
            f"({ui.one_in(top['persistent_absence_rate'])}); lowest in {low['ward_name']} at "
            f"{ui.pct(low['persistent_absence_rate'], 0)}."
        )
        outside = wards[~wards["in_la"]]
        if not outside.empty:
            reading += " Pupils living outside the LA or with no known address are in the table only."
        table = readable(
            wards,
            {
                "ward_name": "ward",
                "lsoas": "LSOAs with pupils",
                "size_note": "pupils (enrolments)",
                "mean_imd_decile": "average IMD decile",
                "pa_enrolments": "PA pupils",
                "persistent_absence_rate": "PA %",
                "gap_to_la": "PA gap to the LA (points)",
                "overall_absence_rate": "overall absence %",
                "overall_absence_gap_to_la": "overall absence gap to the LA (points)",
            },
        )
        ui.chart_block(
            fig,
            reading,
            table,
            "neighbourhoods_wards",
            ctx.synthetic,
            note=f"{p.label}; {ctx.phase_label}; ward of home LSOA (May 2025 wards, best fit)",
            key="wards",
        )


def deprivation(schools, ctx, args, n_min, p) -> None:
    """Persistent absence by the deprivation decile of home areas, for the LA or one school's intake."""
    st.header("Persistent absence and deprivation")
    names = dict(zip(schools["school_name"], schools["urn"]))
    pick = st.selectbox("School intake", ["None (the LA only)", *sorted(names)], key="nb_school")
    urn = names.get(pick)
    dep = queries.run(
        "neighbourhood_deprivation", ctx.scope, urn=urn, **{k: v for k, v in args.items() if k != "la_code"}
    )
    dep_known = dep[dep["imd_decile"].notna()]
    if dep_known["persistent_absence_rate"].notna().sum() == 0:
        st.info("No pupils with a known home area in this selection.")
    else:
        fig = go.Figure()
        for series, name, colour in [
            ("LA", f"All pupils in {ctx.la_name}", ui.SERIES[0]),
            ("School intake", f"{pick}'s pupils", ui.SERIES[1]),
        ]:
            s = dep_known[dep_known["series"] == series]
            if s.empty:
                continue
            fig.add_scatter(
                x=s["imd_decile"],
                y=s["persistent_absence_rate"],
                name=name,
                mode="lines+markers",
                line=dict(color=colour, width=3, dash="solid" if series == "LA" else "dash"),
                marker=dict(size=10, symbol="circle" if series == "LA" else "diamond"),
                customdata=s["size_note"],
                hovertemplate="decile %{x}: %{y:.1f}% of %{customdata} pupils<extra></extra>",
            )
        ui.style_figure(fig, height=400, y_title="persistent absence, % of pupils")
        fig.update_xaxes(
            title="IMD 2025 decile of home area (1 = most deprived 10% in England)",
            tickmode="array",
            tickvals=list(range(1, 11)),
        )
        la_dep = dep_known[(dep_known["series"] == "LA") & dep_known["persistent_absence_rate"].notna()]
        most, least = la_dep.iloc[0], la_dep.iloc[-1]
        ratio = (
            most["persistent_absence_rate"] / least["persistent_absence_rate"]
            if least["persistent_absence_rate"]
            else None
        )
        reading = (
            f"Pupils from the most deprived homes (decile {int(most['imd_decile'])}) have PA of "
            f"**{ui.pct(most['persistent_absence_rate'])}** against {ui.pct(least['persistent_absence_rate'])} "
            f"in decile {int(least['imd_decile'])}"
            + (f", about {ratio:.1f} times as high." if ratio else ".")
        )
        if urn is not None:
            sch = dep_known[(dep_known["series"] == "School intake")]
            n_shown = sch["persistent_absence_rate"].notna().sum()
            reading += (
                f" {pick}'s intake is drawn from {len(sch)} deciles; {n_shown} have {n_min} or more "
                "pupils and are plotted."
            )
        ui.chart_block(
            fig,
            reading,
            readable(
                dep,
                {
                    "series": "series",
                    "decile_label": "IMD decile",
                    "size_note": "pupils (enrolments)",
                    "pa_enrolments": "PA pupils",
                    "persistent_absence_rate": "PA %",
                    "overall_absence_rate": "overall absence %",
                },
            ),
            "neighbourhoods_deprivation",
            ctx.synthetic,
            note=f"{p.label}; {ctx.phase_label}; IMD 2025 decile of home LSOA",
            key="deprivation",
        )
