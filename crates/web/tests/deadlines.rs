//! 申报期限: the finance bureau sets the target declaration deadline of a year; a unit user's
//! home page then shows what is due, overdue in red; finance sees the overdue count and the
//! per-unit table. Only the finance administrator may set a date; a bad date is refused in
//! Chinese and writes nothing; every change is audited with before and after.

mod common;

use axum::http::StatusCode;
use common::{browser_session, enc, get_page, post_form};
use jixiao_domain::Fen;
use jixiao_domain::deadline::DeadlineKind;
use jixiao_domain::types::{BudgetTiming, BudgetType, Continuity, ProjectCategory};
use jixiao_store::testing::on_every_store;
use jixiao_store::{Store, on_pool};

const REGION: &str = jixiao_demo::REGION_CODE;

async fn deadline_rows(store: &Store) -> i64 {
    on_pool!(store, |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM deadlines"
    )
    .fetch_one(p)
    .await)
    .expect("count")
}

async fn audited(store: &Store, action: &str) -> Vec<jixiao_store::audit::Row> {
    jixiao_store::audit::recent(store, 200)
        .await
        .expect("audit")
        .into_iter()
        .filter(|r| r.action == action)
        .collect()
}

#[tokio::test]
async fn finance_sets_the_declaration_deadline_and_units_see_what_is_due() {
    on_every_store(
        "finance_sets_the_declaration_deadline_and_units_see_what_is_due",
        async |store: &Store| {
            jixiao_demo::load(store, &mut |_, _, _| {})
                .await
                .expect("demo");
            // The demo's own 2023 deadline; its projects are all budgeted, nothing is due.
            let demo =
                jixiao_store::deadlines::get(store, REGION, 2023, DeadlineKind::TargetDeclaration)
                    .await
                    .expect("get")
                    .expect("the demo sets 2023's deadline");
            assert_eq!(demo.due_on.to_string(), "2023-01-10");
            let before_rows = deadline_rows(store).await;

            // 教育局 enters a 2024 project in reserve: it needs a target.
            let education = jixiao_store::units::list(store, REGION)
                .await
                .expect("units")
                .into_iter()
                .find(|u| u.name == "且末县教育局")
                .expect("教育局");
            let mut tx = store.begin().await.expect("begin");
            let project = jixiao_store::projects::insert(
                &mut tx,
                &jixiao_store::projects::NewProject {
                    region: REGION,
                    fiscal_year: 2024,
                    code: "P2024001",
                    name: "2024年农村学校校舍维修项目",
                    unit_id: education.id,
                    is_policy: false,
                    budget_type: BudgetType::GeneralPublic,
                    category: ProjectCategory::SpecificPurpose,
                    continuity: Continuity::New,
                    timing: BudgetTiming::Initial,
                    start_year: 2024,
                    end_year: 2024,
                    current: Fen::from_wan(120),
                    carryover: Fen::ZERO,
                    other: Fen::ZERO,
                    is_major: false,
                    library_status: "reserve",
                    previous_project_id: None,
                },
            )
            .await
            .expect("project");
            tx.commit().await.expect("commit");

            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let (fin, fin_csrf) = browser_session(store, "jxg").await;
            let (unit, unit_csrf) = browser_session(store, "jyj_tb").await;

            // Before any 2024 deadline the unit has no declaration to-do.
            let home = get_page(&app, &unit, "/").await.1;
            assert!(!home.contains("绩效目标申报："), "{home}");

            // The unit user may neither set nor read deadlines.
            let (status, _, _) = post_form(
                &app,
                &unit,
                "/deadlines",
                &format!("csrf={unit_csrf}&year=2024&kind=target_declaration&due_on=2023-11-30"),
            )
            .await;
            assert_eq!(status, StatusCode::FORBIDDEN);
            assert_eq!(
                get_page(&app, &unit, "/deadlines").await.0,
                StatusCode::FORBIDDEN
            );
            assert_eq!(deadline_rows(store).await, before_rows);

            // A bad date is refused in Chinese and writes nothing.
            for bad in ["2023-02-30", "明天"] {
                let (status, _, page) = post_form(
                    &app,
                    &fin,
                    "/deadlines",
                    &format!(
                        "csrf={fin_csrf}&year=2024&kind=target_declaration&due_on={}",
                        enc(bad)
                    ),
                )
                .await;
                assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
                assert!(page.contains(&format!("日期“{bad}”无效")), "{page}");
            }
            let (status, _, page) = post_form(
                &app,
                &fin,
                "/deadlines",
                &format!("csrf={fin_csrf}&year=2024&kind=target_declaration&due_on=2030-01-01"),
            )
            .await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(page.contains("相差过远"));
            assert_eq!(deadline_rows(store).await, before_rows);
            assert!(audited(store, "deadline.set").await.is_empty());

            // The finance bureau sets 2024's target declaration deadline (already passed).
            let (status, location, _) = post_form(
                &app,
                &fin,
                "/deadlines",
                &format!("csrf={fin_csrf}&year=2024&kind=target_declaration&due_on=2023-12-15"),
            )
            .await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            assert_eq!(location.as_deref(), Some("/deadlines?year=2024&done=set"));
            // … and corrects it: the audit keeps before and after.
            let (status, _, _) = post_form(
                &app,
                &fin,
                "/deadlines",
                &format!("csrf={fin_csrf}&year=2024&kind=target_declaration&due_on=2023%2F11%2F30"),
            )
            .await;
            assert_eq!(status, StatusCode::SEE_OTHER);
            assert_eq!(deadline_rows(store).await, before_rows + 1);
            let entries = audited(store, "deadline.set").await;
            assert_eq!(entries.len(), 2);
            let latest = entries.iter().max_by_key(|r| r.id).expect("entry");
            assert_eq!(latest.object_id, "2024/target_declaration");
            assert!(
                latest.before_json.contains("2023-12-15"),
                "{}",
                latest.before_json
            );
            assert!(
                latest.after_json.contains("2023-11-30"),
                "{}",
                latest.after_json
            );
            assert_eq!(latest.username, "jxg");

            // The unit's home page shows the project as due, overdue in red.
            let home = get_page(&app, &unit, "/").await.1;
            assert!(
                home.contains("绩效目标申报：2024年农村学校校舍维修项目，截止 2023-11-30"),
                "{home}"
            );
            assert!(home.contains(&format!("/projects/{project}")));
            assert!(
                home.contains("class=\"overdue\">2023-11-30（已逾期）"),
                "{home}"
            );
            // Another unit's user is not asked for it.
            let (other, _) = browser_session(store, "wjw_tb").await;
            let home = get_page(&app, &other, "/").await.1;
            assert!(!home.contains("2024年农村学校校舍维修项目"));
            // Finance sees the count, and the table per unit.
            let home = get_page(&app, &fin, "/").await.1;
            assert!(home.contains("1 个项目绩效目标逾期未申报"), "{home}");
            let (status, page) = get_page(&app, &fin, "/deadlines?year=2024&done=set").await;
            assert_eq!(status, StatusCode::OK);
            assert!(page.contains("申报期限已保存"));
            assert!(
                page.contains("2023-11-30") && page.contains("且末县教育局"),
                "{page}"
            );
            assert!(
                page.contains("name=\"due_on\""),
                "the administrator gets the form"
            );
            assert!(
                page.contains("href=\"/deadlines\""),
                "navigation lists 申报期限"
            );
            // The leader reads it, without the form.
            let (leader, _) = browser_session(store, "ld").await;
            let (status, page) = get_page(&app, &leader, "/deadlines?year=2023").await;
            assert_eq!(status, StatusCode::OK);
            assert!(
                page.contains("2023-01-10") && !page.contains("name=\"due_on\""),
                "{page}"
            );

            assert!(matches!(
                jixiao_store::audit::verify(store).await.expect("verify"),
                jixiao_store::audit::Verdict::Intact { .. }
            ));
        },
    )
    .await;
}
