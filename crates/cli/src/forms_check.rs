//! `jixiao forms check FILE... [--json]` (issue 4 part 3): reads each workbook with the safety
//! limits, scores self-evaluations with the domain engine (no database), prints a Chinese summary
//! or the JSON report. Exit code: 0 no error finding, 1 some error finding, 2 a file could not be
//! read at all.

use clap::Subcommand;
use jixiao_domain::settings::Settings;
use jixiao_forms::xlsx::{
    FileReport, Limits, check_workbook, json_report, read_with_limits, text_summary,
};
use std::path::PathBuf;

#[derive(Subcommand)]
pub enum FormsCommand {
    /// Read and check filled forms, score self-evaluations (检查并评分 xlsx 绩效表，不需要数据库)
    Check {
        /// The .xlsx files (xlsx 文件)
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Print the JSON report instead of the Chinese summary
        #[arg(long)]
        json: bool,
    },
}

/// Runs the command and returns the process exit code.
pub async fn run(command: FormsCommand) -> i32 {
    let FormsCommand::Check { files, json } = command;
    let settings = Settings::default();
    let limits = Limits::default();
    let mut reports = Vec::new();
    let mut unreadable = false;
    for path in &files {
        let name = path.display().to_string();
        let report = match read_file(path, &limits).await {
            Ok(workbook) => check_workbook(&name, &workbook, &settings),
            Err(message) => {
                unreadable = true;
                eprintln!("无法读取 {name}：{message}");
                FileReport::unreadable(&name, message)
            }
        };
        reports.push(report);
    }
    if json {
        outln!("{}", json_report(&reports));
    } else {
        for r in reports.iter().filter(|r| r.error.is_none()) {
            out!("{}", text_summary(r));
            outln!();
        }
    }
    if unreadable {
        2
    } else if reports.iter().any(FileReport::has_errors) {
        1
    } else {
        0
    }
}

async fn read_file(
    path: &PathBuf,
    limits: &Limits,
) -> Result<jixiao_forms::xlsx::Workbook, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("无法打开文件（{e}）"))?;
    if meta.len() > limits.max_file_bytes {
        return Err(format!(
            "文件大小 {} 字节，超过上限 {} 字节",
            meta.len(),
            limits.max_file_bytes
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("无法读取文件（{e}）"))?;
    read_with_limits(bytes, limits.clone())
        .await
        .map_err(|e| e.to_string())
}
