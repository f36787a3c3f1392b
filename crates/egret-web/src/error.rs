//! Errors: handlers return [`AppError`]; it travels out of the handler as a
//! response extension, and [`render_errors`] turns it into a JSON body
//! (under `/api`) or an HTML page, in the caller's language.

use std::any::Any;

use askama::Template;
use axum::extract::Request;
use axum::extract::rejection::{FormRejection, JsonRejection, QueryRejection};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use egret_domain::org::FieldError;
use egret_i18n::{Lang, Msg};
use egret_store::StoreError;
use serde::Serialize;

use crate::view::lang_from_headers;

/// An error on its way to the client.
#[derive(Debug, Clone)]
pub struct AppError {
    pub status: StatusCode,
    pub code: &'static str,
    pub msg: Msg,
    pub fields: Vec<FieldError>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, msg: Msg) -> AppError {
        AppError {
            status,
            code,
            msg,
            fields: Vec::new(),
        }
    }

    pub fn bad_request(msg: Msg) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, "bad_request", msg)
    }

    pub fn unauthorized() -> AppError {
        AppError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            Msg::new("web-error-unauthorized"),
        )
    }

    pub fn forbidden() -> AppError {
        AppError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            Msg::new("web-error-forbidden"),
        )
    }

    pub fn not_found() -> AppError {
        AppError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            Msg::new("web-error-not-found"),
        )
    }

    pub fn invalid(fields: Vec<FieldError>) -> AppError {
        AppError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid",
            msg: Msg::new("web-error-invalid").arg("count", fields.len()),
            fields,
        }
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> AppError {
        let msg = e.msg();
        match e {
            StoreError::NotFound { .. } => AppError::new(StatusCode::NOT_FOUND, "not_found", msg),
            StoreError::Forbidden { .. } => AppError::new(StatusCode::FORBIDDEN, "forbidden", msg),
            StoreError::Conflict(_) => AppError::new(StatusCode::CONFLICT, "conflict", msg),
            StoreError::Invalid(fields) => AppError::invalid(fields),
            other => {
                tracing::error!(error = %other, "store failure");
                AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", msg)
            }
        }
    }
}

impl From<JsonRejection> for AppError {
    fn from(r: JsonRejection) -> AppError {
        let detail = r.body_text();
        match r {
            JsonRejection::MissingJsonContentType(_) => AppError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                Msg::new("web-error-json-content-type"),
            ),
            JsonRejection::BytesRejection(_) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                too_large()
            }
            JsonRejection::JsonDataError(_) => AppError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_json_data",
                Msg::new("web-error-json-data").arg("detail", detail),
            ),
            _ if r.status() == StatusCode::PAYLOAD_TOO_LARGE => too_large(),
            _ => AppError::bad_request(Msg::new("web-error-json-syntax").arg("detail", detail)),
        }
    }
}

impl From<FormRejection> for AppError {
    fn from(r: FormRejection) -> AppError {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return too_large();
        }
        AppError::bad_request(Msg::new("web-error-form").arg("detail", r.body_text()))
    }
}

impl From<QueryRejection> for AppError {
    fn from(r: QueryRejection) -> AppError {
        AppError::bad_request(Msg::new("web-error-query").arg("detail", r.body_text()))
    }
}

pub fn too_large() -> AppError {
    AppError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        Msg::new("web-error-too-large"),
    )
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let mut resp = self.status.into_response();
        resp.extensions_mut().insert(self);
        resp
    }
}

/// One invalid field.
#[derive(Serialize, utoipa::ToSchema)]
pub struct FieldBody {
    field: String,
    message: String,
}

/// The body of every API error.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    code: &'static str,
    message: String,
    message_key: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<FieldBody>,
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: Lang,
    status: u16,
    message: String,
    fields: Vec<FieldBody>,
}

impl ErrorPage {
    fn t(&self, key: &str) -> String {
        egret_i18n::t(self.lang, key)
    }
}

/// Renders errors raised by handlers, and turns the framework's own plain
/// 4xx responses (unknown route, wrong method, body too large) into the same
/// JSON or HTML shape.
pub async fn render_errors(req: Request, next: Next) -> Response {
    let lang = lang_from_headers(req.headers());
    let api = req.uri().path().starts_with("/api/");
    let mut resp = next.run(req).await;
    let err = match resp.extensions_mut().remove::<AppError>() {
        Some(e) => e,
        None if resp.status().is_client_error()
            && !resp.headers().contains_key(header::CONTENT_TYPE)
            || resp.status() == StatusCode::PAYLOAD_TOO_LARGE
                && resp
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .is_some_and(|v| v.as_bytes().starts_with(b"text/plain")) =>
        {
            match resp.status() {
                StatusCode::NOT_FOUND => AppError::not_found(),
                StatusCode::METHOD_NOT_ALLOWED => AppError::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "method_not_allowed",
                    Msg::new("web-error-method"),
                ),
                StatusCode::PAYLOAD_TOO_LARGE => too_large(),
                s => AppError::new(s, "bad_request", Msg::new("web-error-bad-request")),
            }
        }
        None => return resp,
    };
    let fields: Vec<FieldBody> = err
        .fields
        .iter()
        .map(|f| FieldBody {
            field: f.field.clone(),
            message: f.msg.render(lang),
        })
        .collect();
    let message = err.msg.render(lang);
    let mut out = if api {
        axum::Json(ErrorBody {
            code: err.code,
            message,
            message_key: err.msg.key.to_string(),
            fields,
        })
        .into_response()
    } else {
        let page = ErrorPage {
            lang,
            status: err.status.as_u16(),
            message,
            fields,
        };
        match page.render() {
            Ok(html) => Html(html).into_response(),
            Err(_) => err.status.into_response(),
        }
    };
    *out.status_mut() = err.status;
    for (k, v) in resp.headers() {
        if k == header::LOCATION
            || k == header::SET_COOKIE
            || k == header::WWW_AUTHENTICATE
            || k == header::RETRY_AFTER
        {
            out.headers_mut().append(k, v.clone());
        }
    }
    out
}

/// A panic becomes a 500 with no details; the panic itself is logged.
pub fn panic_response(err: Box<dyn Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "handler panicked");
    AppError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        Msg::new("store-internal"),
    )
    .into_response()
}
