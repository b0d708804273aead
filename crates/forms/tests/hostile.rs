//! Hostile files (issue 4 part 2): each ends in a clear error within seconds, without a panic
//! or a runaway allocation, and mutated real forms never panic the reader.

use jixiao_forms::xlsx::lists::{ListKind, read_list};
use jixiao_forms::xlsx::{Limits, ReadError, read_with_limits, read_workbook};
use proptest::prelude::*;
use std::io::Write;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use zip::write::SimpleFileOptions;

fn real(name: &str) -> Vec<u8> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/real-forms");
    std::fs::read(dir.join(name)).unwrap_or_else(|e| {
        panic!(
            "the real forms are missing at {} ({e}); they are fixtures of the repository (fixtures/real-forms)",
            dir.display()
        )
    })
}

/// A minimal workbook around the given sheet XML, written entry by entry.
fn workbook_with_sheet(write_sheet: impl FnOnce(&mut dyn Write)) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut buf);
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let parts: [(&str, &str); 4] = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="自评表" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
    ];
    for (name, body) in parts {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    write_sheet(&mut zip);
    zip.finish().unwrap();
    buf.into_inner()
}

fn refused(bytes: &[u8]) -> (ReadError, Duration) {
    let start = Instant::now();
    let err = read_workbook(bytes, &Limits::default()).expect_err("must be refused");
    let took = start.elapsed();
    assert!(took < Duration::from_secs(5), "took {took:?}: {err}");
    assert!(!err.to_string().is_empty());
    (err, took)
}

#[test]
fn zip_bomb_is_refused() {
    let bytes = workbook_with_sheet(|w| {
        w.write_all(br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#)
            .unwrap();
        let spaces = vec![b' '; 1 << 20];
        for _ in 0..60 {
            w.write_all(&spaces).unwrap();
        }
        w.write_all(b"</sheetData></worksheet>").unwrap();
    });
    assert!(bytes.len() < 1 << 20, "the bomb is small: {}", bytes.len());
    let (err, _) = refused(&bytes);
    assert!(matches!(err, ReadError::Bomb(_)), "{err}");
    assert!(err.to_string().contains("压缩"), "{err}");
}

#[test]
fn single_cell_at_xfd1048576_is_refused() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write(0, 0, "项目支出绩效自评表").unwrap();
    ws.write(1_048_575, 16_383, "x").unwrap();
    let bytes = wb.save_to_buffer().unwrap();
    let (err, _) = refused(&bytes);
    assert!(matches!(err, ReadError::SheetTooLarge(_)), "{err}");
    assert!(err.to_string().contains("XFD1048576"), "{err}");
}

#[test]
fn truncated_zip_is_refused() {
    let full = real("t05.xlsx");
    for cut in [full.len() / 2, full.len() - 30, 100] {
        let (err, _) = refused(&full[..cut]);
        assert!(matches!(err, ReadError::Corrupt(_)), "cut at {cut}: {err}");
        assert!(err.to_string().contains("损坏或不完整"), "{err}");
    }
}

#[test]
fn csv_renamed_xlsx_is_refused() {
    let csv = "一级指标,二级指标,三级指标,年度指标值\n产出指标,数量指标,安装坡面水标尺,≥266米\n";
    let (err, _) = refused(csv.as_bytes());
    assert!(matches!(err, ReadError::NotXlsx(_)), "{err}");
    assert!(err.to_string().contains("CSV"), "{err}");
}

#[test]
fn a_million_empty_rows_are_refused() {
    let bytes = workbook_with_sheet(|w| {
        w.write_all(br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#)
            .unwrap();
        for r in 1..=1_000_000u32 {
            write!(w, "<row r=\"{r}\"/>").unwrap();
        }
        w.write_all(b"</sheetData></worksheet>").unwrap();
    });
    let (err, _) = refused(&bytes);
    assert!(
        matches!(err, ReadError::SheetTooLarge(_) | ReadError::Bomb(_)),
        "{err}"
    );
}

#[test]
fn oversized_file_is_refused_before_anything_else() {
    let limits = Limits {
        max_file_bytes: 1000,
        ..Limits::default()
    };
    let err = read_workbook(&real("t01.xlsx"), &limits).unwrap_err();
    assert!(matches!(err, ReadError::TooLarge { .. }), "{err}");
}

#[tokio::test]
async fn async_read_with_limits_reads_and_refuses() {
    let wb = read_with_limits(real("t05.xlsx"), Limits::default())
        .await
        .expect("t05 reads");
    assert_eq!(wb.forms.len(), 1);
    let err = read_with_limits(b"a,b\n".to_vec(), Limits::default())
        .await
        .unwrap_err();
    assert!(matches!(err, ReadError::NotXlsx(_)));
}

// ---------------------------------------------------------------------------------------------
// Lists (issue 14): a province's project list fits, hostile files are still refused.

fn project_list(rows: u32) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["项目编码", "项目名称", "单位编码或名称"]
        .iter()
        .enumerate()
    {
        ws.write(0, c as u16, *h).unwrap();
    }
    for r in 1..=rows {
        ws.write(r, 0, format!("P{r:06}")).unwrap();
        ws.write(r, 1, format!("项目{r}")).unwrap();
        ws.write(r, 2, "101").unwrap();
    }
    wb.save_to_buffer().unwrap()
}

fn list_refused(bytes: &[u8]) -> ReadError {
    let start = Instant::now();
    let err = read_list(bytes, &Limits::lists(), ListKind::Projects).expect_err("must be refused");
    let took = start.elapsed();
    assert!(took < Duration::from_secs(5), "took {took:?}: {err}");
    err
}

#[test]
fn a_list_past_the_forms_row_limit_reads_with_the_list_limits() {
    let lists = Limits::lists();
    assert!(lists.max_rows >= 200_000 && lists.max_cells >= 100_000 * 11);
    assert!(lists.max_file_bytes >= 50 * 1024 * 1024);
    // What catches a bomb is the same as for forms.
    let forms = Limits::default();
    assert_eq!(
        (
            lists.max_ratio,
            lists.max_entries,
            lists.max_cols,
            lists.max_merges
        ),
        (
            forms.max_ratio,
            forms.max_entries,
            forms.max_cols,
            forms.max_merges
        )
    );
    let bytes = project_list(25_000);
    let err = read_list(&bytes, &forms, ListKind::Projects).expect_err("over 20,000 rows");
    assert!(matches!(err, ReadError::SheetTooLarge(_)), "{err}");
    let book = read_list(&bytes, &lists, ListKind::Projects).expect("a list's limits");
    assert_eq!(book.sheets[0].rows.len(), 25_000);
    assert_eq!(book.sheets[0].rows[24_999].text("code"), "P025000");
}

#[test]
fn the_list_limits_still_refuse_hostile_files() {
    let bomb = workbook_with_sheet(|w| {
        w.write_all(br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#)
            .unwrap();
        let spaces = vec![b' '; 1 << 20];
        for _ in 0..60 {
            w.write_all(&spaces).unwrap();
        }
        w.write_all(b"</sheetData></worksheet>").unwrap();
    });
    assert!(matches!(list_refused(&bomb), ReadError::Bomb(_)));

    let rows = workbook_with_sheet(|w| {
        w.write_all(br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#)
            .unwrap();
        for r in 1..=1_000_000u32 {
            write!(w, "<row r=\"{r}\"/>").unwrap();
        }
        w.write_all(b"</sheetData></worksheet>").unwrap();
    });
    let err = list_refused(&rows);
    assert!(
        matches!(err, ReadError::SheetTooLarge(_) | ReadError::Bomb(_)),
        "{err}"
    );

    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write(0, 0, "项目编码").unwrap();
    ws.write(1_048_575, 16_383, "x").unwrap();
    let far = wb.save_to_buffer().unwrap();
    let err = list_refused(&far);
    assert!(matches!(err, ReadError::SheetTooLarge(_)), "{err}");

    let err = list_refused(b"a,b,c\n1,2,3\n");
    assert!(matches!(err, ReadError::NotXlsx(_)), "{err}");
}

/// Every regression fixture (a file that once crashed the reader) reads or is refused, without a
/// panic.
#[test]
fn regression_fixtures_do_not_panic() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for entry in std::fs::read_dir(dir).expect("fixtures folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "xlsx") {
            let bytes = std::fs::read(&path).expect("read fixture");
            let err = read_workbook(&bytes, &Limits::default());
            assert!(
                matches!(err, Err(ReadError::Corrupt(_))),
                "{}: {err:?}",
                path.display()
            );
        }
    }
}

fn mutate(mut bytes: Vec<u8>, ops: &[(u8, usize, u8)]) -> Vec<u8> {
    for &(op, at, value) in ops {
        if bytes.is_empty() {
            break;
        }
        let at = at % bytes.len();
        match op % 3 {
            0 => bytes[at] ^= value.max(1),
            1 => bytes.truncate(at.max(1)),
            _ => bytes.insert(at, value),
        }
    }
    bytes
}

/// Rewrites a workbook with one part's bytes mutated (stored, so the XML itself is hostile).
fn mutate_part(original: &[u8], part: &str, ops: &[(u8, usize, u8)]) -> Vec<u8> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(original)).expect("real form");
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for i in 0..archive.len() {
        let mut entry = archive.by_index(i).expect("entry");
        let name = entry.name().map(|n| n.to_string()).unwrap_or_default();
        let mut body = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut body).expect("inflate");
        if name == part {
            body = mutate(body, ops);
        }
        zip.start_file(name, opts).expect("start");
        zip.write_all(&body).expect("write");
    }
    zip.finish().expect("finish");
    out.into_inner()
}

const REAL: [&str; 7] = [
    "t01.xlsx", "t02.xlsx", "t03.xlsx", "t05.xlsx", "t08.xlsx", "t11.xlsx", "t14.xlsx",
];

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(96)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    /// Mutated sheet, workbook and content-type XML inside a well-formed ZIP: calamine and the
    /// form reader see hostile XML and must not panic.
    #[test]
    fn mutated_xml_parts_never_panic(
        file in prop::sample::select(REAL.to_vec()),
        part in prop::sample::select(vec!["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"]),
        ops in prop::collection::vec((any::<u8>(), any::<usize>(), any::<u8>()), 1..8),
    ) {
        let bytes = mutate_part(&real(file), part, &ops);
        let _ = read_workbook(&bytes, &Limits::default());
    }

    /// Flipped, truncated and inserted bytes in real forms: the reader returns (forms or an
    /// error) and never panics.
    #[test]
    fn mutated_real_forms_never_panic(
        file in prop::sample::select(REAL.to_vec()),
        ops in prop::collection::vec((any::<u8>(), any::<usize>(), any::<u8>()), 1..6),
    ) {
        let bytes = mutate(real(file), &ops);
        let _ = read_workbook(&bytes, &Limits::default());
    }
}
