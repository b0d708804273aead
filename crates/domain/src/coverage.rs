//! Coverage of department evaluations (部门评价覆盖率, SPEC §8.1): the evaluated projects'
//! amounts must be at least 20% (configurable) of the department's project funds. Computed per
//! department and for the region; shortfalls are flagged.

use crate::decimal::round2;
use crate::money::{Fen, ratio};
use crate::settings::CoverageSettings;
use crate::types::UnitCode;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// One department's figures for a fiscal year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartmentFunds {
    pub unit: UnitCode,
    /// The department's project funds (all its projects of the year).
    pub project_funds: Fen,
    /// The amounts of its projects covered by department evaluations.
    pub evaluated_funds: Fen,
}

/// Coverage of one department or of the region.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub project_funds: Fen,
    pub evaluated_funds: Fen,
    /// evaluated / project funds in percent, half-up to 2 decimals; `None` without project funds.
    pub share: Option<Decimal>,
    /// Below the minimum share. Never set without project funds (nothing to cover).
    pub shortfall: bool,
}

/// The coverage of given funds. The shortfall compares the rounded percentage with the minimum,
/// so a share shown as 20.00% is never flagged as short of 20%.
pub fn coverage(settings: &CoverageSettings, project_funds: Fen, evaluated_funds: Fen) -> Coverage {
    let share = ratio(evaluated_funds, project_funds).map(|r| round2(r * Decimal::ONE_HUNDRED));
    let minimum = settings.min_share * Decimal::ONE_HUNDRED;
    Coverage {
        project_funds,
        evaluated_funds,
        shortfall: project_funds > Fen::ZERO && share.is_some_and(|s| s < minimum),
        share,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DepartmentCoverage {
    pub unit: UnitCode,
    pub coverage: Coverage,
}

/// Coverage of every department and of the region as a whole.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionCoverage {
    /// In the order given.
    pub departments: Vec<DepartmentCoverage>,
    /// Sums over all departments.
    pub region: Coverage,
    /// The departments flagged, in the order given.
    pub shortfalls: Vec<UnitCode>,
}

/// Computes coverage per department and for the region (SPEC §8.1).
pub fn region_coverage(
    settings: &CoverageSettings,
    departments: &[DepartmentFunds],
) -> RegionCoverage {
    let departments: Vec<DepartmentCoverage> = departments
        .iter()
        .map(|d| DepartmentCoverage {
            unit: d.unit.clone(),
            coverage: coverage(settings, d.project_funds, d.evaluated_funds),
        })
        .collect();
    // Saturating sums: absurd imported amounts must not panic.
    let total = |f: fn(&Coverage) -> Fen| {
        Fen(departments
            .iter()
            .fold(0i64, |acc, d| acc.saturating_add(f(&d.coverage).0)))
    };
    let region = coverage(
        settings,
        total(|c| c.project_funds),
        total(|c| c.evaluated_funds),
    );
    let shortfalls = departments
        .iter()
        .filter(|d| d.coverage.shortfall)
        .map(|d| d.unit.clone())
        .collect();
    RegionCoverage {
        departments,
        region,
        shortfalls,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn dept(code: &str, funds_wan: &str, evaluated_wan: &str) -> DepartmentFunds {
        DepartmentFunds {
            unit: UnitCode::parse(code).unwrap(),
            project_funds: Fen::parse_wan(funds_wan).unwrap(),
            evaluated_funds: Fen::parse_wan(evaluated_wan).unwrap(),
        }
    }

    #[test]
    fn department_coverage_and_shortfall_spec_8_1() {
        let s = CoverageSettings::default();
        let table = [
            ("1000", "200", Some(dec!(20.00)), false),
            ("1000", "199.99", Some(dec!(20.00)), false), // 19.999% shows as 20.00%
            ("1000", "199.9", Some(dec!(19.99)), true),
            ("1000", "0", Some(dec!(0)), true),
            ("1000", "1000", Some(dec!(100)), false),
            ("3", "1", Some(dec!(33.33)), false),
            ("0", "0", None, false), // no project funds: not flagged
        ];
        for (funds, evaluated, share, short) in table {
            let c = coverage(
                &s,
                Fen::parse_wan(funds).unwrap(),
                Fen::parse_wan(evaluated).unwrap(),
            );
            assert_eq!(c.share, share, "{evaluated}/{funds}");
            assert_eq!(c.shortfall, short, "{evaluated}/{funds}");
        }
    }

    #[test]
    fn region_coverage_spec_8_1() {
        let s = CoverageSettings::default();
        let r = region_coverage(
            &s,
            &[
                dept("001", "1000", "300"),
                dept("002", "500", "50"),
                dept("003", "0", "0"),
                dept("004", "120", "24"),
            ],
        );
        let shares: Vec<Option<Decimal>> = r.departments.iter().map(|d| d.coverage.share).collect();
        assert_eq!(
            shares,
            vec![Some(dec!(30)), Some(dec!(10)), None, Some(dec!(20))]
        );
        assert_eq!(r.shortfalls, vec![UnitCode::parse("002").unwrap()]);
        assert_eq!(r.region.project_funds, Fen::from_wan(1620));
        assert_eq!(r.region.evaluated_funds, Fen::from_wan(374));
        assert_eq!(r.region.share, Some(dec!(23.09)));
        assert!(!r.region.shortfall);
    }

    #[test]
    fn seed_year_region_figure_spec_15() {
        // 且末县: 33 department evaluations covering 26299万元 of 2022's project funds; with
        // the 143 self-evaluated projects' 46083万元 as the base the share is 57.07%.
        let s = CoverageSettings::default();
        let c = coverage(&s, Fen::from_wan(46083), Fen::from_wan(26299));
        assert_eq!(c.share, Some(dec!(57.07)));
        assert!(!c.shortfall);
    }

    #[test]
    fn minimum_share_is_configurable_spec_8_1() {
        let s = CoverageSettings {
            min_share: dec!(0.30),
        };
        let r = region_coverage(&s, &[dept("001", "100", "25")]);
        assert_eq!(r.shortfalls.len(), 1);
        assert!(r.region.shortfall);
    }

    #[test]
    fn empty_region() {
        let r = region_coverage(&CoverageSettings::default(), &[]);
        assert_eq!(r.region.share, None);
        assert!(!r.region.shortfall);
        assert!(r.shortfalls.is_empty());
    }
}
