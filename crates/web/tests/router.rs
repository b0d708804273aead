//! The router in process (`tower::ServiceExt::oneshot`, no ports), as a browser meets it: the
//! login page (with the demo logins in demo mode), the home page and the annual report (SPEC §13)
//! as HTML and Word after logging in, the access matrix, the Chinese error pages and the security
//! headers of SPEC §17 on every response — on SQLite, and on PostgreSQL when
//! `JIXIAO_TEST_POSTGRES_URL` is set.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{enc, has_chinese};
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;
use jixiao_web::{DemoLogin, WebConfig, router};
use tower::ServiceExt;

const REGION: &str = jixiao_demo::REGION_CODE;
const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const COOKIE: &str = "jixiao_sid";

// ---------------------------------------------------------------------------------------------
// A small browser: one cookie, GET and form POST.

/// A response read to the end.
struct Page {
    what: String,
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

impl Page {
    fn text(&self) -> String {
        String::from_utf8(self.body.clone())
            .unwrap_or_else(|_| panic!("{}: the body is not UTF-8", self.what))
    }

    fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .unwrap_or_else(|| panic!("{}: no {name} header", self.what))
            .to_str()
            .expect("an ASCII header")
    }

    /// SPEC §17: every response — pages, files, redirects, errors and 404s — carries the
    /// security headers.
    fn assert_security_headers(&self) {
        let csp = self.header(header::CONTENT_SECURITY_POLICY);
        assert!(
            csp.contains("frame-ancestors 'none'"),
            "{}: CSP {csp}",
            self.what
        );
        assert!(
            csp.contains("default-src 'self'"),
            "{}: CSP {csp}",
            self.what
        );
        assert_eq!(
            self.header(header::X_CONTENT_TYPE_OPTIONS),
            "nosniff",
            "{}",
            self.what
        );
        assert!(
            !self.header(header::REFERRER_POLICY).is_empty(),
            "{}",
            self.what
        );
    }

    fn assert_status(&self, status: StatusCode) {
        assert_eq!(
            self.status,
            status,
            "{}:\n{}",
            self.what,
            String::from_utf8_lossy(&self.body)
        );
        self.assert_security_headers();
    }

    fn assert_html(&self) -> String {
        let ct = self.header(header::CONTENT_TYPE);
        assert!(
            ct.starts_with("text/html"),
            "{}: content type {ct}",
            self.what
        );
        self.text()
    }

    /// A redirect to the login page that brings the user back to `next` afterwards.
    fn assert_login_redirect(&self, next: &str) {
        assert!(
            self.status.is_redirection(),
            "{}: {}",
            self.what,
            self.status
        );
        self.assert_security_headers();
        let location = self.header(header::LOCATION);
        let encoded = next.replace('/', "%2F");
        assert_eq!(location, format!("/login?next={encoded}"), "{}", self.what);
    }

    /// A Chinese error page (SPEC §16 zh-CN): HTML with the status, a message in Chinese and a
    /// way back, never an internal error text.
    fn assert_chinese_error_page(&self, status: StatusCode) {
        self.assert_status(status);
        let text = self.assert_html();
        assert!(text.contains("lang=\"zh-CN\""), "{}:\n{text}", self.what);
        assert!(
            text.contains(&status.as_u16().to_string()),
            "{}:\n{text}",
            self.what
        );
        assert!(text.contains("返回首页"), "{}:\n{text}", self.what);
        assert!(
            has_chinese(&text),
            "{}: no Chinese message:\n{text}",
            self.what
        );
        for internal in ["sqlx", "Error", "error returned", "panicked", "Invalid URL"] {
            assert!(
                !text.contains(internal),
                "{}: leaks {internal}:\n{text}",
                self.what
            );
        }
    }
}

struct Browser {
    app: Router,
    cookie: Option<String>,
}

impl Browser {
    fn new(app: Router) -> Browser {
        Browser { app, cookie: None }
    }

    async fn send(&mut self, method: Method, path: &str, form: Option<&[(&str, &str)]>) -> Page {
        let mut req = Request::builder().method(method.clone()).uri(path);
        if let Some(c) = &self.cookie {
            req = req.header(header::COOKIE, format!("{COOKIE}={c}"));
        }
        let body = match form {
            Some(fields) => {
                req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                Body::from(
                    fields
                        .iter()
                        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
                        .collect::<Vec<_>>()
                        .join("&"),
                )
            }
            None => Body::empty(),
        };
        let res = self
            .app
            .clone()
            .oneshot(req.body(body).expect("a request"))
            .await
            .expect("the router answers");
        let status = res.status();
        let headers = res.headers().clone();
        for set in headers.get_all(header::SET_COOKIE) {
            let set = set.to_str().expect("an ASCII cookie");
            if let Some(value) = set
                .split(';')
                .next()
                .and_then(|kv| kv.trim().strip_prefix(&format!("{COOKIE}=")))
            {
                self.cookie = (!value.is_empty()).then(|| value.to_string());
            }
        }
        let body = axum::body::to_bytes(res.into_body(), 64 * 1024 * 1024)
            .await
            .expect("the body reads")
            .to_vec();
        Page {
            what: format!("{method} {path}"),
            status,
            headers,
            body,
        }
    }

    async fn get(&mut self, path: &str) -> Page {
        self.send(Method::GET, path, None).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        self.send(Method::POST, path, Some(form)).await
    }

    /// Opens the login form and submits it; returns the answer to the submission.
    async fn try_login(&mut self, username: &str, password: &str) -> Page {
        let form = self.get("/login").await;
        form.assert_status(StatusCode::OK);
        let csrf = hidden_field(&form.text(), "csrf");
        self.post(
            "/login",
            &[
                ("csrf", &csrf),
                ("next", "/"),
                ("username", username),
                ("password", password),
            ],
        )
        .await
    }

    /// Logs in as a demo user, which must succeed.
    async fn login(&mut self, username: &str) {
        let res = self.try_login(username, jixiao_demo::DEMO_PASSWORD).await;
        assert!(
            res.status.is_redirection(),
            "login as {username}: {}\n{}",
            res.status,
            res.text()
        );
        res.assert_security_headers();
        assert_eq!(res.header(header::LOCATION), "/", "login as {username}");
        assert!(self.cookie.is_some(), "login as {username} set no session");
    }
}

fn hidden_field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field in:\n{html}"))
        + marker.len();
    let len = html[start..].find('"').expect("a closing quote");
    html[start..start + len].to_string()
}

// ---------------------------------------------------------------------------------------------
// Fixtures

/// The demo logins the way `jixiao demo` hands them to the web layer.
fn demo_logins() -> Vec<DemoLogin> {
    jixiao_demo::logins()
        .into_iter()
        .map(|l| {
            (
                l.username.to_string(),
                l.role.label().to_string(),
                l.display_name.to_string(),
            )
        })
        .collect()
}

fn app(store: &Store, demo: bool) -> Router {
    let config = WebConfig {
        demo: demo.then(|| (demo_logins(), jixiao_demo::DEMO_PASSWORD.to_string())),
        ..WebConfig::default()
    };
    router(store.clone(), config)
}

async fn load_demo(store: &Store) {
    jixiao_demo::load(store, &mut |_, _, _| {})
        .await
        .expect("the demo loads");
}

/// A browser on the demo county, logged in as the finance performance officer (绩效股).
async fn finance_browser(store: &Store) -> Browser {
    load_demo(store).await;
    let mut b = Browser::new(app(store, true));
    b.login("jxg").await;
    b
}

// ---------------------------------------------------------------------------------------------
// Public pages and logging in

#[tokio::test]
async fn healthz_answers_ok_with_the_headers() {
    on_every_store(
        "healthz_answers_ok_with_the_headers",
        async |store: &Store| {
            let page = Browser::new(app(store, false)).get("/healthz").await;
            page.assert_status(StatusCode::OK);
            assert_eq!(page.text(), "ok");
        },
    )
    .await;
}

#[tokio::test]
async fn login_page_shows_the_demo_logins_only_in_demo_mode() {
    on_every_store(
        "login_page_shows_the_demo_logins_only_in_demo_mode",
        async |store: &Store| {
            load_demo(store).await;

            let page = Browser::new(app(store, true)).get("/login").await;
            page.assert_status(StatusCode::OK);
            let html = page.assert_html();
            assert!(html.contains("lang=\"zh-CN\""), "{html}");
            assert!(html.contains(jixiao_demo::DEMO_PASSWORD), "{html}");
            for login in jixiao_demo::logins() {
                assert!(html.contains(login.username), "{}:\n{html}", login.username);
                assert!(
                    html.contains(login.display_name),
                    "{}:\n{html}",
                    login.display_name
                );
            }
            let cookie = page.header(header::SET_COOKIE);
            assert!(cookie.contains("HttpOnly"), "{cookie}");
            assert!(!hidden_field(&html, "csrf").is_empty());

            // Outside demo mode the page names no accounts and no password.
            let page = Browser::new(app(store, false)).get("/login").await;
            page.assert_status(StatusCode::OK);
            let html = page.assert_html();
            assert!(!html.contains(jixiao_demo::DEMO_PASSWORD), "{html}");
            assert!(!html.contains("pj_tianshan"), "{html}");
        },
    )
    .await;
}

#[tokio::test]
async fn anonymous_requests_are_sent_to_the_login_page() {
    on_every_store(
        "anonymous_requests_are_sent_to_the_login_page",
        async |store: &Store| {
            load_demo(store).await;
            let mut b = Browser::new(app(store, true));
            for path in ["/", "/reports/annual/2023", "/reports/annual/2023/docx"] {
                b.get(path).await.assert_login_redirect(path);
            }
        },
    )
    .await;
}

#[tokio::test]
async fn a_wrong_password_gets_the_one_chinese_answer() {
    on_every_store(
        "a_wrong_password_gets_the_one_chinese_answer",
        async |store: &Store| {
            load_demo(store).await;
            let mut b = Browser::new(app(store, true));
            for (user, password) in [("jxg", "Wrong#2023x"), ("nobody", "Demo#2023")] {
                let page = b.try_login(user, password).await;
                page.assert_status(StatusCode::UNAUTHORIZED);
                let html = page.assert_html();
                assert!(html.contains(jixiao_web::auth::LOGIN_FAILED), "{html}");
            }
            // Still not logged in.
            b.get("/").await.assert_login_redirect("/");
        },
    )
    .await;
}

#[tokio::test]
async fn home_page_after_login_names_the_county_and_the_user() {
    on_every_store(
        "home_page_after_login_names_the_county_and_the_user",
        async |store: &Store| {
            let mut b = finance_browser(store).await;
            let page = b.get("/").await;
            page.assert_status(StatusCode::OK);
            let html = page.assert_html();
            assert!(html.contains("且末县"), "{html}");
            assert!(html.contains("财政局绩效股 李明"), "{html}");
            assert!(html.contains("/reports/annual/2023"), "{html}");
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// The annual report (SPEC §13)

#[tokio::test]
async fn annual_report_html_has_the_seed_figures_spec_13() {
    on_every_store(
        "annual_report_html_has_the_seed_figures_spec_13",
        async |store: &Store| {
            let mut b = finance_browser(store).await;
            let page = b.get("/reports/annual/2023").await;
            page.assert_status(StatusCode::OK);
            let html = page.assert_html();
            assert!(
                html.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("<!doctype html"),
                "{html}"
            );
            assert!(html.contains("且末县"), "{html}");
            for sentence in [
                "完成对县级 57 家预算单位的部门整体支出绩效目标申报，涉及金额 101108 万元",
                "2023 年 6 月完成对 57 家一级预算单位的整体绩效监控",
                "评估得分 96分",
                "重点项目绩效评价 10 个，涉及金额 6927.25万元",
            ] {
                assert!(html.contains(sentence), "lacks “{sentence}”:\n{html}");
            }

            // The reports index offers the year.
            let index = b.get("/reports").await;
            index.assert_status(StatusCode::OK);
            assert!(index.text().contains("/reports/annual/2023/docx"));
        },
    )
    .await;
}

#[tokio::test]
async fn annual_report_docx_is_a_word_file() {
    on_every_store(
        "annual_report_docx_is_a_word_file",
        async |store: &Store| {
            let mut b = finance_browser(store).await;
            let page = b.get("/reports/annual/2023/docx").await;
            page.assert_status(StatusCode::OK);
            assert_eq!(page.header(header::CONTENT_TYPE), DOCX);
            let disposition = page.header(header::CONTENT_DISPOSITION);
            assert!(disposition.starts_with("attachment"), "{disposition}");
            assert!(disposition.contains(REGION), "{disposition}");
            assert!(disposition.contains(".docx"), "{disposition}");
            assert!(page.body.starts_with(b"PK"), "a .docx is a zip archive");
            assert!(page.body.len() > 1000, "{} bytes", page.body.len());
        },
    )
    .await;
}

/// A year the region has no data for is "not found", as `jixiao report annual` says: not a report
/// of zeros that reads like a real account. Years outside 2000–2100 have no data either.
#[tokio::test]
async fn a_year_without_data_is_a_chinese_404() {
    on_every_store(
        "a_year_without_data_is_a_chinese_404",
        async |store: &Store| {
            let mut b = finance_browser(store).await;
            for path in [
                "/reports/annual/2031",
                "/reports/annual/2031/docx",
                "/reports/annual/1999",
                "/reports/annual/-5",
            ] {
                let page = b.get(path).await;
                page.assert_chinese_error_page(StatusCode::NOT_FOUND);
                assert!(page.text().contains("未找到"), "{}", page.text());
            }
        },
    )
    .await;
}

/// A year that is not a number is the user's mistake in the address: a 4xx page in Chinese with
/// the security headers, not axum's English rejection text.
#[tokio::test]

async fn a_malformed_year_is_a_chinese_error_page() {
    on_every_store(
        "a_malformed_year_is_a_chinese_error_page",
        async |store: &Store| {
            let mut b = finance_browser(store).await;
            for path in ["/reports/annual/abc", "/reports/annual/abc/docx"] {
                let page = b.get(path).await;
                assert!(page.status.is_client_error(), "GET {path}: {}", page.status);
                page.assert_chinese_error_page(page.status);
            }
        },
    )
    .await;
}

/// Even axum's own rejection of a malformed address keeps the SPEC §17 headers.
#[tokio::test]
async fn a_malformed_year_still_has_the_security_headers() {
    on_every_store(
        "a_malformed_year_still_has_the_security_headers",
        async |store: &Store| {
            let mut b = finance_browser(store).await;
            let page = b.get("/reports/annual/abc").await;
            assert!(page.status.is_client_error(), "{}", page.status);
            page.assert_security_headers();
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Errors and access (SPEC §1, §16, §17)

#[tokio::test]
async fn unknown_pages_are_chinese_404s_logged_in_or_not() {
    on_every_store(
        "unknown_pages_are_chinese_404s_logged_in_or_not",
        async |store: &Store| {
            load_demo(store).await;
            let mut anonymous = Browser::new(app(store, true));
            let mut finance = Browser::new(app(store, true));
            finance.login("jxg").await;
            for b in [&mut anonymous, &mut finance] {
                for path in [
                    "/no-such-page",
                    // The foundation's address of the report, before logins existed.
                    "/report/annual/652825000/2023",
                ] {
                    let page = b.get(path).await;
                    page.assert_chinese_error_page(StatusCode::NOT_FOUND);
                    assert!(page.text().contains("页面不存在"), "{}", page.text());
                }
            }
        },
    )
    .await;
}

/// SPEC §1: the county's report is for finance staff and leaders, not for a unit's preparer.
#[tokio::test]
async fn a_unit_user_may_not_read_the_county_report() {
    on_every_store(
        "a_unit_user_may_not_read_the_county_report",
        async |store: &Store| {
            load_demo(store).await;
            let mut b = Browser::new(app(store, true));
            b.login("jyj_tb").await;
            for path in ["/reports/annual/2023", "/reports/annual/2023/docx"] {
                let page = b.get(path).await;
                page.assert_chinese_error_page(StatusCode::FORBIDDEN);
                assert!(!page.text().contains("101108"), "{}", page.text());
            }
            // The leaders' account may.
            let mut leader = Browser::new(app(store, true));
            leader.login("ld").await;
            leader
                .get("/reports/annual/2023")
                .await
                .assert_status(StatusCode::OK);
        },
    )
    .await;
}

// ---------------------------------------------------------------------------------------------
// Output escaped (SPEC §17)

/// Narrative text an editor typed is shown as text, never run.
#[tokio::test]
async fn narrative_markup_is_escaped_in_the_html_report() {
    on_every_store(
        "narrative_markup_is_escaped_in_the_html_report",
        async |store: &Store| {
            let mut b = finance_browser(store).await;
            let mut tx = store.begin().await.expect("begin");
            jixiao_store::narratives::set(
                &mut tx,
                REGION,
                2023,
                "org_body",
                "<script>alert(1)</script>",
            )
            .await
            .expect("the narrative is stored");
            tx.commit().await.expect("commit");

            let page = b.get("/reports/annual/2023").await;
            page.assert_status(StatusCode::OK);
            let html = page.assert_html();
            assert!(html.contains("&lt;script&gt;"), "{html}");
            assert!(!html.contains("<script>alert"), "{html}");
        },
    )
    .await;
}

/// A region name with markup is shown as text on the public portal.
#[tokio::test]
async fn markup_in_a_region_name_is_escaped_on_the_public_portal() {
    on_every_store(
        "markup_in_a_region_name_is_escaped_on_the_public_portal",
        async |store: &Store| {
            let mut tx = store.begin().await.expect("begin");
            jixiao_store::regions::insert(
                &mut tx,
                "659999000",
                "<script>alert(1)</script>县",
                None,
            )
            .await
            .expect("the region is stored");
            jixiao_store::units::insert(
                &mut tx,
                &jixiao_store::units::NewUnit {
                    region: "659999000",
                    code: "101",
                    name: "测试单位",
                    parent_id: None,
                    level: 1,
                    kind: jixiao_domain::types::UnitKind::Administrative,
                    finance_desk: "行政政法股",
                },
            )
            .await
            .expect("the unit is stored");
            tx.commit().await.expect("commit");

            let page = Browser::new(app(store, false)).get("/public").await;
            page.assert_status(StatusCode::OK);
            let html = page.assert_html();
            // Askama writes `<` as `&#60;`; either entity form is text, not markup.
            assert!(
                html.contains("&#60;script&#62;alert(1)&#60;/script&#62;县")
                    || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;县"),
                "{html}"
            );
            assert!(!html.contains("<script>alert"), "{html}");
        },
    )
    .await;
}

/// Issue 12 item 4: the finance performance office edits the report's narrative in the browser,
/// previews it without saving, saves it (audited), and the report follows; the figures stay
/// generated; a leader may read the report but not edit it. The report also carries the year's
/// finalised assessment ranking.
#[tokio::test]
async fn finance_edits_the_report_narrative_with_a_preview() {
    on_every_store(
        "finance_edits_the_report_narrative_with_a_preview",
        async |store: &Store| {
            let mut b = finance_browser(store).await;
            let form = b.get("/reports/annual/2023/narrative").await;
            form.assert_status(StatusCode::OK);
            let html = form.text();
            assert!(html.contains("n_org_heading") && html.contains("强化组织领导"), "{html}");
            let csrf = hidden_field(&html, "csrf");
            let heading = "健全机制，压实预算绩效管理主体责任";

            // The preview shows the typed text and saves nothing.
            let preview = b
                .post(
                    "/reports/annual/2023/narrative",
                    &[("csrf", &csrf), ("preview", "1"), ("n_org_heading", heading)],
                )
                .await;
            preview.assert_status(StatusCode::OK);
            let text = preview.text();
            assert!(text.contains("尚未保存") && text.contains("srcdoc="), "{text}");
            assert!(text.contains(heading), "{text}");
            let report = b.get("/reports/annual/2023").await;
            assert!(!report.text().contains(heading), "a preview saves nothing");

            // A control character is refused with the paragraph named.
            let bad = b
                .post(
                    "/reports/annual/2023/narrative",
                    &[("csrf", &csrf), ("n_org_heading", "标题\u{7}")],
                )
                .await;
            bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
            assert!(bad.text().contains("控制字符"), "{}", bad.text());

            let saved = b
                .post(
                    "/reports/annual/2023/narrative",
                    &[("csrf", &csrf), ("n_org_heading", heading)],
                )
                .await;
            saved.assert_status(StatusCode::SEE_OTHER);
            let report = b.get("/reports/annual/2023").await.text();
            assert!(report.contains(heading), "{report}");
            // The generated figures are untouched, and the assessment ranking is a table.
            assert!(report.contains("563.4"), "{report}");
            assert!(report.contains("表 5  2023 年度部门预算绩效管理工作考核排名"), "{report}");
            assert!(report.contains("通报表彰") && report.contains("约谈"), "{report}");
            let audited: i64 = jixiao_store::on_pool!(store, |p| sqlx::query_scalar(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'report.narrative' AND object_id = '2023'"
            )
            .fetch_one(p)
            .await
            .expect("count"));
            assert_eq!(audited, 1);

            // A leader reads the report but cannot open the editor.
            let mut leader = Browser::new(app(store, true));
            leader.login("ld").await;
            leader
                .get("/reports/annual/2023")
                .await
                .assert_status(StatusCode::OK);
            leader
                .get("/reports/annual/2023/narrative")
                .await
                .assert_status(StatusCode::FORBIDDEN);
        },
    )
    .await;
}

/// Issue 12 item 4: the annual report's charts (grade distribution, execution against completion,
/// coverage by department, the assessment ranking) are drawn by the server, inline SVG in the
/// printable page and the same drawing as a picture in Word.
#[tokio::test]
async fn the_annual_report_carries_its_charts() {
    on_every_store(
        "the_annual_report_carries_its_charts",
        async |store: &Store| {
            let mut b = finance_browser(store).await;
            let html = b.get("/reports/annual/2023").await.text();
            assert_eq!(
                html.matches("<figure class=\"chart\">").count(),
                4,
                "{html}"
            );
            for caption in [
                "图 1  2022 年度项目自评结果等级分布",
                "图 2  2023 年项目预算执行率与目标完成率",
                "图 3  2023 年各部门评价覆盖率",
                "图 4  2023 年度部门预算绩效管理工作考核得分",
            ] {
                assert!(html.contains(caption), "{caption}");
            }
            assert!(html.contains("<title>优秀：137个</title>"), "{html}");
            assert!(!html.contains("<script"), "no script draws them");
            let docx = b.get("/reports/annual/2023/docx").await;
            docx.assert_status(StatusCode::OK);
            // The package's file names are stored as they are: the distinct pictures.
            let text = String::from_utf8_lossy(&docx.body);
            let pictures: std::collections::BTreeSet<&str> = text
                .match_indices("word/media/")
                .filter_map(|(at, _)| text[at..].split(".png").next())
                .filter(|name| name.len() < 40)
                .collect();
            assert_eq!(
                pictures.len(),
                4,
                "four pictures in the Word file: {pictures:?}"
            );
        },
    )
    .await;
}
