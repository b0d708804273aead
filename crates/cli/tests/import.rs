//! `jixiao import` end to end (issue 4 part 4): the real binary on a SQLite file in a temporary
//! directory — a unit list, a project list, the real target forms of fixtures/real-forms, a
//! second run that changes nothing, and a file with an error that writes nothing.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn jixiao(dir: &Path, db: &str, args: &[&str]) -> Run {
    let out = Command::cargo_bin("jixiao")
        .expect("the jixiao binary is built")
        .current_dir(dir)
        .env_remove("JIXIAO_DATABASE_URL")
        .env_remove("JIXIAO_AUDIT_KEY")
        .env_remove("JIXIAO_LOG")
        .args(args)
        .args(["--db", db])
        .output()
        .expect("jixiao runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn ok(r: &Run, what: &str) {
    assert_eq!(
        r.code,
        Some(0),
        "{what} failed\nstdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
}

fn real_forms() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/real-forms");
    assert!(
        dir.join("t11.xlsx").is_file(),
        "the real forms are missing: expected {} (fixtures/real-forms in the repository)",
        dir.display()
    );
    dir
}

fn write_book(path: &Path, rows: &[&[&str]]) {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let s = wb.add_worksheet();
    s.set_name("清单").unwrap();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                s.write_string(r as u32, c as u16, *v).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

#[test]
fn lists_then_real_targets_all_or_nothing_and_idempotent() {
    let forms = real_forms();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("x.db").display());
    ok(
        &jixiao(
            dir.path(),
            &db,
            &[
                "init",
                "--region-code",
                "511124000",
                "--region-name",
                "井研县",
                "--password",
                "Abcdef#12345",
            ],
        ),
        "init",
    );

    let units = dir.path().join("units.xlsx");
    write_book(
        &units,
        &[
            &[
                "单位编码",
                "单位名称",
                "上级单位编码",
                "单位性质",
                "对口股室",
            ],
            &["820", "马踏镇部门", "", "行政单位", "行政政法股"],
            &[
                "820001",
                "井研县马踏镇人民政府",
                "820",
                "行政单位",
                "行政政法股",
            ],
        ],
    );
    let r = jixiao(
        dir.path(),
        &db,
        &["import", "units", units.to_str().unwrap(), "--year", "2023"],
    );
    ok(&r, "import units");
    assert!(r.stdout.contains("单位清单 2 条"), "{}", r.stdout);

    // A project list with one bad row: nothing is written, the row and column are named.
    let header: &[&str] = &[
        "项目编码",
        "项目名称",
        "单位编码或名称",
        "预算年度",
        "预算类型",
        "项目类别",
        "新增/延续",
        "年初/追加",
        "当年财政拨款(元)",
        "上年结转(元)",
        "其他资金(元)",
    ];
    let bad = dir.path().join("bad.xlsx");
    write_book(
        &bad,
        &[
            header,
            &[
                "511124-01",
                "村组干部报酬",
                "820001",
                "2023",
                "一般公共预算",
                "人员类",
                "延续",
                "年初预算",
                "3,309,800",
                "",
                "",
            ],
            &[
                "511124-02",
                "基层组织活动经费",
                "820001",
                "2023",
                "一般公共预算",
                "运转类",
                "延续",
                "年初",
                "六十六万",
                "",
                "",
            ],
        ],
    );
    let r = jixiao(
        dir.path(),
        &db,
        &[
            "import",
            "projects",
            bad.to_str().unwrap(),
            "--year",
            "2023",
        ],
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("工作表“清单”第 3 行 I 列（当年财政拨款）"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("未导入任何数据"), "{}", r.stderr);
    assert_eq!(
        r.stderr.lines().filter(|l| l.starts_with("错误：")).count(),
        1,
        "{}",
        r.stderr
    );
    // The targets cannot be matched while the projects are missing.
    let t11 = forms.join("t11.xlsx");
    let r = jixiao(
        dir.path(),
        &db,
        &["import", "targets", t11.to_str().unwrap(), "--year", "2023"],
    );
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr.contains("没有编码或名称为“村组干部报酬”的项目"),
        "{}",
        r.stderr
    );

    let good = dir.path().join("projects.xlsx");
    write_book(
        &good,
        &[
            header,
            &[
                "511124-01",
                "村组干部报酬",
                "820001",
                "2023",
                "一般公共预算",
                "人员类",
                "延续",
                "年初预算",
                "3,309,800",
                "",
                "",
            ],
            &[
                "511124-02",
                "基层组织活动经费",
                "井研县马踏镇人民政府",
                "2023",
                "一般公共预算",
                "运转类",
                "延续",
                "年初",
                "660,000",
                "",
                "",
            ],
        ],
    );
    let r = jixiao(
        dir.path(),
        &db,
        &[
            "import",
            "projects",
            good.to_str().unwrap(),
            "--year",
            "2023",
        ],
    );
    ok(&r, "import projects");
    assert!(r.stdout.contains("项目清单 2 条"), "{}", r.stdout);

    let r = jixiao(
        dir.path(),
        &db,
        &["import", "targets", t11.to_str().unwrap(), "--year", "2023"],
    );
    ok(&r, "import targets");
    assert!(
        r.stdout.contains("绩效目标 2 条、指标 13 条"),
        "{}",
        r.stdout
    );
    let again = jixiao(
        dir.path(),
        &db,
        &["import", "targets", t11.to_str().unwrap(), "--year", "2023"],
    );
    ok(&again, "import targets again");
    assert!(again.stdout.contains("本次未作改动"), "{}", again.stdout);

    // The wrong year is refused, naming the year cell's problem.
    let r = jixiao(
        dir.path(),
        &db,
        &["import", "targets", t11.to_str().unwrap(), "--year", "2024"],
    );
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("表中年度为 2023"), "{}", r.stderr);

    ok(
        &jixiao(dir.path(), &db, &["audit", "verify"]),
        "audit verify",
    );
}

/// Issue 5: t08.xlsx (a 2018 project target of 南岳镇政府) imports as a draft target once its
/// project exists; importing it again changes nothing.
#[test]
fn real_t08_target_imports_after_its_project_and_again_is_a_no_op() {
    let forms = real_forms();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("x.db").display());
    ok(
        &jixiao(
            dir.path(),
            &db,
            &[
                "init",
                "--region-code",
                "430412000",
                "--region-name",
                "南岳区",
                "--password",
                "Abcdef#12345",
            ],
        ),
        "init",
    );
    let units = dir.path().join("units.xlsx");
    write_book(
        &units,
        &[
            &[
                "单位编码",
                "单位名称",
                "上级单位编码",
                "单位性质",
                "对口股室",
            ],
            &["301", "南岳镇政府", "", "行政单位", "农业股"],
        ],
    );
    ok(
        &jixiao(
            dir.path(),
            &db,
            &["import", "units", units.to_str().unwrap(), "--year", "2018"],
        ),
        "import units",
    );
    let t08 = forms.join("t08.xlsx");
    let r = jixiao(
        dir.path(),
        &db,
        &["import", "targets", t08.to_str().unwrap(), "--year", "2018"],
    );
    assert_eq!(r.code, Some(1), "no project yet: {}", r.stdout);
    assert!(r.stderr.contains("未导入任何数据"), "{}", r.stderr);
    let projects = dir.path().join("projects.xlsx");
    write_book(
        &projects,
        &[
            &[
                "项目编码",
                "项目名称",
                "单位编码或名称",
                "预算年度",
                "预算类型",
                "项目类别",
                "新增/延续",
                "年初/追加",
                "当年财政拨款(元)",
                "上年结转(元)",
                "其他资金(元)",
            ],
            &[
                "NY-2018-01",
                "2018年市级专项扶贫资金基础设施(人大代表扶贫基地)",
                "南岳镇政府",
                "2018",
                "一般公共预算",
                "特定目标类",
                "新增",
                "年初预算",
                "100,000",
                "",
                "",
            ],
        ],
    );
    ok(
        &jixiao(
            dir.path(),
            &db,
            &[
                "import",
                "projects",
                projects.to_str().unwrap(),
                "--year",
                "2018",
            ],
        ),
        "import projects",
    );
    let r = jixiao(
        dir.path(),
        &db,
        &["import", "targets", t08.to_str().unwrap(), "--year", "2018"],
    );
    ok(&r, "import t08");
    assert!(
        r.stdout.contains("绩效目标 1 条、指标 16 条"),
        "{}",
        r.stdout
    );
    let again = jixiao(
        dir.path(),
        &db,
        &["import", "targets", t08.to_str().unwrap(), "--year", "2018"],
    );
    ok(&again, "import t08 again");
    assert!(again.stdout.contains("本次未作改动"), "{}", again.stdout);
}

/// Several files in one call (issue 14): the master data is loaded once, yet what an earlier
/// file wrote counts for the next (a second unit list names a unit of the first as parent; a
/// second project list repeats a code of the first); a refused file is named and the others
/// are imported; the command fails when any file was refused.
#[test]
fn several_files_in_one_call_each_all_or_nothing() {
    let forms = real_forms();
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("x.db").display());
    ok(
        &jixiao(
            dir.path(),
            &db,
            &[
                "init",
                "--region-code",
                "511124000",
                "--region-name",
                "井研县",
                "--password",
                "Abcdef#12345",
            ],
        ),
        "init",
    );
    let unit_header: &[&str] = &["单位编码", "单位名称", "上级单位编码", "单位性质"];
    let units1 = dir.path().join("units1.xlsx");
    write_book(
        &units1,
        &[unit_header, &["820", "马踏镇部门", "", "行政单位"]],
    );
    let units2 = dir.path().join("units2.xlsx");
    write_book(
        &units2,
        &[
            unit_header,
            &["820001", "井研县马踏镇人民政府", "820", "行政单位"],
        ],
    );
    let r = jixiao(
        dir.path(),
        &db,
        &[
            "import",
            "units",
            units1.to_str().unwrap(),
            units2.to_str().unwrap(),
            "--year",
            "2023",
        ],
    );
    ok(&r, "import two unit lists");
    assert!(r.stdout.contains("已导入 units1.xlsx"), "{}", r.stdout);
    assert!(r.stdout.contains("已导入 units2.xlsx"), "{}", r.stdout);
    assert!(
        r.stdout.contains("共 2 个文件：已导入 2 个"),
        "{}",
        r.stdout
    );

    let header: &[&str] = &["项目编码", "项目名称", "单位编码或名称", "当年财政拨款(元)"];
    let projects1 = dir.path().join("projects1.xlsx");
    write_book(
        &projects1,
        &[
            header,
            &["511124-01", "村组干部报酬", "820001", "3,309,800"],
            &[
                "511124-02",
                "基层组织活动经费",
                "井研县马踏镇人民政府",
                "660,000",
            ],
        ],
    );
    // The same code with another name: refused, because the first file's project is known.
    let projects2 = dir.path().join("projects2.xlsx");
    write_book(
        &projects2,
        &[header, &["511124-01", "另一个项目", "820001", "1,000"]],
    );
    let missing = dir.path().join("missing.xlsx");
    let r = jixiao(
        dir.path(),
        &db,
        &[
            "import",
            "projects",
            projects1.to_str().unwrap(),
            projects2.to_str().unwrap(),
            missing.to_str().unwrap(),
            projects1.to_str().unwrap(),
            "--year",
            "2023",
        ],
    );
    assert_eq!(r.code, Some(1), "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("已导入 projects1.xlsx：2023 年度项目清单 2 条"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.contains("projects2.xlsx：\n")
            && r.stderr.contains("项目编码 511124-01 已用于“村组干部报酬”")
            && r.stderr
                .contains("projects2.xlsx 有 1 处错误（见上），未导入任何数据"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("无法打开文件"), "{}", r.stderr);
    // The first file given twice: the second time changes nothing.
    assert!(r.stdout.contains("本次未作改动"), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("共 4 个文件：已导入 1 个，此前已导入（未作改动）1 个，未导入 2 个"),
        "{}",
        r.stdout
    );
    assert!(
        r.stderr.lines().last().is_some_and(
            |l| l.contains("2 个文件未导入") && l.contains("projects2.xlsx、missing.xlsx")
        ),
        "{}",
        r.stderr
    );

    // Target forms: a good one and one of another kind; the good one is imported.
    let t11 = forms.join("t11.xlsx");
    let t05 = forms.join("t05.xlsx");
    let r = jixiao(
        dir.path(),
        &db,
        &[
            "import",
            "targets",
            t05.to_str().unwrap(),
            t11.to_str().unwrap(),
            "--year",
            "2023",
        ],
    );
    assert_eq!(r.code, Some(1), "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stdout
            .contains("已导入 t11.xlsx：2023 年度绩效目标 2 条、指标 13 条"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.contains("t05.xlsx 有"), "{}", r.stderr);
    ok(
        &jixiao(dir.path(), &db, &["audit", "verify"]),
        "audit verify",
    );
}
