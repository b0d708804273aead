//! The three renderers on one sample document holding every block kind and text that needs
//! escaping in each format.

use std::io::{Cursor, Read};

use jixiao_domain::report::{Block, Document, Table};
use jixiao_forms::render::{to_docx, to_html, to_markdown};

fn sample() -> Document {
    Document {
        title: "且末县2023年度预算绩效管理工作情况说明".into(),
        subtitle: "且末县财政局 <script>alert(1)</script>".into(),
        blocks: vec![
            Block::Heading {
                level: 1,
                text: "一、工作开展情况".into(),
            },
            Block::Heading {
                level: 2,
                text: "（一）组织与制度".into(),
            },
            Block::Paragraph {
                text: "全县共评价项目 12 个，资金 563.4 万元 & 自评覆盖率 100%。".into(),
            },
            Block::Heading {
                level: 3,
                text: "1. 事前评估".into(),
            },
            Block::Paragraph {
                text: "一是<script>alert(\"x\")</script>事前评估；\n二是目标管理。".into(),
            },
            Block::Table(Table {
                caption: "表1 评价结果 | 按等级".into(),
                headers: vec!["单位".into(), "项目数".into(), "金额（万元）".into()],
                rows: vec![
                    vec!["县财政局 | 本级".into(), "3".into(), "563.40".into()],
                    vec!["县教育局 & 学校".into(), "9".into(), "1,204.00".into()],
                    vec!["合计".into()],
                ],
                numeric: vec![false, true, true],
                note: "注：金额单位为万元，<b>四舍五入</b>。".into(),
            }),
            Block::Paragraph {
                text: "以上情况特此说明。".into(),
            },
        ],
    }
}

#[test]
fn markdown_has_the_document_structure() {
    let md = to_markdown(&sample());
    let expected = [
        "# 且末县2023年度预算绩效管理工作情况说明",
        "",
        "且末县财政局 \\<script>alert(1)\\</script>",
        "",
        "## 一、工作开展情况",
        "",
        "### （一）组织与制度",
        "",
        "全县共评价项目 12 个，资金 563.4 万元 & 自评覆盖率 100%。",
        "",
        "#### 1. 事前评估",
        "",
        "一是\\<script>alert(\"x\")\\</script>事前评估；\\",
        "二是目标管理。",
        "",
        "**表1 评价结果 | 按等级**",
        "",
        "| 单位 | 项目数 | 金额（万元） |",
        "| --- | ---: | ---: |",
        "| 县财政局 \\| 本级 | 3 | 563.40 |",
        "| 县教育局 & 学校 | 9 | 1,204.00 |",
        "| 合计 |  |  |",
        "",
        "注：金额单位为万元，\\<b>四舍五入\\</b>。",
        "",
        "以上情况特此说明。",
    ];
    assert_eq!(md.lines().collect::<Vec<_>>(), expected);
    assert!(md.ends_with('\n'));
}

#[test]
fn markdown_table_rows_have_one_cell_per_column() {
    let md = to_markdown(&sample());
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(rows.len(), 5);
    for row in rows {
        // Unescaped pipes delimit cells: 3 columns → 4 pipes.
        let delimiters = row.replace("\\|", "").matches('|').count();
        assert_eq!(delimiters, 4, "{row}");
    }
}

#[test]
fn html_is_a_self_contained_escaped_page() {
    let html = to_html(&sample());
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"zh-CN\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("<title>且末县2023年度预算绩效管理工作情况说明</title>"));

    // Nothing executable, nothing fetched.
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"));
    assert!(!lower.contains("http://"));
    assert!(!lower.contains("https://"));
    assert!(!lower.contains("<link"));
    assert!(!lower.contains("src="));
    assert!(!lower.contains("@import"));
    assert!(!lower.contains("url("));

    // User text arrives escaped.
    assert!(html.contains("且末县财政局 &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains(
        "一是&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;事前评估；<br>二是目标管理。"
    ));
    assert!(html.contains("资金 563.4 万元 &amp; 自评覆盖率 100%。"));
    assert!(html.contains("注：金额单位为万元，&lt;b&gt;四舍五入&lt;/b&gt;。"));
    assert!(!html.contains("<b>"));
}

#[test]
fn html_has_the_document_structure() {
    let html = to_html(&sample());
    for fragment in [
        "<h1 class=\"title\">且末县2023年度预算绩效管理工作情况说明</h1>",
        "<h2>一、工作开展情况</h2>",
        "<h3>（一）组织与制度</h3>",
        "<h4>1. 事前评估</h4>",
        "<p>以上情况特此说明。</p>",
        "<caption>表1 评价结果 | 按等级</caption>",
        "<thead>\n<tr><th scope=\"col\">单位</th><th scope=\"col\">项目数</th><th scope=\"col\">金额（万元）</th></tr>\n</thead>",
        "<tr><td>县财政局 | 本级</td><td class=\"num\">3</td><td class=\"num\">563.40</td></tr>",
        "<tr><td>合计</td><td class=\"num\"></td><td class=\"num\"></td></tr>",
    ] {
        assert!(html.contains(fragment), "missing {fragment}");
    }
    // Print layout: A4 margins, 仿宋 body, indented paragraphs, repeated table header.
    for rule in [
        "@page { size: A4; margin: 37mm 26mm 35mm 28mm; }",
        "\"FangSong\", \"STFangsong\", \"仿宋\"",
        "text-indent: 2em",
        "line-height: 1.8",
        "thead { display: table-header-group; }",
        "page-break-inside: avoid",
        "td.num { text-align: right;",
    ] {
        assert!(html.contains(rule), "missing {rule}");
    }
}

/// The file `name` of the .docx package.
fn part(docx: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(Cursor::new(docx)).expect("a .docx is a zip");
    let mut file = archive.by_name(name).expect("part present");
    let mut xml = String::new();
    file.read_to_string(&mut xml).expect("UTF-8 XML");
    xml
}

/// The text of every `w:p` in `xml`, in order (table cells included), XML entities decoded
/// and `w:br` as a line break.
fn paragraph_texts(xml: &str) -> Vec<String> {
    xml.split("</w:p>")
        .filter(|chunk| chunk.contains("<w:p"))
        .map(|chunk| {
            let mut text = String::new();
            let mut rest = chunk;
            while let Some(start) = rest.find('<') {
                let Some(end) = rest[start..].find('>') else {
                    break;
                };
                let tag = &rest[start + 1..start + end];
                rest = &rest[start + end + 1..];
                if tag.starts_with("w:br") {
                    text.push('\n');
                } else if tag == "w:t" || tag.starts_with("w:t ") {
                    let close = rest.find("</w:t>").expect("closed w:t");
                    text.push_str(&decode(&rest[..close]));
                    rest = &rest[close..];
                }
            }
            text
        })
        .collect()
}

fn decode(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[test]
fn docx_holds_the_text_in_order() {
    let bytes = to_docx(&sample()).expect("renders");
    let xml = part(&bytes, "word/document.xml");
    let texts: Vec<String> = paragraph_texts(&xml)
        .into_iter()
        .filter(|t| !t.is_empty())
        .collect();
    let expected = [
        "且末县2023年度预算绩效管理工作情况说明",
        "且末县财政局 <script>alert(1)</script>",
        "一、工作开展情况",
        "（一）组织与制度",
        "全县共评价项目 12 个，资金 563.4 万元 & 自评覆盖率 100%。",
        "1. 事前评估",
        "一是<script>alert(\"x\")</script>事前评估；\n二是目标管理。",
        "表1 评价结果 | 按等级",
        "单位",
        "项目数",
        "金额（万元）",
        "县财政局 | 本级",
        "3",
        "563.40",
        "县教育局 & 学校",
        "9",
        "1,204.00",
        "合计",
        "注：金额单位为万元，<b>四舍五入</b>。",
        "以上情况特此说明。",
    ];
    assert_eq!(texts, expected);
    // Raw markup never reaches the XML unescaped.
    assert!(!xml.contains("<script"));
    assert!(!xml.contains("<b>"));
}

#[test]
fn docx_sets_chinese_fonts_page_and_table_layout() {
    let bytes = to_docx(&sample()).expect("renders");
    let xml = part(&bytes, "word/document.xml");
    for fragment in [
        "w:eastAsia=\"仿宋\"",
        "w:eastAsia=\"黑体\"",
        "w:eastAsia=\"楷体\"",
        "w:ascii=\"Times New Roman\"",
        // A4 with 37/35/28/26 mm margins.
        "w:w=\"11906\"",
        "w:h=\"16838\"",
        "w:top=\"2098\"",
        "w:bottom=\"1984\"",
        "w:left=\"1587\"",
        "w:right=\"1474\"",
        // 二号 title, 三号 body, 五号 tables; fixed 28 pt lines, two-character indent.
        "<w:sz w:val=\"44\" />",
        "<w:sz w:val=\"32\" />",
        "<w:sz w:val=\"21\" />",
        "w:line=\"560\" w:lineRule=\"exact\"",
        "w:firstLine=\"640\"",
        // Bordered table, numeric cells right-aligned, bold header, rows kept whole.
        "<w:tblBorders>",
        "<w:jc w:val=\"right\" />",
        "<w:b />",
        "<w:cantSplit />",
    ] {
        assert!(xml.contains(fragment), "missing {fragment}");
    }
    let styles = part(&bytes, "word/styles.xml");
    assert!(
        styles.contains("w:eastAsia=\"仿宋\""),
        "document default font"
    );
}

#[test]
fn empty_document_renders_in_every_format() {
    let doc = Document {
        title: String::new(),
        subtitle: String::new(),
        blocks: vec![Block::Table(Table {
            caption: String::new(),
            headers: vec![],
            rows: vec![],
            numeric: vec![],
            note: String::new(),
        })],
    };
    assert_eq!(to_markdown(&doc), "\n");
    assert!(to_html(&doc).contains("<main class=\"doc\">"));
    let bytes = to_docx(&doc).expect("renders");
    assert!(part(&bytes, "word/document.xml").contains("<w:body>"));
}

/// The ex-ante assessment report (SPEC §5, §14) renders as a .docx holding its title, outline and
/// score table.
#[test]
fn ex_ante_report_renders_as_docx() {
    use jixiao_domain::ex_ante::{ExAnteConclusion, ExAnteObject};
    use jixiao_domain::money::Fen;
    use jixiao_domain::report::ex_ante::{DimensionFacts, ExAnteReportFacts, ItemFacts, compose};
    use rust_decimal::Decimal;

    let item = |name: &str, score: i64| ItemFacts {
        name: name.into(),
        weight: Decimal::from(10),
        score: Decimal::from(score),
        opinion: "符合要求".into(),
    };
    let dimension = |name: &str, items: Vec<ItemFacts>| DimensionFacts {
        name: name.into(),
        weight: items.iter().map(|i| i.weight).sum(),
        score: items.iter().map(|i| i.score).sum(),
        items,
    };
    let facts = ExAnteReportFacts {
        region_name: "且末县".into(),
        fiscal_year: 2023,
        object_kind: ExAnteObject::Project,
        object_name: "且末县农村饮水安全巩固提升工程".into(),
        unit_name: "且末县水利局".into(),
        amount: Fen::parse_wan("563.4").unwrap(),
        budget_type_label: "一般公共预算".into(),
        continuity_label: "新增".into(),
        start_year: 2023,
        end_year: 2023,
        assessor_label: "财政部门".into(),
        agency_name: None,
        dimensions: vec![
            dimension(
                "立项必要性",
                vec![item("政策相关性", 10), item("需求迫切性", 10)],
            ),
            dimension(
                "投入经济性",
                vec![item("投入成本合理性", 9), item("资金安排合理性", 10)],
            ),
        ],
        total: Decimal::from(39),
        conclusion: ExAnteConclusion::Support,
        suggestions: "加强资金使用监管。".into(),
        state_label: "已通过".into(),
        timeline: vec![],
        other_notes: String::new(),
    };
    let doc = compose(&facts);
    let bytes = to_docx(&doc).expect("renders");
    assert!(bytes.starts_with(b"PK"), "a .docx is a zip");
    let xml = part(&bytes, "word/document.xml");
    let texts = paragraph_texts(&xml);
    for expected in [
        "且末县农村饮水安全巩固提升工程事前绩效评估报告",
        "一、评估对象基本情况",
        "三、综合评估情况与评估结论",
        "五、其他需要说明的问题",
        "评估意见",
        "投入成本合理性",
        "合计",
        "40.00",
        "39.00",
        "加强资金使用监管。",
    ] {
        assert!(
            texts.iter().any(|t| t == expected),
            "missing {expected} in {texts:?}"
        );
    }
    assert!(xml.contains("经综合评估，该项目得分为 39.00 分，评估结论为“予以支持”。"));
}
