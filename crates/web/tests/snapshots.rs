//! Issue 9: snapshot tests (`insta`) pin what a client reads when something goes wrong and what
//! the lists show: the JSON error bodies of the API (401, 403, 404, 422 with field errors, 409,
//! 400), the 403 and 404 pages of a browser session, and one page per kind of list (a record
//! list, the project library, a master-data list).
//!
//! Every body runs on SQLite and (with `JIXIAO_TEST_POSTGRES_URL`) on PostgreSQL against the
//! same snapshot files: both databases must answer alike. What changes from run to run is
//! normalized before a snapshot is taken: the request ID (checked against the `x-request-id`
//! header, then replaced by `[request-id]`), database ids (kept out of the extracts), and the
//! layout around a page's content (CSRF token, session, navigation) is not snapshotted at all.
//!
//! The `.snap` files under `tests/snapshots/` are committed. To accept an intended change, run
//! `INSTA_UPDATE=always cargo test -p jixiao-web --test snapshots` and review the diff; with
//! `CI=true` a missing or changed snapshot fails instead of being written.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderName, Method, Request, StatusCode, header};
use common::{demo_token, session_cookie};
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;
use serde_json::{Value, json};
use tower::ServiceExt;

/// An answer as the snapshots see it.
struct Answer {
    status: StatusCode,
    content_type: String,
    request_id: String,
    body: String,
}

/// Sends a request through the router with the given headers and body.
async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    headers: &[(HeaderName, &str)],
    body: Option<&str>,
) -> Answer {
    let mut req = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        req = req.header(name, *value);
    }
    let req = req
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .expect("request");
    let res = app.clone().oneshot(req).await.expect("response");
    let header_text = |name: &str| {
        res.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let status = res.status();
    let content_type = header_text("content-type");
    let request_id = header_text("x-request-id");
    assert!(
        request_id.len() == 16 && request_id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{uri}: every answer carries a request id, got “{request_id}”"
    );
    let bytes = axum::body::to_bytes(res.into_body(), 1 << 24)
        .await
        .expect("body");
    Answer {
        status,
        content_type,
        request_id,
        body: String::from_utf8(bytes.to_vec()).expect("a UTF-8 body"),
    }
}

/// A call of the JSON API with a bearer token (none if empty) and a raw body.
async fn api(app: &Router, method: Method, uri: &str, token: &str, body: Option<&str>) -> Answer {
    let bearer = format!("Bearer {token}");
    let mut headers = Vec::new();
    if !token.is_empty() {
        headers.push((header::AUTHORIZATION, bearer.as_str()));
    }
    if body.is_some() {
        headers.push((header::CONTENT_TYPE, "application/json"));
    }
    send(app, method, uri, &headers, body).await
}

/// A page of a browser session.
async fn page(app: &Router, cookie: &str, uri: &str) -> Answer {
    send(app, Method::GET, uri, &[(header::COOKIE, cookie)], None).await
}

/// The settings of every snapshot: files named by the snapshot alone, and request ids (as a page
/// prints them) replaced.
fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s.add_filter(r"请求编号 [0-9a-f]{16}", "请求编号 [request-id]");
    s
}

/// Pins a JSON error body: the status, its content type and the body, whose `request_id` must be
/// the header's before it is replaced by `[request-id]`.
fn pin_error(name: &str, what: &str, got: &Answer, status: StatusCode) {
    assert_eq!(got.status, status, "{name}: {}", got.body);
    let mut body: Value = serde_json::from_str(&got.body)
        .unwrap_or_else(|e| panic!("{name}: a JSON body ({e}): {}", got.body));
    assert_eq!(
        body["request_id"].as_str(),
        Some(got.request_id.as_str()),
        "{name}: the body names the request of the x-request-id header"
    );
    body["request_id"] = json!("[request-id]");
    let pinned = json!({
        "status": got.status.as_u16(),
        "content_type": got.content_type,
        "body": body,
    });
    let mut settings = settings();
    settings.set_description(what);
    settings.bind(|| insta::assert_json_snapshot!(name, pinned));
}

/// Pins a text extract, described by `what`.
fn pin_text(name: &str, what: &str, text: &str) {
    let mut settings = settings();
    settings.set_description(what);
    settings.bind(|| insta::assert_snapshot!(name, text));
}

/// The text of an HTML fragment: tags removed, the entities askama writes decoded, white space
/// collapsed.
fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let out = out
        .replace("&#34;", "\"")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first element `<tag …>…</tag>` of a page, as written.
fn element<'a>(html: &'a str, tag: &str) -> &'a str {
    let start = html
        .find(&format!("<{tag}"))
        .unwrap_or_else(|| panic!("no <{tag}> in {html}"));
    let close = format!("</{tag}>");
    let end = html[start..]
        .find(&close)
        .unwrap_or_else(|| panic!("no {close} in {html}"))
        + start
        + close.len();
    &html[start..end]
}

/// The pieces of `html` between `<tag…>` and `</tag>`, in order.
fn cells<'a>(html: &'a str, tag: &str) -> Vec<&'a str> {
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    html.split(&open)
        .skip(1)
        .filter(|piece| piece.starts_with('>') || piece.starts_with(' '))
        .map(|piece| piece.split(&close).next().unwrap_or_default())
        .map(|piece| piece.split_once('>').map_or("", |(_, inner)| inner))
        .collect()
}

/// An error page: its status and its `<main>` as written (the layout around it is not pinned).
fn error_page(got: &Answer) -> String {
    assert!(
        got.body.contains(&format!("请求编号 {}", got.request_id)),
        "the page names the request of the x-request-id header: {}",
        got.body
    );
    format!(
        "status: {}\ncontent-type: {}\n\n{}\n",
        got.status.as_u16(),
        got.content_type,
        element(&got.body, "main")
    )
}

/// A list page reduced to what it says: the title, the summary line with the total, the column
/// headers and the texts of the first three rows (no ids, links or layout).
fn list_extract(uri: &str, html: &str) -> String {
    let main = element(html, "main");
    let mut out = format!("GET {uri}\n");
    out.push_str(&format!("title: {}\n", text_of(element(main, "h1"))));
    let summary = main
        .split("<p class=\"summary\">")
        .nth(1)
        .and_then(|s| s.split("</p>").next())
        .expect("a summary line");
    out.push_str(&format!("summary: {}\n", text_of(summary)));
    let table = element(main, "table");
    let head = element(table, "thead");
    let headers: Vec<String> = cells(head, "th").into_iter().map(text_of).collect();
    out.push_str(&format!("columns: {}\n", headers.join(" | ")));
    let body = element(table, "tbody");
    let rows = cells(body, "tr");
    out.push_str(&format!("rows on the page: {}\n", rows.len()));
    for (i, row) in rows.iter().take(3).enumerate() {
        let texts: Vec<String> = cells(row, "td").into_iter().map(text_of).collect();
        assert_eq!(texts.len(), headers.len(), "{uri}: a cell per column");
        out.push_str(&format!("row {}: {}\n", i + 1, texts.join(" | ")));
    }
    out
}

async fn demo_app(store: &Store) -> Router {
    jixiao_demo::load(store, &mut |_, _, _| {})
        .await
        .expect("demo");
    jixiao_web::router(store.clone(), jixiao_web::WebConfig::default())
}

/// A new major project of the education bureau (≥ 500 万元: the library asks for an ex-ante
/// assessment first).
const PROJECT: &str = r#"{"fiscal_year": 2024, "name": "且末县第二中学教学楼建设项目",
    "budget_type": "general_public", "category": "specific_purpose", "continuity": "new",
    "timing": "initial", "current_wan": "600"}"#;

/// The id and `row_version` of a project as the API returns it.
fn id_and_version(got: &Answer) -> (i64, i64) {
    let v: Value = serde_json::from_str(&got.body).expect("a JSON body");
    let id = v["id"].as_i64().expect("id");
    (id, v["row_version"].as_i64().unwrap_or_default())
}

/// A request of the API whose error body a snapshot pins.
struct Case<'a> {
    /// The snapshot's name (its file under `tests/snapshots/`).
    name: &'a str,
    /// What the snapshot pins, written into the file.
    what: &'a str,
    status: StatusCode,
    /// The bearer token, none if empty.
    token: &'a str,
    method: Method,
    uri: &'a str,
    body: Option<&'a str>,
}

#[tokio::test]
async fn api_error_bodies() {
    on_every_store("snapshots_api_error_bodies", async |store: &Store| {
        let app = demo_app(store).await;
        let jxg = demo_token(&app, "jxg").await;
        let jyj_tb = demo_token(&app, "jyj_tb").await;
        let wjw_tb = demo_token(&app, "wjw_tb").await;
        let ld = demo_token(&app, "ld").await;
        // A project of the education bureau, for the refusals about a record.
        let created = api(
            &app,
            Method::POST,
            "/api/v1/projects",
            &jyj_tb,
            Some(PROJECT),
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
        let (id, _) = id_and_version(&created);
        let project = format!("/api/v1/projects/{id}");

        let cases = [
            Case {
                name: "api_401_no_token",
                what: "GET /api/v1/projects without a token",
                status: StatusCode::UNAUTHORIZED,
                token: "",
                method: Method::GET,
                uri: "/api/v1/projects",
                body: None,
            },
            Case {
                name: "api_401_unknown_token",
                what: "GET /api/v1/projects with a token that is no session",
                status: StatusCode::UNAUTHORIZED,
                token: "0123456789abcdef",
                method: Method::GET,
                uri: "/api/v1/projects",
                body: None,
            },
            Case {
                name: "api_401_login_failed",
                what: "POST /api/v1/auth/login with a wrong password",
                status: StatusCode::UNAUTHORIZED,
                token: "",
                method: Method::POST,
                uri: "/api/v1/auth/login",
                body: Some(r#"{"username": "jxg", "password": "not the password"}"#),
            },
            Case {
                name: "api_403_role_refused_route",
                what: "GET /api/v1/regions as a unit preparer (the access matrix refuses the route)",
                status: StatusCode::FORBIDDEN,
                token: &jyj_tb,
                method: Method::GET,
                uri: "/api/v1/regions",
                body: None,
            },
            Case {
                name: "api_403_record_out_of_scope",
                what: "GET /api/v1/projects/{id} of another unit's project, as a unit preparer",
                status: StatusCode::FORBIDDEN,
                token: &wjw_tb,
                method: Method::GET,
                uri: &project,
                body: None,
            },
            Case {
                name: "api_403_viewer_may_not_declare",
                what: "POST /api/v1/projects as a leader (read-only role)",
                status: StatusCode::FORBIDDEN,
                token: &ld,
                method: Method::POST,
                uri: "/api/v1/projects",
                body: Some(PROJECT),
            },
            Case {
                name: "api_403_role_may_not_act",
                what: "POST /api/v1/evaluation-rounds as a leader: may read rounds, not open one",
                status: StatusCode::FORBIDDEN,
                token: &ld,
                method: Method::POST,
                uri: "/api/v1/evaluation-rounds",
                body: Some(r#"{"fiscal_year": "2024", "deadline": "2099-03-31"}"#),
            },
            Case {
                name: "api_404_unknown_project",
                what: "GET /api/v1/projects/{id} of no project, as finance (region-wide sight)",
                status: StatusCode::NOT_FOUND,
                token: &jxg,
                method: Method::GET,
                uri: "/api/v1/projects/987654321",
                body: None,
            },
            Case {
                name: "api_404_unknown_route",
                what: "GET /api/v1/no-such-thing (no route)",
                status: StatusCode::NOT_FOUND,
                token: &jxg,
                method: Method::GET,
                uri: "/api/v1/no-such-thing",
                body: None,
            },
            Case {
                name: "api_422_bad_list_query",
                what: "GET /api/v1/projects?year=二〇二四&page=0&budget_type=other: one error per field",
                status: StatusCode::UNPROCESSABLE_ENTITY,
                token: &jxg,
                method: Method::GET,
                uri: "/api/v1/projects?year=二〇二四&page=0&budget_type=other",
                body: None,
            },
            Case {
                name: "api_422_bad_per_page",
                what: "GET /api/v1/targets?per_page=100000 (a record list's page size)",
                status: StatusCode::UNPROCESSABLE_ENTITY,
                token: &jxg,
                method: Method::GET,
                uri: "/api/v1/targets?per_page=100000",
                body: None,
            },
            Case {
                name: "api_422_invalid_project",
                what: "POST /api/v1/projects with a negative amount and the required fields missing",
                status: StatusCode::UNPROCESSABLE_ENTITY,
                token: &jyj_tb,
                method: Method::POST,
                uri: "/api/v1/projects",
                body: Some(r#"{"fiscal_year": 2024, "current_wan": "-5"}"#),
            },
            Case {
                name: "api_422_wrong_field_type",
                what: "POST /api/v1/projects with a text where a number belongs",
                status: StatusCode::UNPROCESSABLE_ENTITY,
                token: &jyj_tb,
                method: Method::POST,
                uri: "/api/v1/projects",
                body: Some(r#"{"fiscal_year": "二〇二四"}"#),
            },
            Case {
                name: "api_422_malformed_json_body",
                what: "POST /api/v1/projects with a body that is not JSON (a 422 of the API, not a 400)",
                status: StatusCode::UNPROCESSABLE_ENTITY,
                token: &jyj_tb,
                method: Method::POST,
                uri: "/api/v1/projects",
                body: Some(r#"{"name": "#),
            },
            Case {
                name: "api_422_malformed_login_body",
                what: "POST /api/v1/auth/login with a body that is not JSON",
                status: StatusCode::UNPROCESSABLE_ENTITY,
                token: "",
                method: Method::POST,
                uri: "/api/v1/auth/login",
                body: Some(r#"{"username": "#),
            },
            Case {
                name: "api_400_path_not_a_number",
                what: "GET /api/v1/projects/abc: axum's own path rejection, answered in Chinese",
                status: StatusCode::BAD_REQUEST,
                token: &jxg,
                method: Method::GET,
                uri: "/api/v1/projects/abc",
                body: None,
            },
            Case {
                name: "api_422_list_page_not_a_number",
                what: "GET /api/v1/targets?page=abc&per_page=0: every bad parameter named, as for projects",
                status: StatusCode::UNPROCESSABLE_ENTITY,
                token: &jxg,
                method: Method::GET,
                uri: "/api/v1/targets?page=abc&per_page=0",
                body: None,
            },
        ];
        for case in cases {
            let got = api(&app, case.method, case.uri, case.token, case.body).await;
            pin_error(case.name, case.what, &got, case.status);
        }

        // 409: an edit from a stale copy; a workflow step its preconditions refuse.
        let (_, version) = id_and_version(&api(&app, Method::GET, &project, &jyj_tb, None).await);
        let mut edit: Value = serde_json::from_str(PROJECT).expect("json");
        edit["row_version"] = json!(version);
        edit["name"] = json!("且末县第二中学教学楼新建项目");
        let edit = edit.to_string();
        let got = api(&app, Method::PUT, &project, &jyj_tb, Some(&edit)).await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.body);
        let got = api(&app, Method::PUT, &project, &jyj_tb, Some(&edit)).await;
        pin_error(
            "api_409_stale_row_version",
            "PUT /api/v1/projects/{id} a second time with the row_version the first edit used",
            &got,
            StatusCode::CONFLICT,
        );
        let (_, version) = id_and_version(&api(&app, Method::GET, &project, &jxg, None).await);
        let step = json!({"action": "enter_library", "row_version": version}).to_string();
        let got = api(
            &app,
            Method::POST,
            &format!("{project}/actions"),
            &jxg,
            Some(&step),
        )
        .await;
        pin_error(
            "api_409_workflow_step_refused",
            "POST /api/v1/projects/{id}/actions enter_library: a new major project without an \
             approved ex-ante assessment",
            &got,
            StatusCode::CONFLICT,
        );
    })
    .await;
}

/// A project of another unit than `username`'s.
async fn other_units_project(store: &Store, username: &str) -> i64 {
    let unit = jixiao_store::users::by_username(store, username)
        .await
        .expect("query")
        .and_then(|u| u.unit_id)
        .expect("a unit user");
    let sql = "SELECT MIN(id) FROM projects WHERE unit_id <> $1";
    match store {
        Store::Sqlite(p) => sqlx::query_scalar(sql).bind(unit).fetch_one(p).await,
        Store::Postgres(p) => sqlx::query_scalar(sql).bind(unit).fetch_one(p).await,
    }
    .expect("a project of another unit")
}

#[tokio::test]
async fn error_pages_and_lists() {
    on_every_store("snapshots_error_pages_and_lists", async |store: &Store| {
        let app = demo_app(store).await;
        let jxg = session_cookie(store, "jxg").await;
        let jyj_tb = session_cookie(store, "jyj_tb").await;
        let theirs = format!("/projects/{}", other_units_project(store, "jyj_tb").await);

        // The 403 and 404 pages of a browser session: their <main>.
        for (name, what, status, cookie, uri) in [
            (
                "page_403_role_refused",
                "GET /regions as a unit preparer (the access matrix refuses the page)",
                StatusCode::FORBIDDEN,
                &jyj_tb,
                "/regions",
            ),
            (
                "page_403_record_out_of_scope",
                "GET /projects/{id} of another unit's project, as a unit preparer",
                StatusCode::FORBIDDEN,
                &jyj_tb,
                &theirs,
            ),
            (
                "page_404_unknown_path",
                "GET /no-such-page (no route)",
                StatusCode::NOT_FOUND,
                &jxg,
                "/no-such-page",
            ),
            (
                "page_404_unknown_project",
                "GET /projects/{id} of no project, as finance",
                StatusCode::NOT_FOUND,
                &jxg,
                "/projects/987654321",
            ),
        ] {
            let got = page(&app, cookie, uri).await;
            assert_eq!(got.status, status, "{uri}: {}", got.body);
            pin_text(name, what, &error_page(&got));
        }

        // One page per kind of list, as finance sees it: the title, the total, the columns and
        // the first three rows.
        for (name, what, uri) in [
            (
                "list_targets",
                "the record list of targets (generic list template)",
                "/targets?year=2023",
            ),
            (
                "list_projects",
                "the project library",
                "/projects?year=2023",
            ),
            ("list_units", "the master-data list of units", "/units"),
        ] {
            let got = page(&app, &jxg, uri).await;
            assert_eq!(got.status, StatusCode::OK, "{uri}: {}", got.body);
            pin_text(name, what, &list_extract(uri, &got.body));
        }
    })
    .await;
}
