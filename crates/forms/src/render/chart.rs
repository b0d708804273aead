//! Report charts (SPEC §13) drawn on the server as SVG from their data, with no scripts and no
//! network: the HTML report shows the SVG itself, the Word report a PNG rasterised from the same
//! SVG with the bundled font (`fonts/`), so both show the same chart.
//!
//! Coordinates are drawing positions only (f64); every figure written as text comes from the
//! exact decimals.

use jixiao_domain::decimal::trim;
use jixiao_domain::report::{Chart, ChartKind};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

/// The bundled CJK font (Noto Sans CJK SC, subset to GB 2312), named first in every chart.
pub const FONT: &[u8] = include_bytes!("../../fonts/NotoSansSC-Regular-GB2312.otf");
const FAMILY: &str = "Noto Sans CJK SC, Noto Sans SC, Microsoft YaHei, SimHei, sans-serif";

/// The chart's drawing width in CSS pixels.
pub const WIDTH: f64 = 640.0;

const BAR_ROW: f64 = 22.0;
const LABEL_WIDTH: f64 = 210.0;
const VALUE_WIDTH: f64 = 70.0;
const TOP: f64 = 10.0;
const BLUE: &str = "#2e6da4";
const RED: &str = "#c0392b";
const GREY: &str = "#888";

fn f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A label cut to about `max` display columns (CJK counts 2), with an ellipsis.
fn fit(label: &str, max: usize) -> String {
    let mut cols = 0;
    let mut out = String::new();
    for c in label.chars() {
        let w = if c.is_ascii() { 1 } else { 2 };
        if cols + w > max {
            out.push('…');
            return out;
        }
        cols += w;
        out.push(c);
    }
    out
}

/// A round step (1, 2, 2.5 or 5 × 10ⁿ) and how many of them reach `largest` (2 to 5 steps).
fn nice_steps(largest: Decimal) -> (Decimal, u32) {
    let mut unit = Decimal::ONE;
    while unit * Decimal::TEN <= largest / Decimal::from(4) {
        unit *= Decimal::TEN;
    }
    for m in [
        Decimal::ONE,
        Decimal::TWO,
        Decimal::new(25, 1),
        Decimal::from(5),
        Decimal::TEN,
    ] {
        let step = m * unit;
        let n = (largest / step).ceil();
        if n <= Decimal::from(5)
            && let Some(n) = n.to_u32()
        {
            return (step, n.max(2));
        }
    }
    (largest, 1)
}

/// The SVG of a chart (a whole `<svg>` element with its size).
pub fn to_svg(chart: &Chart) -> String {
    match &chart.kind {
        ChartKind::Bars { bars, max, unit } => bars_svg(chart, bars, *max, unit),
        ChartKind::Scatter {
            x_label,
            y_label,
            points,
            band,
        } => scatter_svg(chart, x_label, y_label, points, *band),
    }
}

fn open(width: f64, height: f64, caption: &str) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" \
         viewBox=\"0 0 {width} {height}\" font-family=\"{FAMILY}\" font-size=\"12\" role=\"img\" \
         aria-label=\"{}\"><rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>",
        esc(caption)
    )
}

fn bars_svg(
    chart: &Chart,
    bars: &[jixiao_domain::report::Bar],
    max: Option<Decimal>,
    unit: &str,
) -> String {
    let height = TOP * 2.0 + BAR_ROW * bars.len().max(1) as f64 + 16.0;
    let largest = max
        .unwrap_or_else(|| bars.iter().map(|b| b.value).max().unwrap_or(Decimal::ONE))
        .max(Decimal::ONE);
    let (step, steps) = nice_steps(largest);
    let scale_max = step * Decimal::from(steps);
    let area = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 10.0;
    let mut s = open(WIDTH, height, &chart.caption);
    let x0 = LABEL_WIDTH;
    let bottom = TOP + BAR_ROW * bars.len().max(1) as f64;
    // Gridlines at round steps, labelled under the axis.
    for q in 0..=steps {
        let x = x0 + area * f64::from(q) / f64::from(steps);
        s.push_str(&format!(
            "<line x1=\"{x:.1}\" y1=\"{TOP}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\" stroke=\"#e3e3e3\"/>\
             <text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{GREY}\" font-size=\"10\">{}</text>",
            bottom + 13.0,
            esc(&trim(step * Decimal::from(q)))
        ));
    }
    for (i, b) in bars.iter().enumerate() {
        let y = TOP + BAR_ROW * i as f64;
        // A zero bar is drawn as a hairline: an SVG rect of width 0 is invalid.
        let w = ((f(b.value) / f(scale_max)).clamp(0.0, 1.0) * area).max(0.5);
        s.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{x0:.1}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{BLUE}\"><title>{}：{}{}</title></rect>\
             <text x=\"{:.1}\" y=\"{:.1}\">{}{}</text>",
            x0 - 6.0,
            y + BAR_ROW * 0.68,
            esc(&fit(&b.label, 32)),
            y + 4.0,
            BAR_ROW - 8.0,
            esc(&b.label),
            esc(&trim(b.value)),
            esc(unit),
            x0 + w + 4.0,
            y + BAR_ROW * 0.68,
            esc(&trim(b.value)),
            esc(unit)
        ));
    }
    s.push_str(&format!(
        "<line x1=\"{x0:.1}\" y1=\"{TOP}\" x2=\"{x0:.1}\" y2=\"{bottom:.1}\" stroke=\"#555\"/></svg>"
    ));
    s
}

fn scatter_svg(
    chart: &Chart,
    x_label: &str,
    y_label: &str,
    points: &[jixiao_domain::report::Point],
    band: Decimal,
) -> String {
    let (left, right, top, bottom) = (60.0, 20.0, 14.0, 46.0);
    let side = 400.0;
    let width = left + side + right;
    let height = top + side + bottom;
    let px = |v: f64| left + v.clamp(0.0, 100.0) / 100.0 * side;
    let py = |v: f64| top + side - v.clamp(0.0, 100.0) / 100.0 * side;
    let mut s = open(width, height, &chart.caption);
    for t in (0..=100).step_by(20) {
        let v = f64::from(t);
        s.push_str(&format!(
            "<line x1=\"{:.1}\" y1=\"{top}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#e3e3e3\"/>\
             <line x1=\"{left}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#e3e3e3\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\" fill=\"{GREY}\" font-size=\"10\">{t}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\" fill=\"{GREY}\" font-size=\"10\">{t}</text>",
            px(v),
            px(v),
            top + side,
            py(v),
            left + side,
            py(v),
            px(v),
            top + side + 14.0,
            left - 6.0,
            py(v) + 4.0
        ));
    }
    // The diagonal and the band around it (the warning line of §7).
    let b = f(band);
    s.push_str(&format!(
        "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#999\"/>",
        px(0.0),
        py(0.0),
        px(100.0),
        py(100.0)
    ));
    for (x1, y1, x2, y2) in [(0.0, b, 100.0 - b, 100.0), (b, 0.0, 100.0, 100.0 - b)] {
        s.push_str(&format!(
            "<line x1=\"{:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{RED}\" stroke-dasharray=\"5 4\"/>",
            px(x1),
            py(y1),
            px(x2),
            py(y2)
        ));
    }
    for p in points {
        let off = (p.x - p.y).abs() > band;
        s.push_str(&format!(
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.2\" fill=\"{}\" fill-opacity=\"0.75\"><title>{}：执行 {}%，完成 {}%</title></circle>",
            px(f(p.x)),
            py(f(p.y)),
            if off { RED } else { BLUE },
            esc(&p.label),
            esc(&trim(p.x)),
            esc(&trim(p.y))
        ));
    }
    s.push_str(&format!(
        "<rect x=\"{left}\" y=\"{top}\" width=\"{side}\" height=\"{side}\" fill=\"none\" stroke=\"#555\"/>\
         <text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>\
         <text x=\"14\" y=\"{:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {:.1})\">{}</text></svg>",
        left + side / 2.0,
        height - 8.0,
        esc(x_label),
        top + side / 2.0,
        top + side / 2.0,
        esc(y_label)
    ));
    s
}

/// The chart as a PNG at `scale` × its SVG size, drawn with the bundled font; with its pixel
/// width and height.
pub fn to_png(chart: &Chart, scale: f32) -> Result<(Vec<u8>, u32, u32), String> {
    let svg = to_svg(chart);
    let mut options = resvg::usvg::Options {
        font_family: "Noto Sans CJK SC".into(),
        ..resvg::usvg::Options::default()
    };
    options.fontdb_mut().load_font_data(FONT.to_vec());
    let tree = resvg::usvg::Tree::from_str(&svg, &options).map_err(|e| e.to_string())?;
    let size = tree
        .size()
        .to_int_size()
        .scale_by(scale)
        .ok_or("图表尺寸无效")?;
    let mut pixmap =
        resvg::tiny_skia::Pixmap::new(size.width(), size.height()).ok_or("图表尺寸无效")?;
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let png = pixmap.encode_png().map_err(|e| e.to_string())?;
    Ok((png, size.width(), size.height()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jixiao_domain::report::{Bar, Point};

    fn bars() -> Chart {
        Chart {
            caption: "图 1  等级分布".into(),
            kind: ChartKind::Bars {
                bars: vec![
                    Bar {
                        label: "优秀".into(),
                        value: Decimal::from(137),
                    },
                    Bar {
                        label: "良好<&>".into(),
                        value: Decimal::from(6),
                    },
                ],
                max: None,
                unit: "个".into(),
            },
            note: String::new(),
        }
    }

    #[test]
    fn bars_are_scaled_and_labelled() {
        let svg = to_svg(&bars());
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(">137个</text>"), "{svg}");
        assert!(svg.contains("良好&lt;&amp;&gt;"), "{svg}");
        // The axis runs to a round 150 and the bars are proportional to it.
        let area = WIDTH - LABEL_WIDTH - VALUE_WIDTH - 10.0;
        assert!(svg.contains(">150</text>"), "{svg}");
        assert!(
            svg.contains(&format!("width=\"{:.1}\"", area * 137.0 / 150.0)),
            "{svg}"
        );
    }

    #[test]
    fn axis_steps_are_round() {
        let d = Decimal::from;
        assert_eq!(nice_steps(d(137)), (d(50), 3));
        assert_eq!(nice_steps(d(100)), (d(20), 5));
        assert_eq!(nice_steps(d(6)), (d(2), 3));
        assert_eq!(nice_steps(d(1)), (d(1), 2));
    }

    #[test]
    fn scatter_marks_points_outside_the_band() {
        let chart = Chart {
            caption: "图 2".into(),
            kind: ChartKind::Scatter {
                x_label: "预算执行率（%）".into(),
                y_label: "目标完成率（%）".into(),
                points: vec![
                    Point {
                        label: "甲".into(),
                        x: Decimal::from(50),
                        y: Decimal::from(55),
                    },
                    Point {
                        label: "乙".into(),
                        x: Decimal::from(20),
                        y: Decimal::from(90),
                    },
                ],
                band: Decimal::from(20),
            },
            note: String::new(),
        };
        let svg = to_svg(&chart);
        assert_eq!(svg.matches(&format!("fill=\"{RED}\"")).count(), 1, "{svg}");
        assert_eq!(svg.matches(&format!("fill=\"{BLUE}\"")).count(), 1, "{svg}");
    }

    #[test]
    fn png_draws_the_chinese_labels_with_the_bundled_font() {
        let (png, w, h) = to_png(&bars(), 2.0).expect("png");
        assert!(png.starts_with(&[0x89, b'P', b'N', b'G']));
        assert_eq!(w, (WIDTH * 2.0) as u32);
        assert!(h > 40);
        // The label column holds dark pixels: the glyphs of 优秀 were drawn (no font, no text).
        let pixmap = resvg::tiny_skia::Pixmap::decode_png(&png).expect("decode");
        let dark = (0..pixmap.height())
            .flat_map(|y| (0..(LABEL_WIDTH as u32 * 2 - 20)).map(move |x| (x, y)))
            .filter(|(x, y)| {
                pixmap.pixel(*x, *y).is_some_and(|p| {
                    u16::from(p.red()) + u16::from(p.green()) + u16::from(p.blue()) < 200
                })
            })
            .count();
        assert!(dark > 50, "{dark} dark pixels in the label column");
    }
}
