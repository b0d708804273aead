//! jixiao-forms: files in and out — xlsx forms (later), .docx and HTML/Markdown rendering of
//! reports.
//!
//! Reports are composed in `jixiao-domain` as format-free [`Document`]s (title, subtitle,
//! headings, paragraphs, tables); [`render`] turns the same document into Markdown, a printable
//! HTML page and a Word file, so the three formats always say the same thing (SPEC §13, §14).
//!
//! [`Document`]: jixiao_domain::report::Document

pub mod package;
pub mod render;

pub use render::{RenderError, to_docx, to_html, to_markdown};
pub mod xlsx;
