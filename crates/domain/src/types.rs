//! Value types of the glossary (SPEC §2): each parsed once at the edge, then trusted.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Declares a closed set of codes with their stored code (English, SPEC §2) and Chinese label.
#[macro_export]
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal, $zh:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant,)+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The code stored in the database and used in the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code,)+ }
            }

            /// The label a user reads.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $zh,)+ }
            }

            /// Parses a stored code or a Chinese label.
            pub fn parse(text: &str) -> Option<$name> {
                let t = text.trim();
                $(if t == $code || t == $zh { return Some($name::$variant); })+
                None
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }
    };
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypeError {
    #[error("预算年度“{0}”无效（应为 2000–2100 之间的年份）")]
    FiscalYear(String),
    #[error("财政区划代码“{0}”无效（应为 9 位数字）")]
    RegionCode(String),
    #[error("单位编码“{0}”无效（应为 1–32 位字母、数字或短横线）")]
    UnitCode(String),
}

/// 预算年度.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "i32", into = "i32")]
pub struct FiscalYear(i32);

impl FiscalYear {
    pub fn new(year: i32) -> Result<FiscalYear, TypeError> {
        if (2000..=2100).contains(&year) {
            Ok(FiscalYear(year))
        } else {
            Err(TypeError::FiscalYear(year.to_string()))
        }
    }

    pub fn parse(text: &str) -> Result<FiscalYear, TypeError> {
        text.trim()
            .trim_end_matches('年')
            .parse::<i32>()
            .map_err(|_| TypeError::FiscalYear(text.into()))
            .and_then(FiscalYear::new)
    }

    pub fn get(self) -> i32 {
        self.0
    }

    pub fn previous(self) -> FiscalYear {
        FiscalYear(self.0 - 1)
    }

    pub fn next(self) -> FiscalYear {
        FiscalYear(self.0 + 1)
    }
}

impl TryFrom<i32> for FiscalYear {
    type Error = TypeError;
    fn try_from(value: i32) -> Result<Self, Self::Error> {
        FiscalYear::new(value)
    }
}

impl From<FiscalYear> for i32 {
    fn from(value: FiscalYear) -> i32 {
        value.0
    }
}

impl fmt::Display for FiscalYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// 财政区划代码, 9 digits (e.g. 652825000 且末县).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    pub fn parse(text: &str) -> Result<RegionCode, TypeError> {
        let t = text.trim();
        if t.len() == 9 && t.bytes().all(|b| b.is_ascii_digit()) {
            Ok(RegionCode(t.to_string()))
        } else {
            Err(TypeError::RegionCode(text.into()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RegionCode {
    type Error = TypeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        RegionCode::parse(&value)
    }
}

impl From<RegionCode> for String {
    fn from(value: RegionCode) -> String {
        value.0
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A unit's code, unique within its region (SPEC §3).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UnitCode(String);

impl UnitCode {
    pub fn parse(text: &str) -> Result<UnitCode, TypeError> {
        let t = text.trim();
        if !t.is_empty()
            && t.len() <= 32
            && t.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            Ok(UnitCode(t.to_string()))
        } else {
            Err(TypeError::UnitCode(text.into()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UnitCode {
    type Error = TypeError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        UnitCode::parse(&value)
    }
}

impl From<UnitCode> for String {
    fn from(value: UnitCode) -> String {
        value.0
    }
}

code_enum! {
    /// 预算类型, the four budgets (SPEC §2).
    BudgetType {
        GeneralPublic = "general_public", "一般公共预算";
        GovFund = "gov_fund", "政府性基金预算";
        StateCapital = "state_capital", "国有资本经营预算";
        SocialInsurance = "social_insurance", "社会保险基金预算";
    }
}

code_enum! {
    /// 单位性质 (SPEC §3).
    UnitKind {
        Administrative = "administrative", "行政单位";
        Institution = "institution", "事业单位";
        Other = "other", "其他";
    }
}

code_enum! {
    /// 项目类别 (SPEC §3).
    ProjectCategory {
        Personnel = "personnel", "人员类";
        Operation = "operation", "运转类";
        SpecificPurpose = "specific_purpose", "特定目标类";
    }
}

code_enum! {
    /// 新增/延续 (SPEC §3).
    Continuity {
        New = "new", "新增";
        Continuing = "continuing", "延续";
    }
}

code_enum! {
    /// 年初预算 or 年中追加 (SPEC §3).
    BudgetTiming {
        Initial = "initial", "年初预算";
        Supplementary = "supplementary", "年中追加";
    }
}

code_enum! {
    /// Roles (SPEC §1).
    Role {
        Sysadmin = "sysadmin", "系统管理员";
        FinanceAdmin = "finance_admin", "财政绩效管理员";
        FinanceDesk = "finance_desk", "财政业务股室";
        UnitPreparer = "unit_preparer", "单位填报员";
        UnitApprover = "unit_approver", "单位负责人/审核员";
        Evaluator = "evaluator", "第三方机构人员";
        Viewer = "viewer", "领导/人大查询";
    }
}

impl Role {
    /// The finance bureau: its performance office and its business desks.
    pub const FINANCE: &'static [Role] = &[Role::FinanceAdmin, Role::FinanceDesk];
    /// A budget unit's people: who fill in its documents and who approve them.
    pub const UNIT: &'static [Role] = &[Role::UnitPreparer, Role::UnitApprover];
    /// Who read the whole region: finance staff, leaders and administrators (SPEC §1).
    pub const REGION_READERS: &'static [Role] = &[
        Role::FinanceAdmin,
        Role::FinanceDesk,
        Role::Viewer,
        Role::Sysadmin,
    ];

    /// Whether any of `roles` is in `group` (one of the groups above, or a route's list).
    pub fn any_in(roles: &[Role], group: &[Role]) -> bool {
        roles.iter().any(|r| group.contains(r))
    }
}

code_enum! {
    /// 评价类型 (SPEC §8.1).
    EvaluationKind {
        SelfEvaluation = "self", "单位自评";
        Department = "department", "部门评价";
        Finance = "finance", "财政重点评价";
    }
}

code_enum! {
    /// What a target, evaluation or assessment is about (SPEC §6, §8.1).
    ObjectKind {
        Project = "project", "项目";
        Unit = "unit", "部门整体";
        Policy = "policy", "政策";
        Procurement = "procurement", "政府采购项目";
        Debt = "debt", "政府债务项目";
    }
}

code_enum! {
    /// Who performs an ex-ante assessment or evaluation (SPEC §5, §9).
    AssessorKind {
        Finance = "finance", "财政部门";
        Unit = "unit", "预算单位";
        Agency = "agency", "第三方机构";
    }
}

code_enum! {
    /// Monitoring task kind (SPEC §7).
    MonitoringKind {
        Project = "project", "项目";
        Unit = "unit", "部门整体";
    }
}

code_enum! {
    /// 第三方机构类型 (SPEC §9).
    AgencyType {
        Consulting = "consulting", "咨询机构";
        Accounting = "accounting", "会计师事务所";
        AssetAppraisal = "asset_appraisal", "资产评估机构";
        Law = "law", "律师事务所";
        Research = "research", "科研院所";
        University = "university", "高等院校";
        Other = "other", "其他";
    }
}

code_enum! {
    /// 机构状态 (SPEC §9).
    AgencyStatus {
        Active = "active", "正常";
        Suspended = "suspended", "暂停";
        Blacklisted = "blacklisted", "黑名单";
    }
}

impl AgencyStatus {
    /// Blacklisted or suspended agencies cannot be engaged (SPEC §9).
    pub fn may_be_engaged(self) -> bool {
        self == AgencyStatus::Active
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fiscal_year_bounds() {
        assert!(FiscalYear::new(2023).is_ok());
        assert!(FiscalYear::new(1999).is_err());
        assert_eq!(FiscalYear::parse("2023年").unwrap().get(), 2023);
        assert!(FiscalYear::parse("二〇二三").is_err());
    }

    #[test]
    fn region_code_is_nine_digits() {
        assert!(RegionCode::parse("652825000").is_ok());
        assert!(RegionCode::parse("65282500").is_err());
        assert!(RegionCode::parse("65282500x").is_err());
    }

    #[test]
    fn role_groups() {
        assert!(Role::any_in(
            &[Role::Viewer, Role::FinanceDesk],
            Role::FINANCE
        ));
        assert!(!Role::any_in(&[Role::Evaluator], Role::REGION_READERS));
        assert!(Role::any_in(&[Role::UnitApprover], Role::UNIT));
        assert!(!Role::any_in(&[], Role::UNIT));
    }

    #[test]
    fn code_enums_parse_code_and_label() {
        assert_eq!(BudgetType::parse("gov_fund"), Some(BudgetType::GovFund));
        assert_eq!(
            BudgetType::parse("政府性基金预算"),
            Some(BudgetType::GovFund)
        );
        assert_eq!(BudgetType::ALL.len(), 4);
        for r in Role::ALL {
            assert_eq!(Role::parse(r.code()), Some(*r));
        }
    }
}
