//! SPEC §1, §17: the system administrator creates accounts under the password policy, new
//! accounts must change their password at first login, resets force a change again, disabled
//! accounts cannot log in; every step is in the audit log.

mod common;

use axum::http::{StatusCode, header};
use common::{browser_session, demo_app, get_page, page_response, post_form};
use jixiao_store::Store;
use jixiao_store::testing::on_every_store;

#[tokio::test]
async fn sysadmin_manages_users_under_the_policy_spec_17() {
    on_every_store("sysadmin_manages_users_under_the_policy_spec_17", async |store: &Store| {
        let app = demo_app(store).await;
        let (admin, csrf) = browser_session(store, "admin").await;
        let unit = jixiao_store::units::list(store, jixiao_demo::REGION_CODE).await.expect("units")[0].id;
        // A weak password is refused with the policy's words, and nothing is created.
        let (status, _, page) = post_form(&app, &admin, "/admin/users", &format!("csrf={csrf}&username=newbie&display_name=新人&role=unit_preparer&unit_id={unit}&password=abc")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("密码长度至少 8 位"), "{page}");
        assert!(jixiao_store::users::by_username(store, "newbie").await.expect("q").is_none());
        // A unit user without a unit is refused.
        let (status, _, _) = post_form(&app, &admin, "/admin/users", &format!("csrf={csrf}&username=newbie&display_name=新人&role=unit_preparer&unit_id=&password=Good%23Pass1")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        // A unit of another region is refused: the account would read that region's records.
        let foreign = {
            let mut tx = store.begin().await.expect("tx");
            jixiao_store::regions::insert(&mut tx, "659999000", "别的县", None).await.expect("region");
            let id = jixiao_store::units::insert(
                &mut tx,
                &jixiao_store::units::NewUnit {
                    region: "659999000",
                    code: "901",
                    name: "别县教育局",
                    parent_id: None,
                    level: 1,
                    kind: jixiao_domain::types::UnitKind::Administrative,
                    finance_desk: "",
                },
            )
            .await
            .expect("unit");
            tx.commit().await.expect("commit");
            id
        };
        let (status, _, page) = post_form(&app, &admin, "/admin/users", &format!("csrf={csrf}&username=newbie&display_name=新人&role=unit_preparer&unit_id={foreign}&password=Good%23Pass1")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("所选单位不存在"));
        assert!(jixiao_store::users::by_username(store, "newbie").await.expect("q").is_none());
        // A good one is created and must change its password.
        let (status, _, _) = post_form(&app, &admin, "/admin/users", &format!("csrf={csrf}&username=newbie&display_name=新人&role=unit_preparer&unit_id={unit}&password=Good%23Pass1")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let newbie = jixiao_store::users::by_username(store, "newbie").await.expect("q").expect("created");
        assert!(newbie.must_change_password);
        assert_eq!(newbie.unit_id, Some(unit));
        let (newbie_cookie, _) = browser_session(store, "newbie").await;
        let res = page_response(&app, &newbie_cookie, "/").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()), Some("/password"));
        // Disabling ends its sessions and blocks the login.
        let (status, _, _) = post_form(&app, &admin, &format!("/admin/users/{}/disable", newbie.id), &format!("csrf={csrf}")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let res = page_response(&app, &newbie_cookie, "/").await;
        assert_eq!(res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()), Some("/login?next=%2F"));
        // A reset shows a temporary password once and forces a change.
        let ld = jixiao_store::users::by_username(store, "ld").await.expect("q").expect("ld");
        let (status, _, page) = post_form(&app, &admin, &format!("/admin/users/{}/reset", ld.id), &format!("csrf={csrf}")).await;
        assert_eq!(status, StatusCode::OK);
        let temporary = page.split("临时密码：").nth(1).and_then(|s| s.split('（').next()).expect("temporary password shown").to_string();
        let ld = jixiao_store::users::by_username(store, "ld").await.expect("q").expect("ld");
        assert!(ld.must_change_password);
        assert!(jixiao_store::users::verify_password(&temporary, &ld.password_hash));
        assert!(jixiao_domain::password::check(&Default::default(), "ld", &temporary).is_ok());
        // Nobody but the system administrator reaches these routes.
        let (finance, fcsrf) = browser_session(store, "jxg").await;
        let (status, _, _) = post_form(&app, &finance, "/admin/users", &format!("csrf={fcsrf}&username=x&display_name=x&role=viewer&password=Good%23Pass1")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let actions: Vec<String> = jixiao_store::audit::recent(store, 50).await.expect("audit").into_iter().map(|r| r.action).collect();
        for a in ["user.create", "user.disable", "user.reset_password", "access.denied"] {
            assert!(actions.contains(&a.to_string()), "{a} audited");
        }
        assert!(matches!(jixiao_store::audit::verify(store).await.expect("verify"), jixiao_store::audit::Verdict::Intact { .. }));
    })
    .await;
}

/// SPEC §1, §9: an evaluator account belongs to an agency, chosen when it is created (required
/// for that role), and sees that agency's engagements; the link is in the audit log.
#[tokio::test]
async fn an_evaluator_account_is_linked_to_its_agency() {
    on_every_store("an_evaluator_account_is_linked_to_its_agency", async |store: &Store| {
        let app = demo_app(store).await;
        let (admin, csrf) = browser_session(store, "admin").await;
        let tianshan = jixiao_store::users::by_username(store, "pj_tianshan")
            .await
            .expect("q")
            .expect("demo evaluator")
            .agency_id
            .expect("its agency");
        // The form offers the agencies.
        let (_, page) = get_page(&app, &admin, "/admin/users").await;
        assert!(page.contains("name=\"agency_id\"") && page.contains(&format!("value=\"{tianshan}\"")), "{page}");
        // Without an agency, or with one that does not exist, an evaluator is refused.
        for agency in [String::new(), "999999".to_string()] {
            let (status, _, page) = post_form(&app, &admin, "/admin/users", &format!("csrf={csrf}&username=pj_new&display_name=评价员&role=evaluator&unit_id=&agency_id={agency}&password=Good%23Pass1")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "agency “{agency}”");
            assert!(page.contains("第三方机构"), "{page}");
            assert!(jixiao_store::users::by_username(store, "pj_new").await.expect("q").is_none());
        }
        let (status, _, _) = post_form(&app, &admin, "/admin/users", &format!("csrf={csrf}&username=pj_new&display_name=评价员&role=evaluator&unit_id=&agency_id={tianshan}&password=Good%23Pass1")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let created = jixiao_store::users::by_username(store, "pj_new").await.expect("q").expect("created");
        assert_eq!(created.agency_id, Some(tianshan));
        assert_eq!(created.unit_id, None);
        let after: String = jixiao_store::on_pool!(store, |p| sqlx::query_scalar(
            "SELECT after_json FROM audit_log WHERE action = 'user.create' AND object_id = 'pj_new'"
        )
        .fetch_one(p)
        .await
        .expect("audited"));
        assert!(after.contains(&format!("\"agency_id\":{tianshan}")), "{after}");
        // Another role ignores the agency field.
        let (status, _, _) = post_form(&app, &admin, "/admin/users", &format!("csrf={csrf}&username=ld_new&display_name=领导&role=viewer&unit_id=&agency_id={tianshan}&password=Good%23Pass1")).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let viewer = jixiao_store::users::by_username(store, "ld_new").await.expect("q").expect("created");
        assert_eq!(viewer.agency_id, None);
    })
    .await;
}
