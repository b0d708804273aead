//! The record lists of SPEC §16 (targets, monitoring reports, evaluations, rectifications,
//! agencies): one page shape and one Excel export, each list narrowed to the user's scope.

use super::show::score;
use crate::auth::{CurrentUser, SessionInfo};
use crate::error::WebError;
use crate::layout::Layout;
use crate::pages::{region_name, render, scope, windowed};
use crate::{AppState, ClientIp, audit_user};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use jixiao_domain::Fen;
use jixiao_domain::grade::Grade;
use jixiao_domain::types::{AgencyStatus, AgencyType, EvaluationKind, ObjectKind};
use jixiao_domain::workflow::{DocState, RectificationSource, RectificationState};
use jixiao_store::browse::{self, ListFilter};
use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Targets,
    ExAnte,
    Monitoring,
    Evaluations,
    Rectifications,
    Agencies,
    Units,
    ResultApplications,
}

impl Kind {
    fn title(self) -> &'static str {
        match self {
            Kind::Targets => "绩效目标",
            Kind::ExAnte => "事前绩效评估",
            Kind::Monitoring => "运行监控",
            Kind::Evaluations => "绩效评价",
            Kind::Rectifications => "整改",
            Kind::Agencies => "第三方机构",
            Kind::Units => "预算单位",
            Kind::ResultApplications => "结果应用",
        }
    }

    /// Whether the list is read in windows of [`ListFilter`] (the master-data lists of units and
    /// agencies are read whole).
    fn windowed(self) -> bool {
        !matches!(self, Kind::Units | Kind::Agencies)
    }

    fn path(self) -> &'static str {
        match self {
            Kind::Targets => "/targets",
            Kind::ExAnte => "/ex-ante",
            Kind::Monitoring => "/monitoring",
            Kind::Evaluations => "/evaluations",
            Kind::Rectifications => "/rectifications",
            Kind::Agencies => "/agencies",
            Kind::Units => "/units",
            Kind::ResultApplications => "/result-applications",
        }
    }
}

pub struct Cell {
    pub text: String,
    pub link: Option<String>,
    pub badge: Option<String>,
    pub numeric: bool,
    pub overdue: bool,
}

fn text(t: impl Into<String>) -> Cell {
    Cell {
        text: t.into(),
        link: None,
        badge: None,
        numeric: false,
        overdue: false,
    }
}

fn num(t: impl Into<String>) -> Cell {
    Cell {
        numeric: true,
        ..text(t)
    }
}

fn linked(t: impl Into<String>, project: Option<i64>) -> Cell {
    Cell {
        link: project.map(|id| format!("/projects/{id}")),
        ..text(t)
    }
}

fn badge(label: &str, class: String) -> Cell {
    Cell {
        badge: Some(class),
        ..text(label)
    }
}

fn grade_cell(code: Option<&str>) -> Cell {
    match code.and_then(Grade::parse) {
        Some(g) => badge(g.label(), format!("g-{}", g.code())),
        None => text(""),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    year: Option<String>,
    q: Option<String>,
    /// Column index to sort by, and `desc` for descending.
    sort: Option<usize>,
    dir: Option<String>,
    page: Option<usize>,
}

const PER_PAGE: usize = 100;
/// The highest page number honoured (a larger one shows the last page).
const MAX_PAGE: usize = 1_000_000;
/// Rows an export reads from the database at a time.
const EXPORT_CHUNK: i64 = 1000;

/// Sorts rows by one column: numerically where the column holds numbers, otherwise by text.
fn sort_rows(rows: &mut [Vec<Cell>], column: usize, numeric: bool, descending: bool) {
    let key = |r: &Vec<Cell>| r.get(column).map(|c| c.text.clone()).unwrap_or_default();
    rows.sort_by(|a, b| {
        let (x, y) = (key(a), key(b));
        let ordering = if numeric {
            let parse = |t: &str| jixiao_domain::decimal::parse_loose(t.trim_end_matches('%'));
            parse(&x).cmp(&parse(&y))
        } else {
            x.cmp(&y)
        };
        if descending {
            ordering.reverse()
        } else {
            ordering
        }
    });
}

impl ListQuery {
    fn filter(&self) -> ListFilter {
        ListFilter {
            year: self
                .year
                .as_deref()
                .and_then(|y| jixiao_domain::types::FiscalYear::parse(y).ok())
                .map(|y| y.get()),
            search: self.q.clone().filter(|q| !q.trim().is_empty()),
            ..ListFilter::default()
        }
    }
}

/// The headers (label, numeric), the rows, and how many rows the filter selects in all.
type Table = (Vec<(&'static str, bool)>, Vec<Vec<Cell>>, usize);

/// The headers (label, numeric) and rows of a list: the window of `f` for the lists read in
/// windows, every row for the master-data lists (units, agencies).
async fn table(
    state: &AppState,
    user: &CurrentUser,
    kind: Kind,
    f: &ListFilter,
) -> Result<Table, WebError> {
    let scope = scope(state, user).await?;
    let sc = &scope;
    let region = user.region.as_str();
    let store = &state.store;
    let mut total = None;
    let (headers, rows): (_, Vec<Vec<Cell>>) = match kind {
        Kind::Targets => (
            vec![
                ("年度", false),
                ("类型", false),
                ("对象", false),
                ("单位", false),
                ("金额（万元）", true),
                ("指标数", true),
                ("状态", false),
                ("审核评级", false),
            ],
            {
                let list = windowed(state, "targets", region, sc, f, |f| async move {
                    browse::targets(store, region, sc, &f).await
                })
                .await?;
                total = Some(
                    list.first()
                        .map_or(0, |r| usize::try_from(r.total).unwrap_or(0)),
                );
                list
            }
            .into_iter()
            .map(|t| {
                let state = DocState::parse(&t.state);
                vec![
                    text(t.fiscal_year.to_string()),
                    text(
                        ObjectKind::parse(&t.object_kind)
                            .map_or(t.object_kind.as_str(), |k| k.label()),
                    ),
                    Cell {
                        link: Some(format!("/targets/{}", t.id)),
                        ..text(t.object_name)
                    },
                    text(t.unit_name),
                    num(Fen(t.total_fen).wan_2dp()),
                    num(t.indicators.to_string()),
                    badge(
                        state.map_or(t.state.as_str(), |s| s.label()),
                        format!("s-{}", t.state),
                    ),
                    text(
                        t.review_rating
                            .as_deref()
                            .and_then(jixiao_domain::target::ReviewRating::parse)
                            .map(|r| r.label())
                            .unwrap_or_default(),
                    ),
                ]
            })
            .collect(),
        ),
        Kind::ExAnte => (
            vec![
                ("年度", false),
                ("评估对象", false),
                ("单位", false),
                ("金额（万元）", true),
                ("评估主体", false),
                ("状态", false),
                ("得分", true),
                ("结论", false),
            ],
            {
                let list = windowed(state, "ex_ante", region, sc, f, |f| async move {
                    browse::ex_ante(store, region, sc, &f).await
                })
                .await?;
                total = Some(
                    list.first()
                        .map_or(0, |r| usize::try_from(r.total).unwrap_or(0)),
                );
                list
            }
            .into_iter()
            .map(|x| {
                let state = DocState::parse(&x.state);
                vec![
                    text(x.fiscal_year.to_string()),
                    Cell {
                        link: Some(format!("/ex-ante/{}", x.id)),
                        ..text(x.object_name)
                    },
                    text(x.unit_name.unwrap_or_default()),
                    num(Fen(x.amount_fen).wan_2dp()),
                    text(match x.agency_name {
                        Some(a) => a,
                        None => jixiao_domain::types::AssessorKind::parse(&x.assessor_kind)
                            .map_or(x.assessor_kind.clone(), |k| k.label().to_string()),
                    }),
                    badge(
                        state.map_or(x.state.as_str(), |s| s.label()),
                        format!("s-{}", x.state),
                    ),
                    num(x
                        .total_x100
                        .map(|t| {
                            jixiao_domain::decimal::fixed2(jixiao_domain::decimal::from_hundredths(
                                t,
                            ))
                        })
                        .unwrap_or_default()),
                    text(
                        x.conclusion
                            .as_deref()
                            .and_then(jixiao_domain::ex_ante::ExAnteConclusion::parse)
                            .map(|c| c.label())
                            .unwrap_or_default(),
                    ),
                ]
            })
            .collect(),
        ),
        Kind::Monitoring => (
            vec![
                ("监控任务", false),
                ("对象", false),
                ("单位", false),
                ("执行率%", true),
                ("完成率%", true),
                ("偏差", true),
                ("审核得分", true),
                ("预警", false),
            ],
            {
                let list = windowed(state, "monitoring_reports", region, sc, f, |f| async move {
                    browse::monitoring_reports(store, region, sc, &f).await
                })
                .await?;
                total = Some(
                    list.first()
                        .map_or(0, |r| usize::try_from(r.total).unwrap_or(0)),
                );
                list
            }
            .into_iter()
            .map(|r| {
                let warning = match (r.red, r.yellow) {
                    (0, 0) => text(""),
                    (0, y) => badge(&format!("黄色 {y}"), "w-yellow".into()),
                    (red, _) => badge(&format!("红色 {red}"), "w-red".into()),
                };
                vec![
                    text(r.task_name),
                    Cell {
                        link: Some(format!("/monitoring/{}", r.id)),
                        ..text(r.object_name)
                    },
                    text(r.unit_name),
                    num(score(r.execution_rate_x100)),
                    num(score(r.reported_completion_x100)),
                    num(score(r.deviation_x100)),
                    num(score(r.review_score_x100)),
                    warning,
                ]
            })
            .collect(),
        ),
        Kind::Evaluations => (
            vec![
                ("评价年度", false),
                ("类型", false),
                ("名称", false),
                ("单位", false),
                ("涉及金额（万元）", true),
                ("执行金额（万元）", true),
                ("得分", true),
                ("等级", false),
                ("第三方机构", false),
            ],
            {
                let list = windowed(state, "evaluations", region, sc, f, |f| async move {
                    browse::evaluations(store, region, sc, &f).await
                })
                .await?;
                total = Some(
                    list.first()
                        .map_or(0, |r| usize::try_from(r.total).unwrap_or(0)),
                );
                list
            }
            .into_iter()
            .map(|e| {
                vec![
                    text(e.fiscal_year.to_string()),
                    text(EvaluationKind::parse(&e.kind).map_or(e.kind.as_str(), |k| k.label())),
                    Cell {
                        link: Some(format!("/evaluations/{}", e.id)),
                        ..text(e.title)
                    },
                    text(e.unit_name),
                    num(Fen(e.amount_fen).wan_2dp()),
                    num(Fen(e.executed_fen).wan_2dp()),
                    num(score(e.total_x100)),
                    grade_cell(e.grade.as_deref()),
                    text(e.agency.unwrap_or_default()),
                ]
            })
            .collect(),
        ),
        Kind::Rectifications => {
            let today = chrono::Utc::now().date_naive();
            (
                vec![
                    ("年度", false),
                    ("来源", false),
                    ("对象", false),
                    ("单位", false),
                    ("问题", false),
                    ("整改期限", false),
                    ("状态", false),
                ],
                {
                    let list = windowed(state, "rectifications", region, sc, f, |f| async move {
                        browse::rectifications(store, region, sc, &f).await
                    })
                    .await?;
                    total = Some(
                        list.first()
                            .map_or(0, |r| usize::try_from(r.total).unwrap_or(0)),
                    );
                    list
                }
                .into_iter()
                .map(|k| {
                    let open = matches!(
                        RectificationState::parse(&k.state),
                        Some(RectificationState::Issued | RectificationState::Reopened)
                    );
                    let source = RectificationSource::parse(&k.source_kind)
                        .map_or(k.source_kind.as_str(), |s| s.label());
                    vec![
                        text(k.fiscal_year.to_string()),
                        text(source),
                        linked(k.object_name, k.project_id),
                        text(k.unit_name),
                        Cell {
                            link: Some(format!("/rectifications/{}", k.id)),
                            ..text(k.problem)
                        },
                        Cell {
                            overdue: open && k.deadline < today,
                            ..text(k.deadline.format("%Y-%m-%d").to_string())
                        },
                        badge(
                            RectificationState::parse(&k.state)
                                .map_or(k.state.as_str(), |s| s.label()),
                            format!("s-{}", k.state),
                        ),
                    ]
                })
                .collect(),
            )
        }
        Kind::Units => (
            vec![
                ("编码", false),
                ("单位名称", false),
                ("单位性质", false),
                ("对口股室", false),
                ("项目数", true),
            ],
            browse::units(store, region, &scope)
                .await?
                .into_iter()
                .filter(|u| {
                    f.search
                        .as_deref()
                        .is_none_or(|q| u.name.contains(q.trim()) || u.code.contains(q.trim()))
                })
                .map(|u| {
                    vec![
                        text(u.code),
                        text(u.name),
                        text(
                            jixiao_domain::types::UnitKind::parse(&u.kind)
                                .map_or(u.kind.as_str(), |k| k.label()),
                        ),
                        text(u.finance_desk),
                        num(u.projects.to_string()),
                    ]
                })
                .collect(),
        ),
        Kind::ResultApplications => (
            vec![
                ("评价年度", false),
                ("安排年度", false),
                ("项目编码", false),
                ("项目", false),
                ("单位", false),
                ("执行金额（万元）", true),
                ("得分", true),
                ("等级", false),
                ("安排建议", false),
                ("调整理由", false),
            ],
            {
                let list = windowed(
                    state,
                    "result_applications",
                    region,
                    sc,
                    f,
                    |f| async move { browse::result_applications(store, region, sc, &f).await },
                )
                .await?;
                total = Some(
                    list.first()
                        .map_or(0, |r| usize::try_from(r.total).unwrap_or(0)),
                );
                list
            }
            .into_iter()
            .map(|a| {
                vec![
                    text(a.fiscal_year.to_string()),
                    text(a.next_year.to_string()),
                    text(a.project_code.unwrap_or_default()),
                    linked(a.object_name, a.project_id),
                    text(a.unit_name),
                    num(Fen(a.executed_fen).wan_2dp()),
                    num(score(a.total_x100)),
                    grade_cell(a.grade.as_deref()),
                    text(
                        jixiao_domain::result_application::Recommendation::parse(&a.recommendation)
                            .map_or(a.recommendation.as_str(), |r| r.label()),
                    ),
                    text(a.override_reason),
                ]
            })
            .collect(),
        ),
        Kind::Agencies => (
            vec![
                ("机构名称", false),
                ("统一社会信用代码", false),
                ("类型", false),
                ("状态", false),
                ("委托业务", true),
                ("平均执业质量得分", true),
            ],
            browse::agencies(store, region, f)
                .await?
                .into_iter()
                .map(|a| {
                    vec![
                        Cell {
                            link: Some(format!("/agencies/{}", a.id)),
                            ..text(a.name)
                        },
                        text(a.credit_code),
                        text(
                            AgencyType::parse(&a.agency_type)
                                .map_or(a.agency_type.as_str(), |t| t.label()),
                        ),
                        text(
                            AgencyStatus::parse(&a.status).map_or(a.status.as_str(), |s| s.label()),
                        ),
                        num(a.engagements.to_string()),
                        num(score(a.quality_x100_avg)),
                    ]
                })
                .collect(),
        ),
    };
    let total = total.unwrap_or(rows.len());
    Ok((headers, rows, total))
}

/// A column header of a list: its label and whether the column holds numbers.
struct Header {
    label: &'static str,
    numeric: bool,
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    layout: Layout,
    title: &'static str,
    path: &'static str,
    with_year: bool,
    years: Vec<i32>,
    year: String,
    q: String,
    headers: Vec<Header>,
    rows: Vec<Vec<Cell>>,
    total: usize,
    page: usize,
    pages: usize,
    sort_links: Vec<String>,
    prev_link: String,
    next_link: String,
    export_link: String,
    /// Unit users on the target list: declare the unit-overall target of this year.
    unit_target_year: Option<i32>,
}

pub async fn page(
    kind: Kind,
    state: AppState,
    session: SessionInfo,
    user: CurrentUser,
    q: ListQuery,
) -> Result<Html<String>, WebError> {
    let descending = q.dir.as_deref() == Some("desc");
    // The record lists sort and page in the database (issue 14): only the page's rows are read,
    // and the total comes with them. The master-data lists (units, agencies) are small and read
    // whole.
    let requested = q.page.unwrap_or(1).clamp(1, MAX_PAGE);
    let mut f = q.filter();
    if kind.windowed() {
        f.sort = q.sort.map(|c| (c, descending));
        f.limit = Some(PER_PAGE as i64);
        f.offset = ((requested - 1) * PER_PAGE) as i64;
    }
    let (headers, mut rows, mut total) = table(&state, &user, kind, &f).await?;
    if kind.windowed() && rows.is_empty() && requested > 1 {
        // Past the last page (the list shrank, or a typed address): show the last page.
        f.offset = 0;
        let (_, _, all) = table(&state, &user, kind, &f).await?;
        f.offset = (all.saturating_sub(1) / PER_PAGE * PER_PAGE) as i64;
        (_, rows, total) = table(&state, &user, kind, &f).await?;
    }
    let pages = total.div_ceil(PER_PAGE).max(1);
    let page = if kind.windowed() {
        (f.offset as usize / PER_PAGE + 1).min(pages)
    } else {
        if let Some(col) = q.sort.filter(|c| *c < headers.len()) {
            sort_rows(&mut rows, col, headers[col].1, descending);
        }
        let page = requested.min(pages);
        rows = rows
            .into_iter()
            .skip((page - 1) * PER_PAGE)
            .take(PER_PAGE)
            .collect();
        page
    };
    let region = region_name(&state, &user.region).await?;
    let years = jixiao_store::projects::years(&state.store, &user.region).await?;
    let mut base = form_urlencoded::Serializer::new(String::new());
    if let Some(y) = q.year.as_deref().filter(|y| !y.is_empty()) {
        base.append_pair("year", y);
    }
    if let Some(t) = q.q.as_deref().filter(|t| !t.is_empty()) {
        base.append_pair("q", t);
    }
    let filters = base.finish();
    let link = |sort: Option<usize>, dir: &str, page: usize| {
        let mut s = form_urlencoded::Serializer::new(filters.clone());
        if let Some(c) = sort {
            s.append_pair("sort", &c.to_string());
            s.append_pair("dir", dir);
        }
        s.append_pair("page", &page.to_string());
        format!("{}?{}", kind.path(), s.finish())
    };
    let current_dir = if descending { "desc" } else { "asc" };
    let sort_links = (0..headers.len())
        .map(|c| {
            let dir = if q.sort == Some(c) && !descending {
                "desc"
            } else {
                "asc"
            };
            link(Some(c), dir, 1)
        })
        .collect();
    render(&ListPage {
        layout: Layout::new(&session, &user, &region, &state.matrix, kind.path()),
        title: kind.title(),
        path: kind.path(),
        with_year: !matches!(kind, Kind::Agencies | Kind::Units),
        years,
        unit_target_year: (kind == Kind::Targets && user.unit_id.is_some() && user.is_unit_user())
            .then(|| {
                q.year
                    .as_deref()
                    .and_then(|y| y.parse().ok())
                    .unwrap_or_else(|| jixiao_app::default_year() + 1)
            }),
        year: q.year.clone().unwrap_or_default(),
        q: q.q.clone().unwrap_or_default(),
        headers: headers
            .into_iter()
            .map(|(label, numeric)| Header { label, numeric })
            .collect(),
        rows,
        total,
        page,
        pages,
        sort_links,
        prev_link: link(q.sort, current_dir, page.saturating_sub(1).max(1)),
        next_link: link(q.sort, current_dir, (page + 1).min(pages)),
        export_link: format!("{}/export.xlsx?{}", kind.path(), filters),
    })
}

pub async fn export(
    kind: Kind,
    state: AppState,
    user: CurrentUser,
    q: ListQuery,
    ip: ClientIp,
) -> Result<Response, WebError> {
    // Every row the filter selects, read from the database in chunks (SPEC §14): the page's
    // cap of LIST_CAP rows does not apply to an export.
    let mut f = q.filter();
    f.limit = Some(EXPORT_CHUNK);
    let (headers, first, _) = table(&state, &user, kind, &f).await?;
    let text_of = |rows: Vec<Vec<Cell>>| -> Vec<Vec<String>> {
        rows.into_iter()
            .map(|r| r.into_iter().map(|c| c.text).collect())
            .collect()
    };
    let mut last = first.len();
    let mut cells = text_of(first);
    while kind.windowed() && last == EXPORT_CHUNK as usize {
        f.offset += EXPORT_CHUNK;
        let (_, rows, _) = table(&state, &user, kind, &f).await?;
        last = rows.len();
        cells.extend(text_of(rows));
    }
    let labels: Vec<&str> = headers.iter().map(|h| h.0).collect();
    let numeric: Vec<bool> = headers.iter().map(|h| h.1).collect();
    let bytes = jixiao_forms::xlsx::list::write_list(&jixiao_forms::xlsx::list::ListTable {
        title: kind.title(),
        headers: &labels,
        numeric: &numeric,
        rows: &cells,
    })
    .map_err(|e| WebError::Internal(e.to_string()))?;
    audit_user(
        &state,
        &user,
        &ip.0,
        "export",
        kind.path().trim_start_matches('/'),
        "xlsx",
        &format!("{} rows", cells.len()),
    )
    .await?;
    let file = format!(
        "attachment; filename=\"{}.xlsx\"",
        kind.path().trim_start_matches('/')
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (header::CONTENT_DISPOSITION, file),
        ],
        bytes,
    )
        .into_response())
}

/// Registers a list page and its export for `kind`.
pub fn register(
    reg: crate::access::Registry<AppState>,
    kind: Kind,
    access: crate::access::Access,
    export_path: &'static str,
) -> crate::access::Registry<AppState> {
    use axum::http::Method;
    use axum::routing::get;
    reg.add(
        Method::GET,
        kind.path(),
        access,
        get(
            move |State(state): State<AppState>,
                  Extension(session): Extension<SessionInfo>,
                  user: CurrentUser,
                  Query(q): Query<ListQuery>| page(kind, state, session, user, q),
        ),
    )
    .add(
        Method::GET,
        export_path,
        access,
        get(
            move |State(state): State<AppState>,
                  user: CurrentUser,
                  Query(q): Query<ListQuery>,
                  ip: ClientIp| export(kind, state, user, q, ip),
        ),
    )
}
