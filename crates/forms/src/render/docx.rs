//! Word (.docx) in the layout of 党政机关公文格式 (GB/T 9704): A4, 37/35/28/26 mm margins,
//! 二号 title, 三号 仿宋 body on a fixed 28 pt line, 黑体 and 楷体 headings, page numbers
//! `— 1 —` centred in the footer.
//!
//! Every run names its East Asian font explicitly (and the document defaults do too), or Word
//! and WPS fall back to the theme font for Chinese. Only fonts every Chinese Windows/WPS
//! installation has are named: 黑体 (SimHei), 仿宋 (FangSong), 楷体 (KaiTi).
//!
//! docx-rs 0.4 cannot mark a row as a repeating header (`w:tblHeader`), so long tables show
//! their header on the first page only; rows are kept whole across page breaks.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, BreakType, Docx, Footer, LineSpacing, LineSpacingType, PageMargin, PageNum,
    Paragraph, Pic, Run, RunFonts, SpecialIndentType, Table as DocxTable, TableAlignmentType,
    TableBorder, TableBorderPosition, TableBorders, TableCell, TableRow, VAlignType, WidthType,
};
use jixiao_domain::report::{Block, Document, Table};

use super::{RenderError, column_count, heading_level, is_numeric, padded};

/// Millimetres to twentieths of a point, rounded.
const fn mm(mm: i32) -> i32 {
    (mm * 14_400 + 127) / 254
}

const PAGE_WIDTH: u32 = 11_906; // A4, 210 mm
const PAGE_HEIGHT: u32 = 16_838; // A4, 297 mm
const MARGIN_TOP: i32 = mm(37);
const MARGIN_BOTTOM: i32 = mm(35);
const MARGIN_LEFT: i32 = mm(28);
const MARGIN_RIGHT: i32 = mm(26);
/// The width between the margins, in twips.
const TEXT_WIDTH: usize = (PAGE_WIDTH as i32 - MARGIN_LEFT - MARGIN_RIGHT) as usize;

/// Font sizes in half-points.
const SIZE_TITLE: usize = 44; // 二号, 22 pt
const SIZE_BODY: usize = 32; // 三号, 16 pt
const SIZE_CAPTION: usize = 28; // 四号, 14 pt
const SIZE_TABLE: usize = 21; // 五号, 10.5 pt

/// Fixed line pitch of running text: 28 pt.
const LINE_EXACT: i32 = 560;
/// Two characters of body text: 2 × 16 pt.
const FIRST_LINE_INDENT: i32 = 640;

const LATIN: &str = "Times New Roman";
const HEI: &str = "黑体";
const FANGSONG: &str = "仿宋";
const KAI: &str = "楷体";

/// Renders `doc` as a .docx file (the bytes of the ZIP package).
pub fn to_docx(doc: &Document) -> Result<Vec<u8>, RenderError> {
    let mut docx = Docx::new()
        .page_size(PAGE_WIDTH, PAGE_HEIGHT)
        .page_margin(
            PageMargin::new()
                .top(MARGIN_TOP)
                .bottom(MARGIN_BOTTOM)
                .left(MARGIN_LEFT)
                .right(MARGIN_RIGHT)
                .header(mm(15))
                .footer(mm(18))
                .gutter(0),
        )
        .default_fonts(fonts(FANGSONG))
        .default_size(SIZE_BODY)
        .footer(Footer::new().add_paragraph(page_number()));

    let has_subtitle = !doc.subtitle.trim().is_empty();
    if !doc.title.trim().is_empty() {
        let after = if has_subtitle { 0 } else { LINE_EXACT as u32 };
        docx = docx.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .line_spacing(exact().after(after))
                .keep_next(true)
                .add_run(styled(&doc.title, HEI, SIZE_TITLE, false)),
        );
    }
    if has_subtitle {
        docx = docx.add_paragraph(
            Paragraph::new()
                .align(AlignmentType::Center)
                .line_spacing(exact().after(LINE_EXACT as u32))
                .keep_next(true)
                .add_run(styled(&doc.subtitle, KAI, SIZE_BODY, false)),
        );
    }

    for block in &doc.blocks {
        match block {
            Block::Heading { level, text } => {
                let level = heading_level(*level);
                let (font, bold) = match level {
                    1 => (HEI, false),
                    2 => (KAI, false),
                    _ => (FANGSONG, true),
                };
                docx = docx.add_paragraph(
                    body_paragraph()
                        .keep_next(true)
                        .outline_lvl(usize::from(level - 1))
                        .add_run(styled(text, font, SIZE_BODY, bold)),
                );
            }
            Block::Paragraph { text } => {
                if !text.trim().is_empty() {
                    docx = docx.add_paragraph(
                        body_paragraph().add_run(styled(text, FANGSONG, SIZE_BODY, false)),
                    );
                }
            }
            Block::Table(table) => {
                if !table.caption.trim().is_empty() {
                    docx = docx.add_paragraph(
                        Paragraph::new()
                            .align(AlignmentType::Center)
                            .line_spacing(exact().before(120))
                            .keep_next(true)
                            .add_run(styled(&table.caption, HEI, SIZE_CAPTION, false)),
                    );
                }
                if column_count(table) > 0 {
                    docx = docx.add_table(table_of(table));
                }
                if !table.note.trim().is_empty() {
                    docx = docx.add_paragraph(
                        Paragraph::new()
                            .align(AlignmentType::Left)
                            .line_spacing(single().before(60).after(120))
                            .add_run(styled(&table.note, FANGSONG, SIZE_TABLE, false)),
                    );
                }
            }
            Block::Chart(chart) => {
                // The same SVG as the HTML report, rasterised at 3× with the bundled font and
                // shown at the text width at most.
                let (png, w, h) = super::chart::to_png(chart, 3.0).map_err(RenderError::Chart)?;
                let max_emu = TEXT_WIDTH as u64 * 635; // twips → EMU
                let natural = u64::from(w / 3) * 9525; // CSS pixels at 96 dpi → EMU
                let width = natural.min(max_emu);
                let height = width * u64::from(h) / u64::from(w.max(1));
                let pic = Pic::new_with_dimensions(png, w, h).size(
                    u32::try_from(width).unwrap_or(u32::MAX),
                    u32::try_from(height).unwrap_or(u32::MAX),
                );
                docx = docx.add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .line_spacing(single().before(120))
                        .keep_next(true)
                        .add_run(Run::new().add_image(pic)),
                );
                docx = docx.add_paragraph(
                    Paragraph::new()
                        .align(AlignmentType::Center)
                        .line_spacing(single().before(60))
                        .add_run(styled(&chart.caption, HEI, SIZE_CAPTION, false)),
                );
                if !chart.note.trim().is_empty() {
                    docx = docx.add_paragraph(
                        Paragraph::new()
                            .align(AlignmentType::Left)
                            .line_spacing(single().before(60).after(120))
                            .add_run(styled(&chart.note, FANGSONG, SIZE_TABLE, false)),
                    );
                }
            }
        }
    }

    let mut bytes = Vec::new();
    docx.pack(Cursor::new(&mut bytes))
        .map_err(|e| RenderError::Docx(e.to_string()))?;
    Ok(bytes)
}

/// A bordered, full-width table: bold centred header row, numeric cells right-aligned,
/// 五号 text, rows never split across pages.
fn table_of(table: &Table) -> DocxTable {
    let columns = column_count(table);
    // Text columns (names) get twice the share of a numeric column, so unit names do not wrap
    // into one character per line.
    let shares: Vec<usize> = (0..columns)
        .map(|col| if is_numeric(table, col) { 2 } else { 4 })
        .collect();
    let total: usize = shares.iter().sum::<usize>().max(1);
    let widths: Vec<usize> = shares.iter().map(|s| TEXT_WIDTH * s / total).collect();
    let mut rows = Vec::with_capacity(table.rows.len() + 1);
    if !table.headers.is_empty() {
        let cells = padded(&table.headers, columns)
            .zip(&widths)
            .map(|(text, width)| cell(text, *width, AlignmentType::Center, true))
            .collect();
        rows.push(TableRow::new(cells).cant_split());
    }
    for row in &table.rows {
        let cells = padded(row, columns)
            .enumerate()
            .map(|(col, text)| {
                let align = if is_numeric(table, col) {
                    AlignmentType::Right
                } else {
                    AlignmentType::Left
                };
                cell(text, widths[col], align, false)
            })
            .collect();
        rows.push(TableRow::new(cells).cant_split());
    }
    let borders = [
        TableBorderPosition::Top,
        TableBorderPosition::Left,
        TableBorderPosition::Bottom,
        TableBorderPosition::Right,
        TableBorderPosition::InsideH,
        TableBorderPosition::InsideV,
    ]
    .into_iter()
    .fold(TableBorders::new(), |borders, position| {
        // Sizes are in eighths of a point: a 0.5 pt single line.
        borders.set(TableBorder::new(position).size(4).color("000000"))
    });
    DocxTable::new(rows)
        .width(widths.iter().sum(), WidthType::Dxa)
        .set_grid(widths)
        .align(TableAlignmentType::Center)
        .set_borders(borders)
}

fn cell(text: &str, width: usize, align: AlignmentType, bold: bool) -> TableCell {
    // A cell must hold a paragraph even when empty.
    let paragraph = Paragraph::new()
        .align(align)
        .line_spacing(single())
        .add_run(styled(text, FANGSONG, SIZE_TABLE, bold));
    TableCell::new()
        .width(width, WidthType::Dxa)
        .vertical_align(VAlignType::Center)
        .add_paragraph(paragraph)
}

/// Running text: justified, first line indented two characters, fixed 28 pt lines.
fn body_paragraph() -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Both)
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(FIRST_LINE_INDENT)),
            None,
            None,
        )
        .line_spacing(exact())
        .widow_control(true)
}

/// `— 1 —`, centred.
fn page_number() -> Paragraph {
    Paragraph::new()
        .align(AlignmentType::Center)
        .add_run(Run::new().fonts(fonts(FANGSONG)).add_text("— "))
        .add_page_num(PageNum::new())
        .add_run(Run::new().fonts(fonts(FANGSONG)).add_text(" —"))
}

fn exact() -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Exact)
        .line(LINE_EXACT)
        .before(0)
        .after(0)
}

fn single() -> LineSpacing {
    LineSpacing::new()
        .line_rule(LineSpacingType::Auto)
        .line(240)
        .before(0)
        .after(0)
}

/// Latin text in Times New Roman, Chinese in `east_asia`; ambiguous punctuation (“”、…)
/// is set in the Chinese font.
fn fonts(east_asia: &str) -> RunFonts {
    RunFonts::new()
        .ascii(LATIN)
        .hi_ansi(LATIN)
        .cs(LATIN)
        .east_asia(east_asia)
        .hint("eastAsia")
}

/// One run of `text` with its line breaks kept; surrounding whitespace is trimmed.
fn styled(text: &str, east_asia: &str, size: usize, bold: bool) -> Run {
    let mut run = Run::new().fonts(fonts(east_asia)).size(size);
    if bold {
        run = run.bold();
    }
    for (i, line) in text.trim().lines().enumerate() {
        if i > 0 {
            run = run.add_break(BreakType::TextWrapping);
        }
        run = run.add_text(line.trim_end());
    }
    run
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn millimetres_to_twips() {
        assert_eq!(mm(37), 2098);
        assert_eq!(mm(35), 1984);
        assert_eq!(mm(28), 1587);
        assert_eq!(mm(26), 1474);
        assert_eq!(TEXT_WIDTH, 8845);
    }
}
