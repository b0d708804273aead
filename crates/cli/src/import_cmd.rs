//! `jixiao import targets|monitoring|self-evaluations|units|projects FILE… --year Y [--region CODE]`:
//! the terminal side of `jixiao_import` (reading the files, progress, printing problems).

use crate::CliError;
use indicatif::{ProgressBar, ProgressStyle};
use jixiao_domain::scoring::Severity;
use jixiao_import::{Imported, Problem, Request, Session};
use jixiao_store::imports::ImportKind;
use jixiao_store::imports::{Outcome, Who};
use jixiao_store::{Store, StoreError};
use std::path::{Path, PathBuf};

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
    pub files: &'a [PathBuf],
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

/// What became of one file.
enum Done {
    Imported,
    AlreadyImported,
    /// Nothing of the file was written; the message says why.
    Refused(String),
}

/// Runs `jixiao import KIND FILE…`. Problems are printed to stderr. Each file is imported on its
/// own, all or nothing: a refused file is named and the others go on; the command fails when
/// any file was refused. The master data is loaded once for all the files
/// ([`jixiao_import::Session`]).
pub async fn run(db: &str, args: Args<'_>) -> Result<(), CliError> {
    jixiao_domain::types::FiscalYear::new(args.year).map_err(|e| CliError::Usage(e.to_string()))?;
    let kind = args.kind.import_kind();
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
    let who = Who {
        user_id,
        username: &username,
        role: "cli",
        ip: "",
    };
    let several = args.files.len() > 1;
    // indicatif draws only when stderr is a terminal. One file: its forms or sheets; several:
    // the files.
    let bar = ProgressBar::new(if several { args.files.len() as u64 } else { 0 });
    bar.set_style(
        ProgressStyle::with_template("{msg:<12} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(if several {
        "导入文件"
    } else {
        "检查并写入"
    });
    let mut session = Session::default();
    let (mut imported, mut already, mut refused) = (0usize, 0usize, Vec::new());
    for file in args.files {
        let file_name = file.file_name().map_or_else(
            || file.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        let done = import_file(
            &store,
            &mut session,
            &Request {
                region: &region,
                year: args.year,
                kind,
                file_name: &file_name,
                who: who.clone(),
                allowed_units: None,
            },
            file,
            several,
            &bar,
        )
        .await?;
        if several {
            bar.inc(1);
        }
        match done {
            Done::Imported => imported += 1,
            Done::AlreadyImported => already += 1,
            Done::Refused(message) if !several => return Err(CliError::Usage(message)),
            Done::Refused(message) => {
                bar.suspend(|| eprintln!("错误：{message}"));
                refused.push(file_name);
            }
        }
    }
    bar.finish_and_clear();
    if several {
        outln!(
            "共 {} 个文件：已导入 {imported} 个，此前已导入（未作改动）{already} 个，未导入 {} 个。",
            args.files.len(),
            refused.len()
        );
    }
    if refused.is_empty() {
        Ok(())
    } else {
        Err(CliError::Usage(format!(
            "{} 个文件未导入（见上）：{}",
            refused.len(),
            refused.join("、")
        )))
    }
}

/// Imports one file: reads it, then checks and writes it through the session. A file that is
/// missing, unreadable, too large or has errors is refused (nothing written); only a failure of
/// the database itself ends the command.
async fn import_file(
    store: &Store,
    session: &mut Session,
    req: &Request<'_>,
    path: &Path,
    several: bool,
    bar: &ProgressBar,
) -> Result<Done, CliError> {
    let file_name = req.file_name;
    let limits = jixiao_import::limits(req.kind);
    let bytes = match std::fs::metadata(path) {
        Err(e) => {
            return Ok(Done::Refused(format!(
                "无法打开文件 {}：{e}",
                path.display()
            )));
        }
        Ok(meta) if meta.len() > limits.max_file_bytes => {
            return Ok(Done::Refused(format!(
                "文件 {} 大小 {} 字节，超过上限 {} 字节",
                file_name,
                meta.len(),
                limits.max_file_bytes
            )));
        }
        Ok(_) => match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                return Ok(Done::Refused(format!(
                    "无法读取文件 {}：{e}",
                    path.display()
                )));
            }
        },
    };
    let result = session
        .import_bytes(store, req, bytes, &|done, total| {
            if !several {
                bar.set_length(total);
                bar.set_position(done);
            }
        })
        .await;
    let print = |problems: &[Problem]| {
        if !problems.is_empty() {
            bar.suspend(|| {
                if several {
                    eprintln!("{file_name}：");
                }
                print_problems(problems);
            });
        }
    };
    let (outcome, problems) = match result {
        Ok(Imported::Refused(problems)) => {
            print(&problems);
            let errors = problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .count();
            return Ok(Done::Refused(format!(
                "{file_name} 有 {errors} 处错误（见上），未导入任何数据"
            )));
        }
        Ok(Imported::Done(outcome, problems)) => (outcome, problems),
        Err(jixiao_import::ImportError::Unreadable(message)) => return Ok(Done::Refused(message)),
        // What the write refused in its transaction (a document submitted meanwhile, a code
        // taken meanwhile): this file is not imported, the others go on.
        Err(jixiao_import::ImportError::Store(
            e @ (StoreError::Invalid(_)
            | StoreError::Duplicate(_)
            | StoreError::Conflict
            | StoreError::Refused(_)
            | StoreError::NotFound(_)),
        )) => {
            return Ok(Done::Refused(format!("{file_name} 未导入任何数据：{e}")));
        }
        Err(e) => return Err(e.into()),
    };
    print(&problems);
    let kind = req.kind;
    let year = req.year;
    let done = bar.suspend(|| match outcome {
        Outcome::Imported(r) => {
            outln!(
                "已导入 {file_name}：{year} 年度{} {} 条、指标 {} 条（第 {} 号导入，SHA-256 {}）。",
                kind.label(),
                r.documents,
                r.indicators,
                r.id,
                &r.sha256[..12]
            );
            Done::Imported
        }
        Outcome::AlreadyImported(r) => {
            outln!(
                "文件 {file_name} 已于 {} 作为 {} 年度{}导入（第 {} 号导入，{} 条记录、{} 条指标），本次未作改动。",
                r.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
                r.fiscal_year,
                kind.label(),
                r.id,
                r.documents,
                r.indicators
            );
            Done::AlreadyImported
        }
    });
    Ok(done)
}
