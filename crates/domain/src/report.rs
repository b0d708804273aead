//! Reports as format-free documents: a title and a list of blocks (headings, paragraphs,
//! tables). The annual summary (SPEC §13), the ex-ante assessment report (SPEC §5) and other
//! reports are composed here from figures computed by queries; `jixiao-forms` renders the same
//! document as Markdown, printable HTML and .docx, so the three formats always say the same
//! thing.

pub mod annual;
pub mod assessment;
pub mod evaluation;
pub mod ex_ante;
pub mod rectification;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Document {
    pub title: String,
    /// A line under the title (e.g. the region and year), may be empty.
    pub subtitle: String,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Block {
    /// Level 1 is a section (一、), 2 a subsection ((一)), 3 a minor heading.
    Heading {
        level: u8,
        text: String,
    },
    /// A paragraph of running text, first line indented in print.
    Paragraph {
        text: String,
    },
    Table(Table),
    /// A chart drawn from its data; every format draws the same one.
    Chart(Chart),
}

/// A chart of a report (SPEC §13): the renderer draws it from the data, without network or
/// client-side scripts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Chart {
    pub caption: String,
    pub kind: ChartKind,
    /// A note under the chart (source, what was left out), may be empty.
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum ChartKind {
    /// Horizontal bars, one per label, in the given order, scaled to `max` (or the largest
    /// value); `unit` follows each value ("个", "%", "分").
    Bars {
        bars: Vec<Bar>,
        max: Option<Decimal>,
        unit: String,
    },
    /// Points with x and y in percent (0–100, larger values drawn at the edge), the diagonal
    /// y = x and the band of ±`band` points around it.
    Scatter {
        x_label: String,
        y_label: String,
        points: Vec<Point>,
        band: Decimal,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bar {
    pub label: String,
    pub value: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Point {
    pub label: String,
    pub x: Decimal,
    pub y: Decimal,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub caption: String,
    pub headers: Vec<String>,
    /// Each row has as many cells as there are headers.
    pub rows: Vec<Vec<String>>,
    /// Which columns hold numbers (right-aligned).
    pub numeric: Vec<bool>,
    /// Notes under the table (units, sources), may be empty.
    pub note: String,
}
