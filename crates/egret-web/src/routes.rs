//! Every route of the application, registered through one table so that
//! tests can enumerate them (the route × role authorisation test fails when
//! a route is added without an expectation).

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::routing::{MethodFilter, MethodRouter, on, post};

use crate::{
    AppState, WebConfig, api, api_data, award_pages, bank_api, bank_pages, carbon_pages,
    cockpit_pages, data_pages, institution_pages, lca_pages, pact_api, pact_pages, pages,
    pcf_pages, plan_pages, rating_pages, report_pages,
};

/// A registered route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RouteInfo {
    pub method: &'static str,
    pub path: &'static str,
}

struct Table {
    router: Router<AppState>,
    routes: Vec<RouteInfo>,
}

impl Table {
    fn add<H, T>(self, method: &'static str, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = match method {
            "GET" => MethodFilter::GET,
            "POST" => MethodFilter::POST,
            "PUT" => MethodFilter::PUT,
            "DELETE" => MethodFilter::DELETE,
            other => panic!("unsupported method {other}"),
        };
        self.add_router(method, path, on(filter, handler))
    }

    fn add_router(
        mut self,
        method: &'static str,
        path: &'static str,
        mr: MethodRouter<AppState>,
    ) -> Self {
        self.router = self.router.route(path, mr);
        self.routes.push(RouteInfo { method, path });
        self
    }
}

fn table(config: &WebConfig) -> Table {
    let t = Table {
        router: Router::new(),
        routes: Vec::new(),
    };
    let t = t
        // Public pages and service endpoints.
        .add("GET", "/", pages::home)
        .add("GET", "/healthz", pages::healthz)
        .add("GET", "/metrics", pages::metrics)
        .add("GET", "/static/egret.css", pages::stylesheet)
        .add("GET", "/lang/{lang}", pages::switch_lang)
        .add("GET", "/login", pages::login_form)
        .add("POST", "/login", pages::login)
        .add("POST", "/logout", pages::logout)
        // Signed-in pages.
        .add("GET", "/dashboard", pages::dashboard)
        .add("GET", "/orgs", pages::org_list)
        .add("GET", "/orgs/new", pages::org_new_form)
        .add("POST", "/orgs", pages::org_create)
        .add("GET", "/orgs/{id}", pages::org_detail)
        .add("GET", "/orgs/{id}/edit", pages::org_edit_form)
        .add("POST", "/orgs/{id}", pages::org_update)
        .add("POST", "/orgs/{id}/sites", pages::site_create)
        .add("POST", "/orgs/{id}/periods", pages::period_create)
        .add("GET", "/orgs/{id}/audit", pages::org_audit)
        .add("GET", "/import", pages::import_form)
        // Uploads get the larger body limit (the inner limit wins).
        .add_router(
            "POST",
            "/import",
            post(pages::import_upload).layer(DefaultBodyLimit::max(config.upload_limit)),
        )
        // Catalogs (public) and ESG data collection.
        .add("GET", "/catalogs", data_pages::catalogs_page)
        .add("GET", "/catalogs/{key}", data_pages::catalog_page)
        .add("GET", "/orgs/{id}/data", data_pages::data_page)
        .add(
            "POST",
            "/orgs/{id}/data/{year}/values",
            data_pages::value_save,
        )
        .add("POST", "/orgs/{id}/data/{year}/review", data_pages::review)
        .add(
            "POST",
            "/orgs/{id}/data/{year}/fx",
            data_pages::fx_rate_save,
        )
        .add_router(
            "POST",
            "/orgs/{id}/data/{year}/evidence",
            post(data_pages::evidence_upload).layer(DefaultBodyLimit::max(config.upload_limit)),
        )
        .add(
            "GET",
            "/orgs/{id}/evidence/{sha}",
            data_pages::evidence_download,
        )
        .add(
            "GET",
            "/orgs/{id}/completeness",
            data_pages::completeness_page,
        )
        .add(
            "GET",
            "/orgs/{id}/data/{year}/template.xlsx",
            data_pages::template_download,
        )
        .add_router(
            "POST",
            "/orgs/{id}/data/{year}/upload",
            post(data_pages::upload).layer(DefaultBodyLimit::max(config.upload_limit)),
        )
        .add(
            "POST",
            "/orgs/{id}/data/{year}/upload/{upload}/confirm",
            data_pages::upload_confirm,
        )
        // Carbon inventories and the factor library (public).
        .add("GET", "/carbon/factors", carbon_pages::factors_page)
        .add("POST", "/carbon/factors", carbon_pages::city_factor_add)
        .add("GET", "/carbon/factors/{factor}", carbon_pages::factor_page)
        .add(
            "POST",
            "/orgs/{id}/carbon/factors",
            carbon_pages::org_factor_add,
        )
        .add("GET", "/orgs/{id}/carbon", carbon_pages::carbon_page)
        .add(
            "POST",
            "/orgs/{id}/carbon/{year}/activities",
            carbon_pages::activity_save,
        )
        .add_router(
            "POST",
            "/orgs/{id}/carbon/{year}/import",
            post(carbon_pages::activity_import).layer(DefaultBodyLimit::max(config.upload_limit)),
        )
        .add(
            "POST",
            "/orgs/{id}/carbon/{year}/activities/{activity}/delete",
            carbon_pages::activity_delete,
        )
        .add(
            "POST",
            "/orgs/{id}/carbon/{year}/calculate",
            carbon_pages::calculate,
        )
        .add(
            "POST",
            "/orgs/{id}/carbon/{year}/outputs",
            carbon_pages::output_add,
        )
        // Submissions and published reports.
        .add("GET", "/reports", report_pages::published_reports)
        .add(
            "POST",
            "/orgs/{id}/data/{year}/submit",
            report_pages::submit,
        )
        .add(
            "GET",
            "/orgs/{id}/submissions",
            report_pages::org_submissions,
        )
        .add(
            "GET",
            "/orgs/{id}/report/{year}/narrative",
            report_pages::narrative_page,
        )
        .add(
            "POST",
            "/orgs/{id}/report/{year}/narrative",
            report_pages::narrative_save,
        )
        .add(
            "GET",
            "/orgs/{id}/submissions/{sid}",
            report_pages::report_page,
        )
        .add(
            "GET",
            "/orgs/{id}/submissions/{sid}/xbrl.json",
            report_pages::xbrl_json,
        )
        .add(
            "GET",
            "/orgs/{id}/submissions/{sid}/egret.json",
            report_pages::egret_json,
        )
        .add(
            "GET",
            "/orgs/{id}/submissions/{sid}/annex.xlsx",
            report_pages::annex_xlsx,
        )
        .add(
            "GET",
            "/orgs/{id}/submissions/{sid}/report.pdf",
            report_pages::report_pdf,
        )
        .add(
            "POST",
            "/orgs/{id}/submissions/{sid}/publish",
            report_pages::publish,
        )
        .add(
            "POST",
            "/orgs/{id}/submissions/{sid}/withdraw",
            report_pages::withdraw,
        )
        .add(
            "POST",
            "/orgs/{id}/submissions/{sid}/engage",
            report_pages::engage,
        )
        .add(
            "POST",
            "/orgs/{id}/engagements/{eid}/findings",
            report_pages::raise_finding,
        )
        .add(
            "POST",
            "/orgs/{id}/engagements/{eid}/findings/{fid}/respond",
            report_pages::respond_finding,
        )
        .add(
            "POST",
            "/orgs/{id}/engagements/{eid}/conclude",
            report_pages::conclude,
        )
        // The city's cockpit (city government) and its public figures.
        .add("GET", "/cockpit", cockpit_pages::cockpit)
        .add("GET", "/cockpit/list", cockpit_pages::cockpit_list)
        .add("GET", "/city", cockpit_pages::city_page)
        .add("GET", "/xbrl/2026/egret.xsd", report_pages::egret_schema)
        // Ratings and their explanations.
        .add("GET", "/ratings", rating_pages::ratings_page)
        .add("POST", "/ratings/run", rating_pages::run)
        .add("POST", "/ratings/{run}/publish", rating_pages::publish)
        .add("GET", "/rankings", rating_pages::rankings_page)
        .add("GET", "/cases", rating_pages::cases_page)
        .add("POST", "/cases", rating_pages::case_add)
        .add("GET", "/orgs/{id}/rating", rating_pages::rating_page)
        .add(
            "POST",
            "/orgs/{id}/controversies",
            rating_pages::controversy_add,
        )
        .add("POST", "/orgs/{id}/rating/objections", rating_pages::object)
        .add(
            "POST",
            "/orgs/{id}/rating/objections/{oid}",
            rating_pages::resolve,
        )
        // Awards and subsidies.
        .add("GET", "/awards", award_pages::awards_page)
        .add("POST", "/awards/{award}/apply", award_pages::apply)
        .add("POST", "/awards/applications/{id}", award_pages::decide)
        // The action plan's measures (city government).
        .add("GET", "/plan", plan_pages::plan_page)
        .add("GET", "/plan/{n}", plan_pages::measure_page)
        .add("POST", "/plan/{n}/reports", plan_pages::report_add)
        .add("POST", "/plan/{n}/evaluations", plan_pages::evaluation_add)
        .add("POST", "/plan/{n}/adjustments", plan_pages::adjustment_add)
        // The registry of service institutions (public; kept by the city).
        .add("GET", "/institutions", institution_pages::institutions_page)
        .add(
            "POST",
            "/institutions",
            institution_pages::institution_create,
        )
        .add(
            "GET",
            "/institutions/{id}",
            institution_pages::institution_page,
        )
        .add(
            "POST",
            "/institutions/{id}/qualifications",
            institution_pages::qualification_add,
        )
        .add(
            "POST",
            "/institutions/{id}/members",
            institution_pages::member_add,
        )
        .add(
            "POST",
            "/institutions/{id}/status",
            institution_pages::status_set,
        )
        .add("GET", "/account", pages::account)
        .add("POST", "/account/tokens", pages::token_create)
        .add("POST", "/account/tokens/{id}/revoke", pages::token_revoke)
        .add("GET", "/admin/users", pages::users)
        .add("POST", "/admin/users", pages::user_create)
        // JSON API.
        .add("GET", "/api/openapi.json", api::openapi)
        .add("GET", "/api/v1/me", api::me)
        .add("GET", "/api/v1/reference", api::reference)
        .add("GET", "/api/v1/organizations", api::list_orgs)
        .add("POST", "/api/v1/organizations", api::create_org)
        .add("GET", "/api/v1/organizations/{id}", api::get_org)
        .add("PUT", "/api/v1/organizations/{id}", api::update_org)
        .add("GET", "/api/v1/organizations/{id}/sites", api::list_sites)
        .add("POST", "/api/v1/organizations/{id}/sites", api::create_site)
        .add(
            "GET",
            "/api/v1/organizations/{id}/periods",
            api::list_periods,
        )
        .add(
            "POST",
            "/api/v1/organizations/{id}/periods",
            api::create_period,
        )
        .add("GET", "/api/v1/catalogs", api_data::list_catalogs)
        .add("GET", "/api/v1/catalogs/{key}", api_data::get_catalog)
        .add(
            "GET",
            "/api/v1/organizations/{id}/periods/{year}/values",
            api_data::list_values,
        )
        .add(
            "PUT",
            "/api/v1/organizations/{id}/periods/{year}/values",
            api_data::put_values,
        )
        .add(
            "GET",
            "/api/v1/organizations/{id}/periods/{year}/completeness/{catalog}",
            api_data::completeness,
        )
        .add(
            "GET",
            "/api/v1/organizations/{id}/periods/{year}/checks",
            api_data::checks,
        )
        .add(
            "GET",
            "/api/v1/organizations/{id}/periods/{year}/fx-rates",
            api_data::list_fx_rates,
        )
        .add(
            "PUT",
            "/api/v1/organizations/{id}/periods/{year}/fx-rates",
            api_data::put_fx_rate,
        )
        .add("GET", "/api/v1/reports", report_pages::api_published)
        .add(
            "GET",
            "/api/v1/institutions",
            institution_pages::api_institutions,
        )
        .add(
            "POST",
            "/api/v1/institutions",
            institution_pages::api_register,
        )
        .add(
            "POST",
            "/api/v1/institutions/{id}/qualifications",
            institution_pages::api_add_qualification,
        )
        .add(
            "GET",
            "/api/v1/city/assurance-coverage",
            report_pages::api_assurance_coverage,
        )
        .add(
            "GET",
            "/api/v1/organizations/{id}/submissions",
            report_pages::api_submissions,
        )
        .add(
            "POST",
            "/api/v1/organizations/{id}/periods/{year}/submissions",
            report_pages::api_submit,
        )
        // Bank API (token, rate limit and call log: bank_api::gate).
        .add("GET", "/api/bank/v1/orgs/{uscc}", bank_api::organisation)
        .add("GET", "/api/bank/v1/orgs/{uscc}/grade", bank_api::grade)
        .add(
            "GET",
            "/api/bank/v1/orgs/{uscc}/eligibility",
            bank_api::eligibility,
        )
        .add("GET", "/api/bank/v1/rules", bank_api::rules)
        .add("PUT", "/api/bank/v1/rules", bank_api::put_rules)
        .add("GET", "/api/bank/v1/facilities", bank_api::facilities)
        .add("POST", "/api/bank/v1/facilities", bank_api::add_facility)
        .add("GET", "/api/bank/v1/catalogues", bank_api::catalogues)
        .add("GET", "/api/bank/v1/calls", bank_api::calls)
        // Product footprints and certificates.
        .add("GET", "/orgs/{id}/footprints", pcf_pages::footprints_page)
        .add("POST", "/orgs/{id}/footprints", pcf_pages::footprint_create)
        .add(
            "POST",
            "/orgs/{id}/footprints/{pcf}/publish",
            pcf_pages::footprint_publish,
        )
        .add(
            "POST",
            "/orgs/{id}/footprints/{pcf}/certify",
            pcf_pages::footprint_certify,
        )
        .add("GET", "/certificates", pcf_pages::certificate_check)
        .add("GET", "/certificates/{digest}", pcf_pages::certificate_page)
        .add(
            "GET",
            "/api/v1/organizations/{id}/footprints",
            pcf_pages::api_footprints,
        )
        .add(
            "POST",
            "/api/v1/organizations/{id}/footprints",
            pcf_pages::api_create_footprint,
        )
        // Product systems, calculations and suppliers' footprints.
        .add("GET", "/orgs/{id}/products", lca_pages::products_page)
        .add("POST", "/orgs/{id}/products", lca_pages::product_create)
        .add_router(
            "POST",
            "/orgs/{id}/products/import",
            post(lca_pages::product_import).layer(DefaultBodyLimit::max(config.upload_limit)),
        )
        .add("GET", "/orgs/{id}/products/{sid}", lca_pages::system_page)
        .add(
            "POST",
            "/orgs/{id}/products/{sid}/edit",
            lca_pages::system_edit,
        )
        .add(
            "GET",
            "/orgs/{id}/products/{sid}/matrices.zip",
            lca_pages::system_matrices,
        )
        .add(
            "POST",
            "/orgs/{id}/products/{sid}/calculate",
            lca_pages::system_calculate,
        )
        .add(
            "GET",
            "/orgs/{id}/calculations/{cid}",
            lca_pages::calculation_page,
        )
        .add("GET", "/orgs/{id}/suppliers", lca_pages::suppliers_page)
        .add("POST", "/orgs/{id}/suppliers", lca_pages::supplier_add)
        .add(
            "POST",
            "/orgs/{id}/suppliers/{sup}/fetch",
            lca_pages::supplier_fetch,
        )
        .add(
            "GET",
            "/api/v1/organizations/{id}/product-systems",
            lca_pages::api_systems,
        )
        .add(
            "POST",
            "/api/v1/organizations/{id}/product-systems",
            lca_pages::api_create_system,
        )
        .add(
            "GET",
            "/api/v1/organizations/{id}/product-systems/{sid}",
            lca_pages::api_system,
        )
        .add(
            "POST",
            "/api/v1/organizations/{id}/product-systems/{sid}/calculations",
            lca_pages::api_calculate,
        )
        .add(
            "GET",
            "/api/v1/organizations/{id}/calculations/{cid}",
            lca_pages::api_calculation,
        )
        .add("GET", "/orgs/{id}/pact", pact_pages::pact_page)
        .add("POST", "/orgs/{id}/pact/clients", pact_pages::client_create)
        .add(
            "POST",
            "/orgs/{id}/pact/clients/{client}/revoke",
            pact_pages::client_revoke,
        )
        .add(
            "POST",
            "/orgs/{id}/pact/clients/{client}/callback",
            pact_pages::client_callback,
        )
        // PACT host endpoint of each organisation (partners' OAuth2 tokens).
        .add("POST", "/pact/{uscc}/auth/token", pact_api::token)
        .add("GET", "/pact/{uscc}/3/footprints", pact_api::list_v3)
        .add("GET", "/pact/{uscc}/3/footprints/{id}", pact_api::get_v3)
        .add("POST", "/pact/{uscc}/3/events", pact_api::events_v3)
        .add("GET", "/pact/{uscc}/2/footprints", pact_api::list_v2)
        .add("GET", "/pact/{uscc}/2/footprints/{id}", pact_api::get_v2)
        .add("POST", "/pact/{uscc}/2/events", pact_api::events_v2)
        // Bank pages.
        .add("GET", "/bank", bank_pages::bank_page)
        .add("POST", "/bank/rules", bank_pages::rules_upload)
        .add("POST", "/bank/facilities", bank_pages::facility_add)
        .add("GET", "/api/v1/carbon/factors", carbon_pages::api_factors)
        .add(
            "POST",
            "/api/v1/carbon/factors",
            carbon_pages::api_add_city_factor,
        )
        .add(
            "GET",
            "/api/v1/organizations/{id}/factors",
            carbon_pages::api_org_factors,
        )
        .add(
            "POST",
            "/api/v1/organizations/{id}/factors",
            carbon_pages::api_add_org_factor,
        )
        .add(
            "GET",
            "/api/v1/carbon/factors/{factor}",
            carbon_pages::api_factor,
        )
        .add(
            "GET",
            "/api/v1/organizations/{id}/periods/{year}/activities",
            carbon_pages::api_activities,
        )
        .add(
            "PUT",
            "/api/v1/organizations/{id}/periods/{year}/activities",
            carbon_pages::api_put_activities,
        )
        .add(
            "GET",
            "/api/v1/organizations/{id}/periods/{year}/inventory",
            carbon_pages::api_inventory,
        )
        .add(
            "POST",
            "/api/v1/organizations/{id}/periods/{year}/inventory",
            carbon_pages::api_calculate,
        );
    Table {
        router: t.router.layer(DefaultBodyLimit::max(config.body_limit)),
        routes: t.routes,
    }
}

/// The router (without state and middleware).
pub(crate) fn build(config: &WebConfig) -> Router<AppState> {
    table(config).router
}

/// Every (method, path) the application serves.
pub fn route_table() -> Vec<RouteInfo> {
    table(&WebConfig::default()).routes
}
