//! Reading the performance forms of SPEC §14 from .xlsx (issue 4, parts 1–3).
//!
//! - [`safety`]: checks on the raw bytes before calamine sees them (size, ZIP directory,
//!   compression ratio, sheet rows/cells);
//! - [`read`]: bytes → [`Workbook`] of [`ParsedForm`]s plus findings; pure, no database;
//! - [`check`]: scores self-evaluations with the domain engine and builds the report of
//!   `jixiao forms check` (JSON and a Chinese text summary).
//!
//! [`read_with_limits`] is the entry point for servers and the CLI: it runs the parse on a
//! blocking thread under a time limit.

pub mod check;
mod grid;
pub mod list;
pub mod lists;
pub mod read;
pub mod safety;
pub mod write;

pub use check::{
    FileReport, Fixed2, FormReport, MonitoringSummary, WarningReport, check_workbook, json_report,
    monitoring_input, text_summary,
};
pub use read::{
    AmountUnit, CellFinding, FormKind, FundsRead, ParsedForm, ParsedIndicator, Workbook,
    read_workbook,
};
pub use safety::Limits;

/// Why a file could not be read at all. Everything short of this is a finding on a form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("文件大小 {size} 字节，超过上限 {limit} 字节")]
    TooLarge { size: u64, limit: u64 },
    #[error("不是 .xlsx 文件：{0}")]
    NotXlsx(String),
    #[error("文件已损坏或不完整：{0}")]
    Corrupt(String),
    #[error("文件疑似压缩炸弹，拒绝读取：{0}")]
    Bomb(String),
    #[error("工作表过大，拒绝读取：{0}")]
    SheetTooLarge(String),
    #[error("读取超时（超过 {0} 秒），已放弃")]
    Timeout(u64),
    #[error("读取时出现内部错误：{0}")]
    Internal(String),
    #[error("工作簿中没有可识别的绩效表（项目/部门整体的目标申报表、监控表或自评表）")]
    NoForm,
}

/// Reads a workbook on a blocking thread, giving up after `limits.time_limit` (issue 4 part 2).
///
/// The blocking thread cannot be cancelled; the limits of [`safety::check`] bound how long it
/// can run, the timeout bounds how long the caller waits.
pub async fn read_with_limits(bytes: Vec<u8>, limits: Limits) -> Result<Workbook, ReadError> {
    let time_limit = limits.time_limit;
    let task = tokio::task::spawn_blocking(move || read_workbook(&bytes, &limits));
    match tokio::time::timeout(time_limit, task).await {
        Err(_) => Err(ReadError::Timeout(time_limit.as_secs().max(1))),
        Ok(Err(join)) => Err(ReadError::Internal(join.to_string())),
        Ok(Ok(result)) => result,
    }
}
