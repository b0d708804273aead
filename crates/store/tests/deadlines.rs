//! Declaration deadlines (申报期限) and where units stand against them, on both backends: the
//! upsert, the per-unit target declaration counts (SPEC §6, counted in §11) and the to-dos they
//! put on the home page (SPEC §16).

mod common;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use common::{REGION, on_every_store, project, seed_region, seed_unit};
use jixiao_domain::Fen;
use jixiao_domain::deadline::{DeadlineKind, Timeliness};
use jixiao_domain::types::{BudgetTiming, ObjectKind, Role};
use jixiao_store::browse::Scope;
use jixiao_store::deadlines::{self, UnitDeclaration};
use jixiao_store::{Store, on_pool, projects, targets, todos, users};

fn day(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("date")
}

fn at(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .expect("instant")
        .with_timezone(&Utc)
}

async fn seed_user(store: &Store, username: &str, display_name: &str) -> i64 {
    let mut tx = store.begin().await.expect("begin");
    let id = users::insert(
        &mut tx,
        &users::NewUser {
            region: REGION,
            username,
            display_name,
            password_hash: "x",
            unit_id: None,
            agency_id: None,
            must_change_password: false,
            roles: &[Role::FinanceAdmin],
        },
    )
    .await
    .expect("user");
    tx.commit().await.expect("commit");
    id
}

async fn set(
    store: &Store,
    year: i32,
    kind: DeadlineKind,
    due: &str,
    user: Option<i64>,
) -> Option<NaiveDate> {
    let mut tx = store.begin().await.expect("begin");
    let before = deadlines::set(&mut tx, REGION, year, kind, day(due), user)
        .await
        .expect("set");
    tx.commit().await.expect("commit");
    before
}

#[tokio::test]
async fn deadlines_are_set_once_per_year_and_kind_and_replaced() {
    on_every_store(
        "deadlines_are_set_once_per_year_and_kind_and_replaced",
        async |store: &Store| {
            seed_region(store).await;
            let user = seed_user(store, "jxg", "绩效股 李明").await;
            assert_eq!(
                set(
                    store,
                    2023,
                    DeadlineKind::SelfEvaluation,
                    "2024-03-31",
                    Some(user)
                )
                .await,
                None
            );
            assert_eq!(
                set(
                    store,
                    2023,
                    DeadlineKind::TargetDeclaration,
                    "2022-11-30",
                    Some(user)
                )
                .await,
                None
            );
            // The same year and kind again replaces the date and says what it was.
            assert_eq!(
                set(
                    store,
                    2023,
                    DeadlineKind::TargetDeclaration,
                    "2022-12-15",
                    None
                )
                .await,
                Some(day("2022-11-30"))
            );
            set(
                store,
                2024,
                DeadlineKind::TargetDeclaration,
                "2023-11-30",
                Some(user),
            )
            .await;

            let got = deadlines::get(store, REGION, 2023, DeadlineKind::TargetDeclaration)
                .await
                .expect("get")
                .expect("set");
            assert_eq!(got.due_on, day("2022-12-15"));
            assert_eq!(
                (got.fiscal_year, got.kind),
                (2023, DeadlineKind::TargetDeclaration)
            );
            assert_eq!(got.set_by, None, "the last setter is kept");
            assert!(
                deadlines::get(store, REGION, 2023, DeadlineKind::Monitoring)
                    .await
                    .expect("get")
                    .is_none()
            );
            // Listed in the order of the kinds, with who set them.
            let list = deadlines::list(store, REGION, 2023).await.expect("list");
            let kinds: Vec<DeadlineKind> = list.iter().map(|d| d.kind).collect();
            assert_eq!(
                kinds,
                [
                    DeadlineKind::TargetDeclaration,
                    DeadlineKind::SelfEvaluation
                ]
            );
            assert_eq!(list[1].set_by_name.as_deref(), Some("绩效股 李明"));
            assert_eq!(list[1].due_on, day("2024-03-31"));
            let n: i64 = on_pool!(store, |p| sqlx::query_scalar(
                "SELECT COUNT(*) FROM deadlines"
            )
            .fetch_one(p)
            .await)
            .expect("count");
            assert_eq!(n, 3);
            // Years with deadlines or projects, latest first.
            assert_eq!(
                deadlines::years(store, REGION).await.expect("years"),
                [2024, 2023]
            );
            assert_eq!(
                deadlines::current_year(store, REGION).await.expect("year"),
                None
            );
        },
    )
    .await;
}

/// A project of `unit` with `status` in the library, and optionally a current project target in
/// `state` submitted at `submitted_at`.
async fn project_with_target(
    store: &Store,
    code: &str,
    unit: i64,
    year: i32,
    status: &str,
    target: Option<(&str, Option<&str>)>,
) -> i64 {
    let mut tx = store.begin().await.expect("begin");
    let name = format!("项目{code}");
    let mut p = project(code, &name, unit, BudgetTiming::Initial, Fen::from_wan(10));
    p.fiscal_year = year;
    p.library_status = status;
    let id = projects::insert(&mut tx, &p).await.expect("project");
    if let Some((state, submitted_at)) = target {
        let t = targets::insert(
            &mut tx,
            &targets::NewTarget {
                region: REGION,
                fiscal_year: year,
                object_kind: ObjectKind::Project,
                project_id: Some(id),
                unit_id: unit,
                state,
                total: Fen::from_wan(10),
                fiscal: Fen::from_wan(10),
                other: Fen::ZERO,
                overall_goal: String::new(),
                review_rating: None,
                review_opinion: "",
                indicators: vec![],
                tasks: vec![],
            },
        )
        .await
        .expect("target");
        let submitted = submitted_at.map(at);
        jixiao_store::on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE targets SET submitted_at = $1 WHERE id = $2"
        )
        .bind(submitted)
        .bind(t)
        .execute(&mut *c)
        .await
        .map(|_| ()))
        .expect("submitted_at");
    }
    tx.commit().await.expect("commit");
    id
}

#[tokio::test]
async fn declaration_status_counts_submitted_late_and_overdue_per_unit() {
    on_every_store(
        "declaration_status_counts_submitted_late_and_overdue_per_unit",
        async |store: &Store| {
            seed_region(store).await;
            let water = seed_unit(store, "101", "水利局").await;
            let school = seed_unit(store, "102", "教育局").await;
            let farm = seed_unit(store, "103", "农业农村局").await;
            // 水利局: on time (23:59 Beijing on the deadline day), late (07:30 Beijing the next
            // morning, still the deadline day in UTC), approved without a submission time, a
            // draft (missing), none at all (missing), a returned one (it was handed in on time).
            project_with_target(
                store,
                "W1",
                water,
                2023,
                "reserve",
                Some(("submitted", Some("2022-11-30T15:59:00Z"))),
            )
            .await;
            project_with_target(
                store,
                "W2",
                water,
                2023,
                "in_library",
                Some(("under_review", Some("2022-11-30T23:30:00Z"))),
            )
            .await;
            project_with_target(
                store,
                "W3",
                water,
                2023,
                "in_library",
                Some(("approved", None)),
            )
            .await;
            let draft =
                project_with_target(store, "W4", water, 2023, "reserve", Some(("draft", None)))
                    .await;
            let none = project_with_target(store, "W5", water, 2023, "in_library", None).await;
            project_with_target(
                store,
                "W6",
                water,
                2023,
                "in_library",
                Some(("returned", Some("2022-11-20T02:00:00Z"))),
            )
            .await;
            // Already budgeted or later: the target was approved before; not counted.
            project_with_target(store, "W7", water, 2023, "budgeted", None).await;
            project_with_target(store, "W8", water, 2023, "executing", None).await;
            // 教育局: one missing, one of another year.
            let school_missing =
                project_with_target(store, "S1", school, 2023, "reserve", None).await;
            project_with_target(store, "S2", school, 2022, "reserve", None).await;
            // 农业农村局: nothing that needs a target this year.
            project_with_target(store, "F1", farm, 2023, "executing", None).await;

            // Without a deadline: counts, but nothing is late or overdue.
            let today = day("2022-12-10");
            let status = deadlines::declaration_status(store, REGION, 2023, today)
                .await
                .expect("status");
            assert_eq!(status.len(), 2, "{status:?}");
            assert_eq!(
                (
                    status[0].projects,
                    status[0].submitted,
                    status[0].late,
                    status[0].overdue_missing
                ),
                (6, 4, 0, 0)
            );

            set(
                store,
                2023,
                DeadlineKind::TargetDeclaration,
                "2022-11-30",
                None,
            )
            .await;
            let status = deadlines::declaration_status(store, REGION, 2023, today)
                .await
                .expect("status");
            assert_eq!(
                status,
                vec![
                    UnitDeclaration {
                        unit_id: water,
                        unit_code: "101".into(),
                        unit_name: "水利局".into(),
                        projects: 6,
                        submitted: 4,
                        late: 1,
                        overdue_missing: 2,
                        due_soon: 0,
                    },
                    UnitDeclaration {
                        unit_id: school,
                        unit_code: "102".into(),
                        unit_name: "教育局".into(),
                        projects: 1,
                        submitted: 0,
                        late: 0,
                        overdue_missing: 1,
                        due_soon: 0,
                    },
                ]
            );
            assert_eq!(status[0].missing(), 2);
            // Before the deadline, the missing ones are due soon (7 days) or simply pending.
            let status = deadlines::declaration_status(store, REGION, 2023, day("2022-11-25"))
                .await
                .expect("status");
            assert_eq!((status[0].overdue_missing, status[0].due_soon), (0, 2));
            let status = deadlines::declaration_status(store, REGION, 2023, day("2022-11-01"))
                .await
                .expect("status");
            assert_eq!((status[0].overdue_missing, status[0].due_soon), (0, 0));
            assert_eq!(status[0].late, 1, "lateness is fixed by the submission day");

            // Per project, narrowed to a unit user's scope.
            let rows = deadlines::project_declarations(
                store,
                REGION,
                2023,
                &Scope::Units(vec![water]),
                today,
            )
            .await
            .expect("projects");
            assert_eq!(rows.len(), 6);
            assert!(rows.iter().all(|r| r.unit_id == water));
            let missing: Vec<i64> = rows
                .iter()
                .filter(|r| !r.submitted)
                .map(|r| r.project_id)
                .collect();
            assert_eq!(missing, [draft, none]);
            let by_code = |code: &str| {
                rows.iter()
                    .find(|r| r.project_name == format!("项目{code}"))
                    .expect("row")
                    .clone()
            };
            assert_eq!(by_code("W1").submitted_on, Some(day("2022-11-30")));
            assert_eq!(by_code("W1").timeliness, Some(Timeliness::OnTime));
            assert_eq!(by_code("W2").submitted_on, Some(day("2022-12-01")));
            assert_eq!(by_code("W2").timeliness, Some(Timeliness::Late));
            assert_eq!(by_code("W3").timeliness, Some(Timeliness::OnTime));
            assert_eq!(by_code("W4").timeliness, Some(Timeliness::Overdue));
            assert_eq!(by_code("W6").timeliness, Some(Timeliness::OnTime));
            let rows = deadlines::project_declarations(store, REGION, 2023, &Scope::Nothing, today)
                .await
                .expect("nothing");
            assert!(rows.is_empty());
            let _ = school_missing;
        },
    )
    .await;
}

#[tokio::test]
async fn declarations_due_become_to_dos_for_units_and_a_count_for_finance() {
    on_every_store(
        "declarations_due_become_to_dos_for_units_and_a_count_for_finance",
        async |store: &Store| {
            seed_region(store).await;
            let water = seed_unit(store, "101", "水利局").await;
            let school = seed_unit(store, "102", "教育局").await;
            let missing = project_with_target(store, "W1", water, 2023, "reserve", None).await;
            project_with_target(
                store,
                "W2",
                water,
                2023,
                "in_library",
                Some(("submitted", Some("2022-11-01T02:00:00Z"))),
            )
            .await;
            project_with_target(store, "S1", school, 2023, "in_library", None).await;
            project_with_target(store, "S0", school, 2022, "reserve", None).await;
            let water_scope = Scope::Units(vec![water]);
            let declaration_todos = |list: Vec<todos::Todo>| {
                list.into_iter()
                    .filter(|t| t.what.contains("绩效目标申报") || t.what.contains("逾期未申报"))
                    .collect::<Vec<_>>()
            };

            // No deadline for the current year (2023, the latest with projects): no to-do.
            set(
                store,
                2022,
                DeadlineKind::TargetDeclaration,
                "2021-11-30",
                None,
            )
            .await;
            let list = todos::for_user(store, REGION, &water_scope, "unit_preparer")
                .await
                .expect("todos");
            assert!(declaration_todos(list).is_empty());

            // A deadline already passed: the unit's missing project, overdue.
            set(
                store,
                2023,
                DeadlineKind::TargetDeclaration,
                "2022-11-30",
                None,
            )
            .await;
            let list = declaration_todos(
                todos::for_user(store, REGION, &water_scope, "unit_approver")
                    .await
                    .expect("todos"),
            );
            assert_eq!(list.len(), 1, "{list:?}");
            assert_eq!(list[0].what, "绩效目标申报：项目W1，截止 2022-11-30");
            assert_eq!(list[0].link, format!("/projects/{missing}"));
            assert_eq!(list[0].object, "水利局");
            assert!(list[0].overdue && !list[0].due_soon);
            assert_eq!(list[0].state, "逾期未申报");
            // Finance sees one line counting the overdue ones of the region.
            let list = declaration_todos(
                todos::for_user(store, REGION, &Scope::Region, "finance_admin")
                    .await
                    .expect("todos"),
            );
            assert_eq!(list.len(), 1, "{list:?}");
            assert_eq!(list[0].what, "2 个项目绩效目标逾期未申报");
            // … and, apart from deadlines, the submitted target waiting for its review.
            assert!(
                todos::for_user(store, REGION, &Scope::Region, "finance_admin")
                    .await
                    .expect("todos")
                    .iter()
                    .any(|t| t.what == "审核绩效目标：项目W2" && t.state == "单位已提交")
            );
            assert_eq!(list[0].link, "/deadlines?year=2023");
            assert!(list[0].overdue);
            // A viewer has no to-dos.
            assert!(
                todos::for_user(store, REGION, &Scope::Region, "viewer")
                    .await
                    .expect("todos")
                    .is_empty()
            );

            // A deadline three days ahead: due soon, not overdue; finance has nothing overdue.
            let soon = deadlines::today() + Duration::days(3);
            set(
                store,
                2023,
                DeadlineKind::TargetDeclaration,
                &soon.format("%Y-%m-%d").to_string(),
                None,
            )
            .await;
            let list = declaration_todos(
                todos::for_user(store, REGION, &water_scope, "unit_preparer")
                    .await
                    .expect("todos"),
            );
            assert_eq!(list.len(), 1);
            assert!(!list[0].overdue && list[0].due_soon, "{list:?}");
            assert_eq!(list[0].state, "待申报");
            let list = declaration_todos(
                todos::for_user(store, REGION, &Scope::Region, "finance_desk")
                    .await
                    .expect("todos"),
            );
            assert!(list.is_empty(), "{list:?}");
        },
    )
    .await;
}
