//! SPEC §8.3 rule by rule, each through a real .xlsx written with rust_xlsxwriter and read back
//! by the reader (not only through the pure scoring function), plus the §6.2 value forms.

use jixiao_domain::scoring::Severity;
use jixiao_domain::settings::Settings;
use jixiao_forms::xlsx::{FormReport, Limits, check_workbook, read_workbook};
use rust_xlsxwriter::Workbook;

/// One indicator row: level 1, level 2, name, 年度指标值, 实际完成值, 分值, 得分, 偏差原因.
type Row<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
);

struct Form<'a> {
    rows: Vec<Row<'a>>,
    /// 全年预算数, 全年执行数 of the 年度资金总额 row; None → no funds block.
    funds: Option<(&'a str, &'a str)>,
    money_label: &'a str,
    weights: bool,
}

impl<'a> Form<'a> {
    fn new(rows: Vec<Row<'a>>) -> Self {
        Form {
            rows,
            funds: Some(("20", "20")),
            money_label: "项目资金（万元）",
            weights: true,
        }
    }

    /// The central layout (§14 layout 1), merged labels as the real forms have them.
    fn xlsx(&self) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("自评表").unwrap();
        ws.write(0, 0, "项目支出绩效自评表").unwrap();
        ws.write(1, 0, "（2023年度）").unwrap();
        ws.write(2, 0, "项目名称").unwrap();
        ws.write(2, 2, "测试项目").unwrap();
        ws.write(3, 0, "主管部门").unwrap();
        ws.write(3, 2, "县教育局").unwrap();
        ws.write(3, 5, "实施单位").unwrap();
        ws.write(3, 6, "县第一中学").unwrap();
        let mut r = 4;
        if let Some((budget, executed)) = self.funds {
            ws.write(4, 0, self.money_label).unwrap();
            for (c, h) in [
                "年初预算数",
                "全年预算数",
                "全年执行数",
                "分值",
                "执行率",
                "得分",
            ]
            .iter()
            .enumerate()
            {
                ws.write(4, 3 + c as u16, *h).unwrap();
            }
            ws.write(5, 2, "年度资金总额：").unwrap();
            ws.write(5, 3, budget).unwrap();
            ws.write(5, 4, budget).unwrap();
            ws.write(5, 5, executed).unwrap();
            ws.write(5, 6, "10").unwrap();
            ws.write(6, 2, "其中：当年财政拨款").unwrap();
            r = 7;
        }
        let headers: &[&str] = if self.weights {
            &[
                "一级指标",
                "二级指标",
                "三级指标",
                "年度指标值",
                "实际完成值",
                "分值",
                "得分",
                "偏差原因分析及改进措施",
            ]
        } else {
            &[
                "一级指标",
                "二级指标",
                "三级指标",
                "年度指标值",
                "实际完成值",
                "偏差原因分析及改进措施",
            ]
        };
        ws.write(r, 0, "绩效指标").unwrap();
        for (c, h) in headers.iter().enumerate() {
            ws.write(r, 1 + c as u16, *h).unwrap();
        }
        for (n, row) in self.rows.iter().enumerate() {
            let rr = r + 1 + n as u32;
            let (l1, l2, name, target, actual, weight, score, why) = *row;
            let cells: Vec<&str> = if self.weights {
                vec![l1, l2, name, target, actual, weight, score, why]
            } else {
                vec![l1, l2, name, target, actual, why]
            };
            for (c, v) in cells.iter().enumerate() {
                if !v.is_empty() {
                    ws.write(rr, 1 + c as u16, *v).unwrap();
                }
            }
        }
        let last = r + 1 + self.rows.len() as u32;
        ws.write(last, 0, "总分").unwrap();
        wb.save_to_buffer().unwrap()
    }

    fn check(&self) -> FormReport {
        let wb = read_workbook(&self.xlsx(), &Limits::default()).expect("readable");
        let mut r = check_workbook("test.xlsx", &wb, &Settings::default());
        assert_eq!(r.forms.len(), 1);
        r.forms.remove(0)
    }
}

fn one(target: &'static str, actual: &'static str, weight: &'static str) -> Form<'static> {
    Form::new(vec![(
        "产出指标",
        "数量指标",
        "测试指标",
        target,
        actual,
        weight,
        "",
        "说明",
    )])
}

fn score_of(target: &'static str, actual: &'static str, weight: &'static str) -> Option<f64> {
    one(target, actual, weight).check().indicators[0].score
}

fn has(f: &FormReport, severity: Severity, text: &str) -> bool {
    f.findings
        .iter()
        .any(|x| x.severity == severity && x.message.contains(text))
}

#[test]
fn quantitative_met_gives_w_spec_8_3() {
    assert_eq!(score_of("≥266米", "266", "10"), Some(10.0));
    assert_eq!(score_of(">=95%", "96%", "10"), Some(10.0));
    assert_eq!(score_of("≤202.6万元", "132.9", "10"), Some(10.0));
    assert_eq!(score_of("=8个", "8", "10"), Some(10.0));
}

#[test]
fn quantitative_not_met_is_proportional_spec_8_3() {
    assert_eq!(score_of("≥100个", "80", "10"), Some(8.0)); // B/A × W
    assert_eq!(score_of("≤80元", "100", "10"), Some(8.0)); // A/B × W
    assert_eq!(score_of("=100个", "90", "10"), Some(9.0)); // W × (1 − |B−A|/|A|)
    assert_eq!(score_of("=100个", "250", "10"), Some(0.0)); // never below 0
}

#[test]
fn rounding_half_up_two_places_spec_8_3() {
    assert_eq!(score_of("≥3个", "2", "10"), Some(6.67));
}

#[test]
fn zero_target_or_actual_needs_no_division_spec_8_3() {
    let f = one("=0次", "3", "10").check();
    assert_eq!(f.indicators[0].score, Some(0.0));
    assert!(has(&f, Severity::Warning, "为 0"));
}

#[test]
fn over_achievement_flagged_and_needs_explanation_spec_8_3() {
    let mut form = one("≥100个", "121", "10");
    form.rows[0].7 = "";
    let f = form.check();
    assert_eq!(f.indicators[0].score, Some(10.0));
    assert!(has(&f, Severity::Warning, "超出目标值"));
    assert!(has(&f, Severity::Error, "偏差原因"));
}

#[test]
fn qualitative_tiers_spec_8_3() {
    assert_eq!(score_of("效果明显", "达成预期指标", "10"), Some(10.0));
    let mut partly = one("效果明显", "部分达成预期指标并具有一定效果", "10");
    partly.rows[0].6 = "7";
    assert_eq!(partly.check().indicators[0].score, Some(7.0));
    assert_eq!(score_of("效果明显", "部分达成", "10"), Some(6.0)); // lower bound of the band
    assert_eq!(
        score_of("效果明显", "未达成预期指标且效果较差", "10"),
        Some(0.0)
    );
}

#[test]
fn stated_scores_are_rescored_and_differences_reported_spec_8_3() {
    let mut form = one("≥100个", "80", "10");
    form.rows[0].6 = "10";
    let f = form.check();
    assert_eq!(f.indicators[0].score, Some(8.0));
    assert_eq!(f.indicators[0].stated_score, Some(10.0));
    assert!(has(&f, Severity::Warning, "重新计算为 8"));
}

#[test]
fn execution_score_uses_full_year_budget_spec_8_3() {
    let mut form = one("≥1个", "1", "90");
    form.funds = Some(("202.64", "132.912"));
    let f = form.check();
    let funds = f.funds.expect("funds");
    assert_eq!(funds.execution_rate, Some(65.59));
    assert_eq!(funds.execution_score, Some(6.56));
    assert_eq!(f.total, Some(96.56));
    assert_eq!(f.grade, Some("优秀"));
}

#[test]
fn amounts_in_yuan_with_separators_spec_14() {
    let mut form = one("≥1个", "1", "90");
    form.money_label = "项目资金（元）";
    form.funds = Some(("3,309,840.00", "3,309,840.00"));
    let f = form.check();
    assert_eq!(f.funds.and_then(|x| x.budget_wan), Some(330.98));
}

#[test]
fn whole_form_total_and_grade_spec_8_3_8_5() {
    let f = Form::new(vec![
        (
            "产出指标(50分)",
            "数量指标",
            "A",
            "≥266米",
            "133",
            "20",
            "",
            "原因",
        ),
        ("", "质量指标", "B", "≥95%", "95", "15", "", ""),
        ("", "成本指标", "C", "≤20万元", "18", "15", "", ""),
        (
            "效益指标(30分)",
            "社会效益指标",
            "D",
            "效果明显",
            "达成预期指标",
            "30",
            "",
            "",
        ),
        (
            "满意度指标(10分)",
            "服务对象满意度指标",
            "E",
            "≥90%",
            "95",
            "10",
            "",
            "",
        ),
    ])
    .check();
    let scores: Vec<_> = f.indicators.iter().map(|i| i.score).collect();
    assert_eq!(
        scores,
        vec![Some(10.0), Some(15.0), Some(15.0), Some(30.0), Some(10.0)]
    );
    assert_eq!(f.total, Some(90.0));
    assert_eq!(f.grade, Some("优秀"));
    assert_eq!(f.indicators[1].level1, "产出指标"); // carried down, weight suffix stripped
}

#[test]
fn weights_must_add_to_ninety_spec_8_2() {
    let f = one("≥1个", "1", "100").check();
    assert!(has(&f, Severity::Error, "指标分值合计为 100"));
}

#[test]
fn form_without_weights_is_read_but_not_scored_spec_14() {
    let mut form = one("≥1个", "1", "");
    form.weights = false;
    let f = form.check();
    assert_eq!(f.indicators.len(), 1);
    assert_eq!(f.total, None);
    assert!(has(&f, Severity::Warning, "没有指标分值"));
}

#[test]
fn sub_items_have_a_parent_and_no_score_spec_6_2() {
    let f = Form::new(vec![
        (
            "产出指标",
            "数量指标",
            "★培训人次",
            "≥100人次",
            "100",
            "90",
            "",
            "",
        ),
        ("", "", "其中：骨干教师", "≥20人次", "20", "", "", ""),
    ])
    .check();
    assert_eq!(f.indicators.len(), 2);
    assert_eq!(f.indicators[0].name, "培训人次");
    assert_eq!(f.indicators[1].parent, Some(0));
    assert_eq!(f.indicators[1].score, None);
    assert_eq!(f.indicators[1].weight, None);
    assert_eq!(f.total, Some(100.0));
}

#[test]
fn sign_inferred_with_a_warning_spec_6_2() {
    let f = Form::new(vec![
        ("产出指标", "成本指标", "成本", "20万元", "18", "45", "", ""),
        ("产出指标", "数量指标", "数量", "100个", "100", "45", "", ""),
    ])
    .check();
    assert_eq!(f.indicators[0].sign, Some("≤"));
    assert_eq!(f.indicators[1].sign, Some("≥"));
    assert!(f.indicators.iter().all(|i| i.sign_inferred));
    assert!(has(&f, Severity::Warning, "推定为“≤”"));
}

#[test]
fn json_report_has_the_documented_shape() {
    let f = one("≥266米", "≥266米", "90").check();
    let report = jixiao_forms::xlsx::FileReport {
        file: "x.xlsx".into(),
        forms: vec![f],
        error: None,
    };
    let json = jixiao_forms::xlsx::json_report(&[report]);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let form = &v["files"][0]["forms"][0];
    for key in [
        "sheet",
        "kind",
        "project",
        "department",
        "implementer",
        "fiscal_year",
        "funds",
        "indicators",
        "total",
        "stated_total",
        "grade",
        "findings",
    ] {
        assert!(form.get(key).is_some(), "{key} missing: {form}");
    }
    let i = &form["indicators"][0];
    assert_eq!(i["sign"], "≥");
    assert_eq!(i["target"], 266.0);
    assert_eq!(i["actual"], 266.0);
    assert_eq!(i["unit"], "米");
    assert_eq!(i["parent"], serde_json::Value::Null);
    assert_eq!(form["funds"]["budget_wan"], 20.0);
    assert_eq!(form["fiscal_year"], 2023);
    assert_eq!(form["total"], 100.0);
    assert_eq!(form["grade"], "优秀");
    assert!(json.find("\"sheet\"").unwrap() < json.find("\"kind\"").unwrap());
}
