//! A self-contained, printable HTML5 page in the style of a Chinese government document.
//!
//! No scripts and no external resources (fonts, styles, images): the page prints the same on
//! an offline machine. Every piece of document text goes through [`escape`].

use std::fmt::Write as _;

use jixiao_domain::report::{Block, Document, Table};

use super::{column_count, heading_level, is_numeric, padded};

/// Page and type styles: A4 with 党政机关公文 margins, 仿宋 body, 小标宋/黑体 title, 黑体 and 楷体
/// headings, bordered tables whose header repeats on every printed page.
const STYLE: &str = r#"
@page { size: A4; margin: 37mm 26mm 35mm 28mm; }
html { color-scheme: light; }
body {
  margin: 0;
  color: #000;
  background: #fff;
  font-family: "FangSong", "STFangsong", "仿宋", "仿宋_GB2312", "SimSun", "Songti SC", "Noto Serif CJK SC", serif;
  font-size: 16pt;
  line-height: 1.8;
}
.doc { box-sizing: border-box; width: 100%; max-width: 210mm; margin: 0 auto; }
@media screen {
  body { background: #e9e9e9; }
  .doc { background: #fff; padding: 37mm 26mm 35mm 28mm; margin: 16px auto; box-shadow: 0 1px 4px rgba(0, 0, 0, .25); }
}
@media print {
  .doc { max-width: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
h1, h2, h3, h4 { font-size: 16pt; font-weight: normal; line-height: 1.8; margin: 0; break-after: avoid; page-break-after: avoid; }
h1.title {
  font-family: "方正小标宋简体", "FZXiaoBiaoSong-B05S", "SimHei", "黑体", "STHeiti", "Heiti SC", "Noto Sans CJK SC", sans-serif;
  font-size: 22pt;
  font-weight: bold;
  line-height: 1.5;
  text-align: center;
  margin: 0 0 .3em;
}
p.subtitle { text-align: center; text-indent: 0; font-family: "KaiTi", "STKaiti", "楷体", "楷体_GB2312", "Kaiti SC", serif; margin-bottom: .8em; }
h2 { font-family: "SimHei", "黑体", "STHeiti", "Heiti SC", "Noto Sans CJK SC", sans-serif; text-indent: 2em; }
h3 { font-family: "KaiTi", "STKaiti", "楷体", "楷体_GB2312", "Kaiti SC", serif; text-indent: 2em; }
h4 { font-weight: bold; text-indent: 2em; }
p { margin: 0; text-indent: 2em; text-align: justify; orphans: 2; widows: 2; }
.table { margin: .6em 0 .8em; }
figure.chart { margin: .8em 0; text-align: center; break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { max-width: 100%; height: auto; }
figure.chart figcaption { font-family: "SimHei", "黑体", "STHeiti", "Heiti SC", "Noto Sans CJK SC", sans-serif; font-size: 14pt; }
figure.chart p.note { text-indent: 0; text-align: left; font-size: 10.5pt; }
table { width: 100%; border-collapse: collapse; font-size: 10.5pt; line-height: 1.5; }
caption, p.caption {
  caption-side: top;
  text-indent: 0;
  font-family: "SimHei", "黑体", "STHeiti", "Heiti SC", "Noto Sans CJK SC", sans-serif;
  font-size: 14pt;
  line-height: 1.8;
  text-align: center;
  padding-bottom: .2em;
}
th, td { border: 1px solid #000; padding: 2pt 4pt; vertical-align: middle; text-align: left; }
th { font-weight: bold; text-align: center; background: #f2f2f2; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
p.note { text-indent: 0; font-size: 10.5pt; line-height: 1.5; margin-top: .3em; }
"#;

/// Renders `doc` as a complete HTML5 page (`lang="zh-CN"`, UTF-8) with an inline style sheet,
/// ready to view or print to A4.
pub fn to_html(doc: &Document) -> String {
    let mut out = String::with_capacity(4096);
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(out, "<title>{}</title>", escape(doc.title.trim()));
    let _ = writeln!(out, "<style>{STYLE}</style>");
    out.push_str("</head>\n<body>\n<main class=\"doc\">\n");
    if !doc.title.trim().is_empty() {
        let _ = writeln!(out, "<h1 class=\"title\">{}</h1>", text(&doc.title));
    }
    if !doc.subtitle.trim().is_empty() {
        let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", text(&doc.subtitle));
    }
    for block in &doc.blocks {
        match block {
            Block::Heading { level, text: t } => {
                let tag = heading_level(*level) + 1;
                let _ = writeln!(out, "<h{tag}>{}</h{tag}>", text(t));
            }
            Block::Paragraph { text: t } => {
                if !t.trim().is_empty() {
                    let _ = writeln!(out, "<p>{}</p>", text(t));
                }
            }
            Block::Table(table) => write_table(&mut out, table),
            Block::Chart(chart) => {
                // The SVG is built from escaped data by `chart::to_svg`.
                let _ = writeln!(
                    out,
                    "<figure class=\"chart\">{}<figcaption>{}</figcaption>{}</figure>",
                    super::chart::to_svg(chart),
                    text(&chart.caption),
                    if chart.note.trim().is_empty() {
                        String::new()
                    } else {
                        format!("<p class=\"note\">{}</p>", text(&chart.note))
                    }
                );
            }
        }
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn write_table(out: &mut String, table: &Table) {
    out.push_str("<div class=\"table\">\n");
    let columns = column_count(table);
    if columns > 0 {
        out.push_str("<table>\n");
        if !table.caption.trim().is_empty() {
            let _ = writeln!(out, "<caption>{}</caption>", text(&table.caption));
        }
        if !table.headers.is_empty() {
            out.push_str("<thead>\n<tr>");
            for cell in padded(&table.headers, columns) {
                let _ = write!(out, "<th scope=\"col\">{}</th>", text(cell));
            }
            out.push_str("</tr>\n</thead>\n");
        }
        out.push_str("<tbody>\n");
        for row in &table.rows {
            out.push_str("<tr>");
            for (col, cell) in padded(row, columns).enumerate() {
                if is_numeric(table, col) {
                    let _ = write!(out, "<td class=\"num\">{}</td>", text(cell));
                } else {
                    let _ = write!(out, "<td>{}</td>", text(cell));
                }
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    } else if !table.caption.trim().is_empty() {
        // No cells: keep the caption as a centred line of its own.
        let _ = writeln!(out, "<p class=\"caption\">{}</p>", text(&table.caption));
    }
    if !table.note.trim().is_empty() {
        let _ = writeln!(out, "<p class=\"note\">{}</p>", text(&table.note));
    }
    out.push_str("</div>\n");
}

/// Document text as HTML: escaped, surrounding whitespace trimmed, line breaks kept as `<br>`.
fn text(s: &str) -> String {
    s.trim()
        .lines()
        .map(|line| escape(line.trim_end()))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// Escapes the five characters that are special in HTML text and attribute values.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_characters() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("预算执行率 95%"), "预算执行率 95%");
    }

    #[test]
    fn line_breaks_become_br() {
        assert_eq!(text("  甲\n<乙>\n"), "甲<br>&lt;乙&gt;");
    }

    #[test]
    fn style_sheet_loads_nothing() {
        assert!(!STYLE.contains("url("));
        assert!(!STYLE.contains("@import"));
        assert!(!STYLE.contains("</"));
    }
}
