//! GitHub-flavoured Markdown.
//!
//! Text is escaped so that it reads back as the same text: inline markup characters are
//! backslash-escaped, lines that would start a block (heading, quote, list, rule) have their
//! marker escaped, `<` never opens raw HTML, and table cells escape `|`.

use jixiao_domain::report::{Block, Document, Table};

use super::{column_count, heading_level, is_numeric, padded};

/// Renders `doc` as GitHub-flavoured Markdown: the title as `#`, headings as `##`/`###`/`####`,
/// paragraphs separated by blank lines, tables as pipe tables with the caption in bold above
/// and the note below. Ends with a newline.
pub fn to_markdown(doc: &Document) -> String {
    let mut blocks: Vec<String> = Vec::new();
    if !doc.title.trim().is_empty() {
        blocks.push(format!("# {}", heading_text(&doc.title)));
    }
    if !doc.subtitle.trim().is_empty() {
        blocks.push(paragraph(&doc.subtitle));
    }
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text } => {
                let marks = "#".repeat(usize::from(heading_level(*level)) + 1);
                blocks.push(format!("{marks} {}", heading_text(text)));
            }
            Block::Paragraph { text } => {
                if !text.trim().is_empty() {
                    blocks.push(paragraph(text));
                }
            }
            Block::Table(table) => blocks.extend(table_blocks(table)),
            // Markdown has no drawing: the chart's data as a table.
            Block::Chart(chart) => blocks.extend(table_blocks(&chart_table(chart))),
        }
    }
    let mut out = blocks.join("\n\n");
    out.push('\n');
    out
}

/// Caption, pipe table and note, each a block of its own.
fn table_blocks(table: &Table) -> Vec<String> {
    let mut blocks = Vec::new();
    if !table.caption.trim().is_empty() {
        blocks.push(format!("**{}**", one_line(&table.caption)));
    }
    let columns = column_count(table);
    if columns > 0 {
        let mut lines = Vec::with_capacity(table.rows.len() + 2);
        lines.push(pipe_row(padded(&table.headers, columns)));
        // `-` and `:` are not escaped, so the delimiter row goes through `pipe_row` unchanged.
        lines.push(pipe_row((0..columns).map(|col| {
            if is_numeric(table, col) {
                "---:"
            } else {
                "---"
            }
        })));
        for row in &table.rows {
            lines.push(pipe_row(padded(row, columns)));
        }
        blocks.push(lines.join("\n"));
    }
    if !table.note.trim().is_empty() {
        blocks.push(paragraph(&table.note));
    }
    blocks
}

/// One table row; cells are escaped, `|` included, and line breaks become `<br>`.
fn pipe_row<'a>(cells: impl Iterator<Item = &'a str>) -> String {
    let mut line = String::from("|");
    for cell in cells {
        let text = cell
            .lines()
            .map(|l| escape_inline(l.trim()).replace('|', "\\|"))
            .collect::<Vec<_>>()
            .join("<br>");
        line.push(' ');
        line.push_str(&text);
        line.push_str(" |");
    }
    line
}

/// A paragraph: blank lines split it, other line breaks are kept as hard breaks.
fn paragraph(text: &str) -> String {
    let mut groups: Vec<Vec<String>> = vec![Vec::new()];
    for line in text.lines() {
        let line = line.trim_start_matches([' ', '\t']).trim_end();
        if line.is_empty() {
            if groups.last().is_some_and(|g| !g.is_empty()) {
                groups.push(Vec::new());
            }
        } else if let Some(group) = groups.last_mut() {
            group.push(escape_line_start(&escape_inline(line)));
        }
    }
    groups
        .into_iter()
        .filter(|g| !g.is_empty())
        .map(|g| g.join("\\\n"))
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Heading text: one line, and a trailing `#` run is not taken for a closing sequence.
fn heading_text(text: &str) -> String {
    let line = one_line(text);
    let body = line.trim_end_matches('#');
    if body.len() == line.len() {
        line
    } else {
        format!("{body}\\{}", &line[body.len()..])
    }
}

/// Text squeezed to one escaped line (for headings and captions).
fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    escape_inline(&joined)
}

/// Backslash-escapes the characters that start inline markup (emphasis, code, links,
/// strikethrough, raw HTML and autolinks, escapes themselves).
fn escape_inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        if matches!(ch, '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '~') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// Escapes a marker that would turn the start of a line into a block: `#` headings, `>`
/// quotes, `-`/`+`/`=` lists, rules and setext underlines, `1.`/`1)` ordered lists.
fn escape_line_start(line: &str) -> String {
    if line.starts_with(['#', '>', '-', '+', '=']) {
        return format!("\\{line}");
    }
    let digits = line.len() - line.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    if digits > 0 && line[digits..].starts_with(['.', ')']) {
        return format!("{}\\{}", &line[..digits], &line[digits..]);
    }
    line.to_string()
}

/// A chart's data as a table (caption, one row per bar or point, note).
fn chart_table(chart: &jixiao_domain::report::Chart) -> Table {
    use jixiao_domain::decimal::trim;
    use jixiao_domain::report::ChartKind;
    let (headers, rows, numeric) = match &chart.kind {
        ChartKind::Bars { bars, unit, .. } => (
            vec!["项目".to_string(), format!("数值（{unit}）")],
            bars.iter()
                .map(|b| vec![b.label.clone(), trim(b.value)])
                .collect(),
            vec![false, true],
        ),
        ChartKind::Scatter {
            x_label,
            y_label,
            points,
            ..
        } => (
            vec!["项目".to_string(), x_label.clone(), y_label.clone()],
            points
                .iter()
                .map(|p| vec![p.label.clone(), trim(p.x), trim(p.y)])
                .collect(),
            vec![false, true, true],
        ),
    };
    Table {
        caption: chart.caption.clone(),
        headers,
        rows,
        numeric,
        note: chart.note.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_markup_is_escaped() {
        assert_eq!(escape_inline("a*b_c`d"), "a\\*b\\_c\\`d");
        assert_eq!(escape_inline("<script>"), "\\<script>");
        assert_eq!(escape_inline("1~3月"), "1\\~3月");
        assert_eq!(escape_inline("中文，（一）"), "中文，（一）");
    }

    #[test]
    fn block_markers_at_line_start_are_escaped() {
        assert_eq!(escape_line_start("# 不是标题"), "\\# 不是标题");
        assert_eq!(escape_line_start("- 不是列表"), "\\- 不是列表");
        assert_eq!(escape_line_start("2023. 不是列表"), "2023\\. 不是列表");
        assert_eq!(escape_line_start("2023年"), "2023年");
        assert_eq!(escape_line_start("一是"), "一是");
    }

    #[test]
    fn paragraphs_keep_line_breaks_and_split_on_blank_lines() {
        assert_eq!(paragraph("甲\n乙\n\n\n丙"), "甲\\\n乙\n\n丙");
        assert_eq!(paragraph("   缩进"), "缩进");
    }

    #[test]
    fn heading_trailing_hashes_are_escaped() {
        assert_eq!(heading_text("第 1 #"), "第 1 \\#");
        assert_eq!(heading_text("一、概况\n（续）"), "一、概况 （续）");
    }

    #[test]
    fn cells_escape_pipes_and_keep_line_breaks() {
        let row = pipe_row(["a|b", "1\n2", ""].into_iter());
        assert_eq!(row, "| a\\|b | 1<br>2 |  |");
    }
}
