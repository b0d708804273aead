//! Which fiscal years a region has and which one is current: the one answer every page uses
//! instead of a year written into the code.

use crate::{Result, Store, on_pool};

/// The fiscal years of a region's data, latest first, and the working year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Years {
    /// Every fiscal year of the region's projects, targets and evaluations, latest first; never
    /// empty (an empty region has the current calendar year only).
    pub all: Vec<i32>,
    /// The working year: the latest year of the data, or the calendar year when there is none.
    pub current: i32,
}

impl Years {
    /// From the years found in the data (any order, duplicates allowed) and the calendar year,
    /// used only when the data holds none.
    pub fn from_data(mut found: Vec<i32>, calendar_year: i32) -> Years {
        found.sort_unstable_by(|a, b| b.cmp(a));
        found.dedup();
        if found.is_empty() {
            found.push(calendar_year);
        }
        Years {
            current: found[0],
            all: found,
        }
    }

    /// `wanted` if the data holds that year, else the current year: a `?year=` parameter may
    /// choose another existing year, never one without data.
    pub fn pick(&self, wanted: Option<i32>) -> i32 {
        wanted
            .filter(|y| self.all.contains(y))
            .unwrap_or(self.current)
    }

    /// The year before `year` in the data, if any.
    pub fn previous(&self, year: i32) -> Option<i32> {
        self.all.iter().copied().find(|y| *y < year)
    }
}

/// The calendar year now (UTC+8, China Standard Time).
pub fn calendar_year() -> i32 {
    use chrono::Datelike;
    let offset = chrono::FixedOffset::east_opt(8 * 3600).expect("UTC+8 is a valid offset");
    chrono::Utc::now().with_timezone(&offset).year()
}

/// The years of a region (see [`Years`]).
pub async fn of_region(store: &Store, region: &str) -> Result<Years> {
    let sql = "SELECT fiscal_year FROM projects WHERE region_code = $1 \
               UNION SELECT fiscal_year FROM targets WHERE region_code = $1 \
               UNION SELECT fiscal_year FROM evaluations WHERE region_code = $1";
    let found: Vec<i32> = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .fetch_all(p)
        .await?);
    Ok(Years::from_data(found, calendar_year()))
}

/// The years of a region and every region below it (an upper level's roll-up, issue 14).
pub async fn of_subtree(store: &Store, region: &str) -> Result<Years> {
    let sql = "SELECT DISTINCT p.fiscal_year FROM region_paths rp JOIN projects p ON p.region_code = rp.descendant \
               WHERE rp.ancestor = $1 \
               UNION SELECT e.fiscal_year FROM region_paths rp JOIN evaluations e ON e.region_code = rp.descendant \
               WHERE rp.ancestor = $1";
    let found: Vec<i32> = on_pool!(store, |p| sqlx::query_scalar(sql)
        .bind(region)
        .fetch_all(p)
        .await?);
    Ok(Years::from_data(found, calendar_year()))
}

#[cfg(test)]
mod tests {
    use super::Years;

    #[test]
    fn latest_year_of_the_data_is_current_and_the_clock_only_fills_an_empty_region() {
        let y = Years::from_data(vec![2022, 2025, 2023, 2025], 2031);
        assert_eq!(y.all, vec![2025, 2023, 2022]);
        assert_eq!(y.current, 2025);
        assert_eq!(y.pick(Some(2022)), 2022);
        assert_eq!(
            y.pick(Some(2019)),
            2025,
            "a year without data is not chosen"
        );
        assert_eq!(y.pick(None), 2025);
        assert_eq!(y.previous(2025), Some(2023));
        assert_eq!(y.previous(2022), None);
        let empty = Years::from_data(vec![], 2031);
        assert_eq!(empty.all, vec![2031]);
        assert_eq!(empty.current, 2031);
    }
}
