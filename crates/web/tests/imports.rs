//! Issue 4 part 4 through the web: the upload page (CSRF token in the query for multipart forms)
//! and `POST /api/v1/imports`; all or nothing, idempotent, and a unit user confined to its unit.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{demo_app, demo_token, response, text};
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;

const BOUNDARY: &str = "jixiao-test-boundary";

fn project_list(rows: &[[&str; 11]]) -> Vec<u8> {
    let header = [
        "项目编码",
        "项目名称",
        "单位编码或名称",
        "预算年度",
        "预算类型",
        "项目类别",
        "新增/延续",
        "年初/追加",
        "当年财政拨款(万元)",
        "上年结转(万元)",
        "其他资金(万元)",
    ];
    let mut wb = rust_xlsxwriter::Workbook::new();
    let sheet = wb.add_worksheet();
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(0, c as u16, *h).expect("cell");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                sheet
                    .write_string(r as u32 + 1, c as u16, *v)
                    .expect("cell");
            }
        }
    }
    wb.save_to_buffer().expect("xlsx")
}

fn multipart(kind: &str, year: &str, file: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    for (name, value) in [("kind", kind), ("year", year)] {
        body.extend(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend(
        format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"projects.xlsx\"\r\nContent-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n")
            .as_bytes(),
    );
    body.extend(file);
    body.extend(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn api_upload(token: &str, body: Vec<u8>) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri("/api/v1/imports")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(Body::from(body))
        .expect("req")
}

async fn count_projects(store: &Store, year: i32) -> usize {
    jixiao_store::projects::list(store, jixiao_demo::REGION_CODE, year)
        .await
        .expect("projects")
        .len()
}

#[tokio::test]
async fn uploads_are_all_or_nothing_idempotent_and_scoped() {
    on_every_store(
        "uploads_are_all_or_nothing_idempotent_and_scoped",
        async |store: &Store| {
            let app = demo_app(store).await;
            let before = count_projects(store, 2024).await;
            let good = project_list(&[
                [
                    "P2024001",
                    "2024年且末县校舍维修改造项目",
                    "且末县教育局",
                    "2024",
                    "一般公共预算",
                    "特定目标类",
                    "新增",
                    "年初预算",
                    "120.5",
                    "",
                    "",
                ],
                [
                    "P2024002",
                    "2024年且末县营养改善计划项目",
                    "且末县教育局",
                    "2024",
                    "一般公共预算",
                    "特定目标类",
                    "延续",
                    "年初预算",
                    "88",
                    "",
                    "2",
                ],
            ]);
            let mut bad_rows = [
                [
                    "P2024001",
                    "2024年且末县校舍维修改造项目",
                    "且末县教育局",
                    "2024",
                    "一般公共预算",
                    "特定目标类",
                    "新增",
                    "年初预算",
                    "120.5",
                    "",
                    "",
                ],
                [
                    "P2024003",
                    "2024年某项目",
                    "不存在的单位",
                    "2024",
                    "一般公共预算",
                    "特定目标类",
                    "新增",
                    "年初预算",
                    "10",
                    "",
                    "",
                ],
            ];
            let finance = demo_token(&app, "jxg").await;
            // One bad row: nothing written, the row named.
            let res = response(
                &app,
                api_upload(
                    &finance,
                    multipart("projects", "2024", &project_list(&bad_rows)),
                ),
            )
            .await;
            assert_eq!(res.status(), StatusCode::OK);
            let v: serde_json::Value = serde_json::from_str(&text(res).await).expect("json");
            assert_eq!(v["status"], "refused");
            assert!(v["problems"].to_string().contains("第 3 行"), "{v}");
            assert_eq!(count_projects(store, 2024).await, before);
            // The good file: written once; the same file again changes nothing.
            let res = response(
                &app,
                api_upload(&finance, multipart("projects", "2024", &good)),
            )
            .await;
            let v: serde_json::Value = serde_json::from_str(&text(res).await).expect("json");
            assert_eq!(v["status"], "imported", "{v}");
            assert_eq!(v["documents"], 2);
            assert_eq!(count_projects(store, 2024).await, before + 2);
            let res = response(
                &app,
                api_upload(&finance, multipart("projects", "2024", &good)),
            )
            .await;
            let v: serde_json::Value = serde_json::from_str(&text(res).await).expect("json");
            assert_eq!(v["status"], "already_imported");
            assert_eq!(count_projects(store, 2024).await, before + 2);
            // A unit user imports for its own unit only (SPEC §1).
            let unit = demo_token(&app, "jyj_tb").await;
            bad_rows[1][2] = "且末县卫生健康委员会";
            let res = response(
                &app,
                api_upload(
                    &unit,
                    multipart("projects", "2024", &project_list(&bad_rows[1..])),
                ),
            )
            .await;
            let v: serde_json::Value = serde_json::from_str(&text(res).await).expect("json");
            assert_eq!(v["status"], "refused", "{v}");
            assert_eq!(count_projects(store, 2024).await, before + 2);
            bad_rows[1][2] = "且末县教育局";
            let res = response(
                &app,
                api_upload(
                    &unit,
                    multipart("projects", "2024", &project_list(&bad_rows[1..])),
                ),
            )
            .await;
            let v: serde_json::Value = serde_json::from_str(&text(res).await).expect("json");
            assert_eq!(v["status"], "imported", "{v}");
            assert_eq!(count_projects(store, 2024).await, before + 3);
            // A viewer cannot upload at all.
            let viewer = demo_token(&app, "ld").await;
            let res = response(
                &app,
                api_upload(&viewer, multipart("projects", "2024", &good)),
            )
            .await;
            assert_eq!(res.status(), StatusCode::FORBIDDEN);
            // Missing fields are named in Chinese.
            let res = response(&app, api_upload(&finance, multipart("nonsense", "", b""))).await;
            assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let v: serde_json::Value = serde_json::from_str(&text(res).await).expect("json");
            assert!(
                v["fields"]["kind"].is_string() && v["fields"]["file"].is_string(),
                "{v}"
            );
            // The page: its multipart form carries the token in the query; without it, 403.
            let user = jixiao_store::users::by_username(store, "jxg")
                .await
                .expect("q")
                .expect("jxg");
            let (secret, csrf) =
                jixiao_store::sessions::create(store, Some(user.id), "browser", "", "")
                    .await
                    .expect("session");
            let page = |uri: String| {
                Request::builder()
                    .method("POST")
                    .uri(uri)
                    .header(header::COOKIE, format!("jixiao_sid={secret}"))
                    .header(
                        header::CONTENT_TYPE,
                        format!("multipart/form-data; boundary={BOUNDARY}"),
                    )
                    .body(Body::from(multipart("projects", "2024", &good)))
                    .expect("req")
            };
            assert_eq!(
                response(&app, page("/imports".into())).await.status(),
                StatusCode::FORBIDDEN
            );
            let res = response(&app, page(format!("/imports?csrf={csrf}"))).await;
            assert_eq!(res.status(), StatusCode::OK);
            let html = text(res).await;
            assert!(
                html.contains("本次未作改动") && html.contains("导入记录"),
                "{html}"
            );
            let actions: Vec<String> = jixiao_store::audit::recent(store, 100)
                .await
                .expect("audit")
                .into_iter()
                .map(|r| r.action)
                .collect();
            assert!(actions.contains(&"import.create".to_string()));
        },
    )
    .await;
}
