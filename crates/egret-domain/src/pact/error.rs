//! The PACT error body `{code, message}` and the HTTP status of each code.

use serde::{Deserialize, Serialize};

use super::{ApiVersion, str_enum};

str_enum! {
    /// An error code of the PACT API. v3 names a missing footprint
    /// `NotFound`; v2 named it `NoSuchFootprint`.
    ErrorCode {
        /// 400: malformed request, invalid token, unsupported filter.
        BadRequest = "BadRequest",
        /// 403: the caller may not see the footprint.
        AccessDenied = "AccessDenied",
        /// 401: the access token has expired.
        TokenExpired = "TokenExpired",
        /// 404 (v3): no footprint with that id.
        NotFound = "NotFound",
        /// 404 (v2): no footprint with that id.
        NoSuchFootprint = "NoSuchFootprint",
        /// 500.
        InternalError = "InternalError",
        /// 501 in v3, 400 in v2.
        NotImplemented = "NotImplemented",
    }
}

/// The codes of the v3 `Error.code` enumeration.
pub(crate) const V3_ERROR_CODES: &[&str] = &[
    "BadRequest",
    "AccessDenied",
    "TokenExpired",
    "NotFound",
    "InternalError",
    "NotImplemented",
];

/// The codes a v2 peer may send (the v2.3 enumeration plus the
/// `NoSuchFootprint` of the v2 error table).
pub(crate) const V2_ERROR_CODES: &[&str] = &[
    "BadRequest",
    "AccessDenied",
    "TokenExpired",
    "NotFound",
    "NoSuchFootprint",
    "InternalError",
    "NotImplemented",
];

impl ErrorCode {
    /// The HTTP status a response carrying this code must have.
    pub const fn http_status(self, version: ApiVersion) -> u16 {
        match (self, version) {
            (ErrorCode::BadRequest, _) => 400,
            (ErrorCode::AccessDenied, _) => 403,
            (ErrorCode::TokenExpired, _) => 401,
            (ErrorCode::NotFound | ErrorCode::NoSuchFootprint, _) => 404,
            (ErrorCode::InternalError, _) => 500,
            (ErrorCode::NotImplemented, ApiVersion::V3) => 501,
            (ErrorCode::NotImplemented, ApiVersion::V2) => 400,
        }
    }

    /// The code for "no footprint with that id" in a version.
    pub const fn not_found(version: ApiVersion) -> Self {
        match version {
            ApiVersion::V3 => ErrorCode::NotFound,
            ApiVersion::V2 => ErrorCode::NoSuchFootprint,
        }
    }

    /// Whether the version's error enumeration contains this code.
    pub const fn in_version(self, version: ApiVersion) -> bool {
        !matches!(
            (self, version),
            (ErrorCode::NoSuchFootprint, ApiVersion::V3)
        )
    }
}

/// The error body of the PACT API, and of a `RequestRejectedEvent`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    /// The error code.
    pub code: ErrorCode,
    /// Human-readable; any language.
    pub message: String,
}

impl ErrorBody {
    /// A body with this code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ErrorBody {
            code,
            message: message.into(),
        }
    }

    /// The HTTP status this body goes with.
    pub fn http_status(&self, version: ApiVersion) -> u16 {
        self.code.http_status(version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pact::check_error_body;

    #[test]
    fn every_code_has_its_status() {
        use ApiVersion::*;
        let table: Vec<(&str, u16, u16)> = ErrorCode::ALL
            .iter()
            .map(|c| (c.as_str(), c.http_status(V2), c.http_status(V3)))
            .collect();
        assert_eq!(
            table,
            [
                ("BadRequest", 400, 400),
                ("AccessDenied", 403, 403),
                ("TokenExpired", 401, 401),
                ("NotFound", 404, 404),
                ("NoSuchFootprint", 404, 404),
                ("InternalError", 500, 500),
                ("NotImplemented", 400, 501),
            ]
        );
        assert_eq!(ErrorCode::not_found(V3), ErrorCode::NotFound);
        assert_eq!(ErrorCode::not_found(V2), ErrorCode::NoSuchFootprint);
        let v3: Vec<&str> = ErrorCode::ALL
            .iter()
            .filter(|c| c.in_version(V3))
            .map(|c| c.as_str())
            .collect();
        assert_eq!(v3, V3_ERROR_CODES);
        assert_eq!(ErrorCode::NAMES, V2_ERROR_CODES);
    }

    #[test]
    fn bodies_serialise_as_the_spec_writes_them() {
        let b = ErrorBody::new(
            ErrorCode::NotFound,
            "The requested footprint could not be found.",
        );
        let v = serde_json::to_value(&b).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"code": "NotFound", "message": "The requested footprint could not be found."})
        );
        assert!(check_error_body(&v, ApiVersion::V3).is_empty());
        assert_eq!(b.http_status(ApiVersion::V3), 404);
        assert_eq!(serde_json::from_value::<ErrorBody>(v).unwrap(), b);
        assert!(
            serde_json::from_value::<ErrorBody>(serde_json::json!({"code": "Oops", "message": ""}))
                .is_err()
        );
    }
}
