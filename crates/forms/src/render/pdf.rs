//! PDF (SPEC §13, issue 12 item 4): the report laid out by typst, in-process, with the bundled
//! Noto Sans CJK SC (`fonts/`) and no network, browser or office suite. A4 with the margins of
//! the Word report and page numbers `— n —` in the footer; the charts are the same SVG as in
//! the HTML and Word reports.
//!
//! The document goes to the template (`typst/report.typ`) as JSON data, so no text of a report
//! (a unit's name, a narrative typed by a user) is ever read as typst markup.

use jixiao_domain::report::{Block, Document};
use serde_json::{Value, json};
use typst::foundations::{Dict, IntoValue};
use typst_as_lib::TypstEngine;

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

/// Renders `doc` as a PDF file.
pub fn to_pdf(doc: &Document) -> Result<Vec<u8>, RenderError> {
    let engine = TypstEngine::builder()
        .main_file(TEMPLATE)
        .fonts([super::chart::FONT])
        .build();
    let mut inputs = Dict::new();
    inputs.insert("doc".into(), data(doc).to_string().into_value());
    let compiled = engine.compile_with_input(inputs);
    let paged: typst_layout::PagedDocument = compiled
        .output
        .map_err(|e| RenderError::Pdf(format!("{e:?}")))?;
    typst_pdf::pdf(&paged, &typst_pdf::PdfOptions::default())
        .map_err(|e| RenderError::Pdf(format!("{e:?}")))
}
