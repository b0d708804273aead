//! `jixiao`: the one binary. It serves the web UI and JSON API and its subcommands do the
//! administration, imports, exports and reports. Errors print as one clear line and exit non-zero.

/// Prints a line on standard output. When the reader has gone away (`jixiao forms check … |
/// head`), the command ends quietly instead of panicking on the closed pipe, as Unix tools do.
macro_rules! outln {
    () => {
        $crate::write_stdout("\n")
    };
    ($($arg:tt)*) => {
        $crate::write_stdout(&format!("{}\n", format_args!($($arg)*)))
    };
}

/// [`outln!`] without the line break.
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::write_stdout(&format!($($arg)*))
    };
}

mod audit_key;
mod forms_check;
mod import_cmd;
mod monitoring_cmd;
mod ops;

use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use jixiao_domain::report::annual;
use jixiao_store::{Store, StoreError};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "jixiao",
    version,
    about = "积效 Jixiao — 预算绩效管理系统 (budget performance management)",
    long_about = "积效 Jixiao — 预算绩效管理系统。\n\n\
        快速开始 / quick start:\n  jixiao demo                 载入演示县（且末县）并启动网站\n  \
        jixiao report annual --year 2023 --format md   生成年度预算绩效情况说明\n\n\
        数据库用 --db 或环境变量 JIXIAO_DATABASE_URL 指定：sqlite://文件路径（默认 ./jixiao.db）或 postgres://用户@主机/库名"
)]
struct Cli {
    /// Database URL: sqlite://FILE or postgres://USER@HOST/DB (数据库地址)
    #[arg(
        long,
        global = true,
        env = "JIXIAO_DATABASE_URL",
        default_value = "sqlite://./jixiao.db"
    )]
    db: String,
    /// Mark session cookies Secure: set this when users reach the server through HTTPS (a TLS
    /// reverse proxy) (会话 Cookie 仅通过 HTTPS 发送)
    #[arg(long, global = true, env = "JIXIAO_SECURE_COOKIES")]
    secure_cookies: bool,
    /// The audit log's signing key file, kept apart from the database; created by init and demo
    /// when missing. Default: <database file>.audit-key beside a SQLite database,
    /// ./jixiao-audit.key for PostgreSQL (操作日志签名密钥文件)
    #[arg(long, global = true, env = "JIXIAO_AUDIT_KEY", value_name = "FILE")]
    audit_key: Option<PathBuf>,
    /// Database connections the server holds at most (数据库连接池大小)
    #[arg(
        long,
        global = true,
        env = "JIXIAO_DB_POOL_SIZE",
        default_value_t = 8,
        value_parser = clap::value_parser!(u32).range(1..=512)
    )]
    db_pool_size: u32,
    /// PostgreSQL: cancel a statement after this many seconds; 0 means no limit
    /// (PostgreSQL 语句超时秒数，0 为不限)
    #[arg(
        long,
        global = true,
        env = "JIXIAO_DB_STATEMENT_TIMEOUT",
        default_value_t = 0,
        value_name = "SECONDS"
    )]
    db_statement_timeout: u64,
    /// SQLite: MiB of the database file read through memory-mapped I/O; 0 turns it off
    /// (SQLite 内存映射读取上限，单位 MiB，0 为关闭)
    #[arg(
        long,
        global = true,
        env = "JIXIAO_DB_MMAP_MIB",
        default_value_t = 1024,
        value_name = "MIB",
        value_parser = clap::value_parser!(u32).range(0..=65536)
    )]
    db_mmap_mib: u32,
    #[command(subcommand)]
    command: Command,
}

impl Cli {
    fn pool(&self) -> jixiao_store::PoolSettings {
        jixiao_store::PoolSettings {
            max_connections: self.db_pool_size,
            statement_timeout: (self.db_statement_timeout > 0)
                .then(|| std::time::Duration::from_secs(self.db_statement_timeout)),
            sqlite_mmap_mib: self.db_mmap_mib,
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Create or upgrade the database and the first administrator (初始化数据库与管理员)
    Init {
        /// Region code, 9 digits (财政区划代码)
        #[arg(long)]
        region_code: Option<String>,
        /// Region name (财政区划名称)
        #[arg(long)]
        region_name: Option<String>,
        /// Administrator's username
        #[arg(long, default_value = "admin")]
        admin: String,
        /// Administrator's initial password (must be changed at first login)
        #[arg(long, env = "JIXIAO_ADMIN_PASSWORD")]
        password: Option<String>,
    },
    /// Load the demo county 且末县 and serve it (载入演示县并启动)
    Demo {
        /// Drop everything in the database first (清空数据库后重新载入)
        #[arg(long)]
        reset: bool,
        /// Load only, do not start the web server
        #[arg(long)]
        no_serve: bool,
        /// Address to listen on
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
        /// Which demo: the county 且末县 that reproduces the seed document, or a province for
        /// measuring scale (示范省: 98 counties, 3,038 units, 100,058 projects), or a small
        /// province of the same shape (规模：县 / 省 / 小规模省)
        #[arg(long, value_enum, default_value = "county")]
        scale: DemoScale,
    },
    /// Start the web server (启动网站)
    Serve {
        /// Address to listen on
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: String,
    },
    /// Write reports (生成报告)
    Report {
        #[command(subcommand)]
        report: ReportCommand,
    },
    /// Audit log tools (操作日志)
    Audit {
        #[command(subcommand)]
        audit: AuditCommand,
    },
    /// Import .xlsx files into the database, each all or nothing (导入 xlsx：目标、自评、单位、项目)
    Import {
        /// What the files hold (导入类型)
        #[arg(value_enum)]
        kind: import_cmd::Kind,
        /// The .xlsx files, one or more; each is imported on its own (逐个导入，互不影响)
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Fiscal year (预算年度); for self-evaluations the year evaluated
        #[arg(long)]
        year: i32,
        /// Region code; may be left out when the database holds one region
        #[arg(long)]
        region: Option<String>,
        /// Record the import as done by this user (默认记录为命令行用户)
        #[arg(long = "as", value_name = "USERNAME")]
        as_user: Option<String>,
    },
    /// Excel forms: check and score without a database (xlsx 绩效表检查)
    Forms {
        #[command(subcommand)]
        forms: forms_check::FormsCommand,
    },
    /// Take a consistent copy of the database while it is in use, and check it (备份)
    Backup {
        /// The backup file to write (must not exist)
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Restore a backup into --db after checking it (恢复)
    Restore {
        /// The backup file
        file: PathBuf,
        /// Replace an existing database
        #[arg(long)]
        force: bool,
    },
    /// Check the database: integrity, audit chain, schema version, rule settings (检查)
    Check,
    /// Manage users (用户管理)
    User {
        #[command(subcommand)]
        user: ops::UserCommand,
    },
    /// Performance monitoring: issue tasks (绩效运行监控)
    Monitoring {
        #[command(subcommand)]
        monitoring: monitoring_cmd::MonitoringCommand,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// The annual summary report 预算绩效情况说明 (SPEC §13)
    Annual {
        /// Fiscal year (年度), e.g. 2023
        #[arg(long)]
        year: i32,
        /// Output format
        #[arg(long, value_enum, default_value_t = Format::Md)]
        format: Format,
        /// Output file (required for docx and pdf); `-` or none writes md/html to standard output
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Region code; may be left out when the database holds one county
        #[arg(long)]
        region: Option<String>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the hash chain of the audit log (校验操作日志哈希链)
    Verify,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Md,
    Html,
    Docx,
    Pdf,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum CliError {
    #[error("{0}")]
    Store(#[from] StoreError),
    #[error("无法写入 {path}：{source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    Render(#[from] jixiao_forms::render::RenderError),
    #[error("无法启动网站：{0}")]
    Serve(std::io::Error),
}

/// Writes to standard output; a closed pipe ends the process with success, any other write
/// failure with an error line.
pub(crate) fn write_stdout(text: &str) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("错误：无法写出结果：{e}");
        std::process::exit(1);
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("JIXIAO_LOG")
                .unwrap_or_else(|_| "info,sqlx=error".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("错误：{e}");
            ExitCode::FAILURE
        }
    }
}

/// For commands that only read: a SQLite file that does not exist is an error, not a new file.
pub(crate) fn require_existing(db: &str) -> Result<(), CliError> {
    if let Some(rest) = db.strip_prefix("sqlite:") {
        let path = rest
            .trim_start_matches("//")
            .split('?')
            .next()
            .unwrap_or("");
        if !path.is_empty() && !path.starts_with(":memory:") && !std::path::Path::new(path).exists()
        {
            return Err(CliError::Usage(format!(
                "数据库文件 {path} 不存在：请先运行 jixiao init 或 jixiao demo，或用 --db 指定已有的数据库"
            )));
        }
    }
    Ok(())
}

pub(crate) async fn open(db: &str) -> Result<Store, CliError> {
    open_with(db, jixiao_store::PoolSettings::default()).await
}

/// [`open`] with the server's pool settings.
pub(crate) async fn open_with(
    db: &str,
    pool: jixiao_store::PoolSettings,
) -> Result<Store, CliError> {
    let store = Store::connect_with(db, pool).await?;
    store.migrate().await?;
    audit_key::require(&store).await?;
    Ok(store)
}

async fn run(cli: Cli) -> Result<(), CliError> {
    if !matches!(cli.command, Command::Forms { .. }) {
        audit_key::setup(&cli.db, cli.audit_key.clone())?;
    }
    let pool = cli.pool();
    match cli.command {
        Command::Init {
            region_code,
            region_name,
            admin,
            password,
        } => init(&cli.db, region_code, region_name, &admin, password).await,
        Command::Demo {
            reset,
            no_serve,
            listen,
            scale: DemoScale::County,
        } => demo(&cli.db, reset, no_serve, &listen, cli.secure_cookies, pool).await,
        Command::Demo {
            reset,
            no_serve,
            listen,
            scale,
        } => {
            let size = if scale == DemoScale::Province {
                jixiao_demo::province::Scale::PROVINCE
            } else {
                jixiao_demo::province::Scale::SMALL
            };
            demo_province(
                &cli.db,
                reset,
                no_serve,
                &listen,
                cli.secure_cookies,
                size,
                pool,
            )
            .await
        }
        Command::Serve { listen } => {
            let store = open_with(&cli.db, pool).await?;
            if jixiao_store::audit::installed_key().is_none() {
                // A log that was never signed may go on unsigned, but not silently.
                tracing::warn!(
                    "未找到操作日志密钥文件 {}：操作日志将不签名；运行 jixiao init 可生成密钥",
                    audit_key::path().display()
                );
            }
            let demo = store.meta("demo").await?.is_some();
            serve(store, demo, &listen, cli.secure_cookies).await
        }
        Command::Report {
            report:
                ReportCommand::Annual {
                    year,
                    format,
                    output,
                    region,
                },
        } => report_annual(&cli.db, year, format, output, region).await,
        Command::Import {
            kind,
            files,
            year,
            region,
            as_user,
        } => {
            import_cmd::run(
                &cli.db,
                import_cmd::Args {
                    kind,
                    files: &files,
                    year,
                    region,
                    username: as_user,
                },
            )
            .await
        }
        Command::Backup { output } => ops::backup(&cli.db, &output).await,
        Command::Restore { file, force } => ops::restore(&cli.db, &file, force).await,
        Command::Check => ops::check(&cli.db).await,
        Command::User { user } => ops::user(&cli.db, user).await,
        Command::Monitoring { monitoring } => monitoring_cmd::run(&cli.db, monitoring).await,
        Command::Forms { forms } => {
            // Exit codes 0/1/2 are part of the command's contract (issue 4).
            let code = forms_check::run(forms).await;
            let _ = std::io::stdout().flush();
            std::process::exit(code);
        }
        Command::Audit {
            audit: AuditCommand::Verify,
        } => {
            require_existing(&cli.db)?;
            let store = Store::connect(&cli.db).await?;
            if !store.is_initialised().await? {
                return Err(CliError::Usage(
                    "数据库尚未初始化：请先运行 jixiao init 或 jixiao demo".into(),
                ));
            }
            use jixiao_store::audit::{Signatures, Verdict};
            match jixiao_store::audit::verify(&store).await? {
                Verdict::Intact { rows, signatures } => {
                    let signatures = match signatures {
                        Signatures::Checked { unsigned: 0 } => "，签名校验通过".to_string(),
                        Signatures::Checked { unsigned } => {
                            format!("，签名校验通过（其中 {unsigned} 条记录早于签名启用，无签名）")
                        }
                        Signatures::NotChecked => format!(
                            "；未找到密钥文件 {}，签名未校验",
                            audit_key::path().display()
                        ),
                    };
                    outln!("操作日志完整：{rows} 条记录，哈希链校验通过{signatures}。");
                    Ok(())
                }
                verdict => Err(CliError::Usage(verdict.problem().unwrap_or_default())),
            }
        }
    }
}

async fn init(
    db: &str,
    region_code: Option<String>,
    region_name: Option<String>,
    admin: &str,
    password: Option<String>,
) -> Result<(), CliError> {
    let store = open(db).await?;
    let mut tx = store.begin().await?;
    let region = match (region_code, region_name) {
        (Some(code), Some(name)) => {
            jixiao_domain::types::RegionCode::parse(&code)
                .map_err(|e| CliError::Usage(e.to_string()))?;
            if jixiao_store::regions::get(&store, &code).await?.is_none() {
                jixiao_store::regions::insert(&mut tx, &code, &name, None).await?;
                // A new region starts with the built-in indicator library (SPEC §3).
                jixiao_store::indicator_library::seed_defaults(&mut tx, &code).await?;
            }
            Some(code)
        }
        (None, None) => jixiao_store::regions::list(&store)
            .await?
            .first()
            .map(|r| r.code.clone()),
        _ => {
            return Err(CliError::Usage(
                "--region-code 与 --region-name 需同时提供".into(),
            ));
        }
    };
    let Some(region) = region else {
        return Err(CliError::Usage(
            "数据库中还没有财政区划：请用 --region-code 和 --region-name 指定，例如 --region-code 652825000 --region-name 且末县".into(),
        ));
    };
    if jixiao_store::users::by_username(&store, admin)
        .await?
        .is_some()
    {
        tx.commit().await?;
        audit_key::ensure(&store).await?;
        outln!("数据库已是最新结构；管理员 {admin} 已存在，未作改动。");
        return Ok(());
    }
    let Some(password) = password else {
        return Err(CliError::Usage(
            "请用 --password 或环境变量 JIXIAO_ADMIN_PASSWORD 提供管理员初始密码（首次登录须修改）"
                .into(),
        ));
    };
    audit_key::ensure(&store).await?;
    let hash = jixiao_store::users::hash_password(&password)?;
    jixiao_store::users::insert(
        &mut tx,
        &jixiao_store::users::NewUser {
            region: &region,
            username: admin,
            display_name: "系统管理员",
            password_hash: &hash,
            unit_id: None,
            agency_id: None,
            must_change_password: true,
            roles: &[jixiao_domain::types::Role::Sysadmin],
        },
    )
    .await?;
    jixiao_store::audit::append(
        &mut tx,
        &jixiao_store::audit::Entry {
            username: "system",
            action: "user.create",
            object_kind: "user",
            object_id: admin,
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    outln!("初始化完成：区划 {region}，管理员 {admin}（首次登录须修改密码）。");
    Ok(())
}

/// The region a command works on: the one given, or the only one in the database.
async fn pick_region(store: &Store, region: Option<String>) -> Result<String, CliError> {
    let regions = jixiao_store::regions::list(store).await?;
    match region {
        Some(code) => {
            if regions.iter().any(|r| r.code == code) {
                Ok(code)
            } else {
                Err(CliError::Usage(format!("数据库中没有区划 {code}")))
            }
        }
        None => match regions.as_slice() {
            [only] => Ok(only.code.clone()),
            [] => Err(CliError::Usage(
                "数据库中还没有财政区划：请先运行 jixiao init".into(),
            )),
            _ => {
                let codes: Vec<String> = regions
                    .iter()
                    .map(|r| format!("{}（{}）", r.code, r.name))
                    .collect();
                Err(CliError::Usage(format!(
                    "数据库中有多个区划，请用 --region 指定：{}",
                    codes.join("、")
                )))
            }
        },
    }
}

/// The demo's size (`jixiao demo --scale`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DemoScale {
    /// 且末县, the county of the seed document
    County,
    /// 示范省, SPEC §17's province (100,000 projects)
    Province,
    /// A province of the same shape with 100 projects, for tests and CI
    ProvinceSmall,
}

/// Builds the generated province (issue 14) beside whatever demo data the database holds.
async fn demo_province(
    db: &str,
    reset: bool,
    no_serve: bool,
    listen: &str,
    secure_cookies: bool,
    scale: jixiao_demo::province::Scale,
    pool: jixiao_store::PoolSettings,
) -> Result<(), CliError> {
    use jixiao_demo::province;
    let store = Store::connect_with(db, pool).await?;
    let is_demo = store.is_initialised().await? && store.meta("demo").await?.is_some();
    if reset {
        store.reset().await?;
    } else if store.has_data().await? && !is_demo {
        return Err(CliError::Usage(format!(
            "数据库 {} 已有非演示数据，未作改动；如确需清空后载入演示省，请加 --reset",
            jixiao_store::redact(db)
        )));
    }
    store.migrate().await?;
    audit_key::ensure(&store).await?;
    if jixiao_store::regions::get(&store, province::PROVINCE_CODE)
        .await?
        .is_some()
    {
        outln!("演示省已在数据库中，直接使用（加 --reset 可重新生成）。");
    } else {
        let started = std::time::Instant::now();
        let (bar, mut step) = stepped_progress();
        let summary = province::load(&store, &scale, &mut step).await?;
        bar.finish_and_clear();
        if store.meta("demo").await?.is_none() {
            let mut tx = store.begin().await?;
            tx.set_meta("demo", province::PROVINCE_NAME).await?;
            tx.commit().await?;
        }
        outln!(
            "已生成演示省 {}（{}）：{} 个区划、{} 个单位、{} 个项目、{} 份绩效目标（{} 个指标）、{} 份监控报告、{} 个预警、{} 份自评，用时 {:.1} 秒。",
            province::PROVINCE_NAME,
            province::PROVINCE_CODE,
            summary.regions,
            summary.units,
            summary.projects,
            summary.targets,
            summary.target_indicators,
            summary.monitoring_reports,
            summary.warnings,
            summary.evaluations,
            started.elapsed().as_secs_f64()
        );
    }
    outln!(
        "演示省账号（密码均为 {}）：sheng_jxc（省财政厅绩效处）、sheng_admin（系统管理员）、zhou01…（各州财政局）、xian0101…（各县财政局）",
        jixiao_demo::DEMO_PASSWORD
    );
    if no_serve {
        return Ok(());
    }
    // The login page lists the county's demo logins only where the county is loaded.
    let county = jixiao_store::regions::get(&store, jixiao_demo::REGION_CODE)
        .await?
        .is_some();
    serve(store, county, listen, secure_cookies).await
}

/// A progress bar and the demo loaders' callback (step label, items done, items in all) that
/// drives it, starting over at each new step.
fn stepped_progress() -> (ProgressBar, impl FnMut(&str, u64, u64)) {
    let bar = progress_bar();
    let shown = bar.clone();
    let mut last = String::new();
    let step = move |step: &str, done: u64, total: u64| {
        if step != last {
            last = step.to_string();
            shown.set_message(last.clone());
            shown.set_length(total);
        }
        shown.set_position(done);
    };
    (bar, step)
}

fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:<24} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

async fn demo(
    db: &str,
    reset: bool,
    no_serve: bool,
    listen: &str,
    secure_cookies: bool,
    pool: jixiao_store::PoolSettings,
) -> Result<(), CliError> {
    let store = Store::connect_with(db, pool).await?;
    let is_demo = store.is_initialised().await? && store.meta("demo").await?.is_some();
    if reset {
        store.reset().await?;
    } else if store.has_data().await? && !is_demo {
        return Err(CliError::Usage(format!(
            "数据库 {} 已有非演示数据，未作改动；如确需清空后载入演示县，请加 --reset",
            jixiao_store::redact(db)
        )));
    }
    store.migrate().await?;
    audit_key::ensure(&store).await?;
    if is_demo && !reset {
        outln!("演示县已在数据库中，直接使用（加 --reset 可重新生成）。");
    } else {
        let (bar, mut step) = stepped_progress();
        let summary = jixiao_demo::load(&store, &mut step).await?;
        bar.finish_and_clear();
        outln!(
            "已载入演示县 且末县（652825000）：{} 个单位、{} 个项目、{} 份绩效目标、{} 份评价、{} 份监控报告、{} 个预警、{} 份整改通知。",
            summary.units,
            summary.projects,
            summary.targets,
            summary.evaluations,
            summary.monitoring_reports,
            summary.warnings,
            summary.rectifications
        );
    }
    outln!("演示账号（密码均为 {}）：", jixiao_demo::DEMO_PASSWORD);
    for l in jixiao_demo::logins() {
        outln!(
            "  {:<12} {}  {}",
            l.username,
            l.role.label(),
            l.display_name
        );
    }
    if no_serve {
        return Ok(());
    }
    serve(store, true, listen, secure_cookies).await
}

async fn serve(
    store: Store,
    demo: bool,
    listen: &str,
    secure_cookies: bool,
) -> Result<(), CliError> {
    let demo = demo.then(|| {
        let logins = jixiao_demo::logins()
            .into_iter()
            .map(|l| {
                (
                    l.username.to_string(),
                    l.role.label().to_string(),
                    l.display_name.to_string(),
                )
            })
            .collect();
        (logins, jixiao_demo::DEMO_PASSWORD.to_string())
    });
    let config = jixiao_web::WebConfig {
        demo,
        secure_cookies,
        ..Default::default()
    };
    // Sessions that can no longer be used (idle, past their lifetime, anonymous login forms)
    // and idempotency keys past their 24 hours are deleted at start and every ten minutes
    // (issue 13).
    let policy = config.policy.clone();
    let purger = store.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(600));
        loop {
            every.tick().await;
            match jixiao_store::sessions::purge(&purger, policy.idle_minutes, policy.session_hours)
                .await
            {
                Ok(n) if n > 0 => tracing::info!("purged {n} expired sessions"),
                Ok(_) => {}
                Err(e) => tracing::warn!("session purge failed: {e}"),
            }
            match jixiao_store::idempotency::purge(&purger).await {
                Ok(n) if n > 0 => tracing::info!("purged {n} expired idempotency keys"),
                Ok(_) => {}
                Err(e) => tracing::warn!("idempotency key purge failed: {e}"),
            }
        }
    });
    let app = jixiao_web::router(store, config);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(CliError::Serve)?;
    outln!("网站已启动：http://{listen}/  （按 Ctrl+C 停止）");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .map_err(CliError::Serve)
}

async fn report_annual(
    db: &str,
    year: i32,
    format: Format,
    output: Option<PathBuf>,
    region: Option<String>,
) -> Result<(), CliError> {
    jixiao_domain::types::FiscalYear::new(year).map_err(|e| CliError::Usage(e.to_string()))?;
    require_existing(db)?;
    let store = Store::connect(db).await?;
    if !store.is_initialised().await? {
        return Err(CliError::Usage(format!(
            "数据库 {} 尚未初始化：请先运行 jixiao init 或 jixiao demo",
            jixiao_store::redact(db)
        )));
    }
    store.migrate().await?;
    let regions = jixiao_store::report::regions_with_data(&store).await?;
    let region = match region {
        Some(code) => code,
        None => match regions.as_slice() {
            [only] => only.code.clone(),
            [] => {
                return Err(CliError::Usage(
                    "数据库中没有任何单位数据，无法生成报告".into(),
                ));
            }
            _ => {
                let codes: Vec<String> = regions
                    .iter()
                    .map(|r| format!("{}（{}）", r.code, r.name))
                    .collect();
                return Err(CliError::Usage(format!(
                    "数据库中有多个区划，请用 --region 指定：{}",
                    codes.join("、")
                )));
            }
        },
    };
    if !jixiao_store::report::has_year(&store, &region, year).await? {
        return Err(CliError::Usage(format!(
            "区划 {region} 没有 {year} 年度的数据"
        )));
    }
    let figures = jixiao_store::report::annual_figures(&store, &region, year).await?;
    let narrative = jixiao_store::narratives::for_year(&store, &region, year).await?;
    let doc = annual::compose(&figures, &narrative);
    let to_stdout = output.as_ref().is_none_or(|p| p.as_os_str() == "-");
    let bytes = match format {
        Format::Md => jixiao_forms::render::to_markdown(&doc).into_bytes(),
        Format::Html => jixiao_forms::render::to_html(&doc).into_bytes(),
        Format::Docx => {
            if to_stdout {
                return Err(CliError::Usage(
                    "Word 格式须用 -o 指定输出文件，例如 -o 报告.docx".into(),
                ));
            }
            jixiao_forms::render::to_docx(&doc)?
        }
        Format::Pdf => {
            if to_stdout {
                return Err(CliError::Usage(
                    "PDF 格式须用 -o 指定输出文件，例如 -o 报告.pdf".into(),
                ));
            }
            jixiao_forms::render::to_pdf(&doc)?
        }
    };
    if to_stdout {
        std::io::stdout()
            .write_all(&bytes)
            .map_err(|source| CliError::Write {
                path: "标准输出".into(),
                source,
            })?;
    } else if let Some(path) = output {
        std::fs::write(&path, &bytes).map_err(|source| CliError::Write {
            path: path.display().to_string(),
            source,
        })?;
        eprintln!("已写入 {}", path.display());
    }
    Ok(())
}
