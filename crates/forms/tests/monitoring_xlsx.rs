//! Monitoring forms (项目支出绩效目标执行监控表, SPEC §7 and §14) through real .xlsx files: the
//! layouts the reader takes (the national 136号 form with its tick sub-columns, a provincial
//! variant with 分值, written likelihood and a 总体完成率 row), the figures `forms check` adds
//! (issue 10 item 8), and the round trip of forms written by `write_forms`.

use jixiao_domain::indicator::Sign;
use jixiao_domain::money::Fen;
use jixiao_domain::monitoring::{
    self, DeviationCause, Likelihood, MonitoredIndicator as DomainIndicator, MonitoringReport,
};
use jixiao_domain::scoring::Severity;
use jixiao_domain::settings::Settings;
use jixiao_forms::xlsx::write::{
    Form, Indicator, MonitoredIndicator, MonitoringForm, MonitoringFunds, MonitoringLine, Target,
    Value, write_forms,
};
use jixiao_forms::xlsx::{
    FormKind, FormReport, Limits, ParsedForm, check_workbook, json_report, monitoring_input,
    read_workbook,
};
use rust_decimal::Decimal;
use rust_xlsxwriter::{Format, Workbook, Worksheet};

fn d(s: &str) -> Decimal {
    s.parse().expect("decimal")
}

fn read(bytes: &[u8]) -> Vec<ParsedForm> {
    read_workbook(bytes, &Limits::default())
        .expect("read")
        .forms
}

fn check(bytes: &[u8]) -> FormReport {
    let book = read_workbook(bytes, &Limits::default()).expect("read");
    let mut r = check_workbook("x.xlsx", &book, &Settings::default());
    assert_eq!(r.forms.len(), 1, "{:#?}", r.forms);
    r.forms.remove(0)
}

fn merge(ws: &mut Worksheet, (r0, c0): (u32, u16), (r1, c1): (u32, u16), text: &str) {
    ws.merge_range(r0, c0, r1, c1, text, &Format::new())
        .expect("merged");
}

fn put(ws: &mut Worksheet, r: u32, c: u16, text: &str) {
    if let Ok(n) = text.parse::<f64>() {
        ws.write_number(r, c, n).expect("number");
    } else if !text.is_empty() {
        ws.write_string(r, c, text).expect("text");
    }
}

// ---------------------------------------------------------------------------------------------
// The national 136号 form (SPEC §14 layout (a))

/// One indicator row of the 136号 form: levels, name, 年度指标值, 1-7月执行情况, 全年预计完成情况,
/// then the five cause ticks and the three likelihood ticks.
type TickRow<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    [&'a str; 5],
    [&'a str; 3],
);

/// The 136号 form as published: 年初预算数 · 1-7月执行数 · 1-7月执行率 · 全年预计执行数, a
/// two-row indicator header whose 偏差原因分析 and 完成目标可能性 stand over tick sub-columns,
/// no 分值 and no 总体完成率, then the form's cause analysis, its measures and the 注.
fn national_136(rows: &[TickRow<'_>], executed_wan: &str) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("监控表").expect("name");
    merge(ws, (0, 0), (0, 15), "项目支出绩效目标执行监控表");
    merge(ws, (1, 0), (1, 15), "（2023年度）");
    merge(ws, (2, 0), (2, 2), "项目名称");
    merge(ws, (2, 3), (2, 15), "农村饮水安全巩固提升工程");
    merge(ws, (3, 0), (3, 2), "主管部门及代码");
    merge(ws, (3, 3), (3, 7), "且末县水利局");
    merge(ws, (3, 8), (3, 9), "实施单位");
    merge(ws, (3, 10), (3, 15), "且末县水利工程管理站");
    merge(ws, (4, 0), (8, 1), "项目资金（万元）");
    for (c, h) in ["年初预算数", "1-7月执行数", "1-7月执行率", "全年预计执行数"]
        .iter()
        .enumerate()
    {
        put(ws, 4, 3 + c as u16, h);
    }
    for (r, (label, budget, executed, rate, forecast)) in [
        ("年度资金总额", "200", executed_wan, "15%", "195"),
        ("其中：财政拨款", "200", executed_wan, "15%", "195"),
        ("上年结转资金", "", "", "", ""),
        ("其他资金", "", "", "", ""),
    ]
    .iter()
    .enumerate()
    {
        let r = 5 + r as u32;
        put(ws, r, 2, label);
        put(ws, r, 3, budget);
        put(ws, r, 4, executed);
        put(ws, r, 5, rate);
        put(ws, r, 6, forecast);
    }
    merge(ws, (9, 0), (10, 1), "年度总体目标");
    merge(ws, (9, 2), (9, 6), "年初设定目标");
    merge(ws, (9, 7), (9, 11), "1-7月实际完成情况");
    merge(ws, (9, 12), (9, 15), "全年预计完成情况");
    merge(ws, (10, 2), (10, 6), "新建蓄水池 4 座，解决 5000 人饮水");
    merge(ws, (10, 7), (10, 11), "已建成 2 座");
    merge(ws, (10, 12), (10, 15), "年底前建成 4 座");
    let n = rows.len() as u32;
    merge(ws, (11, 0), (12 + n, 0), "绩效指标");
    for (c, h) in [
        (1, "一级指标"),
        (2, "二级指标"),
        (3, "三级指标"),
        (4, "年度指标值"),
        (5, "1-7月执行情况"),
        (6, "全年预计完成情况"),
        (15, "备注"),
    ] {
        merge(ws, (11, c), (12, c), h);
    }
    merge(ws, (11, 7), (11, 11), "偏差原因分析");
    merge(ws, (11, 12), (11, 14), "完成目标可能性");
    for (c, h) in [
        "经费保障",
        "制度保障",
        "人员保障",
        "硬件条件保障",
        "其他",
        "确定能",
        "有可能",
        "完全不可能",
    ]
    .iter()
    .enumerate()
    {
        put(ws, 12, 7 + c as u16, h);
    }
    for (i, (l1, l2, name, target, to_date, forecast, causes, likely)) in rows.iter().enumerate() {
        let r = 13 + i as u32;
        for (c, t) in [l1, l2, name, target, to_date, forecast].iter().enumerate() {
            // Values as people type them: numbers as numbers, `≥4座` as text.
            put(ws, r, 1 + c as u16, t);
        }
        for (c, t) in causes.iter().chain(likely.iter()).enumerate() {
            put(ws, r, 7 + c as u16, t);
        }
    }
    let r = 13 + n;
    merge(ws, (r, 0), (r, 3), "偏差或不能完成目标原因分析");
    merge(
        ws,
        (r, 4),
        (r, 15),
        "配套资金到位晚，受益人口因移民搬迁减少",
    );
    merge(ws, (r + 1, 0), (r + 1, 3), "相关建议或举措");
    merge(ws, (r + 1, 4), (r + 1, 15), "督促配套资金 8 月底前到位");
    merge(
        ws,
        (r + 2, 0),
        (r + 2, 15),
        "注：1.偏差原因分析、完成目标可能性在对应栏目打“√”。",
    );
    wb.save_to_buffer().expect("saved")
}

const NO: [&str; 5] = ["", "", "", "", ""];

fn rows_136() -> Vec<TickRow<'static>> {
    vec![
        (
            "产出指标",
            "数量指标",
            "新建蓄水池",
            "≥4座",
            "2",
            "4",
            ["√", "", "", "", ""],
            ["", "√", ""],
        ),
        (
            "产出指标",
            "质量指标",
            "工程验收合格率",
            "≥100%",
            "100",
            "100",
            NO,
            ["✓", "", ""],
        ),
        (
            "效益指标",
            "社会效益指标",
            "受益人口",
            "≥5000人",
            "1000",
            "3000",
            ["", "", "是", "✔", ""],
            ["", "", "√"],
        ),
        (
            "满意度指标",
            "服务对象满意度指标",
            "群众满意度",
            "≥90%",
            "",
            "95",
            NO,
            ["√", "", ""],
        ),
    ]
}

#[test]
fn the_136_form_reads_its_ticks_spec_14() {
    let forms = read(&national_136(&rows_136(), "30"));
    assert_eq!(forms.len(), 1);
    let f = &forms[0];
    assert_eq!(f.kind, FormKind::Monitoring);
    assert_eq!(f.project.as_deref(), Some("农村饮水安全巩固提升工程"));
    assert_eq!(f.fiscal_year, Some(2023));
    assert_eq!(f.period_end_month, Some(7));
    // No 总体完成率 on the national form.
    assert_eq!(f.reported_completion, None);
    let funds = f.funds.as_ref().expect("funds");
    assert_eq!(
        funds.budget,
        Some(Fen::from_wan(200)),
        "年初预算数 stands in"
    );
    assert_eq!(funds.executed, Some(Fen::from_wan(30)));
    assert_eq!(funds.forecast, Some(Fen::from_wan(195)));
    assert!(
        f.findings
            .iter()
            .any(|x| x.message.contains("执行率按年初预算数计算")),
        "{:#?}",
        f.findings
    );
    // Four indicators: the sub-header row of tick labels is not one.
    let names: Vec<&str> = f.indicators.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(
        names,
        ["新建蓄水池", "工程验收合格率", "受益人口", "群众满意度"]
    );
    let likely: Vec<Option<Likelihood>> = f.indicators.iter().map(|i| i.likelihood).collect();
    assert_eq!(
        likely,
        [
            Some(Likelihood::Possible),
            Some(Likelihood::Certain),
            Some(Likelihood::Impossible),
            Some(Likelihood::Certain)
        ]
    );
    assert_eq!(f.indicators[0].likelihood_text, "有可能");
    let causes: Vec<&[DeviationCause]> = f.indicators.iter().map(|i| &i.causes[..]).collect();
    assert_eq!(
        causes,
        [
            &[DeviationCause::Funding][..],
            &[],
            &[DeviationCause::Staffing, DeviationCause::Facilities],
            &[]
        ]
    );
    // The tick columns are not read as text.
    assert!(f.indicators.iter().all(|i| i.explanation_text.is_empty()));
    assert!(f.indicators.iter().all(|i| i.likelihood_text != "√"));
    assert_eq!(f.indicators[0].actual, Some(d("2")));
    assert_eq!(f.indicators[0].target, Some(d("4")));
    assert_eq!(f.indicators[2].forecast, Some(d("3000")));
    assert_eq!(f.indicators[3].actual, None);
    // The form-wide analysis and measures below the table stand for every row.
    assert_eq!(
        f.deviation_analysis,
        "配套资金到位晚，受益人口因移民搬迁减少"
    );
    assert_eq!(f.measures, "督促配套资金 8 月底前到位");
    assert!(
        f.indicators
            .iter()
            .all(|i| i.cause_given && i.measures_given)
    );
    // Nothing left unrecognised.
    assert!(
        !f.findings
            .iter()
            .any(|x| x.message.contains("完成目标可能性") || x.message.contains("勾选")),
        "{:#?}",
        f.findings
    );
    assert!(f.findings.iter().all(|x| x.severity != Severity::Error));
}

#[test]
fn the_136_form_figures_use_the_estimate_issue_10_item_8() {
    // Execution 30 ÷ 200 = 15.00%. Completions: 2 ÷ 4 = 0.5, 100 ÷ 100 = 1, 1000 ÷ 5000 = 0.2,
    // 群众满意度 has no 1-7月 value (not counted). Estimate (0.5 + 1 + 0.2) ÷ 3 = 56.666… → 56.67.
    // No 总体完成率: deviation |15 − 56.67| = 41.67 > 20 → red; July needs June's 40% → yellow;
    // 受益人口 ticked 完全不可能 → red.
    let f = check(&national_136(&rows_136(), "30"));
    let m = f.monitoring.as_ref().expect("monitoring");
    assert_eq!(m.period_end_month, Some(7));
    let json = serde_json::to_string(m).expect("json");
    assert_eq!(
        json,
        concat!(
            r#"{"period_end_month":7,"execution_rate":15.00,"completion_estimate":56.67,"#,
            r#""reported_completion_rate":null,"deviation":41.67,"warnings":["#,
            r#"{"kind":"deviation","level":"red","message":"预算执行率 15% 与按指标测算的完成率 56.67% 偏差 41.67 个百分点，超过 20 个百分点，须整改纠偏"},"#,
            r#"{"kind":"slow_execution","level":"yellow","message":"截至 7 月末预算执行率 15%，低于序时进度要求的 40%"},"#,
            r#"{"kind":"unlikely","level":"red","message":"指标“受益人口”完成目标可能性为“完全不可能”，须整改"}]}"#
        )
    );
    let completions: Vec<String> = f
        .indicators
        .iter()
        .map(|i| serde_json::to_string(&i.completion).expect("json"))
        .collect();
    assert_eq!(completions, ["50.00", "100.00", "20.00", "null"]);
}

#[test]
fn ticks_that_cannot_be_read_are_reported_spec_14() {
    let rows = vec![
        (
            "产出指标",
            "数量指标",
            "新建蓄水池",
            "≥4座",
            "2",
            "4",
            ["√", "○", "", "", ""],
            ["√", "√", ""],
        ),
        (
            "产出指标",
            "数量指标",
            "新建泵站",
            "≥2座",
            "2",
            "2",
            ["", "", "", "", "×"],
            ["是", "否", ""],
        ),
    ];
    let f = &read(&national_136(&rows, "100"))[0];
    let i = &f.indicators[0];
    assert_eq!(i.likelihood, None, "two likelihoods ticked");
    assert_eq!(i.causes, [DeviationCause::Funding]);
    let messages: Vec<&str> = f.findings.iter().map(|x| x.message.as_str()).collect();
    assert!(
        messages.iter().any(|m| m.contains("第 14 行 M 列")
            && m.contains("完成目标可能性勾选了多项（确定能、有可能）")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("第 14 行 I 列") && m.contains("“○”不是勾选标记")),
        "{messages:#?}"
    );
    // ×, 否 and blanks are "not ticked", without a finding.
    let j = &f.indicators[1];
    assert_eq!(j.likelihood, Some(Likelihood::Certain));
    assert!(j.causes.is_empty());
    assert!(
        !messages.iter().any(|m| m.contains("第 15 行")),
        "{messages:#?}"
    );
}

// ---------------------------------------------------------------------------------------------
// A provincial variant (SPEC §14 layout (b))

/// 2023年1-6月…监控表 (the period in the title only), amounts under `单位：万元` with 全年预算数,
/// a 分值 column, the likelihood written out, cause and measures in columns of their own, and the
/// 总体完成率 in a row below the table.
fn provincial() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Sheet1").expect("name");
    merge(ws, (0, 0), (0, 9), "2023年1-6月项目支出绩效目标执行监控表");
    put(ws, 1, 8, "单位：万元");
    put(ws, 2, 0, "项目名称");
    merge(ws, (2, 1), (2, 9), "职业技能提升培训");
    put(ws, 3, 0, "主管部门");
    merge(ws, (3, 1), (3, 4), "县人力资源和社会保障局");
    put(ws, 3, 5, "实施单位");
    merge(ws, (3, 6), (3, 9), "县就业服务中心");
    merge(ws, (4, 0), (6, 1), "项目资金");
    for (c, h) in ["全年预算数", "执行数", "执行率", "全年预计执行数"]
        .iter()
        .enumerate()
    {
        put(ws, 4, 3 + c as u16, h);
    }
    for (r, cells) in [
        ["年度资金总额", "150", "50", "33.33", "150"],
        ["其中：财政拨款", "150", "50", "33.33", "150"],
    ]
    .iter()
    .enumerate()
    {
        for (c, t) in cells.iter().enumerate() {
            put(ws, 5 + r as u32, 2 + c as u16, t);
        }
    }
    put(ws, 7, 0, "年度总体目标");
    merge(ws, (7, 1), (7, 9), "培训 200 人次，就业率 80%");
    for (c, h) in [
        "一级指标",
        "二级指标",
        "三级指标",
        "分值",
        "年度指标值",
        "累计完成值",
        "全年预计完成值",
        "完成目标可能性",
        "偏差原因",
        "拟采取的措施",
    ]
    .iter()
    .enumerate()
    {
        put(ws, 8, c as u16, h);
    }
    let rows: [[&str; 10]; 4] = [
        [
            "产出指标",
            "数量指标",
            "培训人次",
            "30",
            "≥200人次",
            "120",
            "200",
            "能",
            "",
            "",
        ],
        [
            "产出指标",
            "时效指标",
            "完成时间",
            "20",
            "≤10月",
            "6",
            "9",
            "确定能",
            "",
            "",
        ],
        [
            "效益指标",
            "社会效益指标",
            "培训后就业率",
            "30",
            "≥80%",
            "40",
            "70",
            "有可能",
            "经费保障、制度保障：配套资金未到位",
            "督促资金拨付",
        ],
        [
            "满意度指标",
            "服务对象满意度指标",
            "学员满意度",
            "20",
            "≥90%",
            "92",
            "92",
            "确定能",
            "",
            "",
        ],
    ];
    for (r, cells) in rows.iter().enumerate() {
        for (c, t) in cells.iter().enumerate() {
            put(ws, 9 + r as u32, c as u16, t);
        }
    }
    merge(ws, (13, 0), (13, 2), "总体完成率（%）");
    put(ws, 13, 3, "70%");
    wb.save_to_buffer().expect("saved")
}

#[test]
fn a_provincial_form_with_weights_and_written_likelihood_spec_14() {
    let forms = read(&provincial());
    let f = &forms[0];
    assert_eq!(f.kind, FormKind::Monitoring);
    assert_eq!(f.fiscal_year, Some(2023));
    assert_eq!(f.period_end_month, Some(6), "from the title");
    assert_eq!(f.reported_completion, Some(d("70")), "below the table");
    assert!(f.has_weight_column);
    let funds = f.funds.as_ref().expect("funds");
    assert_eq!(funds.budget, Some(Fen::from_wan(150)));
    assert_eq!(funds.executed, Some(Fen::from_wan(50)));
    assert_eq!(
        f.indicators.len(),
        4,
        "the 总体完成率 row is not an indicator"
    );
    let weights: Vec<Option<Decimal>> = f.indicators.iter().map(|i| i.weight).collect();
    assert_eq!(
        weights,
        [Some(d("30")), Some(d("20")), Some(d("30")), Some(d("20"))]
    );
    assert_eq!(f.indicators[0].likelihood, Some(Likelihood::Certain), "能");
    let i = &f.indicators[2];
    assert_eq!(i.likelihood, Some(Likelihood::Possible));
    assert_eq!(i.explanation_text, "经费保障、制度保障：配套资金未到位");
    assert_eq!(i.measures_text, "督促资金拨付");
    assert_eq!(
        i.causes,
        [DeviationCause::Funding, DeviationCause::Institutional]
    );
    assert!(i.cause_given && i.measures_given);
    assert!(!f.indicators[0].cause_given && !f.indicators[0].measures_given);
    assert!(
        f.findings.iter().all(|x| x.severity != Severity::Error),
        "{:#?}",
        f.findings
    );
}

#[test]
fn a_provincial_form_weighted_figures_issue_10_item_8() {
    // Execution 50 ÷ 150 = 33.333… → 33.33%. Completions 120 ÷ 200 = 0.6, 6 ≤ 10 → 1,
    // 40 ÷ 80 = 0.5, 92 ≥ 90 → 1; weighted by 分值 (0.6×30 + 1×20 + 0.5×30 + 1×20) ÷ 100 = 73.00.
    // Reported 70: deviation |33.33 − 70| = 36.67 → red; June needs 40% → yellow.
    let f = check(&provincial());
    let m = f.monitoring.as_ref().expect("monitoring");
    let v: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(m).expect("json")).expect("parsed");
    assert_eq!(v["execution_rate"], 33.33);
    assert_eq!(v["completion_estimate"], 73.0);
    assert_eq!(v["reported_completion_rate"], 70.0);
    assert_eq!(v["deviation"], 36.67);
    let kinds: Vec<(&str, &str)> = m.warnings.iter().map(|w| (w.kind, w.level)).collect();
    assert_eq!(kinds, [("deviation", "red"), ("slow_execution", "yellow")]);
    let text = serde_json::to_string(m).expect("json");
    assert!(text.contains(r#""completion_estimate":73.00,"reported_completion_rate":70.00"#));
    assert!(m.notes.is_empty(), "{:#?}", m.notes);
}

// ---------------------------------------------------------------------------------------------
// Round trip: what `write_forms` writes reads back with the same figures

fn quantitative(sign: Sign, value: &str, unit: &str) -> Target {
    Target::Quantitative {
        sign,
        value: d(value),
        unit: unit.into(),
    }
}

fn monitored(
    ind: Indicator,
    to_date: Option<Value>,
    deviation: &str,
    likelihood: &str,
) -> MonitoredIndicator {
    MonitoredIndicator {
        indicator: ind,
        to_date,
        forecast: None,
        deviation: deviation.into(),
        likelihood: likelihood.into(),
    }
}

fn line(budget: i64, executed: i64, forecast: i64) -> MonitoringLine {
    MonitoringLine {
        budget: Some(Fen(budget)),
        executed: Some(Fen(executed)),
        forecast: Some(Fen(forecast)),
    }
}

fn round_trip_forms() -> Vec<MonitoringForm> {
    let first = MonitoringForm {
        fiscal_year: 2023,
        period_end_month: 8,
        project: "农村饮水安全巩固提升".into(),
        department: "且末县水利局".into(),
        implementer: "且末县水利工程管理站".into(),
        funds: MonitoringFunds {
            total: line(3_000_012_345, 1_234_567_891, 2_900_000_000),
            current: line(2_000_012_345, 1_000_000_000, 1_900_000_000),
            other: line(1_000_000_000, 234_567_891, 1_000_000_000),
            ..MonitoringFunds::default()
        },
        goal: "完成 3 个村的管网改造".into(),
        goal_progress: "已完成 1 个村".into(),
        goal_forecast: "年底前完成".into(),
        completion_rate: Some(d("61.25")),
        indicators: vec![
            monitored(
                Indicator::new(
                    "产出指标",
                    "数量指标",
                    "改造管网",
                    quantitative(Sign::Ge, "12.5", "公里"),
                )
                .weight(d("40")),
                Some(Value::Number(d("4.75"))),
                "经费保障、人员保障：资金下达较晚，施工队伍不足",
                "有可能",
            ),
            monitored(
                Indicator {
                    sub_item: true,
                    ..Indicator::new(
                        "产出指标",
                        "数量指标",
                        "主管网",
                        quantitative(Sign::Ge, "8", "公里"),
                    )
                },
                Some(Value::Number(d("3"))),
                "",
                "",
            ),
            monitored(
                Indicator::new(
                    "产出指标",
                    "成本指标",
                    "每公里造价",
                    quantitative(Sign::Le, "20", "万元"),
                )
                .weight(d("30")),
                Some(Value::Number(d("25"))),
                "其他：材料涨价",
                "完全不可能",
            ),
            monitored(
                Indicator::new(
                    "满意度指标",
                    "服务对象满意度指标",
                    "群众满意度",
                    Target::Qualitative("明显提升".into()),
                )
                .weight(d("30")),
                Some(Value::Text("逐步提升".into())),
                "",
                "确定能",
            ),
        ],
    };
    let second = MonitoringForm {
        fiscal_year: 2023,
        period_end_month: 5,
        project: "义务教育营养改善计划".into(),
        department: "且末县教育局".into(),
        implementer: "且末县第一小学".into(),
        funds: MonitoringFunds {
            total: line(50_000_000, 11_990_000, 50_000_000),
            current: line(50_000_000, 11_990_000, 50_000_000),
            ..MonitoringFunds::default()
        },
        goal: "保障 1200 名学生营养餐".into(),
        goal_progress: "按月发放".into(),
        goal_forecast: "全年完成".into(),
        // The 136号 form states none: the estimate stands in for the deviation.
        completion_rate: None,
        indicators: vec![
            monitored(
                Indicator::new(
                    "产出指标",
                    "数量指标",
                    "受益学生",
                    quantitative(Sign::Eq, "1200", "人"),
                ),
                Some(Value::Number(d("1150"))),
                "",
                "确定能",
            ),
            monitored(
                Indicator::new(
                    "产出指标",
                    "时效指标",
                    "发放及时率",
                    quantitative(Sign::Ge, "100", "%"),
                ),
                None,
                "制度保障：",
                "有可能",
            ),
        ],
    };
    vec![first, second]
}

/// The rules' view of a form as it was written, without any reader.
fn domain_report(f: &MonitoringForm) -> MonitoringReport {
    MonitoringReport {
        period_end_month: u32::from(f.period_end_month),
        budget: f.funds.total.budget.unwrap_or(Fen::ZERO),
        executed: f.funds.total.executed.unwrap_or(Fen::ZERO),
        reported_completion: f.completion_rate,
        indicators: f
            .indicators
            .iter()
            .map(|m| {
                let ind = &m.indicator;
                let (sign, target) = match &ind.target {
                    Target::Quantitative { sign, value, .. } => (*sign, Some(*value)),
                    Target::Qualitative(_) => (Sign::Qualitative, None),
                };
                DomainIndicator {
                    name: ind.name.clone(),
                    sign: Some(sign),
                    target,
                    to_date: match (&m.to_date, sign) {
                        (Some(Value::Number(n)), s) if s != Sign::Qualitative => Some(*n),
                        _ => None,
                    },
                    weight: if ind.sub_item { None } else { ind.weight },
                    likelihood: Likelihood::parse_written(&m.likelihood),
                    sub_item: ind.sub_item,
                    has_cause: !m.deviation.is_empty(),
                    has_measures: !m.deviation.is_empty(),
                }
            })
            .collect(),
        review_score: None,
    }
}

#[test]
fn written_monitoring_forms_read_back_with_the_same_figures_spec_7() {
    let originals = round_trip_forms();
    let forms: Vec<Form> = originals.iter().cloned().map(Form::from).collect();
    let bytes = write_forms(&forms).expect("written");
    let read = read(&bytes);
    assert_eq!(read.len(), originals.len(), "one sheet per form");
    let settings = Settings::default();
    for (got, want) in read.iter().zip(&originals) {
        assert_eq!(got.kind, FormKind::Monitoring);
        assert_eq!(got.project.as_deref(), Some(want.project.as_str()));
        assert_eq!(got.period_end_month, Some(u32::from(want.period_end_month)));
        assert_eq!(got.reported_completion, want.completion_rate);
        let funds = got.funds.as_ref().expect("funds");
        assert_eq!(
            (funds.budget, funds.executed, funds.forecast),
            (
                want.funds.total.budget,
                want.funds.total.executed,
                want.funds.total.forecast
            ),
            "amounts to the 分"
        );
        assert_eq!(got.indicators.len(), want.indicators.len());
        for (i, m) in got.indicators.iter().zip(&want.indicators) {
            assert_eq!(i.name, m.indicator.name);
            let to_date = match &m.to_date {
                Some(Value::Number(n)) => Some(*n),
                _ => None,
            };
            assert_eq!(i.actual, to_date, "{}", i.name);
            if let Some(Value::Text(t)) = &m.to_date {
                assert_eq!(&i.actual_text, t);
            }
            assert_eq!(i.likelihood, Likelihood::parse_written(&m.likelihood));
            assert_eq!(i.explanation_text, m.deviation);
            let causes: Vec<DeviationCause> = DeviationCause::ALL
                .iter()
                .copied()
                .filter(|c| m.deviation.contains(c.label()))
                .collect();
            assert_eq!(i.causes, causes, "{}", i.name);
            let weight = if m.indicator.sub_item {
                None
            } else {
                m.indicator.weight
            };
            assert_eq!(i.weight, weight, "{}", i.name);
        }
        let direct = monitoring::analyse(&settings.monitoring, &domain_report(want));
        let through = monitoring::analyse(&settings.monitoring, &monitoring_input(got));
        assert_eq!(through, direct, "{}", want.project);
    }
    // The figures themselves, worked by hand.
    // Form 1: 12,345,678.91 元 of 30,000,123.45 元 → 41.15%. Completions 4.75 ÷ 12.5 = 0.38,
    // (sub-item not counted), 20 ÷ 25 = 0.8 (≤), 确定能 → 1; weighted (0.38×40 + 0.8×30 + 1×30)
    // ÷ 100 = 69.20%. Reported 61.25 → deviation 20.10 > 20 → red; August needs 60% → yellow;
    // 每公里造价 完全不可能 → red.
    let report = check_workbook(
        "x.xlsx",
        &read_workbook(&bytes, &Limits::default()).expect("read"),
        &settings,
    );
    let json = json_report(std::slice::from_ref(&report));
    assert!(
        json.contains(
            r#""monitoring": {
            "period_end_month": 8,
            "execution_rate": 41.15,
            "completion_estimate": 69.20,
            "reported_completion_rate": 61.25,
            "deviation": 20.10,"#
        ),
        "{json}"
    );
    let kinds: Vec<&str> = report.forms[0]
        .monitoring
        .as_ref()
        .expect("monitoring")
        .warnings
        .iter()
        .map(|w| w.kind)
        .collect();
    assert_eq!(kinds, ["deviation", "slow_execution", "unlikely"]);
    // Form 2: 119,900 元 of 500,000 元 → 23.98% by May (April's 25% applies → yellow);
    // 1150 of = 1200 → 1 − 50 ÷ 1200 = 0.958333… (the only counted one) → 95.83%; no reported rate,
    // so the deviation is |23.98 − 95.83| = 71.85 → red.
    let m = report.forms[1].monitoring.as_ref().expect("monitoring");
    assert_eq!(
        serde_json::to_string(m)
            .expect("json")
            .split(r#","warnings""#)
            .next(),
        Some(
            r#"{"period_end_month":5,"execution_rate":23.98,"completion_estimate":95.83,"reported_completion_rate":null,"deviation":71.85"#
        )
    );
    let completions: Vec<String> = report.forms[1]
        .indicators
        .iter()
        .map(|i| serde_json::to_string(&i.completion).expect("json"))
        .collect();
    assert_eq!(completions, ["95.83", "null"]);
}

#[test]
fn other_forms_have_no_monitoring_figures() {
    // A self-evaluation's JSON keeps its shape: no `monitoring`, no `completion`.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    put(ws, 0, 0, "项目支出绩效自评表");
    put(ws, 1, 0, "（2023年度）");
    put(ws, 2, 0, "项目名称");
    put(ws, 2, 2, "测试项目");
    for (c, h) in [
        "一级指标",
        "二级指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "得分",
    ]
    .iter()
    .enumerate()
    {
        put(ws, 3, c as u16, h);
    }
    for (c, t) in ["产出指标", "数量指标", "道路", "≥10公里", "10", "90", "90"]
        .iter()
        .enumerate()
    {
        put(ws, 4, c as u16, t);
    }
    let f = check(&wb.save_to_buffer().expect("saved"));
    assert!(f.monitoring.is_none());
    let json = serde_json::to_string(&f).expect("json");
    assert!(!json.contains("\"monitoring\""), "{json}");
    assert!(!json.contains("\"completion\""), "{json}");
}
