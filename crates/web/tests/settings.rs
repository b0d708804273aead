//! SPEC §5 "configurable sub-items and weights": the finance performance office edits the
//! ex-ante rubric and the conclusion thresholds; a bad rubric is refused in Chinese and nothing
//! is written; the next assessment uses the new sheet, the earlier ones keep theirs.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;
use tower::ServiceExt;

const REGION: &str = jixiao_demo::REGION_CODE;

async fn send(app: &Router, req: Request<Body>) -> Response<Body> {
    app.clone().oneshot(req).await.expect("response")
}

async fn text(res: Response<Body>) -> String {
    String::from_utf8_lossy(
        &axum::body::to_bytes(res.into_body(), 1 << 24)
            .await
            .expect("body"),
    )
    .into_owned()
}

async fn session(store: &Store, username: &str) -> (String, String) {
    let user = jixiao_store::users::by_username(store, username)
        .await
        .expect("query")
        .expect("user");
    jixiao_store::sessions::create(store, Some(user.id), "browser", "", "")
        .await
        .expect("session")
}

fn post(path: &str, secret: &str, pairs: &[(&str, &str)]) -> Request<Body> {
    let mut body = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        body.append_pair(k, v);
    }
    Request::builder()
        .method("POST")
        .uri(path)
        .header(header::COOKIE, format!("jixiao_sid={secret}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.finish()))
        .expect("request")
}

#[tokio::test]
async fn finance_configures_the_ex_ante_rubric_spec_5() {
    on_every_store("finance_configures_the_ex_ante_rubric_spec_5", async |store: &Store| {
        jixiao_demo::load(store, &mut |_, _, _| {})
            .await
            .expect("demo");
        let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
        let (jxg, jxg_csrf) = session(store, "jxg").await;
        let (ysg, ysg_csrf) = session(store, "ysg").await;
        let policy = jixiao_domain::ex_ante::rubric_text(
            &jixiao_domain::settings::Settings::default()
                .ex_ante
                .policy_dimensions,
        );
        let custom = "立项必要性：政策相关性 15；需求迫切性 10\n投入经济性 15\n\
                      实施方案可行性：方案完整性 20\n绩效目标合理性：目标明确性 10；指标可衡量性 10\n\
                      筹资合规性：资金来源合规性 20";

        // The desk may read but not change the rules.
        let res = send(
            &app,
            post(
                "/settings/ex-ante",
                &ysg,
                &[("csrf", &ysg_csrf), ("project", custom), ("policy", &policy),
                  ("support", "90"), ("support_after_adjustment", "70")],
            ),
        )
        .await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        // A rubric not adding up to 100 is refused, naming the problem; nothing is written.
        let res = send(
            &app,
            post(
                "/settings/ex-ante",
                &jxg,
                &[("csrf", &jxg_csrf), ("project", "立项必要性：政策相关性 10"),
                  ("policy", &policy), ("support", "90"), ("support_after_adjustment", "95")],
            ),
        )
        .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = text(res).await;
        assert!(html.contains("应为 100"), "rubric total named");
        assert!(html.contains("分数线应满足"), "thresholds checked");
        let settings = jixiao_store::regions::settings(store, REGION).await.expect("settings");
        assert_eq!(settings.ex_ante.project_dimensions.len(), 5, "unchanged");

        // A good one is saved and audited.
        let res = send(
            &app,
            post(
                "/settings/ex-ante",
                &jxg,
                &[("csrf", &jxg_csrf), ("project", custom), ("policy", &policy),
                  ("support", "85"), ("support_after_adjustment", "60")],
            ),
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let settings = jixiao_store::regions::settings(store, REGION).await.expect("settings");
        assert_eq!(
            settings.ex_ante.project_dimensions[0].weight,
            jixiao_domain::decimal::from_hundredths(2500)
        );
        assert!(settings.ex_ante.project_dimensions[1].sub_items.is_empty());
        assert_eq!(
            settings.ex_ante.support,
            jixiao_domain::decimal::from_hundredths(8500)
        );
        let audit = jixiao_store::audit::recent(store, 50).await.expect("audit");
        assert!(audit.iter().any(|r| r.action == "settings.ex_ante"
            && r.before_json.contains("\"support\"")
            && r.after_json.contains("政策相关性")));

        // The next assessment's sheet follows the new rubric: 7 rows (a dimension without
        // sub-items is one row); the demo's earlier assessments keep their 10. Assessments are
        // of projects in reserve, so the finance bureau proposes one for a demo unit.
        let unit = jixiao_store::projects::list(store, REGION, 2023)
            .await
            .expect("projects")
            .into_iter()
            .find(|p| p.library_status == "executing")
            .expect("a project")
            .unit_id;
        let res = send(
            &app,
            post(
                "/projects",
                &jxg,
                &[("csrf", &jxg_csrf), ("fiscal_year", "2024"), ("unit_id", &unit.to_string()),
                  ("name", "且末县城区供水管网改造项目"), ("budget_type", "general_public"),
                  ("category", "specific_purpose"), ("continuity", "new"),
                  ("timing", "initial"), ("current_wan", "300")],
            ),
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", text(res).await);
        let project: i64 = res.headers()[header::LOCATION]
            .to_str()
            .expect("a location")
            .trim_start_matches("/projects/")
            .split('?')
            .next()
            .and_then(|id| id.parse().ok())
            .expect("the new project's id");
        let res = send(
            &app,
            post(
                "/ex-ante",
                &jxg,
                &[("csrf", &jxg_csrf), ("project_id", &project.to_string()),
                  ("assessor_kind", "finance")],
            ),
        )
        .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", text(res).await);
        let all = jixiao_store::ex_ante::for_project(store, project).await.expect("list");
        let new = all.iter().find(|x| x.state == "draft").expect("the new draft");
        let rows = jixiao_store::ex_ante::scores(store, new.id).await.expect("scores");
        assert_eq!(rows.len(), 7);
        assert_eq!(rows[0].weight_x100, 1500);
        assert!(rows.iter().all(|r| r.score_x100.is_none()), "nothing scored yet");
    })
    .await;
}
