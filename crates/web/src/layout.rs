//! What every logged-in page shows around its content: the user, the region, the navigation by
//! module (only the modules the user's roles may open) and the CSRF token for forms and htmx.

use crate::access::{Access, Matrix};
use crate::auth::{CurrentUser, SessionInfo};

pub struct Layout {
    pub csrf: String,
    pub user_name: String,
    pub role: String,
    pub region_name: String,
    pub nav: Vec<NavItem>,
    /// The pages under a module the user may open.
    pub sub_pages: Vec<SubPage>,
    pub active: &'static str,
    /// Looking into a subordinate region, read-only (drill-down, issue 14).
    pub viewing: bool,
}

/// A module in the navigation: the route that opens it and its label.
pub struct NavItem {
    pub link: &'static str,
    pub label: &'static str,
}

/// A page reached from a module's list, shown on that list.
pub struct SubPage {
    pub module: &'static str,
    pub path: &'static str,
    pub label: &'static str,
    pub id: &'static str,
}

/// The modules in navigation order, each with the route that opens it.
const MODULES: &[(&str, &str)] = &[
    ("/", "待办"),
    ("/dashboard", "绩效看板"),
    ("/deadlines", "申报期限"),
    ("/projects", "项目库"),
    ("/ex-ante", "事前评估"),
    ("/settings/ex-ante", "评估规则"),
    ("/settings/rules", "规则参数"),
    ("/targets", "绩效目标"),
    ("/indicators", "指标库"),
    ("/monitoring", "运行监控"),
    ("/evaluations", "绩效评价"),
    ("/rectifications", "整改"),
    ("/result-applications", "结果应用"),
    ("/assessments", "部门考核"),
    ("/agencies", "第三方机构"),
    ("/disclosures", "信息公开"),
    ("/feedback", "群众意见"),
    ("/units", "预算单位"),
    ("/imports", "数据导入"),
    ("/reports", "年度报告"),
    ("/audit", "操作日志"),
    ("/admin/users", "用户管理"),
    ("/regions", "区划汇总"),
    ("/regions/assessment", "区划考核"),
    ("/admin/regions", "区划管理"),
    ("/rules", "规则说明"),
];

/// Pages reached from a module's list: (module path, page path, label, element id).
const SUB_PAGES: &[(&str, &str, &str, &str)] = &[
    (
        "/monitoring",
        "/monitoring/tasks",
        "监控任务：下达任务、各单位报送进度、预警与整改汇总",
        "monitoring-tasks-link",
    ),
    (
        "/agencies",
        "/agencies/new",
        "登记第三方机构",
        "agency-new-link",
    ),
    (
        "/evaluations",
        "/evaluations/rounds",
        "自评任务：部署年度绩效自评、各单位报送进度",
        "evaluation-rounds-link",
    ),
    (
        "/evaluations",
        "/evaluations/department",
        "部门评价：选择项目、覆盖率",
        "department-evaluations-link",
    ),
    (
        "/evaluations",
        "/verifications",
        "真实性核查",
        "verifications-list-link",
    ),
];

impl Layout {
    pub fn new(
        session: &SessionInfo,
        user: &CurrentUser,
        region_name: &str,
        matrix: &Matrix,
        active: &'static str,
    ) -> Layout {
        let nav = MODULES
            .iter()
            .filter(|(path, _)| {
                matrix
                    .lookup(&axum::http::Method::GET, path)
                    .is_some_and(|a: Access| a.allows(&user.roles))
                    // The roll-up belongs to a region with regions below it.
                    && (!path.starts_with("/regions") || user.oversees)
            })
            .map(|&(link, label)| NavItem { link, label })
            .collect();
        let sub_pages = SUB_PAGES
            .iter()
            .filter(|(_, path, _, _)| {
                matrix
                    .lookup(&axum::http::Method::GET, path)
                    .is_some_and(|a: Access| a.allows(&user.roles))
            })
            .map(|&(module, path, label, id)| SubPage {
                module,
                path,
                label,
                id,
            })
            .collect();
        Layout {
            sub_pages,
            csrf: session.csrf.clone(),
            user_name: user.display_name.clone(),
            role: match &user.home {
                // Looking into a subordinate region: who the user is, and that it is read only.
                Some(home) => format!(
                    "{}，下级区划只读",
                    jixiao_domain::types::Role::ALL
                        .iter()
                        .find(|r| home.roles.contains(r))
                        .map_or("", |r| r.label())
                ),
                None => user.main_role().label().to_string(),
            },
            region_name: region_name.to_string(),
            nav,
            active,
            viewing: user.home.is_some(),
        }
    }
}
