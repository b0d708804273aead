//! SPEC §1: the leaders' account (领导/人大查询, demo login `ld`) reads approved and published
//! material only. A reserve project, a draft ex-ante assessment and its uploaded report answer as
//! missing (404); approved evaluations, reports and the dashboard stay open; and every row of the
//! leader's lists opens. Also: an absurd page number is an empty page or a 422, never a 500.

mod common;

use axum::http::StatusCode;
use common::{demo_app, demo_token, get_page, get_text, session_cookie};
use jixiao_domain::Fen;
use jixiao_domain::types::{BudgetTiming, BudgetType, Continuity, ProjectCategory};
use jixiao_store::Store;
use jixiao_store::browse::{self, ListFilter, Scope};
use jixiao_store::testing::on_every_store;

const REGION: &str = jixiao_demo::REGION_CODE;

/// Adds to the demo county a reserve project of a demo unit, and a draft ex-ante assessment of
/// a library project with an uploaded report: (reserve project, library project, draft).
async fn unpublished(store: &Store) -> (i64, i64, i64) {
    let library = browse::projects(
        store,
        REGION,
        &Scope::Published,
        &browse::ProjectFilter {
            per_page: 1,
            ..Default::default()
        },
    )
    .await
    .expect("projects")
    .0[0]
        .clone();
    let mut tx = store.begin().await.expect("begin");
    let reserve = jixiao_store::projects::insert(
        &mut tx,
        &jixiao_store::projects::NewProject {
            region: REGION,
            fiscal_year: 2023,
            code: "RES-0001",
            name: "储备中的领导不可见项目",
            unit_id: library.unit_id,
            is_policy: false,
            budget_type: BudgetType::GeneralPublic,
            category: ProjectCategory::SpecificPurpose,
            continuity: Continuity::New,
            timing: BudgetTiming::Initial,
            start_year: 2023,
            end_year: 2023,
            current: Fen(1_000_000),
            carryover: Fen::ZERO,
            other: Fen::ZERO,
            is_major: false,
            library_status: "reserve",
            previous_project_id: None,
        },
    )
    .await
    .expect("reserve project");
    let draft = jixiao_store::ex_ante::insert(
        &mut tx,
        &jixiao_store::ex_ante::NewExAnte {
            region: REGION,
            fiscal_year: 2023,
            object_kind: "project",
            project_id: Some(library.id),
            object_name: "草稿中的事前评估对象",
            amount: Fen(100),
            assessor_kind: "unit",
            engagement_id: None,
            state: "draft",
            total_x100: None,
            conclusion: None,
            suggestions: "",
            scores: vec![],
        },
    )
    .await
    .expect("ex-ante");
    let att = jixiao_store::attachments::insert(
        &mut tx,
        &jixiao_store::attachments::NewAttachment {
            region: REGION,
            fiscal_year: 2023,
            owner_kind: "ex_ante",
            owner_id: draft,
            file_name: "report.pdf",
            content_type: "application/pdf",
            body: b"%PDF-1.4 draft",
            uploaded_by: None,
        },
    )
    .await
    .expect("attachment");
    jixiao_store::ex_ante::set_report(&mut tx, draft, att)
        .await
        .expect("report");
    tx.commit().await.expect("commit");
    (reserve, library.id, draft)
}

#[tokio::test]
async fn the_leader_reads_published_material_only_spec_1() {
    on_every_store(
        "the_leader_reads_published_material_only_spec_1",
        async |store: &Store| {
            jixiao_demo::load(store, &mut |_, _, _| {})
                .await
                .expect("demo");
            let (reserve, library, draft) = unpublished(store).await;
            let app = jixiao_web::router(store.clone(), jixiao_web::WebConfig::default());
            let ld = session_cookie(store, "ld").await;
            let finance = session_cookie(store, "jxg").await;
            // The finance bureau opens them: they exist.
            for path in [
                format!("/projects/{reserve}"),
                format!("/ex-ante/{draft}"),
                format!("/ex-ante/{draft}/report"),
            ] {
                let (status, _) = get_page(&app, &finance, &path).await;
                assert_eq!(status, StatusCode::OK, "finance {path}");
            }
            // The leader gets the answer for a missing record.
            for path in [
                format!("/projects/{reserve}"),
                format!("/ex-ante/{draft}"),
                format!("/ex-ante/{draft}/report"),
                format!("/ex-ante/{draft}/report.docx"),
                format!("/projects/{reserve}/edit"),
            ] {
                let (status, _) = get_page(&app, &ld, &path).await;
                assert!(
                    status == StatusCode::NOT_FOUND || status == StatusCode::FORBIDDEN,
                    "leader {path}: {status}"
                );
            }
            let token = demo_token(&app, "ld").await;
            let (status, _) = get_text(&app, &format!("/api/v1/projects/{reserve}"), &token).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "API reserve project");
            // Nor do the lists show them.
            let (status, page) = get_page(&app, &ld, "/projects?q=领导不可见").await;
            assert_eq!(status, StatusCode::OK);
            assert!(!page.contains("储备中的领导不可见项目"), "{page}");
            let (_, page) = get_page(&app, &ld, "/ex-ante").await;
            assert!(!page.contains("草稿中的事前评估对象"));
            let (_, json) = get_text(&app, "/api/v1/projects?q=领导不可见", &token).await;
            assert!(json.contains("\"total\":0"), "{json}");
            // The library project's page does not list the draft assessment.
            let (status, page) = get_page(&app, &ld, &format!("/projects/{library}")).await;
            assert_eq!(status, StatusCode::OK);
            assert!(
                !page.contains(&format!("/ex-ante/{draft}\"")),
                "draft linked"
            );
            // What the leader's lists hold opens: evaluations, monitoring reports, targets.
            let f = ListFilter {
                limit: Some(3),
                ..ListFilter::default()
            };
            let s = Scope::Published;
            let evaluations = browse::evaluations(store, REGION, &s, &f)
                .await
                .expect("evaluations");
            assert!(!evaluations.is_empty(), "the demo has approved evaluations");
            let reports = browse::monitoring_reports(store, REGION, &s, &f)
                .await
                .expect("reports");
            let targets = browse::targets(store, REGION, &s, &f)
                .await
                .expect("targets");
            let paths = evaluations
                .iter()
                .map(|e| format!("/evaluations/{}", e.id))
                .chain(reports.iter().map(|r| format!("/monitoring/{}", r.id)))
                .chain(targets.iter().map(|t| format!("/targets/{}", t.id)))
                .chain(["/dashboard".to_string(), "/reports/annual/2023".into()]);
            for path in paths {
                let (status, _) = get_page(&app, &ld, &path).await;
                assert_eq!(status, StatusCode::OK, "leader {path}");
            }
            // The dashboard's headline counts what the leader may open: library projects, and
            // approved monitoring reports (issue 13). The finance bureau counts its work too.
            let headline = |scope: Scope| async move {
                jixiao_store::dashboard::headline(store, REGION, 2023, &scope)
                    .await
                    .expect("headline")
            };
            let (all, published) = (
                headline(Scope::Region).await,
                headline(Scope::Published).await,
            );
            assert!(
                published.projects < all.projects,
                "the reserve project is not counted"
            );
            assert!(all.project_fen - published.project_fen >= 1_000_000);
            assert!(published.monitoring_reports <= all.monitoring_reports);
            let open_reports = browse::monitoring_reports(
                store,
                REGION,
                &Scope::Published,
                &ListFilter {
                    year: Some(2023),
                    ..ListFilter::default()
                },
            )
            .await
            .expect("reports")
            .len() as i64;
            assert_eq!(
                published.monitoring_reports, open_reports,
                "as the list shows"
            );
            let (_, page) = get_page(&app, &ld, "/dashboard?year=2023").await;
            assert!(
                page.contains(&format!("{} 个", published.projects)),
                "the leader's dashboard shows {} projects",
                published.projects
            );
        },
    )
    .await;
}

#[tokio::test]
async fn an_absurd_page_number_is_an_empty_page_or_a_422_never_a_500() {
    on_every_store(
        "an_absurd_page_number_is_an_empty_page_or_a_422_never_a_500",
        async |store: &Store| {
            let app = demo_app(store).await;
            let finance = session_cookie(store, "jxg").await;
            for path in [
                "/projects?page=9223372036854775807",
                "/projects?page=-9223372036854775808",
                "/indicators?page=9223372036854775807",
                "/evaluations?page=18446744073709551615",
            ] {
                let (status, _) = get_page(&app, &finance, path).await;
                assert_eq!(status, StatusCode::OK, "{path}");
            }
            let token = demo_token(&app, "jxg").await;
            let (status, body) =
                get_text(&app, "/api/v1/projects?page=9223372036854775807", &token).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            assert!(body.contains("页码"), "{body}");
            let (status, body) = get_text(&app, "/api/v1/projects?page=1000000", &token).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert!(body.contains("\"items\":[]"), "{body}");
            // The store answers an empty page past the last one itself.
            let (rows, total) = browse::projects(
                store,
                REGION,
                &Scope::Region,
                &browse::ProjectFilter {
                    page: i64::MAX,
                    per_page: 500,
                    ..Default::default()
                },
            )
            .await
            .expect("projects");
            assert!(rows.is_empty());
            assert!(total > 0);
        },
    )
    .await;
}
