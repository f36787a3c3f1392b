//! PACT events: CloudEvents 1.0 in structured JSON mode
//! (`application/cloudevents+json`), posted to `/3/events` (or `/2/events`).
//! See [`EventData`] for the types and their data.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::check::{
    Checker, FOOTPRINT_V2_ITEM, FOOTPRINT_V3_ITEM, Shape, Ty, join, opt, req, shape,
};
use super::error::ErrorBody;
use super::filter::FootprintFilter;
use super::formats::format_date_time;
use super::v2::ProductFootprintV2;
use super::v3::ProductFootprintV3;
use super::{ApiVersion, ErrorCode};

/// v3: a data recipient asks for footprints.
pub const V3_REQUEST_CREATED: &str = "org.wbcsd.pact.ProductFootprint.RequestCreatedEvent.3";
/// v3: the data owner answers a request with footprints.
pub const V3_REQUEST_FULFILLED: &str = "org.wbcsd.pact.ProductFootprint.RequestFulfilledEvent.3";
/// v3: the data owner cannot answer a request.
pub const V3_REQUEST_REJECTED: &str = "org.wbcsd.pact.ProductFootprint.RequestRejectedEvent.3";
/// v3: footprints were published or changed.
pub const V3_PUBLISHED: &str = "org.wbcsd.pact.ProductFootprint.PublishedEvent.3";
/// v2: request created.
pub const V2_REQUEST_CREATED: &str = "org.wbcsd.pathfinder.ProductFootprintRequest.Created.v1";
/// v2: request fulfilled.
pub const V2_REQUEST_FULFILLED: &str = "org.wbcsd.pathfinder.ProductFootprintRequest.Fulfilled.v1";
/// v2: request rejected.
pub const V2_REQUEST_REJECTED: &str = "org.wbcsd.pathfinder.ProductFootprintRequest.Rejected.v1";
/// v2: footprints published.
pub const V2_PUBLISHED: &str = "org.wbcsd.pathfinder.ProductFootprint.Published.v1";

/// A PACT event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Unique together with `source`.
    pub id: String,
    /// URI reference of the sender (e.g. `https://host/3/events`).
    pub source: String,
    /// When the event occurred.
    pub time: DateTime<Utc>,
    /// Type and payload.
    pub data: EventData,
}

/// The type and data of an event.
///
/// v3 types and `data`:
///
/// | type | data |
/// |---|---|
/// | [`V3_REQUEST_CREATED`] | the [`FootprintFilter`] criteria (`productId`, `companyId`, `geography`, `classification` as string lists; `validOn`, `validAfter`, `validBefore` as date-times; `status`) and an optional `comment` |
/// | [`V3_REQUEST_FULFILLED`] | `requestEventId`, `pfs`: one or more v3 footprints |
/// | [`V3_REQUEST_REJECTED`] | `requestEventId`, `error`: an [`ErrorBody`] |
/// | [`V3_PUBLISHED`] | `pfIds`: one or more footprint UUIDs |
///
/// v2 used `org.wbcsd.pathfinder.…` types; its request carries a footprint
/// fragment `pf` (e.g. `{"productIds": [...]}`) instead of criteria.
#[derive(Debug, Clone, PartialEq)]
pub enum EventData {
    /// v3 request: the criteria the footprints must meet.
    RequestCreated {
        /// The criteria.
        filter: FootprintFilter,
        /// Free text from the requester.
        comment: Option<String>,
    },
    /// v3 answer with footprints.
    RequestFulfilled {
        /// The `id` of the `RequestCreatedEvent` answered.
        request_event_id: String,
        /// The footprints (at least one).
        pfs: Vec<ProductFootprintV3>,
    },
    /// v3 refusal.
    RequestRejected {
        /// The `id` of the `RequestCreatedEvent` answered.
        request_event_id: String,
        /// Why (e.g. `NotFound`).
        error: ErrorBody,
    },
    /// v3 notice of new or changed footprints.
    Published {
        /// Ids of the new or changed footprints.
        pf_ids: Vec<String>,
    },
    /// v2 request: a footprint fragment (`productIds`, …).
    V2RequestCreated {
        /// Properties the footprints must have.
        pf: Map<String, Value>,
        /// Free text from the requester.
        comment: Option<String>,
    },
    /// v2 answer (the list may be empty in v2).
    V2RequestFulfilled {
        /// The `id` of the request answered.
        request_event_id: String,
        /// The footprints.
        pfs: Vec<ProductFootprintV2>,
    },
    /// v2 refusal.
    V2RequestRejected {
        /// The `id` of the request answered.
        request_event_id: String,
        /// Why (e.g. `NoSuchFootprint`).
        error: ErrorBody,
    },
    /// v2 notice of new or changed footprints.
    V2Published {
        /// Ids of the new or changed footprints.
        pf_ids: Vec<String>,
    },
}

impl EventData {
    /// The CloudEvents `type`.
    pub const fn type_str(&self) -> &'static str {
        match self {
            EventData::RequestCreated { .. } => V3_REQUEST_CREATED,
            EventData::RequestFulfilled { .. } => V3_REQUEST_FULFILLED,
            EventData::RequestRejected { .. } => V3_REQUEST_REJECTED,
            EventData::Published { .. } => V3_PUBLISHED,
            EventData::V2RequestCreated { .. } => V2_REQUEST_CREATED,
            EventData::V2RequestFulfilled { .. } => V2_REQUEST_FULFILLED,
            EventData::V2RequestRejected { .. } => V2_REQUEST_REJECTED,
            EventData::V2Published { .. } => V2_PUBLISHED,
        }
    }

    /// The API version the event belongs to; `/3/events` should refuse v2
    /// events and the other way round.
    pub const fn version(&self) -> ApiVersion {
        match self {
            EventData::RequestCreated { .. }
            | EventData::RequestFulfilled { .. }
            | EventData::RequestRejected { .. }
            | EventData::Published { .. } => ApiVersion::V3,
            _ => ApiVersion::V2,
        }
    }

    /// The product ids a request asks for (v3 `productId` criteria, v2
    /// `pf.productIds`); empty for other events.
    pub fn requested_product_ids(&self) -> Vec<String> {
        match self {
            EventData::RequestCreated { filter, .. } => filter.product_ids.clone(),
            EventData::V2RequestCreated { pf, .. } => pf
                .get("productIds")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        }
    }
}

fn criteria_json(f: &FootprintFilter, comment: &Option<String>) -> Value {
    let mut m = Map::new();
    for (name, values) in [
        ("productId", &f.product_ids),
        ("companyId", &f.company_ids),
        ("geography", &f.geographies),
        ("classification", &f.classifications),
    ] {
        if !values.is_empty() {
            m.insert(name.into(), json!(values));
        }
    }
    for (name, t) in [
        ("validOn", f.valid_on),
        ("validAfter", f.valid_after),
        ("validBefore", f.valid_before),
    ] {
        if let Some(t) = t {
            m.insert(name.into(), json!(format_date_time(t)));
        }
    }
    match f.statuses.as_slice() {
        [] => {}
        [one] => {
            m.insert("status".into(), json!(one));
        }
        many => {
            m.insert("status".into(), json!(many));
        }
    }
    if let Some(c) = comment {
        m.insert("comment".into(), json!(c));
    }
    Value::Object(m)
}

impl Event {
    /// The event as structured-mode CloudEvents JSON.
    pub fn to_json(&self) -> Value {
        let data = match &self.data {
            EventData::RequestCreated { filter, comment } => criteria_json(filter, comment),
            EventData::RequestFulfilled {
                request_event_id,
                pfs,
            } => json!({"requestEventId": request_event_id, "pfs": pfs}),
            EventData::V2RequestFulfilled {
                request_event_id,
                pfs,
            } => json!({"requestEventId": request_event_id, "pfs": pfs}),
            EventData::RequestRejected {
                request_event_id,
                error,
            }
            | EventData::V2RequestRejected {
                request_event_id,
                error,
            } => json!({"requestEventId": request_event_id, "error": error}),
            EventData::Published { pf_ids } | EventData::V2Published { pf_ids } => {
                json!({ "pfIds": pf_ids })
            }
            EventData::V2RequestCreated { pf, comment } => {
                let mut m = Map::new();
                m.insert("pf".into(), Value::Object(pf.clone()));
                if let Some(c) = comment {
                    m.insert("comment".into(), json!(c));
                }
                Value::Object(m)
            }
        };
        json!({
            "type": self.data.type_str(),
            "specversion": "1.0",
            "id": self.id,
            "source": self.source,
            "time": format_date_time(self.time),
            "data": data,
        })
    }
}

static ENVELOPE: Shape = shape(
    &[
        req("type", Ty::Str),
        req("specversion", Ty::Enum(&["1.0"])),
        req("id", Ty::NonEmpty),
        req("source", Ty::UriRef),
        req("time", Ty::DateTime),
        req("data", Ty::AnyObj),
    ],
    None,
);

const UUIDS: Ty = Ty::Array {
    item: &Ty::Uuid,
    min: 1,
    unique: false,
};
const URN_LIST: Ty = Ty::Array {
    item: &Ty::Urn,
    min: 0,
    unique: false,
};

static PUBLISHED: Shape = shape(&[req("pfIds", UUIDS)], None);

static CREATED_V3: Shape = shape(
    &[
        opt("productId", URN_LIST),
        opt("companyId", URN_LIST),
        opt(
            "geography",
            Ty::Array {
                item: &Ty::NonEmpty,
                min: 0,
                unique: false,
            },
        ),
        opt("classification", URN_LIST),
        opt("validOn", Ty::DateTime),
        opt("validAfter", Ty::DateTime),
        opt("validBefore", Ty::DateTime),
        opt("status", Ty::StatusOneOrMany),
        opt("comment", Ty::Str),
    ],
    None,
);

static FULFILLED_V3: Shape = shape(
    &[
        req("requestEventId", Ty::NonEmpty),
        req(
            "pfs",
            Ty::Array {
                item: &FOOTPRINT_V3_ITEM,
                min: 1,
                unique: false,
            },
        ),
    ],
    None,
);

static REJECTED_V3: Shape = shape(
    &[
        req("requestEventId", Ty::NonEmpty),
        req("error", Ty::Obj(&super::check::ERROR_V3)),
    ],
    None,
);

static CREATED_V2: Shape = shape(&[req("pf", Ty::AnyObj), opt("comment", Ty::Str)], None);

static FULFILLED_V2: Shape = shape(
    &[
        req("requestEventId", Ty::NonEmpty),
        req(
            "pfs",
            Ty::Array {
                item: &FOOTPRINT_V2_ITEM,
                min: 0,
                unique: false,
            },
        ),
    ],
    None,
);

static REJECTED_V2: Shape = shape(
    &[
        req("requestEventId", Ty::NonEmpty),
        req("error", Ty::Obj(&super::check::ERROR_V2)),
    ],
    None,
);

fn data_shape(kind: &str) -> Option<&'static Shape> {
    Some(match kind {
        V3_REQUEST_CREATED => &CREATED_V3,
        V3_REQUEST_FULFILLED => &FULFILLED_V3,
        V3_REQUEST_REJECTED => &REJECTED_V3,
        V3_PUBLISHED | V2_PUBLISHED => &PUBLISHED,
        V2_REQUEST_CREATED => &CREATED_V2,
        V2_REQUEST_FULFILLED => &FULFILLED_V2,
        V2_REQUEST_REJECTED => &REJECTED_V2,
        _ => return None,
    })
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn text(v: Option<&Value>) -> String {
    v.and_then(Value::as_str).unwrap_or_default().to_string()
}

fn error_body(v: &Value) -> ErrorBody {
    ErrorBody {
        code: v["code"]
            .as_str()
            .and_then(ErrorCode::parse)
            .unwrap_or(ErrorCode::BadRequest),
        message: text(v.get("message")),
    }
}

/// Checks and reads a structured-mode CloudEvent of any PACT type (v3 or
/// v2). Every violation is reported, `"; "`-separated, as `"path: reason"`
/// (e.g. `data.pfIds[0]: must be a UUID …`), so a handler can answer
/// `400 BadRequest` with it. Footprints in a fulfilled event are checked
/// against the footprint schema of their version. Extension attributes
/// beside the CloudEvents ones are ignored.
pub fn parse_event(v: &Value) -> Result<Event, String> {
    let mut c = Checker::default();
    c.object("", &ENVELOPE, v);
    let kind = v.get("type").and_then(Value::as_str).unwrap_or_default();
    let shape = data_shape(kind);
    if v.get("type").is_some_and(Value::is_string) && shape.is_none() {
        c.err(
            "type",
            format!("unknown PACT event type {kind:?} (v3 types are {V3_REQUEST_CREATED}, {V3_REQUEST_FULFILLED}, {V3_REQUEST_REJECTED}, {V3_PUBLISHED})"),
        );
    }
    if let (Some(shape), Some(data)) = (shape, v.get("data").filter(|d| d.is_object())) {
        c.object(&join("", "data"), shape, data);
    }
    if !c.errs.is_empty() {
        return Err(c.errs.join("; "));
    }
    let data = &v["data"];
    let map = data.as_object().cloned().unwrap_or_default();
    let comment = data
        .get("comment")
        .and_then(Value::as_str)
        .map(str::to_string);
    let request_event_id = || text(data.get("requestEventId"));
    let event_data = match kind {
        V3_REQUEST_CREATED => EventData::RequestCreated {
            filter: FootprintFilter::from_event_data(&map),
            comment,
        },
        V3_REQUEST_FULFILLED => EventData::RequestFulfilled {
            request_event_id: request_event_id(),
            pfs: serde_json::from_value(data["pfs"].clone())
                .map_err(|e| format!("data.pfs: {e}"))?,
        },
        V3_REQUEST_REJECTED => EventData::RequestRejected {
            request_event_id: request_event_id(),
            error: error_body(&data["error"]),
        },
        V3_PUBLISHED => EventData::Published {
            pf_ids: strings(&data["pfIds"]),
        },
        V2_REQUEST_CREATED => EventData::V2RequestCreated {
            pf: data["pf"].as_object().cloned().unwrap_or_default(),
            comment,
        },
        V2_REQUEST_FULFILLED => EventData::V2RequestFulfilled {
            request_event_id: request_event_id(),
            pfs: serde_json::from_value(data["pfs"].clone())
                .map_err(|e| format!("data.pfs: {e}"))?,
        },
        V2_REQUEST_REJECTED => EventData::V2RequestRejected {
            request_event_id: request_event_id(),
            error: error_body(&data["error"]),
        },
        _ => EventData::V2Published {
            pf_ids: strings(&data["pfIds"]),
        },
    };
    Ok(Event {
        id: text(v.get("id")),
        source: text(v.get("source")),
        time: v["time"]
            .as_str()
            .and_then(super::parse_date_time)
            .unwrap_or_default(),
        data: event_data,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pact::mapping::tests::meta;
    use crate::pact::{parse_date_time, to_v2, to_v3};
    use crate::pcf::sample;

    fn envelope(kind: &str, data: Value) -> Value {
        json!({
            "specversion": "1.0",
            "id": "run-42/12",
            "source": "https://conformance.example/3/events",
            "time": "2026-05-19T10:30:00.123Z",
            "type": kind,
            "data": data,
        })
    }

    #[test]
    fn the_conformance_requests_parse() {
        // #12: request by product ids.
        let e = parse_event(&envelope(
            V3_REQUEST_CREATED,
            json!({"productId": ["urn:gtin:1234567890123"], "comment": "Please send PCF data for this year."}),
        ))
        .unwrap();
        assert_eq!(e.id, "run-42/12");
        assert_eq!(e.time, parse_date_time("2026-05-19T10:30:00.123Z").unwrap());
        assert_eq!(e.data.version(), ApiVersion::V3);
        assert_eq!(e.data.requested_product_ids(), ["urn:gtin:1234567890123"]);
        let EventData::RequestCreated { filter, comment } = &e.data else {
            panic!("{e:?}")
        };
        assert_eq!(filter.product_ids, ["urn:gtin:1234567890123"]);
        assert_eq!(
            comment.as_deref(),
            Some("Please send PCF data for this year.")
        );
        // #14.A: the product id that must be rejected later.
        let e = parse_event(&envelope(
            V3_REQUEST_CREATED,
            json!({"productId": ["urn:pact:null"]}),
        ))
        .unwrap();
        assert_eq!(e.data.requested_product_ids(), ["urn:pact:null"]);
        // #15: published.
        let e = parse_event(&envelope(
            V3_PUBLISHED,
            json!({"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]}),
        ))
        .unwrap();
        assert_eq!(
            e.data,
            EventData::Published {
                pf_ids: vec!["3a6c14a7-4deb-498a-b5ea-16ce2535b576".into()]
            }
        );
    }

    #[test]
    fn a_malformed_published_event_is_rejected() {
        // Conformance #40 (v3) and #21 (v2): a pfId that is a URN.
        for kind in [V3_PUBLISHED, V2_PUBLISHED] {
            let err = parse_event(&envelope(
                kind,
                json!({"pfIds": ["urn:gtin:4712345060507"]}),
            ))
            .unwrap_err();
            assert_eq!(
                err,
                "data.pfIds[0]: must be a UUID (8-4-4-4-12 hexadecimal digits)"
            );
        }
        let err = parse_event(&envelope(V3_PUBLISHED, json!({"pfIds": []}))).unwrap_err();
        assert_eq!(err, "data.pfIds: must have at least 1 item(s)");
        let err = parse_event(&envelope(V3_PUBLISHED, json!({}))).unwrap_err();
        assert_eq!(err, "data.pfIds: required property is missing");
    }

    #[test]
    fn broken_envelopes_are_rejected_with_every_reason() {
        let mut v = envelope(
            V3_PUBLISHED,
            json!({"pfIds": ["3a6c14a7-4deb-498a-b5ea-16ce2535b576"]}),
        );
        v["specversion"] = json!("0.3");
        v["id"] = json!("");
        v["time"] = json!("yesterday");
        v.as_object_mut().unwrap().remove("source");
        assert_eq!(
            parse_event(&v).unwrap_err(),
            "specversion: must be one of: 1.0 (found \"0.3\"); id: must not be empty; \
             source: required property is missing; \
             time: must be an RFC 3339 date-time such as 2025-01-01T00:00:00Z"
        );
        let v = envelope("org.wbcsd.pact.ProductFootprint.Deleted.3", json!({}));
        assert!(
            parse_event(&v)
                .unwrap_err()
                .starts_with("type: unknown PACT event type")
        );
        let mut v = envelope(V3_PUBLISHED, json!([]));
        v["data"] = json!("pfIds");
        assert_eq!(
            parse_event(&v).unwrap_err(),
            "data: must be an object (found string)"
        );
        assert_eq!(
            parse_event(&json!("event")).unwrap_err(),
            "(root): must be an object (found string)"
        );
        let v = envelope(
            V3_REQUEST_CREATED,
            json!({"productId": "urn:gtin:1", "validOn": "2026-01-01", "status": "Gone"}),
        );
        assert_eq!(
            parse_event(&v).unwrap_err(),
            "data.productId: must be an array (found string); \
             data.validOn: must be an RFC 3339 date-time such as 2025-01-01T00:00:00Z; \
             data.status: must be one of: Active, Deprecated (found \"Gone\")"
        );
    }

    #[test]
    fn request_criteria_and_status_forms() {
        let e = parse_event(&envelope(
            V3_REQUEST_CREATED,
            json!({
                "companyId": ["urn:pact:x.example:company:1"],
                "geography": ["DE", "FR"],
                "classification": ["urn:cpc:0151"],
                "validAfter": "2025-01-01T00:00:00Z",
                "status": ["Active"]
            }),
        ))
        .unwrap();
        let EventData::RequestCreated { filter, comment } = &e.data else {
            panic!()
        };
        assert_eq!(filter.geographies, ["DE", "FR"]);
        assert_eq!(filter.statuses, ["Active"]);
        assert_eq!(comment, &None);
        // Serialising and parsing again gives the same event.
        assert_eq!(parse_event(&e.to_json()).unwrap(), e);
        let e = parse_event(&envelope(
            V3_REQUEST_CREATED,
            json!({"status": "Deprecated"}),
        ))
        .unwrap();
        assert_eq!(e.to_json()["data"], json!({"status": "Deprecated"}));
    }

    #[test]
    fn answers_round_trip() {
        let t = parse_date_time("2026-05-19T11:00:00Z").unwrap();
        let fulfilled = Event {
            id: "505e5d-4f9b-4b3b-9c05bc35-68f8".into(),
            source: "https://egret.example/3/events".into(),
            time: t,
            data: EventData::RequestFulfilled {
                request_event_id: "run-42/12".into(),
                pfs: vec![to_v3(&sample(), &meta())],
            },
        };
        let v = fulfilled.to_json();
        assert_eq!(v["type"], V3_REQUEST_FULFILLED);
        assert_eq!(v["specversion"], "1.0");
        assert_eq!(v["time"], "2026-05-19T11:00:00Z");
        assert_eq!(v["data"]["pfs"][0]["pcf"]["declaredUnitAmount"], "1");
        assert_eq!(parse_event(&v).unwrap(), fulfilled);

        let rejected = Event {
            data: EventData::RequestRejected {
                request_event_id: "run-42/14.A".into(),
                error: ErrorBody::new(ErrorCode::NotFound, "no footprint for urn:pact:null"),
            },
            ..fulfilled.clone()
        };
        let v = rejected.to_json();
        assert_eq!(
            v["data"],
            json!({"requestEventId": "run-42/14.A",
                   "error": {"code": "NotFound", "message": "no footprint for urn:pact:null"}})
        );
        assert_eq!(parse_event(&v).unwrap(), rejected);

        let v2 = Event {
            data: EventData::V2RequestFulfilled {
                request_event_id: "r".into(),
                pfs: vec![to_v2(&sample(), &meta()).unwrap()],
            },
            ..fulfilled.clone()
        };
        assert_eq!(v2.data.version(), ApiVersion::V2);
        assert_eq!(parse_event(&v2.to_json()).unwrap(), v2);
    }

    #[test]
    fn fulfilled_footprints_are_checked() {
        let mut fp = serde_json::to_value(to_v3(&sample(), &meta())).unwrap();
        fp["pcf"]["declaredUnitAmount"] = json!("-1");
        let v = envelope(
            V3_REQUEST_FULFILLED,
            json!({"requestEventId": "r", "pfs": [fp]}),
        );
        assert_eq!(
            parse_event(&v).unwrap_err(),
            "data.pfs[0].pcf.declaredUnitAmount: must be greater than 0"
        );
        let v = envelope(
            V3_REQUEST_FULFILLED,
            json!({"requestEventId": "r", "pfs": []}),
        );
        assert_eq!(
            parse_event(&v).unwrap_err(),
            "data.pfs: must have at least 1 item(s)"
        );
        let v = envelope(
            V3_REQUEST_REJECTED,
            json!({"requestEventId": "r", "error": {"code": "NoSuchFootprint", "message": "x"}}),
        );
        assert!(
            parse_event(&v)
                .unwrap_err()
                .starts_with("data.error.code: must be one of")
        );
    }

    #[test]
    fn v2_events() {
        let v = json!({
            "type": V2_REQUEST_CREATED, "specversion": "1.0", "id": "run/14.A",
            "source": "https://conformance.example", "time": "2026-05-19T10:30:00Z",
            "data": {"pf": {"productIds": ["urn:pact:null"]}, "comment": "Please send PCF data."}
        });
        let e = parse_event(&v).unwrap();
        assert_eq!(e.data.type_str(), V2_REQUEST_CREATED);
        assert_eq!(e.data.requested_product_ids(), ["urn:pact:null"]);
        assert_eq!(e.to_json(), v);
        let v = json!({
            "type": V2_REQUEST_REJECTED, "specversion": "1.0", "id": "x",
            "source": "//egret.example/2/events", "time": "2026-05-19T10:30:00Z",
            "data": {"requestEventId": "run/14.A", "error": {"code": "NoSuchFootprint", "message": "none"}}
        });
        let e = parse_event(&v).unwrap();
        assert_eq!(e.to_json(), v);
    }
}
