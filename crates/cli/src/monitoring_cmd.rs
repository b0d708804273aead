//! `jixiao monitoring task create …`: the finance performance office issues a monitoring task
//! from the terminal, as a named user (SPEC §7). The same operation as the web page and the API
//! (`jixiao_app::monitoring::issue_task`): the same checks, the same drafts, the same audit entry.

use crate::CliError;
use clap::Subcommand;
use jixiao_app::{Actor, AppError, User};

#[derive(Subcommand)]
pub enum MonitoringCommand {
    /// Monitoring tasks (监控任务)
    Task {
        #[command(subcommand)]
        task: TaskCommand,
    },
}

#[derive(Subcommand)]
pub enum TaskCommand {
    /// Issue a task: one report draft per project with a target in force, or per level-1 unit
    /// (下达监控任务)
    Create {
        /// project (项目) or unit (部门整体)
        #[arg(long, default_value = "project")]
        kind: String,
        /// Fiscal year (预算年度)
        #[arg(long)]
        year: i32,
        /// Data as of the end of this month, 1–12 (数据截至 1-N 月)
        #[arg(long)]
        period_end_month: u32,
        /// Deadline for the units' reports, YYYY-MM-DD (报送截止日期)
        #[arg(long)]
        deadline: String,
        /// Task name; made from the year, period and kind when left out
        #[arg(long, default_value = "")]
        name: String,
        /// Limit to these units (unit codes, repeatable)
        #[arg(long = "unit", value_name = "CODE")]
        units: Vec<String>,
        /// Limit to these projects (project codes, repeatable)
        #[arg(long = "project", value_name = "CODE")]
        projects: Vec<String>,
        /// The finance performance administrator who issues it (须为财政绩效管理员)
        #[arg(long = "as", value_name = "USERNAME")]
        as_user: String,
    },
}

pub async fn run(db: &str, command: MonitoringCommand) -> Result<(), CliError> {
    let MonitoringCommand::Task {
        task:
            TaskCommand::Create {
                kind,
                year,
                period_end_month,
                deadline,
                name,
                units,
                projects,
                as_user,
            },
    } = command;
    crate::require_existing(db)?;
    let store = crate::open(db).await?;
    let record = jixiao_store::users::by_username(&store, &as_user)
        .await?
        .filter(|u| !u.disabled)
        .ok_or_else(|| CliError::Usage(format!("用户 {as_user} 不存在或已停用")))?;
    let user = User {
        id: record.id,
        username: record.username.clone(),
        display_name: record.display_name.clone(),
        region: record.region_code.clone(),
        roles: jixiao_store::users::roles(&store, record.id).await?,
        unit_id: record.unit_id,
        agency_id: record.agency_id,
    };
    let mut unit_ids = Vec::new();
    for code in &units {
        let unit = jixiao_store::units::by_code(&store, &user.region, code)
            .await?
            .ok_or_else(|| CliError::Usage(format!("单位编码 {code} 不存在")))?;
        unit_ids.push(unit.id);
    }
    let (project_ids, unknown) =
        jixiao_store::projects::ids_by_code(&store, &user.region, year, &projects).await?;
    if !unknown.is_empty() {
        return Err(CliError::Usage(format!(
            "{year} 年度没有编码为 {} 的项目",
            unknown.join("、")
        )));
    }
    let actor = Actor::new(&store, &user, "cli");
    let issued = jixiao_app::monitoring::issue_task(
        &actor,
        &jixiao_app::monitoring::TaskInput {
            kind,
            name,
            fiscal_year: year.to_string(),
            period_end_month: period_end_month.to_string(),
            deadline,
            units: unit_ids,
            projects: project_ids,
        },
    )
    .await
    .map_err(|e| match e {
        AppError::Store(s) => CliError::Store(s),
        other => CliError::Usage(other.to_string()),
    })?;
    outln!(
        "已下达监控任务（编号 {}），生成报告草稿 {} 份。",
        issued.id,
        issued.drafts
    );
    Ok(())
}
