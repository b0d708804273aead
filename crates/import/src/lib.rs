//! Imports of filled forms and lists into the database (issue 4 part 4, SPEC §14), shared by
//! `jixiao import` and the web upload.
//!
//! This crate maps what `jixiao-forms` read onto the plain rows of `jixiao_store::imports`:
//! it matches units and projects by code or exact name, validates, and collects EVERY problem
//! with its sheet, row and column. Only a file without errors is written, in one transaction
//! (`imports::write`); a file already imported for the same region, year and kind changes
//! nothing. The mapping ([`prepare`]) is free of clap and terminal code so the web upload can
//! call the same steps when it lands.

use chrono::Datelike;
use jixiao_domain::decimal::round2;
use jixiao_domain::indicator::{Level1, Sign};
use jixiao_domain::money::Fen;
use jixiao_domain::monitoring::{self, DeviationCause, MonitoredIndicator, MonitoringReport};
use jixiao_domain::project::{Field, ProjectProposal, ProposalInput};
use jixiao_domain::scoring::{Funds, IndicatorInput, Severity, score_self_evaluation};
use jixiao_domain::settings::Settings;
use jixiao_domain::types::{
    BudgetTiming, BudgetType, Continuity, ObjectKind, ProjectCategory, UnitKind,
};
use jixiao_forms::xlsx::lists::{ListBook, ListKind, read_list_with_limits};
use jixiao_forms::xlsx::{
    FormKind, Limits, ParsedForm, ParsedIndicator, Workbook, check_workbook, read_with_limits,
};
use jixiao_store::Store;
use jixiao_store::imports::{
    self, EvaluationIn, ImportKind, IndicatorIn, MonitoringIn, NewImport, Outcome, Payload,
    ProjectIn, TargetIn, UnitIn, WarningIn, Who,
};
use jixiao_store::monitoring::{MonitoringIndicator, Task as MonitoringTask};
use jixiao_store::projects::Project;
use jixiao_store::units::Unit;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};

/// Why an import could not run at all (problems with the file's content are [`Problem`]s).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{0}")]
    Store(#[from] jixiao_store::StoreError),
    #[error("{0}")]
    Unreadable(String),
}

/// A problem found while preparing an import.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub severity: Severity,
    pub message: String,
}

impl Problem {
    fn error(message: String) -> Problem {
        Problem {
            severity: Severity::Error,
            message,
        }
    }
    fn warning(message: String) -> Problem {
        Problem {
            severity: Severity::Warning,
            message,
        }
    }
}

/// What a file prepares into: the rows to write (meaningful only without errors) and problems.
pub struct Prepared {
    pub payload: Payload,
    pub problems: Vec<Problem>,
}

impl Prepared {
    pub fn has_errors(&self) -> bool {
        self.problems.iter().any(|p| p.severity == Severity::Error)
    }
}

/// The file as read by `jixiao-forms`.
pub enum Parsed {
    Forms(Workbook),
    List(ListBook),
}

/// The safety limits a file of this kind is read with: a form's, or a list's, which a
/// province's project list fits ([`Limits::lists`]).
pub fn limits(kind: ImportKind) -> Limits {
    match kind {
        ImportKind::Units | ImportKind::Projects => Limits::lists(),
        ImportKind::Targets | ImportKind::SelfEvaluations | ImportKind::Monitoring => {
            Limits::default()
        }
    }
}

/// Reads the bytes with the safety limits of [`limits`], as forms or as a list depending on the
/// kind.
pub async fn parse(kind: ImportKind, bytes: Vec<u8>) -> Result<Parsed, String> {
    let limits = limits(kind);
    let r = match kind {
        ImportKind::Targets | ImportKind::SelfEvaluations | ImportKind::Monitoring => {
            read_with_limits(bytes, limits).await.map(Parsed::Forms)
        }
        ImportKind::Units => read_list_with_limits(bytes, limits, ListKind::Units)
            .await
            .map(Parsed::List),
        ImportKind::Projects => read_list_with_limits(bytes, limits, ListKind::Projects)
            .await
            .map(Parsed::List),
    };
    r.map_err(|e| e.to_string())
}

/// Master data the file is matched against.
///
/// The unit and project lists are indexed by code and by name once, when they are set, so that
/// matching a row costs a lookup rather than a scan of the list (a province's 100,000 projects
/// against 1,000 forms, or 3,000 units against a 100,000-row list). One context serves every
/// file of one kind, region and year in a row ([`Session`]).
pub struct Context {
    pub year: i32,
    units: Vec<Unit>,
    projects: Vec<Project>,
    unit_index: NameIndex,
    project_index: NameIndex,
    unit_by_id: HashMap<i64, usize>,
    pub settings: Settings,
    /// A unit user may only import rows of these units (and their subordinates); `None` = any.
    pub allowed_units: Option<HashSet<i64>>,
    /// Monitoring imports: the year's monitoring tasks and the (task, project) pairs that already
    /// have a report.
    pub monitoring_tasks: Vec<MonitoringTask>,
    pub monitoring_reports: HashSet<(i64, i64)>,
    /// Self-evaluation imports: the (unit, project or 0) objects whose self-evaluation of the year
    /// is already submitted or further on, which an import must not overwrite.
    pub submitted_self_evaluations: HashSet<(i64, i64)>,
}

impl Context {
    pub async fn load(store: &Store, region: &str, year: i32) -> Result<Context, ImportError> {
        let mut ctx = Context {
            year,
            units: Vec::new(),
            projects: Vec::new(),
            unit_index: NameIndex::default(),
            project_index: NameIndex::default(),
            unit_by_id: HashMap::new(),
            settings: jixiao_store::regions::settings(store, region).await?,
            allowed_units: None,
            monitoring_tasks: jixiao_store::monitoring::tasks(store, region, year).await?,
            monitoring_reports: jixiao_store::monitoring::project_reports(store, region, year)
                .await?
                .into_iter()
                .collect(),
            submitted_self_evaluations: jixiao_store::self_evaluation::submitted_objects(
                store, region, year,
            )
            .await?
            .into_iter()
            .collect(),
        };
        ctx.set_units(jixiao_store::units::list(store, region).await?);
        ctx.set_projects(jixiao_store::projects::list(store, region, year).await?);
        Ok(ctx)
    }

    /// The region's units, by code.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// The year's projects, by code.
    pub fn projects(&self) -> &[Project] {
        &self.projects
    }

    /// Replaces the units (as `units::list` gives them) and their indexes.
    pub fn set_units(&mut self, units: Vec<Unit>) {
        self.unit_index = NameIndex::build(&units, |u| &u.code, |u| &u.name);
        self.unit_by_id = units.iter().enumerate().map(|(i, u)| (u.id, i)).collect();
        self.units = units;
    }

    /// Replaces the projects (as `projects::list` gives them) and their indexes.
    pub fn set_projects(&mut self, projects: Vec<Project>) {
        self.project_index = NameIndex::build(&projects, |p| &p.code, |p| &p.name);
        self.projects = projects;
    }

    fn unit(&self, id: i64) -> Option<&Unit> {
        self.unit_by_id.get(&id).map(|&i| &self.units[i])
    }
}

/// Maps a parsed file to the rows to write, checking everything (see the module comment).
pub fn prepare(kind: ImportKind, parsed: &Parsed, ctx: &Context, tick: &dyn Fn()) -> Prepared {
    match (kind, parsed) {
        (ImportKind::Targets | ImportKind::SelfEvaluations, Parsed::Forms(wb)) => {
            prepare_forms(kind, wb, ctx, tick)
        }
        (ImportKind::Monitoring, Parsed::Forms(wb)) => prepare_monitoring(wb, ctx, tick),
        (ImportKind::Units, Parsed::List(b)) => prepare_units(b, ctx),
        (ImportKind::Projects, Parsed::List(b)) => prepare_projects(b, ctx),
        _ => Prepared {
            payload: Payload::Units(Vec::new()),
            problems: vec![Problem::error("文件类型与导入类型不符".into())],
        },
    }
}

// ---------------------------------------------------------------------------------------------
// Matching

/// A code written before a name: `[610001]名称`, `820001-名称`, `820001 名称`.
fn split_code(text: &str) -> (Option<&str>, &str) {
    let t = text.trim();
    if let Some(rest) = t.strip_prefix('[').or_else(|| t.strip_prefix('【'))
        && let Some(end) = rest.find([']', '】'])
    {
        let code = rest[..end].trim();
        let tail = rest[end..].trim_start_matches([']', '】']).trim();
        if !code.is_empty() {
            return (Some(code), tail);
        }
    }
    let digits: usize = t
        .char_indices()
        .take_while(|(_, c)| c.is_ascii_alphanumeric())
        .map(|(i, c)| i + c.len_utf8())
        .last()
        .unwrap_or(0);
    if digits > 0 && t[..digits].chars().any(|c| c.is_ascii_digit()) {
        let rest = &t[digits..];
        if let Some(tail) = rest.strip_prefix(['-', '－', ' ', '　', '_']) {
            return (Some(&t[..digits]), tail.trim());
        }
    }
    (None, t)
}

/// Positions of the records of a list by code and by name, built once per list: the lookup of
/// [`match_named`] without the scan. A key maps to the positions in list order.
#[derive(Default)]
struct NameIndex {
    by_code: HashMap<String, Vec<usize>>,
    by_name: HashMap<String, Vec<usize>>,
}

impl NameIndex {
    fn build<T>(items: &[T], code_of: fn(&T) -> &str, name_of: fn(&T) -> &str) -> NameIndex {
        let mut index = NameIndex::default();
        for (i, x) in items.iter().enumerate() {
            index
                .by_code
                .entry(code_of(x).to_string())
                .or_default()
                .push(i);
            index
                .by_name
                .entry(name_of(x).to_string())
                .or_default()
                .push(i);
        }
        index
    }

    /// Records named by a text: by code (the whole text, or the code written before a name),
    /// else by exact name (the whole text, or the name after a leading code); in list order.
    fn find<'a, T>(&self, items: &'a [T], text: &str) -> Vec<&'a T> {
        let text = text.trim();
        if text.is_empty() {
            return Vec::new();
        }
        let (code, name) = split_code(text);
        let mut found = union(
            self.by_code.get(text),
            code.and_then(|c| self.by_code.get(c)),
        );
        if found.is_empty() {
            found = union(self.by_name.get(text), self.by_name.get(name));
        }
        found.into_iter().map(|i| &items[i]).collect()
    }

    /// The record with exactly this code (codes are unique within a list).
    fn first_by_code<'a, T>(&self, items: &'a [T], code: &str) -> Option<&'a T> {
        self.by_code
            .get(code)
            .and_then(|v| v.first())
            .map(|&i| &items[i])
    }
}

/// The positions of two ascending lists, ascending, each once.
fn union(a: Option<&Vec<usize>>, b: Option<&Vec<usize>>) -> Vec<usize> {
    let (a, b) = (
        a.map_or(&[][..], Vec::as_slice),
        b.map_or(&[][..], Vec::as_slice),
    );
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let next = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x == y => {
                i += 1;
                j += 1;
                x
            }
            (Some(&x), Some(&y)) if x < y => {
                i += 1;
                x
            }
            (Some(&x), None) => {
                i += 1;
                x
            }
            (_, Some(&y)) => {
                j += 1;
                y
            }
            (None, None) => break,
        };
        out.push(next);
    }
    out
}

/// Records named by a text: by code, or by exact name (also after a leading code). The scan
/// that [`NameIndex::find`] replaces, kept as the reference the index is tested against.
#[cfg(test)]
fn match_named<'a, T>(
    items: &'a [T],
    text: &str,
    code_of: fn(&T) -> &str,
    name_of: fn(&T) -> &str,
) -> Vec<&'a T> {
    let text = text.trim();
    if text.is_empty() {
        return Vec::new();
    }
    let (code, name) = split_code(text);
    let by_code: Vec<&T> = items
        .iter()
        .filter(|x| code_of(x) == text || code.is_some_and(|c| code_of(x) == c))
        .collect();
    if !by_code.is_empty() {
        return by_code;
    }
    items
        .iter()
        .filter(|x| name_of(x) == text || name_of(x) == name)
        .collect()
}

fn match_units<'a>(ctx: &'a Context, text: &str) -> Vec<&'a Unit> {
    ctx.unit_index.find(&ctx.units, text)
}

fn match_projects<'a>(ctx: &'a Context, text: &str) -> Vec<&'a Project> {
    ctx.project_index.find(&ctx.projects, text)
}

fn unit_allowed(ctx: &Context, unit_id: i64) -> bool {
    ctx.allowed_units
        .as_ref()
        .is_none_or(|set| set.contains(&unit_id))
}

// ---------------------------------------------------------------------------------------------
// Forms (targets, self-evaluations)

fn x100(d: Decimal) -> i64 {
    let r = round2(d) * Decimal::from(100);
    i64::try_from(r.trunc()).unwrap_or(0)
}

/// Where a form is, for messages: the sheet, and the first indicator row when a sheet holds
/// several forms.
fn form_place(form: &ParsedForm, several: bool) -> String {
    match (several, form.indicators.first()) {
        (true, Some(i)) => format!("工作表“{}”（第 {} 行起的表）", form.sheet, i.row),
        _ => format!("工作表“{}”", form.sheet),
    }
}

fn indicator_place(form: &ParsedForm, i: &ParsedIndicator) -> String {
    format!(
        "工作表“{}”第 {} 行 {} 列（三级指标“{}”）",
        form.sheet,
        i.row,
        i.cell.trim_end_matches(|c: char| c.is_ascii_digit()),
        i.name
    )
}

fn scoring_input(i: &ParsedIndicator) -> IndicatorInput {
    IndicatorInput {
        level1: Level1::classify(&i.level1, &i.level2),
        sign: i.sign,
        target: i.target,
        actual: i.actual,
        weight: i.weight,
        tier: i.tier,
        chosen: if i.qualitative { i.stated_score } else { None },
        band: None,
        sub_item: i.sub_item,
        has_explanation: i.has_explanation,
    }
}

fn value_text(value: Option<Decimal>, text: &str) -> String {
    match value {
        Some(d) => d.normalize().to_string(),
        None => text.trim().to_string(),
    }
}

fn indicator_in(i: &ParsedIndicator) -> IndicatorIn {
    let sign = if i.qualitative {
        Sign::Qualitative
    } else {
        i.sign.unwrap_or(Sign::Ge)
    };
    IndicatorIn {
        level1: i.level1.clone(),
        level2: i.level2.clone(),
        name: i.name.clone(),
        sign: sign.symbol().to_string(),
        target_value: if i.qualitative {
            i.target_text.trim().to_string()
        } else {
            value_text(i.target, &i.target_text)
        },
        unit_of_measure: i.unit.clone().unwrap_or_default(),
        weight_x100: if i.sub_item { None } else { i.weight.map(x100) },
        is_core: i.core,
        parent_seq: i.parent.map(|p| p as i32 + 1),
        actual_value: if i.qualitative {
            i.actual_text.trim().to_string()
        } else {
            value_text(i.actual, &i.actual_text)
        },
        score_x100: None,
        stated_score_x100: i.stated_score.map(x100),
        tier: i.tier.map(|t| t as i32),
        deviation_reason: i.explanation_text.trim().to_string(),
    }
}

/// SPEC §6.3 errors of a target's indicators: sign missing, a quantitative one without value or
/// unit, duplicate names, nothing under 产出 or 效益.
/// The quality checks of SPEC §6.3 (`jixiao_domain::target::check`), placed on the form's cells.
///
/// The 分值 rule (`jixiao_domain::target::check_weights`, the self-evaluation's) comes as
/// warnings: an import stores drafts, and a draft may still lack its weights; submitting it is
/// what the rule refuses.
fn check_target_indicators(
    form: &ParsedForm,
    place: &str,
    settings: &Settings,
    problems: &mut Vec<Problem>,
) {
    let rows: Vec<jixiao_domain::target::TargetIndicator> = form
        .indicators
        .iter()
        .map(|i| jixiao_domain::target::TargetIndicator {
            level1: Level1::classify(&i.level1, &i.level2),
            name: i.name.clone(),
            sign: if i.qualitative {
                Some(Sign::Qualitative)
            } else {
                i.sign
            },
            value: i.target,
            value_text: i.target_text.clone(),
            unit: i.unit.clone(),
            sub_item: i.sub_item,
            ..Default::default()
        })
        .collect();
    let findings =
        jixiao_domain::target::check(&rows, None, jixiao_domain::target::TargetContext::default());
    let weights = jixiao_domain::target::check_weights(
        &settings.scoring,
        form.indicators.iter().map(|i| (i.sub_item, i.weight)),
    )
    .into_iter()
    .map(|f| jixiao_domain::scoring::Finding {
        severity: Severity::Warning,
        message: format!("{}，提交前须改正", f.message),
        ..f
    });
    for f in findings.into_iter().chain(weights) {
        let at = match f.indicator.and_then(|n| form.indicators.get(n)) {
            Some(i) => indicator_place(form, i),
            None => place.to_string(),
        };
        let message = format!("{at}：{}（SPEC §6.3）", f.message);
        problems.push(match f.severity {
            Severity::Error => Problem::error(message),
            Severity::Warning => Problem::warning(message),
        });
    }
}

/// The project (or, for unit-overall forms, the unit) a form is about.
enum Object<'a> {
    Project(&'a Project),
    Unit(&'a Unit),
}

fn match_object<'a>(
    form: &ParsedForm,
    place: &str,
    ctx: &'a Context,
    problems: &mut Vec<Problem>,
) -> Option<Object<'a>> {
    let unit_texts = [form.implementer.as_deref(), form.department.as_deref()];
    let project_form = matches!(
        form.kind,
        FormKind::ProjectTarget | FormKind::ProjectSelfEvaluation | FormKind::Monitoring
    );
    if project_form {
        // The project name's cell, when the reader knows it: sheet, row and column.
        let cell_place = |place: &str| match &form.project_cell {
            Some(cell) => {
                let row = cell.trim_start_matches(|c: char| c.is_ascii_alphabetic());
                let col = cell.trim_end_matches(|c: char| c.is_ascii_digit());
                format!("{place}第 {row} 行 {col} 列（项目名称）")
            }
            None => format!("{place}（项目名称栏）"),
        };
        let name = form.project.as_deref().unwrap_or("").trim();
        if name.is_empty() {
            problems.push(Problem::error(format!(
                "{place}（项目名称栏）：未填写项目名称，无法对应到项目"
            )));
            return None;
        }
        let mut found = match_projects(ctx, name);
        if found.len() > 1 {
            // Narrow by the unit the form names.
            let units: HashSet<i64> = unit_texts
                .iter()
                .flatten()
                .flat_map(|t| match_units(ctx, t))
                .map(|u| u.id)
                .collect();
            found.retain(|p| units.contains(&p.unit_id));
        }
        match found.as_slice() {
            [p] => Some(Object::Project(p)),
            [] => {
                problems.push(Problem::error(format!(
                    "{}：{} 年度没有编码或名称为“{name}”的项目，请先导入项目清单或核对项目名称",
                    cell_place(place),
                    ctx.year
                )));
                None
            }
            many => {
                let codes: Vec<&str> = many.iter().map(|p| p.code.as_str()).collect();
                problems.push(Problem::error(format!(
                    "{}：名称“{name}”对应多个项目（编码 {}），请在表中写项目编码",
                    cell_place(place),
                    codes.join("、")
                )));
                None
            }
        }
    } else {
        for t in unit_texts.iter().flatten() {
            if let [u] = match_units(ctx, t).as_slice() {
                return Some(Object::Unit(u));
            }
        }
        let text = unit_texts.iter().flatten().next().copied().unwrap_or("");
        problems.push(Problem::error(format!(
            "{place}（单位名称栏）：没有编码或名称为“{text}”的预算单位，请先导入单位清单"
        )));
        None
    }
}

/// The reader's and the checker's findings on a form, and a year that differs from `--year`.
fn form_findings(
    form: &ParsedForm,
    checked: &jixiao_forms::xlsx::FormReport,
    place: &str,
    ctx: &Context,
    problems: &mut Vec<Problem>,
) {
    for f in &checked.findings {
        let message = if f.message.contains(&form.sheet) {
            f.message.clone()
        } else {
            format!("{place}：{}", f.message)
        };
        let message = match &f.cell {
            Some(c) if !message.contains(" 列") => format!("{message}（单元格 {c}）"),
            _ => message,
        };
        problems.push(Problem {
            severity: f.severity,
            message,
        });
    }
    if let Some(y) = form.fiscal_year
        && y != ctx.year
    {
        problems.push(Problem::error(format!(
            "{place}（年度栏）：表中年度为 {y}，与导入指定的 --year {} 不一致",
            ctx.year
        )));
    }
}

fn prepare_forms(kind: ImportKind, wb: &Workbook, ctx: &Context, tick: &dyn Fn()) -> Prepared {
    let mut problems = Vec::new();
    let mut targets = Vec::new();
    let mut evaluations = Vec::new();
    // Findings of the reader and of the scoring engine, as `forms check` reports them.
    let report = check_workbook("", wb, &ctx.settings);
    let mut per_sheet: HashMap<&str, usize> = HashMap::new();
    for f in &wb.forms {
        *per_sheet.entry(f.sheet.as_str()).or_default() += 1;
    }
    let mut seen_objects: HashMap<i64, String> = HashMap::new();
    for (form, checked) in wb.forms.iter().zip(&report.forms) {
        tick();
        let several = per_sheet.get(form.sheet.as_str()).copied().unwrap_or(0) > 1;
        let place = form_place(form, several);
        let wanted = match kind {
            ImportKind::Targets => {
                matches!(form.kind, FormKind::ProjectTarget | FormKind::UnitTarget)
            }
            _ => form.kind.is_self_evaluation(),
        };
        if !wanted {
            problems.push(Problem::error(format!(
                "{place}是{}，不能作为{}导入",
                form.kind.label(),
                kind.label()
            )));
            continue;
        }
        form_findings(form, checked, &place, ctx, &mut problems);
        if form.indicators.is_empty() {
            problems.push(Problem::error(format!("{place}：没有读到任何指标")));
        }
        let Some(object) = match_object(form, &place, ctx, &mut problems) else {
            continue;
        };
        let (object_kind, project, unit_id) = match object {
            Object::Project(p) => (ObjectKind::Project, Some(p), p.unit_id),
            Object::Unit(u) => (ObjectKind::Unit, None, u.id),
        };
        if !unit_allowed(ctx, unit_id) {
            problems.push(Problem::error(format!(
                "{place}：所属单位不是您的单位，不能导入"
            )));
            continue;
        }
        let key = project.map_or(-unit_id, |p| p.id);
        if let Some(first) = seen_objects.insert(key, place.clone()) {
            problems.push(Problem::error(format!(
                "{place}：与{first}是同一{}，同一文件中只能出现一次",
                if project.is_some() {
                    "项目"
                } else {
                    "单位"
                }
            )));
        }
        let title = project.map_or_else(
            || ctx.unit(unit_id).map_or(String::new(), |u| u.name.clone()),
            |p| p.name.clone(),
        );
        let mut indicators: Vec<IndicatorIn> = form.indicators.iter().map(indicator_in).collect();
        if kind == ImportKind::Targets {
            check_target_indicators(form, &place, &ctx.settings, &mut problems);
            let total = form
                .funds
                .as_ref()
                .and_then(|f| f.budget)
                .or_else(|| project.map(Project::total))
                .unwrap_or(Fen(0));
            if let (Some(p), Some(b)) = (project, form.funds.as_ref().and_then(|f| f.budget))
                && b != p.total()
            {
                problems.push(Problem::warning(format!(
                    "{place}：表中资金总额 {} 万元与项目库中项目“{}”的金额 {} 万元不一致，按表中金额记录",
                    b.wan_2dp(),
                    p.name,
                    p.total().wan_2dp()
                )));
            }
            let other = project.map_or(Fen(0), |p| Fen(p.other_fen.min(total.0).max(0)));
            targets.push(TargetIn {
                object_kind,
                project_id: project.map(|p| p.id),
                unit_id,
                total,
                fiscal: Fen(total.0 - other.0),
                other,
                overall_goal: String::new(),
                indicators,
            });
        } else {
            let funds = form.funds.as_ref().and_then(|f| {
                Some(Funds {
                    budget: f.budget?,
                    executed: f.executed?,
                })
            });
            let inputs: Vec<IndicatorInput> = form.indicators.iter().map(scoring_input).collect();
            // §8.3: scores come from the engine, never from the form; stated ones are kept beside.
            let scored = score_self_evaluation(&ctx.settings, funds, &inputs);
            for (row, s) in indicators.iter_mut().zip(&scored.indicators) {
                row.score_x100 = s.score.map(x100);
            }
            let exec = scored.execution.as_ref();
            let budget = form.funds.as_ref().and_then(|f| f.budget).unwrap_or(Fen(0));
            if ctx
                .submitted_self_evaluations
                .contains(&(unit_id, project.map_or(0, |p| p.id)))
            {
                problems.push(Problem::error(format!(
                    "{place}：“{title}”的 {} 年度绩效自评已提交，不能再导入覆盖；如需修改，请财政退回后再修改或导入",
                    ctx.year
                )));
            }
            evaluations.push(EvaluationIn {
                object_kind,
                project_id: project.map(|p| p.id),
                unit_id,
                title,
                initial_budget: form
                    .funds
                    .as_ref()
                    .and_then(|f| f.start_budget)
                    .unwrap_or(budget),
                budget,
                executed: form
                    .funds
                    .as_ref()
                    .and_then(|f| f.executed)
                    .unwrap_or(Fen(0)),
                execution_rate_x100: exec.and_then(|e| e.rate).map(x100),
                execution_score_x100: exec.map(|e| x100(e.score)),
                total_x100: scored.total.map(x100),
                grade: scored.grade.map(|g| g.code().to_string()),
                overall_goal: String::new(),
                overall_actual: String::new(),
                indicators,
            });
        }
    }
    let payload = match kind {
        ImportKind::Targets => Payload::Targets(targets),
        _ => Payload::SelfEvaluations(evaluations),
    };
    Prepared { payload, problems }
}

// ---------------------------------------------------------------------------------------------
// Monitoring reports (SPEC §7)

/// The project monitoring task whose period ends with the form's `1–N月`.
fn monitoring_task<'a>(
    form: &ParsedForm,
    place: &str,
    ctx: &'a Context,
    problems: &mut Vec<Problem>,
) -> Option<&'a MonitoringTask> {
    let Some(month) = form.period_end_month else {
        problems.push(Problem::error(format!(
            "{place}（执行数表头）：未写监控期间（如“1-7月执行数”），无法对应到监控任务"
        )));
        return None;
    };
    let project_tasks: Vec<&MonitoringTask> = ctx
        .monitoring_tasks
        .iter()
        .filter(|t| t.kind == "project")
        .collect();
    let found: Vec<&MonitoringTask> = project_tasks
        .iter()
        .copied()
        .filter(|t| t.period_end.month() == month)
        .collect();
    match found.as_slice() {
        [t] => Some(t),
        [] => {
            let list: Vec<String> = project_tasks
                .iter()
                .map(|t| format!("“{}”（截至 {}）", t.name, t.period_end))
                .collect();
            problems.push(Problem::error(format!(
                "{place}：监控期间为 1-{month}月，但 {} 年度没有截至 {month} 月末的项目监控任务；{}",
                ctx.year,
                if list.is_empty() {
                    "本年度还没有项目监控任务，请先下达监控任务".to_string()
                } else {
                    format!("现有项目监控任务：{}", list.join("、"))
                }
            )));
            None
        }
        many => {
            let list: Vec<&str> = many.iter().map(|t| t.name.as_str()).collect();
            problems.push(Problem::error(format!(
                "{place}：截至 {month} 月末的项目监控任务有多个（{}），无法确定对应哪一个",
                list.join("、")
            )));
            None
        }
    }
}

/// 偏差原因 categories named in the text (SPEC §7), joined with `、`.
fn deviation_causes(text: &str) -> String {
    let found: Vec<&str> = DeviationCause::ALL
        .iter()
        .map(|c| c.label())
        .filter(|l| text.contains(l))
        .collect();
    found.join("、")
}

fn prepare_monitoring(wb: &Workbook, ctx: &Context, tick: &dyn Fn()) -> Prepared {
    let mut problems = Vec::new();
    let mut reports = Vec::new();
    let report = check_workbook("", wb, &ctx.settings);
    let mut per_sheet: HashMap<&str, usize> = HashMap::new();
    for f in &wb.forms {
        *per_sheet.entry(f.sheet.as_str()).or_default() += 1;
    }
    let mut seen: HashMap<(i64, i64), String> = HashMap::new();
    for (form, checked) in wb.forms.iter().zip(&report.forms) {
        tick();
        let several = per_sheet.get(form.sheet.as_str()).copied().unwrap_or(0) > 1;
        let place = form_place(form, several);
        if form.kind != FormKind::Monitoring {
            problems.push(Problem::error(format!(
                "{place}是{}，不能作为{}导入",
                form.kind.label(),
                ImportKind::Monitoring.label()
            )));
            continue;
        }
        form_findings(form, checked, &place, ctx, &mut problems);
        if form.indicators.is_empty() {
            problems.push(Problem::error(format!("{place}：没有读到任何指标")));
        }
        let funds = form.funds.clone().unwrap_or_default();
        let (budget, executed) = match (funds.budget, funds.executed) {
            (Some(b), Some(e)) => (b, e),
            _ => {
                problems.push(Problem::error(format!(
                    "{place}（项目资金）：年度资金总额的全年预算数或执行数未填写，无法计算执行率"
                )));
                (Fen(0), Fen(0))
            }
        };
        let task = monitoring_task(form, &place, ctx, &mut problems);
        let Some(Object::Project(project)) = match_object(form, &place, ctx, &mut problems) else {
            continue;
        };
        if !unit_allowed(ctx, project.unit_id) {
            problems.push(Problem::error(format!(
                "{place}：项目“{}”所属单位不是您的单位，不能导入",
                project.name
            )));
            continue;
        }
        let Some(task) = task else {
            continue;
        };
        if ctx.monitoring_reports.contains(&(task.id, project.id)) {
            problems.push(Problem::error(format!(
                "{place}：项目“{}”在监控任务“{}”中的监控报告已提交，不能再导入覆盖（退回后可重新导入）",
                project.name, task.name
            )));
            continue;
        }
        if let Some(first) = seen.insert((task.id, project.id), place.clone()) {
            problems.push(Problem::error(format!(
                "{place}：与{first}是同一项目“{}”，同一文件中只能出现一次",
                project.name
            )));
            continue;
        }
        let rows: Vec<MonitoredIndicator> = form
            .indicators
            .iter()
            .map(|i| MonitoredIndicator {
                name: i.name.clone(),
                sign: if i.qualitative {
                    Some(Sign::Qualitative)
                } else {
                    i.sign
                },
                target: i.target,
                to_date: i.actual,
                weight: i.weight,
                likelihood: i.likelihood,
                sub_item: i.sub_item,
                // Ticked categories, a cause text, or the form-wide analysis of the 136号 form;
                // measures likewise (the reader decides, `cause_given`/`measures_given`).
                has_cause: i.cause_given,
                has_measures: i.measures_given,
            })
            .collect();
        let analysis = monitoring::analyse(
            &ctx.settings.monitoring,
            &MonitoringReport {
                period_end_month: task.period_end.month(),
                budget,
                executed,
                reported_completion: form.reported_completion,
                indicators: rows,
                review_score: None,
            },
        );
        // What blocks submission is reported, but the draft is still imported for the unit to
        // complete: the report is checked again when it is submitted (SPEC §7).
        for f in &analysis.findings {
            let at = f
                .indicator
                .and_then(|n| form.indicators.get(n))
                .map_or(place.clone(), |i| indicator_place(form, i));
            let suffix = if f.severity == Severity::Error {
                "（提交前须补正）"
            } else {
                ""
            };
            problems.push(Problem::warning(format!("{at}：{}{suffix}", f.message)));
        }
        let indicators: Vec<MonitoringIndicator> = form
            .indicators
            .iter()
            .zip(&analysis.indicator_completions)
            .map(|(i, c)| {
                let row = indicator_in(i);
                MonitoringIndicator {
                    level1: row.level1,
                    level2: row.level2,
                    name: row.name,
                    sign: row.sign,
                    target_value: row.target_value,
                    unit_of_measure: row.unit_of_measure,
                    weight_x100: row.weight_x100,
                    to_date_value: row.actual_value,
                    expected_value: if i.qualitative {
                        i.forecast_text.clone()
                    } else {
                        value_text(i.forecast, &i.forecast_text)
                    },
                    likelihood: i.likelihood.map_or("", |l| l.code()).to_string(),
                    deviation_causes: if i.causes.is_empty() {
                        deviation_causes(&i.explanation_text)
                    } else {
                        i.causes
                            .iter()
                            .map(|c| c.label())
                            .collect::<Vec<_>>()
                            .join("、")
                    },
                    deviation_text: if i.explanation_text.is_empty() && !i.causes.is_empty() {
                        form.deviation_analysis.clone()
                    } else {
                        i.explanation_text.clone()
                    },
                    measures: if i.measures_text.is_empty() && i.measures_given {
                        form.measures.clone()
                    } else {
                        i.measures_text.clone()
                    },
                    completion_x100: c.map(|c| x100(c * Decimal::ONE_HUNDRED)),
                }
            })
            .collect();
        reports.push(MonitoringIn {
            task_id: task.id,
            project_id: project.id,
            project_name: project.name.clone(),
            unit_id: project.unit_id,
            budget,
            executed,
            expected: funds.forecast.unwrap_or(budget),
            progress_text: String::new(),
            reported_completion_x100: form.reported_completion.map(x100),
            execution_rate_x100: Some(x100(analysis.execution_rate)),
            completion_estimate_x100: analysis.completion_estimate.map(x100),
            deviation_x100: analysis.deviation.map(x100),
            indicators,
            warnings: analysis
                .warnings
                .iter()
                .map(|w| WarningIn {
                    kind: w.kind.code().to_string(),
                    level: w.level.code().to_string(),
                    message: w.message.clone(),
                    rectification: w.requires_rectification,
                })
                .collect(),
            rectification_deadline: task.deadline + chrono::Duration::days(30),
        });
    }
    Prepared {
        payload: Payload::Monitoring(reports),
        problems,
    }
}

// ---------------------------------------------------------------------------------------------
// Lists

fn cell_place(sheet: &str, row: u32, cell: &str, label: &str) -> String {
    let col = cell.trim_end_matches(|c: char| c.is_ascii_digit());
    format!("工作表“{sheet}”第 {row} 行 {col} 列（{label}）")
}

fn list_findings(book: &ListBook, problems: &mut Vec<Problem>) {
    for s in &book.sheets {
        for f in &s.findings {
            problems.push(Problem {
                severity: f.severity,
                message: f.message.clone(),
            });
        }
    }
}

fn prepare_units(book: &ListBook, ctx: &Context) -> Prepared {
    let mut problems = Vec::new();
    list_findings(book, &mut problems);
    if ctx.allowed_units.is_some() {
        problems.push(Problem::error(
            "单位清单只能由财政绩效管理员导入".to_string(),
        ));
    }
    let existing = |code: &str| ctx.unit_index.first_by_code(&ctx.units, code);
    let mut in_file: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::new();
    for s in &book.sheets {
        for r in &s.rows {
            let code = r.text("code");
            let name = r.text("name");
            if code.is_empty() || name.is_empty() {
                continue; // reported by the reader
            }
            let code_cell = r.get("code").map_or("", |c| c.cell.as_str());
            let at = cell_place(&s.sheet, r.row, code_cell, "单位编码");
            if let Some(first) = in_file.insert(code.to_string(), at.clone()) {
                problems.push(Problem::error(format!(
                    "{at}：单位编码 {code} 与{first}重复"
                )));
                continue;
            }
            if let Some(u) = existing(code) {
                if u.name == name {
                    problems.push(Problem::warning(format!(
                        "{at}：单位 {code} {name} 已存在，跳过"
                    )));
                } else {
                    problems.push(Problem::error(format!(
                        "{at}：单位编码 {code} 已用于“{}”，与表中名称“{name}”不符",
                        u.name
                    )));
                }
                continue;
            }
            let kind_text = r.text("kind");
            let kind = if kind_text.is_empty() {
                UnitKind::Administrative
            } else {
                match UnitKind::parse(kind_text).or(match kind_text {
                    "行政" => Some(UnitKind::Administrative),
                    "事业" => Some(UnitKind::Institution),
                    _ => None,
                }) {
                    Some(k) => k,
                    None => {
                        let c = r.get("kind").map_or("", |c| c.cell.as_str());
                        problems.push(Problem::error(format!(
                            "{}：“{kind_text}”不是单位性质（行政单位、事业单位、其他）",
                            cell_place(&s.sheet, r.row, c, "单位性质")
                        )));
                        continue;
                    }
                }
            };
            let parent = r.text("parent");
            rows.push((
                at,
                UnitIn {
                    code: code.to_string(),
                    name: name.to_string(),
                    parent_code: (!parent.is_empty()).then(|| parent.to_string()),
                    kind,
                    finance_desk: r.text("desk").to_string(),
                },
            ));
        }
    }
    for (at, u) in &rows {
        if let Some(p) = &u.parent_code
            && existing(p).is_none()
            && !in_file.contains_key(p)
        {
            problems.push(Problem::error(format!(
                "{at}：上级单位编码 {p} 既不在数据库中也不在本表中"
            )));
        }
        if u.parent_code.as_deref() == Some(u.code.as_str()) {
            problems.push(Problem::error(format!("{at}：上级单位不能是自己")));
        }
    }
    Prepared {
        payload: Payload::Units(rows.into_iter().map(|(_, u)| u).collect()),
        problems,
    }
}

fn parse_choice<T: Copy>(
    text: &str,
    default: T,
    parse: impl Fn(&str) -> Option<T>,
    aliases: &[(&str, T)],
) -> Option<T> {
    let t = text.trim();
    if t.is_empty() {
        return Some(default);
    }
    parse(t).or_else(|| aliases.iter().find(|(a, _)| *a == t).map(|(_, v)| *v))
}

fn prepare_projects(book: &ListBook, ctx: &Context) -> Prepared {
    let mut problems = Vec::new();
    list_findings(book, &mut problems);
    let existing = |code: &str| ctx.project_index.first_by_code(&ctx.projects, code);
    let mut in_file: HashMap<String, String> = HashMap::new();
    let mut rows = Vec::new();
    for s in &book.sheets {
        for r in &s.rows {
            let code = r.text("code");
            let name = r.text("name");
            let unit_text = r.text("unit");
            if code.is_empty() || name.is_empty() || unit_text.is_empty() {
                continue; // reported by the reader
            }
            let place = |key: &str, label: &str| {
                cell_place(
                    &s.sheet,
                    r.row,
                    r.get(key).map_or("", |c| c.cell.as_str()),
                    label,
                )
            };
            let at = place("code", "项目编码");
            let before = problems.len();
            if let Some(first) = in_file.insert(code.to_string(), at.clone()) {
                problems.push(Problem::error(format!(
                    "{at}：项目编码 {code} 与{first}重复"
                )));
                continue;
            }
            if let Some(p) = existing(code) {
                if p.name == name {
                    problems.push(Problem::warning(format!(
                        "{at}：{} 年度项目 {code} {name} 已存在，跳过",
                        ctx.year
                    )));
                } else {
                    problems.push(Problem::error(format!(
                        "{at}：{} 年度项目编码 {code} 已用于“{}”，与表中名称“{name}”不符",
                        ctx.year, p.name
                    )));
                }
                continue;
            }
            let year = r.text("year");
            if !year.is_empty() && year.trim_end_matches('年') != ctx.year.to_string() {
                problems.push(Problem::error(format!(
                    "{}：预算年度 {year} 与导入指定的 --year {} 不一致",
                    place("year", "预算年度"),
                    ctx.year
                )));
            }
            let unit = match match_units(ctx, unit_text).as_slice() {
                [u] => Some(*u),
                [] => {
                    problems.push(Problem::error(format!(
                        "{}：没有编码或名称为“{unit_text}”的预算单位",
                        place("unit", "单位编码或名称")
                    )));
                    None
                }
                many => {
                    let codes: Vec<&str> = many.iter().map(|u| u.code.as_str()).collect();
                    problems.push(Problem::error(format!(
                        "{}：“{unit_text}”对应多个单位（编码 {}），请写单位编码",
                        place("unit", "单位编码或名称"),
                        codes.join("、")
                    )));
                    None
                }
            };
            if let Some(u) = unit
                && !unit_allowed(ctx, u.id)
            {
                problems.push(Problem::error(format!(
                    "{}：单位“{}”不是您的单位，不能导入",
                    place("unit", "单位编码或名称"),
                    u.name
                )));
            }
            let budget_type = parse_choice(
                r.text("budget_type"),
                BudgetType::GeneralPublic,
                BudgetType::parse,
                &[
                    ("一般公共", BudgetType::GeneralPublic),
                    ("政府性基金", BudgetType::GovFund),
                    ("国有资本经营", BudgetType::StateCapital),
                    ("社会保险基金", BudgetType::SocialInsurance),
                ],
            );
            let category = parse_choice(
                r.text("category"),
                ProjectCategory::SpecificPurpose,
                ProjectCategory::parse,
                &[
                    ("人员", ProjectCategory::Personnel),
                    ("运转", ProjectCategory::Operation),
                    ("特定目标", ProjectCategory::SpecificPurpose),
                ],
            );
            let continuity = parse_choice(
                r.text("continuity"),
                Continuity::New,
                Continuity::parse,
                &[],
            );
            let timing = parse_choice(
                r.text("timing"),
                BudgetTiming::Initial,
                BudgetTiming::parse,
                &[
                    ("年初", BudgetTiming::Initial),
                    ("追加", BudgetTiming::Supplementary),
                    ("年中追加", BudgetTiming::Supplementary),
                ],
            );
            for (ok, key, label, allowed) in [
                (
                    budget_type.is_some(),
                    "budget_type",
                    "预算类型",
                    "一般公共预算、政府性基金预算、国有资本经营预算、社会保险基金预算",
                ),
                (
                    category.is_some(),
                    "category",
                    "项目类别",
                    "人员类、运转类、特定目标类",
                ),
                (
                    continuity.is_some(),
                    "continuity",
                    "新增/延续",
                    "新增、延续",
                ),
                (
                    timing.is_some(),
                    "timing",
                    "年初/追加",
                    "年初预算、年中追加",
                ),
            ] {
                if !ok {
                    problems.push(Problem::error(format!(
                        "{}：“{}”不是可选值（{allowed}）",
                        place(key, label),
                        r.text(key)
                    )));
                }
            }
            // The same rules as the project form and the API (domain::project): name and code
            // length and characters, the period, amounts (not negative, bounded, not all zero).
            let input = ProposalInput {
                code: code.to_string(),
                name: name.to_string(),
                budget_type,
                category,
                continuity,
                timing,
                start_year: None,
                end_year: None,
                current: r.amount("current").unwrap_or(Fen(0)),
                carryover: r.amount("carryover").unwrap_or(Fen(0)),
                other: r.amount("other").unwrap_or(Fen(0)),
            };
            let proposal = match ProjectProposal::parse(&input, ctx.year, &ctx.settings.project) {
                Ok(p) => Some(p),
                Err(found) => {
                    for p in found {
                        let key = match p.field {
                            // Reported above with the allowed values.
                            Field::BudgetType
                            | Field::Category
                            | Field::Continuity
                            | Field::Timing => {
                                continue;
                            }
                            Field::Code => "code",
                            Field::Name => "name",
                            Field::Period => "year",
                            Field::Current | Field::Total => "current",
                            Field::Carryover => "carryover",
                            Field::Other => "other",
                        };
                        problems.push(Problem::error(format!(
                            "{}：{}",
                            place(key, p.field.label()),
                            p.message
                        )));
                    }
                    None
                }
            };
            let errored = problems[before..]
                .iter()
                .any(|p| p.severity == Severity::Error);
            if let (false, Some(u), Some(p)) = (errored, unit, proposal) {
                rows.push(ProjectIn {
                    code: p.code,
                    name: p.name,
                    unit_id: u.id,
                    budget_type: p.budget_type,
                    category: p.category,
                    continuity: p.continuity,
                    timing: p.timing,
                    current: p.current,
                    carryover: p.carryover,
                    other: p.other,
                    is_major: p.is_major,
                });
            }
        }
    }
    Prepared {
        payload: Payload::Projects(rows),
        problems,
    }
}

/// One import to do.
pub struct Request<'a> {
    pub region: &'a str,
    pub year: i32,
    pub kind: ImportKind,
    pub file_name: &'a str,
    pub who: Who<'a>,
    /// For a unit user: the units whose rows it may import (SPEC §1).
    pub allowed_units: Option<HashSet<i64>>,
}

pub enum Imported {
    /// Written (or found already imported), with the warnings.
    Done(Outcome, Vec<Problem>),
    /// Some problem is an error: nothing was written.
    Refused(Vec<Problem>),
}

/// Reads, matches, validates and writes one file (all or nothing). `progress(done, total)`
/// follows the checking of forms/rows.
pub async fn import_bytes(
    store: &Store,
    req: &Request<'_>,
    bytes: Vec<u8>,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Imported, ImportError> {
    Session::default()
        .import_bytes(store, req, bytes, progress)
        .await
}

/// Several files imported one after another (`jixiao import targets a.xlsx b.xlsx …`): the
/// master data ([`Context`]) is loaded once, when the first file needs it, and reused. Each
/// file is still its own all-or-nothing transaction and its own import record.
///
/// What a written file changes in the context is brought up to date before the next file: after
/// a unit list the units are reloaded, after a project list the projects (only when another
/// file follows). The other imports write drafts
/// only, which change neither the submitted self-evaluations nor the submitted monitoring
/// reports the context holds; a document submitted meanwhile by someone else is still refused,
/// by the write's own check inside its transaction.
#[derive(Default)]
pub struct Session {
    loaded: Option<(String, i32, Context)>,
    /// The list written last, whose part of the context is reloaded when (and only if) another
    /// file follows.
    stale: Option<ImportKind>,
}

impl Session {
    /// [`import_bytes`] with the session's context.
    pub async fn import_bytes(
        &mut self,
        store: &Store,
        req: &Request<'_>,
        bytes: Vec<u8>,
        progress: &(dyn Fn(u64, u64) + Sync),
    ) -> Result<Imported, ImportError> {
        let sha = imports::sha256_hex(&bytes);
        if let Some(earlier) = imports::find(store, req.region, req.year, req.kind, &sha).await? {
            return Ok(Imported::Done(
                Outcome::AlreadyImported(earlier),
                Vec::new(),
            ));
        }
        let parsed = parse(req.kind, bytes)
            .await
            .map_err(|e| ImportError::Unreadable(format!("无法读取 {}：{e}", req.file_name)))?;
        let ctx = match &mut self.loaded {
            Some((region, year, ctx)) if region == req.region && *year == req.year => {
                match self.stale.take() {
                    Some(ImportKind::Units) => {
                        ctx.set_units(jixiao_store::units::list(store, req.region).await?);
                    }
                    Some(ImportKind::Projects) => ctx.set_projects(
                        jixiao_store::projects::list(store, req.region, req.year).await?,
                    ),
                    _ => {}
                }
                ctx
            }
            slot => {
                self.stale = None;
                let ctx = Context::load(store, req.region, req.year).await?;
                &mut slot.insert((req.region.to_string(), req.year, ctx)).2
            }
        };
        ctx.allowed_units = req.allowed_units.clone();
        let total = match &parsed {
            Parsed::Forms(wb) => wb.forms.len() as u64,
            Parsed::List(b) => b.sheets.len() as u64,
        };
        let done = std::cell::Cell::new(0u64);
        progress(0, total);
        let prepared = prepare(req.kind, &parsed, ctx, &|| {
            done.set(done.get() + 1);
            progress(done.get(), total);
        });
        drop(parsed);
        if prepared.has_errors() {
            return Ok(Imported::Refused(prepared.problems));
        }
        let outcome = imports::write(
            store,
            &NewImport {
                region: req.region,
                fiscal_year: req.year,
                file_name: req.file_name,
                sha256: &sha,
                who: req.who.clone(),
                payload: prepared.payload,
            },
        )
        .await;
        let outcome = match outcome {
            Ok(o) => o,
            Err(e) => {
                // The transaction rolled back; what the context holds may be what refused it.
                self.loaded = None;
                return Err(e.into());
            }
        };
        if matches!(outcome, Outcome::Imported(_))
            && matches!(req.kind, ImportKind::Units | ImportKind::Projects)
        {
            self.stale = Some(req.kind);
        }
        Ok(Imported::Done(outcome, prepared.problems))
    }
}

#[cfg(test)]
mod tests {
    //! Imports on every database (SQLite always, PostgreSQL when `JIXIAO_TEST_POSTGRES_URL` is
    //! set), through the same `import_bytes` the command uses.
    use super::*;
    use jixiao_store::testing::on_every_store;
    use std::path::PathBuf;

    const REGION: &str = "430000000";

    fn unit(id: i64, code: &str, name: &str) -> Unit {
        Unit {
            id,
            region_code: REGION.into(),
            code: code.into(),
            name: name.into(),
            parent_id: None,
            level: 1,
            kind: "administrative".into(),
            finance_desk: String::new(),
        }
    }

    /// The indexes name exactly the records, in the same order, that the scan of the whole list
    /// did: by code first (the whole text, or the code before a name), else by name.
    #[test]
    fn indexed_matching_equals_the_scan_on_ambiguous_texts() {
        let units = vec![
            unit(1, "101", "教育局"),
            unit(2, "102", "教育局"),
            unit(3, "103", "101"),
            unit(4, "820001", "马踏镇人民政府"),
            unit(5, "820", "马踏镇部门"),
            unit(6, "A1", "820001"),
            unit(7, "104", "卫生局"),
            unit(8, "105", ""),
            unit(9, "106", "[101]教育局"),
            unit(10, "101 教育局", "教育局分局"),
        ];
        let index = NameIndex::build(&units, |u| &u.code, |u| &u.name);
        let mut texts: Vec<String> = [
            "",
            "  ",
            "教育局",
            " 教育局 ",
            "101",
            "[101]教育局",
            "【102】教育局",
            "[101]卫生局",
            "[999]教育局",
            "999-教育局",
            "101-卫生局",
            "101 教育局",
            "820001",
            "820001-马踏镇人民政府",
            "820001 马踏镇人民政府",
            "820 马踏镇部门",
            "A1",
            "A1_820001",
            "[]教育局",
            "[105]",
            "106",
            "[101]",
            "卫生",
            "没有这个单位",
        ]
        .iter()
        .map(|t| t.to_string())
        .collect();
        for u in &units {
            for sep in ["", "-", "－", " ", "　", "_"] {
                texts.push(format!("{}{sep}{}", u.code, u.name));
                texts.push(format!("[{}]{sep}{}", u.code, u.name));
                texts.push(format!("{}{sep}{}", u.name, u.code));
            }
        }
        let ids = |v: Vec<&Unit>| v.iter().map(|u| u.id).collect::<Vec<_>>();
        for t in &texts {
            let scanned = ids(match_named(&units, t, |u| &u.code, |u| &u.name));
            let indexed = ids(index.find(&units, t));
            assert_eq!(indexed, scanned, "text {t:?}");
        }
        // The ambiguous cases really are ambiguous, so the comparison means something.
        assert_eq!(ids(index.find(&units, "教育局")), vec![1, 2]);
        assert_eq!(ids(index.find(&units, "101")), vec![1]);
        assert_eq!(ids(index.find(&units, "101 教育局")), vec![1, 10]);
        assert_eq!(ids(index.find(&units, "[999]教育局")), vec![1, 2]);
        assert_eq!(ids(index.find(&units, "[105]")), vec![8]);
        assert_eq!(index.first_by_code(&units, "820").map(|u| u.id), Some(5));
        assert_eq!(
            union(Some(&vec![1, 4, 9]), Some(&vec![0, 4, 10])),
            vec![0, 1, 4, 9, 10]
        );
        assert_eq!(union(None, Some(&vec![3])), vec![3]);
        assert!(union(None, None).is_empty());
    }

    fn real_form(name: &str) -> Vec<u8> {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/real-forms");
        let path = dir.join(name);
        std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "the real forms are missing: {} ({e}); they live in fixtures/real-forms",
                path.display()
            )
        })
    }

    async fn setup(store: &Store) {
        let mut tx = store.begin().await.unwrap();
        jixiao_store::regions::insert(&mut tx, REGION, "测试县", None)
            .await
            .unwrap();
        let units = [
            ("610001", "湖南省润山润水生态农业发展有限公司"),
            ("820001", "井研县马踏镇人民政府"),
        ];
        let mut ids = Vec::new();
        for (code, name) in units {
            ids.push(
                jixiao_store::units::insert(
                    &mut tx,
                    &jixiao_store::units::NewUnit {
                        region: REGION,
                        code,
                        name,
                        parent_id: None,
                        level: 1,
                        kind: UnitKind::Administrative,
                        finance_desk: "",
                    },
                )
                .await
                .unwrap(),
            );
        }
        for (year, code, name, unit_id) in [
            (
                2018,
                "P18001",
                "2018年市级专项扶贫资金基础设施(人大代表扶贫基地)",
                ids[0],
            ),
            (2023, "P23001", "村组干部报酬", ids[1]),
            (2023, "P23002", "基层组织活动经费", ids[1]),
        ] {
            jixiao_store::projects::insert(
                &mut tx,
                &jixiao_store::projects::NewProject {
                    region: REGION,
                    fiscal_year: year,
                    code,
                    name,
                    unit_id,
                    is_policy: false,
                    budget_type: BudgetType::GeneralPublic,
                    category: ProjectCategory::SpecificPurpose,
                    continuity: Continuity::New,
                    timing: BudgetTiming::Initial,
                    start_year: year,
                    end_year: year,
                    current: Fen::from_wan(10),
                    carryover: Fen(0),
                    other: Fen(0),
                    is_major: false,
                    library_status: "reserve",
                    previous_project_id: None,
                },
            )
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
    }

    async fn import(
        store: &Store,
        kind: ImportKind,
        year: i32,
        file: &str,
        bytes: Vec<u8>,
    ) -> Imported {
        import_bytes(
            store,
            &Request {
                region: REGION,
                year,
                kind,
                file_name: file,
                who: Who {
                    username: "test",
                    ..Default::default()
                },
                allowed_units: None,
            },
            bytes,
            &|_, _| {},
        )
        .await
        .unwrap()
    }

    async fn count(store: &Store, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        jixiao_store::on_pool!(store, |p| sqlx::query_scalar(&sql)
            .fetch_one(p)
            .await
            .unwrap())
    }

    fn imported(r: Imported) -> (jixiao_store::imports::ImportRecord, Vec<Problem>) {
        match r {
            Imported::Done(Outcome::Imported(rec), w) => (rec, w),
            Imported::Done(Outcome::AlreadyImported(rec), _) => panic!("already imported: {rec:?}"),
            Imported::Refused(p) => panic!("refused: {p:#?}"),
        }
    }

    #[tokio::test]
    async fn real_target_forms_import_once() {
        on_every_store("real_target_forms_import_once", async |store: &Store| {
            setup(store).await;
            let (rec, warnings) =
                imported(import(store, ImportKind::Targets, 2018, "t08.xlsx", real_form("t08.xlsx")).await);
            assert_eq!((rec.documents, rec.indicators), (1, 16));
            assert!(warnings.iter().all(|w| w.severity == Severity::Warning));
            let (rec, _) =
                imported(import(store, ImportKind::Targets, 2023, "t11.xlsx", real_form("t11.xlsx")).await);
            assert_eq!((rec.documents, rec.indicators), (2, 13));
            assert_eq!(count(store, "targets").await, 3);
            assert_eq!(count(store, "target_indicators").await, 29);
            // The stored indicators: sign symbol, value text, unit, weight in hundredths.
            let id: i64 = jixiao_store::on_pool!(store, |p| sqlx::query_scalar(
                "SELECT t.id FROM targets t JOIN projects p ON p.id = t.project_id WHERE p.code = 'P23001'"
            )
            .fetch_one(p)
            .await
            .unwrap());
            let rows = jixiao_store::targets::indicators(store, id).await.unwrap();
            let village = rows.iter().find(|r| r.name == "村组干部230人").unwrap();
            assert_eq!(
                (village.sign.as_str(), village.target_value.as_str(), village.unit_of_measure.as_str(), village.weight_x100),
                ("≥", "230", "个", Some(1000))
            );
            let state: String = jixiao_store::on_pool!(store, |p| sqlx::query_scalar(
                "SELECT state FROM targets WHERE id = $1"
            )
            .bind(id)
            .fetch_one(p)
            .await
            .unwrap());
            assert_eq!(state, "draft");
            // Again: nothing changes.
            for (year, file) in [(2018, "t08.xlsx"), (2023, "t11.xlsx")] {
                match import(store, ImportKind::Targets, year, file, real_form(file)).await {
                    Imported::Done(Outcome::AlreadyImported(_), _) => {}
                    _ => panic!("{file} imported twice"),
                }
            }
            assert_eq!(count(store, "targets").await, 3);
            assert_eq!(count(store, "target_indicators").await, 29);
            assert_eq!(count(store, "imports").await, 2);
            let audited: i64 = jixiao_store::on_pool!(store, |p| sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'import.create'"
            )
            .fetch_one(p)
            .await
            .unwrap());
            assert_eq!(audited, 2);
            assert!(matches!(
                jixiao_store::audit::verify(store).await.unwrap(),
                jixiao_store::audit::Verdict::Intact { .. }
            ));
        })
        .await;
    }

    /// A self-evaluation workbook in the central layout (SPEC §14 layout 1): two sheets, the
    /// second with a bad row when `bad` is set.
    fn self_evaluation_book(bad: bool) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        for (n, project) in ["村组干部报酬", "基层组织活动经费"].iter().enumerate() {
            let s = wb.add_worksheet();
            s.set_name(format!("自评{}", n + 1)).unwrap();
            let rows: Vec<Vec<&str>> = vec![
                vec!["项目支出绩效自评表"],
                vec!["（2023年度）"],
                vec!["项目名称", project],
                vec![
                    "主管部门",
                    "井研县马踏镇人民政府",
                    "",
                    "实施单位",
                    "井研县马踏镇人民政府",
                ],
                vec![
                    "项目资金（万元）",
                    "",
                    "年初预算数",
                    "全年预算数",
                    "全年执行数",
                    "分值",
                    "执行率",
                    "得分",
                ],
                vec!["", "年度资金总额", "10", "10", "9", "10", "90%", "9"],
                vec![
                    "一级指标",
                    "二级指标",
                    "三级指标",
                    "年度指标值",
                    "实际完成值",
                    "分值",
                    "得分",
                    "偏差原因分析及改进措施",
                ],
                vec![
                    "产出指标",
                    "数量指标",
                    "发放人数",
                    "≥230人",
                    "230",
                    "50",
                    "50",
                    "",
                ],
                vec![
                    "效益指标",
                    "社会效益指标",
                    "维护社会稳定",
                    "≥95%",
                    if bad && n == 1 { "很多" } else { "95" },
                    "30",
                    "30",
                    "",
                ],
                vec![
                    "满意度指标",
                    "服务对象满意度指标",
                    "群众满意度",
                    "≥90%",
                    "80",
                    "10",
                    "8",
                    "宣传不足",
                ],
                vec!["总分", "", "", "", "", "100", "97", ""],
            ];
            for (r, row) in rows.iter().enumerate() {
                for (c, v) in row.iter().enumerate() {
                    if !v.is_empty() {
                        s.write_string(r as u32, c as u16, *v).unwrap();
                    }
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }

    #[tokio::test]
    async fn self_evaluations_are_scored_by_the_engine_and_a_bad_row_writes_nothing() {
        on_every_store("self_evaluations_import", async |store: &Store| {
            setup(store).await;
            let audit_before = count(store, "audit_log").await;
            match import(store, ImportKind::SelfEvaluations, 2023, "bad.xlsx", self_evaluation_book(true)).await {
                Imported::Refused(problems) => {
                    let text: Vec<&str> = problems
                        .iter()
                        .filter(|p| p.severity == Severity::Error)
                        .map(|p| p.message.as_str())
                        .collect();
                    assert!(
                        text.iter().any(|m| m.contains("自评2") && m.contains("第 9 行")),
                        "{text:#?}"
                    );
                }
                _ => panic!("a bad row must refuse the import"),
            }
            assert_eq!(count(store, "evaluations").await, 0);
            assert_eq!(count(store, "evaluation_indicators").await, 0);
            assert_eq!(count(store, "imports").await, 0);
            assert_eq!(count(store, "audit_log").await, audit_before);

            let (rec, _) = imported(
                import(store, ImportKind::SelfEvaluations, 2023, "good.xlsx", self_evaluation_book(false)).await,
            );
            assert_eq!((rec.documents, rec.indicators), (2, 6));
            let (total, grade, exec): (Option<i64>, Option<String>, Option<i64>) =
                jixiao_store::on_pool!(store, |p| sqlx::query_as(
                    "SELECT total_x100, grade, execution_score_x100 FROM evaluations ORDER BY id LIMIT 1"
                )
                .fetch_one(p)
                .await
                .unwrap());
            // 9/10 × 10 = 9; 50 + 30 + 80/90 × 10 = 8.89 → 97.89 (the form says 97).
            assert_eq!(exec, Some(900));
            assert_eq!(total, Some(9789));
            assert_eq!(grade.as_deref(), Some("excellent"));
            let stated: Vec<(Option<i64>, Option<i64>)> =
                jixiao_store::on_pool!(store, |p| sqlx::query_as(
                    "SELECT score_x100, stated_score_x100 FROM evaluation_indicators ORDER BY id LIMIT 3"
                )
                .fetch_all(p)
                .await
                .unwrap());
            assert_eq!(stated[2], (Some(889), Some(800)));
        })
        .await;
    }

    /// One self-evaluation sheet of 村组干部报酬 in the central layout, with the indicator rows
    /// given (一级, 二级, 三级, 年度指标值, 实际完成值, 分值, 得分, 偏差原因分析及改进措施). The
    /// indicator header is on row 7, so the rows start at row 8; 偏差原因 is column H.
    fn self_evaluation_sheet(indicators: &[[&str; 8]]) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let s = wb.add_worksheet();
        s.set_name("自评1").unwrap();
        let mut rows: Vec<Vec<&str>> = vec![
            vec!["项目支出绩效自评表"],
            vec!["（2023年度）"],
            vec!["项目名称", "村组干部报酬"],
            vec![
                "主管部门",
                "井研县马踏镇人民政府",
                "",
                "实施单位",
                "井研县马踏镇人民政府",
            ],
            vec![
                "项目资金（万元）",
                "",
                "年初预算数",
                "全年预算数",
                "全年执行数",
                "分值",
                "执行率",
                "得分",
            ],
            vec!["", "年度资金总额", "10", "10", "9", "10", "90%", "9"],
            vec![
                "一级指标",
                "二级指标",
                "三级指标",
                "年度指标值",
                "实际完成值",
                "分值",
                "得分",
                "偏差原因分析及改进措施",
            ],
        ];
        rows.extend(indicators.iter().map(|r| r.to_vec()));
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    s.write_string(r as u32, c as u16, *v).unwrap();
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }

    #[tokio::test]
    async fn an_imported_self_evaluation_keeps_its_explanations_and_units() {
        on_every_store(
            "an_imported_self_evaluation_keeps_its_explanations_and_units",
            async |store: &Store| {
                setup(store).await;
                let book = self_evaluation_sheet(&[
                    [
                        "产出指标",
                        "数量指标",
                        "发放人数",
                        "≥230人",
                        "230",
                        "50",
                        "50",
                        "",
                    ],
                    [
                        "效益指标",
                        "社会效益指标",
                        "维护社会稳定",
                        "≥95%",
                        "95",
                        "30",
                        "30",
                        "",
                    ],
                    [
                        "满意度指标",
                        "服务对象满意度指标",
                        "群众满意度",
                        "≥90",
                        "80",
                        "10",
                        "8",
                        "宣传不足，下年加强",
                    ],
                ]);
                imported(import(store, ImportKind::SelfEvaluations, 2023, "good.xlsx", book).await);
                let id: i64 = jixiao_store::on_pool!(store, |p| sqlx::query_scalar(
                    "SELECT id FROM evaluations"
                )
                .fetch_one(p)
                .await
                .unwrap());
                let rows = jixiao_store::evaluations::indicators(store, id)
                    .await
                    .unwrap();
                let units: Vec<&str> = rows.iter().map(|r| r.unit_of_measure.as_str()).collect();
                assert_eq!(units, ["人", "%", ""], "{rows:#?}");
                assert_eq!(rows[2].deviation_reason, "宣传不足，下年加强");
                assert_eq!(rows[0].deviation_reason, "");
            },
        )
        .await;
    }

    /// An imported self-evaluation enters the workflow (issue 11): a filled draft that opening the
    /// round adopts, a second import lands in the same draft, and a submitted one is not
    /// overwritten.
    #[tokio::test]
    async fn an_imported_self_evaluation_enters_the_round_and_is_never_overwritten_once_submitted()
    {
        on_every_store(
            "an_imported_self_evaluation_enters_the_round",
            async |store: &Store| {
                setup(store).await;
                // 50 + 30 + 10 = 90: the sheets differ only in the satisfaction row.
                let sheet = |actual: &'static str, score: &'static str, why: &'static str| {
                    self_evaluation_sheet(&[
                        [
                            "产出指标",
                            "数量指标",
                            "发放人数",
                            "≥230人",
                            "230",
                            "50",
                            "50",
                            "",
                        ],
                        [
                            "效益指标",
                            "社会效益指标",
                            "维护社会稳定",
                            "≥95%",
                            "95",
                            "30",
                            "30",
                            "",
                        ],
                        [
                            "满意度指标",
                            "服务对象满意度指标",
                            "群众满意度",
                            "≥90",
                            actual,
                            "10",
                            score,
                            why,
                        ],
                    ])
                };
                imported(
                    import(
                        store,
                        ImportKind::SelfEvaluations,
                        2023,
                        "a.xlsx",
                        sheet("95", "10", ""),
                    )
                    .await,
                );
                let state = || async {
                    jixiao_store::on_pool!(store, |p| sqlx::query_as::<
                        _,
                        (i64, String, Option<i64>, bool),
                    >(
                        "SELECT id, state, round_id, filled_at IS NOT NULL FROM evaluations"
                    )
                    .fetch_all(p)
                    .await
                    .unwrap())
                };
                let first = state().await;
                assert_eq!(first.len(), 1);
                assert_eq!(
                    (first[0].1.as_str(), first[0].2, first[0].3),
                    ("draft", None, true)
                );

                let mut tx = store.begin().await.unwrap();
                let round = jixiao_store::self_evaluation::insert_round(
                    &mut tx,
                    &jixiao_store::self_evaluation::NewRound {
                        region: REGION,
                        fiscal_year: 2023,
                        name: "2023年度绩效自评",
                        deadline: chrono::NaiveDate::from_ymd_opt(2024, 4, 30).unwrap(),
                        include_carried_over: false,
                        issued_by: None,
                    },
                )
                .await
                .unwrap();
                let drafts = jixiao_store::self_evaluation::create_drafts(
                    &mut tx, REGION, 2023, round, false,
                )
                .await
                .unwrap();
                tx.commit().await.unwrap();
                assert_eq!(drafts.adopted, 1);
                assert_eq!(state().await[0].2, Some(round));

                // A corrected file lands in the same draft, its rows replaced.
                imported(
                    import(
                        store,
                        ImportKind::SelfEvaluations,
                        2023,
                        "b.xlsx",
                        sheet("80", "8", "宣传不足，下年加强"),
                    )
                    .await,
                );
                let second = state().await;
                assert_eq!(second.len(), 1, "{second:?}");
                assert_eq!((second[0].0, second[0].2), (first[0].0, Some(round)));
                assert_eq!(count(store, "evaluation_indicators").await, 3);
                let rows = jixiao_store::evaluations::indicators(store, first[0].0)
                    .await
                    .unwrap();
                assert_eq!(rows[2].deviation_reason, "宣传不足，下年加强");

                jixiao_store::on_pool!(store, |p| sqlx::query(
                    "UPDATE evaluations SET state = 'submitted'"
                )
                .execute(p)
                .await
                .map(|_| ())
                .unwrap());
                match import(
                    store,
                    ImportKind::SelfEvaluations,
                    2023,
                    "c.xlsx",
                    sheet("70", "7", "宣传不足"),
                )
                .await
                {
                    Imported::Refused(problems) => assert!(
                        problems
                            .iter()
                            .any(|p| p.message.contains("已提交，不能再导入覆盖")),
                        "{problems:#?}"
                    ),
                    _ => panic!("a submitted self-evaluation must not be overwritten"),
                }
                assert_eq!(count(store, "evaluation_indicators").await, 3);
            },
        )
        .await;
    }

    #[tokio::test]
    async fn a_missing_explanation_cites_its_own_cell() {
        on_every_store(
            "a_missing_explanation_cites_its_own_cell",
            async |store: &Store| {
                setup(store).await;
                let book = self_evaluation_sheet(&[
                    [
                        "产出指标",
                        "数量指标",
                        "发放人数",
                        "≥230人",
                        "230",
                        "50",
                        "50",
                        "",
                    ],
                    [
                        "效益指标",
                        "社会效益指标",
                        "维护社会稳定",
                        "≥95%",
                        "95",
                        "30",
                        "30",
                        "",
                    ],
                    [
                        "满意度指标",
                        "服务对象满意度指标",
                        "群众满意度",
                        "≥90%",
                        "80",
                        "10",
                        "8",
                        "",
                    ],
                ]);
                let Imported::Refused(problems) =
                    import(store, ImportKind::SelfEvaluations, 2023, "bad.xlsx", book).await
                else {
                    panic!("a missing explanation refuses the import");
                };
                let cited: Vec<&str> = problems
                    .iter()
                    .filter(|p| {
                        p.severity == Severity::Error
                            && p.message.contains("偏差原因分析及改进措施")
                    })
                    .map(|p| p.message.as_str())
                    .collect();
                assert_eq!(cited.len(), 1, "{problems:#?}");
                assert!(
                    cited[0].contains("第 10 行 H 列") && !cited[0].contains("C10"),
                    "the 偏差原因 cell H10, not the name's C10: {}",
                    cited[0]
                );
            },
        )
        .await;
    }

    #[tokio::test]
    async fn every_error_of_a_form_is_reported_with_its_cell() {
        on_every_store(
            "every_error_of_a_form_is_reported_with_its_cell",
            async |store: &Store| {
                setup(store).await;
                let book = self_evaluation_sheet(&[
                    [
                        "产出指标",
                        "数量指标",
                        "发放人数",
                        "≥230人",
                        "很多",
                        "50",
                        "",
                        "",
                    ],
                    [
                        "效益指标",
                        "社会效益指标",
                        "维护社会稳定",
                        "≥95%",
                        "95",
                        "三十",
                        "",
                        "",
                    ],
                    [
                        "满意度指标",
                        "服务对象满意度指标",
                        "群众满意度",
                        "≥90%",
                        "较好",
                        "10",
                        "",
                        "无",
                    ],
                ]);
                let Imported::Refused(problems) = import(
                    store,
                    ImportKind::SelfEvaluations,
                    2023,
                    "three.xlsx",
                    book.clone(),
                )
                .await
                else {
                    panic!("errors refuse the import");
                };
                let errors: Vec<&str> = problems
                    .iter()
                    .filter(|p| p.severity == Severity::Error)
                    .map(|p| p.message.as_str())
                    .collect();
                for (row, col) in [(8, "E"), (9, "F"), (10, "E")] {
                    let at = format!("第 {row} 行 {col} 列");
                    assert!(
                        errors
                            .iter()
                            .any(|m| m.contains("工作表“自评1”") && m.contains(&at)),
                        "an error at {at}: {errors:#?}"
                    );
                }
                // `forms check` reports the same three, each with its cell.
                let wb = jixiao_forms::xlsx::read_workbook(
                    &book,
                    &jixiao_forms::xlsx::Limits::default(),
                )
                .unwrap();
                let report = check_workbook("three.xlsx", &wb, &Settings::default());
                let cells: Vec<&str> = report.forms[0]
                    .findings
                    .iter()
                    .filter(|f| f.severity == Severity::Error)
                    .filter_map(|f| f.cell.as_deref())
                    .collect();
                for cell in ["E8", "F9", "E10"] {
                    assert!(cells.contains(&cell), "{cell} in {cells:?}");
                }
                // Three errors in one row: each is reported.
                let book = self_evaluation_sheet(&[
                    [
                        "产出指标",
                        "数量指标",
                        "发放人数",
                        "≥很多人",
                        "不少",
                        "五十",
                        "",
                        "",
                    ],
                    [
                        "效益指标",
                        "社会效益指标",
                        "维护社会稳定",
                        "≥95%",
                        "95",
                        "30",
                        "",
                        "",
                    ],
                    [
                        "满意度指标",
                        "服务对象满意度指标",
                        "群众满意度",
                        "≥90%",
                        "90",
                        "10",
                        "",
                        "",
                    ],
                ]);
                let wb = jixiao_forms::xlsx::read_workbook(
                    &book,
                    &jixiao_forms::xlsx::Limits::default(),
                )
                .unwrap();
                let report = check_workbook("row.xlsx", &wb, &Settings::default());
                let cells: Vec<&str> = report.forms[0]
                    .findings
                    .iter()
                    .filter(|f| f.severity == Severity::Error)
                    .filter_map(|f| f.cell.as_deref())
                    .collect();
                for cell in ["D8", "E8", "F8"] {
                    assert!(
                        cells.contains(&cell),
                        "{cell} in {cells:?}: {:#?}",
                        report.forms[0].findings
                    );
                }
            },
        )
        .await;
    }

    fn list_book(rows: &[&[&str]]) -> Vec<u8> {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let s = wb.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    s.write_string(r as u32, c as u16, *v).unwrap();
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }

    #[tokio::test]
    async fn unit_and_project_lists() {
        on_every_store("unit_and_project_lists", async |store: &Store| {
            setup(store).await;
            let units = list_book(&[
                &["单位清单"],
                &[
                    "单位编码",
                    "单位名称",
                    "上级单位编码",
                    "单位性质",
                    "对口股室",
                ],
                &["101001", "测试县第一小学", "101", "事业单位", "教科文股"],
                &["101", "测试县教育局", "", "行政单位", "教科文股"],
                &["820001", "井研县马踏镇人民政府", "", "行政单位", ""],
            ]);
            let (rec, warnings) =
                imported(import(store, ImportKind::Units, 2023, "units.xlsx", units.clone()).await);
            assert_eq!(rec.documents, 2);
            assert!(warnings.iter().any(|w| w.message.contains("已存在，跳过")));
            let school = jixiao_store::units::by_code(store, REGION, "101001")
                .await
                .unwrap()
                .unwrap();
            let bureau = jixiao_store::units::by_code(store, REGION, "101")
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                (school.parent_id, school.level, school.kind.as_str()),
                (Some(bureau.id), 2, "institution")
            );
            assert!(matches!(
                import(store, ImportKind::Units, 2023, "units.xlsx", units).await,
                Imported::Done(Outcome::AlreadyImported(_), _)
            ));

            let header: &[&str] = &[
                "项目编码",
                "项目名称",
                "单位编码或名称",
                "预算年度",
                "预算类型",
                "项目类别",
                "新增/延续",
                "年初/追加",
                "当年财政拨款(万元)",
                "上年结转（元）",
                "其他资金(万元)",
            ];
            let bad = list_book(&[
                header,
                &[
                    "P1",
                    "校舍维修",
                    "测试县教育局",
                    "2024",
                    "一般公共预算",
                    "特定目标类",
                    "新增",
                    "年初预算",
                    "12.5",
                    "1,000",
                    "",
                ],
                &[
                    "P2",
                    "营养餐",
                    "不存在的单位",
                    "2024",
                    "一般公共预算",
                    "特定目标类",
                    "新增",
                    "年初预算",
                    "600",
                    "",
                    "",
                ],
            ]);
            match import(store, ImportKind::Projects, 2024, "bad.xlsx", bad).await {
                Imported::Refused(p) => assert!(
                    p.iter().any(|p| p.message.contains("第 3 行 C 列")
                        && p.message.contains("不存在的单位")),
                    "{p:#?}"
                ),
                _ => panic!("an unknown unit must refuse the list"),
            }
            // Issue 9: the import applies the project form's rules (domain::project), each
            // problem named by row and column.
            let long_name = "长".repeat(101);
            let rules = list_book(&[
                header,
                &[
                    "P1",
                    &long_name,
                    "测试县教育局",
                    "2024",
                    "一般公共预算",
                    "特定目标类",
                    "新增",
                    "年初预算",
                    "12.5",
                    "",
                    "",
                ],
                &[
                    "P\u{7}2",
                    "营养餐",
                    "测试县教育局",
                    "2024",
                    "一般公共预算",
                    "特定目标类",
                    "新增",
                    "年初预算",
                    "1",
                    "",
                    "",
                ],
                &[
                    "P3",
                    "食堂改造",
                    "测试县教育局",
                    "2024",
                    "一般公共预算",
                    "特定目标类",
                    "新增",
                    "年初预算",
                    "0",
                    "",
                    "",
                ],
            ]);
            match import(store, ImportKind::Projects, 2024, "rules.xlsx", rules).await {
                Imported::Refused(p) => {
                    for (place, text) in [
                        ("第 2 行 B 列", "项目名称不能超过 100 个字"),
                        ("第 3 行 A 列", "项目编码不能包含控制字符"),
                        ("第 4 行 I 列", "项目金额合计不能为 0"),
                    ] {
                        assert!(
                            p.iter()
                                .any(|p| p.message.contains(place) && p.message.contains(text)),
                            "{place} {text}: {p:#?}"
                        );
                    }
                }
                _ => panic!("rows breaking the project rules must refuse the list"),
            }
            assert!(
                jixiao_store::projects::list(store, REGION, 2024)
                    .await
                    .unwrap()
                    .is_empty()
            );
            let good = list_book(&[
                header,
                &[
                    "P1",
                    "校舍维修",
                    "测试县教育局",
                    "2024",
                    "一般公共预算",
                    "特定目标类",
                    "新增",
                    "年初预算",
                    "12.5",
                    "1,000",
                    "",
                ],
                &[
                    "P2",
                    "营养餐",
                    "101001",
                    "2024",
                    "政府性基金预算",
                    "运转类",
                    "延续",
                    "年中追加",
                    "600",
                    "",
                    "0.01",
                ],
            ]);
            let (rec, _) =
                imported(import(store, ImportKind::Projects, 2024, "good.xlsx", good).await);
            assert_eq!(rec.documents, 2);
            let projects = jixiao_store::projects::list(store, REGION, 2024)
                .await
                .unwrap();
            assert_eq!(projects.len(), 2);
            assert_eq!(
                (projects[0].current_fen, projects[0].carryover_fen),
                (12_500_000, 100_000)
            );
            assert_eq!(projects[0].unit_id, bureau.id);
            assert!(projects[1].is_major, "600万元 ≥ 500万元 is major");
            assert_eq!(projects[1].timing, "supplementary");
            assert_eq!(count(store, "imports").await, 2);
        })
        .await;
    }

    // ---- Monitoring reports (SPEC §7) -------------------------------------------------------

    /// A monitoring task of 2023 ending with July, for the fixture of [`setup`].
    async fn monitoring_task(store: &Store) -> i64 {
        let mut tx = store.begin().await.unwrap();
        let d = |m, day| chrono::NaiveDate::from_ymd_opt(2023, m, day).unwrap();
        jixiao_store::monitoring::insert_task(
            &mut tx,
            &jixiao_store::monitoring::NewTask {
                region: REGION,
                fiscal_year: 2023,
                kind: "project",
                name: "2023年1-4月项目监控",
                period_end: d(4, 30),
                deadline: d(5, 20),
                state: "closed",
                scope: "all",
                scope_text: "",
                issued_by: None,
            },
        )
        .await
        .unwrap();
        let id = jixiao_store::monitoring::insert_task(
            &mut tx,
            &jixiao_store::monitoring::NewTask {
                region: REGION,
                fiscal_year: 2023,
                kind: "project",
                name: "2023年1-7月项目监控",
                period_end: d(7, 31),
                deadline: d(8, 20),
                state: "issued",
                scope: "all",
                scope_text: "",
                issued_by: None,
            },
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        id
    }

    /// A 1-7月 monitoring report written by our own forms writer: 10% of the money spent while
    /// the unit reports 50% of the targets done.
    fn monitoring_book(project: &str, month: u8, forecast_wan: i64) -> Vec<u8> {
        use jixiao_forms::xlsx::write::{
            Form, Indicator, MonitoredIndicator, MonitoringForm, MonitoringFunds, MonitoringLine,
            Target, Value, write_form,
        };
        let q = |value: i64, unit: &str| Target::Quantitative {
            sign: Sign::Ge,
            value: Decimal::from(value),
            unit: unit.into(),
        };
        let line = MonitoringLine {
            budget: Some(Fen::from_wan(100)),
            executed: Some(Fen::from_wan(10)),
            forecast: Some(Fen::from_wan(forecast_wan)),
        };
        let form = MonitoringForm {
            fiscal_year: 2023,
            period_end_month: month,
            project: project.into(),
            department: "井研县马踏镇人民政府".into(),
            implementer: "井研县马踏镇人民政府".into(),
            funds: MonitoringFunds {
                total: line.clone(),
                current: line,
                ..MonitoringFunds::default()
            },
            goal: "按时足额发放村组干部报酬".into(),
            goal_progress: "已发放一半".into(),
            goal_forecast: "年底前全部发放".into(),
            completion_rate: Some(Decimal::from(50)),
            indicators: vec![
                MonitoredIndicator {
                    indicator: Indicator::new("产出指标", "数量指标", "发放人数", q(230, "人")),
                    to_date: Some(Value::Number(Decimal::from(115))),
                    forecast: Some(Value::Number(Decimal::from(230))),
                    deviation: "经费保障：资金下达较晚".into(),
                    likelihood: "有可能".into(),
                },
                MonitoredIndicator {
                    indicator: Indicator::new(
                        "满意度指标",
                        "服务对象满意度指标",
                        "群众满意度",
                        q(90, "%"),
                    ),
                    to_date: Some(Value::Number(Decimal::from(45))),
                    forecast: Some(Value::Number(Decimal::from(90))),
                    deviation: String::new(),
                    likelihood: "确定能".into(),
                },
            ],
        };
        write_form(&Form::Monitoring(form)).unwrap()
    }

    #[tokio::test]
    async fn monitoring_reports_import_with_rates_warnings_and_draft_rectifications() {
        on_every_store("monitoring_import", async |store: &Store| {
            setup(store).await;
            let task_id = monitoring_task(store).await;
            let audit_before = count(store, "audit_log").await;

            // An unknown project: nothing written, the problem names sheet, row and column.
            match import(store, ImportKind::Monitoring, 2023, "unknown.xlsx", monitoring_book("不存在的项目", 7, 100)).await {
                Imported::Refused(problems) => {
                    let errors: Vec<&str> = problems
                        .iter()
                        .filter(|p| p.severity == Severity::Error)
                        .map(|p| p.message.as_str())
                        .collect();
                    assert!(
                        errors.iter().any(|m| m.contains("工作表“")
                            && m.contains("第 3 行 C 列")
                            && m.contains("不存在的项目")),
                        "{errors:#?}"
                    );
                }
                _ => panic!("an unknown project must refuse the import"),
            }
            // A period no task has: the error lists the tasks that exist.
            match import(store, ImportKind::Monitoring, 2023, "june.xlsx", monitoring_book("村组干部报酬", 6, 100)).await {
                Imported::Refused(problems) => {
                    assert!(
                        problems.iter().any(|p| p.message.contains("1-6月")
                            && p.message.contains("2023年1-7月项目监控")
                            && p.message.contains("2023年1-4月项目监控")),
                        "{problems:#?}"
                    );
                }
                _ => panic!("a period without a task must refuse the import"),
            }
            for table in ["monitoring_reports", "monitoring_indicators", "warnings", "rectifications", "imports"] {
                assert_eq!(count(store, table).await, 0, "{table}");
            }
            assert_eq!(count(store, "audit_log").await, audit_before);

            let bytes = monitoring_book("村组干部报酬", 7, 100);
            let (rec, _warnings) =
                imported(import(store, ImportKind::Monitoring, 2023, "m7.xlsx", bytes.clone()).await);
            assert_eq!((rec.kind.as_str(), rec.documents, rec.indicators), ("monitoring", 1, 2));
            type Row = (i64, String, i64, i64, i64, Option<i64>, Option<i64>, Option<i64>, Option<i64>);
            let report: Row = jixiao_store::on_pool!(store, |p| sqlx::query_as(
                "SELECT task_id, state, budget_fen, executed_fen, expected_fen, reported_completion_x100, \
                 execution_rate_x100, completion_estimate_x100, deviation_x100 FROM monitoring_reports"
            )
            .fetch_one(p)
            .await
            .unwrap());
            assert_eq!(report.0, task_id);
            assert_eq!(report.1, "draft");
            assert_eq!((report.2, report.3, report.4), (100_000_000, 10_000_000, 100_000_000));
            assert_eq!(report.5, Some(5000));
            assert_eq!(report.6, Some(1000));
            assert!(report.7.is_some(), "{report:?}");
            assert_eq!(report.8, Some(4000));
            type IndicatorRow = (String, String, String, String, String, String, Option<i64>);
            let inds: Vec<IndicatorRow> =
                jixiao_store::on_pool!(store, |p| sqlx::query_as(
                    "SELECT name, target_value, to_date_value, expected_value, likelihood, deviation_causes, \
                     completion_x100 FROM monitoring_indicators ORDER BY seq"
                )
                .fetch_all(p)
                .await
                .unwrap());
            assert_eq!(inds.len(), 2);
            assert_eq!(
                (inds[0].0.as_str(), inds[0].1.as_str(), inds[0].2.as_str(), inds[0].3.as_str()),
                ("发放人数", "230", "115", "230")
            );
            assert_eq!((inds[0].4.as_str(), inds[0].5.as_str()), ("possible", "经费保障"));
            assert_eq!(inds[1].4, "certain");
            assert!(inds.iter().all(|i| i.6.is_some()), "{inds:?}");
            let warnings: Vec<(String, String, Option<i64>)> = jixiao_store::on_pool!(store, |p| sqlx::query_as(
                "SELECT kind, level, rectification_id FROM warnings ORDER BY id"
            )
            .fetch_all(p)
            .await
            .unwrap());
            let deviation = warnings
                .iter()
                .find(|w| w.0 == "deviation")
                .unwrap_or_else(|| panic!("{warnings:?}"));
            assert_eq!(deviation.1, "red");
            // Notices are drafted when finance approves the report, not by an upload.
            assert_eq!(deviation.2, None);
            assert_eq!(count(store, "rectifications").await, 0);
            assert_eq!(count(store, "audit_log").await, audit_before + 1);

            // The same file again: a no-op.
            match import(store, ImportKind::Monitoring, 2023, "m7.xlsx", bytes).await {
                Imported::Done(Outcome::AlreadyImported(r), _) => assert_eq!(r.id, rec.id),
                _ => panic!("the same file twice must be a no-op"),
            }
            // A different file for the same task and project while the report is a draft: it
            // replaces the draft's figures (the unit corrects its upload).
            let (again, _) = imported(
                import(store, ImportKind::Monitoring, 2023, "m7b.xlsx", monitoring_book("村组干部报酬", 7, 90)).await,
            );
            assert_eq!(again.documents, 1);
            assert_eq!(count(store, "monitoring_reports").await, 1);
            let expected: i64 = jixiao_store::on_pool!(store, |p| sqlx::query_scalar(
                "SELECT expected_fen FROM monitoring_reports"
            )
            .fetch_one(p)
            .await
            .unwrap());
            assert_eq!(expected, 90_000_000);
            assert_eq!(count(store, "monitoring_indicators").await, 2);
            // Once submitted, an upload is refused, naming the project.
            jixiao_store::on_pool!(store, |p| sqlx::query("UPDATE monitoring_reports SET state = 'submitted'")
                .execute(p)
                .await
                .map(|_| ())
                .unwrap());
            match import(store, ImportKind::Monitoring, 2023, "m7c.xlsx", monitoring_book("村组干部报酬", 7, 80)).await {
                Imported::Refused(problems) => assert!(
                    problems.iter().any(|p| p.severity == Severity::Error
                        && p.message.contains("村组干部报酬")
                        && p.message.contains("已提交")),
                    "{problems:#?}"
                ),
                _ => panic!("an upload over a submitted report must be refused"),
            }
            jixiao_store::on_pool!(store, |p| sqlx::query("UPDATE monitoring_reports SET state = 'draft'")
                .execute(p)
                .await
                .map(|_| ())
                .unwrap());
            assert_eq!(count(store, "monitoring_reports").await, 1);
            assert_eq!(count(store, "imports").await, 2);

            // A unit user of another unit may not import the project's report.
            let other: i64 = jixiao_store::on_pool!(store, |p| sqlx::query_scalar(
                "SELECT id FROM units WHERE code = '610001'"
            )
            .fetch_one(p)
            .await
            .unwrap());
            let r = import_bytes(
                store,
                &Request {
                    region: REGION,
                    year: 2023,
                    kind: ImportKind::Monitoring,
                    file_name: "m7c.xlsx",
                    who: Who {
                        username: "unit",
                        ..Default::default()
                    },
                    allowed_units: Some([other].into_iter().collect()),
                },
                monitoring_book("基层组织活动经费", 7, 100),
                &|_, _| {},
            )
            .await
            .unwrap();
            match r {
                Imported::Refused(problems) => assert!(
                    problems.iter().any(|p| p.message.contains("不是您的单位")),
                    "{problems:#?}"
                ),
                _ => panic!("a unit user may only import its own units' projects"),
            }
        })
        .await;
    }
}
