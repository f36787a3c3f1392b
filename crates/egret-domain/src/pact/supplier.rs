//! A supplier's footprint, received from its PACT v3 endpoint, as a
//! process of a product system.
//!
//! [`received_from_v3`] accepts one `ProductFootprint` document that passes
//! [`check_v3_footprint`] and keeps it verbatim as a [`Received`];
//! [`supplier_process`] turns a received footprint into a
//! [`ProcessModel`] that makes the product `pact:<footprint id>`.
//!
//! ## Amounts are per declared unit, and the declared unit is the whole amount
//!
//! In v3 the *declared unit* is `declaredUnitAmount` ×
//! `declaredUnitOfMeasurement`, and `pcfExcludingBiogenicUptake`,
//! `pcfIncludingBiogenicUptake`, `fossilGhgEmissions` and the other
//! emission properties are in kgCO2e per declared unit (the OpenAPI
//! document's `x-unit: kgCO2e/declared unit`; its example: a footprint of
//! a 12 liter bottle of ethanol states 2 kg CO2e, `declaredUnitAmount` 12,
//! `declaredUnitOfMeasurement` `liter`). The amounts are therefore for
//! all `declaredUnitAmount` units together, not for one of them. (v2 was
//! different: there the amounts were per one `declaredUnit`, with
//! `unitaryProductAmount` beside them; see [`to_v2`](super::to_v2).)
//!
//! So the process makes `declaredUnitAmount` of its product per run and
//! emits the stated amounts as they are, undivided: an input of one liter
//! of the ethanol above draws 1/12 of a run, 2/12 kg CO2e.
//!
//! ## The emissions
//!
//! All in the flow [`CO2E`] (the amounts are already characterised):
//!
//! - `fossilGhgEmissions` as [`EmissionKind::Fossil`];
//! - the rest of `pcfExcludingBiogenicUptake` beyond the fossil emissions
//!   (by the specification's formula: land-use change, land management,
//!   biogenic non-CO2 emissions, net of technological removals and CCS) as
//!   [`EmissionKind::Biogenic`], except that a stated
//!   `landUseChangeGhgEmissions` that fits within that rest is split off as
//!   [`EmissionKind::LandUse`];
//! - `pcfIncludingBiogenicUptake` − `pcfExcludingBiogenicUptake` (the
//!   biogenic CO2 uptake, ≤ 0) as [`EmissionKind::Uptake`].
//!
//! Zero amounts are left out. A footprint whose removals exceed its
//! non-fossil emissions (excluding-uptake below fossil) or whose uptake is
//! positive cannot be split into these kinds and is refused, with the same
//! rules (and messages) as Egret's own footprints.
//!
//! Decimals travel as JSON strings and are parsed exactly: a value that
//! does not fit a [`Decimal`] without rounding is refused. Every error
//! names the JSON field of the footprint, e.g. `pcf.fossilGhgEmissions`.

use egret_i18n::Msg;
use rust_decimal::Decimal;
use serde_json::Value;

use super::{Received, check_v3_footprint};
use crate::org::FieldError;
use crate::product_system::{CO2E, EmissionKind, EmissionModel, ProcessModel, ProcessSource};

/// The received copy of one v3 `ProductFootprint` document, or every
/// schema violation of it (`"path: reason"`, as [`check_v3_footprint`]).
pub fn received_from_v3(doc: &Value) -> Result<Received, Vec<String>> {
    let errors = check_v3_footprint(doc);
    if !errors.is_empty() {
        return Err(errors);
    }
    let text = |name: &str| doc[name].as_str().unwrap_or_default().to_string();
    Ok(Received {
        pf_id: text("id"),
        status: text("status"),
        spec_version: text("specVersion"),
        document: doc.clone(),
    })
}

/// The value at a dotted path (`pcf.fossilGhgEmissions`).
fn at<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(doc, |v, name| v.get(name))
}

fn field_error(field: impl Into<String>, key: &'static str) -> FieldError {
    FieldError::new(field, Msg::new(key))
}

/// A schema violation `"path: reason"` as an error on that path.
fn schema_error(violation: &str) -> FieldError {
    let (path, reason) = violation.split_once(": ").unwrap_or(("(root)", violation));
    FieldError::new(
        path,
        Msg::new("domain-pact-supplier-schema").arg("reason", reason),
    )
}

/// The exact decimal of an optional decimal string property.
fn decimal(doc: &Value, path: &str) -> Result<Option<Decimal>, FieldError> {
    match at(doc, path) {
        None => Ok(None),
        Some(v) => v
            .as_str()
            .and_then(|s| Decimal::from_str_exact(s).ok())
            .map(Some)
            .ok_or_else(|| field_error(path, "domain-pact-supplier-decimal")),
    }
}

/// A required decimal string property (present after the schema check).
fn required(doc: &Value, path: &str, errors: &mut Vec<FieldError>) -> Decimal {
    match decimal(doc, path) {
        Ok(Some(d)) => d,
        Ok(None) => {
            errors.push(field_error(path, "domain-required"));
            Decimal::ZERO
        }
        Err(e) => {
            errors.push(e);
            Decimal::ZERO
        }
    }
}

/// What a product-level verification says of the footprint, compactly: the
/// certificate number (from Egret's own `comments`, `Certificate <number>;
/// …`), the provider, the standard and the day it was completed. `None`
/// without a verification of this very footprint (`coverage` `product
/// level`), or without a provider.
fn certificate(doc: &Value) -> Option<String> {
    let v = at(doc, "pcf.verification")?;
    if v.get("coverage").and_then(Value::as_str) != Some("product level") {
        return None;
    }
    let text = |name: &str| {
        v.get(name)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let provider = text("providerName")?;
    let number = text("comments")
        .and_then(|c| c.strip_prefix("Certificate "))
        .and_then(|c| c.split_once(';'))
        .map(|(n, _)| n.trim())
        .filter(|n| !n.is_empty());
    let day = text("completedAt").and_then(|t| t.get(..10));
    let parts: Vec<&str> = [number, Some(provider), text("standardName"), day]
        .into_iter()
        .flatten()
        .collect();
    Some(parts.join(" · "))
}

/// One emission in CO2e, or nothing for zero.
fn co2e(amount: Decimal, kind: EmissionKind) -> Option<EmissionModel> {
    (!amount.is_zero()).then(|| EmissionModel {
        flow: CO2E.to_string(),
        amount: amount.normalize(),
        kind,
        uncertainty: None,
    })
}

/// The process of a received footprint: makes `pact:<id>`,
/// `declaredUnitAmount` `declaredUnitOfMeasurement` of it per run, with the
/// footprint's emissions as they stand (per declared unit, which is the
/// whole `declaredUnitAmount`; see the module documentation), named after
/// `productNameCompany` and the company, sourced from the supplier.
///
/// `received_id` is the stored copy the process comes from, `process_id`
/// the id the process gets in its system. Errors name the footprint's JSON
/// field (`pcf.pcfExcludingBiogenicUptake`), or `process_id` /
/// `received_id`; a document that fails [`check_v3_footprint`] gives one
/// error per violation.
pub fn supplier_process(
    r: &Received,
    received_id: &str,
    process_id: &str,
) -> Result<ProcessModel, Vec<FieldError>> {
    let doc = &r.document;
    let violations = check_v3_footprint(doc);
    if !violations.is_empty() {
        return Err(violations.iter().map(|v| schema_error(v)).collect());
    }
    let mut errors = Vec::new();
    if process_id.trim().is_empty() {
        errors.push(field_error("process_id", "domain-required"));
    }
    if received_id.trim().is_empty() {
        errors.push(field_error("received_id", "domain-required"));
    }
    let text = |path: &str| {
        at(doc, path)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    let pf_id = text("id");
    if pf_id != r.pf_id.trim() {
        errors.push(field_error("id", "domain-pact-supplier-id"));
    }
    let amount = required(doc, "pcf.declaredUnitAmount", &mut errors);
    let excluding = required(doc, "pcf.pcfExcludingBiogenicUptake", &mut errors);
    let including = required(doc, "pcf.pcfIncludingBiogenicUptake", &mut errors);
    let fossil = required(doc, "pcf.fossilGhgEmissions", &mut errors);
    let land_use = decimal(doc, "pcf.landUseChangeGhgEmissions").unwrap_or_else(|e| {
        errors.push(e);
        None
    });
    if !errors.is_empty() {
        return Err(errors);
    }
    // Differences of two exact decimals can only overflow near the type's
    // limit (about 7.9e28).
    let rest = excluding.checked_sub(fossil);
    let uptake = including.checked_sub(excluding);
    match rest {
        None => errors.push(field_error(
            "pcf.pcfExcludingBiogenicUptake",
            "domain-pact-supplier-decimal",
        )),
        Some(d) if d < Decimal::ZERO => {
            errors.push(field_error(
                "pcf.pcfExcludingBiogenicUptake",
                "domain-pcf-split",
            ));
        }
        Some(_) => {}
    }
    match uptake {
        None => errors.push(field_error(
            "pcf.pcfIncludingBiogenicUptake",
            "domain-pact-supplier-decimal",
        )),
        Some(d) if d > Decimal::ZERO => {
            errors.push(field_error(
                "pcf.pcfIncludingBiogenicUptake",
                "domain-pcf-uptake",
            ));
        }
        Some(_) => {}
    }
    let (Some(rest), Some(uptake)) = (rest, uptake) else {
        return Err(errors);
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let land_use = land_use
        .filter(|l| *l > Decimal::ZERO && *l <= rest)
        .unwrap_or(Decimal::ZERO);
    let emissions: Vec<EmissionModel> = [
        co2e(fossil, EmissionKind::Fossil),
        co2e(rest - land_use, EmissionKind::Biogenic),
        co2e(land_use, EmissionKind::LandUse),
        co2e(uptake, EmissionKind::Uptake),
    ]
    .into_iter()
    .flatten()
    .collect();
    let company = text("companyName");
    let product_name = text("productNameCompany");
    Ok(ProcessModel {
        id: process_id.trim().to_string(),
        name: if company.is_empty() {
            product_name
        } else {
            format!("{product_name} ({company})")
        },
        product: format!("pact:{pf_id}"),
        unit: text("pcf.declaredUnitOfMeasurement"),
        output: amount.normalize(),
        source: ProcessSource::Supplier {
            pf_id,
            company,
            received_id: received_id.trim().to_string(),
            certificate: certificate(doc),
        },
        inputs: Vec::new(),
        emissions,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pact::mapping::tests::meta;
    use crate::pact::v3::VerificationCoverage;
    use crate::pact::{FootprintStatus, VerificationInfo, to_v3};
    use crate::pcf::sample;
    use crate::product_system::ProductSystemModel;
    use serde_json::json;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    /// Egret's own mapping of the sample footprint, as a supplier sends it.
    fn sample_doc() -> Value {
        serde_json::to_value(to_v3(&sample(), &meta())).unwrap()
    }

    fn received(doc: Value) -> Received {
        received_from_v3(&doc).unwrap()
    }

    fn emissions(p: &ProcessModel) -> Vec<(EmissionKind, Decimal)> {
        p.emissions
            .iter()
            .inspect(|e| assert_eq!(e.flow, CO2E))
            .map(|e| (e.kind, e.amount))
            .collect()
    }

    fn fields(e: &[FieldError]) -> Vec<(&str, &str)> {
        e.iter()
            .map(|e| (e.field.as_str(), e.msg.key.as_ref()))
            .collect()
    }

    #[test]
    fn egrets_own_footprint_becomes_a_supplier_process() {
        let r = received(sample_doc());
        assert_eq!(r.pf_id, "0194f6c2-7a1e-7c3d-9b2a-5e8f1d2c3b4a");
        assert_eq!(r.status, "Active");
        assert_eq!(r.spec_version, "3.0.3");
        let p = supplier_process(&r, "rcv-1", "supplier-1").unwrap();
        assert_eq!(p.id, "supplier-1");
        assert_eq!(p.name, "PV module (Minjiang Solar Co., Ltd.)");
        assert_eq!(p.product, "pact:0194f6c2-7a1e-7c3d-9b2a-5e8f1d2c3b4a");
        assert_eq!((p.unit.as_str(), p.output), ("piece", d("1")));
        // 412.5 excluding uptake, of which 405 fossil; 410.1 including.
        assert_eq!(
            emissions(&p),
            vec![
                (EmissionKind::Fossil, d("405")),
                (EmissionKind::Biogenic, d("7.5")),
                (EmissionKind::Uptake, d("-2.4")),
            ]
        );
        assert_eq!(
            p.source,
            ProcessSource::Supplier {
                pf_id: r.pf_id.clone(),
                company: "Minjiang Solar Co., Ltd.".into(),
                received_id: "rcv-1".into(),
                certificate: None,
            }
        );
        // It fits a product system: 100 modules.
        let system = ProductSystemModel {
            name: "Array".into(),
            reference_product: p.product.clone(),
            amount: d("100"),
            gwp_set: "AR6".into(),
            processes: vec![p],
            flows: vec![],
        };
        let m = system.matrices(|_| None).unwrap();
        assert_eq!(m.biosphere.len(), 3);
        assert_eq!(m.demand_amount, d("100"));
    }

    #[test]
    fn amounts_are_for_the_whole_declared_unit() {
        // The specification's example: a 12 liter bottle of ethanol, 2 kg
        // CO2e for the bottle.
        let mut pcf = sample();
        pcf.declared_unit = "liter".into();
        pcf.declared_unit_amount = d("12");
        pcf.product_mass_per_declared_unit = d("9.468");
        pcf.pcf_excluding_biogenic_uptake = d("2");
        pcf.pcf_including_biogenic_uptake = d("2");
        pcf.fossil_ghg_emissions = d("2");
        let doc = serde_json::to_value(to_v3(&pcf, &meta())).unwrap();
        let p = supplier_process(&received(doc), "rcv-2", "ethanol").unwrap();
        assert_eq!((p.unit.as_str(), p.output), ("liter", d("12")));
        assert_eq!(emissions(&p), vec![(EmissionKind::Fossil, d("2"))]);
    }

    #[test]
    fn deprecated_footprints_keep_their_status() {
        let mut m = meta();
        m.status = FootprintStatus::Deprecated;
        let doc = serde_json::to_value(to_v3(&sample(), &m)).unwrap();
        assert_eq!(received(doc).status, "Deprecated");
    }

    #[test]
    fn stated_land_use_change_is_split_off_when_it_fits() {
        let mut doc = sample_doc();
        doc["pcf"]["landUseChangeGhgEmissions"] = json!("5");
        let p = supplier_process(&received(doc.clone()), "r", "p").unwrap();
        assert_eq!(
            emissions(&p),
            vec![
                (EmissionKind::Fossil, d("405")),
                (EmissionKind::Biogenic, d("2.5")),
                (EmissionKind::LandUse, d("5")),
                (EmissionKind::Uptake, d("-2.4")),
            ]
        );
        // All of the rest: no biogenic part left.
        doc["pcf"]["landUseChangeGhgEmissions"] = json!("7.50");
        let p = supplier_process(&received(doc.clone()), "r", "p").unwrap();
        assert_eq!(
            emissions(&p)[1..],
            [
                (EmissionKind::LandUse, d("7.5")),
                (EmissionKind::Uptake, d("-2.4"))
            ]
        );
        // More than the rest (removals net it down): kept together.
        doc["pcf"]["landUseChangeGhgEmissions"] = json!("9");
        let p = supplier_process(&received(doc), "r", "p").unwrap();
        assert_eq!(emissions(&p)[1], (EmissionKind::Biogenic, d("7.5")));
    }

    #[test]
    fn zero_parts_are_left_out() {
        let mut doc = sample_doc();
        for k in [
            "pcfExcludingBiogenicUptake",
            "pcfIncludingBiogenicUptake",
            "fossilGhgEmissions",
        ] {
            doc["pcf"][k] = json!("0.000");
        }
        let p = supplier_process(&received(doc), "r", "p").unwrap();
        assert!(p.emissions.is_empty());
    }

    #[test]
    fn a_product_level_verification_names_the_certificate() {
        let mut m = meta();
        m.verification = Some(VerificationInfo {
            certificate_number: "CQC-PCF-2026-001".into(),
            standard_id: "iso-14067".into(),
            provider_name: "Fujian Certification Centre".into(),
            completed_at: crate::pact::parse_date_time("2026-01-10T02:00:00Z").unwrap(),
            coverage: VerificationCoverage::ProductLevel,
            scope: "PV module, cradle to gate".into(),
            valid_from: "2026-01-10".parse().unwrap(),
            valid_to: "2029-01-09".parse().unwrap(),
            verification_url: None,
        });
        let mut doc = serde_json::to_value(to_v3(&sample(), &m)).unwrap();
        let p = supplier_process(&received(doc.clone()), "r", "p").unwrap();
        let ProcessSource::Supplier { certificate, .. } = p.source else {
            panic!("a supplier process")
        };
        assert_eq!(
            certificate.as_deref(),
            Some("CQC-PCF-2026-001 · Fujian Certification Centre · ISO 14067:2018 · 2026-01-10")
        );
        // Another supplier's wording: no number, still the verifier.
        doc["pcf"]["verification"] =
            json!({"coverage": "product level", "providerName": "My Auditor"});
        let p = supplier_process(&received(doc.clone()), "r", "p").unwrap();
        let ProcessSource::Supplier { certificate, .. } = p.source else {
            panic!("a supplier process")
        };
        assert_eq!(certificate.as_deref(), Some("My Auditor"));
        // A verified programme or model, or no coverage: unclear, none.
        for v in [
            json!({"coverage": "PCF program", "providerName": "My Auditor"}),
            json!({"providerName": "My Auditor"}),
            json!({"coverage": "product level"}),
        ] {
            doc["pcf"]["verification"] = v;
            let p = supplier_process(&received(doc.clone()), "r", "p").unwrap();
            let ProcessSource::Supplier { certificate, .. } = p.source else {
                panic!("a supplier process")
            };
            assert_eq!(certificate, None);
        }
    }

    #[test]
    fn schema_violations_are_returned_and_name_their_field() {
        let mut doc = sample_doc();
        doc["pcf"]
            .as_object_mut()
            .unwrap()
            .remove("declaredUnitAmount");
        doc["pcf"]["fossilGhgEmissions"] = json!(405);
        let errors = received_from_v3(&doc).unwrap_err();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("pcf.declaredUnitAmount: "))
        );
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("pcf.fossilGhgEmissions: "))
        );
        assert!(received_from_v3(&json!([])).is_err());
        // A stored copy that does not pass gives field errors.
        let r = Received {
            pf_id: "x".into(),
            status: "Active".into(),
            spec_version: "3.0.3".into(),
            document: doc,
        };
        let e = supplier_process(&r, "r", "p").unwrap_err();
        let mut f = fields(&e);
        f.sort();
        assert_eq!(
            f,
            vec![
                ("pcf.declaredUnitAmount", "domain-pact-supplier-schema"),
                ("pcf.fossilGhgEmissions", "domain-pact-supplier-schema"),
            ]
        );
        assert!(e.iter().all(|e| e.msg.args[0].0 == "reason"));
    }

    #[test]
    fn footprints_that_cannot_be_split_are_refused() {
        let mut doc = sample_doc();
        // Removals exceed the non-fossil emissions.
        doc["pcf"]["pcfExcludingBiogenicUptake"] = json!("400");
        doc["pcf"]["pcfIncludingBiogenicUptake"] = json!("401");
        let e = supplier_process(&received(doc), "r", "p").unwrap_err();
        assert_eq!(
            fields(&e),
            vec![
                ("pcf.pcfExcludingBiogenicUptake", "domain-pcf-split"),
                ("pcf.pcfIncludingBiogenicUptake", "domain-pcf-uptake"),
            ]
        );
    }

    #[test]
    fn decimals_are_exact_or_refused() {
        let mut doc = sample_doc();
        // 29 decimal places do not fit a Decimal without rounding.
        doc["pcf"]["fossilGhgEmissions"] = json!("0.00000000000000000000000000001");
        let e = supplier_process(&received(doc.clone()), "r", "p").unwrap_err();
        assert_eq!(
            fields(&e),
            vec![("pcf.fossilGhgEmissions", "domain-pact-supplier-decimal")]
        );
        // Many digits that do fit are kept exactly.
        doc["pcf"]["fossilGhgEmissions"] = json!("405.0000000000000000000001");
        let p = supplier_process(&received(doc), "r", "p").unwrap();
        assert_eq!(
            emissions(&p)[..2],
            [
                (EmissionKind::Fossil, d("405.0000000000000000000001")),
                (EmissionKind::Biogenic, d("7.4999999999999999999999")),
            ]
        );
    }

    #[test]
    fn ids_are_required_and_must_match() {
        let mut r = received(sample_doc());
        let e = supplier_process(&r, " ", "").unwrap_err();
        assert_eq!(
            fields(&e),
            vec![
                ("process_id", "domain-required"),
                ("received_id", "domain-required"),
            ]
        );
        r.pf_id = "another".into();
        let e = supplier_process(&r, "r", "p").unwrap_err();
        assert_eq!(fields(&e), vec![("id", "domain-pact-supplier-id")]);
    }
}
