//! The project list as .xlsx (SPEC §14), read from the database in chunks with the page's scope and filters.

use super::*;

/// Projects an export reads per query: the most [`browse::projects`] returns at once.
pub(super) const EXPORT_CHUNK: i64 = browse::MAX_PER_PAGE;

/// The filtered list as .xlsx (SPEC §14 list export), same scope and filters as the page.
pub async fn export(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
    req_ip: crate::ClientIp,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse;
    let scope = scope(&state, &user).await?;
    // Every project the filter selects, read a page of EXPORT_CHUNK rows at a time (the store
    // reads at most that many per query).
    let mut filter = filter_of(&q);
    filter.per_page = EXPORT_CHUNK;
    let mut table: Vec<Vec<String>> = Vec::new();
    for page in 1.. {
        filter.page = page;
        let (rows, total) = browse::projects(&state.store, &user.region, &scope, &filter).await?;
        let n = rows.len();
        table.extend(rows.into_iter().map(Row::from).map(|r| {
            vec![
                r.year.to_string(),
                r.code,
                r.name,
                r.unit,
                r.budget_type,
                r.timing,
                r.continuity,
                r.amount,
                r.status,
            ]
        }));
        if n < EXPORT_CHUNK as usize || table.len() as i64 >= total {
            break;
        }
    }
    let bytes = jixiao_forms::xlsx::list::write_list(&jixiao_forms::xlsx::list::ListTable {
        title: "项目库",
        headers: &[
            "年度",
            "编码",
            "项目名称",
            "单位",
            "预算类型",
            "年初/追加",
            "新增/延续",
            "金额（万元）",
            "状态",
        ],
        numeric: &[false, false, false, false, false, false, false, true, false],
        rows: &table,
    })
    .map_err(|e| WebError::Internal(e.to_string()))?;
    crate::audit_user(
        &state,
        &user,
        &req_ip.0,
        "export",
        "projects",
        "xlsx",
        &format!("{} rows", table.len()),
    )
    .await?;
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"projects.xlsx\"",
            ),
        ],
        bytes,
    )
        .into_response())
}
