//! Declaration deadlines (申报期限): the finance bureau sets, per region and fiscal year, the day by
//! which units must hand in each kind of document; units see what is due (待办, SPEC §16), and
//! late or missing documents count against them in the annual assessment (SPEC §11: 目标管理
//! "on-time", 运行监控 "on-time reports").
//!
//! The rule, one function ([`timeliness`]):
//! - submitted on or before the deadline day → on time; submitted after it → late;
//! - not submitted and today is after the deadline day → overdue;
//! - not submitted, deadline day not yet passed, at most `due_soon_days` days left → due soon;
//! - otherwise pending.

use crate::workflow::Date;

crate::code_enum! {
    /// What a deadline is for.
    DeadlineKind {
        TargetDeclaration = "target_declaration", "绩效目标申报";
        ExAnte = "ex_ante", "事前绩效评估";
        Monitoring = "monitoring", "绩效监控报送";
        SelfEvaluation = "self_evaluation", "绩效自评";
    }
}

/// Where a document stands against its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timeliness {
    /// Submitted on or before the deadline day.
    OnTime,
    /// Submitted after the deadline day.
    Late,
    /// Not submitted, and the deadline day has passed.
    Overdue,
    /// Not submitted; the deadline is today or within the due-soon window.
    DueSoon,
    /// Not submitted; the deadline is further away.
    Pending,
}

impl Timeliness {
    /// The label a user reads.
    pub fn label(self) -> &'static str {
        match self {
            Timeliness::OnTime => "按时提交",
            Timeliness::Late => "逾期提交",
            Timeliness::Overdue => "逾期未提交",
            Timeliness::DueSoon => "即将到期",
            Timeliness::Pending => "待提交",
        }
    }

    pub fn is_submitted(self) -> bool {
        matches!(self, Timeliness::OnTime | Timeliness::Late)
    }

    /// Counts against the unit in the annual assessment (SPEC §11): late or still missing after
    /// the deadline.
    pub fn is_untimely(self) -> bool {
        matches!(self, Timeliness::Late | Timeliness::Overdue)
    }
}

/// Where a document with `deadline` stands on `today`, given the day it was submitted (if it was).
pub fn timeliness(
    deadline: Date,
    submitted: Option<Date>,
    today: Date,
    due_soon_days: u32,
) -> Timeliness {
    match submitted {
        Some(day) if day <= deadline => Timeliness::OnTime,
        Some(_) => Timeliness::Late,
        None if today > deadline => Timeliness::Overdue,
        None if days_between(today, deadline) <= i64::from(due_soon_days) => Timeliness::DueSoon,
        None => Timeliness::Pending,
    }
}

/// Days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    day_number(to) - day_number(from)
}

/// Days since 1970-01-01 of a Gregorian date (H. Hinnant's `days_from_civil`).
fn day_number(d: Date) -> i64 {
    let (m, day) = (i64::from(d.month()), i64::from(d.day()));
    let y = i64::from(d.year()) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeadlineError {
    #[error("日期“{0}”无效：请按 年-月-日 填写，例如 2022-11-30")]
    BadDate(String),
    #[error("截止日期 {due} 与 {year} 预算年度相差过远：应在 {} 年至 {} 年之间", .year - 1, .year + 1)]
    OutOfRange { due: Date, year: i32 },
}

/// Reads a date as people type it: `2022-11-30`, `2022/11/30`, `2022.11.30` or `2022年11月30日`.
pub fn parse_date(text: &str) -> Result<Date, DeadlineError> {
    let bad = || DeadlineError::BadDate(text.trim().to_string());
    let t = text.trim().trim_end_matches('日');
    let parts: Vec<&str> = t.split(['-', '/', '.', '年', '月']).collect();
    let [y, m, d] = parts.as_slice() else {
        return Err(bad());
    };
    let y = number(y, 4, 4).ok_or_else(bad)?;
    let m = number(m, 1, 2).ok_or_else(bad)?;
    let d = number(d, 1, 2).ok_or_else(bad)?;
    Date::new(y as i32, m, d).ok_or_else(bad)
}

/// `text` as a number of `min..=max` ASCII digits.
fn number(text: &str, min: usize, max: usize) -> Option<u32> {
    ((min..=max).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

/// A deadline of `fiscal_year` must fall between the year before (targets are declared with the
/// budget draft) and the year after (self-evaluations of the year are done the next spring).
pub fn check_due_on(fiscal_year: i32, due: Date) -> Result<(), DeadlineError> {
    if (fiscal_year - 1..=fiscal_year + 1).contains(&due.year()) {
        Ok(())
    } else {
        Err(DeadlineError::OutOfRange {
            due,
            year: fiscal_year,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        parse_date(text).unwrap()
    }

    #[test]
    fn timeliness_table() {
        use Timeliness::*;
        let deadline = "2022-11-30";
        // (submitted, today, expected)
        let cases: &[(Option<&str>, &str, Timeliness)] = &[
            // Submitted: the day of submission decides, whatever today is.
            (Some("2022-11-01"), "2023-06-01", OnTime),
            (Some("2022-11-30"), "2022-11-30", OnTime),
            (Some("2022-11-30"), "2023-01-01", OnTime),
            (Some("2022-12-01"), "2022-12-01", Late),
            (Some("2023-01-05"), "2023-02-01", Late),
            // Not submitted: overdue only after the deadline day.
            (None, "2022-12-01", Overdue),
            (None, "2023-03-01", Overdue),
            (None, "2022-11-30", DueSoon),
            (None, "2022-11-23", DueSoon),
            (None, "2022-11-22", Pending),
            (None, "2022-10-01", Pending),
        ];
        for (submitted, today, expected) in cases {
            assert_eq!(
                timeliness(date(deadline), submitted.map(date), date(today), 7),
                *expected,
                "submitted {submitted:?}, today {today}"
            );
        }
    }

    #[test]
    fn due_soon_window_is_configurable() {
        let (deadline, today) = (date("2023-01-31"), date("2023-01-01"));
        assert_eq!(timeliness(deadline, None, today, 7), Timeliness::Pending);
        assert_eq!(timeliness(deadline, None, today, 30), Timeliness::DueSoon);
        assert_eq!(timeliness(deadline, None, deadline, 0), Timeliness::DueSoon);
    }

    #[test]
    fn submitted_and_untimely() {
        use Timeliness::*;
        for (t, submitted, untimely) in [
            (OnTime, true, false),
            (Late, true, true),
            (Overdue, false, true),
            (DueSoon, false, false),
            (Pending, false, false),
        ] {
            assert_eq!(t.is_submitted(), submitted, "{t:?}");
            assert_eq!(t.is_untimely(), untimely, "{t:?}");
            assert!(!t.label().is_empty());
        }
    }

    #[test]
    fn days_between_crosses_months_years_and_leap_days() {
        for (from, to, days) in [
            ("2022-11-30", "2022-11-30", 0),
            ("2022-11-30", "2022-12-01", 1),
            ("2022-12-31", "2023-01-01", 1),
            ("2024-02-28", "2024-03-01", 2),
            ("2023-02-28", "2023-03-01", 1),
            ("2000-02-28", "2000-03-01", 2),
            ("1900-02-28", "1900-03-01", 1),
            ("2023-01-01", "2024-01-01", 365),
            ("2024-01-01", "2025-01-01", 366),
            ("2023-03-01", "2023-02-01", -28),
            ("1970-01-01", "2023-01-01", 19_358),
        ] {
            assert_eq!(days_between(date(from), date(to)), days, "{from} → {to}");
        }
    }

    #[test]
    fn parse_date_accepts_what_people_type() {
        for (text, expected) in [
            ("2022-11-30", Some((2022, 11, 30))),
            (" 2022/11/30 ", Some((2022, 11, 30))),
            ("2022.1.5", Some((2022, 1, 5))),
            ("2022年11月30日", Some((2022, 11, 30))),
            ("2024-02-29", Some((2024, 2, 29))),
            ("2023-02-29", None),
            ("2022-13-01", None),
            ("2022-11-31", None),
            ("22-11-30", None),
            ("2022-11", None),
            ("2022-11-30-1", None),
            ("2022-+1-30", None),
            ("", None),
            ("明天", None),
        ] {
            let got = parse_date(text)
                .ok()
                .map(|d| (d.year(), d.month(), d.day()));
            assert_eq!(got, expected, "{text:?}");
        }
        let err = parse_date("2022-13-01").unwrap_err().to_string();
        assert!(
            err.contains("2022-13-01") && err.contains("2022-11-30"),
            "{err}"
        );
    }

    #[test]
    fn a_deadline_lies_near_its_fiscal_year() {
        assert!(check_due_on(2023, date("2022-11-30")).is_ok());
        assert!(check_due_on(2023, date("2023-06-30")).is_ok());
        assert!(check_due_on(2023, date("2024-03-31")).is_ok());
        let err = check_due_on(2023, date("2021-12-31"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("2022 年至 2024 年"), "{err}");
        assert!(check_due_on(2023, date("2025-01-01")).is_err());
    }

    #[test]
    fn kinds_have_codes_and_labels() {
        assert_eq!(
            DeadlineKind::parse("target_declaration"),
            Some(DeadlineKind::TargetDeclaration)
        );
        assert_eq!(
            DeadlineKind::parse("绩效自评"),
            Some(DeadlineKind::SelfEvaluation)
        );
        assert_eq!(DeadlineKind::ALL.len(), 4);
        assert_eq!(DeadlineKind::parse("budget"), None);
    }
}
