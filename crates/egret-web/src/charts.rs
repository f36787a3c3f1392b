//! Server-rendered charts as inline SVG: no JavaScript, no external assets.
//! Output is deterministic (same input, same bytes), fully XML-escaped and
//! printable: colours come from the Okabe–Ito palette and line series also
//! differ by dash pattern. Each series carries `class="series-N"` for CSS.
//! The accessible data table beside a chart is the page's job.

use std::fmt::Write;

macro_rules! w {
    ($out:expr, $($t:tt)*) => {{ let _ = write!($out, $($t)*); }};
}

/// One data series.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    /// One value per category; `None` (or a non-finite value) draws nothing.
    pub values: Vec<Option<f64>>,
}

/// A horizontal reference line, e.g. a target rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Reference {
    pub label: String,
    pub value: f64,
}

/// What to draw; see [`bar_chart`] and [`line_chart`].
#[derive(Debug, Clone, Copy)]
pub struct Chart<'a> {
    /// Goes into `<title>` for screen readers.
    pub title: &'a str,
    /// Goes into `<desc>`.
    pub description: &'a str,
    /// X-axis labels.
    pub categories: &'a [String],
    /// Values missing at the end of a series count as `None`.
    pub series: &'a [Series],
    pub references: &'a [Reference],
    /// Fixed upper bound (e.g. 100 for percentages); else a "nice" bound.
    pub y_max: Option<f64>,
    /// Appended to y tick labels and tooltips, e.g. "%".
    pub unit: &'a str,
}

/// Grouped vertical bars: one group per category, one bar per series.
pub fn bar_chart(c: &Chart) -> String {
    render(Kind::Bar, c)
}

/// One polyline per series with point markers, broken where a value is missing.
pub fn line_chart(c: &Chart) -> String {
    render(Kind::Line, c)
}

/// Distribution bars (e.g. rating grades) with the count on top of each bar.
pub fn histogram(title: &str, description: &str, labels: &[String], counts: &[u64]) -> String {
    let values = (0..labels.len()).map(|i| counts.get(i).map(|&n| n as f64));
    let series = [Series {
        name: String::new(),
        values: values.collect(),
    }];
    let (references, y_max, unit) = (&[][..], None, "");
    let c = Chart {
        title,
        description,
        categories: labels,
        series: &series,
        references,
        y_max,
        unit,
    };
    render(Kind::Hist, &c)
}

/// One area of a schematic tile map.
#[derive(Debug, Clone, PartialEq)]
pub struct Tile {
    pub label: String,
    pub col: u8,
    pub row: u8,
    /// `None` (or non-finite): no data, drawn hatched-grey.
    pub value: Option<f64>,
    /// Where the tile links to (the list behind it).
    pub href: String,
}

/// Sequential blues, light to dark (ColorBrewer-like steps), for 0–max.
const SEQ: [&str; 5] = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"];

/// A schematic map: one square per area at its (column, row), shaded by
/// value on a 0–`max` scale in five steps, labelled with name and value,
/// each a link; a legend of the steps below.
pub fn tile_map(title: &str, description: &str, tiles: &[Tile], max: f64, unit: &str) -> String {
    const S: f64 = 120.0;
    const GAP: f64 = 6.0;
    let cols = tiles.iter().map(|t| t.col).max().map_or(1, |c| c + 1);
    let rows = tiles.iter().map(|t| t.row).max().map_or(1, |r| r + 1);
    let (w, h) = (
        f64::from(cols) * (S + GAP) + GAP,
        f64::from(rows) * (S + GAP) + GAP + 40.0,
    );
    let id = format!("tm{:x}", {
        use std::hash::{Hash, Hasher};
        let mut hs = std::collections::hash_map::DefaultHasher::new();
        title.hash(&mut hs);
        for t in tiles {
            t.label.hash(&mut hs);
            t.value.map(f64::to_bits).hash(&mut hs);
        }
        hs.finish()
    });
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let step = |v: f64| ((v / max * 5.0).floor() as usize).min(4);
    let mut out = String::new();
    w!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" aria-labelledby="{id}-t {id}-d" class="chart tile-map"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        r1(w),
        r1(h),
        esc(title),
        esc(description)
    );
    for t in tiles {
        let (x, y) = (
            GAP + f64::from(t.col) * (S + GAP),
            GAP + f64::from(t.row) * (S + GAP),
        );
        let v = t.value.filter(|v| v.is_finite());
        let fill = v.map_or("#f0f0f0", |v| SEQ[step(v.max(0.0))]);
        let ink = if v.is_some_and(|v| step(v.max(0.0)) >= 3) {
            "#fff"
        } else {
            "#111"
        };
        let shown = v.map_or_else(|| "—".to_string(), |v| with_unit(round(v, 1), unit));
        w!(
            out,
            r##"<a href="{}"><g class="tile"><title>{}: {}</title><rect x="{}" y="{}" width="{S}" height="{S}" fill="{fill}" stroke="#333" stroke-width="1"/><text x="{}" y="{}" text-anchor="middle" font-size="{FONT}" fill="{ink}">{}</text><text x="{}" y="{}" text-anchor="middle" font-size="16" font-weight="bold" fill="{ink}">{}</text></g></a>"##,
            esc(&t.href),
            esc(&t.label),
            esc(&shown),
            r1(x),
            r1(y),
            r1(x + S / 2.0),
            r1(y + S / 2.0 - 8.0),
            esc(&label(&t.label, MAX_LABEL_CHARS, S - 8.0)),
            r1(x + S / 2.0),
            r1(y + S / 2.0 + 14.0),
            esc(&shown)
        );
    }
    let ly = f64::from(rows) * (S + GAP) + GAP + 8.0;
    for (i, c) in SEQ.iter().enumerate() {
        let x = GAP + i as f64 * 56.0;
        w!(
            out,
            r##"<rect x="{}" y="{}" width="16" height="12" fill="{c}" stroke="#333" stroke-width="0.5"/><text x="{}" y="{}" font-size="{FONT}">{}</text>"##,
            r1(x),
            r1(ly),
            r1(x + 20.0),
            r1(ly + 10.0),
            esc(&format!(
                "≥{}",
                with_unit(round(max * i as f64 / 5.0, 1), unit)
            ))
        );
    }
    out.push_str("</svg>");
    out
}

const W: f64 = 640.0;
const H: f64 = 360.0;
const FONT: f64 = 11.0;
/// Okabe–Ito, without yellow (too pale on white paper) and black.
const PALETTE: [&str; 6] = [
    "#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
];
const DASHES: [&str; 6] = ["", "6 3", "2 2", "8 3 2 3", "12 4", "4 2 1 2"];
/// Category labels longer than this are shortened with "…".
const MAX_LABEL_CHARS: usize = 12;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bar,
    Line,
    Hist,
}

/// Axis bounds and ticks for data spanning `min <= 0 <= max`: 4–6 ticks at
/// multiples of 1, 2, 2.5 or 5 × 10^k (no 2.5 for counts). A `fixed` top
/// is kept as is; all zeros give a 0–1 axis.
fn nice_scale(min: f64, max: f64, fixed: Option<f64>, integer: bool) -> (f64, f64, Vec<f64>) {
    let fixed = fixed.filter(|f| f.is_finite() && *f > min);
    let max = fixed.unwrap_or(if max > min { max } else { min + 1.0 });
    let raw = (max - min).min(f64::MAX) / 5.0;
    let exp = raw.log10().floor() as i32;
    let mants: &[(f64, i32)] = &[(1.0, 0), (2.0, 0), (2.5, 1), (5.0, 0)];
    for e in exp..exp + 4 {
        for &(m, extra) in mants.iter().filter(|m| !(integer && m.1 > 0)) {
            let step = m * 10f64.powi(e);
            let lo_k = (min / step + 1e-9).floor() as i64;
            let hi_k = (max / step - 1e-9).ceil() as i64;
            let too_many = fixed.is_none() && hi_k.saturating_sub(lo_k) > 5;
            if step < raw * (1.0 - 1e-9) || (integer && step < 1.0) || too_many {
                continue;
            }
            let (lo, hi) = (lo_k as f64 * step, fixed.unwrap_or(hi_k as f64 * step));
            let ticks = (lo_k..=hi_k).map(|k| round(k as f64 * step, (extra - e).max(0)));
            let ticks = ticks.take(12).take_while(|t| *t <= hi + step * 1e-6);
            return (lo, hi, ticks.collect());
        }
    }
    (min, max, vec![min, max])
}

/// The present, finite values of a series with their category index.
fn points(s: &Series, n: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
    let values = s.values.iter().take(n).enumerate();
    values.filter_map(|(i, v)| v.filter(|v| v.is_finite()).map(|v| (i, v)))
}

fn render(kind: Kind, c: &Chart) -> String {
    let (n, ns) = (c.categories.len(), c.series.len());
    let (mut min, mut max) = (0.0f64, 0.0f64);
    let data = c.series.iter().flat_map(|s| points(s, n).map(|p| p.1));
    let refs = c.references.iter().map(|r| r.value);
    for v in data.chain(refs).filter(|v| v.is_finite()) {
        (min, max) = (min.min(v), max.max(v));
    }
    let (lo, hi, ticks) = nice_scale(min, max, c.y_max, kind == Kind::Hist);
    let texts: Vec<String> = ticks.iter().map(|&t| with_unit(t, c.unit)).collect();

    // Layout: legend rows on top, tick labels left, reference labels right.
    let legend = legend_layout(if ns > 1 { c.series } else { &[] });
    let tick_w = texts.iter().map(|t| text_w(t)).fold(0.0, f64::max);
    let ref_w = c
        .references
        .iter()
        .map(|r| text_w(&r.label).min(110.0) + 6.0);
    let (x0, x1) = (
        r1((tick_w + 14.0).clamp(36.0, 130.0)),
        r1(W - 12.0 - ref_w.fold(0.0, f64::max)),
    );
    let (y0, y1) = (legend.last().map_or(16.0, |l| l.1 + 24.0), H - 36.0);
    let y = |v: f64| r1(y0 + (hi - v.clamp(lo, hi)) / (hi - lo) * (y1 - y0));
    let gw = (x1 - x0) / n.max(1) as f64;
    let cx = |i: usize| r1(x0 + (i as f64 + 0.5) * gw);
    let zy = y(0.0);

    let id = format!("chart-{:016x}", fingerprint(kind, c));
    let class = ["bar", "line", "histogram"][kind as usize];
    let (title, desc) = (esc(c.title), esc(c.description));
    let mut o = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" aria-labelledby="{id}-title {id}-desc" class="chart chart-{class}" font-family="sans-serif" font-size="{FONT}">
<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>
<g class="grid" stroke="#d0d0d0">"##
    );
    let mut labels = String::new();
    for (&t, text) in ticks.iter().zip(&texts) {
        let (ty, ly, tx, text) = (y(t), r1(y(t) + 4.0), r1(x0 - 6.0), esc(text));
        w!(o, r#"<line x1="{x0}" x2="{x1}" y1="{ty}" y2="{ty}"/>"#);
        w!(labels, r#"<text x="{tx}" y="{ly}">{text}</text>"#);
    }
    w!(
        o,
        r##"<line x1="{x0}" x2="{x0}" y1="{y0}" y2="{y1}" stroke="#333"/></g>
<g class="y-labels" fill="#333" text-anchor="end">{labels}</g>"##
    );

    let mut values = String::new();
    for (k, se) in c.series.iter().enumerate() {
        let (colour, k1, mut g, mut pts) = (PALETTE[k % 6], k + 1, String::new(), vec![None; n]);
        for (i, v) in points(se, n) {
            let (px, py) = (cx(i), y(v));
            let tip = tooltip(se, &c.categories[i], v, c.unit);
            if kind == Kind::Line {
                pts[i] = Some(format!("{px},{py}"));
                w!(g, r#"<circle cx="{px}" cy="{py}" r="3.5">{tip}</circle>"#);
                continue;
            }
            let bw = if kind == Kind::Hist { 0.9 } else { 0.8 } / ns as f64;
            let bx = r1(x0 + gw * (i as f64 + (1.0 - bw * ns as f64) / 2.0 + k as f64 * bw));
            let (bw, top, bh, count) = (r1(bw * gw), py.min(zy), r1((py - zy).abs()), round(v, 2));
            w!(
                g,
                r#"<rect class="bar" x="{bx}" y="{top}" width="{bw}" height="{bh}">{tip}</rect>"#
            );
            if kind == Kind::Hist {
                w!(values, r#"<text x="{px}" y="{top}" dy="-4">{count}</text>"#);
            }
        }
        let mut lines = String::new();
        for run in pts.split(Option::is_none).filter(|r| r.len() > 1) {
            let run: Vec<&str> = run.iter().flatten().map(String::as_str).collect();
            let (run, style) = (run.join(" "), line_style(k));
            w!(lines, r#"<polyline points="{run}" {style}/>"#);
        }
        w!(
            o,
            r##"
<g class="series series-{k1}" fill="{colour}" stroke="#222" stroke-width=".5">{lines}{g}</g>"##
        );
    }
    w!(
        o,
        r##"<g class="values" fill="#222" text-anchor="middle">{values}</g>
<line class="baseline" x1="{x0}" x2="{x1}" y1="{zy}" y2="{zy}" stroke="#333"/>"##
    );

    for r in c.references.iter().filter(|r| r.value.is_finite()) {
        let (ry, ly, text) = (y(r.value), r1(y(r.value) + 4.0), label(&r.label, 24, 110.0));
        let value = with_unit(round(r.value, 2), c.unit);
        let full = esc(&format!("{}: {value}", r.label));
        w!(
            o,
            r##"
<g class="reference"><title>{full}</title><line x1="{x0}" x2="{x1}" y1="{ry}" y2="{ry}" stroke="#444" stroke-width="1.5" stroke-dasharray="5 4"/><text x="{}" y="{ly}" fill="#222">{text}</text></g>"##,
            r1(x1 + 4.0)
        );
    }

    o.push_str(r##"<g class="x-labels" fill="#333" text-anchor="middle">"##);
    let max_px = (gw - 4.0).clamp(24.0, 80.0);
    for (i, cat) in c.categories.iter().enumerate() {
        let (tx, ty, text) = (cx(i), y1 + 16.0, label(cat, MAX_LABEL_CHARS, max_px));
        w!(o, r#"<text x="{tx}" y="{ty}">{text}</text>"#);
    }
    o.push_str(r##"</g><g class="legend" fill="#222">"##);
    for (k, &(lx, ly)) in legend.iter().enumerate() {
        let (colour, k1, sy, ty, tx) = (PALETTE[k % 6], k + 1, ly - 6.0, ly + 4.0, r1(lx + 22.0));
        let mark = match kind {
            Kind::Line => format!(r#"d="M{lx} {ly}h18" {}"#, line_style(k)),
            _ => format!(r##"d="M{lx} {sy}h12v12h-12z" fill="{colour}" stroke="#222""##),
        };
        let name = label(&c.series[k].name, 32, 150.0);
        w!(
            o,
            r#"<g class="series-{k1}"><path {mark}/><text x="{tx}" y="{ty}">{name}</text></g>"#
        );
    }
    o.push_str("</g></svg>");
    o
}

/// Stroke of line series `k`: colour plus a dash pattern (the first is solid).
fn line_style(k: usize) -> String {
    let (colour, dash) = (PALETTE[k % PALETTE.len()], DASHES[k % DASHES.len()]);
    let style = format!(r#"fill="none" stroke="{colour}" stroke-width="2""#);
    match dash {
        "" => style,
        _ => format!(r#"{style} stroke-dasharray="{dash}""#),
    }
}

/// Legend item positions (x, y), wrapped to the chart width.
fn legend_layout(series: &[Series]) -> Vec<(f64, f64)> {
    let (mut x, mut y, mut out) = (12.0, 12.0, Vec::with_capacity(series.len()));
    for s in series {
        let width = r1(22.0 + text_w(&s.name).min(150.0) + 16.0);
        if x + width > W - 12.0 && x > 12.0 {
            (x, y) = (12.0, y + 20.0);
        }
        out.push((x, y));
        x = r1(x + width);
    }
    out
}

/// `<title>series · category: value unit</title>`, without the series part
/// when unnamed.
fn tooltip(s: &Series, category: &str, v: f64, unit: &str) -> String {
    let value = with_unit(round(v, 2), unit);
    let text = match s.name.as_str() {
        "" => format!("{category}: {value}"),
        name => format!("{name} · {category}: {value}"),
    };
    format!("<title>{}</title>", esc(&text))
}

/// Escaped label text, shortened with "…" to fit; the full text then goes
/// into a `<title>` child for hover.
fn label(s: &str, max_chars: usize, max_px: f64) -> String {
    if s.chars().count() <= max_chars && text_w(s) <= max_px {
        return esc(s);
    }
    let (mut short, mut width) = (String::new(), char_w('…'));
    for (k, ch) in s.chars().enumerate() {
        if k + 1 >= max_chars || width + char_w(ch) > max_px {
            break;
        }
        short.push(ch);
        width += char_w(ch);
    }
    format!("{}…<title>{}</title>", esc(&short), esc(s))
}

/// Rough rendered width: CJK and full-width characters are one em wide.
fn char_w(c: char) -> f64 {
    FONT * if u32::from(c) >= 0x2E80 { 1.0 } else { 0.6 }
}

fn text_w(s: &str) -> f64 {
    s.chars().map(char_w).sum()
}

/// "45%", "12.5 t": percent-like units stick to the number.
fn with_unit(v: f64, unit: &str) -> String {
    match unit.trim() {
        u if u.is_empty() || u.starts_with(['%', '‰', '°']) => format!("{v}{u}"),
        u => format!("{v} {u}"),
    }
}

/// Rounded to `decimals` places so that `Display` prints no float noise
/// (shortest round-trip form, trailing zeros dropped) and never "-0".
fn round(v: f64, decimals: i32) -> f64 {
    let p = 10f64.powi(decimals);
    let r = (v * p).round() / p;
    if r.is_finite() { r + 0.0 } else { v + 0.0 }
}

/// A coordinate: one decimal is plenty.
fn r1(v: f64) -> f64 {
    round(v, 1)
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// FNV-1a over everything drawn, so ids are stable and distinct per chart.
fn fingerprint(kind: Kind, c: &Chart) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes.iter().chain(&[0xff]) {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    };
    eat(&[kind as u8]);
    eat(c.title.as_bytes());
    eat(c.description.as_bytes());
    c.categories.iter().for_each(|s| eat(s.as_bytes()));
    for s in c.series {
        eat(s.name.as_bytes());
        let bits = s.values.iter().map(|v| v.map_or(u64::MAX, f64::to_bits));
        bits.for_each(|b| eat(&b.to_le_bytes()));
    }
    c.references.iter().for_each(|r| eat(r.label.as_bytes()));
    h
}

#[cfg(test)]
mod tests {
    #[test]
    fn tile_maps_shade_by_value_and_link_each_area() {
        let tiles = [
            super::Tile {
                label: "思明区 <&>".into(),
                col: 1,
                row: 2,
                value: Some(80.0),
                href: "/cockpit/list?a=1&b=2".into(),
            },
            super::Tile {
                label: "海沧区".into(),
                col: 0,
                row: 2,
                value: None,
                href: "/x".into(),
            },
        ];
        let svg = super::tile_map("T", "D", &tiles, 100.0, "%");
        assert!(svg.contains("思明区 &lt;&amp;&gt;") && svg.contains("a=1&amp;b=2"));
        assert!(svg.contains(super::SEQ[4]), "80 of 100 is the darkest step");
        assert!(svg.contains("#f0f0f0"), "no data is grey");
        assert_eq!(svg, super::tile_map("T", "D", &tiles, 100.0, "%"));
        assert_well_formed(&svg);
    }

    use super::*;

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    fn ser(name: &str, values: &[Option<f64>]) -> Series {
        Series {
            name: name.to_owned(),
            values: values.to_vec(),
        }
    }

    fn refs(label: &str, value: f64) -> [Reference; 1] {
        [Reference {
            label: label.to_owned(),
            value,
        }]
    }

    fn chart<'a>(cats: &'a [String], series: &'a [Series], refs: &'a [Reference]) -> Chart<'a> {
        let (title, description, y_max, unit) = ("T", "D", None, "%");
        Chart {
            title,
            description,
            categories: cats,
            series,
            references: refs,
            y_max,
            unit,
        }
    }

    /// Tags balanced (a stack over `<name`, `</name>`, `/>`), no stray `>`,
    /// and every `&` starts an entity.
    fn assert_well_formed(svg: &str) {
        assert!(svg.starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="#));
        let (mut stack, mut rest) = (Vec::new(), svg);
        while let Some(p) = rest.find('<') {
            assert!(!rest[..p].contains('>'), "stray > in {svg}");
            let end = rest[p..].find('>').expect("unclosed tag") + p;
            match rest[p + 1..end].strip_prefix('/') {
                Some(name) => assert_eq!(stack.pop(), Some(name), "in {svg}"),
                None if rest[..end].ends_with('/') => {}
                None => stack.push(rest[p + 1..end].split_whitespace().next().expect("name")),
            }
            rest = &rest[end + 1..];
        }
        assert!(stack.is_empty() && rest.is_empty(), "unclosed {stack:?}");
        let entities = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"];
        let bare = svg
            .match_indices('&')
            .find(|(i, _)| !entities.iter().any(|e| svg[*i..].starts_with(e)));
        assert_eq!(bare, None);
    }

    #[test]
    fn escapes_all_text() {
        let evil = "<script>&\"'";
        let (categories, refs) = (strings(&[evil, "ok"]), refs(evil, 1.5));
        let series = [ser(evil, &[Some(1.0), Some(2.0)]), ser("b", &[Some(3.0)])];
        let mut c = chart(&categories, &series, &refs);
        (c.title, c.description, c.unit) = (evil, evil, evil);
        let hist = histogram(evil, evil, &categories, &[1, 2]);
        for svg in [bar_chart(&c), line_chart(&c), hist] {
            assert!(!svg.contains("<script") && svg.contains("&lt;script&gt;&amp;&quot;&#39;"));
            assert_well_formed(&svg);
        }
    }

    #[test]
    fn deterministic_with_distinct_ids() {
        let categories = strings(&["2023", "2024"]);
        let series = [ser("a", &[Some(1.0), Some(2.0)])];
        let c = chart(&categories, &series, &[]);
        assert_eq!(bar_chart(&c), bar_chart(&c));
        assert_eq!(line_chart(&c), line_chart(&c));
        let id = |s: String| s[s.find("\"chart-").unwrap()..][..23].to_owned();
        assert!(bar_chart(&c).contains(&format!(r#"<title id={}-title">"#, id(bar_chart(&c)))));
        let mut other = c;
        other.title = "Other";
        assert_ne!(id(bar_chart(&c)), id(bar_chart(&other)));
        assert_ne!(id(bar_chart(&c)), id(line_chart(&c)));
    }

    #[test]
    fn nice_scale_ticks() {
        for (min, max, fixed, integer, want) in [
            (0.0, 73.0, None, false, "0 20 40 60 80"),
            (0.0, 0.37, None, false, "0 0.1 0.2 0.3 0.4"),
            (0.0, 12.0, None, false, "0 2.5 5 7.5 10 12.5"),
            (0.0, 0.0, None, false, "0 0.2 0.4 0.6 0.8 1"),
            (0.0, 0.03, None, false, "0 0.01 0.02 0.03"),
            (0.0, 42.0, Some(100.0), false, "0 20 40 60 80 100"),
            (-12.0, 80.0, Some(100.0), false, "-25 0 25 50 75 100"),
            (-37.0, 81.0, None, false, "-50 0 50 100"),
            (-3.0, 0.0, None, false, "-3 -2 -1 0"),
            (0.0, 12.0, None, true, "0 5 10 15"),
            (0.0, 9e3, None, false, "0 2000 4000 6000 8000 10000"),
        ] {
            let (lo, hi, ticks) = nice_scale(min, max, fixed, integer);
            let got: Vec<String> = ticks.iter().map(f64::to_string).collect();
            assert_eq!(got.join(" "), want);
            assert!(lo <= min && hi >= max && (4..=6).contains(&ticks.len()));
        }
        assert_eq!(nice_scale(0.0, 73.0, None, false).1, 80.0);
    }

    #[test]
    fn bars_only_for_values() {
        let categories = strings(&["a", "b", "c"]);
        let x = ser("x", &[Some(1.0), None, Some(f64::NAN)]);
        let series = [x, ser("y", &[Some(-2.0), Some(f64::INFINITY)])];
        let svg = bar_chart(&chart(&categories, &series, &[]));
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 2);
        assert!(svg.contains("x · a: 1%") && svg.contains("y · a: -2%"));
        assert!(svg.contains("class=\"legend\"") && svg.contains("series-2"));
        assert_well_formed(&svg);
    }

    #[test]
    fn empty_and_degenerate_inputs() {
        let none = [ser("x", &[None, None])];
        let zeros = [ser("x", &[Some(0.0), Some(0.0)]), ser("y", &[Some(5e-324)])];
        let one = strings(&["仅一个类别的非常长的标签名称"]);
        let (two, target, nothing) = (strings(&["a", "b"]), refs("目标", 60.0), &[][..]);
        for (cats, series) in [
            (&[][..], nothing),
            (&two, &none),
            (&two, &zeros),
            (&one, &zeros),
        ] {
            for c in [chart(cats, series, &[]), chart(cats, series, &target)] {
                for svg in [bar_chart(&c), line_chart(&c)] {
                    assert!(svg.contains(">T</title>") && !svg.contains("NaN"));
                    assert_well_formed(&svg);
                }
            }
        }
        let svg = line_chart(&chart(&one, &zeros, &[]));
        assert!(
            svg.contains("…<title>仅一个类别的非常长的标签名称</title>"),
            "{svg}"
        );
        assert_well_formed(&histogram("", "", &[], &[]));
    }

    #[test]
    fn line_breaks_at_none() {
        let categories = strings(&["1", "2", "3", "4", "5"]);
        let a = ser("a", &[Some(1.0), Some(2.0), None, Some(3.0), Some(4.0)]);
        let series = [a, ser("b", &[Some(1.0), Some(2.0)])];
        let svg = line_chart(&chart(&categories, &series, &[]));
        assert_eq!(svg.matches("<polyline").count(), 3);
        assert_eq!(svg.matches("<circle").count(), 6);
        assert!(svg.contains("stroke-dasharray=\"6 3\""));
        assert_well_formed(&svg);
    }

    #[test]
    fn histogram_and_references() {
        let grades = strings(&["A", "B", "C"]);
        let svg = histogram("Ratings", "Grades", &grades, &[5, 12, 0]);
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 3);
        assert!(svg.contains(">12</text>") && svg.contains("<title>B: 12</title>"));
        assert_well_formed(&svg);

        let (series, target) = ([ser("r", &[Some(45.5), Some(-12.0)])], refs("Target", 90.0));
        let mut c = chart(&grades, &series, &target);
        c.y_max = Some(100.0);
        let svg = bar_chart(&c);
        assert!(svg.contains("stroke-dasharray=\"5 4\"") && svg.contains(">Target</text>"));
        assert!(svg.contains(">100%</text>") && svg.contains(">-25%</text>"));
        assert!(svg.contains("r · A: 45.5%"));
        assert_well_formed(&svg);
    }
}
