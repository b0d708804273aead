//! `jixiao forms check` on a monitoring form (issue 10 item 8): the real binary, run on a
//! workbook written in a temporary directory, prints the figures of SPEC §7 in its JSON report
//! (the `monitoring` object, each indicator's `completion`) and in its Chinese summary.

use assert_cmd::Command;
use jixiao_domain::indicator::Sign;
use jixiao_domain::money::Fen;
use jixiao_forms::xlsx::write::{
    Form, Indicator, MonitoredIndicator, MonitoringForm, MonitoringFunds, MonitoringLine, Target,
    Value, write_forms,
};
use rust_decimal::Decimal;
use std::path::Path;

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn indicator(name: &str, target: &str, to_date: &str, cause: &str) -> MonitoredIndicator {
    MonitoredIndicator {
        indicator: Indicator::new(
            "产出指标",
            "数量指标",
            name,
            Target::Quantitative {
                sign: Sign::Ge,
                value: d(target),
                unit: "个".into(),
            },
        ),
        to_date: Some(Value::Number(d(to_date))),
        forecast: Some(Value::Number(d(target))),
        deviation: cause.into(),
        likelihood: "有可能".into(),
    }
}

/// The workbook, worked by hand (SPEC §7):
/// - period 1-8月; 全年预算数 200万元, executed 90.24万元 → execution rate 90.24 ÷ 200 = 45.12%;
/// - 村卫生室改造 ≥100, 50 done → 0.5 (50.00%); 健康档案 ≥500, 273 done → 0.546 (54.60%);
///   no 分值, so equal weights: (0.5 + 0.546) ÷ 2 = 0.523 → completion estimate 52.30%;
/// - reported 总体完成率 60% → deviation |45.12 − 60| = 14.88 points (not above 20: no red);
/// - August's schedule asks 60% → 45.12% is slow: one yellow `slow_execution` warning;
/// - both indicators are 有可能 with a cause written: no unlikely warning, no data finding.
fn workbook(dir: &Path) -> String {
    let line = MonitoringLine {
        budget: Some(Fen::from_wan(200)),
        executed: Some(Fen(90_240_000)),
        forecast: Some(Fen::from_wan(198)),
    };
    let form = MonitoringForm {
        fiscal_year: 2023,
        period_end_month: 8,
        project: "基本公共卫生服务".into(),
        department: "且末县卫生健康委员会".into(),
        implementer: "且末县疾病预防控制中心".into(),
        funds: MonitoringFunds {
            total: line.clone(),
            current: line,
            ..MonitoringFunds::default()
        },
        goal: "改造村卫生室 100 个，建立健康档案 500 份".into(),
        goal_progress: "已改造 50 个".into(),
        goal_forecast: "年底前全部完成".into(),
        completion_rate: Some(d("60")),
        indicators: vec![
            indicator("村卫生室改造", "100", "50", "经费保障：资金下达较晚"),
            indicator("健康档案", "500", "273", "人员保障：专业人员不足"),
        ],
    };
    let bytes = write_forms(&[Form::from(form)]).expect("written");
    let path = dir.join("监控表.xlsx");
    std::fs::write(&path, bytes).expect("saved");
    path.display().to_string()
}

fn forms_check(args: &[&str]) -> (i32, String) {
    let out = Command::cargo_bin("jixiao")
        .expect("the jixiao binary is built")
        .env_remove("JIXIAO_DATABASE_URL")
        .env_remove("JIXIAO_LOG")
        .args(["forms", "check"])
        .args(args)
        .output()
        .expect("jixiao runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.stderr.is_empty(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().expect("an exit code"), stdout)
}

#[test]
fn json_report_of_a_monitoring_form_has_its_figures_issue_10_item_8() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = workbook(dir.path());
    let (code, stdout) = forms_check(&[&file, "--json"]);
    assert_eq!(code, 0, "no error finding: {stdout}");
    // The exact text: two decimals on every rate, as the issue shows them (60.00, not 60.0).
    let expected = r#"          "monitoring": {
            "period_end_month": 8,
            "execution_rate": 45.12,
            "completion_estimate": 52.30,
            "reported_completion_rate": 60.00,
            "deviation": 14.88,
            "warnings": [
              {
                "kind": "slow_execution",
                "level": "yellow",
                "message": "截至 8 月末预算执行率 45.12%，低于序时进度要求的 60%"
              }
            ]
          },"#;
    assert!(stdout.contains(expected), "{stdout}");
    assert!(stdout.contains(r#""completion": 50.00"#), "{stdout}");
    assert!(stdout.contains(r#""completion": 54.60"#), "{stdout}");

    let v: serde_json::Value = serde_json::from_str(&stdout).expect("valid JSON");
    let form = &v["files"][0]["forms"][0];
    assert_eq!(form["kind"], "monitoring");
    let m = &form["monitoring"];
    assert_eq!(m["period_end_month"], 8);
    assert_eq!(m["execution_rate"], 45.12);
    assert_eq!(m["completion_estimate"], 52.3);
    assert_eq!(m["reported_completion_rate"], 60.0);
    assert_eq!(m["deviation"], 14.88);
    assert_eq!(m["warnings"].as_array().map(Vec::len), Some(1));
    let completions: Vec<f64> = form["indicators"]
        .as_array()
        .expect("indicators")
        .iter()
        .map(|i| i["completion"].as_f64().expect("a number"))
        .collect();
    assert_eq!(completions, [50.0, 54.6]);
}

#[test]
fn chinese_summary_of_a_monitoring_form_has_its_figures_issue_10_item_8() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = workbook(dir.path());
    let (code, stdout) = forms_check(&[&file]);
    assert_eq!(code, 0, "{stdout}");
    for line in [
        "【绩效目标执行监控表】",
        "1. 产出指标/数量指标/村卫生室改造：目标 ≥100个，实际 50，分值 —，得分 —（表中 —），完成率 50.00%",
        "2. 产出指标/数量指标/健康档案：目标 ≥500个，实际 273，分值 —，得分 —（表中 —），完成率 54.60%",
        "  监控（截至 8 月末）：预算执行率 45.12%，按指标测算的完成率 52.30%，填报的总体完成率 60.00%，偏差 14.88 个百分点",
        "  预警 1 条：",
        "    黄色预警【预算执行缓慢】截至 8 月末预算执行率 45.12%，低于序时进度要求的 60%",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in:\n{stdout}");
    }
    assert!(!stdout.contains("监控数据检查"), "{stdout}");
}

/// `jixiao forms check … | head` (issue 14 item 4): when the reader of standard output has gone
/// away, the command ends quietly, with no panic message, instead of failing on the closed pipe.
#[test]
fn a_closed_pipe_ends_the_summary_quietly_issue_14() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let file = workbook(dir.path());
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader); // nobody will read: the first write meets a closed pipe
    use assert_cmd::cargo::CommandCargoExt;
    let out = std::process::Command::cargo_bin("jixiao")
        .expect("the jixiao binary is built")
        .env_remove("JIXIAO_DATABASE_URL")
        .env_remove("JIXIAO_LOG")
        .args(["forms", "check", &file, &file, &file])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("jixiao runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    assert!(stderr.is_empty(), "stderr: {stderr}");
    assert_eq!(out.status.code(), Some(0));
}
