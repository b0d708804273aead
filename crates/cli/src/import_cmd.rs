//! `jixiao import targets|self-evaluations|units|projects FILE --year Y [--region CODE]`:
//! the terminal side of `jixiao_import` (reading the file, progress, printing problems).

use crate::CliError;
use indicatif::{ProgressBar, ProgressStyle};
use jixiao_domain::scoring::Severity;
use jixiao_forms::xlsx::Limits;
use jixiao_import::{Imported, Problem, Request};
use jixiao_store::Store;
use jixiao_store::imports::ImportKind;
use jixiao_store::imports::{Outcome, Who};
use std::path::Path;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Kind {
    /// 项目/部门整体支出绩效目标申报表
    Targets,
    /// 项目支出绩效目标执行监控表（导入到年度内期末月份相同的项目监控任务）
    Monitoring,
    /// 项目/部门整体支出绩效自评表
    SelfEvaluations,
    /// 单位清单
    Units,
    /// 项目清单
    Projects,
}

impl Kind {
    pub fn import_kind(self) -> ImportKind {
        match self {
            Kind::Targets => ImportKind::Targets,
            Kind::SelfEvaluations => ImportKind::SelfEvaluations,
            Kind::Units => ImportKind::Units,
            Kind::Projects => ImportKind::Projects,
            Kind::Monitoring => ImportKind::Monitoring,
        }
    }
}

impl From<jixiao_import::ImportError> for CliError {
    fn from(e: jixiao_import::ImportError) -> Self {
        match e {
            jixiao_import::ImportError::Store(s) => CliError::Store(s),
            jixiao_import::ImportError::Unreadable(m) => CliError::Usage(m),
        }
    }
}

pub struct Args<'a> {
    pub kind: Kind,
    pub file: &'a Path,
    pub year: i32,
    pub region: Option<String>,
    pub username: Option<String>,
}

fn print_problems(problems: &[Problem]) {
    for p in problems {
        let tag = match p.severity {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        };
        eprintln!("  {tag} {}", p.message);
    }
}

/// Runs `jixiao import`. Problems are printed to stderr; an error makes the command fail with
/// nothing written.
pub async fn run(db: &str, args: Args<'_>) -> Result<(), CliError> {
    jixiao_domain::types::FiscalYear::new(args.year).map_err(|e| CliError::Usage(e.to_string()))?;
    let kind = args.kind.import_kind();
    let file_name = args.file.file_name().map_or_else(
        || args.file.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let meta = std::fs::metadata(args.file)
        .map_err(|e| CliError::Usage(format!("无法打开文件 {}：{e}", args.file.display())))?;
    let limits = Limits::default();
    if meta.len() > limits.max_file_bytes {
        return Err(CliError::Usage(format!(
            "文件 {} 大小 {} 字节，超过上限 {} 字节",
            file_name,
            meta.len(),
            limits.max_file_bytes
        )));
    }
    let bytes = std::fs::read(args.file)
        .map_err(|e| CliError::Usage(format!("无法读取文件 {}：{e}", args.file.display())))?;

    crate::require_existing(db)?;
    let store = Store::connect(db).await?;
    if !store.is_initialised().await? {
        return Err(CliError::Usage(
            "数据库尚未初始化：请先运行 jixiao init 或 jixiao demo".into(),
        ));
    }
    store.migrate().await?;
    crate::audit_key::require(&store).await?;
    let region = crate::pick_region(&store, args.region).await?;
    let (user_id, username) = match &args.username {
        Some(name) => {
            let u = jixiao_store::users::by_username(&store, name)
                .await?
                .ok_or_else(|| CliError::Usage(format!("用户 {name} 不存在")))?;
            (Some(u.id), name.clone())
        }
        None => (
            None,
            format!(
                "命令行:{}",
                std::env::var("USER").unwrap_or_else(|_| "unknown".into())
            ),
        ),
    };
    // indicatif draws only when stderr is a terminal.
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:<12} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("检查并写入");
    let result = jixiao_import::import_bytes(
        &store,
        &Request {
            region: &region,
            year: args.year,
            kind,
            file_name: &file_name,
            who: Who {
                user_id,
                username: &username,
                role: "cli",
                ip: "",
            },
            allowed_units: None,
        },
        bytes,
        &|done, total| {
            bar.set_length(total);
            bar.set_position(done);
        },
    )
    .await;
    bar.finish_and_clear();
    let (outcome, problems) = match result? {
        Imported::Refused(problems) => {
            print_problems(&problems);
            let errors = problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .count();
            return Err(CliError::Usage(format!(
                "{file_name} 有 {errors} 处错误（见上），未导入任何数据"
            )));
        }
        Imported::Done(outcome, problems) => (outcome, problems),
    };
    print_problems(&problems);
    match outcome {
        Outcome::Imported(r) => outln!(
            "已导入 {file_name}：{} 年度{} {} 条、指标 {} 条（第 {} 号导入，SHA-256 {}）。",
            args.year,
            kind.label(),
            r.documents,
            r.indicators,
            r.id,
            &r.sha256[..12]
        ),
        Outcome::AlreadyImported(r) => outln!(
            "文件 {file_name} 已于 {} 作为 {} 年度{}导入（第 {} 号导入，{} 条记录、{} 条指标），本次未作改动。",
            r.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
            r.fiscal_year,
            kind.label(),
            r.id,
            r.documents,
            r.indicators
        ),
    }
    Ok(())
}
