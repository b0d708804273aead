//! SPEC §5 "configurable sub-items and weights": the finance performance office edits the
//! ex-ante rubric and the conclusion thresholds; a bad rubric is refused in Chinese and nothing
//! is written; the next assessment uses the new sheet, the earlier ones keep theirs.

mod common;

use axum::http::StatusCode;
use common::{browser_session, demo_app, form, post_form};
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;

const REGION: &str = jixiao_demo::REGION_CODE;

#[tokio::test]
async fn finance_configures_the_ex_ante_rubric_spec_5() {
    on_every_store("finance_configures_the_ex_ante_rubric_spec_5", async |store: &Store| {
        let app = demo_app(store).await;
        let (jxg, jxg_csrf) = browser_session(store, "jxg").await;
        let (ysg, ysg_csrf) = browser_session(store, "ysg").await;
        let policy = jixiao_domain::ex_ante::rubric_text(
            &jixiao_domain::settings::Settings::default()
                .ex_ante
                .policy_dimensions,
        );
        let custom = "立项必要性：政策相关性 15；需求迫切性 10\n投入经济性 15\n\
                      实施方案可行性：方案完整性 20\n绩效目标合理性：目标明确性 10；指标可衡量性 10\n\
                      筹资合规性：资金来源合规性 20";

        // The desk may read but not change the rules.
        let (status, _, _) = post_form(
            &app,
            &ysg,
            "/settings/ex-ante",
            &form(&[("csrf", &ysg_csrf), ("project", custom), ("policy", &policy),
                    ("support", "90"), ("support_after_adjustment", "70")]),
        )
        .await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        // A rubric not adding up to 100 is refused, naming the problem; nothing is written.
        let (status, _, page) = post_form(
            &app,
            &jxg,
            "/settings/ex-ante",
            &form(&[("csrf", &jxg_csrf), ("project", "立项必要性：政策相关性 10"),
                    ("policy", &policy), ("support", "90"), ("support_after_adjustment", "95")]),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("应为 100"), "rubric total named");
        assert!(page.contains("分数线应满足"), "thresholds checked");
        let settings = jixiao_store::regions::settings(store, REGION).await.expect("settings");
        assert_eq!(settings.ex_ante.project_dimensions.len(), 5, "unchanged");

        // A good one is saved and audited.
        let (status, _, _) = post_form(
            &app,
            &jxg,
            "/settings/ex-ante",
            &form(&[("csrf", &jxg_csrf), ("project", custom), ("policy", &policy),
                    ("support", "85"), ("support_after_adjustment", "60")]),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER);
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
        let (status, location, page) = post_form(
            &app,
            &jxg,
            "/projects",
            &form(&[("csrf", &jxg_csrf), ("fiscal_year", "2024"), ("unit_id", &unit.to_string()),
                    ("name", "且末县城区供水管网改造项目"), ("budget_type", "general_public"),
                    ("category", "specific_purpose"), ("continuity", "new"),
                    ("timing", "initial"), ("current_wan", "300")]),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        let project: i64 = location
            .expect("a location")
            .trim_start_matches("/projects/")
            .split('?')
            .next()
            .and_then(|id| id.parse().ok())
            .expect("the new project's id");
        let (status, _, page) = post_form(
            &app,
            &jxg,
            "/ex-ante",
            &form(&[("csrf", &jxg_csrf), ("project_id", &project.to_string()),
                    ("assessor_kind", "finance")]),
        )
        .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{page}");
        let all = jixiao_store::ex_ante::for_project(store, project).await.expect("list");
        let new = all.iter().find(|x| x.state == "draft").expect("the new draft");
        let rows = jixiao_store::ex_ante::scores(store, new.id).await.expect("scores");
        assert_eq!(rows.len(), 7);
        assert_eq!(rows[0].weight_x100, 1500);
        assert!(rows.iter().all(|r| r.score_x100.is_none()), "nothing scored yet");
    })
    .await;
}
