//! `jixiao monitoring task create` (issue 10 item 1): the finance performance office issues a
//! monitoring task from the terminal, with the same checks and drafts as the web page and API.

use assert_cmd::Command;
use std::path::Path;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn jixiao(dir: &Path, db: &str, args: &[&str]) -> Run {
    let out = Command::cargo_bin("jixiao")
        .expect("the jixiao binary")
        .current_dir(dir)
        .env_remove("JIXIAO_DATABASE_URL")
        .env_remove("JIXIAO_AUDIT_KEY")
        .env_remove("JIXIAO_LOG")
        .args(args)
        .args(["--db", db])
        .output()
        .expect("runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn refused(run: &Run, what: &str, text: &str) {
    assert_ne!(run.code, Some(0), "{what} should fail\n{}", run.stdout);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert!(
        lines.len() == 1 && lines[0].starts_with("错误：") && lines[0].contains(text),
        "{what}: {}",
        run.stderr
    );
}

#[test]
fn finance_issues_a_monitoring_task_from_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}/demo.db", dir.path().display());
    let load = jixiao(dir.path(), &db, &["demo", "--no-serve"]);
    assert_eq!(load.code, Some(0), "demo: {}", load.stderr);
    let task = |user: &str, extra: &[&str]| {
        let mut args = vec![
            "monitoring",
            "task",
            "create",
            "--year",
            "2023",
            "--period-end-month",
            "10",
            "--deadline",
            "2099-11-20",
            "--as",
            user,
        ];
        args.extend_from_slice(extra);
        jixiao(dir.path(), &db, &args)
    };
    // A unit approver may not; an unknown unit code and a bad date are named.
    refused(
        &task("jyj_sh", &[]),
        "a unit user",
        "只有财政绩效管理员可以下达监控任务",
    );
    refused(
        &task("jxg", &["--unit", "999999"]),
        "an unknown unit",
        "单位编码 999999 不存在",
    );
    let bad = jixiao(
        dir.path(),
        &db,
        &[
            "monitoring",
            "task",
            "create",
            "--year",
            "2023",
            "--period-end-month",
            "10",
            "--deadline",
            "2099-02-30",
            "--as",
            "jxg",
        ],
    );
    refused(&bad, "a bad date", "报送截止日期");
    // Finance issues it for one unit: one draft per project of that unit with a target in force.
    let run = task(
        "jxg",
        &["--unit", "111", "--name", "2023年1-10月教育局项目监控"],
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let drafts: i64 = run
        .stdout
        .split("生成报告草稿 ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}", run.stdout));
    assert!(drafts > 0, "{}", run.stdout);
    assert!(run.stdout.contains("已下达监控任务"), "{}", run.stdout);
}
