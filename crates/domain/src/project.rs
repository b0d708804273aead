//! A project proposal (项目申报, SPEC §3) parsed in one place: the project form, the JSON API and
//! the project-list import all hand their values to [`ProjectProposal::parse`], so a project that
//! one of them refuses cannot enter through another (issue 9). The edges read their own formats
//! (choice codes or Chinese labels, 万元 or 元) into [`ProposalInput`]; the rules live here.

use crate::ex_ante::is_major;
use crate::money::Fen;
use crate::settings::ProjectSettings;
use crate::types::{BudgetTiming, BudgetType, Continuity, ProjectCategory};

/// The longest project name (characters).
pub const NAME_MAX_CHARS: usize = 100;
/// The longest project code (characters).
pub const CODE_MAX_CHARS: usize = 50;
/// The longest implementation period (years between start and end).
pub const PERIOD_MAX_YEARS: i32 = 10;
/// Every amount stays below 10^13 元 (10^15 分): far above any real budget, and far enough below
/// `i64::MAX` that sums of amounts cannot overflow (SPEC §17).
pub const AMOUNT_LIMIT: Fen = Fen(1_000_000_000_000_000);

/// The field a problem belongs to. The edges map it to their own place: a form field, a JSON
/// key, or a sheet column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Code,
    Name,
    BudgetType,
    Category,
    Continuity,
    Timing,
    Period,
    Current,
    Carryover,
    Other,
    Total,
}

impl Field {
    /// The label a Chinese user knows the field by.
    pub fn label(self) -> &'static str {
        match self {
            Field::Code => "项目编码",
            Field::Name => "项目名称",
            Field::BudgetType => "预算类型",
            Field::Category => "项目类别",
            Field::Continuity => "新增/延续",
            Field::Timing => "年初/追加",
            Field::Period => "实施期",
            Field::Current => "当年财政拨款",
            Field::Carryover => "上年结转",
            Field::Other => "其他资金",
            Field::Total => "金额",
        }
    }
}

/// One problem of a proposal, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub field: Field,
    pub message: String,
}

fn problem(field: Field, message: impl Into<String>) -> FieldProblem {
    FieldProblem {
        field,
        message: message.into(),
    }
}

/// The values of a proposal as an edge read them. `None` for a choice means "missing or not one
/// of the allowed values"; amounts are already exact (an unreadable amount is the edge's error).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProposalInput {
    /// Empty: the store assigns the unit's next free code.
    pub code: String,
    pub name: String,
    pub budget_type: Option<BudgetType>,
    pub category: Option<ProjectCategory>,
    pub continuity: Option<Continuity>,
    pub timing: Option<BudgetTiming>,
    /// Default: the budget year.
    pub start_year: Option<i32>,
    /// Default: the start year.
    pub end_year: Option<i32>,
    pub current: Fen,
    pub carryover: Fen,
    pub other: Fen,
}

/// A valid proposal for a budget year.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectProposal {
    /// Trimmed; empty when the store is to assign one.
    pub code: String,
    /// Trimmed.
    pub name: String,
    pub budget_type: BudgetType,
    pub category: ProjectCategory,
    pub continuity: Continuity,
    pub timing: BudgetTiming,
    pub start_year: i32,
    pub end_year: i32,
    pub current: Fen,
    pub carryover: Fen,
    pub other: Fen,
    /// current + carryover + other.
    pub total: Fen,
    /// 重大项目 under the region's threshold (SPEC §3).
    pub is_major: bool,
}

/// Text a person can read: no control characters, and something visible.
fn text_problem(text: &str) -> Option<&'static str> {
    if text.chars().any(char::is_control) {
        return Some("不能包含控制字符");
    }
    let invisible = |c: char| {
        c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}')
    };
    if !text.is_empty() && text.chars().all(invisible) {
        return Some("不能只包含空白或不可见字符");
    }
    None
}

impl ProjectProposal {
    /// Checks a proposal for `year`; every problem is reported, not only the first.
    pub fn parse(
        input: &ProposalInput,
        year: i32,
        settings: &ProjectSettings,
    ) -> Result<ProjectProposal, Vec<FieldProblem>> {
        let mut problems = Vec::new();
        let code = input.code.trim();
        if code.chars().count() > CODE_MAX_CHARS {
            problems.push(problem(
                Field::Code,
                format!("项目编码不能超过 {CODE_MAX_CHARS} 个字符"),
            ));
        } else if let Some(why) = text_problem(code) {
            problems.push(problem(Field::Code, format!("项目编码{why}")));
        }
        let name = input.name.trim();
        if let Some(why) = text_problem(&input.name) {
            problems.push(problem(Field::Name, format!("项目名称{why}")));
        } else if name.is_empty() {
            problems.push(problem(Field::Name, "请填写项目名称"));
        } else if name.chars().count() > NAME_MAX_CHARS {
            problems.push(problem(
                Field::Name,
                format!("项目名称不能超过 {NAME_MAX_CHARS} 个字"),
            ));
        }
        if input.budget_type.is_none() {
            problems.push(problem(
                Field::BudgetType,
                "请选择一般公共预算、政府性基金预算、国有资本经营预算或社会保险基金预算",
            ));
        }
        if input.category.is_none() {
            problems.push(problem(Field::Category, "请选择人员类、运转类或特定目标类"));
        }
        if input.continuity.is_none() {
            problems.push(problem(Field::Continuity, "请选择新增或延续"));
        }
        if input.timing.is_none() {
            problems.push(problem(Field::Timing, "请选择年初预算或年中追加"));
        }
        let start_year = input.start_year.unwrap_or(year);
        let end_year = input.end_year.unwrap_or(start_year);
        if end_year < start_year {
            problems.push(problem(Field::Period, "结束年度不能早于开始年度"));
        } else if end_year - start_year > PERIOD_MAX_YEARS {
            problems.push(problem(
                Field::Period,
                format!("实施期不能超过 {PERIOD_MAX_YEARS} 年"),
            ));
        }
        if !(start_year..=end_year).contains(&year) {
            problems.push(problem(
                Field::Period,
                format!("实施期 {start_year}–{end_year} 年不含预算年度 {year} 年"),
            ));
        }
        let mut amounts_ok = true;
        for (field, amount) in [
            (Field::Current, input.current),
            (Field::Carryover, input.carryover),
            (Field::Other, input.other),
        ] {
            if amount.is_negative() {
                problems.push(problem(field, "金额不能为负数"));
                amounts_ok = false;
            } else if amount >= AMOUNT_LIMIT {
                problems.push(problem(field, "金额过大（应小于 10 万亿元）"));
                amounts_ok = false;
            }
        }
        // Each amount is below the limit, so the sum cannot overflow; it is still checked.
        let total = input
            .current
            .0
            .checked_add(input.carryover.0)
            .and_then(|t| t.checked_add(input.other.0))
            .map(Fen);
        match total {
            Some(t) if amounts_ok && t.0 == 0 => {
                problems.push(problem(Field::Total, "项目金额合计不能为 0"));
            }
            Some(t) if amounts_ok && t >= AMOUNT_LIMIT => {
                problems.push(problem(Field::Total, "金额合计过大（应小于 10 万亿元）"));
            }
            None => problems.push(problem(Field::Total, "金额合计过大（应小于 10 万亿元）")),
            _ => {}
        }
        match (
            input.budget_type,
            input.category,
            input.continuity,
            input.timing,
            total,
        ) {
            (Some(budget_type), Some(category), Some(continuity), Some(timing), Some(total))
                if problems.is_empty() =>
            {
                Ok(ProjectProposal {
                    code: code.to_string(),
                    name: name.to_string(),
                    budget_type,
                    category,
                    continuity,
                    timing,
                    start_year,
                    end_year,
                    current: input.current,
                    carryover: input.carryover,
                    other: input.other,
                    total,
                    is_major: is_major(settings, total),
                })
            }
            _ => Err(problems),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn valid() -> ProposalInput {
        ProposalInput {
            code: "652825001-2024-001".into(),
            name: "义务教育薄弱环节改善".into(),
            budget_type: Some(BudgetType::GeneralPublic),
            category: Some(ProjectCategory::SpecificPurpose),
            continuity: Some(Continuity::New),
            timing: Some(BudgetTiming::Initial),
            start_year: None,
            end_year: None,
            current: Fen::from_wan(300),
            carryover: Fen::from_wan(200),
            other: Fen(0),
        }
    }

    fn fields(r: Result<ProjectProposal, Vec<FieldProblem>>) -> Vec<Field> {
        r.expect_err("refused")
            .into_iter()
            .map(|p| p.field)
            .collect()
    }

    #[test]
    fn a_valid_proposal_spec_3() {
        let p = ProjectProposal::parse(&valid(), 2024, &ProjectSettings::default()).expect("valid");
        assert_eq!(p.total, Fen::from_wan(500));
        assert!(p.is_major, "500万元 is the threshold, inclusive");
        assert_eq!((p.start_year, p.end_year), (2024, 2024));
        let mut small = valid();
        small.carryover = Fen(0);
        let p = ProjectProposal::parse(&small, 2024, &ProjectSettings::default()).expect("valid");
        assert!(!p.is_major);
    }

    #[test]
    fn every_problem_is_reported_not_only_the_first() {
        let input = ProposalInput {
            name: " ".into(),
            ..ProposalInput::default()
        };
        let f = fields(ProjectProposal::parse(
            &input,
            2024,
            &ProjectSettings::default(),
        ));
        for expected in [
            Field::Name,
            Field::BudgetType,
            Field::Category,
            Field::Continuity,
            Field::Timing,
            Field::Total,
        ] {
            assert!(f.contains(&expected), "{expected:?} in {f:?}");
        }
    }

    #[test]
    fn names_and_codes_are_bounded_and_readable() {
        let s = ProjectSettings::default();
        let mut long = valid();
        long.name = "字".repeat(NAME_MAX_CHARS + 1);
        assert_eq!(
            fields(ProjectProposal::parse(&long, 2024, &s)),
            [Field::Name]
        );
        let mut exact = valid();
        exact.name = "字".repeat(NAME_MAX_CHARS);
        assert!(ProjectProposal::parse(&exact, 2024, &s).is_ok());
        let mut code = valid();
        code.code = "x".repeat(100_000);
        assert_eq!(
            fields(ProjectProposal::parse(&code, 2024, &s)),
            [Field::Code]
        );
        for bad in ["a\u{0}b", "a\tb", "a\nb"] {
            let mut c = valid();
            c.code = bad.into();
            assert_eq!(
                fields(ProjectProposal::parse(&c, 2024, &s)),
                [Field::Code],
                "{bad:?}"
            );
            let mut n = valid();
            n.name = bad.into();
            assert_eq!(
                fields(ProjectProposal::parse(&n, 2024, &s)),
                [Field::Name],
                "{bad:?}"
            );
        }
        let mut invisible = valid();
        invisible.name = "\u{200B}\u{200B}".into();
        assert_eq!(
            fields(ProjectProposal::parse(&invisible, 2024, &s)),
            [Field::Name]
        );
    }

    #[test]
    fn the_period_contains_the_budget_year_and_is_at_most_ten_years() {
        let s = ProjectSettings::default();
        let with = |start, end| ProposalInput {
            start_year: Some(start),
            end_year: Some(end),
            ..valid()
        };
        assert!(ProjectProposal::parse(&with(2023, 2025), 2024, &s).is_ok());
        assert_eq!(
            fields(ProjectProposal::parse(&with(2025, 2023), 2024, &s)),
            [Field::Period, Field::Period]
        );
        assert_eq!(
            fields(ProjectProposal::parse(&with(2025, 2026), 2024, &s)),
            [Field::Period]
        );
        assert_eq!(
            fields(ProjectProposal::parse(&with(2014, 2025), 2024, &s)),
            [Field::Period]
        );
        assert!(ProjectProposal::parse(&with(2014, 2024), 2024, &s).is_ok());
    }

    #[test]
    fn amounts_are_not_negative_and_stay_below_ten_trillion_yuan() {
        let s = ProjectSettings::default();
        let mut negative = valid();
        negative.other = Fen(-1);
        assert_eq!(
            fields(ProjectProposal::parse(&negative, 2024, &s)),
            [Field::Other]
        );
        // issue 13: "9000000000000" 万元 was accepted and overflowed the sums.
        let mut huge = valid();
        huge.current = Fen::parse_wan("9000000000000").expect("fits in i64");
        assert_eq!(
            fields(ProjectProposal::parse(&huge, 2024, &s)),
            [Field::Current]
        );
        let mut edge = valid();
        edge.current = Fen(AMOUNT_LIMIT.0 - 1);
        edge.carryover = Fen(0);
        assert!(ProjectProposal::parse(&edge, 2024, &s).is_ok());
        let mut sum = valid();
        sum.current = Fen(AMOUNT_LIMIT.0 - 1);
        sum.carryover = Fen(1);
        assert_eq!(
            fields(ProjectProposal::parse(&sum, 2024, &s)),
            [Field::Total]
        );
        let mut max = valid();
        max.current = Fen(i64::MAX);
        max.carryover = Fen(i64::MAX);
        assert!(ProjectProposal::parse(&max, 2024, &s).is_err());
    }
}
