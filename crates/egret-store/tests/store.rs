//! Storage tests. Every test runs on SQLite, and on PostgreSQL too when
//! `EGRET_TEST_PG_URL` names a server (CI always sets it): each test gets a
//! fresh database there.

use egret_domain::access::{Principal, Relation, Role};
use egret_domain::org::{ListingInput, OrgInput, OrgProfile, PeriodInput, SiteInput};
use egret_domain::refdata::ReferenceData;
use egret_domain::uscc;
use egret_store::{Backend, ImportMode, NewUser, OrgFilter, Page, Store, StoreError};
use rust_decimal::Decimal;

struct TestDb {
    store: Store,
    cleanup: Option<(String, String)>,
    _dir: Option<std::path::PathBuf>,
}

impl TestDb {
    async fn finish(self) {
        self.store.close().await;
        if let Some((admin, name)) = self.cleanup {
            let admin = Store::connect(&admin).await.unwrap();
            admin
                .execute_admin(&format!("DROP DATABASE IF EXISTS {name}"))
                .await
                .unwrap();
            admin.close().await;
        }
        if let Some(d) = self._dir {
            let _ = std::fs::remove_dir_all(d);
        }
    }
}

async fn sqlite() -> TestDb {
    let dir = std::env::temp_dir().join(format!("egret-store-{}", uuid_like()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite:{}", dir.join("t.db").display());
    TestDb {
        store: Store::open(&url).await.unwrap(),
        cleanup: None,
        _dir: Some(dir),
    }
}

async fn postgres() -> Option<TestDb> {
    let admin_url = std::env::var("EGRET_TEST_PG_URL").ok()?;
    let name = format!("egret_t_{}", uuid_like());
    let admin = Store::connect(&admin_url).await.unwrap();
    admin
        .execute_admin(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap();
    admin.close().await;
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}");
    Some(TestDb {
        store: Store::open(&url).await.unwrap(),
        cleanup: Some((admin_url, name)),
        _dir: None,
    })
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
            % 1_000_000_000,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// Runs `body` against every configured backend.
macro_rules! on_all_backends {
    ($name:ident, |$store:ident| $body:block) => {
        #[tokio::test]
        async fn $name() {
            let mut dbs = vec![sqlite().await];
            if let Some(pg) = postgres().await {
                dbs.push(pg);
            } else if std::env::var("CI").is_ok() {
                panic!("CI must set EGRET_TEST_PG_URL so storage tests also run on PostgreSQL");
            }
            for db in dbs {
                {
                    let $store = &db.store;
                    $body
                }
                db.finish().await;
            }
        }
    };
}

fn code(n: u32) -> String {
    let first17 = format!("91350206MA{:07}", n);
    format!("{first17}{}", uscc::check_char(&first17).unwrap())
}

fn input(n: u32) -> OrgInput {
    OrgInput {
        uscc: code(n),
        name_zh: format!("厦门测试{n}科技有限公司"),
        name_en: Some(format!("Xiamen Test {n} Technology Co., Ltd.")),
        industry_code: "39".into(),
        cluster: None,
        ownership: "private".into(),
        district: "350206".into(),
        employees: Some(120),
        revenue_cny: Some("12345678.91".parse().unwrap()),
        total_assets_cny: Some("98765432.10".parse().unwrap()),
        size_basis_year: Some(2024),
        ..Default::default()
    }
}

fn profile(n: u32) -> OrgProfile {
    input(n).validate(ReferenceData::embedded()).unwrap()
}

fn admin() -> Principal {
    Principal::system("test")
}

fn user(role: Role, orgs: &[&str]) -> Principal {
    let mut orgs: Vec<String> = orgs.iter().map(|s| s.to_string()).collect();
    orgs.sort();
    Principal {
        user_id: format!("u-{}", role.as_str()),
        role,
        orgs,
    }
}

on_all_backends!(
    schema_is_the_same_on_both_backends_and_tenant_keys_lead,
    |store| {
        let schema = store.schema_summary().await.unwrap();
        // The schema both backends must have (from the shared migration).
        let expected_tables = [
            "api_tokens",
            "audit_log",
            "award_applications",
            "award_events",
            "award_grants",
            "bank_api_calls",
            "bank_rule_sets",
            "carbon_activities",
            "carbon_outputs",
            "carbon_results",
            "carbon_runs",
            "certificate_directory",
            "controversies",
            "data_values",
            "department_members",
            "engagement_conclusions",
            "engagement_findings",
            "engagements",
            "evidence_files",
            "excellent_cases",
            "fx_rates",
            "green_facilities",
            "institution_members",
            "institution_qualifications",
            "institutions",
            "lca_calculations",
            "measure_adjustments",
            "measure_evaluations",
            "measure_reports",
            "org_bindings",
            "org_factors",
            "org_listings",
            "org_zones",
            "organizations",
            "pact_clients",
            "pact_events",
            "pact_suppliers",
            "pact_tokens",
            "pcf_certificates",
            "pcf_publications",
            "pending_uploads",
            "product_footprints",
            "product_system_versions",
            "product_systems",
            "rating_objections",
            "rating_publications",
            "rating_results",
            "rating_runs",
            "received_footprints",
            "report_narratives",
            "reporting_periods",
            "sessions",
            "shared_factors",
            "sites",
            "submission_events",
            "submission_figures",
            "submissions",
            "uscc_directory",
            "users",
            "value_evidence",
        ];
        let tables: Vec<&str> = schema.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(tables, expected_tables, "{:?}", store.backend());
        // Citus readiness: org_id is the first column of every table that
        // carries it.
        for (t, cols) in &schema {
            if cols.iter().any(|c| c == "org_id")
                && !matches!(t.as_str(), "uscc_directory" | "certificate_directory")
            {
                assert_eq!(cols[0], "org_id", "{t}: org_id must lead");
            }
            // A bank's own records are keyed by the bank.
            if cols.iter().any(|c| c == "bank_org_id") {
                assert_eq!(cols[0], "bank_org_id", "{t}: bank_org_id must lead");
            }
        }
        if store.backend() == Backend::Sqlite {
            let pk: Vec<(String, i64)> = store.primary_keys("sites").await.unwrap();
            assert_eq!(pk[0].0, "org_id");
            // Keys lead with the tenant too: the primary key and every
            // unique key of each table carrying org_id.
            for (t, cols) in &schema {
                if !cols.iter().any(|c| c == "org_id")
                    || matches!(t.as_str(), "uscc_directory" | "certificate_directory")
                {
                    continue;
                }
                let pk = store.primary_keys(t).await.unwrap();
                assert_eq!(
                    pk.first().map(|c| c.0.as_str()),
                    Some("org_id"),
                    "{t}: primary key"
                );
                for k in store.unique_keys(t).await.unwrap() {
                    assert_eq!(k[0], "org_id", "{t}: unique key {k:?}");
                }
            }
            assert!(
                store
                    .unique_keys("received_footprints")
                    .await
                    .unwrap()
                    .contains(&vec![
                        "org_id".to_string(),
                        "supplier_id".to_string(),
                        "pf_id".to_string(),
                        "digest".to_string()
                    ])
            );
        }
    }
);

on_all_backends!(create_read_update_with_audit_and_exact_money, |store| {
    let a = admin();
    let rec = store.create_org(&a, &profile(1)).await.unwrap();
    assert_eq!(rec.version, 1);
    assert_eq!(
        rec.profile.revenue_cny,
        Some("12345678.91".parse::<Decimal>().unwrap())
    );
    assert_eq!(rec.profile.uscc.as_str(), code(1));

    let mut changed = input(1);
    changed.employees = Some(2000);
    changed.name_en = Some("Renamed".into());
    changed.listings = vec![ListingInput {
        exchange: "sse".into(),
        ticker: "600153".into(),
        indices: vec!["sse-180".into()],
    }];
    changed.zones = vec!["torch-hitech".into()];
    let p2 = changed.validate(ReferenceData::embedded()).unwrap();
    let rec2 = store
        .update_org(&a, &rec.org_id, Some(1), &p2)
        .await
        .unwrap();
    assert_eq!(rec2.version, 2);
    assert_eq!(rec2.profile.employees, Some(2000));
    assert!(rec2.sr_mandatory);
    assert_eq!(rec2.profile.zones, vec!["torch-hitech".to_string()]);
    assert_eq!(
        rec2.profile.listings[0].indices,
        vec!["sse-180".to_string()]
    );

    // A stale form is refused and changes nothing.
    let err = store
        .update_org(&a, &rec.org_id, Some(1), &profile(1))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Conflict(ref m) if m.key == "store-stale-version"),
        "{err}"
    );
    assert_eq!(store.get_org(&a, &rec.org_id).await.unwrap().version, 2);

    // The credit code cannot change.
    let mut other = input(2);
    other.name_zh = "厦门改码有限公司".into();
    let err = store
        .update_org(
            &a,
            &rec.org_id,
            None,
            &other.validate(ReferenceData::embedded()).unwrap(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(ref m) if m.key == "store-uscc-immutable"));

    let audit = store.audit_for_org(&a, &rec.org_id, 10).await.unwrap();
    assert_eq!(audit.len(), 2, "create + update");
    let update = &audit[0];
    assert_eq!(update.action, "update");
    assert_eq!(update.actor, "system:test");
    assert_eq!(update.before.as_ref().unwrap()["employees"], 120);
    assert_eq!(update.after.as_ref().unwrap()["employees"], 2000);
});

on_all_backends!(duplicate_credit_codes_are_refused, |store| {
    store.create_org(&admin(), &profile(3)).await.unwrap();
    let err = store.create_org(&admin(), &profile(3)).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(ref m) if m.key == "store-uscc-taken"));
    assert_eq!(store.count_orgs().await.unwrap(), 1);
});

on_all_backends!(tenants_are_isolated_in_the_store, |store| {
    let a = admin();
    let ra = store.create_org(&a, &profile(10)).await.unwrap();
    let rb = store.create_org(&a, &profile(11)).await.unwrap();
    let ent = user(Role::Enterprise, &[&ra.org_id]);
    // Reads.
    assert!(store.get_org(&ent, &ra.org_id).await.is_ok());
    assert!(matches!(
        store.get_org(&ent, &rb.org_id).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(matches!(
        store.list_sites(&ent, &rb.org_id).await,
        Err(StoreError::NotFound { .. })
    ));
    let page = store
        .list_orgs(&ent, &OrgFilter::default(), Page::new(None, None))
        .await
        .unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.items[0].org_id, ra.org_id);
    // Writes.
    assert!(matches!(
        store.update_org(&ent, &rb.org_id, None, &profile(11)).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(
        store
            .update_org(&ent, &ra.org_id, None, &profile(10))
            .await
            .is_ok()
    );
    let site = SiteInput {
        name_zh: "厂区".into(),
        name_en: None,
        kind: "factory".into(),
        district: "350205".into(),
        address: None,
        zone: None,
    };
    assert!(matches!(
        store.add_site(&ent, &rb.org_id, &site).await,
        Err(StoreError::NotFound { .. })
    ));
    store.add_site(&ent, &ra.org_id, &site).await.unwrap();
    assert!(matches!(
        store.create_org(&ent, &profile(12)).await,
        Err(StoreError::Forbidden { .. })
    ));
    // Readers of the register cannot write.
    for role in [Role::Bank, Role::Analyst, Role::CityGov] {
        let r = user(role, &[]);
        assert!(store.get_org(&r, &rb.org_id).await.is_ok());
        assert!(matches!(
            store.update_org(&r, &rb.org_id, None, &profile(11)).await,
            Err(StoreError::Forbidden { .. })
        ));
        assert!(matches!(
            store.audit_for_org(&r, &rb.org_id, 5).await,
            Err(StoreError::Forbidden { .. })
        ));
    }
    // Assurers see engagements only, and change nothing.
    let asr = user(Role::Assurer, &[&rb.org_id]);
    assert!(store.get_org(&asr, &rb.org_id).await.is_ok());
    assert!(store.get_org(&asr, &ra.org_id).await.is_err());
    assert!(
        store
            .update_org(&asr, &rb.org_id, None, &profile(11))
            .await
            .is_err()
    );
});

on_all_backends!(imports_are_all_or_nothing_unless_told_otherwise, |store| {
    let a = admin();
    store.create_org(&a, &profile(20)).await.unwrap();
    let rows = vec![(2, profile(21)), (3, profile(20)), (4, profile(22))];
    let report = store
        .import_orgs(&a, &rows, ImportMode::AllOrNothing)
        .await
        .unwrap();
    assert!(!report.committed);
    assert_eq!(report.refused.len(), 1);
    assert_eq!(report.refused[0].0, 3);
    assert_eq!(store.count_orgs().await.unwrap(), 1, "nothing half-written");

    let report = store
        .import_orgs(&a, &rows, ImportMode::SkipBad)
        .await
        .unwrap();
    assert!(report.committed);
    assert_eq!(report.created.len(), 2);
    assert_eq!(store.count_orgs().await.unwrap(), 3);
    let ent = user(Role::Enterprise, &[]);
    assert!(matches!(
        store.import_orgs(&ent, &rows, ImportMode::SkipBad).await,
        Err(StoreError::Forbidden { .. })
    ));
});

on_all_backends!(filters_and_paging, |store| {
    let a = admin();
    for n in 30..37 {
        let mut i = input(n);
        if n % 2 == 0 {
            i.district = "350205".into();
            i.zones = vec!["ftz-xiamen".into()];
        }
        store
            .create_org(&a, &i.validate(ReferenceData::embedded()).unwrap())
            .await
            .unwrap();
    }
    let f = OrgFilter {
        district: Some("350205".into()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_orgs(&a, &f, Page::new(None, None))
            .await
            .unwrap()
            .total,
        4
    );
    let f = OrgFilter {
        zone: Some("ftz-xiamen".into()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_orgs(&a, &f, Page::new(None, None))
            .await
            .unwrap()
            .total,
        4
    );
    let f = OrgFilter {
        q: Some("TEST 33".into()),
        ..Default::default()
    };
    assert_eq!(
        store
            .list_orgs(&a, &f, Page::new(None, None))
            .await
            .unwrap()
            .total,
        1
    );
    let p2 = store
        .list_orgs(&a, &OrgFilter::default(), Page::new(Some(2), Some(3)))
        .await
        .unwrap();
    assert_eq!((p2.total, p2.items.len()), (7, 3));
    let summary = store.register_summary().await.unwrap();
    assert_eq!(summary.total, 7);
    assert_eq!(summary.by_zone.iter().map(|b| b.total).sum::<i64>(), 4);
});

on_all_backends!(periods_sites_and_their_rules, |store| {
    let a = admin();
    let rec = store.create_org(&a, &profile(40)).await.unwrap();
    store
        .add_period(&a, &rec.org_id, &PeriodInput::calendar(2024))
        .await
        .unwrap();
    let err = store
        .add_period(&a, &rec.org_id, &PeriodInput::calendar(2024))
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(ref m) if m.key == "store-period-exists"));
    let bad_site = SiteInput {
        name_zh: "".into(),
        name_en: None,
        kind: "castle".into(),
        district: "999999".into(),
        address: None,
        zone: None,
    };
    match store
        .add_site(&a, &rec.org_id, &bad_site)
        .await
        .unwrap_err()
    {
        StoreError::Invalid(errs) => {
            let fields: Vec<_> = errs.iter().map(|e| e.field.as_str()).collect();
            assert!(
                fields.contains(&"name_zh")
                    && fields.contains(&"kind")
                    && fields.contains(&"district"),
                "{fields:?}"
            );
        }
        e => panic!("{e}"),
    }
    assert_eq!(store.list_periods(&a, &rec.org_id).await.unwrap().len(), 1);
    assert!(store.list_sites(&a, &rec.org_id).await.unwrap().is_empty());
});

on_all_backends!(accounts_sessions_and_tokens, |store| {
    let a = admin();
    let rec = store.create_org(&a, &profile(50)).await.unwrap();
    let new = NewUser {
        email: "Staff@Example.com".into(),
        display_name: "Staff".into(),
        role: Role::Enterprise,
        password: "correct horse battery".into(),
        orgs: vec![rec.org_id.clone()],
    };
    let uid = store.create_user(&a, &new).await.unwrap();
    assert!(matches!(
        store.create_user(&a, &new).await,
        Err(StoreError::Conflict(_))
    ));
    let short = NewUser {
        email: "x@example.com".into(),
        password: "short".into(),
        ..new.clone()
    };
    assert!(
        matches!(store.create_user(&a, &short).await, Err(StoreError::Conflict(ref m)) if m.key == "store-password-short")
    );
    // Analysts rate everybody: they are bound to no organisation.
    let analyst_with_orgs = NewUser {
        email: "b@example.com".into(),
        role: Role::Analyst,
        ..new.clone()
    };
    assert!(store.create_user(&a, &analyst_with_orgs).await.is_err());

    assert!(
        store
            .authenticate("staff@example.com", "wrong password")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .authenticate("nobody@example.com", "correct horse battery")
            .await
            .unwrap()
            .is_none()
    );
    let u = store
        .authenticate(" STAFF@example.com", "correct horse battery")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(u.user_id, uid);
    let p = store.principal(&u).await.unwrap();
    assert_eq!(p.orgs, vec![rec.org_id.clone()]);
    assert_eq!(u.role.binding(), Some(Relation::Member));

    let (token, csrf) = store.create_session(&u).await.unwrap();
    let s = store.session(&token).await.unwrap().unwrap();
    assert_eq!(s.csrf_token, csrf);
    assert!(store.session("not-a-token").await.unwrap().is_none());
    store.end_session(&token).await.unwrap();
    assert!(store.session(&token).await.unwrap().is_none());
    let history = store.platform_audit(&a, 20).await.unwrap();
    let actions: Vec<&str> = history
        .iter()
        .filter(|e| e.actor == uid)
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(
        actions,
        ["sign_out", "sign_in"],
        "sign-ins and sign-outs are recorded"
    );
    assert!(
        store.platform_audit(&p, 5).await.is_err(),
        "not for enterprise users"
    );

    let (secret, info) = store.create_api_token(&p, "loan system").await.unwrap();
    assert!(store.token_principal(&secret).await.unwrap().is_some());
    assert!(
        store.list_api_tokens(&p).await.unwrap()[0]
            .last_used_at
            .is_some()
    );
    store.revoke_api_token(&p, &info.token_id).await.unwrap();
    assert!(store.token_principal(&secret).await.unwrap().is_none());
    // Someone else cannot revoke (or see) the token.
    let other = user(Role::Bank, &[]);
    assert!(
        store
            .revoke_api_token(&other, &info.token_id)
            .await
            .is_err()
    );

    store.set_user_active(&a, &uid, false).await.unwrap();
    assert!(
        store
            .authenticate("staff@example.com", "correct horse battery")
            .await
            .unwrap()
            .is_none()
    );
});

// ------------------------------------------------------------ data values

use egret_domain::value::{Answer, Value};
use egret_store::{Source, ValueInput};

fn qty(x: &str, unit: &str) -> Answer {
    Answer::Value(Value::Quantity {
        amount: x.parse().unwrap(),
        unit: unit.into(),
    })
}

fn input_value(dp: &str, bk: &str, answer: Answer) -> ValueInput {
    ValueInput {
        datapoint: dp.into(),
        breakdown: bk.into(),
        answer,
        comment: None,
    }
}

/// A complete `xm-lite@1` disclosure: `answered`, and every other required
/// data point explained.
fn lite_inputs(answered: Vec<ValueInput>) -> Vec<ValueInput> {
    let cats = egret_domain::catalog::Catalogs::embedded();
    let mut inputs: Vec<ValueInput> = cats
        .catalog("xm-lite@1")
        .unwrap()
        .requirements
        .iter()
        .filter(|r| r.obligation == egret_domain::catalog::Obligation::Required)
        .map(|r| r.datapoint.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .filter(|d| !answered.iter().any(|a| &a.datapoint == d))
        .map(|dp| {
            input_value(
                &dp,
                "",
                Answer::NotDisclosed {
                    reason: "尚未统计".into(),
                },
            )
        })
        .collect();
    inputs.extend(answered);
    inputs
}

/// An assurer bound to `orgs`, acting for a registered firm (credit code
/// `code(n)`) holding a current qualification of `kind`.
async fn qualified_assurer(
    store: &Store,
    orgs: Vec<String>,
    n: u32,
    kind: &str,
) -> (String, Principal) {
    let a = admin();
    let assurer_id = store
        .create_user(
            &a,
            &egret_store::NewUser {
                email: format!("cpa{n}@assure.test"),
                display_name: "CPA".into(),
                role: Role::Assurer,
                password: "long-enough-password".into(),
                orgs,
            },
        )
        .await
        .unwrap();
    let firm = store
        .register_institution(
            &a,
            &egret_domain::institution::InstitutionInput {
                uscc: code(n),
                name_zh: format!("鹭岛会计师事务所{n}"),
                name_en: None,
                services: vec!["assurance".into(), "pcf-certification".into()],
                district: None,
            },
        )
        .await
        .unwrap();
    store
        .add_qualification(
            &a,
            &firm.institution_id,
            &egret_domain::institution::QualificationInput {
                kind: kind.into(),
                number: "1".into(),
                valid_from: "2010-01-01".into(),
                valid_to: None,
                scope: String::new(),
            },
        )
        .await
        .unwrap();
    store
        .add_institution_member(&a, &firm.institution_id, &assurer_id)
        .await
        .unwrap();
    let assurer = store
        .principal(&store.user(&assurer_id).await.unwrap())
        .await
        .unwrap();
    (assurer_id, assurer)
}

async fn org_with_period(store: &Store, n: u32) -> (String, String) {
    let a = admin();
    let rec = store.create_org(&a, &profile(n)).await.unwrap();
    let period = store
        .add_period(&a, &rec.org_id, &PeriodInput::calendar(2025))
        .await
        .unwrap();
    (rec.org_id, period)
}

on_all_backends!(
    values_are_stored_once_changed_with_audit_and_never_half_written,
    |store| {
        let (org, period) = org_with_period(store, 60).await;
        let ent = user(Role::Enterprise, &[&org]);
        let inputs = vec![
            input_value("ghg.scope1", "", qty("1234.5", "tCO2e")),
            input_value("workforce.headcount", "", Answer::Value(Value::Count(10))),
            input_value(
                "workforce.headcount",
                "gender:female",
                Answer::Value(Value::Count(4)),
            ),
            input_value(
                "gov.sustainability-oversight",
                "",
                Answer::NotDisclosed {
                    reason: "商业秘密".into(),
                },
            ),
        ];
        let r = store
            .put_values(&ent, &org, &period, &inputs, &Source::Manual)
            .await
            .unwrap();
        assert_eq!((r.created, r.changed, r.unchanged), (4, 0, 0));
        let r = store
            .put_values(&ent, &org, &period, &inputs, &Source::Manual)
            .await
            .unwrap();
        assert_eq!(
            (r.created, r.changed, r.unchanged),
            (0, 0, 4),
            "unchanged values are not rewritten"
        );
        let r = store
            .put_values(
                &ent,
                &org,
                &period,
                &[input_value("ghg.scope1", "", qty("1300", "tCO2e"))],
                &Source::Import {
                    file: "a.xlsx".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(r.changed, 1);
        let values = store.list_values(&ent, &org, &period).await.unwrap();
        let s1 = values.iter().find(|v| v.datapoint == "ghg.scope1").unwrap();
        assert_eq!(
            (s1.version, s1.source.as_str(), s1.source_ref.as_deref()),
            (2, "import", Some("a.xlsx"))
        );
        let audit = store.audit_for_org(&admin(), &org, 50).await.unwrap();
        let upd = audit
            .iter()
            .find(|e| e.entity == "data_value" && e.action == "update")
            .unwrap();
        assert_eq!(
            upd.before.as_ref().unwrap()["answer"]["value"]["amount"],
            "1234.5"
        );

        // Bad inputs: every problem named, nothing written.
        let bad = vec![
            input_value("ghg.scope1", "", qty("5", "kWh")),
            input_value("no.such.point", "", Answer::Value(Value::Count(1))),
            input_value(
                "workforce.headcount",
                "gender:robot",
                Answer::Value(Value::Count(1)),
            ),
            input_value(
                "energy.total",
                "",
                Answer::NotDisclosed { reason: " ".into() },
            ),
            input_value("ghg.scope1", "", qty("-3", "tCO2e")),
        ];
        match store
            .put_values(&ent, &org, &period, &bad, &Source::Manual)
            .await
            .unwrap_err()
        {
            StoreError::Invalid(errs) => {
                let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
                for f in [
                    "values[0].answer",
                    "values[1].datapoint",
                    "values[2].breakdown",
                    "values[3].answer",
                    "values[4].breakdown",
                ] {
                    assert!(fields.contains(&f), "{f} missing from {fields:?}");
                }
            }
            e => panic!("{e}"),
        }
        assert_eq!(
            store.list_values(&ent, &org, &period).await.unwrap().len(),
            4
        );
    }
);

on_all_backends!(unpublished_values_stay_with_their_organisation, |store| {
    let (org, period) = org_with_period(store, 61).await;
    let ent = user(Role::Enterprise, &[&org]);
    store
        .put_values(
            &ent,
            &org,
            &period,
            &[input_value("ghg.scope1", "", qty("1", "tCO2e"))],
            &Source::Manual,
        )
        .await
        .unwrap();
    for role in [Role::Bank, Role::Analyst, Role::CityGov] {
        assert!(
            matches!(
                store.list_values(&user(role, &[]), &org, &period).await,
                Err(StoreError::Forbidden { .. })
            ),
            "{role:?}"
        );
    }
    let other = user(Role::Enterprise, &["someone-else"]);
    assert!(matches!(
        store.list_values(&other, &org, &period).await,
        Err(StoreError::NotFound { .. })
    ));
    assert!(
        store
            .put_values(&other, &org, &period, &[], &Source::Manual)
            .await
            .is_err()
    );
    let asr = user(Role::Assurer, &[&org]);
    assert_eq!(
        store.list_values(&asr, &org, &period).await.unwrap().len(),
        1
    );
    assert!(matches!(
        store
            .put_values(
                &asr,
                &org,
                &period,
                &[input_value("ghg.scope1", "", qty("2", "tCO2e"))],
                &Source::Manual
            )
            .await,
        Err(StoreError::Forbidden { .. })
    ));
});

on_all_backends!(
    review_needs_a_second_person_and_evidence_is_content_addressed,
    |store| {
        let (org, period) = org_with_period(store, 62).await;
        let ent = user(Role::Enterprise, &[&org]);
        let mut colleague = user(Role::Enterprise, &[&org]);
        colleague.user_id = "u-colleague".into();
        store
            .put_values(
                &ent,
                &org,
                &period,
                &[input_value("ghg.scope1", "", qty("1", "tCO2e"))],
                &Source::Manual,
            )
            .await
            .unwrap();
        assert!(
            matches!(store.review_values(&ent, &org, &period, &[]).await, Err(StoreError::Conflict(ref m)) if m.key == "store-review-own")
        );
        assert_eq!(
            store
                .review_values(&colleague, &org, &period, &[])
                .await
                .unwrap(),
            1
        );
        let v = &store.list_values(&ent, &org, &period).await.unwrap()[0];
        assert_eq!(
            (v.status.as_str(), v.reviewed_by.as_deref()),
            ("reviewed", Some("u-colleague"))
        );

        let sha = store
            .attach_evidence(
                &ent,
                &org,
                &period,
                "ghg.scope1",
                "",
                "电费单.pdf",
                "application/pdf",
                b"%PDF-1.4 bill",
            )
            .await
            .unwrap();
        let again = store
            .attach_evidence(
                &ent,
                &org,
                &period,
                "ghg.scope1",
                "",
                "copy.pdf",
                "application/pdf",
                b"%PDF-1.4 bill",
            )
            .await
            .unwrap();
        assert_eq!(sha, again, "same bytes, same file");
        let (info, bytes) = store.evidence(&ent, &org, &sha).await.unwrap();
        assert_eq!(
            (info.file_name.as_str(), bytes.as_slice()),
            ("电费单.pdf", &b"%PDF-1.4 bill"[..])
        );
        assert_eq!(
            store.list_values(&ent, &org, &period).await.unwrap()[0].evidence,
            vec![sha.clone()]
        );
        assert!(
            store
                .attach_evidence(
                    &ent,
                    &org,
                    &period,
                    "ghg.scope1",
                    "",
                    "empty",
                    "text/plain",
                    b""
                )
                .await
                .is_err()
        );
        assert!(matches!(
            store.evidence(&user(Role::Bank, &[]), &org, &sha).await,
            Err(StoreError::Forbidden { .. })
        ));
    }
);

on_all_backends!(pending_uploads_apply_only_for_their_uploader, |store| {
    let (org, period) = org_with_period(store, 63).await;
    let ent = user(Role::Enterprise, &[&org]);
    let inputs = vec![input_value("ghg.scope1", "", qty("7", "tCO2e"))];
    let id = store
        .save_pending_upload(
            &ent,
            &org,
            &period,
            "cn-exchange-sr@2024",
            "f.xlsx",
            &inputs,
        )
        .await
        .unwrap();
    let mut other = user(Role::Enterprise, &[&org]);
    other.user_id = "u-other".into();
    assert!(
        store
            .confirm_pending_upload(&other, &org, &id)
            .await
            .is_err()
    );
    assert!(
        store
            .list_values(&ent, &org, &period)
            .await
            .unwrap()
            .is_empty(),
        "nothing until confirmed"
    );
    let (pending, report) = store.confirm_pending_upload(&ent, &org, &id).await.unwrap();
    assert_eq!((pending.file_name.as_str(), report.created), ("f.xlsx", 1));
    assert!(
        store.confirm_pending_upload(&ent, &org, &id).await.is_err(),
        "used once"
    );
});

on_all_backends!(
    foreign_currency_amounts_convert_at_the_periods_rate,
    |store| {
        let (org, period) = org_with_period(store, 62).await;
        let ent = user(Role::Enterprise, &[&org]);
        let usd = |x: &str| {
            Answer::Value(Value::Amount {
                amount: x.parse().unwrap(),
                unit: "USD".into(),
            })
        };
        store
            .put_values(
                &ent,
                &org,
                &period,
                &[
                    input_value("finance.revenue", "", usd("1000000")),
                    input_value("ghg.scope12", "", qty("500000", "tCO2e")),
                ],
                &Source::Manual,
            )
            .await
            .unwrap();
        let p = store.period_for_year(&ent, &org, 2025).await.unwrap();
        // 2025 has no reference rate: the amount is flagged, not guessed.
        let findings = store.check_period(&ent, &p).await.unwrap();
        assert!(
            findings
                .iter()
                .any(|f| f.rule == "fx-rate-missing" && f.datapoint == "finance.revenue"),
            "{findings:?}"
        );
        assert!(!findings.iter().any(|f| f.rule.contains("intensity")));

        // Bad rates are refused field by field; nothing is written.
        match store
            .set_fx_rate(&ent, &org, &period, "XYZ", "-1", " ")
            .await
            .unwrap_err()
        {
            StoreError::Invalid(errs) => {
                let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["currency", "cny_per_unit", "note"]);
            }
            e => panic!("{e}"),
        }
        assert!(
            store
                .fx_rates(&ent, &org, &period)
                .await
                .unwrap()
                .is_empty()
        );

        // With the organisation's rate the revenue is 7,100,000 yuan, so
        // 500,000 t over 710 万元 is an implausible intensity.
        let r = store
            .set_fx_rate(
                &ent,
                &org,
                &period,
                "usd",
                "7.10",
                "2025 annual report, note 5",
            )
            .await
            .unwrap();
        assert_eq!(
            (r.currency.as_str(), r.cny_per_unit.to_string().as_str()),
            ("USD", "7.1")
        );
        let findings = store.check_period(&ent, &p).await.unwrap();
        assert!(!findings.iter().any(|f| f.rule == "fx-rate-missing"));
        assert!(
            findings.iter().any(|f| f.rule == "ghg-intensity-revenue"),
            "the intensity rule sees the converted revenue: {findings:?}"
        );
        store
            .set_fx_rate(&ent, &org, &period, "USD", "7.2", "restated")
            .await
            .unwrap();
        let audit = store.audit_for_org(&admin(), &org, 50).await.unwrap();
        let upd = audit
            .iter()
            .find(|e| e.entity == "fx_rate" && e.action == "update")
            .unwrap();
        assert_eq!(upd.before.as_ref().unwrap()["cny_per_unit"], "7.1");

        // Other organisations' rates are out of reach.
        let (other, other_period) = org_with_period(store, 63).await;
        assert!(matches!(
            store
                .set_fx_rate(&ent, &other, &other_period, "USD", "7", "x")
                .await,
            Err(StoreError::NotFound { .. })
        ));
        let viewer = user(Role::Enterprise, &[&other]);
        assert!(store.fx_rates(&viewer, &org, &period).await.is_err());
    }
);

// ------------------------------------------------------------ carbon

use egret_store::ActivityInput;

fn activity(category: &str, quantity: &str, unit: &str, factor: &str) -> ActivityInput {
    ActivityInput {
        activity_id: None,
        site_id: None,
        category: category.into(),
        description: None,
        quantity: quantity.parse().unwrap(),
        unit: unit.into(),
        factor: factor.into(),
        instrument: None,
        market_factor: None,
    }
}

on_all_backends!(
    inventories_are_calculated_kept_and_flow_into_the_data_points,
    |store| {
        let (org, period) = org_with_period(store, 70).await;
        let ent = user(Role::Enterprise, &[&org]);
        // Bad activities are refused field by field; nothing is written.
        let bad = vec![
            activity("scope1.mobile", "-5", "t", "cn.fuel.diesel"),
            activity("scope9.x", "1", "t", "cn.fuel.diesel"),
            activity("scope1.mobile", "1", "kWh", "cn.fuel.diesel"),
            activity("scope1.mobile", "1", "t", "no.such.factor"),
        ];
        match store
            .put_activities(&ent, &org, &period, &bad, &Source::Manual)
            .await
            .unwrap_err()
        {
            StoreError::Invalid(errs) => {
                let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(
                    fields,
                    [
                        "activities[0].quantity",
                        "activities[1].category",
                        "activities[2].unit",
                        "activities[3].factor"
                    ]
                );
            }
            e => panic!("{e}"),
        }
        assert!(
            store
                .list_activities(&ent, &org, &period)
                .await
                .unwrap()
                .is_empty()
        );

        // factors.md §6 Test 1 (Xiamen manufacturer).
        let good = vec![
            activity("scope1.stationary", "1000", "t", "cn.fuel.bituminous-coal"),
            activity("scope1.stationary", "100", "10^4Nm3", "cn.fuel.natural-gas"),
            activity("scope1.mobile", "50", "t", "cn.fuel.diesel"),
            activity("scope2.heat", "5000", "GJ", "cn.heat.default"),
            activity("scope2.electricity", "10000", "MWh", "cn.grid.fujian.2022"),
        ];
        let ids = store
            .put_activities(&ent, &org, &period, &good, &Source::Manual)
            .await
            .unwrap();
        assert_eq!(ids.len(), 5);
        let p = store.period_for_year(&ent, &org, 2025).await.unwrap();
        let run = store.calculate_inventory(&ent, &p, "ar6").await.unwrap();
        assert_eq!(run.scope1_t.round_dp(4), "4058.7339".parse().unwrap());
        assert_eq!(run.scope2_location_t, "4642".parse().unwrap());
        assert_eq!(
            run.scope2_market_t,
            "6406".parse().unwrap(),
            "residual 2022"
        );
        let results = store.carbon_results(&ent, &org, &run.run_id).await.unwrap();
        assert_eq!(results.len(), 5);
        let e = results
            .iter()
            .find(|r| r.category == "scope2.electricity")
            .unwrap();
        assert_eq!(
            (e.factor.as_str(), e.market_factor.as_deref()),
            ("cn.grid.fujian.2022", Some("cn.grid.residual.2022"))
        );
        // The totals are the data points' values, calculated and traceable.
        let values = store.list_values(&ent, &org, &period).await.unwrap();
        let v = values
            .iter()
            .find(|v| v.datapoint == "ghg.scope12" && v.breakdown.is_empty())
            .unwrap();
        assert_eq!(v.source, "calculated");
        assert_eq!(
            v.source_ref.as_deref(),
            Some(format!("carbon-run:{}", run.run_id).as_str())
        );
        assert_eq!(
            v.answer,
            Answer::Value(Value::Quantity {
                amount: "8700.733861".parse().unwrap(),
                unit: "tCO2e".into()
            })
        );
        // A correction is a new run; the first one stays.
        store
            .put_activities(
                &ent,
                &org,
                &period,
                &[ActivityInput {
                    activity_id: Some(ids[4].clone()),
                    instrument: Some("gec".into()),
                    ..good[4].clone()
                }],
                &Source::Manual,
            )
            .await
            .unwrap();
        let run2 = store.calculate_inventory(&ent, &p, "ar6").await.unwrap();
        assert_eq!(run2.scope2_market_t, "550".parse().unwrap());
        let runs = store.carbon_runs(&ent, &org, &period).await.unwrap();
        assert_eq!(runs.len(), 2);
        assert_eq!(
            store.carbon_results(&ent, &org, &run.run_id).await.unwrap(),
            results,
            "the first run is unchanged"
        );
        let audit = store.audit_for_org(&admin(), &org, 100).await.unwrap();
        assert!(audit.iter().any(|e| e.entity == "carbon_run"));
        assert!(
            audit
                .iter()
                .any(|e| e.entity == "carbon_activity" && e.action == "update")
        );
        // Other organisations see nothing and change nothing.
        let (other, _) = org_with_period(store, 71).await;
        let stranger = user(Role::Enterprise, &[&other]);
        assert!(
            store
                .list_activities(&stranger, &org, &period)
                .await
                .is_err()
        );
        assert!(store.carbon_runs(&stranger, &org, &period).await.is_err());
        assert!(matches!(
            store.calculate_inventory(&stranger, &p, "ar6").await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(
            store
                .delete_activity(&stranger, &org, &period, &ids[0])
                .await
                .is_err()
        );
        store
            .delete_activity(&ent, &org, &period, &ids[0])
            .await
            .unwrap();
        assert_eq!(
            store
                .list_activities(&ent, &org, &period)
                .await
                .unwrap()
                .len(),
            4
        );
    }
);

on_all_backends!(
    added_factors_are_scoped_sourced_and_never_replace_the_library,
    |store| {
        use egret_store::{FactorInput, FactorOwner, GasInput};
        let (org, period) = org_with_period(store, 72).await;
        let (other, other_period) = org_with_period(store, 73).await;
        let ent = user(Role::Enterprise, &[&org]);
        let them = user(Role::Enterprise, &[&other]);
        let city = user(Role::CityGov, &[]);
        let input = |id: &str, value: &str| FactorInput {
            id: id.into(),
            name_zh: "售电公司电力因子".into(),
            name_en: "Supplier power".into(),
            per_unit: "MWh".into(),
            gases: vec![GasInput {
                gas: "CO2".into(),
                value: value.parse().unwrap(),
                unit: "t".into(),
            }],
            source: "supplier letter 2025-03".into(),
            year: Some(2025),
            supplier_electricity: true,
            valid_from: None,
            valid_to: None,
        };
        // Prefixes keep the namespaces apart; shipped ids cannot be taken.
        for (owner, id) in [
            (FactorOwner::Org(&org), "cn.grid.fujian.2022"),
            (FactorOwner::Org(&org), "city.x"),
            (FactorOwner::City, "org.x"),
        ] {
            let who = if owner == FactorOwner::City {
                &city
            } else {
                &ent
            };
            assert!(
                matches!(
                    store.add_factor(who, owner, &input(id, "0.3")).await,
                    Err(StoreError::Invalid(_))
                ),
                "{id}"
            );
        }
        // Only the city adds city factors; only the organisation its own.
        assert!(
            store
                .add_factor(&ent, FactorOwner::City, &input("city.x", "0.3"))
                .await
                .is_err()
        );
        assert!(
            store
                .add_factor(&them, FactorOwner::Org(&org), &input("org.x", "0.3"))
                .await
                .is_err()
        );
        let mut no_source = input("org.nosource", "0.3");
        no_source.source = " ".into();
        assert!(
            store
                .add_factor(&ent, FactorOwner::Org(&org), &no_source)
                .await
                .is_err()
        );

        store
            .add_factor(&ent, FactorOwner::Org(&org), &input("org.supplier", "0.31"))
            .await
            .unwrap();
        store
            .add_factor(&city, FactorOwner::City, &input("city.xm-mix", "0.45"))
            .await
            .unwrap();
        assert!(
            store
                .add_factor(&ent, FactorOwner::Org(&org), &input("org.supplier", "0.2"))
                .await
                .is_err(),
            "an id is never replaced"
        );
        // The own factor prices market-based scope 2; the city factor serves everyone.
        let mut a = activity("scope2.electricity", "100", "MWh", "city.xm-mix");
        a.market_factor = Some("org.supplier".into());
        store
            .put_activities(&ent, &org, &period, &[a.clone()], &Source::Manual)
            .await
            .unwrap();
        let p = store.period_for_year(&ent, &org, 2025).await.unwrap();
        let run = store.calculate_inventory(&ent, &p, "ar6").await.unwrap();
        assert_eq!(run.scope2_location_t, "45".parse().unwrap());
        assert_eq!(run.scope2_market_t, "31".parse().unwrap());
        // Another organisation cannot use the first one's factor.
        match store
            .put_activities(&them, &other, &other_period, &[a], &Source::Manual)
            .await
        {
            Err(StoreError::Invalid(errs)) => {
                assert_eq!(errs[0].field, "activities[0].market_factor")
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(store.org_factors(&ent, &org).await.unwrap().len(), 1);
        // A factor valid only in 2024 cannot be used for the 2025 period.
        let mut old = input("org.old", "0.5");
        old.valid_to = Some("2024-12-31".into());
        store
            .add_factor(&ent, FactorOwner::Org(&org), &old)
            .await
            .unwrap();
        match store
            .put_activities(
                &ent,
                &org,
                &period,
                &[activity("scope2.electricity", "1", "MWh", "org.old")],
                &Source::Manual,
            )
            .await
        {
            Err(StoreError::Invalid(errs)) => {
                assert_eq!(errs[0].msg.key, "carbon-factor-not-valid")
            }
            other => panic!("{other:?}"),
        }
        assert!(store.org_factors(&them, &org).await.is_err());
        assert_eq!(
            store.city_factors().await.unwrap()[0].source,
            "supplier letter 2025-03"
        );
    }
);

on_all_backends!(outputs_are_recorded_for_intensities, |store| {
    let (org, period) = org_with_period(store, 74).await;
    let ent = user(Role::Enterprise, &[&org]);
    match store
        .add_output(&ent, &org, &period, " ", "0".parse().unwrap(), "")
        .await
        .unwrap_err()
    {
        StoreError::Invalid(errs) => {
            let f: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
            assert_eq!(f, ["description", "unit", "quantity"]);
        }
        e => panic!("{e}"),
    }
    let o = store
        .add_output(&ent, &org, &period, "水泥", "12000".parse().unwrap(), "t")
        .await
        .unwrap();
    assert_eq!(
        store.list_outputs(&ent, &org, &period).await.unwrap(),
        vec![o]
    );
    let stranger = user(Role::Enterprise, &[]);
    assert!(store.list_outputs(&stranger, &org, &period).await.is_err());
});

on_all_backends!(submissions_are_chained_never_edited_and_verified, |store| {
    let (org, period) = org_with_period(store, 75).await;
    let ent = user(Role::Enterprise, &[&org]);
    let p = store.period_for_year(&ent, &org, 2025).await.unwrap();
    let cats = egret_domain::catalog::Catalogs::embedded();
    let catalog = cats.catalog("xm-lite@1").unwrap();
    // Nothing answered: refused, naming every missing required data point.
    let missing = match store.submit(&ent, &p, "xm-lite@1", None).await.unwrap_err() {
        StoreError::Invalid(errs) => errs,
        e => panic!("{e}"),
    };
    assert!(missing.len() > 3);
    assert!(missing.iter().all(|e| e.field.starts_with("datapoints.")));
    // Explain every required point (comply-or-explain), then submit.
    let inputs: Vec<ValueInput> = catalog
        .requirements
        .iter()
        .filter(|r| r.obligation == egret_domain::catalog::Obligation::Required)
        .map(|r| r.datapoint.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|dp| {
            input_value(
                &dp,
                "",
                Answer::NotDisclosed {
                    reason: "尚未统计 / not yet measured".into(),
                },
            )
        })
        .collect();
    store
        .put_values(&ent, &org, &period, &inputs, &Source::Manual)
        .await
        .unwrap();
    // Some real values, for the xBRL facts.
    store
        .put_values(
            &ent,
            &org,
            &period,
            &[
                input_value("ghg.scope1", "", qty("1234.5", "tCO2e")),
                input_value(
                    "workforce.headcount",
                    "gender:female",
                    Answer::Value(Value::Count(4)),
                ),
                input_value(
                    "finance.revenue",
                    "",
                    Answer::Value(Value::Amount {
                        amount: "1500".parse().unwrap(),
                        unit: "CNY_10k".into(),
                    }),
                ),
            ],
            &Source::Manual,
        )
        .await
        .unwrap();
    let first = store.submit(&ent, &p, "xm-lite@1", None).await.unwrap();
    let x = egret_domain::xbrl::from_snapshot(
        &first.snapshot,
        egret_domain::catalog::Catalogs::embedded(),
        egret_domain::refdata::ReferenceData::embedded(),
    );
    assert_eq!(
        egret_domain::xbrl::check_structure(&x),
        Vec::<String>::new()
    );
    let facts = x["facts"].as_object().unwrap();
    let scope1 = facts
        .values()
        .find(|f| f["dimensions"]["concept"] == "ifrs-sds:AbsoluteGrossScope1GHGEmissions")
        .expect("scope 1 is tagged with the IFRS concept");
    assert_eq!(
        (
            scope1["value"].as_str(),
            scope1["dimensions"]["unit"].as_str()
        ),
        (Some("1234.5"), Some("utr:tCO2e"))
    );
    assert!(
        facts
            .values()
            .any(|f| f["dimensions"]["unit"] == "iso4217:CNY" && f["value"] == "15000000")
    );
    assert!(
        facts
            .values()
            .any(|f| f["dimensions"]["egret:genderAxis"] == "egret:femaleMember")
    );
    assert_eq!(
        (first.seq, first.version, first.prev_digest.as_str()),
        (1, 1, egret_store::GENESIS)
    );
    assert_eq!(
        first.digest,
        egret_store::chain_digest(
            egret_store::GENESIS,
            &egret_store::canonical(&first.snapshot)
        )
    );
    // A correction needs a reason and links to the first.
    assert!(store.submit(&ent, &p, "xm-lite@1", None).await.is_err());
    let second = store
        .submit(&ent, &p, "xm-lite@1", Some("补充说明 / added explanation"))
        .await
        .unwrap();
    assert_eq!((second.seq, second.version), (2, 2));
    assert_eq!(second.prev_digest, first.digest);
    assert_eq!(store.verify_chains().await.unwrap(), (2, vec![]));

    // Published submissions are public; others are not.
    let stranger = user(Role::Enterprise, &[]);
    assert!(
        store
            .submission(&stranger, &org, &second.submission_id)
            .await
            .is_err()
    );
    assert!(
        store
            .submission_event(&ent, &org, &second.submission_id, "withdraw", None)
            .await
            .is_err(),
        "a withdrawal needs a reason"
    );
    store
        .submission_event(&ent, &org, &second.submission_id, "publish", None)
        .await
        .unwrap();
    let public = store
        .submission(&stranger, &org, &second.submission_id)
        .await
        .unwrap();
    assert_eq!(public.status, "published");
    assert_eq!(
        store.list_submissions(&stranger, &org).await.unwrap().len(),
        1
    );
    store
        .submission_event(
            &ent,
            &org,
            &second.submission_id,
            "withdraw",
            Some("数据有误"),
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .submission(&ent, &org, &second.submission_id)
            .await
            .unwrap()
            .status,
        "withdrawn"
    );
    assert!(
        store
            .list_submissions(&stranger, &org)
            .await
            .unwrap()
            .is_empty()
    );

    // Editing a submitted row behind the platform's back is found, named.
    store
        .execute_admin(&format!(
            "UPDATE submissions SET snapshot = REPLACE(snapshot, 'not yet measured', 'measured') \
             WHERE submission_id = '{}'",
            first.submission_id
        ))
        .await
        .unwrap();
    let (n, broken) = store.verify_chains().await.unwrap();
    assert_eq!(n, 2);
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert_eq!(broken[0].submission_id, first.submission_id);
});

on_all_backends!(
    an_assurance_engagement_runs_to_a_signed_conclusion,
    |store| {
        use egret_store::{EngagementInput, NewUser};
        let (org, period) = org_with_period(store, 76).await;
        let ent = user(Role::Enterprise, &[&org]);
        let assurer_id = store
            .create_user(
                &admin(),
                &NewUser {
                    email: "practitioner@assure.test".into(),
                    display_name: "嘉禾鉴证 / Jiahe".into(),
                    role: Role::Assurer,
                    password: "long-enough-password".into(),
                    orgs: vec![org.clone()],
                },
            )
            .await
            .unwrap();
        let assurer = store
            .principal(&store.user(&assurer_id).await.unwrap())
            .await
            .unwrap();
        let p = store.period_for_year(&ent, &org, 2025).await.unwrap();
        // A complete submission of the lightweight standard with scope 1.
        let inputs = lite_inputs(vec![input_value("ghg.scope1", "", qty("1200", "tCO2e"))]);
        store
            .put_values(&ent, &org, &period, &inputs, &Source::Manual)
            .await
            .unwrap();
        let v1 = store.submit(&ent, &p, "xm-lite@1", None).await.unwrap();
        let engagement = EngagementInput {
            assurer_id: assurer_id.clone(),
            standard: "isae-3410".into(),
            level: "limited".into(),
            scope: vec!["ghg.scope1".into()],
            criteria: "GHG Protocol Corporate Standard".into(),
            materiality: Some("5%".into()),
        };
        // Standards, levels, assurers and scope are checked.
        for (field, bad) in [
            (
                "standard",
                EngagementInput {
                    standard: "isa-9999".into(),
                    ..engagement.clone()
                },
            ),
            (
                "level",
                EngagementInput {
                    level: "absolute".into(),
                    ..engagement.clone()
                },
            ),
            (
                "assurer_id",
                EngagementInput {
                    assurer_id: "nobody".into(),
                    ..engagement.clone()
                },
            ),
            (
                "scope",
                EngagementInput {
                    scope: vec!["energy.total".into()],
                    ..engagement.clone()
                },
            ),
        ] {
            match store.engage(&ent, &org, &v1.submission_id, &bad).await {
                Err(StoreError::Invalid(errs)) => assert_eq!(errs[0].field, field),
                other => panic!("{field}: {other:?}"),
            }
        }
        // The assurer must act for a registered institution that holds a
        // valid assurance qualification.
        let refused = |r: Result<egret_store::Engagement, StoreError>, key: &str| match r {
            Err(StoreError::Invalid(errs)) => assert_eq!(errs[0].msg.key, key),
            other => panic!("{key}: {other:?}"),
        };
        refused(
            store
                .engage(&ent, &org, &v1.submission_id, &engagement)
                .await,
            "store-assurance-no-institution",
        );
        let city = user(Role::CityGov, &[]);
        let firm_input = egret_domain::institution::InstitutionInput {
            uscc: code(9_076),
            name_zh: "嘉禾鉴证事务所".into(),
            name_en: Some("Jiahe Assurance".into()),
            services: vec!["assurance".into(), "ghg-verification".into()],
            district: None,
        };
        assert!(matches!(
            store.register_institution(&ent, &firm_input).await,
            Err(StoreError::Forbidden { .. })
        ));
        let firm = store
            .register_institution(&city, &firm_input)
            .await
            .unwrap();
        assert!(
            store
                .register_institution(&city, &firm_input)
                .await
                .is_err()
        );
        store
            .add_institution_member(&city, &firm.institution_id, &assurer_id)
            .await
            .unwrap();
        refused(
            store
                .engage(&ent, &org, &v1.submission_id, &engagement)
                .await,
            "store-assurance-unqualified",
        );
        let qual = |number: &str, to: &str| egret_domain::institution::QualificationInput {
            kind: "cpa-firm".into(),
            number: number.into(),
            valid_from: "2015-01-01".into(),
            valid_to: Some(to.into()),
            scope: "证券服务业务".into(),
        };
        store
            .add_qualification(&city, &firm.institution_id, &qual("35020001", "2020-12-31"))
            .await
            .unwrap();
        refused(
            store
                .engage(&ent, &org, &v1.submission_id, &engagement)
                .await,
            "store-assurance-unqualified",
        );
        store
            .add_qualification(&city, &firm.institution_id, &qual("35020002", "2099-12-31"))
            .await
            .unwrap();
        let e = store
            .engage(&ent, &org, &v1.submission_id, &engagement)
            .await
            .unwrap();
        // Only the engaged assurer raises findings, only on the scope.
        assert!(
            store
                .raise_finding(&ent, &org, &e.engagement_id, "ghg.scope1", "x", None)
                .await
                .is_err()
        );
        assert!(
            store
                .raise_finding(&assurer, &org, &e.engagement_id, "energy.total", "x", None)
                .await
                .is_err()
        );
        store
            .raise_finding(
                &assurer,
                &org,
                &e.engagement_id,
                "ghg.scope1",
                "柴油用量漏计 / diesel missing",
                Some("1250"),
            )
            .await
            .unwrap();
        let e = store
            .engagement(&assurer, &org, &e.engagement_id)
            .await
            .unwrap();
        assert!(
            store
                .conclude(&assurer, &org, &e.engagement_id, "p", "c", "张三")
                .await
                .is_err(),
            "an open finding blocks the conclusion"
        );
        // The enterprise corrects with a new version and answers.
        store
            .put_values(
                &ent,
                &org,
                &period,
                &[input_value("ghg.scope1", "", qty("1250", "tCO2e"))],
                &Source::Manual,
            )
            .await
            .unwrap();
        let v2 = store
            .submit(&ent, &p, "xm-lite@1", Some("按鉴证意见更正 / corrected"))
            .await
            .unwrap();
        store
            .respond_finding(
                &ent,
                &org,
                &e.engagement_id,
                &e.findings[0].finding_id,
                "已更正，见第2版",
            )
            .await
            .unwrap();
        let c = store
            .conclude(
                &assurer,
                &org,
                &e.engagement_id,
                "询问、分析程序、抽样检查燃料台账 / inquiry, analytics, sampling of fuel records",
                "我们未发现任何事项使我们认为范围一排放在所有重大方面未按标准编制。",
                "张三 CPA",
            )
            .await
            .unwrap();
        assert_eq!(
            (c.submission_id.as_str(), c.form.as_str()),
            (v2.submission_id.as_str(), "negative")
        );
        // Concluded: nothing more; outsiders see nothing before publication.
        assert!(
            store
                .raise_finding(&assurer, &org, &e.engagement_id, "ghg.scope1", "late", None)
                .await
                .is_err()
        );
        let stranger = user(Role::Enterprise, &[]);
        assert!(
            store
                .engagement(&stranger, &org, &e.engagement_id)
                .await
                .is_err()
        );
        assert_eq!(
            store
                .engagements_for(&ent, &org, &v2.submission_id)
                .await
                .unwrap()
                .len(),
            1
        );
        // The city sees the coverage; enterprises do not.
        assert!(store.assurance_coverage(&ent).await.is_err());
        let cov = store
            .assurance_coverage(&user(Role::CityGov, &[]))
            .await
            .unwrap();
        let y = cov.iter().find(|y| y.fiscal_year == 2025).unwrap();
        assert_eq!((y.submissions, y.assured, y.datapoints_assured), (1, 1, 1));
        // The registry shows the institution's service record.
        let firm = store.institution(&firm.institution_id).await.unwrap();
        assert_eq!(
            e.institution_id.as_deref(),
            Some(firm.institution_id.as_str())
        );
        assert_eq!(firm.qualifications.len(), 2);
        assert_eq!(
            firm.record,
            egret_store::ServiceRecord {
                engagements: 1,
                concluded: 1,
                findings: 1,
                findings_answered: 1,
                ..Default::default()
            }
        );
        // A suspended institution takes no new engagements.
        store
            .set_institution_status(&city, &firm.institution_id, "suspended", "监管处罚")
            .await
            .unwrap();
        refused(
            store
                .engage(&ent, &org, &v2.submission_id, &engagement)
                .await,
            "store-assurance-unqualified",
        );
    }
);

on_all_backends!(
    narratives_and_comparatives_are_frozen_into_the_submission,
    |store| {
        let (org, period) = org_with_period(store, 77).await;
        let a = admin();
        let ent = user(Role::Enterprise, &[&org]);
        let prior_period = store
            .add_period(&a, &org, &PeriodInput::calendar(2024))
            .await
            .unwrap();
        let inputs = lite_inputs(vec![input_value("ghg.scope1", "", qty("1200", "tCO2e"))]);
        store
            .put_values(&ent, &org, &period, &inputs, &Source::Manual)
            .await
            .unwrap();
        store
            .put_values(
                &ent,
                &org,
                &prior_period,
                &[input_value("ghg.scope1", "", qty("1350", "tCO2e"))],
                &Source::Manual,
            )
            .await
            .unwrap();
        let p = store.period_for_year(&ent, &org, 2025).await.unwrap();
        // Bad sections, languages and strangers write nothing.
        let bad = [("no-such-section", "zh", "section"), ("b3", "fr", "lang")];
        for (section, lang, field) in bad {
            match store
                .put_narrative(&ent, &p, "xm-lite@1", section, &[("zh", "好"), (lang, "x")])
                .await
            {
                Err(StoreError::Invalid(e)) => assert_eq!(e[0].field, field),
                other => panic!("{section}/{lang}: {other:?}"),
            }
        }
        let stranger = user(Role::Enterprise, &[]);
        assert!(
            store
                .put_narrative(&stranger, &p, "xm-lite@1", "b3", &[("zh", "x")])
                .await
                .is_err()
        );
        assert!(
            store
                .narratives(&ent, &p, "xm-lite@1")
                .await
                .unwrap()
                .is_empty()
        );
        store
            .put_narrative(
                &ent,
                &p,
                "xm-lite@1",
                "b3",
                &[
                    ("zh", "公司持续降低能耗。"),
                    ("en", "We keep cutting energy use."),
                ],
            )
            .await
            .unwrap();
        // A second save changes only what changed, and an empty text clears.
        store
            .put_narrative(
                &ent,
                &p,
                "xm-lite@1",
                "b3",
                &[
                    ("zh", "公司持续降低能耗与排放。"),
                    ("en", "We keep cutting energy use."),
                ],
            )
            .await
            .unwrap();
        let n = store.narratives(&ent, &p, "xm-lite@1").await.unwrap();
        assert_eq!(
            n.iter()
                .map(|n| (n.lang.as_str(), n.version))
                .collect::<Vec<_>>(),
            [("en", 1), ("zh", 2)]
        );
        let log = store.audit_for_org(&a, &org, 100).await.unwrap();
        assert_eq!(
            log.iter().filter(|e| e.entity == "narrative").count(),
            3,
            "two creates and one update"
        );
        let s = store.submit(&ent, &p, "xm-lite@1", None).await.unwrap();
        assert_eq!(s.snapshot["format"], "egret-submission/2");
        assert_eq!(
            s.snapshot["narratives"][1]["body"],
            "公司持续降低能耗与排放。"
        );
        let prior = s.snapshot["prior"].as_array().unwrap();
        assert_eq!(prior.len(), 1, "{prior:?}");
        assert_eq!(prior[0]["fiscal_year"], 2024);
        assert_eq!(prior[0]["answer"]["value"]["amount"], "1350", "{prior:?}");
        // Later edits do not reach the submission; the chain still holds.
        store
            .put_narrative(&ent, &p, "xm-lite@1", "b3", &[("zh", "")])
            .await
            .unwrap();
        let again = store
            .submission(&ent, &org, &s.submission_id)
            .await
            .unwrap();
        assert_eq!(again.snapshot, s.snapshot);
        assert!(store.verify_chains().await.unwrap().1.is_empty());
        // The city's statistics count it once published, with its figures,
        // and not after a withdrawal; enterprises do not read them.
        let city = user(Role::CityGov, &[]);
        assert!(store.city_facts(&ent, &[]).await.is_err());
        let facts = store.city_facts(&city, &["ghg.scope1"]).await.unwrap();
        assert!(facts.published.is_empty() && facts.figures.is_empty());
        store
            .submission_event(&ent, &org, &s.submission_id, "publish", None)
            .await
            .unwrap();
        let facts = store.city_facts(&city, &["ghg.scope1"]).await.unwrap();
        assert_eq!(facts.published, [(org.clone(), 2025)]);
        assert_eq!(facts.figures.len(), 1);
        assert_eq!(facts.figures[0].value, "1200".parse().unwrap());
        assert_eq!(facts.figures[0].unit, "tCO2e");
        assert!(facts.orgs.iter().any(|o| o.org_id == org));
        // An excellent case rests on the published report; it is refused
        // to enterprises and without published evidence, and disappears
        // when the report is withdrawn.
        let case = egret_store::CaseInput {
            org_id: org.clone(),
            submission_id: s.submission_id.clone(),
            title_zh: "节能改造示范".into(),
            title_en: Some("Efficiency retrofit".into()),
            body_zh: "公司完成空压机改造。".into(),
            body_en: None,
        };
        assert!(store.publish_case(&ent, &case).await.is_err());
        let bad = egret_store::CaseInput {
            submission_id: "nope".into(),
            ..case.clone()
        };
        match store.publish_case(&city, &bad).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e[0].field, "submission_id"),
            other => panic!("{other:?}"),
        }
        store.publish_case(&city, &case).await.unwrap();
        assert_eq!(store.cases().await.unwrap().len(), 1);
        store
            .submission_event(
                &ent,
                &org,
                &s.submission_id,
                "withdraw",
                Some("错误 / error"),
            )
            .await
            .unwrap();
        let facts = store.city_facts(&city, &["ghg.scope1"]).await.unwrap();
        assert!(facts.published.is_empty());
        assert!(store.cases().await.unwrap().is_empty());
    }
);

on_all_backends!(
    the_plan_is_tracked_by_responsible_departments_and_evaluated_by_the_coordinator,
    |store| {
        use egret_domain::plan::ReportInput;
        use egret_store::NewUser;
        let a = admin();
        let mut ids = Vec::new();
        for who in ["coord", "commerce", "finance"] {
            ids.push(
                store
                    .create_user(
                        &a,
                        &NewUser {
                            email: format!("{who}@city.test"),
                            display_name: who.into(),
                            role: Role::CityGov,
                            password: "long-enough-password".into(),
                            orgs: vec![],
                        },
                    )
                    .await
                    .unwrap(),
            );
        }
        let principal = |i: usize| Principal {
            user_id: ids[i].clone(),
            role: Role::CityGov,
            orgs: vec![],
        };
        let (coord, commerce, finance) = (principal(0), principal(1), principal(2));
        // Only the administrator or the coordinator assigns departments.
        assert!(
            store
                .add_department_member(&commerce, "swj", &ids[1])
                .await
                .is_err()
        );
        for (i, d) in [(0, "fgw"), (1, "swj"), (2, "czj")] {
            store.add_department_member(&a, d, &ids[i]).await.unwrap();
        }
        assert!(
            store
                .add_department_member(&a, "nowhere", &ids[2])
                .await
                .is_err()
        );
        // Measure 3 (foreign-related enterprises) is led by commerce.
        let p = egret_domain::programme::Programme::embedded();
        let m3 = p.measure(3).unwrap();
        assert_eq!(m3.lead, "swj");
        let input = ReportInput {
            measure: 3,
            period: "2025-Q4".into(),
            progress: "举办涉外企业 ESG 培训两场 / two trainings".into(),
            indicators: Default::default(),
            milestones: [(m3.milestone[0].id.clone(), "done".to_string())].into(),
            evidence: "培训通知 / notice".into(),
        };
        let r = store.file_measure_report(&commerce, &input).await.unwrap();
        assert_eq!(r.department, "swj");
        match store.file_measure_report(&finance, &input).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e[0].msg.key, "store-plan-not-responsible"),
            other => panic!("{other:?}"),
        }
        assert!(
            store
                .file_measure_report(&user(Role::Enterprise, &[]), &input)
                .await
                .is_err()
        );
        // The coordinator evaluates and moves a milestone; others cannot.
        assert!(
            store
                .evaluate_measure(&commerce, 3, "2025-Q4", "on_track", "")
                .await
                .is_err()
        );
        match store
            .evaluate_measure(&coord, 3, "2025-Q4", "great", "")
            .await
        {
            Err(StoreError::Invalid(e)) => assert_eq!(e[0].field, "rating"),
            other => panic!("{other:?}"),
        }
        store
            .evaluate_measure(&coord, 3, "2025-Q4", "at_risk", "培训覆盖面不足")
            .await
            .unwrap();
        store
            .evaluate_measure(&coord, 3, "2026-Q1", "on_track", "已改进")
            .await
            .unwrap();
        let ms = &m3.milestone[1].id;
        store
            .adjust_milestone(&coord, 3, ms, "2027-06-30", "配合国家政策调整")
            .await
            .unwrap();
        assert!(
            store
                .adjust_milestone(&coord, 3, ms, "2027-02-30", "x")
                .await
                .is_err()
        );
        let rec = store.plan_record(&coord).await.unwrap();
        assert_eq!(rec.reports.len(), 1);
        assert_eq!(rec.evaluations.len(), 2, "history kept");
        assert_eq!(rec.latest_evaluation(3).unwrap().rating, "on_track");
        assert_eq!(rec.milestone_status(3)[&m3.milestone[0].id], "done");
        assert_eq!(rec.due_dates(3)[ms].to_string(), "2027-06-30");
        assert!(store.plan_record(&user(Role::Bank, &[])).await.is_err());
    }
);

on_all_backends!(
    an_award_is_approved_once_and_refused_with_reasons_otherwise,
    |store| {
        use egret_store::EngagementInput;
        let a = admin();
        let city = user(Role::CityGov, &[]);
        // A foreign-trade enterprise and a domestic one, each with a
        // published, assured 2025 report.
        let mut orgs = Vec::new();
        for (n, foreign) in [(81, true), (82, false)] {
            let mut p = profile(n);
            p.foreign_business = foreign;
            let org = store.create_org(&a, &p).await.unwrap().org_id;
            let period = store
                .add_period(&a, &org, &PeriodInput::calendar(2025))
                .await
                .unwrap();
            let inputs = lite_inputs(vec![input_value("ghg.scope1", "", qty("900", "tCO2e"))]);
            store
                .put_values(&a, &org, &period, &inputs, &Source::Manual)
                .await
                .unwrap();
            orgs.push(org);
        }
        let (assurer_id, assurer) = qualified_assurer(store, orgs.clone(), 9_081, "cpa-firm").await;
        for org in &orgs {
            let p = store.period_for_year(&a, org, 2025).await.unwrap();
            let s = store.submit(&a, &p, "xm-lite@1", None).await.unwrap();
            let e = store
                .engage(
                    &a,
                    org,
                    &s.submission_id,
                    &EngagementInput {
                        assurer_id: assurer_id.clone(),
                        standard: "isae-3000".into(),
                        level: "limited".into(),
                        scope: vec![],
                        criteria: "xm-lite".into(),
                        materiality: None,
                    },
                )
                .await
                .unwrap();
            store
                .conclude(&assurer, org, &e.engagement_id, "p", "c", "王五")
                .await
                .unwrap();
            store
                .submission_event(&a, org, &s.submission_id, "publish", None)
                .await
                .unwrap();
        }
        let award = "foreign-trade-new-esg-certification";
        // Within both awards' application windows; the conclusions are
        // signed today, so after the new-certification cut-off.
        let day = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let ent = user(Role::Enterprise, &[&orgs[0]]);
        // Staff of other organisations cannot apply for it.
        assert!(
            store
                .apply_for_award(&user(Role::Enterprise, &[]), award, &orgs[0], day)
                .await
                .is_err()
        );
        let app = store
            .apply_for_award(&ent, award, &orgs[0], day)
            .await
            .unwrap();
        assert_eq!(app.status, "applied");
        // The enterprise cannot approve its own application.
        assert!(
            store
                .decide_award(&ent, &app.application_id, "approve", "", day)
                .await
                .is_err()
        );
        let app = store
            .decide_award(&city, &app.application_id, "approve", "", day)
            .await
            .unwrap();
        assert_eq!(app.status, "approved");
        // Paying needs a reference; then it is paid, exactly the amount.
        assert!(
            store
                .decide_award(&city, &app.application_id, "pay", " ", day)
                .await
                .is_err()
        );
        let app = store
            .decide_award(&city, &app.application_id, "pay", "财政付款 2026-0001", day)
            .await
            .unwrap();
        assert_eq!(
            (app.status.as_str(), app.paid_cny),
            ("paid", Some("100000".parse().unwrap()))
        );
        assert!(
            store
                .decide_award(&city, &app.application_id, "pay", "again", day)
                .await
                .is_err(),
            "paid once"
        );
        // A second application is refused, and so would be a second grant.
        match store.apply_for_award(&ent, award, &orgs[0], day).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e[0].msg.key, "store-award-duplicate"),
            other => panic!("{other:?}"),
        }
        // The domestic enterprise is refused with the reason.
        match store.apply_for_award(&city, award, &orgs[1], day).await {
            Err(StoreError::Invalid(e)) => {
                assert_eq!(e.len(), 1, "{e:?}");
                assert_eq!(e[0].msg.key, "domain-award-segment");
            }
            other => panic!("{other:?}"),
        }
        // The other award (assured 2025 report) is open to both.
        let other = store
            .apply_for_award(&city, "assured-report-2025", &orgs[1], day)
            .await
            .unwrap();
        let rejected = store
            .decide_award(
                &city,
                &other.application_id,
                "reject",
                "材料不全 / incomplete",
                day,
            )
            .await
            .unwrap();
        assert_eq!(rejected.status, "rejected");
        assert_eq!(store.award_applications(&city).await.unwrap().len(), 2);
        assert_eq!(store.award_applications(&ent).await.unwrap().len(), 1);
    }
);

on_all_backends!(
    ratings_are_identical_across_runs_and_backends_and_add_up,
    |store| {
        use rust_decimal::Decimal;
        let a = admin();
        let mut uscc_of = std::collections::HashMap::new();
        for (n, t) in [(91, "100"), (92, "400"), (93, "250")] {
            let org = store.create_org(&a, &profile(n)).await.unwrap().org_id;
            uscc_of.insert(org.clone(), code(n));
            let period = store
                .add_period(&a, &org, &PeriodInput::calendar(2025))
                .await
                .unwrap();
            let inputs = lite_inputs(vec![
                input_value("ghg.scope1", "", qty(t, "tCO2e")),
                input_value(
                    "ohs.fatalities",
                    "",
                    Answer::Value(Value::Count(i64::from(n == 92))),
                ),
            ]);
            store
                .put_values(&a, &org, &period, &inputs, &Source::Manual)
                .await
                .unwrap();
            let p = store.period_for_year(&a, &org, 2025).await.unwrap();
            let s = store.submit(&a, &p, "xm-lite@1", None).await.unwrap();
            store
                .submission_event(&a, &org, &s.submission_id, "publish", None)
                .await
                .unwrap();
        }
        let key = egret_domain::rating::Methodology::default_key();
        assert!(
            store
                .run_rating(&user(Role::Enterprise, &[]), 2025, &key)
                .await
                .is_err()
        );
        let analyst = user(Role::Analyst, &[]);
        let (run1, res1) = store.run_rating(&analyst, 2025, &key).await.unwrap();
        let (run2, _) = store.run_rating(&analyst, 2025, &key).await.unwrap();
        assert_eq!(run1.organisations, 3);
        assert_eq!(run1.digest, run2.digest, "same inputs, same ratings");
        assert_ne!(run1.run_id, run2.run_id, "a new run, never overwritten");
        assert_eq!(store.rating_results(&run1.run_id).await.unwrap(), res1);
        assert_eq!(
            store.latest_rating_run(2025).await.unwrap().unwrap().run_id,
            run2.run_id
        );
        for r in &res1 {
            let sum: Decimal = r.indicators.iter().map(|i| i.contribution).sum();
            assert_eq!(sum - r.deduction, r.score);
            let s2 = r.indicators.iter().find(|i| i.indicator == "S2").unwrap();
            let e5 = r.indicators.iter().find(|i| i.indicator == "E5").unwrap();
            assert!(s2.points.is_some() && e5.quality == "missing", "{r:?}");
        }
        // The same ratings on every backend (organisation ids differ by
        // backend, so compare by credit code).
        let mut by_code: Vec<egret_domain::rating::RatingResult> = res1
            .iter()
            .map(|r| egret_domain::rating::RatingResult {
                org_id: uscc_of[&r.org_id].clone(),
                ..r.clone()
            })
            .collect();
        by_code.sort_by(|x, y| x.org_id.cmp(&y.org_id));
        let digest = egret_domain::rating::results_digest(&by_code);
        static SEEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
        {
            let mut seen = SEEN.lock().unwrap();
            if let Some(first) = seen.first() {
                assert_eq!(*first, digest, "SQLite and PostgreSQL rate alike");
            }
            seen.push(digest);
        }
        // The rated organisation objects; an analyst upholds it once; the
        // analyst's institution's record counts it.
        let org = &res1[0].org_id;
        let ent = user(Role::Enterprise, &[org]);
        assert!(
            store
                .file_objection(&ent, org, &run2.run_id, Some("E99"), "x", "y")
                .await
                .is_err()
        );
        assert!(
            store
                .file_objection(
                    &user(Role::Enterprise, &[]),
                    org,
                    &run2.run_id,
                    None,
                    "x",
                    "y"
                )
                .await
                .is_err()
        );
        let o = store
            .file_objection(
                &ent,
                org,
                &run2.run_id,
                Some("E2"),
                "收入口径有误 / revenue basis wrong",
                "审计报告 p.12",
            )
            .await
            .unwrap();
        assert!(
            store
                .resolve_objection(&ent, org, &o.objection_id, "upheld", "ok")
                .await
                .is_err()
        );
        let done = store
            .resolve_objection(
                &analyst,
                org,
                &o.objection_id,
                "upheld",
                "已核实 / verified",
            )
            .await
            .unwrap();
        assert_eq!(done.resolution.as_deref(), Some("upheld"));
        assert!(
            store
                .resolve_objection(&analyst, org, &o.objection_id, "dismissed", "again")
                .await
                .is_err(),
            "resolved once"
        );
        assert_eq!(store.objections(&ent, Some(org)).await.unwrap().len(), 1);
        assert!(store.objections(&ent, None).await.is_err());
        // A recorded controversy is deducted in the next run, for that
        // organisation only.
        assert!(
            store
                .record_controversy(&ent, org, "corruption-case", "2025-03-01", "x", "y")
                .await
                .is_err()
        );
        match store
            .record_controversy(&analyst, org, "gossip", "2025-02-30", "x", "")
            .await
        {
            Err(StoreError::Invalid(e)) => assert_eq!(
                e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
                ["kind", "occurred_on", "source"]
            ),
            other => panic!("{other:?}"),
        }
        store
            .record_controversy(
                &analyst,
                org,
                "corruption-case",
                "2025-03-01",
                "高管受贿案 / bribery case",
                "法院判决书 (2025) 闽0203刑初1号",
            )
            .await
            .unwrap();
        assert_eq!(store.controversies_of(&ent, org).await.unwrap().len(), 1);
        // Publication opens a run to the public, once.
        assert!(store.latest_published_run(2025).await.unwrap().is_none());
        assert!(store.publish_rating_run(&ent, &run1.run_id).await.is_err());
        store
            .publish_rating_run(&analyst, &run1.run_id)
            .await
            .unwrap();
        assert!(
            store
                .publish_rating_run(&analyst, &run1.run_id)
                .await
                .is_err()
        );
        assert_eq!(
            store
                .latest_published_run(2025)
                .await
                .unwrap()
                .unwrap()
                .run_id,
            run1.run_id
        );
        assert!(store.rating_run_published(&run1.run_id).await.unwrap());
        let (_, res3) = store.run_rating(&analyst, 2025, &key).await.unwrap();
        for (before, after) in res1.iter().zip(&res3) {
            if before.org_id == *org {
                assert_eq!(after.deduction, "10".parse::<Decimal>().unwrap());
                assert_eq!(after.score, before.score - after.deduction);
            } else {
                assert_eq!(before, after);
            }
        }
    }
);

on_all_backends!(
    banks_evaluate_their_rules_on_verified_figures_tag_facilities_and_log_calls,
    |store| {
        use egret_store::{BankCall, EngagementInput, FacilityInput};
        let a = admin();
        let org = store.create_org(&a, &profile(201)).await.unwrap().org_id;
        let bank_org = store.create_org(&a, &profile(202)).await.unwrap().org_id;
        let other_bank = store.create_org(&a, &profile(203)).await.unwrap().org_id;
        let mut reports = Vec::new();
        for (year, t) in [(2024, "1000"), (2025, "930")] {
            let period = store
                .add_period(&a, &org, &PeriodInput::calendar(year))
                .await
                .unwrap();
            let inputs = lite_inputs(vec![input_value("ghg.scope1", "", qty(t, "tCO2e"))]);
            store
                .put_values(&a, &org, &period, &inputs, &Source::Manual)
                .await
                .unwrap();
            let p = store.period_for_year(&a, &org, year).await.unwrap();
            let s = store.submit(&a, &p, "xm-lite@1", None).await.unwrap();
            store
                .submission_event(&a, &org, &s.submission_id, "publish", None)
                .await
                .unwrap();
            reports.push(s.submission_id);
        }
        let bank_user = |email: &str, org: &str| NewUser {
            email: email.into(),
            display_name: "Bank".into(),
            role: Role::Bank,
            password: "long-enough-password".into(),
            orgs: vec![org.to_string()],
        };
        let mut banks = Vec::new();
        for (email, b) in [("b1@bank.test", &bank_org), ("b2@bank.test", &other_bank)] {
            let id = store.create_user(&a, &bank_user(email, b)).await.unwrap();
            banks.push(
                store
                    .principal(&store.user(&id).await.unwrap())
                    .await
                    .unwrap(),
            );
        }
        let bank = &banks[0];
        assert!(egret_store::bank_of(&user(Role::Analyst, &[])).is_err());
        let rules = r#"
[rules]
id = "t"
version = "1"
name_zh = "测试"
name_en = "Test"
methodology = "egret-esg@2026.1"
combine = "sum"
[emissions]
datapoints = ["ghg.scope1"]
[[rule]]
id = "cut"
name_zh = "减排"
name_en = "Cut"
product = "loan"
effect_bp = -10
[[rule.condition]]
field = "emission_cut_pct"
op = ">="
value = "5"
verified = true
"#;
        // No rules yet: a clear refusal; bad rules are refused whole.
        let today = chrono::NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        assert!(matches!(
            store.evaluate_bank_rules(bank, &org, today).await,
            Err(StoreError::Conflict(_))
        ));
        assert!(matches!(
            store.upload_bank_rules(bank, "[rules]\nid = 1").await,
            Err(StoreError::Invalid(_))
        ));
        assert!(
            store.upload_bank_rules(&a, rules).await.is_err(),
            "not a bank"
        );
        let v1 = store.upload_bank_rules(bank, rules).await.unwrap();
        assert_eq!(v1.version_no, 1);
        // A 7 % cut, but neither year assured: undecided, not eligible.
        let (_, facts, eval) = store.evaluate_bank_rules(bank, &org, today).await.unwrap();
        assert_eq!(facts.emission_cut_pct(), Some("7.00".parse().unwrap()));
        assert_eq!(facts.disclosed_year, Some(2025));
        assert!(!facts.assured);
        assert_eq!(eval.rules[0].conditions[0].met, None);
        assert!(eval.products.is_empty());
        // Both years assured on scope 1: eligible, 10 bp off.
        let (assurer_id, assurer) =
            qualified_assurer(store, vec![org.clone()], 9_201, "cpa-firm").await;
        for sid in &reports {
            let e = store
                .engage(
                    &a,
                    &org,
                    sid,
                    &EngagementInput {
                        assurer_id: assurer_id.clone(),
                        standard: "isae-3410".into(),
                        level: "limited".into(),
                        scope: vec!["ghg.scope1".into()],
                        criteria: "GHG Protocol".into(),
                        materiality: None,
                    },
                )
                .await
                .unwrap();
            store
                .conclude(&assurer, &org, &e.engagement_id, "p", "c", "王五")
                .await
                .unwrap();
        }
        let (_, facts, eval) = store.evaluate_bank_rules(bank, &org, today).await.unwrap();
        assert!(facts.assured && facts.emissions_assured && facts.prior_emissions_assured);
        assert_eq!(eval.rules[0].conditions[0].met, Some(true));
        assert_eq!(eval.products["loan"], -10);
        // A new version applies from now on; the old one is kept.
        let v2 = store
            .upload_bank_rules(bank, &rules.replace("value = \"5\"", "value = \"8\""))
            .await
            .unwrap();
        assert_eq!(v2.version_no, 2);
        let (used, _, eval) = store.evaluate_bank_rules(bank, &org, today).await.unwrap();
        assert_eq!(used.version_no, 2);
        assert!(eval.products.is_empty(), "7 % < 8 %");
        assert_eq!(store.bank_rule_sets(bank).await.unwrap().len(), 2);
        assert!(store.bank_rule_sets(&banks[1]).await.unwrap().is_empty());
        // Facilities: the edition in force on the approval day.
        let loan = FacilityInput {
            reference: "L-1".into(),
            kind: "loan".into(),
            borrower_uscc: code(201),
            amount: "12,000,000.50".into(),
            currency: "CNY".into(),
            approved_on: "2026-02-01".into(),
            edition: None,
            item: "8".into(),
        };
        let f = store.record_facility(bank, &loan).await.unwrap();
        assert_eq!(
            (f.edition.as_str(), f.amount.as_str()),
            ("cn-green-finance@2025", "12000000.50")
        );
        assert!(matches!(
            store.record_facility(bank, &loan).await,
            Err(StoreError::Conflict(_))
        ));
        let early = FacilityInput {
            reference: "L-2".into(),
            approved_on: "2024-02-01".into(),
            ..loan.clone()
        };
        match store.record_facility(bank, &early).await {
            Err(StoreError::Invalid(errs)) => assert_eq!(errs[0].field, "edition"),
            other => panic!("{other:?}"),
        }
        let bond = FacilityInput {
            reference: "B-1".into(),
            kind: "bond".into(),
            approved_on: "2024-02-01".into(),
            item: "3".into(),
            ..loan.clone()
        };
        assert_eq!(
            store.record_facility(bank, &bond).await.unwrap().edition,
            "cn-green-bond@2021"
        );
        let bad = FacilityInput {
            reference: "X".into(),
            borrower_uscc: code(999),
            amount: "-1".into(),
            ..loan.clone()
        };
        match store.record_facility(bank, &bad).await {
            Err(StoreError::Invalid(errs)) => {
                let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["borrower_uscc", "amount"]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(store.facilities(bank).await.unwrap().len(), 2);
        assert!(store.facilities(&banks[1]).await.unwrap().is_empty());
        // The call log: batches beyond one statement's parameters, per bank.
        let calls: Vec<BankCall> = (0..250)
            .map(|i| {
                BankCall::new(
                    bank_org.clone(),
                    "tok".into(),
                    bank.user_id.clone(),
                    "GET".into(),
                    format!("/api/bank/v1/orgs/{i}/grade"),
                    200,
                    i,
                )
            })
            .collect();
        store.log_bank_calls(&calls).await.unwrap();
        let page = store
            .bank_calls(bank, Page::new(Some(2), Some(100)))
            .await
            .unwrap();
        assert_eq!((page.total, page.items.len()), (250, 100));
        assert_eq!(
            store
                .bank_calls(&banks[1], Page::new(None, None))
                .await
                .unwrap()
                .total,
            0
        );
    }
);

fn footprint(product: &str, fossil: &str) -> egret_domain::pcf::PcfInput {
    serde_json::from_value(serde_json::json!({
        "product_name_zh": "光伏组件",
        "product_name_en": "PV module",
        "product_ids": [format!("urn:pact:test.example:product-id:{product}")],
        "product_description": "550 W module",
        "declared_unit": "piece",
        "declared_unit_amount": "1",
        "product_mass_per_declared_unit": "27.5",
        "boundary": "cradle-to-gate",
        "reference_period_start": "2025-01-01",
        "reference_period_end": "2026-01-01",
        "geography": "CN-FJ",
        "standards": ["iso-14067"],
        "gwp_set": "AR6",
        "pcf_excluding_biogenic_uptake": "412.5",
        "pcf_including_biogenic_uptake": "410.1",
        "fossil_ghg_emissions": fossil,
        "fossil_carbon_content": "0",
        "exempted_emissions_percent": "0.8",
        "packaging_emissions_included": true,
        "primary_data_share": "62.5",
        "calculation": "manual"
    }))
    .unwrap()
}

on_all_backends!(
    footprints_are_versioned_published_and_certified_by_a_qualified_body,
    |store| {
        use egret_domain::pcf::CertificateInput;
        let (org, _) = org_with_period(store, 301).await;
        let ent = user(Role::Enterprise, &[&org]);
        let bank = user(Role::Bank, &[]);
        // Errors name their fields; nothing is stored.
        let mut bad = footprint("pv-550", "405");
        bad.geography = "Fujian".into();
        match store.create_pcf(&ent, &org, &bad, None).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e[0].field, "geography"),
            other => panic!("{other:?}"),
        }
        assert!(
            store
                .create_pcf(&bank, &org, &footprint("pv-550", "405"), None)
                .await
                .is_err()
        );
        let v1 = store
            .create_pcf(&ent, &org, &footprint("pv-550", "405"), None)
            .await
            .unwrap();
        assert!(matches!(
            store
                .create_pcf(&ent, &org, &footprint("pv-550", "405"), None)
                .await,
            Err(StoreError::Conflict(_))
        ));
        // A correction is a new version; the first is superseded.
        let v2 = store
            .create_pcf(&ent, &org, &footprint("pv-550", "401"), Some(&v1.pcf_id))
            .await
            .unwrap();
        assert_eq!(
            (v2.version, v2.preceding_pcf_id.as_deref()),
            (2, Some(v1.pcf_id.as_str()))
        );
        assert!(matches!(
            store
                .create_pcf(&ent, &org, &footprint("pv-550", "400"), Some(&v1.pcf_id))
                .await,
            Err(StoreError::Conflict(_))
        ));
        let mine = store.pcfs_of(&ent, &org).await.unwrap();
        assert_eq!(mine.len(), 2);
        assert!(mine.iter().any(|p| p.pcf_id == v1.pcf_id && p.superseded));
        // Private until published; only then does the organisation count
        // among the city's "enterprises with footprints" (measure 8).
        let city = user(Role::CityGov, &[]);
        assert!(store.pcfs_of(&bank, &org).await.unwrap().is_empty());
        assert!(store.pcf(&bank, &org, &v2.pcf_id).await.is_err());
        let facts = store.city_facts(&city, &[]).await.unwrap();
        assert!(!facts.footprint_orgs.contains(&org));
        store.publish_pcf(&ent, &org, &v2.pcf_id).await.unwrap();
        let facts = store.city_facts(&city, &[]).await.unwrap();
        assert_eq!(
            facts.footprint_orgs.iter().filter(|o| **o == org).count(),
            1
        );
        assert_eq!(store.pcfs_of(&bank, &org).await.unwrap().len(), 1);
        assert_eq!(store.published_pcfs(Some(&org)).await.unwrap().len(), 1);
        // Certification: only a practitioner of a body qualified for PCF
        // certification (a CPA firm is not).
        let cert = CertificateInput {
            number: "PCF-2026-001".into(),
            standard: "iso-14067".into(),
            scope: "PV module, cradle to gate".into(),
            valid_from: "2026-01-01".parse().unwrap(),
            valid_to: "2028-12-31".parse().unwrap(),
            statement: "核查通过 / verified".into(),
        };
        let (_, cpa) = qualified_assurer(store, vec![org.clone()], 9_301, "cpa-firm").await;
        match store.certify_pcf(&cpa, &org, &v2.pcf_id, &cert).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e[0].field, "institution"),
            other => panic!("{other:?}"),
        }
        let (_, body) = qualified_assurer(store, vec![org.clone()], 9_302, "cnas-iso14065").await;
        assert!(
            store
                .certify_pcf(&ent, &org, &v2.pcf_id, &cert)
                .await
                .is_err()
        );
        let c = store
            .certify_pcf(&body, &org, &v2.pcf_id, &cert)
            .await
            .unwrap();
        assert!(matches!(
            store.certify_pcf(&body, &org, &v2.pcf_id, &cert).await,
            Err(StoreError::Conflict(_))
        ));
        let (found, pcf, intact) = store
            .certificate_by_digest(&c.digest)
            .await
            .unwrap()
            .unwrap();
        assert!(intact);
        assert_eq!(
            (found.certificate_id, pcf.pcf_id),
            (c.certificate_id.clone(), v2.pcf_id.clone())
        );
        assert!(
            store
                .certificate_by_digest(&"0".repeat(64))
                .await
                .unwrap()
                .is_none()
        );
        // Tampering with the stored footprint is found.
        store
            .execute_admin(&format!(
                "UPDATE product_footprints SET record = REPLACE(record, '\"401\"', '\"1\"') \
                 WHERE pcf_id = '{}'",
                v2.pcf_id
            ))
            .await
            .unwrap();
        let (_, _, intact) = store
            .certificate_by_digest(&c.digest)
            .await
            .unwrap()
            .unwrap();
        assert!(!intact);
        assert_eq!(store.certificates_of(&org).await.unwrap().len(), 1);
    }
);

on_all_backends!(
    pact_partners_get_short_lived_tokens_until_revoked,
    |store| {
        let (org, _) = org_with_period(store, 311).await;
        let (other, _) = org_with_period(store, 312).await;
        let ent = user(Role::Enterprise, &[&org]);
        assert!(
            store
                .create_pact_client(&user(Role::Bank, &[]), &org, "x")
                .await
                .is_err()
        );
        let (client, secret) = store
            .create_pact_client(&ent, &org, "客户 A")
            .await
            .unwrap();
        assert!(
            store
                .pact_token(&org, &client.client_id, "wrong")
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .pact_token(&other, &client.client_id, &secret)
                .await
                .unwrap()
                .is_none(),
            "a client of one organisation only"
        );
        let token = store
            .pact_token(&org, &client.client_id, &secret)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            store.pact_client_of_token(&org, &token).await.unwrap(),
            Some(client.client_id.clone())
        );
        assert!(
            store
                .pact_client_of_token(&other, &token)
                .await
                .unwrap()
                .is_none()
        );
        let body = serde_json::json!({"type": "x", "id": "e1"});
        store
            .record_pact_event(&org, &client.client_id, "e1", "x", &body)
            .await
            .unwrap();
        assert_eq!(store.pact_events(&ent, &org).await.unwrap().len(), 1);
        store
            .revoke_pact_client(&ent, &org, &client.client_id)
            .await
            .unwrap();
        assert!(
            store
                .pact_client_of_token(&org, &token)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .pact_token(&org, &client.client_id, &secret)
                .await
                .unwrap()
                .is_none()
        );
        assert_eq!(store.pact_clients(&ent, &org).await.unwrap().len(), 1);
    }
);

// ------------------------------------------------ product systems (LCA)

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn bottle_system(name: &str) -> egret_domain::product_system::ProductSystemModel {
    serde_json::from_value(serde_json::json!({
        "name": name,
        "reference_product": "bottle",
        "amount": "1000",
        "gwp_set": "AR6",
        "processes": [
            {"id": "blow", "name": "Blow moulding", "product": "bottle", "unit": "piece",
             "output": "1", "inputs": [{"product": "pet", "amount": "0.0200"}],
             "emissions": [{"flow": "CO2", "amount": "0.001"}]},
            {"id": "pet", "name": "PET resin", "product": "pet", "unit": "kg", "output": "1",
             "source": {"kind": "secondary", "citation": "supplier EPD"},
             "emissions": [{"flow": "CO2e", "amount": "2.2"}]}
        ]
    }))
    .unwrap()
}

fn calc_result() -> egret_domain::product_system::Calculation {
    use egret_domain::product_system::{
        Calculation, EmissionKind, FlowShare, McSummary, ProcessShare, TreeNode,
    };
    Calculation {
        // Exact decimals with trailing zeros and full precision.
        score: dec("45.0000000000000000000000001"),
        by_kind: vec![
            (EmissionKind::Fossil, dec("46.2500")),
            (EmissionKind::Uptake, dec("-1.2499999999999999999999999")),
        ],
        processes: vec![ProcessShare {
            process: "blow".into(),
            scaling: dec("1000.000"),
            direct: dec("1.0"),
        }],
        flows: vec![FlowShare {
            flow: "CO2".into(),
            kind: EmissionKind::Fossil,
            amount: dec("1.000"),
            impact: dec("1.000"),
        }],
        tree: vec![TreeNode {
            depth: 0,
            process: "blow".into(),
            amount: dec("1000"),
            cumulative: dec("45.00"),
            loop_back: false,
        }],
        mc: Some(McSummary {
            draws: 200,
            seed: u64::MAX,
            mean: dec("45.01"),
            sd: dec("0.3"),
            p2_5: dec("44.4"),
            p50: dec("45.0"),
            p97_5: dec("45.6"),
            hist_start: dec("44.0"),
            hist_width: dec("0.25"),
            hist_counts: vec![1, 5, 100, 80, 14],
        }),
        engine: "sparse-lu (test)".into(),
    }
}

fn calc_options() -> egret_domain::product_system::CalcOptions {
    egret_domain::product_system::CalcOptions {
        draws: 200,
        seed: u64::MAX,
        cutoff: dec("0.010"),
    }
}

on_all_backends!(
    product_systems_are_saved_as_versions_on_top_of_the_latest,
    |store| {
        let (org, _) = org_with_period(store, 401).await;
        let ent = user(Role::Enterprise, &[&org]);
        // A model needs a name; nothing is stored otherwise.
        match store
            .create_product_system(&ent, &org, &bottle_system(" "), "")
            .await
        {
            Err(StoreError::Invalid(e)) => assert_eq!(e[0].field, "name"),
            other => panic!("{other:?}"),
        }
        let v1 = store
            .create_product_system(&ent, &org, &bottle_system("PET bottle"), " first ")
            .await
            .unwrap();
        assert_eq!((v1.version, v1.note.as_str()), (1, "first"));
        assert_eq!(v1.digest, bottle_system("PET bottle").digest());
        let mut m2 = bottle_system("PET bottle 500 ml");
        m2.processes[0].inputs[0].amount = dec("0.0185");
        let v2 = store
            .save_product_system(&ent, &org, &v1.system_id, 1, &m2, "lighter")
            .await
            .unwrap();
        assert_eq!(
            (v2.version, v2.system_id.as_str()),
            (2, v1.system_id.as_str())
        );
        let versions = store
            .product_system_versions(&ent, &org, &v1.system_id)
            .await
            .unwrap();
        assert_eq!(
            versions.iter().map(|v| v.version).collect::<Vec<_>>(),
            vec![2, 1]
        );
        assert_eq!(versions[0].note, "lighter");
        assert_eq!(versions[1].digest, v1.digest);
        // Latest by default, any version on request; the model round-trips.
        let latest = store
            .product_system(&ent, &org, &v1.system_id, None)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(latest, v2);
        assert_eq!(
            latest.model.processes[0].inputs[0].amount.to_string(),
            "0.0185"
        );
        let first = store
            .product_system(&ent, &org, &v1.system_id, Some(1))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(first, v1);
        assert!(
            store
                .product_system(&ent, &org, &v1.system_id, Some(3))
                .await
                .unwrap()
                .is_none()
        );
        // A form edited from version 1 is refused: nothing written.
        let audit_before = store
            .audit_for_org(&admin(), &org, 100)
            .await
            .unwrap()
            .len();
        match store
            .save_product_system(&ent, &org, &v1.system_id, 1, &bottle_system("Stale"), "")
            .await
        {
            Err(StoreError::Conflict(m)) => {
                assert_eq!(m.key, "store-ps-stale");
                assert!(m.render(egret_i18n::Lang::En).contains('2'));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            store
                .product_system_versions(&ent, &org, &v1.system_id)
                .await
                .unwrap()
                .len(),
            2
        );
        assert_eq!(
            store
                .audit_for_org(&admin(), &org, 100)
                .await
                .unwrap()
                .len(),
            audit_before
        );
        // Two saves on the same base at once: one wins, the other is told
        // someone saved meanwhile (PostgreSQL: the key race; SQLite: the
        // writer queue).
        let (a, b) = tokio::join!(
            store.save_product_system(&ent, &org, &v1.system_id, 2, &m2, "a"),
            store.save_product_system(&ent, &org, &v1.system_id, 2, &m2, "b"),
        );
        assert_eq!(
            [&a, &b].iter().filter(|r| r.is_ok()).count(),
            1,
            "{a:?} {b:?}"
        );
        let lost = if a.is_ok() { b } else { a };
        assert!(
            matches!(lost, Err(StoreError::Conflict(ref m)) if m.key == "store-ps-stale"),
            "{lost:?}"
        );
        let versions = store
            .product_system_versions(&ent, &org, &v1.system_id)
            .await
            .unwrap();
        assert_eq!(versions.len(), 3);
        // An unknown system.
        assert!(matches!(
            store
                .save_product_system(&ent, &org, "no-such-system", 1, &m2, "")
                .await,
            Err(StoreError::NotFound {
                entity: "product_system",
                ..
            })
        ));
        // Lists: latest version of each, by name.
        let other = store
            .create_product_system(&ent, &org, &bottle_system("Aluminium can"), "")
            .await
            .unwrap();
        let list = store.product_systems_of(&ent, &org).await.unwrap();
        assert_eq!(
            list.iter()
                .map(|s| (s.name.as_str(), s.version))
                .collect::<Vec<_>>(),
            vec![("Aluminium can", 1), ("PET bottle 500 ml", 3)]
        );
        assert_eq!(list[0].system_id, other.system_id);
        assert_eq!(list[1].reference_product, "bottle");
        assert_eq!(
            (list[1].calculations, list[1].latest_calculation.clone()),
            (0, None)
        );
        // Saves are audited.
        let audit = store.audit_for_org(&admin(), &org, 100).await.unwrap();
        assert!(audit.iter().any(|e| e.entity == "product_system"
            && e.action == "save"
            && e.entity_id == v1.system_id));
    }
);

on_all_backends!(
    product_systems_and_suppliers_stay_with_their_organisation,
    |store| {
        let (org, _) = org_with_period(store, 411).await;
        let (other, _) = org_with_period(store, 412).await;
        let ent = user(Role::Enterprise, &[&org]);
        let stranger = user(Role::Enterprise, &[&other]);
        let city = user(Role::CityGov, &[]);
        let assurer = user(Role::Assurer, &[&org]);
        let v1 = store
            .create_product_system(&ent, &org, &bottle_system("PET bottle"), "")
            .await
            .unwrap();
        let calc = store
            .record_calculation(
                &ent,
                &org,
                &v1.system_id,
                1,
                &calc_options(),
                &calc_result(),
            )
            .await
            .unwrap();
        let sup = store
            .add_pact_supplier(
                &ent,
                &org,
                "Resin Co",
                "https://resin.example/pact",
                "c1",
                "s1",
            )
            .await
            .unwrap();
        // Another organisation's staff: not found, for reads and writes.
        let nf = |r: Result<(), StoreError>| {
            assert!(matches!(r, Err(StoreError::NotFound { .. })), "{r:?}")
        };
        nf(store.product_systems_of(&stranger, &org).await.map(|_| ()));
        nf(store
            .product_system(&stranger, &org, &v1.system_id, None)
            .await
            .map(|_| ()));
        nf(store
            .product_system_versions(&stranger, &org, &v1.system_id)
            .await
            .map(|_| ()));
        nf(store
            .calculation(&stranger, &org, &calc.calculation_id)
            .await
            .map(|_| ()));
        nf(store
            .calculations_of(&stranger, &org, &v1.system_id)
            .await
            .map(|_| ()));
        nf(store.pact_suppliers(&stranger, &org).await.map(|_| ()));
        nf(store
            .pact_supplier_credentials(&stranger, &org, &sup.supplier_id)
            .await
            .map(|_| ()));
        nf(store.received_footprints(&stranger, &org).await.map(|_| ()));
        nf(store
            .create_product_system(&stranger, &org, &bottle_system("X"), "")
            .await
            .map(|_| ()));
        nf(store
            .save_product_system(&stranger, &org, &v1.system_id, 1, &bottle_system("X"), "")
            .await
            .map(|_| ()));
        nf(store
            .record_calculation(
                &stranger,
                &org,
                &v1.system_id,
                1,
                &calc_options(),
                &calc_result(),
            )
            .await
            .map(|_| ()));
        nf(store
            .add_pact_supplier(&stranger, &org, "X", "https://x.example", "c", "s")
            .await
            .map(|_| ()));
        nf(store
            .store_received_footprints(&stranger, &org, &sup.supplier_id, &[])
            .await
            .map(|_| ()));
        // Its own ids do not reach into this organisation either.
        assert!(
            store
                .product_system(&ent, &other, &v1.system_id, None)
                .await
                .is_err()
        );
        let admin = admin();
        assert!(
            store
                .product_system(&admin, &other, &v1.system_id, None)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .calculation(&admin, &other, &calc.calculation_id)
                .await
                .unwrap()
                .is_none()
        );
        // The city sees the organisation but not its models.
        assert!(matches!(
            store.product_systems_of(&city, &org).await,
            Err(StoreError::Forbidden { .. })
        ));
        // An engaged assurer reads, but neither writes nor gets secrets.
        assert_eq!(
            store
                .product_systems_of(&assurer, &org)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            store
                .calculation(&assurer, &org, &calc.calculation_id)
                .await
                .unwrap()
                .unwrap()
                .digest,
            calc.digest
        );
        assert!(matches!(
            store
                .save_product_system(&assurer, &org, &v1.system_id, 1, &bottle_system("X"), "")
                .await,
            Err(StoreError::Forbidden { .. })
        ));
        assert!(matches!(
            store
                .pact_supplier_credentials(&assurer, &org, &sup.supplier_id)
                .await,
            Err(StoreError::Forbidden { .. })
        ));
        // Nothing was written by the refused calls.
        assert_eq!(
            store
                .product_system_versions(&ent, &org, &v1.system_id)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            store
                .product_systems_of(&admin, &other)
                .await
                .unwrap()
                .len(),
            0
        );
        assert_eq!(store.pact_suppliers(&ent, &org).await.unwrap().len(), 1);
    }
);

on_all_backends!(
    calculations_are_stored_exactly_for_a_stored_version,
    |store| {
        let (org, _) = org_with_period(store, 421).await;
        let ent = user(Role::Enterprise, &[&org]);
        let v1 = store
            .create_product_system(&ent, &org, &bottle_system("PET bottle"), "")
            .await
            .unwrap();
        // No version 2 yet: refused, nothing written.
        assert!(matches!(
            store
                .record_calculation(
                    &ent,
                    &org,
                    &v1.system_id,
                    2,
                    &calc_options(),
                    &calc_result()
                )
                .await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            store
                .record_calculation(
                    &ent,
                    &org,
                    "no-such-system",
                    1,
                    &calc_options(),
                    &calc_result()
                )
                .await,
            Err(StoreError::NotFound { .. })
        ));
        assert!(
            store
                .calculations_of(&ent, &org, &v1.system_id)
                .await
                .unwrap()
                .is_empty()
        );
        let c1 = store
            .record_calculation(
                &ent,
                &org,
                &v1.system_id,
                1,
                &calc_options(),
                &calc_result(),
            )
            .await
            .unwrap();
        assert_eq!(
            (c1.version, c1.model_digest.as_str()),
            (1, v1.digest.as_str())
        );
        assert_eq!(c1.digest.len(), 64);
        let back = store
            .calculation(&ent, &org, &c1.calculation_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(back, c1);
        // Exactly: every decimal keeps its digits and scale.
        assert_eq!(back.result, calc_result());
        assert_eq!(
            serde_json::to_string(&back.result).unwrap(),
            serde_json::to_string(&calc_result()).unwrap()
        );
        assert_eq!(
            back.result.score.to_string(),
            "45.0000000000000000000000001"
        );
        assert_eq!(back.result.by_kind[0].1.to_string(), "46.2500");
        assert_eq!(back.options, calc_options());
        // The same inputs give the same digest; other options another one.
        let again = store
            .record_calculation(
                &ent,
                &org,
                &v1.system_id,
                1,
                &calc_options(),
                &calc_result(),
            )
            .await
            .unwrap();
        assert_eq!(again.digest, c1.digest);
        assert_ne!(again.calculation_id, c1.calculation_id);
        let mut other_options = calc_options();
        other_options.seed = 7;
        let c3 = store
            .record_calculation(&ent, &org, &v1.system_id, 1, &other_options, &calc_result())
            .await
            .unwrap();
        assert_ne!(c3.digest, c1.digest);
        let all = store
            .calculations_of(&ent, &org, &v1.system_id)
            .await
            .unwrap();
        assert_eq!(
            all.iter()
                .map(|c| c.calculation_id.as_str())
                .collect::<Vec<_>>(),
            vec![
                c3.calculation_id.as_str(),
                again.calculation_id.as_str(),
                c1.calculation_id.as_str()
            ]
        );
        let list = store.product_systems_of(&ent, &org).await.unwrap();
        assert_eq!(list[0].calculations, 3);
        assert_eq!(
            list[0].latest_calculation.as_deref(),
            Some(c3.calculation_id.as_str())
        );
        let audit = store.audit_for_org(&ent, &org, 100).await.unwrap();
        assert_eq!(
            audit
                .iter()
                .filter(|e| e.entity == "lca_calculation" && e.action == "calculate")
                .count(),
            3
        );
    }
);

fn received(pf_id: &str, status: &str, fossil: &str) -> egret_domain::pact::Received {
    egret_domain::pact::Received {
        pf_id: pf_id.into(),
        status: status.into(),
        spec_version: "3.0.0".into(),
        document: serde_json::json!({
            "id": pf_id,
            "specVersion": "3.0.0",
            "status": status,
            "companyName": "Resin Co",
            "productIds": ["urn:pact:resin.example:product-id:pet"],
            "pcf": {"fossilGhgEmissions": fossil, "declaredUnitAmount": "1"}
        }),
    }
}

on_all_backends!(suppliers_footprints_are_kept_once_per_content, |store| {
    let (org, _) = org_with_period(store, 431).await;
    let (other, _) = org_with_period(store, 432).await;
    let ent = user(Role::Enterprise, &[&org]);
    // Entry errors name their field; nothing is stored.
    match store
        .add_pact_supplier(&ent, &org, "Resin Co", "ftp://resin.example", "c1", "s1")
        .await
    {
        Err(StoreError::Invalid(e)) => {
            assert_eq!(
                e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
                vec!["base_url"]
            );
            assert_eq!(e[0].msg.key, "store-supplier-url");
        }
        other => panic!("{other:?}"),
    }
    match store
        .add_pact_supplier(&ent, &org, " ", "http://resin.example", "c1", "s1")
        .await
    {
        Err(StoreError::Invalid(e)) => assert_eq!(
            e.iter().map(|e| e.field.as_str()).collect::<Vec<_>>(),
            vec!["name", "base_url"]
        ),
        other => panic!("{other:?}"),
    }
    assert!(store.pact_suppliers(&ent, &org).await.unwrap().is_empty());
    let sup = store
        .add_pact_supplier(
            &ent,
            &org,
            " Resin Co ",
            " https://resin.example/pact/ ",
            " c1 ",
            "s3cret",
        )
        .await
        .unwrap();
    assert_eq!(
        (
            sup.name.as_str(),
            sup.base_url.as_str(),
            sup.client_id.as_str()
        ),
        ("Resin Co", "https://resin.example/pact", "c1")
    );
    assert_eq!(
        store.pact_suppliers(&ent, &org).await.unwrap(),
        vec![sup.clone()]
    );
    let (s, secret) = store
        .pact_supplier_credentials(&ent, &org, &sup.supplier_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((s, secret.as_str()), (sup.clone(), "s3cret"));
    assert!(
        store
            .pact_supplier_credentials(&admin(), &other, &sup.supplier_id)
            .await
            .unwrap()
            .is_none()
    );
    // The secret is never in the audit log.
    let audit = store.audit_for_org(&ent, &org, 100).await.unwrap();
    assert!(audit.iter().any(|e| e.entity == "pact_supplier"));
    assert!(!serde_json::to_string(&audit).unwrap().contains("s3cret"));

    // Receiving: unchanged documents add nothing, a changed one a row.
    let docs = vec![
        received("pf-a", "Active", "2.2"),
        received("pf-b", "Active", "1.5"),
    ];
    assert_eq!(
        store
            .store_received_footprints(&ent, &org, &sup.supplier_id, &docs)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .store_received_footprints(&ent, &org, &sup.supplier_id, &docs)
            .await
            .unwrap(),
        0
    );
    let changed = vec![
        received("pf-a", "Deprecated", "2.2"),
        received("pf-b", "Active", "1.5"),
    ];
    assert_eq!(
        store
            .store_received_footprints(&ent, &org, &sup.supplier_id, &changed)
            .await
            .unwrap(),
        1
    );
    let list = store.received_footprints(&ent, &org).await.unwrap();
    assert_eq!(
        list.iter()
            .map(|r| (r.received.pf_id.as_str(), r.received.status.as_str()))
            .collect::<Vec<_>>(),
        vec![("pf-a", "Deprecated"), ("pf-b", "Active")]
    );
    assert_eq!(list[0].supplier_name, "Resin Co");
    assert_eq!(list[0].received, changed[0]);
    assert_eq!(list[0].digest.len(), 64);
    let one = store
        .received_footprint(&ent, &org, &list[1].received_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(one, list[1]);
    assert!(
        store
            .received_footprint(&admin(), &other, &list[1].received_id)
            .await
            .unwrap()
            .is_none()
    );
    // All or nothing: a bad document in a batch stores none of it.
    let bad = vec![
        received("pf-c", "Active", "9"),
        received("pf-d", "Retired", "9"),
    ];
    match store
        .store_received_footprints(&ent, &org, &sup.supplier_id, &bad)
        .await
    {
        Err(StoreError::Invalid(e)) => assert_eq!(e[0].field, "docs[1].status"),
        other => panic!("{other:?}"),
    }
    // An unknown supplier (or another organisation's) is not found.
    assert!(matches!(
        store
            .store_received_footprints(&admin(), &other, &sup.supplier_id, &docs)
            .await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(
        store.received_footprints(&ent, &org).await.unwrap().len(),
        2
    );
    let audit = store.audit_for_org(&ent, &org, 100).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.entity == "received_footprint")
            .count(),
        3
    );
});

on_all_backends!(
    a_footprint_resting_on_a_calculation_names_a_stored_one,
    |store| {
        let (org, _) = org_with_period(store, 441).await;
        let (other, _) = org_with_period(store, 442).await;
        let ent = user(Role::Enterprise, &[&org]);
        let mut fp = footprint("pet-bottle", "45");
        fp.calculation = "lca:no-such-calculation".into();
        match store.create_pcf(&ent, &org, &fp, None).await {
            Err(StoreError::Invalid(e)) => {
                assert_eq!(e[0].field, "calculation");
                assert_eq!(e[0].msg.key, "store-pcf-calculation");
            }
            other => panic!("{other:?}"),
        }
        assert!(store.pcfs_of(&ent, &org).await.unwrap().is_empty());
        // Another organisation's calculation does not count.
        let a = admin();
        let theirs = store
            .create_product_system(&a, &other, &bottle_system("Theirs"), "")
            .await
            .unwrap();
        let their_calc = store
            .record_calculation(
                &a,
                &other,
                &theirs.system_id,
                1,
                &calc_options(),
                &calc_result(),
            )
            .await
            .unwrap();
        fp.calculation = format!("lca:{}", their_calc.calculation_id);
        assert!(matches!(
            store.create_pcf(&ent, &org, &fp, None).await,
            Err(StoreError::Invalid(_))
        ));
        // Its own calculation does.
        let v1 = store
            .create_product_system(&ent, &org, &bottle_system("PET bottle"), "")
            .await
            .unwrap();
        let calc = store
            .record_calculation(
                &ent,
                &org,
                &v1.system_id,
                1,
                &calc_options(),
                &calc_result(),
            )
            .await
            .unwrap();
        fp.calculation = format!("lca:{}", calc.calculation_id);
        let rec = store.create_pcf(&ent, &org, &fp, None).await.unwrap();
        assert_eq!(rec.input.calculation, fp.calculation);
        // Manual footprints need none.
        let manual = footprint("pv-550", "405");
        assert!(store.create_pcf(&ent, &org, &manual, None).await.is_ok());
    }
);
