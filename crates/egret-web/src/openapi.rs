//! The OpenAPI document served at `/api/openapi.json`, generated from the
//! handlers' annotations and the types they exchange.

use utoipa::OpenApi;

use crate::{
    api, api_data, bank_api, carbon_pages, institution_pages, lca_pages, pcf_pages, report_pages,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Egret API",
        description = "City ESG platform: organisation register (v1). \
                       Authenticate with `Authorization: Bearer <token>` (create tokens on the account page).",
        license(name = "Apache-2.0")
    ),
    paths(
        api::me,
        api::reference,
        api::list_orgs,
        api::create_org,
        api::get_org,
        api::update_org,
        api::list_sites,
        api::create_site,
        api::list_periods,
        api::create_period,
        api::openapi,
        api_data::list_catalogs,
        api_data::get_catalog,
        api_data::list_values,
        api_data::put_values,
        api_data::completeness,
        api_data::checks,
        api_data::list_fx_rates,
        api_data::put_fx_rate,
        carbon_pages::api_factors,
        carbon_pages::api_factor,
        carbon_pages::api_activities,
        carbon_pages::api_put_activities,
        carbon_pages::api_inventory,
        carbon_pages::api_calculate,
        carbon_pages::api_org_factors,
        carbon_pages::api_add_org_factor,
        carbon_pages::api_add_city_factor,
        report_pages::api_published,
        report_pages::api_submissions,
        report_pages::api_submit,
        report_pages::api_assurance_coverage,
        institution_pages::api_institutions,
        institution_pages::api_register,
        institution_pages::api_add_qualification,
        bank_api::grade,
        bank_api::organisation,
        bank_api::eligibility,
        bank_api::rules,
        bank_api::put_rules,
        bank_api::facilities,
        bank_api::add_facility,
        bank_api::catalogues,
        bank_api::calls,
        pcf_pages::api_footprints,
        pcf_pages::api_create_footprint,
        lca_pages::api_systems,
        lca_pages::api_create_system,
        lca_pages::api_system,
        lca_pages::api_calculate,
        lca_pages::api_calculation,
    ),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

/// The document.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}
