//! The seven real published forms of fixtures/real-forms (issue 4 "done when"): each is read
//! without a crash, its kind detected, its indicators counted, scored where a score can be
//! computed, and the inconsistencies the README lists are reported.

use jixiao_domain::scoring::Severity;
use jixiao_domain::settings::Settings;
use jixiao_forms::xlsx::{FileReport, FormReport, Limits, check_workbook, read_workbook};
use std::path::PathBuf;

fn real_forms_dir() -> PathBuf {
    // The fixtures live in the repository: <workspace>/fixtures/real-forms.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/real-forms");
    assert!(
        dir.join("README.md").is_file(),
        "the real forms are missing: expected them at {} (fixtures/real-forms in the \
         repository). These tests must not be skipped.",
        dir.display()
    );
    dir
}

fn check(name: &str) -> FileReport {
    let path = real_forms_dir().join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let workbook = read_workbook(&bytes, &Limits::default())
        .unwrap_or_else(|e| panic!("{name} could not be read: {e}"));
    check_workbook(name, &workbook, &Settings::default())
}

fn has(form: &FormReport, severity: Severity, cell: Option<&str>, text: &str) -> bool {
    form.findings.iter().any(|f| {
        f.severity == severity
            && (cell.is_none() || f.cell.as_deref() == cell)
            && f.message.contains(text)
    })
}

fn only_form(r: &FileReport) -> &FormReport {
    assert_eq!(r.forms.len(), 1, "{r:#?}");
    &r.forms[0]
}

#[test]
fn every_real_form_reads_without_error() {
    let dir = real_forms_dir();
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("real-forms folder") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "xlsx") {
            let bytes = std::fs::read(&path).expect("read");
            let wb = read_workbook(&bytes, &Limits::default());
            assert!(wb.is_ok(), "{}: {:?}", path.display(), wb.err());
            n += 1;
        }
    }
    assert_eq!(n, 7, "seven real forms expected in {}", dir.display());
}

#[test]
fn t01_zero_total_row_uses_sub_rows_and_warns() {
    let r = check("t01.xlsx");
    let f = only_form(&r);
    assert_eq!(f.kind, "project_self_evaluation");
    assert_eq!(f.project.as_deref(), Some("委托业务项目"));
    assert_eq!(f.fiscal_year, Some(2022));
    assert_eq!(f.indicators.len(), 10);
    let funds = f.funds.as_ref().expect("funds");
    assert_eq!(funds.budget_wan, Some(89.97));
    assert_eq!(funds.execution_rate, Some(100.0));
    assert_eq!(funds.execution_score, Some(10.0));
    assert!(has(
        f,
        Severity::Warning,
        Some("E6"),
        "年度资金总额一行为 0"
    ));
    assert!(has(
        f,
        Severity::Warning,
        Some("E6"),
        "预算执行率得分表中为 0"
    ));
    // `≥100百分比` is 100 %.
    assert_eq!(f.indicators[1].unit.as_deref(), Some("%"));
    assert_eq!(f.indicators[1].target, serde_json::json!(100.0));
    // Qualitative `达成预期指标` scores in full, like the printed 8.
    assert_eq!(f.indicators[2].score, Some(8.0));
    assert!(f.indicators[2].qualitative);
    // Cut off inside 满意度: the last row has no value or weight, so no total.
    assert_eq!(f.total, None);
    assert!(has(f, Severity::Error, Some("D23"), "没有分值"));
    for i in &f.indicators[..9] {
        assert_eq!(i.score, i.stated_score, "{}", i.name);
    }
}

#[test]
fn t02_budget_cut_and_cost_target_scored_in_full() {
    let r = check("t02.xlsx");
    let f = only_form(&r);
    assert_eq!(f.kind, "project_self_evaluation");
    assert_eq!(f.indicators.len(), 8);
    let funds = f.funds.as_ref().expect("funds");
    assert_eq!(funds.budget_wan, Some(132.91)); // 全年预算数, not 年初 202.64
    assert_eq!(funds.execution_score, Some(10.0));
    // `=8个` was typed into a cell as a formula: read as the text typed.
    assert!(has(f, Severity::Warning, Some("E11"), "公式"));
    assert_eq!(f.indicators[0].sign, Some("="));
    assert_eq!(f.indicators[0].target, serde_json::json!(8.0));
    // ≤202.6万元 with 132.9 → full 10, over-achievement flagged (§8.3).
    let cost = &f.indicators[5];
    assert_eq!((cost.sign, cost.score), (Some("≤"), Some(10.0)));
    assert!(has(f, Severity::Warning, Some("D16"), "超出目标值"));
    // Cut after 可持续影响: the weights add to 70, the engine still totals what is there.
    assert!(has(f, Severity::Error, None, "指标分值合计为 70"));
    assert_eq!(f.total, Some(80.0));
}

#[test]
fn t03_instruction_text_reported_and_not_scored() {
    let r = check("t03.xlsx");
    let f = only_form(&r);
    assert_eq!(f.kind, "project_self_evaluation");
    assert_eq!(f.fiscal_year, Some(2023));
    assert_eq!(f.indicators.len(), 2);
    assert!(has(f, Severity::Warning, Some("C12"), "填表说明"));
    assert!(has(f, Severity::Warning, Some("J6"), "填表说明"));
    let funds = f.funds.as_ref().expect("funds");
    assert_eq!(funds.budget_wan, Some(251.89)); // 调整后预算数, not 年初 238.93
    assert_eq!(f.total, None);
    assert!(
        f.indicators
            .iter()
            .all(|i| i.actual.is_null() && i.score.is_none())
    );
    assert!(has(f, Severity::Error, Some("C14"), "未填写实际完成值"));
    // Sign, value and unit in three cells.
    assert_eq!(f.indicators[0].sign, Some("="));
    assert_eq!(f.indicators[0].unit.as_deref(), Some("%"));
}

#[test]
fn t05_weights_110_and_sign_repeated_actuals() {
    let r = check("t05.xlsx");
    let f = only_form(&r);
    assert_eq!(f.kind, "project_self_evaluation");
    assert_eq!(f.indicators.len(), 9);
    assert!(has(f, Severity::Error, None, "110"));
    assert!(has(f, Severity::Warning, Some("G12"), "重复了目标的符号"));
    assert_eq!(f.indicators[0].actual, serde_json::json!(266.0));
    // `100%` and `20万元` carry no sign: inferred ≥ (产出) and ≤ (成本), with warnings.
    assert!(f.indicators[2].sign_inferred && f.indicators[2].sign == Some("≥"));
    assert!(f.indicators[5].sign_inferred && f.indicators[5].sign == Some("≤"));
    assert!(has(f, Severity::Warning, Some("F17"), "推定为“≤”"));
    // 100 + 10 points given, capped at 100 as printed.
    assert_eq!(f.total, Some(100.0));
    assert_eq!(f.stated_total, Some(100.0));
    assert_eq!(f.grade, Some("优秀"));
}

#[test]
fn t08_project_target_with_ascii_signs_and_placeholders() {
    let r = check("t08.xlsx");
    let f = only_form(&r);
    assert_eq!(f.kind, "project_target");
    assert_eq!(f.fiscal_year, Some(2018));
    assert_eq!(f.indicators.len(), 16);
    assert!(
        f.indicators
            .iter()
            .all(|i| i.sign.is_some() && !i.sign_inferred)
    );
    assert_eq!(f.indicators[5].sign, Some("≤"));
    assert_eq!(f.indicators[5].unit.as_deref(), Some("元/亩"));
    assert!(has(f, Severity::Warning, Some("D11"), "占位符"));
    // `*` marks a core indicator; the mark is not part of the name.
    assert!(
        f.indicators[3]
            .name
            .starts_with("贫困地区旅游基础设施建设质量达标率")
    );
    assert_eq!(f.funds.as_ref().and_then(|x| x.budget_wan), Some(10.0));
    assert_eq!(f.total, None);
}

#[test]
fn t11_one_row_per_indicator_several_projects_in_yuan() {
    let r = check("t11.xlsx");
    assert_eq!(r.forms.len(), 2);
    let (a, b) = (&r.forms[0], &r.forms[1]);
    assert!(r.forms.iter().all(|f| f.kind == "project_target"));
    assert_eq!(a.project.as_deref(), Some("村组干部报酬"));
    assert_eq!(b.project.as_deref(), Some("基层组织活动经费"));
    assert_eq!(
        a.implementer.as_deref(),
        Some("820001-井研县马踏镇人民政府")
    );
    assert_eq!(a.department.as_deref(), Some("820-马踏镇部门"));
    assert_eq!((a.indicators.len(), b.indicators.len()), (8, 5));
    // 3,309,840.00 元 = 330.98 万元.
    assert_eq!(a.funds.as_ref().and_then(|x| x.budget_wan), Some(330.98));
    assert_eq!(b.funds.as_ref().and_then(|x| x.budget_wan), Some(66.0));
    let weights: f64 = a.indicators.iter().filter_map(|i| i.weight).sum();
    assert_eq!(weights, 90.0);
    // Unordered rows keep their own level 1.
    assert_eq!(a.indicators[0].level1, "效益指标");
    assert_eq!(a.indicators[1].level1, "产出指标");
}

#[test]
fn t14_fragment_without_header_and_fractional_weights() {
    let r = check("t14.xlsx");
    let f = only_form(&r);
    assert_eq!(f.kind, "project_self_evaluation");
    assert_eq!(f.project, None);
    assert!(has(f, Severity::Warning, None, "项目未知"));
    assert_eq!(f.indicators.len(), 4);
    assert!(f.indicators.iter().all(|i| i.weight == Some(22.5)));
    assert_eq!(f.funds, None);
    assert_eq!(f.total, None);
}
