//! A unit's score sheet, its adjustments, and the records behind a count.

use super::*;

// ---------------------------------------------------------------------------------------------
// A unit's sheet and the records behind a count.

pub(super) struct CountView {
    code: &'static str,
    label: &'static str,
    done: u32,
    total: u32,
    percent: String,
}

pub(super) struct SheetItemView {
    key: String,
    name: String,
    max: String,
    formula: String,
    note: String,
    counts: Vec<CountView>,
    computed: String,
    adjustment: String,
    reasons: String,
    score: String,
    adjust_points: String,
    adjust_reason: String,
}

#[derive(Template)]
#[template(path = "assessment_sheet.html")]
pub(super) struct SheetPage {
    layout: Layout,
    year: i32,
    unit_id: i64,
    unit_name: String,
    open: bool,
    manages: bool,
    errors: Vec<String>,
    message: Option<String>,
    items: Vec<SheetItemView>,
    total: String,
    pending: usize,
    problems: Vec<String>,
    rank: String,
    of: usize,
    listed: &'static str,
    rectification_id: Option<i64>,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn sheet_view(
    state: &AppState,
    session: &SessionInfo,
    user: &CurrentUser,
    year: i32,
    unit_id: i64,
    message: Option<String>,
    errors: Vec<String>,
    typed: Option<(&str, &str, &str)>,
) -> Result<Html<String>, WebError> {
    let a = actor(state, user, "");
    let s = flow::sheet(&a, year, unit_id).await?;
    let region = region_name(state, &user.region).await?;
    let items = s
        .items
        .iter()
        .map(|i| {
            let (points, reason) = match typed {
                Some((k, p, r)) if k == i.score.key => (p.to_string(), r.to_string()),
                _ => (
                    if i.score.adjustment == Decimal::ZERO {
                        String::new()
                    } else {
                        trim(i.score.adjustment)
                    },
                    i.score.reasons.join("；"),
                ),
            };
            SheetItemView {
                key: i.score.key.clone(),
                name: i.score.name.clone(),
                max: trim(i.score.max),
                formula: i.formula.unwrap_or_default().to_string(),
                note: i.note.clone(),
                counts: i
                    .counts
                    .iter()
                    .map(|c| CountView {
                        code: c.measure.code(),
                        label: c.label,
                        done: c.count.done,
                        total: c.count.total,
                        percent: c.percent.clone(),
                    })
                    .collect(),
                computed: if i.score.pending {
                    "待评".into()
                } else {
                    two(i.score.computed)
                },
                adjustment: if i.score.adjustment == Decimal::ZERO {
                    String::new()
                } else if i.score.adjustment > Decimal::ZERO {
                    format!("+{}", two(i.score.adjustment))
                } else {
                    two(i.score.adjustment)
                },
                reasons: i.score.reasons.join("；"),
                score: if i.score.pending {
                    "待评".into()
                } else {
                    two(i.score.score)
                },
                adjust_points: points,
                adjust_reason: reason,
            }
        })
        .collect();
    render(&SheetPage {
        layout: Layout::new(session, user, &region, &state.matrix, "/assessments"),
        year,
        unit_id,
        unit_name: s.unit_name,
        open: s.state == flow::OPEN,
        manages: flow::manages(&a),
        errors,
        message,
        items,
        total: two(s.total),
        pending: s.pending,
        problems: s.problems,
        rank: s.rank.map(|r| r.to_string()).unwrap_or_default(),
        of: s.of,
        listed: listed_label(&s.listed),
        rectification_id: s.rectification_id,
    })
}

pub async fn sheet_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path((year, unit)): Path<(i32, i64)>,
    Query(q): Query<YearQuery>,
) -> Result<Html<String>, WebError> {
    let message = q.done.map(|_| "调整已保存。".to_string());
    sheet_view(&state, &session, &user, year, unit, message, vec![], None).await
}

pub async fn adjust(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    ip: ClientIp,
    Path((year, unit)): Path<(i32, i64)>,
    form: Result<axum::Form<Pairs>, axum::extract::rejection::FormRejection>,
) -> Result<Response, WebError> {
    let pairs = pairs_of(form)?;
    let input = AdjustInput {
        item: field(&pairs, "item").into(),
        points: field(&pairs, "points").into(),
        reason: field(&pairs, "reason").into(),
    };
    match flow::adjust(&actor(&state, &user, &ip.0), year, unit, &input)
        .await
        .map_err(WebError::from)
    {
        Ok(()) => Ok(see_other(&format!(
            "/assessments/{year}/units/{unit}?done=adjusted#item-{}",
            input.item
        ))),
        Err(e) if is_user_error(&e) => {
            let html = sheet_view(
                &state,
                &session,
                &user,
                year,
                unit,
                None,
                messages_of(&e),
                Some((&input.item, &input.points, &input.reason)),
            )
            .await?;
            Ok((status_of(&e), html).into_response())
        }
        Err(e) => Err(e),
    }
}

pub(super) struct RecordView {
    href: String,
    title: String,
    done: bool,
    note: String,
}

#[derive(Template)]
#[template(path = "assessment_records.html")]
pub(super) struct RecordsPage {
    layout: Layout,
    year: i32,
    unit_id: i64,
    label: &'static str,
    done: usize,
    rows: Vec<RecordView>,
}

pub async fn records_page(
    State(state): State<AppState>,
    Extension(session): Extension<SessionInfo>,
    user: CurrentUser,
    Path((year, unit, measure)): Path<(i32, i64, String)>,
) -> Result<Html<String>, WebError> {
    let (m, rows) = flow::counted(&actor(&state, &user, ""), year, unit, &measure).await?;
    let region = region_name(&state, &user.region).await?;
    render(&RecordsPage {
        layout: Layout::new(&session, &user, &region, &state.matrix, "/assessments"),
        year,
        unit_id: unit,
        label: Measure::label(m),
        done: rows.iter().filter(|r| r.done).count(),
        rows: rows
            .into_iter()
            .map(|r| RecordView {
                href: r.href,
                title: r.title,
                done: r.done,
                note: r.note,
            })
            .collect(),
    })
}
