//! The `jixiao` binary end to end: each test runs the real executable in a temporary directory of
//! its own against a SQLite file there (and, for one test, on PostgreSQL when
//! `JIXIAO_TEST_POSTGRES_URL` is set). What is checked is what a person at the terminal sees:
//! stdout, one `错误：` line on stderr, the exit status and the files written.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The figures of the seed document (SPEC §15) as they read in the generated report (SPEC §13).
const SEED_SENTENCES: &[&str] = &[
    "563.4万元",
    "评估得分 96分",
    "完成对县级 57 家预算单位的部门整体支出绩效目标申报，涉及金额 101108 万元，完成 132 个项目绩效目标申报，涉及金额 36972 万元，其中年初预算项目 36 个，涉及金额 8688 万元",
    "2023 年 6 月完成对 57 家一级预算单位的整体绩效监控",
    "2023 年 5 月、8 月完成对 132 个项目",
    "执行金额 132693万元",
    "143 个项目绩效自评工作，执行金额 46083万元",
    "“优秀”的项目 137 个 45881 万元",
    "“良好”的项目 6 个 202 万元",
    "部门绩效评价 33 个，涉及金额 26299 万元",
    "重点项目绩效评价 10 个，涉及金额 6927.25万元",
];

/// A temporary working directory with a SQLite database URL inside it.
struct Sandbox {
    dir: TempDir,
    db: String,
}

impl Sandbox {
    fn new() -> Sandbox {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let db = format!("sqlite://{}", dir.path().join("x.db").display());
        Sandbox { dir, db }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `jixiao ARGS --db <this sandbox's database>`.
    fn run(&self, args: &[&str]) -> Output {
        run_in(self.dir.path(), args, Some(&self.db))
    }

    /// `jixiao demo --no-serve`, which must succeed.
    fn load_demo(&self) -> Output {
        let out = self.run(&["demo", "--no-serve"]);
        out.assert_ok();
        out
    }
}

/// What a finished run left behind.
struct Output {
    args: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Output {
    fn assert_ok(&self) {
        assert_eq!(
            self.code,
            Some(0),
            "`jixiao {}` failed\nstdout:\n{}\nstderr:\n{}",
            self.args,
            self.stdout,
            self.stderr
        );
    }

    /// A failure the way users should see one: non-zero exit, nothing on stdout to mistake for a
    /// result, and exactly one `错误：` line on stderr with no panic or backtrace. Returns the line.
    fn assert_one_line_error(&self) -> &str {
        assert!(
            matches!(self.code, Some(c) if c != 0),
            "`jixiao {}` should fail, exited {:?}\nstdout:\n{}\nstderr:\n{}",
            self.args,
            self.code,
            self.stdout,
            self.stderr
        );
        for bad in ["panicked", "backtrace", "RUST_BACKTRACE", "Error {", "Os {"] {
            assert!(
                !self.stderr.contains(bad),
                "`jixiao {}` leaks internals ({bad}):\n{}",
                self.args,
                self.stderr
            );
        }
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert_eq!(
            lines.len(),
            1,
            "`jixiao {}` should print one line on stderr, got:\n{}",
            self.args,
            self.stderr
        );
        assert!(
            lines[0].starts_with("错误："),
            "`jixiao {}`: stderr should start with 错误：, got {:?}",
            self.args,
            lines[0]
        );
        assert!(
            self.stdout.trim().is_empty(),
            "`jixiao {}` failed but printed on stdout:\n{}",
            self.args,
            self.stdout
        );
        lines[0]
    }
}

/// Runs the binary in `dir` with a clean environment: no database or password from the caller's
/// shell, and backtraces requested so that a panic would show one.
fn run_in(dir: &Path, args: &[&str], db: Option<&str>) -> Output {
    let mut cmd = Command::cargo_bin("jixiao").expect("the jixiao binary is built");
    cmd.current_dir(dir)
        .env_remove("JIXIAO_DATABASE_URL")
        .env_remove("JIXIAO_AUDIT_KEY")
        .env_remove("JIXIAO_ADMIN_PASSWORD")
        .env_remove("JIXIAO_LOG")
        .env("RUST_BACKTRACE", "1")
        .args(args);
    let mut shown: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    if let Some(db) = db {
        cmd.args(["--db", db]);
        shown.extend(["--db".to_string(), db.to_string()]);
    }
    let out = cmd.output().expect("jixiao runs");
    Output {
        args: shown.join(" "),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn assert_seed_figures(report: &str) {
    for sentence in SEED_SENTENCES {
        assert!(
            report.contains(sentence),
            "the report lacks the seed figure “{sentence}”:\n{report}"
        );
    }
}

fn assert_demo_logins(stdout: &str) {
    assert!(
        stdout.contains("Demo#2023"),
        "demo password not printed:\n{stdout}"
    );
    for login in jixiao_demo::logins() {
        assert!(
            stdout.contains(login.username),
            "demo login {} not printed:\n{stdout}",
            login.username
        );
    }
    assert!(stdout.contains("jxg"), "{stdout}");
}

// ---------------------------------------------------------------------------------------------
// demo and report (SPEC §13, §15, §16)

#[test]
fn demo_loads_and_the_markdown_report_has_the_seed_figures_spec_15() {
    let sb = Sandbox::new();
    let demo = sb.load_demo();
    assert!(demo.stdout.contains("已载入演示县"), "{}", demo.stdout);
    assert!(demo.stdout.contains("且末县"), "{}", demo.stdout);
    assert_demo_logins(&demo.stdout);

    let report = sb.run(&["report", "annual", "--year", "2023", "--format", "md"]);
    report.assert_ok();
    assert!(report.stdout.contains("且末县"), "{}", report.stdout);
    assert_seed_figures(&report.stdout);

    // md is the default format, and `-o -` means standard output too.
    let default = sb.run(&["report", "annual", "--year", "2023", "-o", "-"]);
    default.assert_ok();
    assert_eq!(default.stdout, report.stdout);

    // The region may be named explicitly.
    let named = sb.run(&[
        "report",
        "annual",
        "--year",
        "2023",
        "--region",
        "652825000",
    ]);
    named.assert_ok();
    assert_eq!(named.stdout, report.stdout);
}

#[test]
fn report_writes_html_and_docx_files() {
    let sb = Sandbox::new();
    sb.load_demo();

    let html_path = sb.path("report.html");
    let html_arg = html_path.to_str().expect("a UTF-8 temp path");
    let html = sb.run(&[
        "report", "annual", "--year", "2023", "--format", "html", "-o", html_arg,
    ]);
    html.assert_ok();
    assert!(
        html.stdout.is_empty(),
        "a report written to a file is not echoed:\n{}",
        html.stdout
    );
    let text = std::fs::read_to_string(&html_path).expect("the HTML file was written");
    assert!(
        text.trim_start()
            .to_ascii_lowercase()
            .starts_with("<!doctype html"),
        "not an HTML document: {}",
        &text[..text.len().min(200)]
    );
    assert_seed_figures(&text);

    let docx_path = sb.path("报告.docx");
    let docx_arg = docx_path.to_str().expect("a UTF-8 temp path");
    let docx = sb.run(&[
        "report", "annual", "--year", "2023", "--format", "docx", "-o", docx_arg,
    ]);
    docx.assert_ok();
    let bytes = std::fs::read(&docx_path).expect("the .docx file was written");
    assert!(bytes.starts_with(b"PK"), "a .docx is a zip archive");
    assert!(
        bytes.len() > 1000,
        "a .docx of {} bytes is too small",
        bytes.len()
    );
}

#[test]
fn docx_to_standard_output_is_refused_in_chinese() {
    let sb = Sandbox::new();
    sb.load_demo();
    let out = sb.run(&["report", "annual", "--year", "2023", "--format", "docx"]);
    let line = out.assert_one_line_error();
    assert!(line.contains("-o"), "{line}");
    assert!(line.contains("Word"), "{line}");
}

#[test]
fn demo_twice_keeps_the_data_and_reset_reloads() {
    let sb = Sandbox::new();
    sb.load_demo();

    let again = sb.run(&["demo", "--no-serve"]);
    again.assert_ok();
    assert!(
        again.stdout.contains("演示县已在数据库中"),
        "{}",
        again.stdout
    );
    assert!(!again.stdout.contains("已载入演示县"), "{}", again.stdout);
    assert_demo_logins(&again.stdout);

    let reset = sb.run(&["demo", "--reset", "--no-serve"]);
    reset.assert_ok();
    assert!(reset.stdout.contains("已载入演示县"), "{}", reset.stdout);
    assert_demo_logins(&reset.stdout);

    // Reloaded, not doubled: the figures are still the seed's.
    let report = sb.run(&["report", "annual", "--year", "2023"]);
    report.assert_ok();
    assert_seed_figures(&report.stdout);
    let verify = sb.run(&["audit", "verify"]);
    verify.assert_ok();
    // The load, then the demo finance user's year-end work (2 publications, the assessment's
    // open, manual scores, adjustment, finalising and its 3 interview notices).
    assert!(verify.stdout.contains("10 条记录"), "{}", verify.stdout);
}

// ---------------------------------------------------------------------------------------------
// audit verify (SPEC §17: append-only, hash-chained)

#[test]
fn audit_verify_passes_then_names_the_tampered_row() {
    let sb = Sandbox::new();
    sb.load_demo();

    let ok = sb.run(&["audit", "verify"]);
    ok.assert_ok();
    assert!(ok.stdout.contains("哈希链校验通过"), "{}", ok.stdout);

    tamper(&sb.db);

    let broken = sb.run(&["audit", "verify"]);
    let line = broken.assert_one_line_error();
    assert!(line.contains("第 1 条记录"), "{line}");
}

/// Approved indicator library entries of a region.
fn library_count(db: &str, region: &str) -> i64 {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let store = jixiao_store::Store::connect(db)
            .await
            .expect("the database opens");
        let n = jixiao_store::indicator_library::count(&store, region)
            .await
            .expect("count");
        store.close().await;
        n
    })
}

/// Runs SQL on a sandbox's SQLite database behind the application's back, as someone with file
/// access could.
fn sql(db: &str, statements: &[&str]) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let store = jixiao_store::Store::connect(db)
            .await
            .expect("the database opens");
        let jixiao_store::Store::Sqlite(pool) = &store else {
            panic!("a sqlite:// URL opens SQLite");
        };
        for s in statements {
            sqlx::query(s)
                .execute(pool)
                .await
                .unwrap_or_else(|e| panic!("{s}: {e}"));
        }
        store.close().await;
    });
}

/// The sandbox database's audit rows, oldest first.
fn audit_rows(db: &str) -> Vec<jixiao_store::audit::Row> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let store = jixiao_store::Store::connect(db)
            .await
            .expect("the database opens");
        let mut rows = jixiao_store::audit::recent(&store, 1000)
            .await
            .expect("rows");
        store.close().await;
        rows.reverse();
        rows
    })
}

/// Edits the audit log behind the application's back, as someone with file access could: the
/// append-only trigger dropped first, as the database's owner can.
fn tamper(db: &str) {
    sql(db, &["DROP TRIGGER audit_log_no_update"]);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let store = jixiao_store::Store::connect(db)
            .await
            .expect("the demo database opens");
        let jixiao_store::Store::Sqlite(pool) = &store else {
            panic!("a sqlite:// URL opens SQLite");
        };
        let done = sqlx::query("UPDATE audit_log SET action = 'tampered'")
            .execute(pool)
            .await
            .expect("the update runs");
        assert!(done.rows_affected() >= 1, "the demo wrote an audit row");
        store.close().await;
    });
}

#[test]
fn the_audit_log_refuses_updates_and_deletes() {
    let sb = Sandbox::new();
    sb.load_demo();
    for statement in ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"] {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let err = runtime.block_on(async {
            let store = jixiao_store::Store::connect(&sb.db).await.expect("opens");
            let jixiao_store::Store::Sqlite(pool) = &store else {
                panic!("sqlite");
            };
            let r = sqlx::query(statement).execute(pool).await;
            store.close().await;
            r.expect_err(statement).to_string()
        });
        assert!(err.contains("操作日志只能追加，不能修改或删除"), "{err}");
    }
    sb.run(&["audit", "verify"]).assert_ok();
}

#[test]
fn init_creates_the_audit_key_and_verify_checks_signatures() {
    let sb = Sandbox::new();
    let args = [
        "init",
        "--region-code",
        "652825000",
        "--region-name",
        "且末县",
        "--password",
        "Init#2026pw",
    ];
    let out = sb.run(&args);
    out.assert_ok();
    assert!(
        out.stdout.contains("已生成操作日志签名密钥"),
        "{}",
        out.stdout
    );
    let key_file = sb.path("x.db.audit-key");
    let key = std::fs::read(&key_file).expect("init wrote the key file beside the database");
    assert!(jixiao_store::audit::Key::parse(&key).is_some());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file)
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is private");
    }
    // A second init keeps the key.
    sb.run(&args).assert_ok();
    assert_eq!(std::fs::read(&key_file).expect("key"), key);

    let ok = sb.run(&["audit", "verify"]);
    ok.assert_ok();
    assert!(ok.stdout.contains("签名校验通过"), "{}", ok.stdout);

    // Another key file (flag or environment) fails at the first signed row.
    std::fs::write(
        sb.path("other.key"),
        jixiao_store::audit::Key::generate().to_file(),
    )
    .expect("write");
    let other = sb.path("other.key").display().to_string();
    let wrong = sb.run(&["audit", "verify", "--audit-key", &other]);
    let line = wrong.assert_one_line_error();
    assert!(line.contains("第 1 条记录签名不符"), "{line}");
    let check = sb.run(&["check", "--audit-key", &other]);
    assert_ne!(check.code, Some(0), "{}", check.stdout);
    assert!(check.stdout.contains("签名不符"), "{}", check.stdout);

    // No key file: the chain is checked and the output says the signatures were not.
    let missing = sb.path("missing.key").display().to_string();
    let unchecked = sb.run(&["audit", "verify", "--audit-key", &missing]);
    unchecked.assert_ok();
    assert!(
        unchecked.stdout.contains("签名未校验"),
        "{}",
        unchecked.stdout
    );
    // …but nothing that writes goes on without it once the log is signed.
    let refused = sb.run(&["user", "list", "--audit-key", &missing]);
    let line = refused.assert_one_line_error();
    assert!(line.contains("找不到操作日志密钥文件"), "{line}");
    // A file that is not a key is an error, not silently ignored.
    let bad = sb.path("bad.key");
    std::fs::write(&bad, "not a key").expect("write");
    let out = sb.run(&["audit", "verify", "--audit-key", &bad.display().to_string()]);
    let line = out.assert_one_line_error();
    assert!(line.contains("内容无效"), "{line}");
}

#[test]
fn audit_verify_catches_a_rewrite_with_a_recomputed_chain() {
    let sb = Sandbox::new();
    sb.load_demo();
    let rows = audit_rows(&sb.db);
    let r = &rows[0];
    let e = jixiao_store::audit::Entry {
        user_id: r.user_id,
        username: &r.username,
        role: &r.role,
        ip: &r.ip,
        action: "forged",
        object_kind: &r.object_kind,
        object_id: &r.object_id,
        before_json: &r.before_json,
        after_json: &r.after_json,
    };
    let hash = jixiao_store::audit::digest(&r.prev_hash, &r.at, &e);
    sql(
        &sb.db,
        &[
            "DROP TRIGGER audit_log_no_update",
            &format!(
                "UPDATE audit_log SET action = 'forged', hash = '{hash}' WHERE id = {}",
                r.id
            ),
            &format!("UPDATE audit_head SET last_hash = '{hash}'"),
        ],
    );
    let broken = sb.run(&["audit", "verify"]);
    let line = broken.assert_one_line_error();
    assert!(line.contains("第 1 条记录签名不符"), "{line}");
}

#[test]
fn audit_verify_catches_a_cut_tail() {
    let sb = Sandbox::new();
    sb.load_demo();
    for name in ["a1", "a2", "a3"] {
        sb.run(&[
            "user",
            "add",
            name,
            "--name",
            "甲",
            "--role",
            "viewer",
            "--region",
            "652825000",
        ])
        .assert_ok();
    }
    let rows = audit_rows(&sb.db);
    assert_eq!(rows.len(), 13, "demo (10) + three users");
    sql(
        &sb.db,
        &[
            "DROP TRIGGER audit_log_no_delete",
            &format!("DELETE FROM audit_log WHERE id > {}", rows[1].id),
        ],
    );
    let cut = sb.run(&["audit", "verify"]);
    let line = cut.assert_one_line_error();
    assert!(line.contains("操作日志末尾被删除"), "{line}");
    assert!(
        line.contains(&format!("最后一条完整记录为第 {} 条", rows[1].id)),
        "{line}"
    );
    let check = sb.run(&["check"]);
    assert_ne!(check.code, Some(0));
    assert!(
        check.stdout.contains("操作日志末尾被删除"),
        "{}",
        check.stdout
    );
}

#[test]
fn audit_verify_on_an_empty_database_says_to_initialise() {
    let sb = Sandbox::new();
    let out = sb.run(&["audit", "verify"]);
    let line = out.assert_one_line_error();
    assert!(
        line.contains("jixiao init") && line.contains("jixiao demo"),
        "{line}"
    );
}

// ---------------------------------------------------------------------------------------------
// Bad input: one clear Chinese line, non-zero exit, no panic

#[test]
fn a_year_without_data_is_named() {
    let sb = Sandbox::new();
    sb.load_demo();
    let out = sb.run(&["report", "annual", "--year", "2031"]);
    let line = out.assert_one_line_error();
    assert!(line.contains("2031"), "{line}");
}

#[test]
fn a_year_out_of_range_is_refused() {
    let sb = Sandbox::new();
    sb.load_demo();
    for year in ["1999", "2101"] {
        let out = sb.run(&["report", "annual", "--year", year]);
        let line = out.assert_one_line_error();
        assert!(line.contains(year), "{line}");
    }
}

#[test]
fn a_database_url_of_another_kind_is_refused() {
    let sb = Sandbox::new();
    for args in [
        &["report", "annual", "--year", "2023"][..],
        &["demo", "--no-serve"][..],
        &["init", "--password", "Xy#12345678"][..],
        &["audit", "verify"][..],
    ] {
        let out = run_in(sb.dir.path(), args, Some("mysql://x"));
        let line = out.assert_one_line_error();
        assert!(line.contains("mysql://x"), "{line}");
        assert!(
            line.contains("sqlite://") && line.contains("postgres://"),
            "{line}"
        );
    }
}

#[test]
fn an_unopenable_database_is_one_line() {
    let sb = Sandbox::new();
    let db = "sqlite:///nonexistent-dir-xyz/a.db";
    assert!(!Path::new("/nonexistent-dir-xyz").exists());
    for args in [
        &["report", "annual", "--year", "2023"][..],
        &["demo", "--no-serve"][..],
    ] {
        let out = run_in(sb.dir.path(), args, Some(db));
        let line = out.assert_one_line_error();
        // Reading commands say the file is missing; `demo` tries to create it and says why not.
        assert!(
            line.contains("无法连接数据库") || line.contains("不存在"),
            "{line}"
        );
        assert!(line.contains("nonexistent-dir-xyz"), "{line}");
    }
}

#[test]
fn reading_a_missing_sqlite_file_creates_nothing() {
    let sb = Sandbox::new();
    let file = sb.dir.path().join("missing.db");
    let db = format!("sqlite://{}", file.display());
    for args in [
        &["report", "annual", "--year", "2023"][..],
        &["audit", "verify"][..],
    ] {
        let out = run_in(sb.dir.path(), args, Some(&db));
        let line = out.assert_one_line_error();
        assert!(line.contains("不存在"), "{line}");
    }
    assert!(!file.exists(), "no empty database is left behind");
}

#[test]
fn an_unreachable_postgres_is_one_line_without_the_password() {
    let sb = Sandbox::new();
    // Port 1 on localhost: refused at once, nothing listens there.
    let db = "postgres://jx:s3cret-pw@127.0.0.1:1/jixiao";
    let out = run_in(
        sb.dir.path(),
        &["report", "annual", "--year", "2023"],
        Some(db),
    );
    let line = out.assert_one_line_error();
    assert!(line.contains("无法连接数据库"), "{line}");
    assert!(!line.contains("s3cret-pw"), "the password leaks: {line}");
}

#[test]
fn report_on_a_fresh_database_says_to_run_init_or_demo() {
    let sb = Sandbox::new();
    let out = sb.run(&["report", "annual", "--year", "2023"]);
    let line = out.assert_one_line_error();
    assert!(
        line.contains("jixiao init") && line.contains("jixiao demo"),
        "{line}"
    );
}

#[test]
fn demo_refuses_a_database_with_other_data_unless_reset() {
    let sb = Sandbox::new();
    let init = sb.run(&[
        "init",
        "--region-code",
        "652825000",
        "--region-name",
        "且末县",
        "--password",
        "Xy#12345678",
    ]);
    init.assert_ok();
    assert!(init.stdout.contains("初始化完成"), "{}", init.stdout);
    // A new region starts with the built-in indicator library (SPEC §3).
    assert_eq!(
        library_count(&sb.db, "652825000"),
        jixiao_store::indicator_library::SEED.len() as i64
    );

    let out = sb.run(&["demo", "--no-serve"]);
    let line = out.assert_one_line_error();
    assert!(line.contains("--reset"), "{line}");
    assert!(line.contains("非演示数据"), "{line}");

    // Untouched: the report still has no units to report on, and init still finds its admin.
    let report = sb.run(&["report", "annual", "--year", "2023"]);
    report.assert_one_line_error();
    let again = sb.run(&["init"]);
    again.assert_ok();
    assert!(again.stdout.contains("已存在"), "{}", again.stdout);

    // With --reset the user asked for it.
    let reset = sb.run(&["demo", "--reset", "--no-serve"]);
    reset.assert_ok();
    assert!(reset.stdout.contains("已载入演示县"), "{}", reset.stdout);
}

#[test]
fn init_without_a_password_asks_for_one() {
    let sb = Sandbox::new();
    let out = sb.run(&[
        "init",
        "--region-code",
        "652825000",
        "--region-name",
        "且末县",
    ]);
    let line = out.assert_one_line_error();
    assert!(line.contains("--password"), "{line}");
    assert!(line.contains("JIXIAO_ADMIN_PASSWORD"), "{line}");

    // Nothing half-done: with the password it now succeeds from scratch.
    let ok = sb.run(&[
        "init",
        "--region-code",
        "652825000",
        "--region-name",
        "且末县",
        "--password",
        "Xy#12345678",
    ]);
    ok.assert_ok();
    assert!(ok.stdout.contains("652825000"), "{}", ok.stdout);
}

#[test]
fn init_on_a_fresh_database_without_a_region_asks_for_one() {
    let sb = Sandbox::new();
    let out = sb.run(&["init", "--password", "Xy#12345678"]);
    let line = out.assert_one_line_error();
    assert!(
        line.contains("--region-code") && line.contains("--region-name"),
        "{line}"
    );
}

#[test]
fn init_rejects_half_a_region_and_a_bad_region_code() {
    let sb = Sandbox::new();
    let half = sb.run(&[
        "init",
        "--region-code",
        "652825000",
        "--password",
        "Xy#12345678",
    ]);
    let line = half.assert_one_line_error();
    assert!(line.contains("--region-name"), "{line}");

    let bad = sb.run(&[
        "init",
        "--region-code",
        "65282",
        "--region-name",
        "且末县",
        "--password",
        "Xy#12345678",
    ]);
    bad.assert_one_line_error();
}

// ---------------------------------------------------------------------------------------------
// Help

#[test]
fn help_lists_the_subcommands() {
    let sb = Sandbox::new();
    let out = run_in(sb.dir.path(), &["--help"], None);
    out.assert_ok();
    for sub in ["init", "demo", "serve", "report", "audit"] {
        assert!(
            out.stdout.lines().any(|l| l.trim_start().starts_with(sub)),
            "--help does not list {sub}:\n{}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("--db"), "{}", out.stdout);
    // `jixiao --help` reads no database: nothing was created in the working directory.
    assert!(!sb.path("jixiao.db").exists());

    let report = run_in(sb.dir.path(), &["report", "annual", "--help"], None);
    report.assert_ok();
    for flag in ["--year", "--format", "--output", "--region"] {
        assert!(report.stdout.contains(flag), "{flag}:\n{}", report.stdout);
    }
}

#[test]
fn no_subcommand_is_a_usage_error() {
    let sb = Sandbox::new();
    let out = run_in(sb.dir.path(), &[], None);
    assert_eq!(out.code, Some(2), "clap's usage exit code\n{}", out.stderr);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL, when the suite is pointed at one

/// The same demo → report → verify story through the binary on PostgreSQL, in a schema of its own
/// (selected with the libpq `options` parameter). Runs only when `JIXIAO_TEST_POSTGRES_URL` is set.
#[test]
fn demo_report_and_verify_on_postgres() {
    let Some(base) = std::env::var(jixiao_store::testing::POSTGRES_URL_VAR)
        .ok()
        .filter(|u| !u.trim().is_empty())
    else {
        eprintln!("demo_report_and_verify_on_postgres: JIXIAO_TEST_POSTGRES_URL not set, skipped");
        return;
    };
    let schema = format!("cli_{}_{}", std::process::id(), nanos());
    pg_exec(&base, &format!("CREATE SCHEMA \"{schema}\""));
    let sep = if base.contains('?') { '&' } else { '?' };
    let db = format!("{base}{sep}options=-c%20search_path%3D{schema}");
    let sb = Sandbox::new();

    let empty = run_in(
        sb.dir.path(),
        &["report", "annual", "--year", "2023"],
        Some(&db),
    );
    let line = empty.assert_one_line_error();
    assert!(line.contains("jixiao init"), "{line}");

    let demo = run_in(sb.dir.path(), &["demo", "--no-serve"], Some(&db));
    demo.assert_ok();
    assert!(demo.stdout.contains("已载入演示县"), "{}", demo.stdout);
    let again = run_in(sb.dir.path(), &["demo", "--no-serve"], Some(&db));
    again.assert_ok();
    assert!(
        again.stdout.contains("演示县已在数据库中"),
        "{}",
        again.stdout
    );

    let report = run_in(
        sb.dir.path(),
        &["report", "annual", "--year", "2023"],
        Some(&db),
    );
    report.assert_ok();
    assert_seed_figures(&report.stdout);

    let verify = run_in(sb.dir.path(), &["audit", "verify"], Some(&db));
    verify.assert_ok();
    assert!(
        verify.stdout.contains("哈希链校验通过"),
        "{}",
        verify.stdout
    );

    pg_exec(&base, &format!("DROP SCHEMA \"{schema}\" CASCADE"));
}

fn nanos() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0)
}

fn pg_exec(url: &str, sql: &str) {
    use sqlx::Connection;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let mut c = sqlx::PgConnection::connect(url)
            .await
            .unwrap_or_else(|e| panic!("JIXIAO_TEST_POSTGRES_URL is set but unreachable: {e}"));
        sqlx::query(sql)
            .execute(&mut c)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        c.close().await.ok();
    });
}

/// Issue 12 item 4: `report annual --format pdf` lays the report out in-process on A4 pages with
/// the bundled Chinese font embedded and the charts drawn (no browser, office suite or network).
/// The pages were also turned into images with pdftoppm and looked at when this was written.
#[test]
fn report_writes_a_pdf_with_the_chinese_font_and_charts() {
    let sb = Sandbox::new();
    sb.load_demo();
    let refused = sb.run(&["report", "annual", "--year", "2023", "--format", "pdf"]);
    assert_ne!(refused.code, Some(0));
    assert!(
        refused.stderr.contains("PDF 格式须用 -o"),
        "{}",
        refused.stderr
    );

    let path = sb.path("报告.pdf");
    let arg = path.to_str().expect("a UTF-8 temp path");
    sb.run(&[
        "report", "annual", "--year", "2023", "--format", "pdf", "-o", arg,
    ])
    .assert_ok();
    let bytes = std::fs::read(&path).expect("the PDF was written");
    assert!(bytes.starts_with(b"%PDF-"), "a PDF file");
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type/Page/").count();
    assert!(pages >= 6, "{pages} pages");
    assert_eq!(
        text.matches("/MediaBox[0 0 595.2756 841.8898]").count(),
        pages,
        "every page is A4"
    );
    assert!(
        text.contains("NotoSansCJKsc-Regular"),
        "the bundled font is embedded"
    );
}
