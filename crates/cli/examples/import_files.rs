//! Writes the files of the import benchmark (`bench/run.sh`, issue 14): a unit list, a project
//! list in the import format (and the same rows as CSV, for the `sqlite3 .import` baseline), and
//! one project target form per file for the first projects. Deterministic.
//!
//! ```sh
//! cargo run -p jixiao --example import_files -- DIR PROJECTS UNITS TARGET_FORMS YEAR
//! ```

use jixiao_domain::indicator::Sign;
use jixiao_domain::money::Fen;
use jixiao_forms::xlsx::write::{
    Form, Indicator, ProjectTargetForm, Target, TargetFunds, write_form,
};
use rust_decimal::Decimal;
use std::io::Write;
use std::path::{Path, PathBuf};

fn arg<T: std::str::FromStr>(args: &[String], i: usize, what: &str) -> T {
    args.get(i)
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("argument {i}: {what} (DIR PROJECTS UNITS TARGET_FORMS YEAR)"))
}

fn unit_code(u: usize) -> String {
    format!("SF{u:04}")
}

fn unit_name(u: usize) -> String {
    format!("示范县第{u:04}号预算单位")
}

struct Row {
    code: String,
    name: String,
    unit: usize,
    current_yuan: i64,
    carryover_yuan: i64,
}

fn row(i: usize, units: usize) -> Row {
    Row {
        code: format!("SF-{i:06}"),
        name: format!(
            "示范项目{i:06}（{}）",
            ["校舍维修", "道路养护", "医疗救助", "农田水利"][i % 4]
        ),
        unit: i % units,
        current_yuan: 50_000 + (i as i64 % 97) * 10_000,
        carryover_yuan: if i.is_multiple_of(5) { 20_000 } else { 0 },
    }
}

fn save(book: &mut rust_xlsxwriter::Workbook, path: &Path) {
    book.save(path)
        .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = PathBuf::from(arg::<String>(&args, 1, "output folder"));
    let projects: usize = arg(&args, 2, "project rows");
    let units: usize = arg::<usize>(&args, 3, "units").max(1);
    let forms: usize = arg(&args, 4, "target forms");
    let year: i32 = arg(&args, 5, "year");
    std::fs::create_dir_all(dir.join("targets")).expect("output folder");

    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("单位清单").expect("sheet");
    for (c, h) in ["单位编码", "单位名称", "上级单位编码", "单位性质"]
        .iter()
        .enumerate()
    {
        sheet.write_string(0, c as u16, *h).expect("cell");
    }
    for u in 0..units {
        let r = u as u32 + 1;
        sheet.write_string(r, 0, unit_code(u)).expect("cell");
        sheet.write_string(r, 1, unit_name(u)).expect("cell");
        sheet.write_string(r, 3, "行政单位").expect("cell");
    }
    save(&mut book, &dir.join("units.xlsx"));

    let header = [
        "项目编码",
        "项目名称",
        "单位编码或名称",
        "预算年度",
        "预算类型",
        "项目类别",
        "新增/延续",
        "年初/追加",
        "当年财政拨款(元)",
        "上年结转(元)",
        "其他资金(元)",
    ];
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("项目清单").expect("sheet");
    let mut csv = std::io::BufWriter::new(
        std::fs::File::create(dir.join("projects.csv")).expect("projects.csv"),
    );
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("cell");
    }
    for i in 0..projects {
        let p = row(i, units);
        let r = i as u32 + 1;
        sheet.write_string(r, 0, &p.code).expect("cell");
        sheet.write_string(r, 1, &p.name).expect("cell");
        sheet.write_string(r, 2, unit_code(p.unit)).expect("cell");
        sheet.write_number(r, 3, f64::from(year)).expect("cell");
        sheet.write_string(r, 4, "一般公共预算").expect("cell");
        sheet.write_string(r, 5, "特定目标类").expect("cell");
        sheet
            .write_string(
                r,
                6,
                if i.is_multiple_of(3) {
                    "延续"
                } else {
                    "新增"
                },
            )
            .expect("cell");
        sheet.write_string(r, 7, "年初预算").expect("cell");
        sheet
            .write_number(r, 8, p.current_yuan as f64)
            .expect("cell");
        sheet
            .write_number(r, 9, p.carryover_yuan as f64)
            .expect("cell");
        writeln!(
            csv,
            "{},{},{},{year},一般公共预算,特定目标类,{},年初预算,{},{},0",
            p.code,
            p.name,
            unit_code(p.unit),
            if i.is_multiple_of(3) {
                "延续"
            } else {
                "新增"
            },
            p.current_yuan,
            p.carryover_yuan
        )
        .expect("projects.csv");
    }
    save(&mut book, &dir.join("projects.xlsx"));
    csv.flush().expect("projects.csv");

    // One project target form per file, 15 indicators each, as the province's targets have.
    let q = |sign: Sign, value: i64, unit: &str| Target::Quantitative {
        sign,
        value: Decimal::from(value),
        unit: unit.into(),
    };
    for i in 0..forms.min(projects) {
        let p = row(i, units);
        let total = Fen((p.current_yuan + p.carryover_yuan) * 100);
        let mut indicators = Vec::new();
        for k in 0..6 {
            indicators.push(
                Indicator::new(
                    "产出指标",
                    "数量指标",
                    &format!("完成工程量{k}"),
                    q(Sign::Ge, 10 + k, "处"),
                )
                .weight(Decimal::from(5)),
            );
        }
        for k in 0..3 {
            indicators.push(
                Indicator::new(
                    "产出指标",
                    "质量指标",
                    &format!("验收合格率{k}"),
                    q(Sign::Ge, 95, "%"),
                )
                .weight(Decimal::from(5)),
            );
        }
        indicators.push(
            Indicator::new("产出指标", "时效指标", "按期完成率", q(Sign::Eq, 100, "%"))
                .weight(Decimal::from(5)),
        );
        indicators.push(
            Indicator::new("产出指标", "成本指标", "单位成本", q(Sign::Le, 20, "万元"))
                .weight(Decimal::from(5)),
        );
        indicators.push(
            Indicator::new(
                "效益指标",
                "社会效益指标",
                "受益群众",
                q(Sign::Ge, 1000, "人"),
            )
            .weight(Decimal::from(10)),
        );
        indicators.push(
            Indicator::new(
                "效益指标",
                "可持续影响指标",
                "长效管护机制",
                Target::Qualitative("健全".into()),
            )
            .weight(Decimal::from(5)),
        );
        indicators.push(
            Indicator::new(
                "效益指标",
                "生态效益指标",
                "环境影响",
                Target::Qualitative("有效改善".into()),
            )
            .weight(Decimal::from(5)),
        );
        indicators.push(
            Indicator::new(
                "满意度指标",
                "服务对象满意度指标",
                "群众满意度",
                q(Sign::Ge, 90, "%"),
            )
            .weight(Decimal::from(15)),
        );
        let form = Form::ProjectTarget(ProjectTargetForm {
            fiscal_year: year,
            project: p.name.clone(),
            department: unit_name(p.unit),
            implementer: unit_name(p.unit),
            funds: TargetFunds {
                total,
                finance: total,
                other: Fen(0),
            },
            goal: "按期完成建设任务，提升服务水平".into(),
            indicators,
        });
        let bytes = write_form(&form).expect("target form");
        std::fs::write(dir.join("targets").join(format!("{}.xlsx", p.code)), bytes)
            .expect("target form file");
    }
    println!(
        "{}: {units} units, {projects} projects, {} target forms",
        dir.display(),
        forms.min(projects)
    );
}
