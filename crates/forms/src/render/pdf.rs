//! PDF (SPEC §13, issue 12 item 4): the report laid out by typst, in-process, with the bundled
//! Noto Sans CJK SC (`fonts/`) and no network, browser or office suite. A4 with the margins of
//! the Word report and page numbers `— n —` in the footer; the charts are the same SVG as in
//! the HTML and Word reports.
//!
//! The document goes to the template (`typst/report.typ`) as JSON data, so no text of a report
//! (a unit's name, a narrative typed by a user) is ever read as typst markup.

use jixiao_domain::report::{Block, Document};
use serde_json::{Value, json};
use std::sync::LazyLock;
use typst::foundations::{Dict, IntoValue};
use typst_as_lib::{TypstEngine, TypstTemplateMainFile};

use super::{RenderError, column_count, padded};

const TEMPLATE: &str = include_str!("typst/report.typ");

/// The blocks as the template reads them.
fn data(doc: &Document) -> Value {
    let blocks: Vec<Value> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { level, text } => {
                Some(json!({"t": "h", "level": super::heading_level(*level), "text": text}))
            }
            Block::Paragraph { text } => {
                (!text.trim().is_empty()).then(|| json!({"t": "p", "text": text}))
            }
            Block::Table(t) => {
                let columns = column_count(t);
                let headers: Vec<&str> = padded(&t.headers, columns).collect();
                let rows: Vec<Vec<&str>> = if columns > 0 {
                    t.rows.iter().map(|r| padded(r, columns).collect()).collect()
                } else {
                    vec![]
                };
                let numeric: Vec<bool> = (0..columns).map(|c| super::is_numeric(t, c)).collect();
                Some(json!({"t": "table", "caption": t.caption, "headers": if rows.is_empty() && t.headers.is_empty() { Vec::new() } else { headers },
                    "rows": rows, "numeric": numeric, "note": t.note}))
            }
            Block::Chart(c) => {
                let svg = super::chart::to_svg(c);
                // At most the text width (156 mm ≈ 442 pt); charts are drawn 640 px wide.
                let width = svg_width(&svg).unwrap_or(super::chart::WIDTH) * 0.69;
                Some(json!({"t": "chart", "svg": svg, "width": width.min(442.0),
                    "caption": c.caption, "note": c.note}))
            }
        })
        .collect();
    json!({"title": doc.title, "subtitle": doc.subtitle, "blocks": blocks})
}

fn svg_width(svg: &str) -> Option<f64> {
    svg.split("width=\"")
        .nth(1)?
        .split('"')
        .next()?
        .parse()
        .ok()
}

/// The engine with the template and the bundled font, built once: parsing the font for every
/// report would repeat the same work on each download.
static ENGINE: LazyLock<TypstEngine<TypstTemplateMainFile>> = LazyLock::new(|| {
    TypstEngine::builder()
        .main_file(TEMPLATE)
        .fonts([super::chart::FONT])
        .build()
});

/// Renders `doc` as a PDF file.
pub fn to_pdf(doc: &Document) -> Result<Vec<u8>, RenderError> {
    let mut inputs = Dict::new();
    inputs.insert("doc".into(), data(doc).to_string().into_value());
    let compiled = ENGINE.compile_with_input(inputs);
    let paged: typst_layout::PagedDocument = compiled
        .output
        .map_err(|e| RenderError::Pdf(format!("{e:?}")))?;
    typst_pdf::pdf(&paged, &typst_pdf::PdfOptions::default())
        .map_err(|e| RenderError::Pdf(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(title: &str, text: &str) -> Document {
        Document {
            title: title.into(),
            subtitle: "且末县 2023 年度".into(),
            blocks: vec![
                Block::Heading {
                    level: 1,
                    text: "一、总体情况".into(),
                },
                Block::Paragraph { text: text.into() },
            ],
        }
    }

    /// The engine is built once and serves report after report, each with its own content.
    #[test]
    fn the_shared_engine_lays_out_one_report_after_another() {
        let first =
            to_pdf(&doc("预算绩效情况说明", "全县共开展绩效自评 120 个项目。")).expect("first");
        let second = to_pdf(&doc("事前绩效评估报告", "评估结论为予以支持。")).expect("second");
        for pdf in [&first, &second] {
            assert!(pdf.starts_with(b"%PDF"), "a PDF file");
        }
        assert_ne!(first, second, "each report its own content");
    }
}
