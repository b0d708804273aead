//! Operating a Jixiao database from the terminal (issue 13, SPEC §16): `backup`, `restore`,
//! `check` and `user`. Each says in one Chinese line what it did, or fails with one `错误：`
//! line and a non-zero exit.

use crate::CliError;
use clap::Subcommand;
use jixiao_domain::types::Role;
use jixiao_store::Store;
use jixiao_store::audit::{self, Signatures, Verdict};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum UserCommand {
    /// Add a user; prints a temporary password to be changed at first login (新增用户)
    Add {
        /// Login name (登录名)
        username: String,
        /// Name shown in the application (姓名)
        #[arg(long)]
        name: String,
        /// Role code: sysadmin, finance_admin, finance_desk, unit_preparer, unit_approver,
        /// evaluator, viewer (角色)
        #[arg(long)]
        role: String,
        /// Budget unit code, required for unit roles (单位编码)
        #[arg(long)]
        unit: Option<String>,
        /// Agency name, required for evaluators (第三方机构名称)
        #[arg(long)]
        agency: Option<String>,
        /// Region code; may be left out when the database holds one region
        #[arg(long)]
        region: Option<String>,
    },
    /// List the users of a region (用户列表)
    List {
        #[arg(long)]
        region: Option<String>,
    },
    /// Disable a user: no login, sessions end (停用用户)
    Disable { username: String },
    /// Enable a disabled user (启用用户)
    Enable { username: String },
    /// Set a new temporary password, to be changed at next login (重置密码)
    ResetPassword { username: String },
}

pub(crate) fn sqlite_path(db: &str) -> Option<PathBuf> {
    let rest = db.strip_prefix("sqlite:")?;
    let path = rest
        .trim_start_matches("//")
        .split('?')
        .next()
        .unwrap_or("");
    (!path.is_empty() && !path.starts_with(":memory:")).then(|| PathBuf::from(path))
}

/// The region a command works on: the one named, or the only one.
async fn region_of(store: &Store, region: Option<String>) -> Result<String, CliError> {
    let regions = jixiao_store::regions::list(store).await?;
    match region {
        Some(code) if regions.iter().any(|r| r.code == code) => Ok(code),
        Some(code) => Err(CliError::Usage(format!("数据库中没有区划 {code}"))),
        None => match regions.as_slice() {
            [one] => Ok(one.code.clone()),
            [] => Err(CliError::Usage(
                "数据库中还没有财政区划：请先运行 jixiao init".into(),
            )),
            _ => Err(CliError::Usage(
                "数据库中有多个区划：请用 --region 指定".into(),
            )),
        },
    }
}

async fn audit_cli(
    store: &Store,
    action: &str,
    object: &str,
    detail: &str,
) -> Result<(), CliError> {
    let mut tx = store.begin().await?;
    audit::append(
        &mut tx,
        &audit::Entry {
            username: "system",
            role: "cli",
            action,
            object_kind: "user",
            object_id: object,
            after_json: detail,
            ..Default::default()
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The checks a copy or a live database must pass: (label, problems).
async fn checks(store: &Store) -> Result<Vec<(String, Vec<String>)>, CliError> {
    let mut out = Vec::new();
    out.push((
        "数据库完整性".to_string(),
        jixiao_store::ops::integrity_problems(store).await?,
    ));
    let verdict = audit::verify(store).await?;
    let label = match &verdict {
        Verdict::Intact {
            signatures: Signatures::NotChecked,
            ..
        } => format!(
            "操作日志（哈希链、末尾记录；未找到密钥文件 {}，签名未校验）",
            crate::audit_key::path().display()
        ),
        Verdict::Intact {
            signatures: Signatures::Checked { unsigned },
            ..
        } if *unsigned > 0 => {
            format!("操作日志（哈希链、签名、末尾记录；{unsigned} 条记录早于签名启用）")
        }
        _ => "操作日志（哈希链、签名、末尾记录）".to_string(),
    };
    out.push((label, verdict.problem().into_iter().collect()));
    let m = jixiao_store::ops::migration_state(store).await?;
    let mut migration = Vec::new();
    if !m.pending().is_empty() {
        migration.push(format!(
            "有 {} 个结构升级尚未执行（运行任一命令如 jixiao init 即会执行）",
            m.pending().len()
        ));
    }
    if !m.unknown().is_empty() {
        migration.push(format!(
            "数据库由更新版本的程序升级过（版本 {:?}），请使用新版程序",
            m.unknown()
        ));
    }
    out.push(("数据库结构版本".to_string(), migration));
    let mut settings = Vec::new();
    for r in jixiao_store::regions::list(store).await? {
        match jixiao_store::regions::settings(store, &r.code).await {
            Ok(s) => settings.extend(
                jixiao_domain::settings::parameters::validate(&s)
                    .into_iter()
                    .map(|p| format!("{}：{p}", r.name)),
            ),
            Err(e) => settings.push(e.to_string()),
        }
    }
    out.push(("规则参数设置".to_string(), settings));
    Ok(out)
}

fn print_checks(results: &[(String, Vec<String>)]) -> bool {
    let mut ok = true;
    for (label, problems) in results {
        if problems.is_empty() {
            outln!("✓ {label}：通过");
        } else {
            ok = false;
            outln!("✗ {label}：");
            for p in problems {
                outln!("    {p}");
            }
        }
    }
    ok
}

/// `jixiao check`.
pub async fn check(db: &str) -> Result<(), CliError> {
    crate::require_existing(db)?;
    let store = Store::connect(db).await?;
    if !store.is_initialised().await? {
        return Err(CliError::Usage(
            "数据库尚未初始化：请先运行 jixiao init 或 jixiao demo".into(),
        ));
    }
    let results = checks(&store).await?;
    if print_checks(&results) {
        let (regions, projects, audit_rows) = jixiao_store::ops::summary(&store).await?;
        outln!("检查通过：{regions} 个区划、{projects} 个项目、{audit_rows} 条操作日志。");
        Ok(())
    } else {
        Err(CliError::Usage("检查未通过，见上方 ✗ 项".into()))
    }
}

/// `jixiao backup -o FILE`.
pub async fn backup(db: &str, output: &Path) -> Result<(), CliError> {
    crate::require_existing(db)?;
    if output.exists() {
        return Err(CliError::Usage(format!(
            "备份文件 {} 已存在：请换一个文件名或先删除它",
            output.display()
        )));
    }
    if db.starts_with("postgres") {
        return pg_tool(
            "pg_dump",
            &[
                "--format=custom",
                "--no-owner",
                "--file",
                &output.to_string_lossy(),
                db,
            ],
        )
        .map(|()| {
            outln!(
                "已用 pg_dump 备份到 {}（{} 字节）。恢复：jixiao restore {} --db …",
                output.display(),
                std::fs::metadata(output).map(|m| m.len()).unwrap_or(0),
                output.display()
            )
        });
    }
    let store = Store::connect(db).await?;
    jixiao_store::ops::backup_sqlite(&store, output).await?;
    store.close().await;
    // Prove the copy: open it and run the same checks a restore runs.
    let copy = Store::connect(&format!("sqlite://{}", output.display())).await?;
    let results = checks(&copy).await?;
    let (regions, projects, audit_rows) = jixiao_store::ops::summary(&copy).await?;
    copy.close().await;
    if results.iter().any(|(_, p)| !p.is_empty()) {
        print_checks(&results);
        return Err(CliError::Usage(format!(
            "备份 {} 未通过检查，请勿使用",
            output.display()
        )));
    }
    outln!(
        "已备份到 {}（{} 字节）：{regions} 个区划、{projects} 个项目、{audit_rows} 条操作日志，完整性与操作日志校验通过。",
        output.display(),
        std::fs::metadata(output).map(|m| m.len()).unwrap_or(0)
    );
    Ok(())
}

/// Runs a PostgreSQL client tool, or says clearly that it is missing.
fn pg_tool(tool: &str, args: &[&str]) -> Result<(), CliError> {
    let out = std::process::Command::new(tool).args(args).output();
    match out {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(CliError::Usage(format!(
            "未找到 {tool}：PostgreSQL 数据库的备份与恢复使用 PostgreSQL 客户端工具，请先安装（如 apt-get install postgresql-client）"
        ))),
        Err(e) => Err(CliError::Usage(format!("无法运行 {tool}：{e}"))),
        Ok(o) if !o.status.success() => Err(CliError::Usage(format!(
            "{tool} 失败：{}",
            String::from_utf8_lossy(&o.stderr).trim()
        ))),
        Ok(_) => Ok(()),
    }
}

/// `jixiao restore FILE [--force]`.
pub async fn restore(db: &str, file: &Path, force: bool) -> Result<(), CliError> {
    if !file.is_file() {
        return Err(CliError::Usage(format!(
            "备份文件 {} 不存在",
            file.display()
        )));
    }
    if db.starts_with("postgres") {
        let store = Store::connect(db).await?;
        if store.is_initialised().await? && !force {
            return Err(CliError::Usage(
                "目标数据库已有数据：确认要用备份覆盖时加 --force".into(),
            ));
        }
        store.close().await;
        pg_tool(
            "pg_restore",
            &[
                "--clean",
                "--if-exists",
                "--no-owner",
                "--dbname",
                db,
                &file.to_string_lossy(),
            ],
        )?;
        let store = Store::connect(db).await?;
        return finish_restore(&store, file).await;
    }
    let Some(target) = sqlite_path(db) else {
        return Err(CliError::Usage(
            "请用 --db sqlite://文件路径 指定恢复到哪里".into(),
        ));
    };
    if target.exists() && !force {
        return Err(CliError::Usage(format!(
            "目标数据库 {} 已存在：确认要用备份覆盖时加 --force",
            target.display()
        )));
    }
    // Check a copy beside the target first; the target is replaced only by a copy that passed.
    let staging = target.with_extension("restore-tmp");
    let _ = std::fs::remove_file(&staging);
    std::fs::copy(file, &staging).map_err(|source| CliError::Write {
        path: staging.display().to_string(),
        source,
    })?;
    let copy = match Store::connect(&format!("sqlite://{}", staging.display())).await {
        Ok(copy) => copy,
        Err(e) => {
            let _ = std::fs::remove_file(&staging);
            return Err(CliError::Usage(format!(
                "{} 不是可用的 Jixiao 备份，未作恢复（{e}）",
                file.display()
            )));
        }
    };
    let initialised = copy.is_initialised().await.unwrap_or(false);
    let results = if initialised {
        checks(&copy).await?
    } else {
        Vec::new()
    };
    copy.close().await;
    let _ = std::fs::remove_file(staging.with_extension("restore-tmp-wal"));
    let _ = std::fs::remove_file(staging.with_extension("restore-tmp-shm"));
    let newer = results
        .iter()
        .any(|(label, p)| label == "数据库结构版本" && p.iter().any(|m| m.contains("更新版本")));
    let broken = results
        .iter()
        .filter(|(label, _)| label != "数据库结构版本")
        .any(|(_, p)| !p.is_empty());
    if !initialised || broken || newer {
        let _ = std::fs::remove_file(&staging);
        if initialised {
            print_checks(&results);
        }
        return Err(CliError::Usage(format!(
            "{} 不是可用的 Jixiao 备份，未作恢复",
            file.display()
        )));
    }
    for suffix in ["-wal", "-shm"] {
        let mut p = target.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
    std::fs::rename(&staging, &target).map_err(|source| CliError::Write {
        path: target.display().to_string(),
        source,
    })?;
    let store = Store::connect(db).await?;
    store.migrate().await?;
    finish_restore(&store, file).await
}

async fn finish_restore(store: &Store, file: &Path) -> Result<(), CliError> {
    let (regions, projects, audit_rows) = jixiao_store::ops::summary(store).await?;
    outln!(
        "已从 {} 恢复：{regions} 个区划、{projects} 个项目、{audit_rows} 条操作日志，完整性与操作日志校验通过。",
        file.display()
    );
    store.close().await;
    Ok(())
}

/// `jixiao user …`.
pub async fn user(db: &str, command: UserCommand) -> Result<(), CliError> {
    crate::require_existing(db)?;
    let store = crate::open(db).await?;
    match command {
        UserCommand::Add {
            username,
            name,
            role,
            unit,
            agency,
            region,
        } => {
            let region = region_of(&store, region).await?;
            let role = Role::parse(&role).ok_or_else(|| {
                CliError::Usage(format!(
                    "未知角色 {role}：可选 {}",
                    Role::ALL
                        .iter()
                        .map(|r| r.code())
                        .collect::<Vec<_>>()
                        .join("、")
                ))
            })?;
            let username = username.trim().to_string();
            if username.is_empty()
                || username.chars().count() > 64
                || username
                    .chars()
                    .any(|c| c.is_control() || c.is_whitespace())
            {
                return Err(CliError::Usage(
                    "登录名不能为空、不能含空白或控制字符、不超过 64 个字符".into(),
                ));
            }
            if jixiao_store::users::by_username(&store, &username)
                .await?
                .is_some()
            {
                return Err(CliError::Usage(format!(
                    "登录名 {username} 已被使用（不区分大小写）"
                )));
            }
            let unit_id = match (role, unit) {
                (Role::UnitPreparer | Role::UnitApprover, Some(code)) => Some(
                    jixiao_store::units::by_code(&store, &region, &code)
                        .await?
                        .ok_or_else(|| CliError::Usage(format!("没有编码为 {code} 的预算单位")))?
                        .id,
                ),
                (Role::UnitPreparer | Role::UnitApprover, None) => {
                    return Err(CliError::Usage("单位角色须用 --unit 指定单位编码".into()));
                }
                _ => None,
            };
            let agency_id = match (role, agency) {
                (Role::Evaluator, Some(a)) => Some(
                    jixiao_store::agencies::id_by_name(&store, &region, &a)
                        .await?
                        .ok_or_else(|| CliError::Usage(format!("没有名为“{a}”的第三方机构")))?,
                ),
                (Role::Evaluator, None) => {
                    return Err(CliError::Usage(
                        "第三方机构人员须用 --agency 指定所属机构".into(),
                    ));
                }
                _ => None,
            };
            let password = jixiao_store::users::temporary_password(&username);
            let hash = jixiao_store::users::hash_password(&password)?;
            let mut tx = store.begin().await?;
            jixiao_store::users::insert(
                &mut tx,
                &jixiao_store::users::NewUser {
                    region: &region,
                    username: &username,
                    display_name: name.trim(),
                    password_hash: &hash,
                    unit_id,
                    agency_id,
                    must_change_password: true,
                    roles: &[role],
                },
            )
            .await?;
            tx.commit().await?;
            audit_cli(&store, "user.create", &username, role.code()).await?;
            outln!(
                "已新增用户 {username}（{}）。临时密码：{password}  首次登录须修改。",
                role.label()
            );
        }
        UserCommand::List { region } => {
            let region = region_of(&store, region).await?;
            for u in jixiao_store::users::list(&store, &region).await? {
                let roles: Vec<&str> = u
                    .roles
                    .split(',')
                    .filter_map(Role::parse)
                    .map(|r| r.label())
                    .collect();
                let place = u.unit_name.or(u.agency_name).unwrap_or_default();
                let state = if u.disabled { "停用" } else { "启用" };
                outln!(
                    "{}\t{}\t{}\t{}\t{}",
                    u.username,
                    u.display_name,
                    roles.join("、"),
                    place,
                    state
                );
            }
        }
        UserCommand::Disable { username } => set_disabled(&store, &username, true).await?,
        UserCommand::Enable { username } => set_disabled(&store, &username, false).await?,
        UserCommand::ResetPassword { username } => {
            let user = jixiao_store::users::by_username(&store, &username)
                .await?
                .ok_or_else(|| CliError::Usage(format!("没有用户 {username}")))?;
            let password = jixiao_store::users::temporary_password(&username);
            let hash = jixiao_store::users::hash_password(&password)?;
            let mut tx = store.begin().await?;
            jixiao_store::users::set_password(&mut tx, user.id, &hash, true).await?;
            tx.commit().await?;
            jixiao_store::sessions::delete_for_user(&store, user.id).await?;
            audit_cli(&store, "user.reset_password", &user.username, "").await?;
            outln!(
                "已重置 {} 的密码。临时密码：{password}  下次登录须修改；原有登录会话已结束。",
                user.username
            );
        }
    }
    Ok(())
}

async fn set_disabled(store: &Store, username: &str, disabled: bool) -> Result<(), CliError> {
    let user = jixiao_store::users::by_username(store, username)
        .await?
        .ok_or_else(|| CliError::Usage(format!("没有用户 {username}")))?;
    let mut tx = store.begin().await?;
    jixiao_store::users::set_disabled(&mut tx, user.id, disabled).await?;
    tx.commit().await?;
    if disabled {
        jixiao_store::sessions::delete_for_user(store, user.id).await?;
    }
    let action = if disabled {
        "user.disable"
    } else {
        "user.enable"
    };
    audit_cli(store, action, &user.username, "").await?;
    outln!(
        "已{}用户 {}。",
        if disabled { "停用" } else { "启用" },
        user.username
    );
    Ok(())
}
