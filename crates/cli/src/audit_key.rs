//! The audit log's signing key on disk (issue 13). The key lives in a file outside the database,
//! so that someone who can rewrite the database cannot re-sign what they rewrote: by default
//! `<database file>.audit-key` beside a SQLite database, `./jixiao-audit.key` for PostgreSQL, or
//! the file named by `--audit-key` / `JIXIAO_AUDIT_KEY`. `jixiao init` and `jixiao demo` create
//! it (mode 0600) when it is missing; every other command uses it when it is there.
//!
//! The key is installed process-wide ([`jixiao_store::audit::install_key`]) once, at start-up.

use crate::CliError;
use jixiao_store::Store;
use jixiao_store::audit::{self, Key};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The key file this process uses, set once by [`setup`].
static PATH: OnceLock<PathBuf> = OnceLock::new();

/// The key file for `db` when none is named.
pub fn default_path(db: &str) -> PathBuf {
    match crate::ops::sqlite_path(db) {
        Some(file) => {
            let mut name = file.into_os_string();
            name.push(".audit-key");
            PathBuf::from(name)
        }
        None => PathBuf::from("./jixiao-audit.key"),
    }
}

/// The key file in use (after [`setup`]).
pub fn path() -> &'static Path {
    PATH.get()
        .map(PathBuf::as_path)
        .unwrap_or(Path::new("./jixiao-audit.key"))
}

/// Decides the key file and, when it exists, reads and installs the key. A key file that cannot
/// be read or does not hold a key is an error: signing with no key would go unnoticed until the
/// next verify.
pub fn setup(db: &str, given: Option<PathBuf>) -> Result<(), CliError> {
    let path = given.unwrap_or_else(|| default_path(db));
    let path = PATH.get_or_init(|| path);
    match std::fs::read(path) {
        Ok(bytes) => {
            let key = Key::parse(&bytes).ok_or_else(|| {
                CliError::Usage(format!(
                    "操作日志密钥文件 {} 内容无效（应为 64 位十六进制数）",
                    path.display()
                ))
            })?;
            audit::install_key(key);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(CliError::Usage(format!(
            "无法读取操作日志密钥文件 {}：{e}",
            path.display()
        ))),
    }
}

fn missing(path: &Path) -> CliError {
    CliError::Usage(format!(
        "找不到操作日志密钥文件 {}：此数据库的操作日志已签名，请从备份恢复该文件或用 --audit-key 指定",
        path.display()
    ))
}

/// For commands that write: refuses to go on without the key when the log is already signed,
/// so that unsigned entries do not follow signed ones.
pub async fn require(store: &Store) -> Result<(), CliError> {
    if audit::installed_key().is_none() && audit::head_signed(store).await? {
        return Err(missing(path()));
    }
    Ok(())
}

/// For `init` and `demo`: as [`require`], and when there is no key yet and the log is not
/// signed, creates the key file (mode 0600 on unix) and installs the new key.
pub async fn ensure(store: &Store) -> Result<(), CliError> {
    if audit::installed_key().is_some() {
        return Ok(());
    }
    let path = path();
    if audit::head_signed(store).await? {
        return Err(missing(path));
    }
    let key = Key::generate();
    write_new(path, &key).map_err(|e| {
        CliError::Usage(format!("无法创建操作日志密钥文件 {}：{e}", path.display()))
    })?;
    audit::install_key(key);
    outln!(
        "已生成操作日志签名密钥 {}：请与数据库分开备份，丢失后将无法校验签名。",
        path.display()
    );
    Ok(())
}

fn write_new(path: &Path, key: &Key) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(key.to_file().as_bytes())?;
    file.sync_all()
}
