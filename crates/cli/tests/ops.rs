//! Operating commands (issue 13, SPEC §16), run as a person at the terminal runs them:
//! `jixiao user`, `check`, `backup` (also while eight clients write) and `restore`.

use assert_cmd::Command;
use std::path::Path;

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn jixiao(dir: &Path, db: &str, args: &[&str]) -> Run {
    let out = Command::cargo_bin("jixiao")
        .expect("the jixiao binary")
        .current_dir(dir)
        .env_remove("JIXIAO_DATABASE_URL")
        .env_remove("JIXIAO_AUDIT_KEY")
        .env_remove("JIXIAO_ADMIN_PASSWORD")
        .env_remove("JIXIAO_LOG")
        .args(args)
        .args(["--db", db])
        .output()
        .expect("runs");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

impl Run {
    fn ok(self, what: &str) -> Run {
        assert_eq!(
            self.code,
            Some(0),
            "{what}\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// A refusal: non-zero exit and one `错误：` line on stderr containing `text`.
    fn refused(self, what: &str, text: &str) {
        assert_ne!(self.code, Some(0), "{what} should fail\n{}", self.stdout);
        let lines: Vec<&str> = self
            .stderr
            .lines()
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert_eq!(lines.len(), 1, "{what}: {}", self.stderr);
        assert!(
            lines[0].starts_with("错误：") && lines[0].contains(text),
            "{what}: {}",
            lines[0]
        );
        assert!(!self.stderr.contains("panicked"));
    }
}

fn init(dir: &Path, db: &str) {
    jixiao(
        dir,
        db,
        &[
            "init",
            "--region-code",
            "652801000",
            "--region-name",
            "测试市",
            "--password",
            "Init#2026pw",
        ],
    )
    .ok("init");
}

#[test]
fn users_are_managed_from_the_terminal() {
    let dir = tempfile::tempdir().expect("dir");
    let db = format!("sqlite://{}", dir.path().join("u.db").display());
    init(dir.path(), &db);
    let out = jixiao(
        dir.path(),
        &db,
        &[
            "user",
            "add",
            "jxg",
            "--name",
            "绩效股",
            "--role",
            "finance_admin",
        ],
    )
    .ok("user add");
    let password = out
        .stdout
        .split("临时密码：")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("a temporary password is printed")
        .to_string();
    assert!(password.chars().count() >= 16, "{password}");
    assert!(jixiao_domain::password::check(&Default::default(), "jxg", &password).is_ok());
    jixiao(
        dir.path(),
        &db,
        &["user", "add", "JXG", "--name", "x", "--role", "viewer"],
    )
    .refused("a username differing only in case", "已被使用");
    jixiao(
        dir.path(),
        &db,
        &[
            "user",
            "add",
            "tb",
            "--name",
            "x",
            "--role",
            "unit_preparer",
        ],
    )
    .refused("a unit role without a unit", "--unit");
    jixiao(
        dir.path(),
        &db,
        &["user", "add", "pj", "--name", "x", "--role", "evaluator"],
    )
    .refused("an evaluator without an agency", "--agency");
    jixiao(
        dir.path(),
        &db,
        &["user", "add", "x", "--name", "x", "--role", "boss"],
    )
    .refused("an unknown role", "未知角色");
    let list = jixiao(dir.path(), &db, &["user", "list"]).ok("user list");
    assert!(
        list.stdout.contains("jxg\t绩效股\t财政绩效管理员"),
        "{}",
        list.stdout
    );
    jixiao(dir.path(), &db, &["user", "disable", "jxg"]).ok("disable");
    let list = jixiao(dir.path(), &db, &["user", "list"]).ok("user list");
    assert!(
        list.stdout
            .lines()
            .any(|l| l.starts_with("jxg\t") && l.ends_with("停用"))
    );
    jixiao(dir.path(), &db, &["user", "enable", "jxg"]).ok("enable");
    let out = jixiao(dir.path(), &db, &["user", "reset-password", "jxg"]).ok("reset");
    assert!(out.stdout.contains("临时密码："));
    jixiao(dir.path(), &db, &["user", "reset-password", "nobody"])
        .refused("unknown user", "没有用户");
    let check = jixiao(dir.path(), &db, &["check"]).ok("check");
    assert!(
        check
            .stdout
            .contains("✓ 操作日志（哈希链、签名、末尾记录）：通过"),
        "{}",
        check.stdout
    );
    assert!(check.stdout.contains("✓ 规则参数设置：通过"));
}

#[test]
fn backup_and_restore_round_trip_and_refuse_what_they_should() {
    let dir = tempfile::tempdir().expect("dir");
    let db = format!("sqlite://{}", dir.path().join("live.db").display());
    init(dir.path(), &db);
    jixiao(
        dir.path(),
        &db,
        &["user", "add", "ld", "--name", "领导", "--role", "viewer"],
    )
    .ok("add");
    let backup = dir.path().join("b.db");
    let out = jixiao(
        dir.path(),
        &db,
        &["backup", "-o", &backup.to_string_lossy()],
    )
    .ok("backup");
    assert!(
        out.stdout.contains("完整性与操作日志校验通过"),
        "{}",
        out.stdout
    );
    jixiao(
        dir.path(),
        &db,
        &["backup", "-o", &backup.to_string_lossy()],
    )
    .refused("an existing backup file", "已存在");

    // Restore into a new place, and refuse to overwrite without --force.
    let restored = format!("sqlite://{}", dir.path().join("restored.db").display());
    let out = jixiao(
        dir.path(),
        &restored,
        &["restore", &backup.to_string_lossy()],
    )
    .ok("restore");
    assert!(out.stdout.contains("1 个区划"), "{}", out.stdout);
    jixiao(
        dir.path(),
        &restored,
        &["restore", &backup.to_string_lossy()],
    )
    .refused("overwriting without --force", "--force");
    jixiao(
        dir.path(),
        &restored,
        &["restore", &backup.to_string_lossy(), "--force"],
    )
    .ok("force");
    // A restored database goes with its audit key, kept (and restored) separately: without it,
    // commands that may write refuse rather than append unsigned entries to a signed log.
    jixiao(dir.path(), &restored, &["user", "list"]).refused("no key", "找不到操作日志密钥文件");
    std::fs::copy(
        dir.path().join("live.db.audit-key"),
        dir.path().join("restored.db.audit-key"),
    )
    .expect("the key file is restored too");
    let list = jixiao(dir.path(), &restored, &["user", "list"]).ok("list");
    assert!(list.stdout.contains("ld\t领导"), "{}", list.stdout);
    jixiao(dir.path(), &restored, &["check"]).ok("check the restored copy");

    // Something that is not a backup is refused, and the target is left as it was.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all").expect("write");
    let out = jixiao(
        dir.path(),
        &restored,
        &["restore", &junk.to_string_lossy(), "--force"],
    );
    assert_ne!(out.code, Some(0));
    assert!(out.stderr.contains("错误："), "{}", out.stderr);
    assert!(
        !dir.path().join("restored.restore-tmp").exists(),
        "no staging copy is left behind"
    );
    jixiao(dir.path(), &restored, &["check"]).ok("the target is untouched");
}

/// Issue 13: "a backup taken while 8 clients write restores to a database that passes
/// `jixiao check`".
#[test]
fn a_backup_taken_under_write_load_restores_and_checks() {
    let dir = tempfile::tempdir().expect("dir");
    let db = format!("sqlite://{}", dir.path().join("busy.db").display());
    init(dir.path(), &db);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let store = runtime
        .block_on(jixiao_store::Store::connect(&db))
        .expect("store");
    // The writers sign with the key `init` created, as the server would.
    let key = std::fs::read(dir.path().join("busy.db.audit-key")).expect("init wrote the key");
    let key = jixiao_store::audit::Key::parse(&key).expect("a key");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let (store, stop, key) = (store.clone(), stop.clone(), key.clone());
            runtime.spawn(async move {
                let mut written = 0u32;
                while !stop.load(std::sync::atomic::Ordering::SeqCst) && written < 2000 {
                    let mut tx = store.begin().await.expect("begin");
                    jixiao_store::audit::append_with(
                        &mut tx,
                        &jixiao_store::audit::Entry {
                            username: "load",
                            action: "test.write",
                            object_kind: "writer",
                            object_id: &format!("{w}-{written}"),
                            ..Default::default()
                        },
                        Some(&key),
                    )
                    .await
                    .expect("append");
                    tx.commit().await.expect("commit");
                    written += 1;
                }
                written
            })
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_millis(200));
    let backup = dir.path().join("under-load.db");
    jixiao(
        dir.path(),
        &db,
        &["backup", "-o", &backup.to_string_lossy()],
    )
    .ok("backup under load");
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let total: u32 = writers
        .into_iter()
        .map(|h| runtime.block_on(h).expect("writer"))
        .sum();
    assert!(total > 0, "the writers wrote");
    let restored = format!("sqlite://{}", dir.path().join("r.db").display());
    jixiao(
        dir.path(),
        &restored,
        &["restore", &backup.to_string_lossy()],
    )
    .ok("restore");
    let check = jixiao(dir.path(), &restored, &["check"]).ok("check");
    assert!(
        check.stdout.contains("✓ 数据库完整性：通过"),
        "{}",
        check.stdout
    );
    // The live database, after the load, is whole too.
    runtime.block_on(store.close());
    jixiao(dir.path(), &db, &["check"]).ok("check the live database");
}
